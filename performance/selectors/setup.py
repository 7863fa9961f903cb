"""Performance selectors: indicators and per-post templates (PRF-1).

HR sets these up; everything here is company-wide configuration (no personal data), but the
pages and API are still HR's only (the views declare it)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from callcenter.errors import NotFoundError
from callcenter.models import Position
from performance.models import AppraisalTemplate, Indicator, IndicatorGroup, TemplateIndicator

__all__ = [
    "TemplateSummary",
    "appraisal_template_get",
    "appraisal_template_list",
    "indicator_get",
    "indicator_list",
    "indicators_by_group",
    "position_template_overview",
    "template_summary",
]


def indicator_list(*, filters: dict | None = None) -> QuerySet[Indicator]:
    """Indicators by PRF-1 group then code; ``filters``: ``group``, ``active`` (bool),
    ``method``."""
    filters = filters or {}
    qs = Indicator.objects.all()
    if filters.get("group"):
        qs = qs.filter(group=filters["group"])
    if filters.get("method"):
        qs = qs.filter(method=filters["method"])
    if filters.get("active") is not None:
        qs = qs.filter(active=filters["active"])
    order = {value: i for i, value in enumerate(IndicatorGroup.values)}
    return qs.annotate(
        group_order=Case(*(When(group=value, then=Value(i)) for value, i in order.items()), output_field=IntegerField())
    ).order_by("group_order", "code")


def indicators_by_group(*, filters: dict | None = None) -> list[tuple[str, str, list[Indicator]]]:
    """``[(group value, group label, [indicators])]`` for the four PRF-1 groups, in order (empty
    groups included: HR sees what is missing)."""
    groups: OrderedDict[str, list[Indicator]] = OrderedDict((value, []) for value in IndicatorGroup.values)
    for indicator in indicator_list(filters=filters):
        groups[indicator.group].append(indicator)
    labels = dict(IndicatorGroup.choices)
    return [(value, labels[value], items) for value, items in groups.items()]


def indicator_get(*, pk) -> Indicator:
    indicator = Indicator.objects.filter(pk=pk).first()
    if indicator is None:
        raise NotFoundError("No such indicator.")
    return indicator


def _items_prefetch() -> Prefetch:
    return Prefetch("items", queryset=TemplateIndicator.objects.select_related("indicator").order_by("order", "id"))


def appraisal_template_list(*, filters: dict | None = None) -> QuerySet[AppraisalTemplate]:
    """Templates with their post and items (indicator included): three queries whatever the
    number. ``filters``: ``position`` (id), ``active`` (bool)."""
    filters = filters or {}
    qs = AppraisalTemplate.objects.select_related("position").prefetch_related(_items_prefetch())
    if filters.get("position"):
        qs = qs.filter(position_id=filters["position"])
    if filters.get("active") is not None:
        qs = qs.filter(active=filters["active"])
    return qs.order_by("position__code", "-active", "-created_at", "-id")


def appraisal_template_get(*, pk) -> AppraisalTemplate:
    template = appraisal_template_list().filter(pk=pk).first()
    if template is None:
        raise NotFoundError("No such template.")
    return template


@dataclass
class TemplateSummary:
    total: Decimal
    groups: list[tuple[str, str, Decimal]]  # (group value, label, weight) in PRF-1 order, non-zero only
    manual_weight: Decimal
    automatic_weight: Decimal

    @property
    def complete(self) -> bool:
        return self.total == Decimal("100")


def template_summary(template: AppraisalTemplate) -> TemplateSummary:
    """The sum of the weights and its split by PRF-1 group (from the prefetched items)."""
    weights = {value: Decimal("0") for value in IndicatorGroup.values}
    manual = automatic = Decimal("0")
    for item in template.items.all():
        weights[item.indicator.group] += item.weight
        if item.indicator.method == "manual":
            manual += item.weight
        else:
            automatic += item.weight
    labels = dict(IndicatorGroup.choices)
    return TemplateSummary(
        total=sum(weights.values(), Decimal("0")),
        groups=[(value, labels[value], w) for value, w in weights.items() if w],
        manual_weight=manual,
        automatic_weight=automatic,
    )


def position_template_overview() -> list[tuple[Position, AppraisalTemplate | None]]:
    """Every post with its active template (or None: its employees get no appraisal form until
    HR builds one). Four queries."""
    active = {t.position_id: t for t in appraisal_template_list(filters={"active": True})}
    return [(p, active.get(p.pk)) for p in Position.objects.order_by("code")]
