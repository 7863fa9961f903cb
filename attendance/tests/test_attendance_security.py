"""SECURITY.md classes 5 (injection) and 11 (time) where attendance had no test of its own: markup
typed into a leave's free text (the reason, a certificate's file name, an approver's comment)
renders as text on every page that shows it; an overnight shift on New Year's Eve and a shift
ending at midnight exactly belong to the day they start, in that day's month and year; annual
leave across New Year is split, each part taken from its own year's balance."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from attendance import selectors, services
from attendance.models import (
    DailyAttendance,
    LeaveApprovalStep,
    LeaveBalance,
    LeaveRequest,
    LeaveStatus,
    Punch,
    PunchSource,
    RosterEntry,
    ShiftType,
    StepStatus,
)
from attendance.tests.factories import annual_balance, leave_type, next_monday, pdf, roster_weeks
from callcenter.errors import ApplicationError

TZ = ZoneInfo("Asia/Shanghai")
SCRIPT = '<script>alert("leave")</script>'
IMG = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


def _page(user, url):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _assert_text(html, *payloads):
    for payload in payloads:
        assert payload not in html, payload
    assert "&lt;script&gt;" in html or "&lt;img" in html


def test_markup_in_a_leave_reason_certificate_name_and_comment_renders_as_text(org):
    """Given the agent's personal leave whose reason is a <script> and a sick leave whose
    certificate is named like an <img> tag, and the supervisor rejecting the personal leave with a
    markup comment, when the agent and the supervisor open the pages that show them (the
    inbox, each request), then each shows the text escaped, never the
    markup (ATT-3, LV-2)."""
    monday = next_monday()
    roster_weeks([org.agent, org.supervisor, org.manager], monday - datetime.timedelta(days=7), 28)
    personal = services.leave_request_submit(
        actor=org.agent.user,
        leave_type_id=leave_type("personal").pk,
        start_date=monday,
        end_date=monday,
        reason=SCRIPT,
        expected_days=Decimal("1"),
    )
    sick = services.leave_request_submit(
        actor=org.agent.user,
        leave_type_id=leave_type("sick").pk,
        start_date=monday + datetime.timedelta(days=7),
        end_date=monday + datetime.timedelta(days=7),
        reason=IMG,
        certificates=[pdf(name=f"{IMG}.pdf")],
    )
    # the inbox before the decision shows the reasons to the supervisor
    inbox = _page(org.supervisor.user, reverse("attendance:leave_inbox"))
    _assert_text(inbox, SCRIPT, IMG)
    # when the supervisor rejects the personal leave with a markup comment
    services.leave_request_reject(actor=org.supervisor.user, leave_request_id=personal.pk, comment=IMG)
    # then every page that shows the reason, the file name or the comment shows text
    for user, url in (
        (org.agent.user, reverse("attendance:leave_detail", args=[personal.pk])),
        (org.agent.user, reverse("attendance:leave_detail", args=[sick.pk])),
        (org.supervisor.user, reverse("attendance:leave_detail", args=[personal.pk])),
        (org.supervisor.user, reverse("attendance:leave_detail", args=[sick.pk])),
    ):
        html = _page(user, url)
        _assert_text(html, SCRIPT, IMG)
    detail = _page(org.agent.user, reverse("attendance:leave_detail", args=[personal.pk]))
    assert "&lt;script&gt;alert(&quot;leave&quot;)&lt;/script&gt;" in detail
    assert "&lt;img src=x onerror=alert(1)&gt;" in detail


# --- Time: the day a shift starts owns it, across the year's end and at midnight exactly ---------


@pytest.fixture
def night_shift(db):
    return ShiftType.objects.create(
        code="NY", name="夜班", start_time=datetime.time(22), end_time=datetime.time(7), break_minutes=60
    )


def _punch(employee, when, key):
    return Punch.objects.create(employee=employee, punched_at=when, source=PunchSource.WEB, idempotency_key=key)


def test_an_overnight_shift_on_new_years_eve_counts_in_december_not_january(org, night_shift):
    """Given the agent's 22:00–07:00 shift on 31 December 2026, clocked in 22:20 (20 minutes late)
    and out at 07:00 on 1 January 2027, when the nightly job computes 31 December and 1 January,
    then the day and its lateness belong to 31 December: December's summary counts one minor
    lateness (ATT-4) and January's counts nothing."""
    eve = datetime.date(2026, 12, 31)
    new_year = datetime.date(2027, 1, 1)
    RosterEntry.objects.create(employee=org.agent, work_date=eve, kind="work", shift=night_shift)
    _punch(org.agent, datetime.datetime(2026, 12, 31, 22, 20, tzinfo=TZ), "ny:in")
    _punch(org.agent, datetime.datetime(2027, 1, 1, 7, 0, tzinfo=TZ), "ny:out")
    services.daily_attendance_compute_all(work_date=eve)
    services.daily_attendance_compute_all(work_date=new_year)
    day = DailyAttendance.objects.get(employee=org.agent, work_date=eve)
    assert day.late_minutes == 20 and day.worked_minutes == 8 * 60 - 20
    assert not DailyAttendance.objects.filter(employee=org.agent, work_date=new_year).exclude(status="rest").exists()
    december = selectors.monthly_summary(user=org.supervisor.user, employee_id=org.agent.pk, month=eve)
    january = selectors.monthly_summary(user=org.supervisor.user, employee_id=org.agent.pk, month=new_year)
    assert december.result.occurrences == 1 and december.result.fines > 0
    assert [d.work_date for d in december.days] == [eve]
    assert january.result.occurrences == 0 and january.result.fines == 0
    assert all(d.work_date.year == 2027 for d in january.days)


def test_a_shift_ending_at_midnight_on_the_last_day_of_february(org):
    """Given a 16:00–24:00 shift on 28 February 2026 (the month's last day) and a clock-out at
    00:00:00 on 1 March exactly, when the day is computed, then it is a normal day of February
    with its full hours, and March's summary has no day of it."""
    evening = ShiftType.objects.create(
        code="EV", name="晚班", start_time=datetime.time(16), end_time=datetime.time(0), break_minutes=0
    )
    last = datetime.date(2026, 2, 28)
    RosterEntry.objects.create(employee=org.agent, work_date=last, kind="work", shift=evening)
    _punch(org.agent, datetime.datetime(2026, 2, 28, 15, 55, tzinfo=TZ), "feb:in")
    _punch(org.agent, datetime.datetime(2026, 3, 1, 0, 0, tzinfo=TZ), "feb:out")
    services.daily_attendance_compute_all(work_date=last)
    day = DailyAttendance.objects.get(employee=org.agent, work_date=last)
    assert day.status == "normal" and day.early_minutes == 0
    assert day.worked_minutes == 8 * 60
    first_of_march = datetime.date(2026, 3, 1)
    march = selectors.monthly_summary(user=org.supervisor.user, employee_id=org.agent.pk, month=first_of_march)
    assert march.days == [] and march.result.occurrences == 0


def _annual(employee, start, end):
    return services.leave_request_submit(
        actor=employee.user, leave_type_id=leave_type("annual").pk, start_date=start, end_date=end
    )


def _approve_to_the_end(request):
    while (step := LeaveApprovalStep.objects.filter(request=request, status=StepStatus.PENDING).first()) is not None:
        services.leave_request_approve(actor=step.approver.user, leave_request_id=request.pk)
    request.refresh_from_db()
    return request


def test_annual_leave_across_new_year_is_split_and_each_part_uses_its_years_balance(org):
    """Given next year's last week and the first week after it rostered Monday to Friday, and the
    agent's annual balances of both years (LV-3), when the agent asks for one request from 31
    December to 1 January, then it is refused (split it at the end of the year) and nothing is
    written; when the two halves are asked for and approved, then December's days come out of
    that year's balance and January's out of the next year's."""
    year = timezone.localdate().year + 1
    roster_weeks([org.agent, org.supervisor, org.manager, org.leader], datetime.date(year, 12, 14), 35)
    annual_balance(org.agent, year, entitled="5")
    annual_balance(org.agent, year + 1, entitled="5")
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        _annual(org.agent, datetime.date(year, 12, 31), datetime.date(year + 1, 1, 1))
    assert refused.value.code == "leave_refused" and "split the request" in str(refused.value.message)
    assert not LeaveRequest.objects.exists()
    last_days = [d for d in (datetime.date(year, 12, n) for n in (29, 30, 31)) if d.weekday() < 5]
    first_day = next(d for d in (datetime.date(year + 1, 1, n) for n in range(5, 12)) if d.weekday() < 5)
    december = _approve_to_the_end(_annual(org.agent, last_days[0], last_days[-1]))
    january = _approve_to_the_end(_annual(org.agent, first_day, first_day))
    assert december.status == january.status == LeaveStatus.APPROVED
    assert (december.days, january.days) == (len(last_days), 1)
    used = dict(LeaveBalance.objects.filter(employee=org.agent).values_list("year", "used_days"))
    assert used == {year: len(last_days), year + 1: 1}
