"""Performance selectors: the monthly cycles (PRF-2) and HR's review of a month.

Who reads: HR (everything, and acts), company leaders and department managers (read-only, the
appraisals of the departments in their remit — the same visibility as the appraisal lists,
:func:`performance.selectors.appraisals.appraisal_visible_q`). Counts, gaps and the score
distribution of a cycle are always computed over the appraisals the reader may see.

Query shape: the visibility answer is computed once per call; every figure of the review is one
GROUP BY (progress per status, distribution per team and band) or one paginated list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import Department, Employee, EmploymentStatus, Team
from callcenter.roles import Role
from callcenter.selectors import employee_visibility_q, is_company_hr, policy_in_force
from performance import rules
from performance.models import (
    Appraisal,
    AppraisalCycle,
    AppraisalPolicy,
    AppraisalStatus,
    AppraisalTemplate,
    ScoreBand,
)
from performance.selectors.appraisals import appraisal_visible_q

__all__ = [
    "CYCLE_READER_ROLES",
    "CYCLE_STAGES",
    "CycleProgress",
    "appraisal_cycle_get",
    "appraisal_cycle_list",
    "appraisal_cycle_list_progress",
    "appraisal_cycle_opening_progress",
    "appraisal_cycle_review",
    "can_manage_cycles",
    "cycle_eligible_employees",
    "policy_for_month",
]

CYCLE_READER_ROLES = (Role.HR, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER)
# The stages a missing appraisal can wait in (PRF-3), in workflow order.
CYCLE_STAGES = (AppraisalStatus.SELF, AppraisalStatus.SUPERIOR, AppraisalStatus.INTERVIEW)
_GAP_ROWS = 50
_TEAM_CHART_MAX = 40
_NOT_SCORED = "-"


def policy_for_month(month: datetime.date) -> AppraisalPolicy:
    """The appraisal policy in force on the month's last day (PRF-2: scoring at month end)."""
    return policy_in_force(AppraisalPolicy, rules.month_last_day(month))


def cycle_eligible_employees(month: datetime.date) -> QuerySet[Employee]:
    """Employees appraised for ``month`` (PRF-2): employed on its last day — hired on or before
    it, and still active or left after it."""
    last = rules.month_last_day(month)
    return Employee.objects.filter(hire_date__lte=last).filter(
        Q(status=EmploymentStatus.ACTIVE) | Q(status=EmploymentStatus.LEFT, left_on__gt=last)
    )


def can_manage_cycles(user) -> bool:
    """Open, refresh, remind and lock: company HR only (PRF-2; the cycle is the company's)."""
    return is_company_hr(user)


@dataclass
class CycleProgress:
    """How far a cycle is (over the appraisals the reader may see)."""

    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0
    expected: int = 0
    # Locked appraisals that were finished first (their feedback interview was recorded, PRF-3);
    # the others were locked unfinished by HR's forced lock (PRF-2) and are not "done".
    locked_finished: int = 0

    def add(self, status: str, n: int, interviewed: int) -> None:
        self.counts[status] = self.counts.get(status, 0) + n
        self.total += n
        if status == AppraisalStatus.LOCKED:
            self.locked_finished += interviewed

    @property
    def forced(self) -> int:
        """Locked without being finished (HR's forced lock): band E, no performance bonus (PRF-4)."""
        return self.counts.get(AppraisalStatus.LOCKED, 0) - self.locked_finished

    @property
    def done(self) -> int:
        """Really finished: completed, or locked after being completed — never a forced lock."""
        return self.counts.get(AppraisalStatus.COMPLETED, 0) + self.locked_finished

    @property
    def pending(self) -> int:
        """Not completed yet (waiting for the self-evaluation, the superior or the interview)."""
        return sum(self.counts.get(s, 0) for s in CYCLE_STAGES)

    @property
    def done_percent(self) -> int:
        return round(self.done * 100 / self.total) if self.total else 0

    @property
    def segments(self) -> list[dict]:
        """The progress bar: one segment per status, in workflow order."""
        rows = []
        for status in AppraisalStatus:
            count = self.counts.get(status.value, 0)
            if status == AppraisalStatus.LOCKED:
                rows.append(self._segment("locked", _("Locked, completed"), self.locked_finished))
                rows.append(self._segment("forced", _("Locked unfinished (forced)"), self.forced))
                continue
            rows.append(
                {
                    "status": status.value,
                    "label": status.label,
                    "count": count,
                    "percent": round(count * 100 / self.total, 1) if self.total else 0,
                }
            )
        return rows

    def _segment(self, status: str, label, count: int) -> dict:
        percent = round(count * 100 / self.total, 1) if self.total else 0
        return {"status": status, "label": label, "count": count, "percent": percent}

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "expected": self.expected,
            "done": self.done,
            "done_percent": self.done_percent,
            "pending": self.pending,
            "forced": self.forced,
            "by_status": {s.value: self.counts.get(s.value, 0) for s in AppraisalStatus},
        }


def _visible(user) -> QuerySet[Appraisal]:
    q = appraisal_visible_q(user)
    qs = Appraisal.objects.all()
    return qs if q is None else qs.filter(q)


def appraisal_cycle_list(*, user) -> QuerySet[AppraisalCycle]:
    """Every cycle, newest first (the cycles themselves hold no personal data; their figures are
    counted over what the reader may see, :func:`appraisal_cycle_list_progress`)."""
    return AppraisalCycle.objects.select_related("opened_by", "locked_by", "policy").order_by("-month")


def appraisal_cycle_list_progress(*, user, cycles: list[AppraisalCycle]) -> dict[int, CycleProgress]:
    """{cycle id: progress} for a page of cycles. One GROUP BY query."""
    progress = {c.pk: CycleProgress(expected=c.employees_expected) for c in cycles}
    rows = (
        _visible(user)
        .filter(cycle_id__in=list(progress))
        .values_list("cycle_id", "status")
        .annotate(n=Count("pk"), interviewed=Count("interview"))
        .order_by()
    )
    for cycle_id, status, n, interviewed in rows:
        progress[cycle_id].add(status, n, interviewed)
    return progress


def appraisal_cycle_opening_progress(*, cycle: AppraisalCycle) -> dict:
    """How far the opening of ``cycle`` has come (PRF-2): appraisals created of those expected, for
    the progress bar HR watches while the task runs. One query."""
    created = Appraisal.objects.filter(cycle=cycle).count()
    expected = max(cycle.employees_expected, created)
    percent = 100 if expected == 0 else min(100, created * 100 // expected)
    return {"created": created, "expected": expected, "percent": percent}


def appraisal_cycle_get(*, user, pk) -> AppraisalCycle:
    cycle = (
        AppraisalCycle.objects.select_related("opened_by__employee", "locked_by__employee", "policy")
        .filter(pk=pk)
        .first()
    )
    if cycle is None:
        raise NotFoundError(_("Appraisal cycle not found."))
    return cycle


def _filtered(qs: QuerySet, filters: dict, prefix: str = "") -> QuerySet:
    if department := filters.get("department"):
        qs = qs.filter(**{f"{prefix}department_id": department})
    if team := filters.get("team"):
        qs = qs.filter(**{f"{prefix}team_id": team})
    return qs


def _progress(scope: QuerySet, expected: int) -> CycleProgress:
    progress = CycleProgress(expected=expected)
    for status, n, interviewed in (
        scope.values_list("status").annotate(n=Count("pk"), interviewed=Count("interview")).order_by()
    ):
        progress.add(status, n, interviewed)
    return progress


def _missing(scope: QuerySet, stage: str) -> QuerySet[Appraisal]:
    stages = [stage] if stage in CYCLE_STAGES else list(CYCLE_STAGES)
    return (
        scope.filter(status__in=stages)
        .select_related("employee", "team", "department__manager", "evaluator")
        .order_by("status", "team__code", "employee__employee_no", "pk")
    )


def _without_template(user, cycle: AppraisalCycle, filters: dict) -> tuple[int, list[Employee]]:
    """Employed at month end, in the reader's remit, no appraisal in the cycle: their post had no
    active template when the cycle opened (or they were added since; a refresh opens theirs)."""
    qs = cycle_eligible_employees(cycle.month).exclude(
        pk__in=Appraisal.objects.filter(cycle=cycle).values("employee_id")
    )
    q = employee_visibility_q(user)
    if q is not None:
        qs = qs.filter(q)
    qs = _filtered(qs, filters).annotate(
        template_now=Exists(AppraisalTemplate.objects.filter(position_id=OuterRef("position_id"), active=True))
    )
    rows = list(
        qs.select_related("department", "team", "position").order_by("position__code", "employee_no")[:_GAP_ROWS]
    )
    count = len(rows) if len(rows) < _GAP_ROWS else qs.count()
    return count, rows


def _without_evaluator(scope: QuerySet) -> tuple[int, list[Appraisal]]:
    qs = scope.filter(evaluator__isnull=True).select_related("employee", "team", "department__manager")
    rows = list(qs.order_by("team__code", "employee__employee_no")[:_GAP_ROWS])
    count = len(rows) if len(rows) < _GAP_ROWS else qs.count()
    return count, rows


_BANDS = [b.value for b in ScoreBand]


def _distribution(scope: QuerySet, filters: dict) -> dict:
    """Bands A–E (and "not scored yet") per team, with the team's average combined score
    (PRF-4). Grouped per department instead when there are too many teams for one chart and no
    department is chosen. One GROUP BY + one query for the names."""
    by_team = not filters.get("department") and not filters.get("team")
    rows = list(
        scope.values_list("team_id", "department_id", "band")
        .annotate(n=Count("pk"), total=Sum("total_score"), scored=Count("total_score"))
        .order_by()
    )
    team_ids = {r[0] for r in rows}
    group_by = "team" if (not by_team or len(team_ids) <= _TEAM_CHART_MAX) else "department"
    groups: dict = {}
    for team_id, department_id, band, n, total, scored in rows:
        key = team_id if group_by == "team" else department_id
        g = groups.setdefault(
            key, {"key": key, "bands": dict.fromkeys([*_BANDS, _NOT_SCORED], 0), "n": 0, "sum": Decimal(0), "scored": 0}
        )
        g["bands"][band or _NOT_SCORED] += n
        g["n"] += n
        g["sum"] += total or 0
        g["scored"] += scored
    if group_by == "team":
        names = dict(Team.objects.filter(pk__in=[k for k in groups if k]).values_list("pk", "name"))
    else:
        names = dict(Department.objects.filter(pk__in=list(groups)).values_list("pk", "name"))
    table = []
    for key, g in groups.items():
        g["name"] = names.get(key) or _("No team")
        g["average"] = rules.q2(g["sum"] / g["scored"]) if g["scored"] else None
        g["band_list"] = [(band, g["bands"][band]) for band in [*_BANDS, _NOT_SCORED]]
        table.append(g)
    table.sort(key=lambda g: str(g["name"]))
    band_labels = {b.value: b.label for b in ScoreBand}
    chart = {
        "labels": [str(g["name"]) for g in table],
        "datasets": [
            {
                "band": band,
                "label": str(band_labels.get(band) or _("Not scored yet")),
                "data": [g["bands"][band] for g in table],
            }
            for band in [*_BANDS, _NOT_SCORED]
        ],
        "averages": [None if g["average"] is None else float(g["average"]) for g in table],
        "average_label": _("Average combined score"),
    }
    return {"group_by": group_by, "rows": table, "chart": chart}


def _filter_options(scope_all: QuerySet) -> tuple[list[Department], list[Team]]:
    departments = list(Department.objects.filter(pk__in=scope_all.values("department_id")).order_by("code"))
    teams = list(Team.objects.filter(pk__in=scope_all.values("team_id")).order_by("code"))
    return departments, teams


def appraisal_cycle_review(*, user, cycle: AppraisalCycle, filters: dict | None = None) -> dict:
    """Everything HR's review page of ``cycle`` shows, over the appraisals ``user`` may see,
    narrowed by ``filters`` (department, team, stage):

    - ``progress``: counts per status, % done (completed or locked);
    - ``missing``: the appraisals still waiting (self / superior / interview), a queryset to
      paginate, with employee, team, evaluator and the department manager (who acts when the
      evaluator is missing);
    - ``without_template`` / ``without_evaluator``: (count, first rows) — who HR must fix;
    - ``distribution``: bands A–E per team with the average combined score, and chart data;
    - ``departments`` / ``teams``: the filter options; ``deadlines``.
    """
    filters = filters or {}
    scope_all = _visible(user).filter(cycle=cycle)
    scope = _filtered(scope_all, filters)
    departments, teams = _filter_options(scope_all)
    progress = _progress(scope, cycle.employees_expected)
    narrowed = filters.get("department") or filters.get("team")
    return {
        "cycle": cycle,
        "progress": progress,
        # The whole cycle in the reader's remit (what locking acts on), whatever the filters.
        "overall": _progress(scope_all, cycle.employees_expected) if narrowed else progress,
        "missing": _missing(scope, filters.get("stage") or ""),
        "without_template": _without_template(user, cycle, filters),
        "without_evaluator": _without_evaluator(scope),
        "distribution": _distribution(scope, filters),
        "departments": departments,
        "teams": teams,
        "month_end": rules.month_last_day(cycle.month),
        "today": timezone.localdate(),
    }
