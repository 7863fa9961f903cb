"""Demo cycle (PRF-2): last month's cycle opened the way the month-end job opens it, its
deadlines relative to the day of the seed.

The job opens a month on the 1st of the next, and PRF-2 counts the deadlines from the month's last
day (the policy's ``self_evaluation_days``, ``superior_evaluation_days``). A try-out is installed on
any day: seeded on the 7th, those deadlines would have passed already, while the demo's
notifications ask to finish before them. So the demo cycle's deadlines are pushed back, both by
the same number of days (the policy's gap between them is kept), until the self-evaluation is open
for at least :data:`SELF_DAYS_LEFT` more days, as if HR had extended them; the cycle's audit event
says by how many days. Seeded early in the month, the policy's own deadlines stand.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from callcenter.demo import register_demo_seeder
from datasecurity.services import audit_record
from performance import rules, services
from performance.models import AppraisalCycle, CycleStatus
from performance.selectors import policy_for_month

__all__ = ["SELF_DAYS_LEFT", "demo_deadlines", "seed_appraisal_cycle"]

# The demo's open self-evaluation stays open at least this many days after the seed.
SELF_DAYS_LEFT = 7


def demo_deadlines(month: datetime.date, today: datetime.date, policy) -> tuple[datetime.date, datetime.date, int]:
    """(self deadline, superior deadline, days pushed back) of the demo cycle of ``month`` seeded
    on ``today``: the policy's (PRF-2), pushed back so the self-evaluation has
    :data:`SELF_DAYS_LEFT` days left."""
    last = rules.month_last_day(month)
    self_deadline = last + datetime.timedelta(days=policy.self_evaluation_days)
    superior_deadline = last + datetime.timedelta(days=policy.superior_evaluation_days)
    shift = max(0, (today + datetime.timedelta(days=SELF_DAYS_LEFT) - self_deadline).days)
    pushed = datetime.timedelta(days=shift)
    return self_deadline + pushed, superior_deadline + pushed, shift


def _demo_cycle(month: datetime.date, today: datetime.date) -> None:
    """Create the month's cycle with the demo's deadlines (the opening below then fills it, and
    its notifications give these dates); an existing cycle (``--append``) is left as it is."""
    if AppraisalCycle.objects.filter(month=month).exists():
        return
    policy = policy_for_month(month)
    self_deadline, superior_deadline, shift = demo_deadlines(month, today, policy)
    cycle = AppraisalCycle.objects.create(
        month=month,
        status=CycleStatus.OPENING,
        policy=policy if policy.pk else None,
        policy_snapshot=rules.policy_snapshot(policy),
        self_deadline=self_deadline,
        superior_deadline=superior_deadline,
    )
    audit_record(
        actor=None,
        action="appraisal_cycle.create",
        obj=cycle,
        changes={
            "month": month.isoformat(),
            "policy_version": policy.pk,
            "self_deadline": self_deadline.isoformat(),
            "superior_deadline": superior_deadline.isoformat(),
            "demo_deadlines_pushed_back_days": shift,
        },
    )


@register_demo_seeder(order=60)
def seed_appraisal_cycle(rng: random.Random, employees, months: int, stdout) -> dict:
    """Last month's cycle, with an appraisal per employee whose post has a template (idempotent:
    an ``--append`` run opens the newcomers')."""
    if months <= 0 or not employees:
        return {}
    today = timezone.localdate()
    month = rules.previous_month(today)
    _demo_cycle(month, today)
    cycle, opened = services.appraisal_cycle_open(month=month, actor=None)
    return {"appraisals": opened, "cycle_status": cycle.status, "self_deadline": cycle.self_deadline.isoformat()}
