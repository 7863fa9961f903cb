"""Attendance selectors: shift types, the statutory calendar and the roster grid (ATT-1)."""

import datetime
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass

import chinese_calendar
from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.errors import AttendanceErrorCode
from attendance.models import DayKind, MonthVerification, OffPhoneActivity, RosterEntry, ShiftType
from attendance.rules import shift_window
from callcenter.errors import ApplicationError, NotFoundError
from callcenter.models import EmploymentStatus, Team
from callcenter.selectors import employees_visible_to, team_choices

__all__ = [
    "ROSTER_MAX_DAYS",
    "CalendarDay",
    "calendar_day",
    "days_between",
    "month_first_days",
    "off_phone_activities",
    "roster_cell_get",
    "roster_grid",
    "roster_grid_employees",
    "roster_locked_months",
    "roster_range_check",
    "roster_shift_overlaps",
    "roster_team_get",
    "roster_team_list",
    "roster_usual_shift",
    "shift_type_list",
]

# A roster request (read or write) covers at most two months: enough for planning the next
# month from any day of this one, and it keeps one request's rows bounded (500 people x 62 days).
ROSTER_MAX_DAYS = 62


@dataclass(frozen=True)
class CalendarDay:
    """One day of China's statutory calendar (ATT-1), as the roster uses it.

    ``holiday``: inside an official holiday period (法定节假日, including the weekend days the
    State Council folds into it); ``makeup``: a weekend day that is an official workday (调休);
    ``unknown``: the installed ``chinesecalendar`` does not cover the year (never guessed).
    """

    date: datetime.date
    weekend: bool
    holiday: bool = False
    makeup: bool = False
    unknown: bool = False
    name: str = ""

    @property
    def off(self) -> bool:
        """A day off for everyone on a Monday–Friday pattern (shading in the grid)."""
        return self.holiday or (self.weekend and not self.makeup)


def calendar_day(day: datetime.date) -> CalendarDay:
    weekend = day.weekday() >= 5
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return CalendarDay(date=day, weekend=weekend, unknown=True)
    if on_holiday and name:
        return CalendarDay(date=day, weekend=weekend, holiday=True, name=name)
    if not on_holiday and weekend:
        return CalendarDay(date=day, weekend=weekend, makeup=True, name=name or "")
    return CalendarDay(date=day, weekend=weekend)


def days_between(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    return [date_from + datetime.timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def roster_range_check(date_from: datetime.date | None, date_to: datetime.date | None) -> list[datetime.date]:
    """The days of a roster request, or ApplicationError (ATT-1: bounded requests)."""
    if date_from is None or date_to is None:
        raise ApplicationError(_("Choose a start and an end date."), code=AttendanceErrorCode.DATE_RANGE_MISSING)
    if date_to < date_from:
        raise ApplicationError(
            _("The end date is before the start date."), code=AttendanceErrorCode.DATE_RANGE_REVERSED
        )
    if (date_to - date_from).days + 1 > ROSTER_MAX_DAYS:
        raise ApplicationError(
            _("A roster request covers at most %(days)d days.") % {"days": ROSTER_MAX_DAYS},
            code=AttendanceErrorCode.DATE_RANGE_TOO_LONG,
        )
    return days_between(date_from, date_to)


def month_first_days(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    months, day = [], date_from.replace(day=1)
    while day <= date_to:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


def roster_locked_months(
    *, team_ids, date_from: datetime.date, date_to: datetime.date
) -> set[tuple[int, datetime.date]]:
    """(team id, first day of month) pairs verified by a supervisor (ATT-2): one query."""
    team_ids = [t for t in set(team_ids) if t is not None]
    if not team_ids:
        return set()
    return set(
        MonthVerification.objects.filter(
            team_id__in=team_ids, month__in=month_first_days(date_from, date_to)
        ).values_list("team_id", "month")
    )


def shift_type_list(*, filters: dict | None = None) -> QuerySet[ShiftType]:
    """Shift types (not personal data: every logged-in user may read them)."""
    filters = filters or {}
    qs = ShiftType.objects.all()
    if not filters.get("include_inactive"):
        qs = qs.filter(active=True)
    return qs.order_by("start_time", "code")


def roster_team_list(*, user) -> QuerySet[Team]:
    """Teams whose roster ``user`` may look at (their remit; every team for HR)."""
    return team_choices(user=user)


def roster_team_get(*, user, pk) -> Team:
    team = roster_team_list(user=user).filter(pk=pk).first()
    if team is None:
        raise NotFoundError(_("Team not found."))
    return team


def roster_grid_employees(*, user, team) -> QuerySet:
    """Active members of ``team`` that ``user`` may see, in a stable order (for paging)."""
    team_id = team.pk if isinstance(team, Team) else team
    return (
        employees_visible_to(user)
        .filter(team_id=team_id, status=EmploymentStatus.ACTIVE)
        .only("pk", "employee_no", "name", "team_id")
        .order_by("employee_no")
    )


def roster_grid(*, user, team, date_from: datetime.date, date_to: datetime.date, employees=None) -> dict:
    """Employees x days of ``team`` with their roster entries and the statutory calendar.

    ``employees`` (optional) is a page of :func:`roster_grid_employees`; queries are bounded:
    visibility, the employees, the entries (with their shifts) and the month locks.
    """
    days = roster_range_check(date_from, date_to)
    if employees is None:
        employees = roster_grid_employees(user=user, team=team)
    employees = list(employees)
    entries = RosterEntry.objects.filter(
        employee_id__in=[e.pk for e in employees], work_date__range=(date_from, date_to)
    ).select_related("shift")
    by_key = {(entry.employee_id, entry.work_date): entry for entry in entries}
    calendar = [calendar_day(day) for day in days]
    team_id = team.pk if isinstance(team, Team) else team
    locked = roster_locked_months(team_ids=[team_id], date_from=date_from, date_to=date_to)
    rows = [
        {"employee": employee, "cells": [by_key.get((employee.pk, day.date)) for day in calendar]}
        for employee in employees
    ]
    return {
        "days": calendar,
        "rows": rows,
        "calendar_unknown": any(day.unknown for day in calendar),
        "locked_months": sorted(month for _team, month in locked),
        "date_from": date_from,
        "date_to": date_to,
    }


def roster_cell_get(*, user, employee_id, work_date: datetime.date) -> dict:
    """One cell of the roster grid (ATT-1): ``employee`` (active, visible to ``user``), ``entry``
    (with its shift, or None), ``day`` (the statutory calendar) and ``locked`` (the month is
    verified, ATT-2). NotFoundError for an employee the user may not see (no leak). Three queries."""
    employee = (
        employees_visible_to(user)
        .filter(pk=employee_id, status=EmploymentStatus.ACTIVE)
        .only("pk", "employee_no", "name", "team_id")
        .first()
    )
    if employee is None:
        raise NotFoundError(_("Employee not found."))
    entry = RosterEntry.objects.filter(employee_id=employee.pk, work_date=work_date).select_related("shift").first()
    locked = bool(roster_locked_months(team_ids=[employee.team_id], date_from=work_date, date_to=work_date))
    return {"employee": employee, "entry": entry, "day": calendar_day(work_date), "locked": locked}


# How far back the team's usual shift is read from the roster.
USUAL_SHIFT_DAYS = 62


def roster_usual_shift(*, team, default_code: str) -> ShiftType | None:
    """The shift a new weekly pattern offers Monday to Friday (ATT-1): the team's usual shift (the
    active shift most rostered in the team over the last two months), else the default shift
    (``default_code``), else the first active shift. One or two queries."""
    team_id = team.pk if isinstance(team, Team) else team
    since = timezone.localdate() - datetime.timedelta(days=USUAL_SHIFT_DAYS)
    usual = (
        RosterEntry.objects.filter(employee__team_id=team_id, work_date__gte=since, shift__active=True)
        .values("shift_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "shift_id")
        .first()
    )
    shifts = ShiftType.objects.filter(active=True)
    if usual is not None:
        return shifts.filter(pk=usual["shift_id"]).first()
    return shifts.filter(code=default_code).first() or shifts.order_by("start_time", "code").first()


# --- Off-phone activities and roster clashes (issue 16, sessions part) -------------------------------


def off_phone_activities(
    *, employee_ids, since: datetime.datetime, until: datetime.datetime
) -> dict[int, list[OffPhoneActivity]]:
    """The off-phone activities (training, meetings, coaching) of ``employee_ids`` that overlap
    ``since``..``until``, by employee, in time order. One query."""
    found: dict[int, list[OffPhoneActivity]] = defaultdict(list)
    ids = list(employee_ids)
    if not ids:
        return found
    for activity in OffPhoneActivity.objects.filter(
        employee_id__in=ids, starts_at__lt=until, ends_at__gt=since
    ).order_by("starts_at", "pk"):
        found[activity.employee_id].append(activity)
    return found


def roster_shift_overlaps(*, employee_ids, starts_at: datetime.datetime, ends_at: datetime.datetime) -> dict[int, str]:
    """For each of ``employee_ids`` whose rostered shift overlaps ``starts_at``..``ends_at``, the
    shift in words ("2026-12-08 白班 09:00–18:00"), for a supervisor who takes them off the phone
    for that time (TRN-2: the clash is seen before confirming). The day before is read too (an
    overnight shift runs into the next day). One query."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    ids = list(employee_ids)
    if not ids:
        return {}
    first = timezone.localtime(starts_at, tz).date() - datetime.timedelta(days=1)
    last = timezone.localtime(ends_at, tz).date()
    clashes: dict[int, list[str]] = defaultdict(list)
    entries = (
        RosterEntry.objects.filter(employee_id__in=ids, work_date__range=(first, last), kind=DayKind.WORK)
        .select_related("shift")
        .order_by("work_date")
    )
    for entry in entries:
        start, end = shift_window(entry.work_date, entry.shift, tz)
        if start < ends_at and end > starts_at:
            shift = entry.shift
            clashes[entry.employee_id].append(
                f"{entry.work_date:%Y-%m-%d} {shift.name} {shift.start_time:%H:%M}–{shift.end_time:%H:%M}"
            )
    return {employee_id: "; ".join(texts)[:200] for employee_id, texts in clashes.items()}
