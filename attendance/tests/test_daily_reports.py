"""Attendance pages: my month, the monthly summary, verification (ATT-2) and exports."""

import datetime
from zoneinfo import ZoneInfo

import django.utils.timezone as tz
import pytest
from django.urls import reverse

from attendance import services
from attendance.models import MonthVerification, Punch, PunchSource, RosterEntry, ShiftType
from callcenter.errors import ApplicationError, NotFoundError
from callcenter.tests.factories import EmployeeFactory
from datasecurity.models import AuditEvent

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 2)
MONTH = "2026-03"


@pytest.fixture
def march(org):
    shift = ShiftType.objects.create(
        code="D", name="白班", start_time=datetime.time(9), end_time=datetime.time(18), break_minutes=60
    )
    for n, emp in enumerate((org.agent, org.peer)):
        RosterEntry.objects.create(employee=emp, work_date=DAY, kind="work", shift=shift)
        for hh, mm in ((9, 12), (18, 0)):
            Punch.objects.create(
                employee=emp,
                punched_at=datetime.datetime.combine(DAY, datetime.time(hh, mm), tzinfo=TZ),
                source=PunchSource.WEB,
                idempotency_key=f"r:{n}:{hh}",
            )
    services.daily_attendance_compute_all(work_date=DAY)
    return org


def test_agent_sees_own_month_with_explanations(client, march):
    client.force_login(march.agent.user)
    html = client.get(reverse("attendance:my_month"), {"month": MONTH}).content.decode()
    assert "ATT-4" in html and "12" in html  # late by 12 minutes, a fine
    assert march.peer.name not in html


@pytest.mark.parametrize(
    "who,status", [("agent", 403), ("supervisor", 200), ("manager", 200), ("hr", 200), ("auditor", 403)]
)
def test_summary_page_roles(client, march, who, status):
    client.force_login(getattr(march, who).user)
    assert client.get(reverse("attendance:summary"), {"month": MONTH}).status_code == status


def test_summary_shows_only_visible_employees(client, march):
    client.force_login(march.supervisor.user)
    html = client.get(reverse("attendance:summary"), {"month": MONTH}).content.decode()
    assert march.agent.name in html and march.other_dept.name not in html
    other = client.get(reverse("attendance:employee_month", args=[march.other_dept.pk]), {"month": MONTH})
    assert other.status_code == 404


def test_bad_month_input_falls_back(client, march):
    client.force_login(march.supervisor.user)
    assert client.get(reverse("attendance:summary"), {"month": "2026-13", "team": "x"}).status_code == 200


def test_export_csv_neutralises_formulas_and_is_audited(client, march):
    march.agent.name = '=HYPERLINK("http://evil")'
    march.agent.save()
    client.force_login(march.hr.user)
    response = client.get(reverse("attendance:summary_export", args=["csv"]), {"month": MONTH})
    body = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "'=HYPERLINK" in body
    assert AuditEvent.objects.filter(action="attendance.summary_export").exists()
    xlsx = client.get(reverse("attendance:summary_export", args=["xlsx"]), {"month": MONTH})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(reverse("attendance:summary_export", args=["pdf"])).status_code == 404


def test_supervisor_verifies_and_locks_the_month(client, march):
    client.force_login(march.supervisor.user)
    response = client.post(reverse("attendance:month_verify"), {"team": march.a1.pk, "month": MONTH})
    assert response.status_code == 302
    assert MonthVerification.objects.filter(team=march.a1, month=DAY.replace(day=1)).exists()
    # a second sign-off is refused with a message, nothing changes
    client.post(reverse("attendance:month_verify"), {"team": march.a1.pk, "month": MONTH})
    assert MonthVerification.objects.count() == 1
    assert AuditEvent.objects.filter(action="attendance.month_verify").count() == 1


def test_only_the_teams_supervisor_verifies(org):
    with pytest.raises(ApplicationError) as exc:
        services.month_verify(actor=org.manager.user, team_id=org.a1.pk, month=DAY)
    assert exc.value.code == "not_supervisor"

    with pytest.raises(ApplicationError) as exc:
        services.month_verify(actor=org.supervisor.user, team_id=org.a1.pk, month=tz.localdate())
    assert exc.value.code == "month_not_ended"
    assert not MonthVerification.objects.exists()


def test_summary_queries_bounded(client, march, django_assert_max_num_queries):
    EmployeeFactory.create_batch(30, team=march.a1, department=march.dept_a)
    client.force_login(march.hr.user)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("attendance:summary"), {"month": MONTH}).status_code == 200


def test_api_daily_and_summaries(client, march):
    # given the supervisor; when they read days and summaries through the API
    client.force_login(march.supervisor.user)
    days = client.get(reverse("api:attendance:daily"), {"date_from": "2026-03-01"}).json()
    assert days["count"] == 2
    assert days["results"][0]["explanation"][0]["article"] == "ATT-4"
    summaries = client.get(reverse("api:attendance:summaries"), {"month": MONTH}).json()
    agent_row = next(r for r in summaries["results"] if r["employee_no"] == march.agent.employee_no)
    assert agent_row["fines"] == "20.00" and agent_row["lines"][0]["article"] == "ATT-4"
    # bad input is a 400 with a code; an agent may not read summaries; nobody sees others' days
    assert client.get(reverse("api:attendance:summaries"), {"month": "2026-13"}).json()["code"] == "invalid"
    client.force_login(march.agent.user)
    assert client.get(reverse("api:attendance:summaries"), {"month": MONTH}).status_code == 403
    assert client.get(reverse("api:attendance:daily")).json()["count"] == 1


# --- The export service and the month's verification, by id ------------------------------------------


def test_summary_export_service_reads_the_remit_and_audits(march):
    # given the A1 supervisor; when they export March for their team
    export = services.monthly_summary_export(actor=march.supervisor.user, month=DAY, team_id=march.a1.pk, fmt="csv")
    # then a CSV of their team's people, and one audit event saying what left the system
    body = export.content.decode("utf-8-sig")
    assert export.filename == "attendance-2026-03.csv" and export.content_type.startswith("text/csv")
    assert march.agent.employee_no in body and march.other_dept.employee_no not in body
    event = AuditEvent.objects.get(action="attendance.summary_export")
    assert event.object_id == MONTH and event.changes["team"] == march.a1.pk and event.changes["format"] == "csv"
    assert event.changes["rows"] == body.count("\n") - 1


def test_summary_export_ignores_a_team_outside_the_remit(march):
    # given the A1 supervisor asking for team B1 (not theirs); then their own remit, never B1's people
    export = services.monthly_summary_export(actor=march.supervisor.user, month=DAY, team_id=march.b1.pk, fmt="xlsx")
    assert export.filename == "attendance-2026-03.xlsx" and export.content[:2] == b"PK"
    assert AuditEvent.objects.get(action="attendance.summary_export").changes["team"] is None


def test_summary_export_refuses_an_unknown_format(march):
    with pytest.raises(NotFoundError):
        services.monthly_summary_export(actor=march.hr.user, month=DAY, fmt="pdf")
    assert not AuditEvent.objects.filter(action="attendance.summary_export").exists()


def test_month_verify_of_a_team_not_seen_is_not_found(org):
    # given the A1 supervisor; when they try to verify team B1's month; then it is not found (no leak)
    with pytest.raises(NotFoundError):
        services.month_verify(actor=org.supervisor.user, team_id=org.b1.pk, month=DAY)
    with pytest.raises(NotFoundError):
        services.month_verify(actor=org.supervisor.user, team_id=999999, month=DAY)
    assert not MonthVerification.objects.exists()
