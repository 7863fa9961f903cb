"""Demo leavers (GEN-2, COC-8) for ``seed_demo``: one agent whose last working day is in two weeks,
with their exit checklist open, so the supervisor and ``hr`` demo logins find an upcoming leaver
and the hand-over of their call-backs. Set through the service, audited like HR's own."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from callcenter import services
from callcenter.demo import register_demo_seeder
from callcenter.models import Employee, EmploymentStatus, User
from callcenter.roles import Role


@register_demo_seeder(order=900)
def seed_leavers(rng: random.Random, employees, months: int, stdout) -> dict:
    """One upcoming leaver: an agent of a team with a supervisor (never a demo login)."""
    hr = User.objects.filter(is_active=True, groups__name=Role.HR, hr_remit_limited=False).order_by("pk").first()
    if months <= 0 or hr is None:
        return {"leavers": 0}
    candidates = [
        e
        for e in employees
        if e.team_id and e.team.supervisor_id and e.team.supervisor_id != e.pk and e.status == EmploymentStatus.ACTIVE
    ]
    agents = set(
        Employee.objects.filter(pk__in=[e.pk for e in candidates], user__groups__name=Role.AGENT)
        .exclude(user__username__in=["agent", "supervisor", "manager", "leader", "hr", "complaints", "auditor"])
        .values_list("pk", flat=True)
    )
    pool = [e for e in candidates if e.pk in agents and e.user_id != hr.pk]
    if not pool:
        return {"leavers": 0}
    leaver = rng.choice(sorted(pool, key=lambda e: e.pk))
    services.employee_leave_schedule(
        actor=hr,
        employee_id=leaver.pk,
        last_working_day=timezone.localdate() + datetime.timedelta(days=14),
        reason="resignation",
        note="个人发展",
    )
    return {"leavers": 1}
