"""What the performance app has due for destruction (SEC-4), read for the retention schedule and
a destruction request (registered in ``performance/apps.py``): the telephony/ACD metrics of each
agent and day (PRF-1) older than a cutoff. The teams' daily call volumes (no person in them) stay
for the complaint-rate statistics (CMP-4)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datasecurity.selectors import DueSummary
from performance.models import AgentDailyMetric

__all__ = ["agent_metrics_due", "agent_metrics_due_queryset"]


def agent_metrics_due_queryset(cutoff: datetime.datetime) -> QuerySet[AgentDailyMetric]:
    """Agents' days before the local day of ``cutoff``, oldest first."""
    return AgentDailyMetric.objects.filter(day__lt=timezone.localtime(cutoff).date()).order_by("day", "id")


def agent_metrics_due(cutoff: datetime.datetime) -> DueSummary:
    due = agent_metrics_due_queryset(cutoff)
    quantity = due.count()
    first = due.values_list("day", flat=True).first() if quantity else None
    return DueSummary(
        quantity=quantity,
        description=_("calls answered, resolved and handling time per agent and day"),
        samples=(f"{first:%Y-%m-%d} …",) if first else (),
    )
