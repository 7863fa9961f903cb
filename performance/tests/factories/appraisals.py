"""Appraisal workflow helpers: a cycle and an appraisal made the way the month-end job
(``appraisal_cycle_open``, PRF-2) makes them, without depending on that job's code.

- :func:`cycle_for` — an open cycle with deadlines and the policy snapshot of the month;
- :func:`appraisal_for` — one employee's appraisal with items copied from a template (weights and
  scales), automatic items already scored with their explanation, the evaluator being the
  employee's team supervisor (the department manager for a supervisor).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from performance import rules, selectors
from performance.models import Appraisal, AppraisalCycle, AppraisalItem, AppraisalTemplate
from performance.tests.factories.cycles import MONTH
from performance.tests.factories.setup import standard_template

__all__ = ["appraisal_for", "cycle_for", "evaluator_of", "manual_items", "scores"]


def cycle_for(
    month: datetime.date = MONTH,
    *,
    status: str = "open",
    self_deadline: datetime.date | None = None,
    superior_deadline: datetime.date | None = None,
) -> AppraisalCycle:
    """The month's cycle, as the month-end job opens it (or the existing one)."""
    existing = AppraisalCycle.objects.filter(month=month).first()
    if existing is not None:
        return existing
    policy = selectors.policy_for_month(month)
    last = rules.month_last_day(month)
    return AppraisalCycle.objects.create(
        month=month,
        status=status,
        policy=policy if policy.pk else None,
        policy_snapshot=rules.policy_snapshot(policy),
        self_deadline=self_deadline or last + datetime.timedelta(days=policy.self_evaluation_days),
        superior_deadline=superior_deadline or last + datetime.timedelta(days=policy.superior_evaluation_days),
        locked_at=timezone.now() if status == "locked" else None,
    )


def _template(position) -> AppraisalTemplate:
    template = AppraisalTemplate.objects.filter(position=position, active=True).first()
    return template or standard_template(position)


def _auto_explanation(indicator, score: Decimal) -> tuple[Decimal | None, dict]:
    source = indicator.auto_source
    if source == "attendance":
        lateness = int((100 - score) / 5)
        return Decimal(lateness), {
            "rule": "attendance",
            "article": "PRF-1",
            "lateness": lateness,
            "absence_days": "0",
            "per_lateness": "5.00",
            "per_absence_day": "20.00",
            "score": str(score),
        }
    if source == "complaint_satisfaction":
        average = rules.q2(score * 5 / 100)
        return average, {
            "rule": "satisfaction",
            "article": "PRF-1",
            "average": str(average),
            "count": 2,
            "score": str(score),
        }
    target = indicator.target or Decimal("100")
    actual = rules.q2(target * score / 100)
    return actual, {
        "rule": "higher_better",
        "article": "PRF-1",
        "source": source,
        "actual": str(actual),
        "target": str(rules.q2(target)),
        "days": 20,
        "score": str(score),
    }


def evaluator_of(employee):
    """The direct superior: the team supervisor, or the department manager for a supervisor."""
    team = employee.team
    if team is not None and team.supervisor_id and team.supervisor_id != employee.pk:
        return team.supervisor
    manager = employee.department.manager
    return manager if manager is not None and manager.pk != employee.pk else None


def appraisal_for(
    employee,
    month: datetime.date = MONTH,
    *,
    cycle: AppraisalCycle | None = None,
    template: AppraisalTemplate | None = None,
    evaluator="default",
    auto_score: Decimal | str | int = Decimal("90"),
    auto_scores: dict[str, Decimal | str | int] | None = None,
    status: str = "self",
) -> Appraisal:
    """One employee's appraisal of ``month`` with items copied from ``template`` (default: the
    position's active template, else the standard agent template)."""
    cycle = cycle or cycle_for(month)
    template = template or _template(employee.position)
    appraisal = Appraisal.objects.create(
        cycle=cycle,
        month=month,
        employee=employee,
        department=employee.department,
        team=employee.team,
        position=employee.position,
        template=template,
        evaluator=evaluator_of(employee) if evaluator == "default" else evaluator,
        status=status,
        locked_at=timezone.now() if status == "locked" else None,
    )
    items = []
    for row in template.items.select_related("indicator").order_by("order", "id"):
        indicator = row.indicator
        item = AppraisalItem(
            appraisal=appraisal,
            indicator=indicator,
            group=indicator.group,
            method=indicator.method,
            weight=row.weight,
            scale_max=indicator.scale_max,
            order=row.order,
        )
        if indicator.method == "automatic":
            score = rules.q2(Decimal(str((auto_scores or {}).get(indicator.code, auto_score))))
            item.auto_score = score
            item.auto_value, item.explanation = _auto_explanation(indicator, score)
        items.append(item)
    AppraisalItem.objects.bulk_create(items)
    # Every score the items hold counts, as the combination reads them (PRF-3, PRF-4).
    figures = rules.appraisal_scores(
        items, policy=rules.policy_from_snapshot(cycle.policy_snapshot), final=True, self_submitted=True
    )
    appraisal.self_score, appraisal.superior_score = figures.self_score, figures.superior_score
    appraisal.auto_score, appraisal.total_score = figures.auto_score, figures.total_score
    appraisal.band, appraisal.explanation = figures.band, figures.explanation
    appraisal.save(update_fields=["self_score", "superior_score", "auto_score", "total_score", "band", "explanation"])
    return appraisal


def manual_items(appraisal) -> list[AppraisalItem]:
    return list(appraisal.items.filter(method="manual").order_by("order", "id"))


def scores(appraisal, value, comment: str = "") -> dict:
    """``{item id: {score, comment}}`` giving every manual item ``value``."""
    return {i.pk: {"score": value, "comment": comment} for i in manual_items(appraisal)}
