"""Destruction of telephony metrics no longer needed (SEC-4), called by the destruction job of
``datasecurity`` through the category registered in ``performance/apps.py``: at most ``limit``
agent-days deleted per call, one audit event per batch (a year is ~1.8 million rows at 5,000
agents: an event per row would double the trail for nothing), with the days it spans."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max, Min

from datasecurity.services import DestructionMethod, audit_record
from performance.models import AgentDailyMetric
from performance.selectors.retention import agent_metrics_due_queryset

__all__ = ["agent_metrics_destroy"]


@transaction.atomic
def agent_metrics_destroy(*, cutoff: datetime.datetime, method: str, limit: int) -> int:
    if method != DestructionMethod.ROW_DELETE:
        raise ValueError(f"telephony metrics are destroyed by {DestructionMethod.ROW_DELETE}, not {method}")
    ids = list(agent_metrics_due_queryset(cutoff).values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    rows = AgentDailyMetric.objects.select_for_update().filter(pk__in=ids)
    span = rows.aggregate(first=Min("day"), last=Max("day"))
    deleted, _by_model = rows.delete()
    audit_record(
        actor=None,
        action="agent_metric.destroy",
        object_type="performance.agentdailymetric",
        object_repr=f"{span['first']} – {span['last']}",
        changes={
            "rows": deleted,
            "first_day": str(span["first"]),
            "last_day": str(span["last"]),
            "article": "SEC-4",
        },
    )
    return deleted
