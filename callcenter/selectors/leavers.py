"""Reads of leavers (GEN-2, COC-8): the exit checklists and who holds each item.

Who sees a checklist: whoever sees the leaver (:mod:`callcenter.selectors.org`: their team's
supervisor, their department's manager and leader in charge, HR of their remit), and the leaver
themselves, read-only. Who ticks an item: its owner role for this leaver —

* ``supervisor``: the supervisor of the leaver's team (or a supervisor covering it by a grant); HR
  of the leaver's remit when the team has no supervisor;
* ``hr``: HR whose remit covers the leaver's department (company HR, or an HR assistant granted
  that department).

Nobody holds an item of their own checklist (SEC-2).
"""

from __future__ import annotations

import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from callcenter.duties import is_own_record
from callcenter.errors import NotFoundError
from callcenter.models import (
    EXIT_ITEM_OWNERS,
    Employee,
    ExitChecklist,
    ExitChecklistItem,
    ExitChecklistStatus,
    ExitItemKind,
    ExitItemOwner,
)
from callcenter.providers import final_month_verified, leaver_hand_over_providers
from callcenter.roles import Role, has_role
from callcenter.selectors.org import covered_team_ids, employee_of, filter_by_employee, hr_department_ids

__all__ = [
    "exit_checklist_get",
    "exit_checklist_hand_over",
    "exit_checklist_list",
    "exit_checklist_of",
    "exit_final_month_verified",
    "exit_item_get",
    "exit_owner_roles",
    "leaver_hand_over_allowed",
]

STATUS_FILTERS = {"scheduled", "left", "cancelled", "all"}


def _hr_covers(user, employee: Employee) -> bool:
    if not has_role(user, Role.HR) and not getattr(user, "is_superuser", False):
        return False
    remit = hr_department_ids(user)
    return remit is None or employee.department_id in remit


def exit_owner_roles(*, user, employee: Employee) -> frozenset[str]:
    """The item owner roles ``user`` holds on ``employee``'s checklist (none on their own)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if is_own_record(actor=user, employee_id=employee.pk):
        return frozenset()
    roles = set()
    hr = _hr_covers(user, employee)
    if hr:
        roles.add(ExitItemOwner.HR)
    team = employee.team
    me = employee_of(user)
    if team is not None:
        supervises = me is not None and team.supervisor_id == me.pk
        if supervises or team.pk in covered_team_ids(user):
            roles.add(ExitItemOwner.SUPERVISOR)
    if hr and (team is None or team.supervisor_id is None):
        roles.add(ExitItemOwner.SUPERVISOR)
    return frozenset(roles)


def _base() -> QuerySet[ExitChecklist]:
    return ExitChecklist.objects.select_related(
        "employee", "employee__team", "employee__department", "employee__position", "created_by"
    )


def exit_checklist_list(*, user, filters: dict | None = None) -> QuerySet[ExitChecklist]:
    """Checklists of the leavers ``user`` may see: by default the scheduled ones (upcoming
    leavers), soonest first; ``status`` one of scheduled, left, cancelled, all; ``q`` a name or
    number."""
    filters = filters or {}
    qs = filter_by_employee(_base(), user)
    status = filters.get("status") or ExitChecklistStatus.SCHEDULED
    if status in ExitChecklistStatus.values:
        qs = qs.filter(status=status)
    if q := (filters.get("q") or "").strip()[:100]:
        qs = qs.filter(Q(employee__name__icontains=q) | Q(employee__employee_no__icontains=q))
    items = ExitChecklistItem.objects.select_related("done_by")
    qs = qs.prefetch_related(Prefetch("items", queryset=items))
    if status == ExitChecklistStatus.SCHEDULED:
        return qs.order_by("last_working_day", "pk")
    return qs.order_by("-last_working_day", "-pk")


def exit_checklist_get(*, user, pk) -> ExitChecklist:
    """One checklist with its items, or NotFoundError when missing or not visible (no leak)."""
    items = ExitChecklistItem.objects.select_related("done_by").order_by("position")
    checklist = (
        filter_by_employee(_base(), user).prefetch_related(Prefetch("items", queryset=items)).filter(pk=pk).first()
    )
    if checklist is None:
        raise NotFoundError(_("Exit checklist not found."))
    return checklist


def exit_item_get(*, user, pk) -> ExitChecklistItem:
    """One item whose checklist ``user`` may see, or NotFoundError."""
    item = (
        filter_by_employee(ExitChecklistItem.objects.select_related("checklist"), user, "checklist__employee")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise NotFoundError(_("Exit checklist item not found."))
    return item


def exit_checklist_of(*, employee: Employee) -> ExitChecklist | None:
    """The employee's current leaving (scheduled, or the last one carried out), or None."""
    return (
        ExitChecklist.objects.filter(
            employee=employee, status__in=[ExitChecklistStatus.SCHEDULED, ExitChecklistStatus.LEFT]
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def exit_checklist_hand_over(*, checklist: ExitChecklist) -> list[dict]:
    """What the leaver still holds in the apps above the core (COC-8), per provider:
    ``{"key", "label", "items", "colleagues"}``. Empty when no app registered a hand-over."""
    return [
        {
            "key": provider.key,
            "label": provider.label,
            "items": provider.open_items(employee_id=checklist.employee_id),
            "colleagues": provider.colleague_choices(employee_id=checklist.employee_id),
        }
        for provider in leaver_hand_over_providers()
    ]


def exit_final_month_verified(*, checklist: ExitChecklist) -> bool | None:
    """Whether attendance verified the leaver's final month (ATT-5); None without attendance."""
    day: datetime.date = checklist.last_working_day
    return final_month_verified(team_id=checklist.employee.team_id, day=day)


def leaver_hand_over_allowed(*, user, employee: Employee) -> bool:
    """Whether ``user`` may hand ``employee``'s customer work over (COC-8): the employee is
    leaving or has left, and ``user`` holds the hand-over item (supervisor's) of the checklist."""
    if not ExitChecklist.objects.filter(
        employee=employee, status__in=[ExitChecklistStatus.SCHEDULED, ExitChecklistStatus.LEFT]
    ).exists():
        return False
    return EXIT_ITEM_OWNERS[ExitItemKind.CUSTOMER_DATA] in exit_owner_roles(user=user, employee=employee)
