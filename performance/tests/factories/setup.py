"""Indicators and templates (PRF-1) for the performance tests."""

from decimal import Decimal

import factory

from performance.models import AppraisalTemplate, Indicator, TemplateIndicator

__all__ = ["IndicatorFactory", "auto_indicator", "manual_indicator", "standard_template", "template_for"]


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"indicator_{n}")
    name = factory.Sequence(lambda n: f"指标{n}")
    name_en = factory.Sequence(lambda n: f"Indicator {n}")
    group = "attitude"
    method = "manual"
    scale_max = 100


def manual_indicator(code: str, *, group: str = "attitude", scale_max: int = 100, name: str = "") -> Indicator:
    return IndicatorFactory(code=code, group=group, method="manual", scale_max=scale_max, name=name or code)


def auto_indicator(code: str, source: str, *, target=None, group: str = "results") -> Indicator:
    return IndicatorFactory(
        code=code,
        group=group,
        method="automatic",
        auto_source=source,
        target=None if target is None else Decimal(str(target)),
    )


def template_for(position, items: list[tuple[Indicator, int | str | Decimal]], *, name: str = "") -> AppraisalTemplate:
    """An active template for ``position`` with (indicator, weight) items, in order."""
    template = AppraisalTemplate.objects.create(position=position, name=name or f"{position.name} 考核模板")
    TemplateIndicator.objects.bulk_create(
        TemplateIndicator(template=template, indicator=indicator, weight=Decimal(str(weight)), order=i)
        for i, (indicator, weight) in enumerate(items)
    )
    return template


def standard_template(position) -> AppraisalTemplate:
    """A realistic agent template (weights sum to 100): three metrics, attendance, two manual
    attitude/teamwork indicators, complaint satisfaction."""
    return template_for(
        position,
        [
            (auto_indicator("calls_answered", "calls_answered", target=1500), 20),
            (auto_indicator("resolution_rate", "resolution_rate", target=90), 15),
            (auto_indicator("qa_accuracy", "qa_accuracy", target=98), 15),
            (auto_indicator("attendance", "attendance", group="attitude"), 10),
            (manual_indicator("responsibility", group="attitude"), 15),
            (manual_indicator("cooperation", group="teamwork"), 15),
            (auto_indicator("complaint_satisfaction", "complaint_satisfaction", group="satisfaction"), 10),
        ],
    )
