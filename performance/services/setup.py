"""Performance services: indicators and per-post templates (PRF-1).

- Indicators belong to the four groups of PRF-1 (work results, work attitude, teamwork,
  customer satisfaction). A manual indicator is scored by the employee and the superior on
  0..``scale_max``; an automatic one is filled from data (``auto_source``), the metric sources
  against a ``target``. The code is fixed once created (templates, appraisals and reports refer
  to it); an indicator is deactivated, never deleted.
- A template gives a post (岗位) its indicators with weights that sum to exactly 100 (PRF-1).
  One active template per post (a database constraint): a new template replaces the old one,
  editing replaces the items atomically under a row lock. Cycles already opened keep their own
  copy of the items (AppraisalItem), so editing a template never changes an open appraisal.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Position
from callcenter.roles import Role, has_role
from callcenter.services import hr_company_wide_require
from datasecurity.services import audit_record, model_changes, snapshot
from performance.errors import PerformanceErrorCode
from performance.models import (
    METRIC_SOURCES,
    AppraisalTemplate,
    AutoSource,
    Indicator,
    IndicatorGroup,
    ScoringMethod,
    TemplateIndicator,
)

__all__ = [
    "INDICATOR_DEFAULTS",
    "INDICATOR_FIELDS",
    "SETUP_ROLES",
    "TEMPLATE_ITEMS_MAX",
    "appraisal_template_create",
    "appraisal_template_update",
    "indicator_create",
    "indicator_deactivate",
    "indicator_defaults_install",
    "indicator_update",
]

SETUP_ROLES = (Role.HR,)
_HUNDRED = Decimal("100")
TEMPLATE_ITEMS_MAX = 30
INDICATOR_FIELDS = [
    "name",
    "name_en",
    "description",
    "description_en",
    "group",
    "method",
    "scale_max",
    "auto_source",
    "target",
    "active",
]

# PRF-1: the regulation's items as a new installation's indicators. Migration 0002 writes the
# same rows (a copy: migrations never import app code; 0007 split the English descriptions off);
# keep the two in step.
INDICATOR_DEFAULTS = [
    {
        "code": "calls_answered",
        "name": "接听量",
        "name_en": "Calls answered",
        "group": IndicatorGroup.RESULTS,
        "method": ScoringMethod.AUTOMATIC,
        "auto_source": AutoSource.CALLS_ANSWERED,
        "target": Decimal("1500"),
        "description": "当月接听量 ÷ 目标 × 100，最高 100 分（话务数据导入）。",
        "description_en": "Calls answered in the month ÷ target × 100, at most 100 (metrics import).",
    },
    {
        "code": "resolution_rate",
        "name": "问题解决率",
        "name_en": "Problems solved (resolution rate)",
        "group": IndicatorGroup.RESULTS,
        "method": ScoringMethod.AUTOMATIC,
        "auto_source": AutoSource.RESOLUTION_RATE,
        "target": Decimal("90"),
        "description": "解决量 ÷ 接听量（%）÷ 目标 × 100，最高 100 分。",
        "description_en": "Calls resolved ÷ calls answered (%) ÷ target × 100, at most 100.",
    },
    {
        "code": "qa_accuracy",
        "name": "业务准确率",
        "name_en": "Business accuracy (QA)",
        "group": IndicatorGroup.RESULTS,
        "method": ScoringMethod.AUTOMATIC,
        "auto_source": AutoSource.QA_ACCURACY,
        "target": Decimal("98"),
        "description": "质检业务准确率（按接听量加权）÷ 目标 × 100，最高 100 分。",
        "description_en": "QA business accuracy (weighted by calls) ÷ target × 100, at most 100.",
    },
    {
        "code": "avg_handle_time",
        "name": "平均处理时长",
        "name_en": "Average handling time",
        "group": IndicatorGroup.RESULTS,
        "method": ScoringMethod.AUTOMATIC,
        "auto_source": AutoSource.AVG_HANDLE_TIME,
        "target": Decimal("300"),
        "description": "越短越好：目标秒数 ÷ 实际平均处理时长 × 100，最高 100 分。",
        "description_en": "Lower is better: target seconds ÷ actual average handling time × 100, at most 100.",
    },
    {
        "code": "attendance",
        "name": "出勤",
        "name_en": "Attendance",
        "group": IndicatorGroup.ATTITUDE,
        "method": ScoringMethod.AUTOMATIC,
        "auto_source": AutoSource.ATTENDANCE,
        "target": None,
        "description": "100 分，每次迟到/早退、每天旷工按考核政策扣分（ATT-4、ATT-5）。",
        "description_en": "100 points less the policy's points per lateness or early leave and per day of absenteeism.",
    },
    {
        "code": "initiative",
        "name": "工作主动性",
        "name_en": "Initiative",
        "group": IndicatorGroup.ATTITUDE,
        "method": ScoringMethod.MANUAL,
        "auto_source": "",
        "target": None,
        "description": "主动发现并解决问题、主动学习。员工自评、上级评分。",
        "description_en": "Finds and solves problems, learns on their own. Scored by the employee and the superior.",
    },
    {
        "code": "responsibility",
        "name": "责任心",
        "name_en": "Responsibility",
        "group": IndicatorGroup.ATTITUDE,
        "method": ScoringMethod.MANUAL,
        "auto_source": "",
        "target": None,
        "description": "对客户问题负责到底、按时跟进。员工自评、上级评分。",
        "description_en": "Owns customers' problems to the end, follows up on time."
        " Scored by the employee and the superior.",
    },
    {
        "code": "cooperation",
        "name": "团队协作",
        "name_en": "Cooperation",
        "group": IndicatorGroup.TEAMWORK,
        "method": ScoringMethod.MANUAL,
        "auto_source": "",
        "target": None,
        "description": "与同事配合、分享经验、互相支持。员工自评、上级评分。",
        "description_en": "Works with colleagues, shares experience, helps out."
        " Scored by the employee and the superior.",
    },
    {
        "code": "participation",
        "name": "团队活动参与",
        "name_en": "Participation",
        "group": IndicatorGroup.TEAMWORK,
        "method": ScoringMethod.MANUAL,
        "auto_source": "",
        "target": None,
        "description": "参加班前会、培训与团队活动。员工自评、上级评分。",
        "description_en": "Takes part in briefings, training and team activities."
        " Scored by the employee and the superior.",
    },
    {
        "code": "complaint_satisfaction",
        "name": "客户满意度",
        "name_en": "Customer satisfaction",
        "group": IndicatorGroup.SATISFACTION,
        "method": ScoringMethod.AUTOMATIC,
        "auto_source": AutoSource.COMPLAINT_SATISFACTION,
        "target": None,
        "description": "投诉回访满意度（1–5 分）÷ 5 × 100；当月无回访得满分（CMP-3）。",
        "description_en": "Complaint follow-up satisfaction (1–5) ÷ 5 × 100; no follow-up in the month: full score.",
    },
]


# --- Helpers ---------------------------------------------------------------------------------------


def _require_hr(actor) -> None:
    if not has_role(actor, *SETUP_ROLES):
        raise PermissionDeniedError(_("Only HR sets up indicators and templates (PRF-1)."))
    hr_company_wide_require(actor)  # indicators and templates are the company's


def _clean_indicator(values: dict) -> dict:
    """Validate and normalise the editable fields of an indicator (PRF-1)."""
    name = (values.get("name") or "").strip()
    if not name:
        raise ApplicationError(_("Give the indicator a Chinese name."), code=PerformanceErrorCode.NAME_MISSING)
    if len(name) > 100 or len((values.get("name_en") or "").strip()) > 100:
        raise ApplicationError(_("A name has at most 100 characters."), code=PerformanceErrorCode.NAME_TOO_LONG)
    group = values.get("group")
    if group not in IndicatorGroup.values:
        raise ApplicationError(_("Choose one of the four PRF-1 groups."), code=PerformanceErrorCode.GROUP_INVALID)
    method = values.get("method")
    if method not in ScoringMethod.values:
        raise ApplicationError(_("Choose how the indicator is scored."), code=PerformanceErrorCode.METHOD_INVALID)
    try:
        raw_scale = values.get("scale_max")
        scale_max = 100 if raw_scale in (None, "") else int(raw_scale)
    except (TypeError, ValueError):
        scale_max = 0
    if not 1 <= scale_max <= 1000:
        raise ApplicationError(
            _("The scale runs from 0 to a value between 1 and 1,000."), code=PerformanceErrorCode.SCALE_INVALID
        )
    auto_source = values.get("auto_source") or ""
    target = values.get("target")
    if method == ScoringMethod.MANUAL:
        # A manual indicator has no data source and no target.
        auto_source, target = "", None
    else:
        if auto_source not in AutoSource.values:
            raise ApplicationError(
                _("An automatic indicator needs a data source."), code=PerformanceErrorCode.AUTO_SOURCE_MISSING
            )
        if auto_source in METRIC_SOURCES:
            try:
                target = None if target in (None, "") else Decimal(str(target))
            except InvalidOperation:
                target = None
            if target is None or not target.is_finite() or target <= 0 or target >= Decimal("1e10"):
                raise ApplicationError(
                    _(
                        "An indicator read from the metrics import needs a positive target: the value that "
                        "earns 100 points."
                    ),
                    code=PerformanceErrorCode.TARGET_MISSING,
                )
            if target != target.quantize(Decimal("0.01")):
                raise ApplicationError(
                    _("The target has at most two decimal places."), code=PerformanceErrorCode.TARGET_INVALID
                )
        else:
            target = None
    return {
        "name": name,
        "name_en": (values.get("name_en") or "").strip(),
        "description": (values.get("description") or "").strip()[:4000],
        "description_en": (values.get("description_en") or "").strip()[:4000],
        "group": group,
        "method": method,
        "scale_max": scale_max,
        "auto_source": auto_source,
        "target": target,
        "active": bool(values.get("active", True)),
    }


def _indicator_lock(indicator_id: int) -> Indicator:
    indicator = Indicator.objects.select_for_update().filter(pk=indicator_id).first()
    if indicator is None:
        raise NotFoundError(_("No such indicator."))
    return indicator


def _active_templates_using(indicator: Indicator) -> list[AppraisalTemplate]:
    return list(
        AppraisalTemplate.objects.filter(active=True, items__indicator=indicator)
        .select_related("position")
        .order_by("position__code")
    )


def _refuse_if_in_active_template(indicator: Indicator) -> None:
    templates = _active_templates_using(indicator)
    if templates:
        raise ApplicationError(
            _("The indicator is used by the active template(s) %(templates)s; remove it from them first.")
            % {"templates": "、".join(f"{t.name} ({t.position.name})" for t in templates)},
            code=PerformanceErrorCode.INDICATOR_IN_USE,
            status=409,
        )


# --- Indicators ------------------------------------------------------------------------------------


def indicator_create(
    *,
    actor,
    code: str,
    name: str,
    group: str,
    method: str,
    name_en: str = "",
    description: str = "",
    description_en: str = "",
    scale_max: int = 100,
    auto_source: str = "",
    target=None,
    active: bool = True,
) -> Indicator:
    """A new indicator (PRF-1). The code (lowercase letters, digits, underscores) is unique and
    fixed once created."""
    _require_hr(actor)
    code = (code or "").strip()
    try:
        Indicator._meta.get_field("code").run_validators(code)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code=PerformanceErrorCode.CODE_INVALID) from None
    if not code or len(code) > 40:
        raise ApplicationError(_("The code has 1 to 40 characters."), code=PerformanceErrorCode.CODE_INVALID)
    values = _clean_indicator(
        {
            "name": name,
            "name_en": name_en,
            "description": description,
            "description_en": description_en,
            "group": group,
            "method": method,
            "scale_max": scale_max,
            "auto_source": auto_source,
            "target": target,
            "active": active,
        }
    )
    with transaction.atomic():
        if Indicator.objects.select_for_update().filter(code=code).exists():
            raise ApplicationError(
                _("An indicator with the code %(code)s exists already.") % {"code": code},
                code=PerformanceErrorCode.CODE_TAKEN,
            )
        indicator = Indicator.objects.create(code=code, **values)
        audit_record(
            actor=actor,
            action="indicator.create",
            obj=indicator,
            changes={"code": code, **model_changes(indicator, None, INDICATOR_FIELDS)},
        )
    return indicator


def indicator_update(*, actor, indicator_id: int, **values) -> Indicator:
    """Change an indicator's names, group, scoring, scale, source, target or active flag (PRF-1).
    The code cannot change. Open appraisals keep their own copy (weight, method, scale)."""
    _require_hr(actor)
    if "code" in values:
        values.pop("code")  # fixed once created: never taken from input
    unknown = set(values) - set(INDICATOR_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        locked = _indicator_lock(indicator_id)
        before = snapshot(locked, INDICATOR_FIELDS)
        cleaned = _clean_indicator({**before, **values})
        if before["active"] and not cleaned["active"]:
            _refuse_if_in_active_template(locked)
        for name, value in cleaned.items():
            setattr(locked, name, value)
        changes = model_changes(locked, before, INDICATOR_FIELDS)
        if changes:
            locked.save(update_fields=list(changes))
            audit_record(actor=actor, action="indicator.update", obj=locked, changes=changes)
    return locked


def indicator_deactivate(*, actor, indicator_id: int) -> Indicator:
    """Deactivate an indicator (never deleted: appraisals refer to it). Refused while an active
    template uses it."""
    return indicator_update(actor=actor, indicator_id=indicator_id, active=False)


def indicator_defaults_install(*, actor=None) -> int:
    """Install the PRF-1 default indicators that are missing (by code); existing ones are left as
    HR edited them. Idempotent: returns how many were created."""
    created = 0
    with transaction.atomic():
        existing = set(
            Indicator.objects.select_for_update()
            .filter(code__in=[d["code"] for d in INDICATOR_DEFAULTS])
            .values_list("code", flat=True)
        )
        for values in INDICATOR_DEFAULTS:
            if values["code"] in existing:
                continue
            indicator = Indicator.objects.create(**values)
            created += 1
            audit_record(
                actor=actor,
                action="indicator.create",
                obj=indicator,
                changes={"code": indicator.code, "defaults": True},
            )
    return created


# --- Templates -----------------------------------------------------------------------------------


def _clean_items(items) -> list[tuple[Indicator, Decimal]]:
    """``items``: ``[{"indicator": id or Indicator, "weight": Decimal|str}, ...]`` in order.
    At least one; no indicator twice; active indicators only; weights 0.01..100 with two places;
    the weights sum to exactly 100 (PRF-1)."""
    if not items:
        raise ApplicationError(
            _("A template needs at least one indicator (PRF-1)."), code=PerformanceErrorCode.ITEMS_EMPTY
        )
    if len(items) > TEMPLATE_ITEMS_MAX:
        raise ApplicationError(
            _("A template has at most %(count)s indicators.") % {"count": TEMPLATE_ITEMS_MAX},
            code=PerformanceErrorCode.ITEMS_TOO_MANY,
        )
    parsed: list[tuple[int, Decimal]] = []
    for position, item in enumerate(items, start=1):
        raw_indicator = item.get("indicator") if isinstance(item, dict) else None
        indicator_id = getattr(raw_indicator, "pk", raw_indicator)
        try:
            indicator_id = int(indicator_id)
        except (TypeError, ValueError):
            raise ApplicationError(
                _("Row %(row)s: choose an indicator.") % {"row": position}, code=PerformanceErrorCode.INDICATOR_MISSING
            ) from None
        try:
            weight = Decimal(str(item.get("weight")))
            if not weight.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            raise ApplicationError(
                _("Row %(row)s: the weight must be a number.") % {"row": position},
                code=PerformanceErrorCode.WEIGHT_INVALID,
            ) from None
        if weight <= 0 or weight > _HUNDRED:
            raise ApplicationError(
                _("Row %(row)s: a weight is more than 0 and at most 100.") % {"row": position},
                code=PerformanceErrorCode.WEIGHT_INVALID,
            )
        if weight != weight.quantize(Decimal("0.01")):
            raise ApplicationError(
                _("Row %(row)s: a weight has at most two decimal places.") % {"row": position},
                code=PerformanceErrorCode.WEIGHT_INVALID,
            )
        parsed.append((indicator_id, weight))
    ids = [i for i, _w in parsed]
    indicators = Indicator.objects.in_bulk(ids)
    seen: set[int] = set()
    for position, (indicator_id, _weight) in enumerate(parsed, start=1):
        indicator = indicators.get(indicator_id)
        if indicator is None:
            raise ApplicationError(
                _("Row %(row)s: no such indicator.") % {"row": position}, code=PerformanceErrorCode.INDICATOR_MISSING
            )
        if indicator_id in seen:
            raise ApplicationError(
                _("%(indicator)s appears twice; each indicator once per template.")
                % {"indicator": indicator.display_name},
                code=PerformanceErrorCode.INDICATOR_DUPLICATE,
            )
        seen.add(indicator_id)
        if not indicator.active:
            raise ApplicationError(
                _("%(indicator)s is deactivated and cannot be added to a template.")
                % {"indicator": indicator.display_name},
                code=PerformanceErrorCode.INDICATOR_INACTIVE,
            )
    total = sum((w for _i, w in parsed), Decimal("0"))
    if total != _HUNDRED:
        raise ApplicationError(
            _("The weights add up to %(total)s; they must add up to exactly 100 (PRF-1).")
            % {"total": f"{total.normalize():f}"},
            code=PerformanceErrorCode.WEIGHTS_SUM,
            extra={"weight_sum": str(total)},
        )
    return [(indicators[i], w) for i, w in parsed]


def _items_audit(pairs: list[tuple[Indicator, Decimal]]) -> list:
    return [[indicator.code, str(weight)] for indicator, weight in pairs]


def _clean_name(name: str, position: Position) -> str:
    name = (name or "").strip()
    if len(name) > 100:
        raise ApplicationError(_("A name has at most 100 characters."), code=PerformanceErrorCode.NAME_TOO_LONG)
    return name or _("%(position)s appraisal template") % {"position": position.name}


def appraisal_template_create(*, actor, position_id: int, name: str, items: list[dict]) -> AppraisalTemplate:
    """A new template for ``position`` (PRF-1). It becomes the post's active template and the
    previous one is deactivated (kept for history). Cycles already opened keep their own items."""
    _require_hr(actor)
    pairs = _clean_items(items)
    with transaction.atomic():
        # The post row lock serialises two HR users creating a template for the same post.
        position = Position.objects.select_for_update().filter(pk=position_id).first()
        if position is None:
            raise ApplicationError(
                _("Choose a position."), code=PerformanceErrorCode.POSITION_MISSING, field="position"
            )
        name = _clean_name(name, position)
        previous = list(AppraisalTemplate.objects.select_for_update().filter(position=position, active=True))
        now = timezone.now()
        for old in previous:
            old.active = False
            old.updated_at = now
            old.save(update_fields=["active", "updated_at"])
        template = AppraisalTemplate.objects.create(position=position, name=name, active=True, updated_at=now)
        TemplateIndicator.objects.bulk_create(
            TemplateIndicator(template=template, indicator=indicator, weight=weight, order=order)
            for order, (indicator, weight) in enumerate(pairs)
        )
        audit_record(
            actor=actor,
            action="appraisal_template.create",
            obj=template,
            changes={
                "position": position.code,
                "name": name,
                "items": _items_audit(pairs),
                "replaced": [t.pk for t in previous],
            },
        )
    return template


def appraisal_template_update(
    *, actor, template_id: int, name: str | None = None, items: list[dict]
) -> AppraisalTemplate:
    """Replace the name and items of an active template in one step (PRF-1), under a lock of the
    template row. A replaced (inactive) template is history and cannot be edited."""
    _require_hr(actor)
    pairs = _clean_items(items)
    with transaction.atomic():
        locked = (
            AppraisalTemplate.objects.select_for_update(of=("self",))
            .select_related("position")
            .filter(pk=template_id)
            .first()
        )
        if locked is None:
            raise NotFoundError(_("No such template."))
        if not locked.active:
            raise ApplicationError(
                _("This template has been replaced; edit the post's active template instead."),
                code=PerformanceErrorCode.TEMPLATE_INACTIVE,
                status=409,
            )
        before_items = [
            [c, str(w)] for c, w in locked.items.order_by("order", "id").values_list("indicator__code", "weight")
        ]
        old_name = locked.name
        locked.name = locked.name if name is None else _clean_name(name, locked.position)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["name", "updated_at"])
        locked.items.all().delete()
        TemplateIndicator.objects.bulk_create(
            TemplateIndicator(template=locked, indicator=indicator, weight=weight, order=order)
            for order, (indicator, weight) in enumerate(pairs)
        )
        audit_record(
            actor=actor,
            action="appraisal_template.update",
            obj=locked,
            changes={"name": [old_name, locked.name], "items": [before_items, _items_audit(pairs)]},
        )
    return locked
