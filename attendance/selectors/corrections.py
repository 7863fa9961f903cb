"""Attendance selectors: punch corrections (补卡, ATT-2)."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from attendance.models import CorrectionStatus, PunchCorrection
from callcenter.errors import NotFoundError
from callcenter.roles import Role, has_role
from callcenter.selectors import covered_team_ids, employee_of, filter_by_employee

__all__ = [
    "punch_correction_can_decide",
    "punch_correction_get",
    "punch_correction_list",
]


def _base_qs() -> QuerySet[PunchCorrection]:
    return PunchCorrection.objects.select_related(
        "employee__team", "employee__department", "decided_by", "punch"
    ).order_by("-submitted_at", "-pk")


def punch_correction_can_decide(*, user, correction: PunchCorrection) -> bool:
    """ATT-2: the employee's team supervisor (first in the approval chain) or a covering supervisor
    of the team (an access grant in force), their department manager, or HR decides; never the
    employee themself (no self-approval, whatever the role).

    Needs ``correction.employee.team`` and ``.department`` loaded (the selectors do it)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    me = employee_of(user)
    employee = correction.employee
    if me is not None and me.pk == employee.pk:
        return False
    if has_role(user, Role.HR):
        return True
    if me is None:
        return False
    team = employee.team
    if team is not None and team.supervisor_id == me.pk and has_role(user, Role.SUPERVISOR):
        return True
    if team is not None and team.pk in covered_team_ids(user):
        return True
    return employee.department.manager_id == me.pk and has_role(user, Role.DEPARTMENT_MANAGER)


def punch_correction_list(*, user, filters: dict | None = None) -> QuerySet[PunchCorrection]:
    """Corrections ``user`` may see. Filters: ``status``; ``mine`` (own requests only);
    ``to_decide`` (pending requests where ``user`` is the approver, never their own)."""
    filters = filters or {}
    qs = filter_by_employee(_base_qs(), user)
    me = employee_of(user)
    if (status := filters.get("status")) and status in CorrectionStatus.values:
        qs = qs.filter(status=status)
    if filters.get("mine"):
        qs = qs.filter(employee_id=me.pk) if me else qs.none()
    if filters.get("to_decide"):
        qs = qs.filter(status=CorrectionStatus.PENDING)
        if me is not None:
            qs = qs.exclude(employee_id=me.pk)
        if not has_role(user, Role.HR):
            if me is None:
                return qs.none()
            remit = Q(pk__in=[])
            if has_role(user, Role.SUPERVISOR):
                remit |= Q(employee__team__supervisor_id=me.pk)
            if covered := covered_team_ids(user):
                remit |= Q(employee__team_id__in=sorted(covered))
            if has_role(user, Role.DEPARTMENT_MANAGER):
                remit |= Q(employee__department__manager_id=me.pk)
            qs = qs.filter(remit)
    return qs


def punch_correction_get(*, user, pk) -> PunchCorrection:
    """One correction, or NotFoundError when it does not exist or is not visible (no leak)."""
    correction = filter_by_employee(_base_qs(), user).filter(pk=pk).first()
    if correction is None:
        raise NotFoundError(_("Correction request not found."))
    return correction
