"""Issue 14, "one-click actions answer in place": on the request page the requester's withdraw
(LV-4) and certificate upload (LV-2) answer an htmx request with the request's panel (status, steps,
certificates, the actions left) and the message out of band; a refusal swaps only the message;
without htmx they redirect back to the page as before."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance import services
from attendance.models import LeaveStatus
from attendance.tests.factories import EXE_BYTES, leave_type, next_monday, pdf, roster_weeks
from datasecurity.models import AuditEvent

HX = {"HX-Request": "true"}
# The htmx answer, measured: the session, the user, their roles and visibility (~8), the service's
# locked read, writes and audit chain (~8), then the panel: the request again (as the reader may
# see it), its steps and certificates (~9). Fixed, whatever the number of steps or certificates.
WITHDRAW_QUERIES = 25
CERTIFICATE_QUERIES = 24


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def sick(org):
    """The agent's two-day sick leave with a certificate, pending at their supervisor (LV-4)."""
    day = next_monday()
    roster_weeks([org.agent, org.supervisor, org.manager], day - datetime.timedelta(days=14), 35)
    return services.leave_request_submit(
        actor=org.agent.user,
        leave_type_id=leave_type("sick").pk,
        start_date=day,
        end_date=day + datetime.timedelta(days=1),
        certificates=[pdf()],
    )


def _english(client, employee):
    employee.user.preferred_language = "en"
    employee.user.save(update_fields=["preferred_language"])
    client.force_login(employee.user)


def test_the_page_wires_withdraw_and_upload_to_the_panel(client, org, sick):
    _english(client, org.agent)
    html = client.get(reverse("attendance:leave_detail", args=[sick.pk])).content.decode()
    assert 'id="leave-panel"' in html
    withdraw = html.split('id="leave-withdraw-form"')[1].split(">")[0]
    assert f'hx-post="{reverse("attendance:leave_withdraw", args=[sick.pk])}"' in withdraw
    assert 'hx-target="#leave-panel"' in withdraw
    upload = html.split('id="leave-certificate-form"')[1].split(">")[0]
    assert 'hx-encoding="multipart/form-data"' in upload and 'hx-target="#leave-panel"' in upload


def test_withdraw_through_htmx_answers_with_the_panel(client, org, sick, django_assert_max_num_queries):
    """LV-4: the panel comes back withdrawn, without the withdraw button or the upload form; the
    header's status and the message come out of band; the withdrawal is audited."""
    _english(client, org.agent)
    with django_assert_max_num_queries(WITHDRAW_QUERIES):
        response = client.post(reverse("attendance:leave_withdraw", args=[sick.pk]), headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "HX-Reswap" not in response.headers
    assert html.lstrip().startswith('<div class="col-12 col-lg-5" id="leave-panel" data-leave-status="withdrawn"')
    assert 'id="leave-withdraw"' not in html and 'id="leave-certificate-form"' not in html
    assert 'id="leave-status" hx-swap-oob="true"' in html
    assert 'hx-swap-oob="afterbegin:#main"' in html and "Your request has been withdrawn." in html
    sick.refresh_from_db()
    assert sick.status == LeaveStatus.WITHDRAWN
    assert AuditEvent.objects.filter(object_id=str(sick.pk), action__icontains="withdraw").exists()


def test_a_refused_withdraw_swaps_only_the_message(client, org, sick):
    """Not the requester (the supervisor) and a second withdraw: the message alone, no swap."""
    _english(client, org.supervisor)
    response = client.post(reverse("attendance:leave_withdraw", args=[sick.pk]), headers=HX)
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert 'id="leave-panel"' not in html and "<html" not in html
    assert "Only the employee who filed a request may withdraw it." in html
    sick.refresh_from_db()
    assert sick.status == LeaveStatus.PENDING

    _english(client, org.agent)
    client.post(reverse("attendance:leave_withdraw", args=[sick.pk]), headers=HX)
    again = client.post(reverse("attendance:leave_withdraw", args=[sick.pk]), headers=HX)
    assert again["HX-Reswap"] == "none" and 'id="leave-panel"' not in again.content.decode()
    assert 'class="alert alert-danger' in again.content.decode()


def test_withdraw_without_htmx_still_redirects(client, org, sick):
    _english(client, org.agent)
    response = client.post(reverse("attendance:leave_withdraw", args=[sick.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("attendance:leave_detail", args=[sick.pk])


def test_a_certificate_through_htmx_answers_with_the_panel(client, org, sick, django_assert_max_num_queries):
    """LV-2: the uploaded certificate is listed in the returned panel, the message out of band."""
    _english(client, org.agent)
    with django_assert_max_num_queries(CERTIFICATE_QUERIES):
        response = client.post(
            reverse("attendance:leave_certificate_add", args=[sick.pk]),
            {"certificate": pdf(name="复诊.pdf")},
            headers=HX,
        )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'id="leave-panel"' in html and "复诊.pdf" in html and html.count("data-certificate=") == 2
    assert "Certificate 复诊.pdf added." in html and 'id="leave-certificate-form"' in html
    assert sick.certificates.count() == 2


def test_a_bad_certificate_through_htmx_swaps_only_the_message(client, org, sick):
    """Bad input (no file, or a file that is no PDF/JPEG/PNG) changes nothing and says why; the
    panel (and the chosen file) stays."""
    _english(client, org.agent)
    url = reverse("attendance:leave_certificate_add", args=[sick.pk])
    empty = client.post(url, {}, headers=HX)
    assert empty["HX-Reswap"] == "none" and "Choose a file to upload." in empty.content.decode()
    bad = client.post(url, {"certificate": pdf(name="x.pdf", data=EXE_BYTES)}, headers=HX)
    assert bad["HX-Reswap"] == "none" and 'id="leave-panel"' not in bad.content.decode()
    assert 'class="alert alert-danger' in bad.content.decode()
    assert sick.certificates.count() == 1


def test_the_panel_answer_does_not_grow_with_certificates(client, org, sick):
    """The panel's queries stay the same with more certificates on the request."""
    _english(client, org.agent)
    url = reverse("attendance:leave_certificate_add", args=[sick.pk])
    client.post(url, {"certificate": pdf(name="first.pdf")}, headers=HX)  # the first warms the caches
    counts = []
    for n in range(3):
        with CaptureQueriesContext(connection) as context:
            client.post(url, {"certificate": pdf(name=f"{n}.pdf")}, headers=HX)
        counts.append(len(context))
    assert counts[0] == counts[1] == counts[2]
