"""Calls answered from the telephony metrics import, offered to other modules through
:mod:`callcenter.call_volumes` (registered in ``PerformanceConfig.ready``): the complaint rate
per 1,000 calls (CMP-4) reads them without importing this app."""

from __future__ import annotations

import datetime

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from .models import AgentDailyMetric


def call_volumes_by_month(*, date_from: datetime.date, date_to: datetime.date) -> dict[datetime.date, int]:
    """{first day of month: calls answered} over the range. One query."""
    rows = (
        AgentDailyMetric.objects.filter(day__range=(date_from, date_to))
        .annotate(month=TruncMonth("day"))
        .values_list("month")
        .annotate(calls=Sum("calls_answered"))
        .order_by()
    )
    return {month: calls for month, calls in rows if calls}


def call_volumes_by_team(*, date_from: datetime.date, date_to: datetime.date) -> dict[tuple[datetime.date, int], int]:
    """{(first day of month, team id): calls answered} — the agent's current team. One query."""
    rows = (
        AgentDailyMetric.objects.filter(day__range=(date_from, date_to))
        .annotate(month=TruncMonth("day"))
        .values_list("month", "employee__team_id")
        .annotate(calls=Sum("calls_answered"))
        .order_by()
    )
    return {(month, team_id): calls for month, team_id, calls in rows if calls}
