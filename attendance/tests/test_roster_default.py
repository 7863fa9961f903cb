"""The default roster of a new employee (GEN-1, ATT-1): the hiring services of the core call the
hook attendance registers (``callcenter.providers.employee_hired_hook_register``), which rosters
the default shift from the hire date (attendance.services.roster_default_apply)."""

import datetime
from decimal import Decimal

import chinese_calendar
import pytest
from django.utils import timezone

from attendance.models import RosterEntry
from attendance.services import roster_default_apply, shift_types_defaults_install
from callcenter import services
from callcenter.models import Position
from callcenter.roles import Role
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db


def _next_monday(weeks: int = 1) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(7 - today.weekday()) + 7 * (weeks - 1))


def _calendar_knows(day: datetime.date) -> bool:
    try:
        chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return False
    return True


def _hire(org, hire_date: datetime.date, number: str = "E90001"):
    return services.employee_hire(
        actor=org.hr.user, employee_no=number, name="孙悦", department_id=org.dept_a.pk, team_id=org.a1.pk,
        position_id=Position.objects.get(code="AGENT").pk, hire_date=hire_date,
        first_employed_on=min(hire_date, datetime.date(2019, 7, 1)), monthly_base_pay=Decimal("5200.00"),
        bonus_base=Decimal("1200.00"), roles=[Role.AGENT],
    )  # fmt: skip


def test_the_default_roster_applies_from_the_hire_date(org):
    """ATT-1, GEN-1: with the default shift installed, a hire on a future Monday is rostered from
    that day (not before) to the end of the following month; weekdays on the day shift, weekends
    rest (holidays by the statutory calendar)."""
    shift_types_defaults_install()
    monday = _next_monday(2)
    employee = _hire(org, monday).employee
    entries = list(RosterEntry.objects.filter(employee=employee).order_by("work_date"))
    assert entries[0].work_date == monday
    month = monday.month + 2
    end = datetime.date(monday.year + (month - 1) // 12, (month - 1) % 12 + 1, 1) - datetime.timedelta(days=1)
    known = [
        day
        for day in (monday + datetime.timedelta(days=n) for n in range((end - monday).days + 1))
        if _calendar_knows(day)
    ]
    # Days of a year the installed statutory calendar does not know are left to the supervisor.
    assert [e.work_date for e in entries] == known
    kinds = {e.kind for e in entries if e.work_date.weekday() >= 5 and not e.note}
    assert kinds <= {"rest", "holiday"}
    assert {e.shift.code for e in entries if e.kind == "work"} == {"D"}
    assert AuditEvent.objects.filter(action="roster.default_apply").count() == 1


def test_a_hire_dated_in_the_past_is_rostered_from_today(org):
    shift_types_defaults_install()
    past = timezone.localdate() - datetime.timedelta(days=40)
    employee = _hire(org, past).employee
    first = RosterEntry.objects.filter(employee=employee).order_by("work_date").first()
    assert first.work_date == timezone.localdate()


def test_without_a_default_shift_type_the_hire_writes_no_roster(org):
    employee = _hire(org, _next_monday()).employee
    assert not RosterEntry.objects.filter(employee=employee).exists()


def test_a_rehire_keeps_the_days_already_rostered_and_skips_leavers(org):
    """Days already on the roster are kept (a supervisor's plan is never overwritten); an
    employee who is not active is not rostered."""
    shift_types_defaults_install()
    monday = _next_monday(2)
    RosterEntry.objects.create(employee=org.agent, work_date=monday, kind="rest", note="planned")
    org.agent.hire_date = monday
    result = roster_default_apply(actor=org.hr.user, employees=[org.agent])
    assert RosterEntry.objects.get(employee=org.agent, work_date=monday).note == "planned"
    assert result["employees"] == 1
    org.peer.status = "left"
    assert roster_default_apply(actor=org.hr.user, employees=[org.peer])["employees"] == 0
