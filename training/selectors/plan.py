"""Reads of the annual plan (TRN-1): plans, their versions and items, the totals, the history of
adjustments, and the needs panel that helps HR find what to plan.

Who reads: HR and trainers (who draw the plan up), department managers and company leaders (read
only). Agents and supervisors do not see the plan (their training is on their own pages).
Query bounds: the plan page is a fixed number of queries whatever the number of items (items with
their course in one, the audiences' M2M in three prefetches, the employees counted in one).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import Employee, EmploymentStatus, Team
from callcenter.providers import training_indicator_provider, training_need_sources
from callcenter.roles import Role, has_role
from callcenter.selectors import policy_in_force, policy_models
from complaints.selectors import complaint_top_causes
from training.models import (
    AudienceKind,
    Course,
    NeedSource,
    PlanItem,
    PlanVersion,
    RecordResult,
    TopicArea,
    TrainingPlan,
    TrainingPolicy,
    TrainingRecord,
)
from training.rules import add_months, audience_head_count, plan_totals, version_changes
from training.selectors.audience import audience_label

__all__ = [
    "PLAN_EDIT_ROLES",
    "PLAN_READ_ROLES",
    "plan_course_choices",
    "plan_get",
    "plan_history",
    "plan_indicator_choices",
    "plan_item_get",
    "plan_item_initial",
    "plan_item_snapshot",
    "plan_items",
    "plan_list",
    "plan_needs",
    "plan_overview",
    "plan_version_current",
    "plan_version_list",
]

PLAN_EDIT_ROLES = (Role.HR, Role.TRAINER)
PLAN_READ_ROLES = (Role.HR, Role.TRAINER, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER)

NEEDS_MONTHS = 3  # the needs panel looks at the last three months
NEEDS_LIMIT = 10  # rows of each list of the needs panel


def _readable(user) -> bool:
    return has_role(user, *PLAN_READ_ROLES)


def plan_list(*, user) -> QuerySet[TrainingPlan]:
    """Every plan, newest year first, with the number of its latest version (none for a reader
    without a plan role)."""
    if not _readable(user):
        return TrainingPlan.objects.none()
    return TrainingPlan.objects.annotate(latest_version=Max("versions__number")).order_by("-year")


def plan_get(*, user, pk) -> TrainingPlan:
    plan = plan_list(user=user).filter(pk=pk).first() if pk else None
    if plan is None:
        raise NotFoundError(_("No such training plan."))
    return plan


def plan_version_list(*, user, plan_id) -> QuerySet[PlanVersion]:
    plan = plan_get(user=user, pk=plan_id)
    return PlanVersion.objects.filter(plan=plan).select_related("created_by").order_by("-number")


def plan_version_current(plan: TrainingPlan) -> PlanVersion | None:
    """The latest version: the one in force, or the draft before the first publication."""
    return PlanVersion.objects.filter(plan=plan).select_related("created_by").order_by("-number").first()


def plan_items(version: PlanVersion) -> QuerySet[PlanItem]:
    """A version's items with their course and audience names: 5 queries whatever their number."""
    return (
        PlanItem.objects.filter(version=version)
        .select_related("course")
        .prefetch_related(Prefetch("audience_positions"), Prefetch("audience_teams"), Prefetch("audience_people"))
        .order_by("quarter", "month", "title", "pk")
    )


def _audience_ids(item: PlanItem) -> list[int]:
    kind = item.audience_kind
    related = {
        AudienceKind.POSITIONS: item.audience_positions,
        AudienceKind.TEAMS: item.audience_teams,
        AudienceKind.PEOPLE: item.audience_people,
    }.get(kind)
    return sorted(o.pk for o in related.all()) if related is not None else []


def plan_item_snapshot(item: PlanItem) -> dict:
    """The compared values of an item (``training.rules.ITEM_COMPARED_FIELDS``), for the history
    and the audit trail (prefetch the audience M2M)."""
    return {
        "lineage": str(item.lineage),
        "title": item.title,
        "quarter": item.quarter,
        "month": item.month,
        "topic_area": item.topic_area,
        "delivery_mode": item.delivery_mode,
        "planned_hours": str(item.planned_hours),
        "budget": str(item.budget),
        "need": item.need,
        "need_source": item.need_source,
        "course_id": item.course_id,
        "indicator_code": item.indicator_code,
        "audience_kind": item.audience_kind,
        "audience_ids": _audience_ids(item),
    }


def _active_employees() -> list[tuple]:
    return list(
        Employee.objects.filter(status=EmploymentStatus.ACTIVE).values_list("pk", "team_id", "position_id", "hire_date")
    )


def plan_overview(*, user, plan_id, version_number: int | None = None, today: datetime.date | None = None) -> dict:
    """The plan page: the plan, the version shown (default the current one), every version, the
    items with their audience and head-count, and the totals per quarter and topic area."""
    today = today or timezone.localdate()
    plan = plan_get(user=user, pk=plan_id)
    versions = list(PlanVersion.objects.filter(plan=plan).select_related("created_by").order_by("-number"))
    version = versions[0] if versions else None
    if version_number is not None:
        version = next((v for v in versions if v.number == version_number), None)
        if version is None:
            raise NotFoundError(_("No such version of this plan."))
    items = list(plan_items(version)) if version else []
    new_hire_days = policy_in_force(TrainingPolicy, today).new_hire_days
    employees = _active_employees() if items else []
    day = max(today, datetime.date(plan.year, 1, 1)) if plan.year >= today.year else datetime.date(plan.year, 12, 31)
    for item in items:
        item.audience_text = audience_label(item)
        item.head_count = audience_head_count(
            kind=item.audience_kind, ids=_audience_ids(item), employees=employees, day=day, new_hire_days=new_hire_days
        )
    totals = plan_totals(
        {"quarter": i.quarter, "topic_area": i.topic_area, "planned_hours": i.planned_hours, "budget": i.budget}
        for i in items
    )
    topic_labels = dict(TopicArea.choices)
    by_topic = [
        {"key": key, "label": topic_labels.get(key, key), **values}
        for key, values in sorted(totals["by_topic"].items(), key=lambda kv: str(topic_labels.get(kv[0], kv[0])))
    ]
    chart = {
        "labels": [f"Q{q}" for q in (1, 2, 3, 4)],
        "hours": [float(totals["by_quarter"][q]["hours"]) for q in (1, 2, 3, 4)],
        "budget": [float(totals["by_quarter"][q]["budget"]) for q in (1, 2, 3, 4)],
        "hours_label": _("Planned hours"),
        "budget_label": _("Budget"),
    }
    return {
        "plan": plan,
        "version": version,
        "versions": versions,
        "is_current": bool(version and versions and version.pk == versions[0].pk),
        "items": items,
        "by_quarter": [{"quarter": q, **totals["by_quarter"][q]} for q in (1, 2, 3, 4)],
        "by_topic": by_topic,
        "total": totals["total"],
        "chart": chart,
    }


def plan_item_get(*, user, plan_id, lineage, version_number: int | None = None) -> PlanItem:
    """The item of ``lineage`` in the plan's current version (or the version named)."""
    plan = plan_get(user=user, pk=plan_id)
    qs = PlanItem.objects.filter(version__plan=plan, lineage=lineage).select_related("course", "version")
    if version_number is not None:
        qs = qs.filter(version__number=version_number)
    item = (
        qs.prefetch_related("audience_positions", "audience_teams", "audience_people")
        .order_by("-version__number")
        .first()
    )
    if item is None:
        raise NotFoundError(_("No such item in this plan."))
    return item


def plan_item_initial(item: PlanItem) -> dict:
    """The edit form's initial values of an item (its audience ids from the prefetch)."""
    return {
        "title": item.title,
        "month": item.month,
        "quarter": item.quarter,
        "topic_area": item.topic_area,
        "delivery_mode": item.delivery_mode,
        "planned_hours": item.planned_hours,
        "budget": item.budget,
        "need": item.need,
        "need_source": item.need_source,
        "course": item.course_id,
        "indicator_code": item.indicator_code,
        "audience_kind": item.audience_kind,
        "audience_positions": [o.pk for o in item.audience_positions.all()],
        "audience_teams": [o.pk for o in item.audience_teams.all()],
        "audience_people": [o.pk for o in item.audience_people.all()],
    }


def plan_indicator_choices() -> list[tuple[str, str]]:
    """The appraisal's indicators (through the provider), or none without performance."""
    provider = training_indicator_provider()
    return list(provider.indicators()) if provider else []


def plan_history(*, user, plan_id) -> list[dict]:
    """Every version, newest first, with what changed from the version before it (matched by
    lineage) and why. A fixed number of queries whatever the number of versions and items."""
    plan = plan_get(user=user, pk=plan_id)
    versions = list(PlanVersion.objects.filter(plan=plan).select_related("created_by").order_by("number"))
    items = (
        PlanItem.objects.filter(version__plan=plan)
        .prefetch_related("audience_positions", "audience_teams", "audience_people")
        .order_by("quarter", "month", "title", "pk")
    )
    by_version: dict[int, list[dict]] = defaultdict(list)
    for item in items:
        by_version[item.version_id].append(plan_item_snapshot(item))
    history = []
    previous: list[dict] = []
    for version in versions:
        current = by_version.get(version.pk, [])
        history.append({"version": version, "changes": version_changes(previous, current), "items": len(current)})
        previous = current
    return list(reversed(history))


def plan_course_choices() -> QuerySet[Course]:
    return Course.objects.filter(active=True).order_by("code")


# --- The needs panel (TRN-1) ------------------------------------------------------------------------


def _indicator_needs(today: datetime.date, threshold: Decimal) -> dict:
    provider = training_indicator_provider()
    if provider is None:
        return {"available": False, "rows": []}
    month_to = add_months(today.replace(day=1), -1)
    month_from = add_months(month_to, -(NEEDS_MONTHS - 1))
    labels = dict(provider.indicators())
    low = [
        row for row in provider.team_averages(month_from=month_from, month_to=month_to) if row["average"] < threshold
    ]
    low.sort(key=lambda r: (r["average"], r["team_id"]))
    low = low[:NEEDS_LIMIT]
    teams = dict(Team.objects.filter(pk__in={r["team_id"] for r in low}).values_list("pk", "name"))
    rows = [
        {
            **row,
            "team": teams.get(row["team_id"], "—"),
            "indicator": labels.get(row["indicator_code"], row["indicator_code"]),
        }
        for row in low
    ]
    return {"available": True, "rows": rows, "month_from": month_from, "month_to": month_to}


def _new_hire_needs(today: datetime.date) -> dict:
    days = policy_in_force(TrainingPolicy, today).new_hire_days
    since = today - datetime.timedelta(days=days)
    inducted = TrainingRecord.objects.filter(course__induction=True, result=RecordResult.PASSED).values("employee_id")
    qs = (
        Employee.objects.filter(status=EmploymentStatus.ACTIVE, hire_date__gt=since, hire_date__lte=today)
        .exclude(pk__in=inducted)
        .select_related("team")
        .order_by("hire_date", "employee_no")
    )
    people = list(qs[: NEEDS_LIMIT + 1])
    return {
        "days": days,
        "count": qs.count() if len(people) > NEEDS_LIMIT else len(people),
        "people": people[:NEEDS_LIMIT],
    }


def _policy_needs(today: datetime.date) -> list[dict]:
    since = add_months(today.replace(day=1), -NEEDS_MONTHS)
    rows = []
    for model in policy_models():
        for version in model.objects.filter(effective_from__gte=since, effective_from__lte=today).order_by(
            "-effective_from"
        )[:NEEDS_LIMIT]:
            rows.append(
                {
                    "label": str(model._meta.verbose_name),
                    "effective_from": version.effective_from,
                    "note": version.note,
                }
            )
    rows.sort(key=lambda r: r["effective_from"], reverse=True)
    return rows[:NEEDS_LIMIT]


def _other_needs(today: datetime.date) -> list[dict]:
    since = add_months(today.replace(day=1), -NEEDS_MONTHS)
    groups = []
    for source in training_need_sources():
        needs = source.needs(since=since)
        if needs:
            groups.append({"key": source.key, "label": source.label, "need_source": source.need_source, "needs": needs})
    return groups


def plan_needs(*, user, today: datetime.date | None = None, threshold: Decimal = Decimal("70")) -> dict | None:
    """The needs panel (TRN-1) for the people who draw the plan up (None for the others): team
    indicators below ``threshold`` (% of their scale) over the last three months (from the
    appraisal, when performance is installed), new hires without a passed induction course, new
    policy versions, the other modules' needs (the conduct code, once discipline registers it), and
    the most frequent complaint causes. Bounded: ~10 queries plus one per policy model."""
    if not has_role(user, *PLAN_EDIT_ROLES):
        return None
    today = today or timezone.localdate()
    since = add_months(today.replace(day=1), -NEEDS_MONTHS)
    return {
        "threshold": threshold,
        "since": since,
        "indicators": _indicator_needs(today, threshold),
        "new_hires": _new_hire_needs(today),
        "policies": _policy_needs(today),
        "others": _other_needs(today),
        "complaints": complaint_top_causes(date_from=since, date_to=today, limit=NEEDS_LIMIT),
        "sources": NeedSource,
    }
