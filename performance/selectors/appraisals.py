"""Performance selectors: appraisals (PRF-3). Who sees which appraisal, what each reader may see
of it and do with it, and the explanations of its numbers.

Visibility (the one answer, :mod:`callcenter.selectors.org` on ``Appraisal.employee``): an agent
sees their own appraisals; a supervisor their team's; a department manager (and the company
leader in charge) their department's; HR the whole company. The evaluating superior also sees the
appraisals they evaluate (an employee who moved team keeps the evaluator copied at opening).

Within a visible appraisal, the employee's self-evaluation shows to others once submitted, and
the superior's scores show to the employee once the superior has submitted (drafts are private).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import Employee, EmploymentStatus
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_of, employee_visibility_q
from performance import rules
from performance.models import (
    ActionStatus,
    Appraisal,
    AppraisalCycle,
    AppraisalItem,
    AppraisalStatus,
    CycleStatus,
    ImprovementAction,
    IndicatorGroup,
    ScoringMethod,
)

__all__ = [
    "SEND_BACK_FROM",
    "AppraisalAccess",
    "acting_evaluator",
    "acting_evaluator_ids",
    "appraisal_access",
    "appraisal_cycle_months",
    "appraisal_dashboard_decide",
    "appraisal_dashboard_mine",
    "appraisal_explanation_lines",
    "appraisal_get",
    "appraisal_history_chart",
    "appraisal_item_groups",
    "appraisal_list",
    "appraisal_mine",
    "appraisal_status_counts",
    "appraisal_visible_q",
    "open_actions_before",
]

# HR sends back to a step only from a later one (PRF-3).
SEND_BACK_FROM = {
    "self": {AppraisalStatus.SUPERIOR, AppraisalStatus.INTERVIEW, AppraisalStatus.COMPLETED},
    "superior": {AppraisalStatus.INTERVIEW, AppraisalStatus.COMPLETED},
}
_LIST_RELATED = ("employee", "team", "department", "evaluator", "cycle")


def appraisal_visible_q(user) -> Q | None:
    """A Q over Appraisal for ``user`` (None: everything)."""
    q = employee_visibility_q(user, prefix="employee")
    if q is None:
        return None
    me = employee_of(user)
    if me is not None:
        q |= Q(evaluator_id=me.pk)
    return q


def _visible(user) -> QuerySet[Appraisal]:
    q = appraisal_visible_q(user)
    qs = Appraisal.objects.all()
    return qs if q is None else qs.filter(q)


def acting_evaluator(appraisal: Appraisal) -> Employee | None:
    """Who evaluates (PRF-3): the evaluator copied at opening while they are still employed;
    when they have left or there is none, the department manager. Never the employee."""
    evaluator = appraisal.evaluator
    if evaluator is not None and evaluator.status == EmploymentStatus.ACTIVE and evaluator.pk != appraisal.employee_id:
        return evaluator
    manager = appraisal.department.manager
    if manager is not None and manager.status == EmploymentStatus.ACTIVE and manager.pk != appraisal.employee_id:
        return manager
    return None


def acting_evaluator_ids(appraisal: Appraisal) -> list[int]:
    """The id of :func:`acting_evaluator`, as a list (empty: nobody may evaluate now)."""
    evaluator = acting_evaluator(appraisal)
    return [] if evaluator is None else [evaluator.pk]


def appraisal_list(*, user, filters: dict | None = None) -> QuerySet[Appraisal]:
    """Appraisals ``user`` may see, filtered by month, status, team, department and a name or
    employee-number search; ordered by team and employee number."""
    filters = filters or {}
    qs = _visible(user).select_related(*_LIST_RELATED)
    if month := filters.get("month"):
        qs = qs.filter(month=month)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if team := filters.get("team"):
        qs = qs.filter(team_id=team)
    if department := filters.get("department"):
        qs = qs.filter(department_id=department)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(employee__name__icontains=q) | Q(employee__employee_no__icontains=q))
    return qs.order_by("-month", "team__code", "employee__employee_no", "pk")


def appraisal_status_counts(*, user, filters: dict | None = None) -> dict:
    """Progress of the listed appraisals: {status: count, "total": n}. One aggregate query."""
    filters = {k: v for k, v in (filters or {}).items() if k != "status"}
    qs = appraisal_list(user=user, filters=filters).order_by()
    rows = qs.values("status").annotate(n=Count("pk"))
    counts = {s: 0 for s in AppraisalStatus.values}
    for row in rows:
        counts[row["status"]] = row["n"]
    counts["total"] = sum(counts[s] for s in AppraisalStatus.values)
    done = counts[AppraisalStatus.COMPLETED] + counts[AppraisalStatus.LOCKED]
    counts["done_percent"] = round(done * 100 / counts["total"]) if counts["total"] else 0
    return counts


def appraisal_cycle_months() -> list[datetime.date]:
    return list(AppraisalCycle.objects.order_by("-month").values_list("month", flat=True)[:36])


def appraisal_get(*, user, pk) -> Appraisal:
    """One appraisal with its items (and indicators), interview and improvement actions, or
    NotFoundError when it does not exist or is not visible (no leak)."""
    appraisal = (
        _visible(user)
        .select_related(
            "cycle",
            "employee",
            "team",
            "department__manager",
            "position",
            "evaluator",
            "superior_by",
            "interview__recorded_by",
        )
        .prefetch_related("actions__owner")
        .filter(pk=pk)
        .first()
    )
    if appraisal is None:
        raise NotFoundError(_("Appraisal not found."))
    appraisal.item_list = list(
        AppraisalItem.objects.filter(appraisal=appraisal).select_related("indicator").order_by("order", "id")
    )
    return appraisal


def open_actions_before(*, employee_id: int, month: datetime.date, lock: bool = False) -> list[ImprovementAction]:
    """Improvement actions of earlier months still open (PRF-3): reviewed at this month's
    interview and shown on this month's appraisal."""
    qs = ImprovementAction.objects.filter(employee_id=employee_id, status=ActionStatus.OPEN, appraisal__month__lt=month)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return list(qs.select_related("owner", "appraisal").order_by("due_on", "id"))


def appraisal_mine(*, user, history_limit: int = 24) -> dict:
    """The reader's own appraisals: the current one (the newest whose month is not locked),
    the history (newest first, ``history_limit`` months) and the improvement actions still open.
    Three queries."""
    me = employee_of(user)
    if me is None:
        return {"employee": None, "current": None, "history": [], "open_actions": []}
    history = list(
        Appraisal.objects.filter(employee=me)
        .select_related("cycle", "evaluator", "employee", "team")
        .order_by("-month")[:history_limit]
    )
    current = next(
        (a for a in history if a.status != AppraisalStatus.LOCKED and a.cycle.status != CycleStatus.LOCKED), None
    )
    open_actions = list(
        ImprovementAction.objects.filter(employee=me, status=ActionStatus.OPEN)
        .select_related("owner", "appraisal")
        .order_by("due_on", "id")
    )
    return {"employee": me, "current": current, "history": history, "open_actions": open_actions}


def appraisal_history_chart(history: list[Appraisal]) -> dict:
    """{labels, values, bands} of the combined scores, oldest first, for the chart."""
    rows = [a for a in reversed(history) if a.total_score is not None]
    return {
        "labels": [a.month.strftime("%Y-%m") for a in rows],
        "values": [float(a.total_score) for a in rows],
        "bands": [a.band for a in rows],
        "label": _("Combined score"),
    }


@dataclass(frozen=True)
class AppraisalAccess:
    """What one reader may see of and do with one appraisal."""

    is_employee: bool
    is_evaluator: bool
    is_hr: bool
    locked: bool
    can_self: bool
    can_superior: bool
    superior_waits: bool
    can_interview: bool
    send_back_stages: tuple[str, ...]
    show_self: bool
    show_superior: bool


def appraisal_access(*, user, appraisal: Appraisal) -> AppraisalAccess:
    me = employee_of(user)
    is_employee = me is not None and me.pk == appraisal.employee_id
    is_evaluator = me is not None and not is_employee and me.pk in acting_evaluator_ids(appraisal)
    is_hr = has_role(user, Role.HR)
    locked = appraisal.status == AppraisalStatus.LOCKED or appraisal.cycle.status == CycleStatus.LOCKED
    status = appraisal.status
    self_fallback = (
        status == AppraisalStatus.SELF
        and appraisal.returned_at is None
        and timezone.localdate() > appraisal.cycle.self_deadline
    )
    can_superior = is_evaluator and not locked and (status == AppraisalStatus.SUPERIOR or self_fallback)
    return AppraisalAccess(
        is_employee=is_employee,
        is_evaluator=is_evaluator,
        is_hr=is_hr,
        locked=locked,
        can_self=is_employee and not locked and status == AppraisalStatus.SELF,
        can_superior=can_superior,
        superior_waits=is_evaluator and not locked and status == AppraisalStatus.SELF and not can_superior,
        can_interview=is_evaluator and not locked and status == AppraisalStatus.INTERVIEW,
        send_back_stages=tuple(
            s for s, allowed in SEND_BACK_FROM.items() if is_hr and not locked and status in allowed
        ),
        show_self=is_employee or appraisal.self_submitted_at is not None,
        show_superior=is_evaluator or appraisal.superior_submitted_at is not None,
    )


def appraisal_explanation_lines(appraisal: Appraisal) -> list[str]:
    """The stored explanation of the appraisal's scores, in the reader's language."""
    return [rules.explain(entry) for entry in (appraisal.explanation or [])]


def appraisal_item_groups(appraisal: Appraisal, access: AppraisalAccess) -> list[dict]:
    """Items grouped by the four PRF-1 groups, with each group's weight; scores the reader may
    not see yet (unsubmitted drafts of the other party) are blanked, and every automatic item
    carries its explanation text."""
    groups = []
    for value, label in IndicatorGroup.choices:
        rows = [i for i in appraisal.item_list if i.group == value]
        if not rows:
            continue
        for item in rows:
            item.is_manual = item.method == ScoringMethod.MANUAL
            item.visible_self_score = item.self_score if access.show_self else None
            item.visible_self_comment = item.self_comment if access.show_self else ""
            item.visible_superior_score = item.superior_score if access.show_superior else None
            item.visible_superior_comment = item.superior_comment if access.show_superior else ""
            item.explanation_text = rules.explain(item.explanation) if item.explanation else ""
        groups.append({"group": value, "label": label, "weight": sum(i.weight for i in rows), "items": rows})
    return groups


# --- Dashboard cards (callcenter.providers.DashboardCard, registered in performance/apps.py) -------


def appraisal_dashboard_mine(*, user, me: Employee) -> dict | None:
    """The reader's latest appraisal on their dashboard (PRF-2, PRF-3): the month, where it stands
    and, once combined, the score and band (PRF-4). None before their first cycle. One query."""
    appraisal = Appraisal.objects.filter(employee_id=me.pk).select_related("cycle").order_by("-month").first()
    if appraisal is None:
        return None
    return {"appraisal": appraisal, "self_due": appraisal.status == AppraisalStatus.SELF}


def appraisal_dashboard_decide(*, user, me: Employee) -> dict | None:
    """Appraisals waiting for the reader as their acting evaluator (PRF-3, as
    :func:`acting_evaluator` decides: the evaluator copied at opening while still employed, else
    the department manager): the superior's evaluation and the feedback interview. None when
    nothing waits. One query."""
    evaluator_gone = Q(evaluator__isnull=True) | ~Q(evaluator__status=EmploymentStatus.ACTIVE)
    acting = Q(evaluator_id=me.pk, evaluator__status=EmploymentStatus.ACTIVE) | (
        Q(department__manager_id=me.pk, department__manager__status=EmploymentStatus.ACTIVE)
        & (evaluator_gone | Q(evaluator_id=F("employee_id")))
    )
    counts = dict(
        Appraisal.objects.filter(acting, status__in=(AppraisalStatus.SUPERIOR, AppraisalStatus.INTERVIEW))
        .exclude(employee_id=me.pk)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not counts:
        return None
    return {
        "superior": counts.get(AppraisalStatus.SUPERIOR, 0),
        "interview": counts.get(AppraisalStatus.INTERVIEW, 0),
    }
