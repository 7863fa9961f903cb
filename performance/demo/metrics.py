"""Demo call-center metrics (PRF-1 work results): last month, every active agent in a team, one row
per working day (one import, bulk), some agents above target and some below."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from callcenter.demo import register_demo_seeder
from callcenter.models import Employee, EmploymentStatus, User
from callcenter.roles import Role
from performance import rules, services
from performance.demo.setup import AGENT_POSTS
from performance.models import AgentDailyMetric, MetricImport

__all__ = ["demo_metrics", "seed_call_metrics"]


def demo_metrics(rng: random.Random, agents: list[Employee], month: datetime.date) -> int:
    """The working days of ``month`` for ``agents`` that have no figures yet. Returns the rows."""
    last = rules.month_last_day(month)
    days = [month + datetime.timedelta(days=i) for i in range((last - month).days + 1)]
    workdays = [d for d in days if d.weekday() < 5]
    importer = (
        User.objects.filter(is_active=True, groups__name=Role.HR).order_by("pk").first()
        or User.objects.filter(is_active=True).order_by("pk").first()
    )
    if importer is None or not agents or not workdays:
        return 0
    taken = set(
        AgentDailyMetric.objects.filter(employee__in=agents, day__range=(month, last)).values_list("employee_id", "day")
    )
    batch = MetricImport.objects.create(
        source="api", filename="demo", imported_by=importer, date_from=workdays[0], date_to=workdays[-1]
    )
    rows = []
    for agent in agents:
        skill = rng.uniform(0.75, 1.1)  # some agents above target, some below
        for day in workdays:
            if day < agent.hire_date or (agent.pk, day) in taken:
                continue
            answered = max(20, int(rng.gauss(72, 10) * skill))
            rows.append(
                AgentDailyMetric(
                    employee=agent,
                    day=day,
                    calls_answered=answered,
                    calls_resolved=min(answered, int(answered * rng.uniform(0.78, 0.96))),
                    avg_handle_seconds=int(rng.gauss(290, 35)),
                    qa_accuracy=Decimal(str(round(min(100, rng.gauss(96.5, 1.8)), 2))),
                    source_import=batch,
                )
            )
    AgentDailyMetric.objects.bulk_create(rows, batch_size=5000)
    services.metric_call_volumes_rebuild(date_from=month, date_to=last)  # written directly: keep the roll-up
    batch.rows = batch.created = len(rows)
    batch.save(update_fields=["rows", "created"])
    return len(rows)


@register_demo_seeder(order=59)
def seed_call_metrics(rng: random.Random, employees, months: int, stdout) -> dict:
    """Last month's metrics of the seeded agents."""
    if months <= 0 or not employees:
        return {}
    agents = [
        e for e in employees if e.status == EmploymentStatus.ACTIVE and e.team_id and e.position.code in AGENT_POSTS
    ]
    return {"metric_days": demo_metrics(rng, agents, rules.previous_month(timezone.localdate()))}
