"""Nightly daily attendance and the monthly summary, on PostgreSQL."""

import datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import django.utils.timezone as tz
import pytest
from django.db import DatabaseError, connection, transaction

from attendance import selectors, services
from attendance.models import DailyAttendance, MonthVerification, Punch, PunchSource, RosterEntry, ShiftType
from attendance.services import punch_correction_approve, punch_correction_submit
from attendance.tasks import attendance_daily_compute
from callcenter.errors import ApplicationError, NotFoundError
from callcenter.models import JobRun
from callcenter.tests.factories import EmployeeFactory

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 2)


def at(day, hh, mm=0):
    return datetime.datetime.combine(day, datetime.time(hh, mm), tzinfo=TZ)


@pytest.fixture
def day_shift(db):
    return ShiftType.objects.create(
        code="D", name="白班", start_time=datetime.time(9), end_time=datetime.time(18), break_minutes=60
    )


@pytest.fixture
def night_shift(db):
    return ShiftType.objects.create(
        code="N", name="夜班", start_time=datetime.time(22), end_time=datetime.time(7), break_minutes=60
    )


_seq = iter(range(10**6))


def punch(employee, when):
    return Punch.objects.create(
        employee=employee, punched_at=when, source=PunchSource.WEB, idempotency_key=f"t:{next(_seq)}"
    )


def schedule(employee, shift, day=DAY, kind="work"):
    return RosterEntry.objects.create(employee=employee, work_date=day, kind=kind, shift=shift)


def test_compute_all_statuses_and_explanations(org, day_shift):
    # given four scheduled agents: on time, 31 minutes late, one punch, no punch; one resting
    for emp in (org.agent, org.peer, org.supervisor, org.other_team):
        schedule(emp, day_shift)
    schedule(org.other_dept, None, kind="rest")
    punch(org.agent, at(DAY, 8, 55))
    punch(org.agent, at(DAY, 18, 2))
    punch(org.peer, at(DAY, 9, 31))
    punch(org.peer, at(DAY, 18, 0))
    punch(org.supervisor, at(DAY, 8, 50))
    # when the nightly computation runs
    result = services.daily_attendance_compute_all(work_date=DAY)
    # then each day has its status and the article that produced it
    status = {d.employee_id: d for d in DailyAttendance.objects.filter(work_date=DAY)}
    assert status[org.agent.pk].status == "normal"
    assert status[org.peer.pk].status == "half_day_absent"
    assert status[org.peer.pk].explanation[0] == {
        "rule": "late_major",
        "article": "ATT-4",
        "minutes": 31,
        "limit": 30,
        "grace": 0,
    }
    assert status[org.supervisor.pk].status == "missing_punch"
    assert status[org.other_team.pk].status == "absent"
    assert status[org.other_dept.pk].status == "rest"
    assert result["computed"] == 5


def test_compute_all_is_idempotent_and_bounded(org, day_shift, django_assert_max_num_queries):
    team = org.a1
    employees = EmployeeFactory.create_batch(40, team=team, department=team.department)
    for emp in employees:
        schedule(emp, day_shift)
        punch(emp, at(DAY, 9, 5))
        punch(emp, at(DAY, 18, 0))
    # the query count does not grow with the head count: policy, roster, locks, punches, one
    # upsert, the audit append (its first append also creates the chain head), savepoints, and
    # the approved leave of the day (ATT-3), the off-phone activities (training, ATT-4)
    with django_assert_max_num_queries(15):
        services.daily_attendance_compute_all(work_date=DAY)
    first = list(DailyAttendance.objects.order_by("pk").values_list("pk", "status", "late_minutes"))
    services.daily_attendance_compute_all(work_date=DAY)
    assert list(DailyAttendance.objects.order_by("pk").values_list("pk", "status", "late_minutes")) == first
    assert DailyAttendance.objects.count() == 40


def test_overnight_shift_counted_on_its_start_day(org, night_shift):
    schedule(org.agent, night_shift)
    punch(org.agent, at(DAY, 21, 58))
    punch(org.agent, at(DAY + datetime.timedelta(days=1), 7, 1))
    services.daily_attendance_compute_all(work_date=DAY)
    record = DailyAttendance.objects.get(employee=org.agent)
    assert record.work_date == DAY and record.status == "normal"
    assert record.worked_minutes == 8 * 60


def test_verified_month_is_left_alone(org, day_shift):
    # given the team's March verified by the supervisor (ATT-2)
    schedule(org.agent, day_shift)
    MonthVerification.objects.create(team=org.a1, month=DAY.replace(day=1), verified_by=org.supervisor.user)
    # then the nightly job does not touch it, and a manual recompute is refused
    assert services.daily_attendance_compute_all(work_date=DAY)["computed"] == 0
    with pytest.raises(ApplicationError) as exc:
        services.daily_attendance_compute(actor=org.hr.user, employee_id=org.agent.pk, work_date=DAY)
    assert exc.value.code == "month_locked"
    # but an approved correction recomputes the day and says so
    record = services.daily_attendance_compute(
        actor=org.supervisor.user, employee_id=org.agent.pk, work_date=DAY, after_correction=True
    )
    assert record.status == "absent"
    assert {"rule": "after_verification", "article": "ATT-2"} in record.explanation


def test_nightly_job_runs_for_yesterday(org, day_shift, settings):
    schedule(org.agent, day_shift)
    attendance_daily_compute.apply(kwargs={"work_date": DAY.isoformat()})
    assert DailyAttendance.objects.filter(employee=org.agent, work_date=DAY, status="absent").exists()
    assert JobRun.objects.get(job="attendance-daily").status == "succeeded"


def test_punches_stay_untouched(org, day_shift):
    p = punch(org.agent, at(DAY, 9))

    with pytest.raises(DatabaseError), transaction.atomic():
        Punch.objects.filter(pk=p.pk).update(punched_at=at(DAY, 8))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM attendance_punch")
    assert Punch.objects.get(pk=p.pk).punched_at == at(DAY, 9)


def test_monthly_summary_applies_att4_and_att5(org, day_shift):
    # given three minor latenesses in March for an agent with base pay 4,350
    org.agent.monthly_base_pay = Decimal("4350.00")
    org.agent.save()
    for dom in (2, 3, 4):
        d = DAY.replace(day=dom)
        schedule(org.agent, day_shift, day=d)
        punch(org.agent, at(d, 9, 10))
        punch(org.agent, at(d, 18, 0))
        services.daily_attendance_compute_all(work_date=d)
    summary = selectors.monthly_summary(user=org.supervisor.user, employee_id=org.agent.pk, month=DAY)
    # then 3 fines of 20 and one day of absenteeism at the third occurrence (200.00 deduction)
    assert summary.result.fines == Decimal("60.00")
    assert summary.result.absence_days == Decimal("1")
    assert summary.result.deduction == Decimal("200.00")
    assert [line.article for line in summary.result.lines] == ["ATT-4"] * 4


def test_monthly_summary_visibility_and_bounded_queries(org, day_shift, django_assert_max_num_queries):
    for emp in EmployeeFactory.create_batch(20, team=org.a1, department=org.dept_a):
        schedule(emp, day_shift)
    services.daily_attendance_compute_all(work_date=DAY)
    with pytest.raises(NotFoundError):
        selectors.monthly_summary(user=org.agent.user, employee_id=org.peer.pk, month=DAY)
    with django_assert_max_num_queries(8):
        rows = selectors.monthly_summary_list(user=org.supervisor.user, month=DAY)
    assert org.other_team.pk not in {r.employee.pk for r in rows}
    assert all(r.result.absence_days == 1 for r in rows if r.days)


def test_approved_correction_recomputes_a_verified_day(org, day_shift):
    # given a verified March where the agent forgot to clock out

    schedule(org.agent, day_shift)
    punch(org.agent, at(DAY, 8, 58))
    services.daily_attendance_compute_all(work_date=DAY)
    assert DailyAttendance.objects.get(employee=org.agent).status == "missing_punch"
    MonthVerification.objects.create(team=org.a1, month=DAY.replace(day=1), verified_by=org.supervisor.user)

    # when the supervisor approves a correction (filed within the 31-day window of that day)
    with mock.patch.object(tz, "now", return_value=at(DAY + datetime.timedelta(days=3), 10)):
        correction = punch_correction_submit(
            actor=org.agent.user, work_date=DAY, requested_time=at(DAY, 18, 5), reason="忘记下班打卡"
        )
    punch_correction_approve(actor=org.supervisor.user, correction_id=correction.pk)
    # then the day is normal now, marked as changed after verification, and both punches remain
    record = DailyAttendance.objects.get(employee=org.agent)
    assert record.status == "normal"
    assert {"rule": "after_verification", "article": "ATT-2"} in record.explanation
    assert Punch.objects.filter(employee=org.agent).count() == 2
