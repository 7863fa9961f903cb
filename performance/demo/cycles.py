"""Demo cycle (PRF-2): last month's cycle opened the way the month-end job opens it."""

from __future__ import annotations

import random

from django.utils import timezone

from callcenter.demo import register_demo_seeder
from performance import rules, services

__all__ = ["seed_appraisal_cycle"]


@register_demo_seeder(order=60)
def seed_appraisal_cycle(rng: random.Random, employees, months: int, stdout) -> dict:
    """Last month's cycle, with an appraisal per employee whose post has a template (idempotent:
    an ``--append`` run opens the newcomers')."""
    if months <= 0 or not employees:
        return {}
    cycle, opened = services.appraisal_cycle_open(month=rules.previous_month(timezone.localdate()), actor=None)
    return {"appraisals": opened, "cycle_status": cycle.status}
