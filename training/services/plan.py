"""Writes of the annual plan (TRN-1), by HR and trainers.

Drafts and versions (decided and documented in docs/training.md, "Plan and effect"): a new plan is
a draft (version 1, not in force): its items are added, changed and removed freely (each write
audited). Publishing puts version 1 in force. From then on, every change of an item is an
adjustment: a new version, with its reason (required), who and when, that copies the items of the
version it replaces and applies the change; the replaced version is never altered. The plan's row
is locked for the whole write, so two adjustments at once become two versions in turn.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.models import Employee, Position, Team
from callcenter.providers import training_indicator_provider
from callcenter.roles import has_role
from datasecurity.services import audit_record
from training.errors import TrainingErrorCode
from training.models import (
    AudienceKind,
    Course,
    DeliveryMode,
    NeedSource,
    PlanItem,
    PlanVersion,
    TopicArea,
    TrainingPlan,
)
from training.rules import quarter_of_month
from training.selectors.plan import PLAN_EDIT_ROLES, plan_item_snapshot

__all__ = [
    "PLAN_ITEM_FIELDS",
    "plan_create",
    "plan_item_add",
    "plan_item_change",
    "plan_item_remove",
    "plan_publish",
]

# What a caller may set on an item (forms and serializers name exactly these: mass assignment).
PLAN_ITEM_FIELDS = (
    "title",
    "quarter",
    "month",
    "topic_area",
    "delivery_mode",
    "planned_hours",
    "budget",
    "need",
    "need_source",
    "course_id",
    "indicator_code",
    "audience_kind",
    "audience_position_ids",
    "audience_team_ids",
    "audience_people_ids",
)
REASON_MIN_LENGTH = 5


def _invalid(message, field=None):
    return ApplicationError(message, code=TrainingErrorCode.INVALID_INPUT, field=field)


def _require_planner(actor) -> None:
    if not has_role(actor, *PLAN_EDIT_ROLES):
        raise PermissionDeniedError(
            _("Only HR and trainers draw up the training plan (TRN-1)."), code=TrainingErrorCode.NOT_ALLOWED
        )


def _plan_locked(plan_id) -> TrainingPlan:
    plan = TrainingPlan.objects.select_for_update().filter(pk=plan_id).first() if plan_id else None
    if plan is None:
        raise ApplicationError(_("No such training plan."), code=TrainingErrorCode.PLAN_NOT_FOUND, status=404)
    return plan


@transaction.atomic
def plan_create(*, actor, year: int, title: str) -> TrainingPlan:
    """A new plan for ``year`` with its draft (version 1). One plan per year."""
    _require_planner(actor)
    title = (title or "").strip()
    if not title:
        raise _invalid(_("Give the plan a title."), "title")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise _invalid(_("The year must be between 2000 and 2100."), "year")
    if TrainingPlan.objects.filter(year=year).exists():
        raise ApplicationError(
            _("There is already a training plan for %(year)s.") % {"year": year},
            code=TrainingErrorCode.PLAN_YEAR_TAKEN,
            status=409,
            field="year",
        )
    try:
        with transaction.atomic():
            plan = TrainingPlan.objects.create(year=year, title=title[:200], created_by=actor)
    except IntegrityError as exc:  # the same year created at the same moment
        raise ApplicationError(
            _("There is already a training plan for %(year)s.") % {"year": year},
            code=TrainingErrorCode.PLAN_YEAR_TAKEN,
            status=409,
            field="year",
        ) from exc
    version = PlanVersion.objects.create(plan=plan, number=1, created_by=actor)
    audit_record(
        actor=actor, action="training_plan.create", obj=plan, changes={"year": year, "version": version.number}
    )
    return plan


@transaction.atomic
def plan_publish(*, actor, plan_id: int) -> PlanVersion:
    """Put the draft (version 1) in force (TRN-1); later changes are adjustments."""
    _require_planner(actor)
    plan = _plan_locked(plan_id)
    version = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    if version is None or not version.is_draft:
        raise ApplicationError(
            _("This plan is already in force: change it by an adjustment, with its reason."),
            code=TrainingErrorCode.PLAN_ALREADY_PUBLISHED,
            status=409,
        )
    if not version.items.exists():
        raise _invalid(_("Add at least one item before putting the plan in force."))
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    audit_record(
        actor=actor,
        action="training_plan.publish",
        obj=plan,
        changes={"version": version.number, "items": version.items.count()},
    )
    return version


def _clean_item(data: dict) -> dict:
    """The item's values checked and normalised; a refusal names the field (nothing is written)."""
    unknown = set(data) - set(PLAN_ITEM_FIELDS)
    if unknown:
        raise _invalid(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    clean = {}
    title = str(data.get("title") or "").strip()
    if not title or len(title) > 200:
        raise _invalid(_("Give the item a title (at most 200 characters)."), "title")
    clean["title"] = title
    month = data.get("month")
    quarter = data.get("quarter")
    if month in ("", None):
        month = None
    if quarter in ("", None):
        quarter = None
    try:
        month = int(month) if month is not None else None
        quarter = int(quarter) if quarter is not None else None
    except (TypeError, ValueError) as exc:
        raise _invalid(_("Give a month (1–12) or a quarter (1–4)."), "quarter") from exc
    if month is not None:
        if not 1 <= month <= 12:
            raise _invalid(_("The month must be 1 to 12."), "month")
        if quarter is not None and quarter != quarter_of_month(month):
            raise _invalid(
                _("Month %(month)s is not in quarter %(quarter)s.") % {"month": month, "quarter": quarter}, "month"
            )
        quarter = quarter_of_month(month)
    if quarter is None or not 1 <= quarter <= 4:
        raise _invalid(_("Give a month (1–12) or a quarter (1–4)."), "quarter")
    clean["month"], clean["quarter"] = month, quarter
    for name, choices, message in (
        ("topic_area", TopicArea, _("Choose a topic area.")),
        ("delivery_mode", DeliveryMode, _("Choose a delivery mode.")),
        ("need_source", NeedSource, _("Choose where the need comes from.")),
        ("audience_kind", AudienceKind, _("Choose the audience.")),
    ):
        value = data.get(name) or (AudienceKind.EVERYONE if name == "audience_kind" else "")
        if value not in choices.values:
            raise _invalid(message, name)
        clean[name] = value
    for name, minimum, places, message in (
        ("planned_hours", Decimal("0.5"), Decimal("0.1"), _("Planned hours: a number from 0.5 to 99999.")),
        ("budget", Decimal("0"), Decimal("0.01"), _("Budget: an amount of 0 or more (at most 9,999,999,999.99).")),
    ):
        raw = data.get(name)
        if raw in (None, "") and name == "budget":
            raw = "0"
        try:
            value = Decimal(str(raw))
        except (InvalidOperation, ValueError) as exc:
            raise _invalid(message, name) from exc
        limit = Decimal("99999") if name == "planned_hours" else Decimal("9999999999.99")
        if not value.is_finite() or value < minimum or value > limit or value != value.quantize(places):
            raise _invalid(message, name)
        clean[name] = value.quantize(places)
    need = str(data.get("need") or "").strip()
    if not need or len(need) > 2000:
        raise _invalid(_("Say which need the item answers (at most 2,000 characters)."), "need")
    clean["need"] = need
    course_id = data.get("course_id")
    if course_id in ("", None):
        clean["course_id"] = None
    else:
        if not Course.objects.filter(pk=course_id).exists():
            raise ApplicationError(_("No such course."), code=TrainingErrorCode.COURSE_NOT_FOUND, field="course_id")
        clean["course_id"] = int(course_id)
    code = str(data.get("indicator_code") or "").strip()
    if code:
        provider = training_indicator_provider()
        if provider is not None and code not in dict(provider.indicators()):
            raise _invalid(_("No such appraisal indicator."), "indicator_code")
        if len(code) > 40:
            raise _invalid(_("No such appraisal indicator."), "indicator_code")
    clean["indicator_code"] = code
    ids = {
        "audience_position_ids": (Position, AudienceKind.POSITIONS),
        "audience_team_ids": (Team, AudienceKind.TEAMS),
        "audience_people_ids": (Employee, AudienceKind.PEOPLE),
    }
    for name, (model, kind) in ids.items():
        values = sorted({int(v) for v in (data.get(name) or [])}) if clean["audience_kind"] == kind else []
        if clean["audience_kind"] == kind:
            if not values:
                raise ApplicationError(
                    _("Name at least one for this audience."), code=TrainingErrorCode.AUDIENCE_EMPTY, field=name
                )
            if model.objects.filter(pk__in=values).count() != len(values):
                raise _invalid(_("Some of the chosen do not exist."), name)
        clean[name] = values
    return clean


def _item_write(item: PlanItem, clean: dict) -> PlanItem:
    for name in PLAN_ITEM_FIELDS:
        if not name.endswith("_ids"):
            setattr(item, name, clean[name])
    item.save()
    item.audience_positions.set(clean["audience_position_ids"])
    item.audience_teams.set(clean["audience_team_ids"])
    item.audience_people.set(clean["audience_people_ids"])
    return item


def _copy_items(source: PlanVersion, target: PlanVersion) -> None:
    """Copy every item of ``source`` (with its lineage and audience) into ``target``."""
    items = list(source.items.prefetch_related("audience_positions", "audience_teams", "audience_people"))
    copies = []
    for item in items:
        copy = PlanItem(version=target)
        for field in PlanItem._meta.concrete_fields:
            if field.name not in ("id", "version"):
                setattr(copy, field.attname, getattr(item, field.attname))
        copies.append(copy)
    PlanItem.objects.bulk_create(copies)
    for relation in ("audience_positions", "audience_teams", "audience_people"):
        through = getattr(PlanItem, relation).through
        column = {"audience_positions": "position_id", "audience_teams": "team_id", "audience_people": "employee_id"}[
            relation
        ]
        rows = [
            through(planitem_id=copy.pk, **{column: related.pk})
            for item, copy in zip(items, copies, strict=True)
            for related in getattr(item, relation).all()
        ]
        through.objects.bulk_create(rows)


def _version_to_write(*, actor, plan: TrainingPlan, reason: str) -> tuple[PlanVersion, bool]:
    """The version a change goes into: the draft itself, or a new version (copy of the one in
    force) with ``reason``. Returns (version, is_adjustment)."""
    current = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    if current.is_draft:
        return current, False
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH or len(reason) > 2000:
        raise ApplicationError(
            _("The plan is in force: say why it is adjusted (at least %(n)s characters).") % {"n": REASON_MIN_LENGTH},
            code=TrainingErrorCode.PLAN_REASON_REQUIRED,
            field="reason",
        )
    version = PlanVersion.objects.create(
        plan=plan, number=current.number + 1, reason=reason, created_by=actor, published_at=timezone.now()
    )
    _copy_items(current, version)
    return version, True


def _audit(actor, action, plan, version, item_changes: dict, reason: str, adjustment: bool):
    audit_record(
        actor=actor,
        action=action,
        obj=plan,
        changes={
            "version": version.number,
            "adjustment": adjustment,
            **({"reason": reason} if adjustment else {}),
            **item_changes,
        },
    )


@transaction.atomic
def plan_item_add(*, actor, plan_id: int, reason: str = "", **fields) -> PlanItem:
    """Add an item: to the draft, or by an adjustment (a new version with ``reason``)."""
    _require_planner(actor)
    plan = _plan_locked(plan_id)
    clean = _clean_item(fields)
    version, adjustment = _version_to_write(actor=actor, plan=plan, reason=reason)
    item = _item_write(PlanItem(version=version), clean)
    _audit(actor, "training_plan.item_add", plan, version, {"item": plan_item_snapshot(item)}, reason, adjustment)
    return item


def _item_in(version: PlanVersion, lineage) -> PlanItem:
    item = version.items.filter(lineage=lineage).first() if lineage else None
    if item is None:
        raise ApplicationError(_("No such item in this plan."), code=TrainingErrorCode.PLAN_ITEM_NOT_FOUND, status=404)
    return item


def _lineage_check(plan: TrainingPlan, lineage) -> None:
    current = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    _item_in(current, lineage)


@transaction.atomic
def plan_item_change(*, actor, plan_id: int, lineage, reason: str = "", **fields) -> PlanItem:
    """Change an item (all its values given): in the draft, or by an adjustment."""
    _require_planner(actor)
    plan = _plan_locked(plan_id)
    _lineage_check(plan, lineage)
    clean = _clean_item(fields)
    version, adjustment = _version_to_write(actor=actor, plan=plan, reason=reason)
    item = _item_in(version, lineage)
    before = plan_item_snapshot(
        PlanItem.objects.prefetch_related("audience_positions", "audience_teams", "audience_people").get(pk=item.pk)
    )
    item = _item_write(item, clean)
    after = plan_item_snapshot(
        PlanItem.objects.prefetch_related("audience_positions", "audience_teams", "audience_people").get(pk=item.pk)
    )
    changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changed:
        raise ApplicationError(_("Nothing changes."), code=TrainingErrorCode.INVALID_INPUT)
    _audit(actor, "training_plan.item_change", plan, version, {"lineage": str(lineage), **changed}, reason, adjustment)
    return item


@transaction.atomic
def plan_item_remove(*, actor, plan_id: int, lineage, reason: str = "") -> PlanVersion:
    """Remove an item: from the draft, or by an adjustment (the earlier versions keep it)."""
    _require_planner(actor)
    plan = _plan_locked(plan_id)
    _lineage_check(plan, lineage)
    version, adjustment = _version_to_write(actor=actor, plan=plan, reason=reason)
    item = _item_in(version, lineage)
    title = item.title
    item.delete()
    _audit(
        actor, "training_plan.item_remove", plan, version, {"lineage": str(lineage), "title": title}, reason, adjustment
    )
    return version
