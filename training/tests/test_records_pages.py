"""Training records pages and API (TRN-3): the role × own/team/other-team/other-department matrix,
HR's external entry (audited, never on their own record), the exports (audited), bad input, XSS,
and bounded queries on every list."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from callcenter.tests.factories import reads_english
from datasecurity.models import AuditEvent
from training.models import RecordSource, TrainingRecord, TrainingSession
from training.tests.factories.records import course, record

TODAY = timezone.localdate()


@pytest.fixture
def records(org):
    """One passed record for each of agent (A1), peer (A1), other_team (A2), other_dept (B1), hr."""
    c = course("svc-norms", title="服务规范")
    return {
        name: record(getattr(org, name), c, day=TODAY - datetime.timedelta(days=3), score=Decimal("75"))
        for name in ("agent", "peer", "other_team", "other_dept", "hr")
    }


# Who sees which record on the list (TRN-3): own; team; department; everyone.
MATRIX = {
    "agent": {"agent"},
    "supervisor": {"agent", "peer"},
    "manager": {"agent", "peer", "other_team"},
    "leader": {"agent", "peer", "other_team"},
    "hr": {"agent", "peer", "other_team", "other_dept", "hr"},
    "other_dept": {"other_dept"},
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_record_list_api_shows_what_the_remit_allows_trn3(client, org, records, who):
    client.force_login(getattr(org, who).user)
    response = client.get(reverse("api:training:records"))
    assert response.status_code == 200
    seen = {r["id"] for r in response.json()["results"]}
    assert seen == {records[name].pk for name in MATRIX[who]}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_record_list_page_and_detail_follow_the_matrix_trn3(client, org, records, who):
    client.force_login(getattr(org, who).user)
    page = client.get(reverse("training:records"))
    assert page.status_code == 200
    for name, rec in records.items():
        detail = client.get(reverse("api:training:record", args=[rec.pk]))
        assert detail.status_code == (200 if name in MATRIX[who] else 404), (who, name)
        assert (rec.employee.employee_no in page.content.decode()) == (name in MATRIX[who]) or name == who


def test_an_agent_cannot_see_another_agents_record_page_nor_certificate_trn3(client, org, records):
    client.force_login(org.agent.user)
    assert client.get(reverse("training:employee_records", args=[org.peer.pk])).status_code == 403
    assert client.get(reverse("training:certificate", args=[records["peer"].pk])).status_code == 404
    assert client.get(reverse("api:training:certificate", args=[records["peer"].pk])).status_code == 404
    assert client.get(reverse("api:training:records"), {"employee": org.peer.pk}).json()["results"] == []


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("supervisor", "agent", 200),
        ("supervisor", "other_team", 404),
        ("manager", "other_team", 200),
        ("manager", "other_dept", 404),
        ("hr", "other_dept", 200),
    ],
)
def test_employee_record_page_by_remit_trn3(client, org, records, who, target, status):
    client.force_login(getattr(org, who).user)
    response = client.get(reverse("training:employee_records", args=[getattr(org, target).pk]))
    assert response.status_code == status


def test_trainer_sees_the_records_of_their_sessions_only(client, org, trainer, records):
    c = records["agent"].course
    now = timezone.now()
    session = TrainingSession.objects.create(
        course=c,
        starts_at=now - datetime.timedelta(days=2, hours=2),
        ends_at=now - datetime.timedelta(days=2),
        trainer=org.trainer.user,
        capacity=10,
    )
    mine = record(org.other_team, c, day=TODAY - datetime.timedelta(days=2), session=session)
    client.force_login(org.trainer.user)
    seen = {r["id"] for r in client.get(reverse("api:training:records")).json()["results"]}
    assert mine.pk in seen and records["agent"].pk not in seen
    # The trainer is not the learner's reporting line: no certificate.
    assert client.get(reverse("training:certificate", args=[mine.pk])).status_code == 404


def test_my_training_page_shows_totals_mandatory_and_certificates_trn3(client, org, records):
    reads_english(org.agent)
    client.force_login(org.agent.user)
    response = client.get(reverse("training:my_training"))
    body = response.content.decode()
    assert response.status_code == 200 and "My training" in body
    assert records["agent"].certificate_no in body and records["peer"].certificate_no not in body


def test_hr_enters_an_external_record_audited_trn3(client, org):
    c = course("ext-1", title="外部课程")
    client.force_login(org.hr.user)
    before = AuditEvent.objects.count()
    response = client.post(
        reverse("training:record_new"),
        {
            "employee_no": org.agent.employee_no,
            "course": c.pk,
            "completed_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
            "hours": "3.5",
            "score": "88",
            "result": "passed",
        },
    )
    assert response.status_code == 302
    rec = TrainingRecord.objects.get(employee=org.agent, course=c)
    assert rec.source == RecordSource.EXTERNAL and rec.certificate_no and rec.hours == Decimal("3.5")
    assert AuditEvent.objects.filter(action="training_record.write").count() == 1
    assert AuditEvent.objects.count() > before


def test_hr_cannot_enter_their_own_record_sec2(client, org):
    c = course("ext-2")
    client.force_login(org.hr.user)
    response = client.post(
        reverse("api:training:record_external"),
        {
            "employee_id": org.hr.pk,
            "course_id": c.pk,
            "completed_on": TODAY.isoformat(),
            "hours": "2",
            "result": "passed",
        },
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "own_record"
    assert not TrainingRecord.objects.filter(employee=org.hr).exists()


def test_external_entry_refuses_mass_assignment_and_bad_input(client, org):
    c = course("ext-3")
    client.force_login(org.hr.user)
    url = reverse("api:training:record_external")
    body = {
        "employee_id": org.agent.pk,
        "course_id": c.pk,
        "completed_on": TODAY.isoformat(),
        "hours": "2",
        "result": "passed",
        "source": "session",
        "certificate_no": "FAKE-1",
        "recorded_by": org.agent.user.pk,
    }
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201
    rec = TrainingRecord.objects.get(employee=org.agent, course=c)
    assert rec.source == "external" and rec.certificate_no != "FAKE-1" and rec.recorded_by == org.hr.user
    for bad in (
        {"hours": "0"},
        {"score": "101"},
        {"result": "absent"},
        {"completed_on": "2026-13-01"},
        {"course_id": "x"},
    ):
        assert client.post(url, {**body, **bad}, content_type="application/json").status_code == 400, bad
    future = {**body, "completed_on": (TODAY + datetime.timedelta(days=3)).isoformat()}
    response = client.post(url, future, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    # The page: a bad employee number is a message, nothing changed, never a 500.
    reads_english(org.hr)
    page = client.post(
        reverse("training:record_new"),
        {"employee_no": "nobody", "course": c.pk, "completed_on": TODAY.isoformat(), "hours": "1", "result": "passed"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 400 and "No employee with this number." in page.content.decode()


def test_only_hr_enters_external_records(client, org):
    client.force_login(org.supervisor.user)
    assert client.get(reverse("training:record_new")).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_records_export_is_audited_and_limited_to_the_remit_trn3(client, org, records, fmt):
    client.force_login(org.supervisor.user)
    response = client.get(reverse("training:records_export", args=[fmt]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="training_record.export")
    assert event.changes["rows"] == 2 and event.changes["format"] == fmt
    if fmt == "csv":
        body = response.content.decode("utf-8-sig")
        assert org.agent.employee_no in body and org.other_team.employee_no not in body


def test_unknown_export_format_is_404(client, org):
    client.force_login(org.hr.user)
    assert client.get(reverse("training:records_export", args=["pdf"])).status_code == 404


def test_course_title_with_script_is_escaped_on_the_pages(client, org):
    c = course("xss-1", title="<script>alert(1)</script>")
    record(org.agent, c, day=TODAY)
    client.force_login(org.agent.user)
    for url in (reverse("training:my_training"), reverse("training:records")):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_bad_filters_never_500(client, org, records):
    client.force_login(org.hr.user)
    for query in (
        {"year": "abc"},
        {"team": "-1"},
        {"result": "nope"},
        {"page": "999"},
        {"team": "99999999999999999999"},
    ):
        assert client.get(reverse("training:records"), query).status_code == 200, query
    assert client.get(reverse("api:training:records"), {"year": "abc"}).status_code == 400


def test_record_list_queries_are_bounded_whatever_the_volume(client, org, django_assert_max_num_queries):
    c = course("vol-1")
    client.force_login(org.hr.user)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("training:records"))
    for i in range(60):
        record(org.agent if i % 2 else org.peer, c, day=TODAY - datetime.timedelta(days=i))
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("training:records")).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("api:training:records"))
    client.force_login(org.agent.user)
    with django_assert_max_num_queries(25):
        client.get(reverse("training:my_training"))
