"""Demo evaluations (PRF-3): through the evaluation services, for a bounded sample of last month's
appraisals (the demo supervisor's team first): self-evaluations submitted, some evaluated by the
superior, a few interviews held. The demo agent's own appraisal is left to fill in."""

from __future__ import annotations

import datetime
import random
import time

from django.utils import timezone

from callcenter.demo import register_demo_seeder
from callcenter.models import EmploymentStatus
from performance import rules, services
from performance.models import Appraisal, AppraisalCycle, AppraisalStatus, CycleStatus

__all__ = ["SAMPLE", "seed_appraisals"]

SAMPLE = 40
_COMMENTS = ["按要求完成本月工作", "接听质量稳定，需加强业务知识", "积极配合团队排班", "本月有改进空间"]


def _scores(appraisal: Appraisal, rng: random.Random, base: float) -> dict:
    return {
        item.pk: {
            "score": str(round(max(0, min(item.scale_max, item.scale_max * rng.gauss(base, 0.08))))),
            "comment": rng.choice(_COMMENTS),
        }
        for item in appraisal.items.all()
        if item.method == "manual"
    }


def _evaluate(rng: random.Random, cycle: AppraisalCycle) -> dict:
    """Self-evaluations, superiors' evaluations and interviews through the services, for a
    sample: the demo supervisor's team first, then others, at most :data:`SAMPLE`."""
    appraisals = list(
        Appraisal.objects.filter(
            cycle=cycle,
            status=AppraisalStatus.SELF,
            employee__status=EmploymentStatus.ACTIVE,
            employee__user__is_active=True,
            evaluator__status=EmploymentStatus.ACTIVE,
            evaluator__user__is_active=True,
        )
        .select_related("employee__user", "evaluator__user")
        .prefetch_related("items")
        .order_by("pk")
    )
    demo_first = sorted(
        appraisals,
        key=lambda a: (a.evaluator.user.username != "supervisor" if a.evaluator.user else True, a.pk),
    )
    counts = {"self": 0, "superior": 0, "interview": 0}
    today = timezone.localdate()
    for appraisal in demo_first[:SAMPLE]:
        employee, evaluator = appraisal.employee, appraisal.evaluator
        if employee.user is None or evaluator.user is None or employee.user.username == "agent":
            continue  # the demo agent login fills in their own self-evaluation
        base = rng.uniform(0.72, 0.95)
        services.appraisal_self_save(
            actor=employee.user,
            appraisal_id=appraisal.pk,
            items=_scores(appraisal, rng, base),
            summary="本月按时完成各项任务，继续提升业务能力。",
            submit=True,
        )
        counts["self"] += 1
        if rng.random() < 0.35:
            continue
        services.appraisal_superior_save(
            actor=evaluator.user,
            appraisal_id=appraisal.pk,
            items=_scores(appraisal, rng, base + rng.uniform(-0.08, 0.05)),
            summary="整体表现符合岗位要求。",
            submit=True,
        )
        counts["superior"] += 1
        if rng.random() < 0.5:
            continue
        services.appraisal_interview_record(
            actor=evaluator.user,
            appraisal_id=appraisal.pk,
            held_on=today,
            strengths="服务态度好，团队协作积极。",
            problems="复杂业务的一次解决率有待提高。",
            actions=[
                {
                    "action": "参加复杂业务专项培训",
                    "owner_id": employee.pk,
                    "due_on": (today + datetime.timedelta(days=30)).isoformat(),
                }
            ],
        )
        counts["interview"] += 1
    return counts


@register_demo_seeder(order=61)
def seed_appraisals(rng: random.Random, employees, months: int, stdout) -> dict:
    """Some of last month's evaluations under way (PRF-3)."""
    if months <= 0 or not employees:
        return {}
    started = time.perf_counter()
    month = rules.previous_month(timezone.localdate())
    cycle = AppraisalCycle.objects.filter(month=month).first()
    counts = _evaluate(rng, cycle) if cycle is not None and cycle.status != CycleStatus.LOCKED else {}
    stdout.write(
        f"  appraisals: {month:%Y-%m} cycle, {counts.get('self', 0)} self / {counts.get('superior', 0)} superior / "
        f"{counts.get('interview', 0)} interviews in {time.perf_counter() - started:.1f} s\n"
    )
    return counts
