"""Attendance selectors: daily records and monthly summaries (ATT-4, ATT-5)."""

from __future__ import annotations

import calendar
import datetime
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from attendance.models import AttendancePolicy, DailyAttendance, MonthVerification
from attendance.rules import MonthResult, evaluate_month
from callcenter.errors import NotFoundError
from callcenter.models import Employee, Team
from callcenter.selectors import employees_visible_to, filter_by_employee, team_choices

__all__ = [
    "EmployeeMonth",
    "PolicyTimeline",
    "attendance_month_results",
    "daily_attendance_list",
    "month_bounds",
    "month_verify_allowed",
    "monthly_summary",
    "monthly_summary_list",
    "summary_employees",
    "summary_team_id",
    "summary_teams",
]


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


class PolicyTimeline:
    """Every attendance policy version loaded once; ``on(date)`` picks the one in force without
    a query per day (a March fine uses March's policy, ATT-4)."""

    def __init__(self):
        self.versions = list(AttendancePolicy.objects.order_by("effective_from"))
        self.dates = [v.effective_from for v in self.versions]
        self.default = AttendancePolicy(effective_from=datetime.date(2000, 1, 1))

    def on(self, day: datetime.date) -> AttendancePolicy:
        index = bisect_right(self.dates, day)
        return self.versions[index - 1] if index else self.default


def daily_attendance_list(*, user, filters: dict | None = None) -> QuerySet[DailyAttendance]:
    filters = filters or {}
    qs = filter_by_employee(DailyAttendance.objects.all(), user).select_related("employee", "employee__team", "shift")
    if employee := filters.get("employee"):
        qs = qs.filter(employee_id=employee)
    if date_from := filters.get("date_from"):
        qs = qs.filter(work_date__gte=date_from)
    if date_to := filters.get("date_to"):
        qs = qs.filter(work_date__lte=date_to)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    return qs.order_by("-work_date", "employee__employee_no")


@dataclass
class EmployeeMonth:
    employee: Employee
    month: datetime.date
    days: list[DailyAttendance]
    result: MonthResult
    verified: MonthVerification | None


# What the monthly rules read of a day; lists load only these (no timestamps to parse).
_RULE_FIELDS = ("employee_id", "work_date", "status", "explanation", "scheduled_minutes", "worked_minutes")


def _summaries(employees: list[Employee], month: datetime.date, *, full_days: bool = True) -> list[EmployeeMonth]:
    first, last = month_bounds(month)
    timeline = PolicyTimeline()
    days_by_employee = defaultdict(list)
    days = DailyAttendance.objects.filter(
        employee__in=[e.pk for e in employees], work_date__range=(first, last)
    ).order_by("work_date")
    if full_days:
        for day in days.select_related("shift"):
            days_by_employee[day.employee_id].append(day)
    else:
        for values in days.values_list(*_RULE_FIELDS):
            day = SimpleNamespace(**dict(zip(_RULE_FIELDS, values, strict=True)))
            days_by_employee[day.employee_id].append(day)
    verifications = {
        v.team_id: v
        for v in MonthVerification.objects.filter(
            team_id__in={e.team_id for e in employees if e.team_id}, month=first
        ).select_related("verified_by")
    }
    month_policy = timeline.on(last)
    return [
        EmployeeMonth(
            employee=e,
            month=first,
            days=days_by_employee[e.pk],
            result=evaluate_month(
                days=days_by_employee[e.pk],
                policy_for=timeline.on,
                month_policy=month_policy,
                monthly_base_pay=e.monthly_base_pay,
            ),
            verified=verifications.get(e.team_id),
        )
        for e in employees
    ]


def monthly_summary(*, user, employee_id: int, month: datetime.date) -> EmployeeMonth:
    employee = (
        employees_visible_to(user).select_related("team", "department", "position").filter(pk=employee_id).first()
    )
    if employee is None:
        raise NotFoundError(_("Employee not found."))
    return _summaries([employee], month)[0]


def summary_teams(*, user) -> QuerySet[Team]:
    """The teams whose monthly summary ``user`` may pick (their remit; every team for HR)."""
    return team_choices(user=user)


def summary_team_id(*, user, team_id: int | None) -> int | None:
    """``team_id`` when it is one of :func:`summary_teams`, else None (everyone the user sees)."""
    if not team_id:
        return None
    return team_id if summary_teams(user=user).filter(pk=team_id).exists() else None


def month_verify_allowed(*, user, team_id: int | None) -> bool:
    """ATT-2: only the team's own supervisor verifies (and so locks) its month."""
    if not team_id or not getattr(user, "pk", None):
        return False
    return Team.objects.filter(pk=team_id, supervisor__user_id=user.pk).exists()


def summary_employees(*, user, team_id: int | None = None) -> QuerySet[Employee]:
    employees = employees_visible_to(user).filter(status="active").select_related("team", "department")
    if team_id:
        employees = employees.filter(team_id=team_id)
    return employees.order_by("employee_no")


def monthly_summary_list(
    *, user, month: datetime.date, team_id: int | None = None, employees: list[Employee] | None = None
) -> list[EmployeeMonth]:
    """One summary per visible active employee (of ``team_id`` if given, or the given page of
    employees from ``summary_employees``), bounded queries."""
    if employees is None:
        employees = list(summary_employees(user=user, team_id=team_id))
    return _summaries(list(employees), month, full_days=False)


def attendance_month_results(*, employees: list[Employee], month: datetime.date) -> dict[int, MonthResult]:
    """{employee id: the month's fines, absenteeism and deduction} for a system reader (the
    month-end appraisal and the bonus sheet, PRF-1/PRF-4), without a user's visibility filter.
    ``employees`` need ``pk``, ``team_id`` and ``monthly_base_pay``. Bounded queries (3 per call);
    callers pass employees in chunks."""
    return {s.employee.pk: s.result for s in _summaries(list(employees), month, full_days=False)}
