"""Performance selectors: call-center metrics (PRF-1 work results).

- :func:`metric_import_list` / :func:`metric_import_get`: the imports (HR).
- :func:`metric_month` : one month's totals per agent and per team, for whoever may see them
  (an agent their own, a supervisor their team, a manager their department, HR everyone — the
  rule of :mod:`callcenter.selectors.org`); totals come from :func:`metric_totals`.
- :func:`metric_totals` : the month's figures per agent (the automatic indicators read them), one
  aggregate query.
- :func:`metric_days_list` : one agent's days of a month.
- :func:`metric_call_volumes` / :func:`metric_call_volumes_by_team` : calls answered per month
  (and team) for the complaint rate per 1,000 calls (CMP-4); registered with
  :mod:`callcenter.providers` by the app config.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from callcenter.errors import NotFoundError
from callcenter.models import Employee
from callcenter.selectors import Scope, employees_visible_to, filter_by_employee, is_company_hr, user_scope
from performance import rules
from performance.models import AgentDailyMetric, MetricImport, TeamDailyCallVolume

__all__ = [
    "MetricMonth",
    "MetricMonthRow",
    "metric_call_volumes",
    "metric_call_volumes_by_team",
    "metric_days_list",
    "metric_import_get",
    "metric_import_list",
    "metric_import_rows",
    "metric_import_same_file",
    "metric_month",
    "metric_totals",
]


def metric_totals(*, month: datetime.date, employee_ids: list[int] | None = None) -> dict[int, rules.MetricTotals]:
    """{employee id: the month's metric totals} from the import (PRF-1 work results). One query."""
    first, last = month.replace(day=1), rules.month_last_day(month)
    qs = AgentDailyMetric.objects.filter(day__range=(first, last))
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=employee_ids)
    rows = (
        qs.values("employee_id")
        .annotate(
            days=Count("id"),
            answered=Sum("calls_answered"),
            resolved=Sum("calls_resolved"),
            handle=Sum(F("avg_handle_seconds") * F("calls_answered")),
            qa_weighted=Sum(F("qa_accuracy") * F("calls_answered"), filter=Q(qa_accuracy__isnull=False)),
            qa_calls=Sum("calls_answered", filter=Q(qa_accuracy__isnull=False)),
        )
        .order_by()
    )
    return {
        r["employee_id"]: rules.MetricTotals(
            days=r["days"],
            calls_answered=r["answered"] or 0,
            calls_resolved=r["resolved"] or 0,
            handle_seconds_total=r["handle"] or 0,
            qa_weighted=Decimal(r["qa_weighted"] or 0),
            qa_calls=r["qa_calls"] or 0,
        )
        for r in rows
    }


def metric_import_list(*, user) -> QuerySet[MetricImport]:
    """Every accepted import, newest first, with who imported it (company HR only: the figures of
    every agent are in them)."""
    if not is_company_hr(user):
        return MetricImport.objects.none()
    return MetricImport.objects.select_related("imported_by__employee").order_by("-imported_at", "-id")


def metric_import_get(*, user, pk) -> MetricImport:
    record = metric_import_list(user=user).filter(pk=pk).first()
    if record is None:
        raise NotFoundError("No such import.")
    return record


def metric_import_same_file(*, user, record: MetricImport) -> MetricImport | None:
    """The latest earlier import of the same file (same SHA-256) as ``record``, if any (HR only)."""
    return metric_import_list(user=user).filter(checksum=record.checksum).exclude(pk=record.pk).first()


def metric_import_rows(*, user, record: MetricImport) -> QuerySet[AgentDailyMetric]:
    """The days an import wrote that no later import has replaced, with their employee."""
    if not is_company_hr(user):
        return AgentDailyMetric.objects.none()
    return (
        AgentDailyMetric.objects.filter(source_import=record)
        .select_related("employee")
        .order_by("day", "employee__employee_no")
    )


@dataclass
class MetricMonthRow:
    employee_id: int
    employee_no: str
    name: str
    team_id: int | None
    team_name: str
    totals: rules.MetricTotals


@dataclass
class MetricMonth:
    month: datetime.date
    rows: list[MetricMonthRow]  # agents with figures in the month, by team then number
    teams: list[MetricMonthRow] = field(default_factory=list)  # one per team (employee fields empty)
    overall: rules.MetricTotals = field(default_factory=rules.MetricTotals)


def metric_month(*, user, month: datetime.date, team_id: int | None = None) -> MetricMonth:
    """The month's totals of every agent ``user`` may see (and of their teams): calls answered,
    resolved, resolution rate, call-weighted average handling time and QA accuracy. Two queries
    whatever the size: the visible employees, and one aggregate (``metric_totals``)."""
    month = month.replace(day=1)
    employees = employees_visible_to(user).order_by("team__code", "employee_no")
    if team_id is not None:
        employees = employees.filter(team_id=team_id)
    people = list(employees.values_list("pk", "employee_no", "name", "team_id", "team__name"))
    if not people:
        return MetricMonth(month=month, rows=[])
    everyone = user_scope(user) == Scope.COMPANY and team_id is None
    totals = metric_totals(month=month, employee_ids=None if everyone else [p[0] for p in people])
    rows = [
        MetricMonthRow(pk, number, name, team, team_name or "", totals[pk])
        for pk, number, name, team, team_name in people
        if pk in totals
    ]
    by_team: dict[int | None, MetricMonthRow] = {}
    overall = rules.MetricTotals()
    for row in rows:
        overall = rules.metric_totals_add(overall, row.totals)
        team = by_team.get(row.team_id)
        if team is None:
            by_team[row.team_id] = MetricMonthRow(0, "", "", row.team_id, row.team_name, row.totals)
        else:
            team.totals = rules.metric_totals_add(team.totals, row.totals)
    return MetricMonth(month=month, rows=rows, teams=list(by_team.values()), overall=overall)


def metric_days_list(*, user, employee: Employee, month: datetime.date) -> QuerySet[AgentDailyMetric]:
    """One agent's days of the month, if ``user`` may see that agent (else nothing)."""
    first = month.replace(day=1)
    qs = AgentDailyMetric.objects.filter(employee=employee, day__range=(first, rules.month_last_day(first)))
    return filter_by_employee(qs, user).order_by("day")


def metric_call_volumes(*, date_from: datetime.date, date_to: datetime.date) -> dict[datetime.date, int]:
    """Calls answered per month in the range: ``{first day of month: calls}`` (CMP-4's complaint
    rate per 1,000 calls), the sums of :func:`metric_call_volumes_by_team`. Months without
    imported figures are absent. One query."""
    months: dict[datetime.date, int] = {}
    for (month, _team), calls in metric_call_volumes_by_team(date_from=date_from, date_to=date_to).items():
        months[month] = months.get(month, 0) + calls
    return months


def metric_call_volumes_by_team(
    *, date_from: datetime.date, date_to: datetime.date
) -> dict[tuple[datetime.date, int | None], int]:
    """Calls answered per (month, team), the team being the agent's team when the day was imported
    (agents without a team under ``None``), from the team-day roll-up. One query."""
    rows = (
        TeamDailyCallVolume.objects.filter(day__range=(date_from, date_to))
        .annotate(month=TruncMonth("day"))
        .values("month", "team_id")
        .annotate(calls=Sum("calls_answered"))
        .order_by()
    )
    return {(_as_date(r["month"]), r["team_id"]): int(r["calls"] or 0) for r in rows}


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
