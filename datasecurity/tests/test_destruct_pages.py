"""The destruction pages and endpoints (SEC-4): who may open what (every role, administrators,
anonymous), HR's schedule and request over HTTP, the approver's decision, the register with its
filters and bounded queries, the certificate as PDF with Chinese glyphs (English for an English
reader), and refusals that are messages, never a 500."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader
from rest_framework.test import APIClient

from callcenter.models import User
from callcenter.roles import Role
from callcenter.tests import factories as f
from callcenter.tests.factories import reads_english
from datasecurity import services
from datasecurity.exports.destruct import NothingFetcher, destruction_certificate_pdf
from datasecurity.models import AuditEvent, DestructionMethod, DestructionRecord, DestructionRequest, RetentionPeriod
from datasecurity.tests.factories.destruct import closed_complaint, evidence

pytestmark = pytest.mark.django_db

THREE_YEARS = 3 * 365
PEOPLE = ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor"]


@pytest.fixture(autouse=True)
def _private(settings, tmp_path, celery_eager):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def admin(db):
    return f.UserFactory(username="admin1", is_staff=True)


@pytest.fixture
def pending(org):
    """A pending request by HR: one old closed complaint with an evidence file."""
    complaint = closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    evidence(org, complaint)
    return services.destruction_request_create(actor=org.hr.user, reason="保留期已满，依 SEC-4 销毁")


@pytest.fixture
def record(org):
    return services.destruction_record_write(
        category="complaint_contacts",
        name="已结案投诉的客户联系方式",
        quantity=12,
        method=DestructionMethod.ANONYMISE,
        responsible=org.hr.user,
        approver=org.auditor.user,
        details={"retention_days": 1095, "article": "SEC-4"},
    )


def _user(org, admin, who):
    return admin if who == "admin" else getattr(org, who).user


# --- Role matrix ---------------------------------------------------------------------------------------

# page or endpoint → who gets 200 (everyone else 403; anonymous: login / 401-403)
READERS = {"hr", "auditor", "leader", "admin"}
MATRIX = [
    ("datasecurity:retention_schedule", False, {"hr", "admin"}),
    ("datasecurity:destruction_request_list", False, READERS),
    ("datasecurity:destruction_inbox", False, {"auditor", "leader"}),
    ("datasecurity:destruction_request_detail", "request", READERS),
    ("datasecurity:destruction_register", False, {"auditor"}),
    ("datasecurity:destruction_record_detail", "record", {"auditor"}),
    ("datasecurity:destruction_certificate", "record", {"auditor"}),
    ("api:datasecurity:destruction_record_list", False, {"auditor"}),
    ("api:datasecurity:destruction_record_detail", "record", {"auditor"}),
    ("api:datasecurity:destruction_certificate", "record", {"auditor"}),
    ("api:datasecurity:destruction_request_list", False, READERS),
    ("api:datasecurity:destruction_request_detail", "request", READERS),
    ("api:datasecurity:retention_schedule", False, READERS),
]


@pytest.mark.parametrize(("name", "arg", "allowed"), MATRIX, ids=[m[0] for m in MATRIX])
def test_every_page_and_endpoint_answers_its_roles_and_refuses_the_others(
    org, admin, pending, record, name, arg, allowed
):
    args = [] if not arg else [pending.pk if arg == "request" else record.pk]
    url = reverse(name, args=args)
    for who in [*PEOPLE, "admin"]:
        client = Client()
        client.force_login(_user(org, admin, who))
        response = client.get(url)
        expected = 200 if who in allowed else 403
        assert response.status_code == expected, (who, url, response.status_code)
    anonymous = Client().get(url)
    assert anonymous.status_code in ((302,) if not name.startswith("api:") else (401, 403)), url


@pytest.mark.parametrize("who", [*PEOPLE, "admin"])
def test_only_auditors_and_leaders_decide_and_only_hr_or_admins_request(org, admin, pending, who):
    user = _user(org, admin, who)
    api = APIClient()
    api.force_authenticate(user)
    created = api.post(reverse("api:datasecurity:destruction_request_list"), {"reason": "再次申请"}, format="json")
    assert created.status_code == (201 if who in {"hr", "admin"} else 403), created.content
    rejected = api.post(
        reverse("api:datasecurity:destruction_request_reject", args=[pending.pk]), {"reason": "x"}, format="json"
    )
    assert rejected.status_code == (200 if who in {"auditor", "leader"} else 403), rejected.content


# --- HR's pages ----------------------------------------------------------------------------------------


def test_hr_edits_a_period_and_a_bad_value_is_a_translated_message(org):
    client = Client()
    client.force_login(org.hr.user)
    url = reverse("datasecurity:retention_schedule")
    response = client.post(url, {"category": "complaint_contacts", "days": "5"})
    assert response.status_code == 400
    assert "保留期限" in response.content.decode() or "SEC-4" in response.content.decode()
    assert not RetentionPeriod.objects.exists()
    reads_english(org.hr)
    html = client.post(url, {"category": "complaint_contacts", "days": "abc"}).content.decode()
    assert "The retention period is a whole number of days." in html
    assert client.post(url, {"category": "complaint_contacts", "days": "400"}).status_code == 302
    assert RetentionPeriod.objects.get(category="complaint_contacts").days == 400
    page = client.get(url).content.decode()
    assert 'data-category="complaint_contacts"' in page and 'value="400"' in page
    assert "Customer contacts of closed complaints" in page and "limitation period" in page


def test_hr_requests_over_the_page_and_the_auditor_approves_then_the_register_shows_it(
    org, django_capture_on_commit_callbacks
):
    complaint = closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    reads_english(org.hr, org.auditor)
    hr, auditor = Client(), Client()
    hr.force_login(org.hr.user)
    auditor.force_login(org.auditor.user)
    page = hr.get(reverse("datasecurity:destruction_request_list")).content.decode()
    assert 'data-category="complaint_contacts"' in page and "TS-DESTRUCT-1" in page
    # an empty reason: a message on the field, nothing created
    refused = hr.post(reverse("datasecurity:destruction_request_list"), {"reason": ""})
    assert refused.status_code == 400 and not DestructionRequest.objects.exists()
    response = hr.post(reverse("datasecurity:destruction_request_list"), {"reason": "Past the retention period"})
    assert response.status_code == 302
    request = DestructionRequest.objects.get()
    # HR sees no decision buttons on their own request; the auditor's inbox lists it
    assert 'id="approve-form"' not in hr.get(response["Location"]).content.decode()
    assert f'data-request="{request.pk}"' in auditor.get(reverse("datasecurity:destruction_inbox")).content.decode()
    detail = auditor.get(reverse("datasecurity:destruction_request_detail", args=[request.pk])).content.decode()
    assert 'id="approve-form"' in detail
    with django_capture_on_commit_callbacks(execute=True):
        approved = auditor.post(reverse("datasecurity:destruction_request_approve", args=[request.pk]))
    assert approved.status_code == 302
    complaint.refresh_from_db()
    assert "*" in complaint.phone
    register = auditor.get(reverse("datasecurity:destruction_register")).content.decode()
    record = DestructionRecord.objects.get()
    assert record.serial in register and "Customer contacts of closed complaints" in register
    # the progress partial (htmx) reads done
    partial = auditor.get(
        reverse("datasecurity:destruction_request_detail", args=[request.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-status="done"' in partial and "<html" not in partial


def test_the_requester_cannot_approve_over_the_page_nor_the_api(org, pending):
    org.hr.user.groups.add(Group.objects.get(name=Role.SECURITY_AUDITOR))
    client = Client()
    client.force_login(org.hr.user)
    response = client.post(reverse("datasecurity:destruction_request_approve", args=[pending.pk]), follow=True)
    assert "SEC-2" in response.content.decode()
    api = APIClient()
    api.force_authenticate(User.objects.get(pk=org.hr.user.pk))  # the roles as they are now
    answer = api.post(reverse("api:datasecurity:destruction_request_approve", args=[pending.pk]))
    assert answer.status_code == 403 and answer.json()["code"] == "own_record"
    assert DestructionRequest.objects.get(pk=pending.pk).status == "pending"


def test_api_request_approve_and_read_the_register(org, django_capture_on_commit_callbacks):
    closed_complaint(org, 1, closed_days_ago=THREE_YEARS + 5)
    hr, auditor = APIClient(), APIClient()
    hr.force_authenticate(org.hr.user)
    auditor.force_authenticate(org.auditor.user)
    nothing = hr.post(reverse("api:datasecurity:destruction_request_list"), {"reason": ""}, format="json")
    assert nothing.status_code == 400 and nothing.json()["code"] == "destruction_reason_required"
    created = hr.post(reverse("api:datasecurity:destruction_request_list"), {"reason": "保留期已满"}, format="json")
    assert created.status_code == 201
    body = created.json()
    assert body["status"] == "pending" and body["items"][0]["category"] == "complaint_contacts"
    assert body["items"][0]["quantity"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        approved = auditor.post(reverse("api:datasecurity:destruction_request_approve", args=[body["id"]]))
    assert approved.status_code == 200
    again = auditor.post(reverse("api:datasecurity:destruction_request_approve", args=[body["id"]]))
    assert again.status_code == 409 and again.json()["code"] == "destruction_state"
    register = auditor.get(reverse("api:datasecurity:destruction_record_list"), {"category": "complaint_contacts"})
    assert register.status_code == 200
    results = register.json()["results"]
    assert [(r["quantity"], r["method"], r["responsible"]["username"], r["approver"]["username"]) for r in results] == [
        (1, "anonymise", "hr", "auditor")
    ]
    assert results[0]["serial"].startswith("SEC4-")


def test_the_register_filters_and_its_queries_are_bounded(org, django_assert_max_num_queries):
    for n in range(30):
        services.destruction_record_write(
            category="complaint_evidence" if n % 2 else "telephony_metrics",
            name="x",
            quantity=n + 1,
            method=DestructionMethod.ROW_DELETE if n % 2 == 0 else DestructionMethod.FILE_DELETE,
            responsible=org.hr.user,
            approver=org.leader.user,
        )
    client = Client()
    client.force_login(org.auditor.user)
    url = reverse("datasecurity:destruction_register")
    client.get(url)  # warm the session and the menu's caches
    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    assert html.count("data-record=") == 30
    filtered = client.get(url, {"category": "telephony_metrics", "since": "not-a-date"}).content.decode()
    assert filtered.count("data-record=") == 15
    api = APIClient()
    api.force_authenticate(org.auditor.user)
    with django_assert_max_num_queries(8):
        assert len(api.get(reverse("api:datasecurity:destruction_record_list")).json()["results"]) == 30


def test_the_requests_list_queries_are_bounded(org, admin, django_assert_max_num_queries):
    for n in range(6):
        closed_complaint(org, n, closed_days_ago=THREE_YEARS + 5 + n)
        services.destruction_request_create(actor=org.hr.user if n % 2 else admin, reason=f"第{n}次")
    client = Client()
    client.force_login(org.leader.user)
    url = reverse("datasecurity:destruction_request_list")
    client.get(url)
    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    assert html.count("data-request=") == 6


# --- The certificate --------------------------------------------------------------------------------------


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/"))
    return names


def test_the_certificate_is_a_pdf_in_chinese_with_the_cjk_font_and_audited(org, record):
    """When the auditor downloads a certificate (Chinese by default), then it is a PDF that embeds
    Noto Sans CJK only (no fallback font drawing boxes), names the serial, quantity and people,
    and the download is in the audit trail."""
    client = Client()
    client.force_login(org.auditor.user)
    response = client.get(reverse("datasecurity:destruction_certificate", args=[record.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    squeezed = {name.split("+")[-1].replace("-", "") for name in _fonts(reader)}
    assert squeezed and all(re.fullmatch(r"NotoSansCJKSC(Bold)?", name) for name in squeezed), squeezed
    with translation.override("zh-hans"):
        title = gettext("Certificate of destruction")
    assert title in text and "呼叫中心" in text and record.serial in text and "12" in text
    assert "黄丽" in text and "吴婷" in text
    assert AuditEvent.objects.filter(action="destruction.certificate_download", object_id=str(record.pk)).exists()


def test_the_certificate_reads_english_for_an_english_reader_and_loads_nothing(org, record):
    reads_english(org.auditor)
    client = Client()
    client.force_login(org.auditor.user)
    response = client.get(reverse("datasecurity:destruction_certificate", args=[record.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Certificate of destruction" in text and "Anonymised" in text
    fetcher = NothingFetcher()
    record.responsible.employee.name = '<img src="file:///etc/passwd">'
    destruction_certificate_pdf(record=record, category_label="x", fetcher=fetcher)
    assert fetcher.requested == []


def test_a_missing_record_is_a_404_not_a_500(org):
    client = Client()
    client.force_login(org.auditor.user)
    assert client.get(reverse("datasecurity:destruction_record_detail", args=[999999])).status_code == 404
    assert client.get(reverse("datasecurity:destruction_request_detail", args=[999999])).status_code == 404
    api = APIClient()
    api.force_authenticate(org.auditor.user)
    assert api.get(reverse("api:datasecurity:destruction_record_detail", args=[999999])).status_code == 404


def test_api_hr_sets_a_period_and_a_bad_one_is_a_400_with_its_code(org):
    api = APIClient()
    api.force_authenticate(org.hr.user)
    url = reverse("api:datasecurity:retention_schedule")
    bad = api.post(url, {"category": "leave_certificates", "days": "7"}, format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "retention_days_invalid"
    good = api.post(url, {"category": "leave_certificates", "days": "365"}, format="json")
    assert good.status_code == 200
    assert {row["category"]: row["days"] for row in good.json()}["leave_certificates"] == 365
    auditor = APIClient()
    auditor.force_authenticate(org.auditor.user)
    assert auditor.post(url, {"category": "leave_certificates", "days": "400"}, format="json").status_code == 403
    assert RetentionPeriod.objects.get().days == 365
