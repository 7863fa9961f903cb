"""Demo indicators and templates (PRF-1): the default indicators, and an active template (weights
sum to 100) for each post that has none — agents: call metrics, attendance, attitude, teamwork,
complaint satisfaction; QA and staff posts: attendance and the people-scored indicators."""

from __future__ import annotations

import random
from decimal import Decimal

from callcenter.demo import register_demo_seeder
from callcenter.models import Position
from performance import services
from performance.models import AppraisalTemplate, Indicator, TemplateIndicator

__all__ = [
    "AGENT_POSTS",
    "AGENT_WEIGHTS",
    "NO_TEMPLATE_POSTS",
    "STAFF_WEIGHTS",
    "demo_indicators",
    "demo_templates",
    "seed_appraisal_setup",
]

AGENT_POSTS = ("AGENT", "SENIOR_AGENT")
NO_TEMPLATE_POSTS = ("VP",)
AGENT_WEIGHTS = [
    ("calls_answered", 20),
    ("resolution_rate", 15),
    ("qa_accuracy", 15),
    ("attendance", 10),
    ("responsibility", 10),
    ("initiative", 5),
    ("cooperation", 10),
    ("complaint_satisfaction", 15),
]
STAFF_WEIGHTS = [
    ("attendance", 20),
    ("responsibility", 25),
    ("initiative", 20),
    ("cooperation", 20),
    ("participation", 15),
]


def demo_indicators() -> dict[str, Indicator]:
    """The PRF-1 default indicators (installed when missing), by code."""
    services.indicator_defaults_install(actor=None)
    return {i.code: i for i in Indicator.objects.filter(active=True)}


def demo_templates(positions: list[Position], indicators: dict[str, Indicator]) -> int:
    """An active template for each of ``positions`` without one (not the VP's). Returns how many."""
    having = set(AppraisalTemplate.objects.filter(active=True).values_list("position_id", flat=True))
    created = 0
    for position in positions:
        if position.pk in having or position.code in NO_TEMPLATE_POSTS:
            continue
        weights = AGENT_WEIGHTS if position.code in AGENT_POSTS else STAFF_WEIGHTS
        pairs = [(indicators[code], weight) for code, weight in weights if code in indicators]
        if sum(w for _i, w in pairs) != 100:
            continue
        template = AppraisalTemplate.objects.create(position=position, name=f"{position.name}月度考核")
        TemplateIndicator.objects.bulk_create(
            TemplateIndicator(template=template, indicator=indicator, weight=Decimal(weight), order=n)
            for n, (indicator, weight) in enumerate(pairs)
        )
        created += 1
    return created


@register_demo_seeder(order=58)
def seed_appraisal_setup(rng: random.Random, employees, months: int, stdout) -> dict:
    """The default indicators and the templates of the seeded employees' posts (PRF-1)."""
    if months <= 0 or not employees:
        return {}
    indicators = demo_indicators()
    positions = list(Position.objects.filter(pk__in={e.position_id for e in employees}))
    return {"appraisal_templates": demo_templates(positions, indicators)}
