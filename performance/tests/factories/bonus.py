"""Bonus sheet test helpers (PRF-4): cycles and appraisals made directly, with their scores set,
so the bonus tests do not depend on the cycle and evaluation workflows."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from callcenter.roles import Role
from callcenter.tests import factories as f
from performance import rules, selectors
from performance.models import Appraisal, AppraisalCycle, AppraisalPolicy

__all__ = ["BONUS_MONTH", "approver_hr", "bonus_appraisal_for", "bonus_cycle_for", "lock_cycle"]

BONUS_MONTH = datetime.date(2026, 3, 1)


def bonus_cycle_for(month: datetime.date = BONUS_MONTH, *, status: str = "locked") -> AppraisalCycle:
    """The month's cycle (locked by default), made directly."""
    last = rules.month_last_day(month)
    policy = selectors.policy_for_month(month)
    return AppraisalCycle.objects.create(
        month=month,
        status=status,
        policy=policy if policy.pk else None,
        policy_snapshot=rules.policy_snapshot(policy),
        self_deadline=last + datetime.timedelta(days=5),
        superior_deadline=last + datetime.timedelta(days=10),
        employees_expected=0,
        locked_at=timezone.now() if status == "locked" else None,
    )


def bonus_appraisal_for(employee, cycle: AppraisalCycle, score=None, *, status: str | None = None) -> Appraisal:
    """A finished appraisal of ``employee`` with ``score`` (None: never completed)."""
    total = None if score is None else Decimal(str(score))
    band = "" if total is None else rules.score_band(total, AppraisalPolicy())[0]
    status = status or ("locked" if cycle.status == "locked" else "completed")
    return Appraisal.objects.create(
        cycle=cycle,
        month=cycle.month,
        employee=employee,
        department=employee.department,
        team=employee.team,
        position=employee.position,
        status=status,
        total_score=total,
        band=band,
        locked_at=timezone.now() if status == "locked" else None,
    )


def lock_cycle(cycle: AppraisalCycle) -> AppraisalCycle:
    cycle.status = "locked"
    cycle.locked_at = timezone.now()
    cycle.save(update_fields=["status", "locked_at"])
    return cycle


def approver_hr(org):
    """A second HR colleague (in department B), who approves what ``org.hr`` prepared: money
    leaves only with two people (SEC-2)."""
    user = f.UserFactory(username="hr_approver", roles=[Role.HR])
    employee = getattr(user, "employee", None)
    if employee is None:
        employee = f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b, name="孙敏")
    return employee
