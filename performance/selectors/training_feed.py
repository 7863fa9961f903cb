"""What training reads of the appraisal (issue 16, TRN-1 needs panel and TRN-3 effect), offered
through ``callcenter.providers.TrainingIndicatorProvider`` (registered in ``performance/apps.py``):
``training`` sits below ``performance`` and never imports it.

An indicator's value for one person and month is their appraisal item's score in percent of its
scale: the automatic score (already 0..100) for an automatic indicator, else the superior's score
over the item's scale (the self score when the superior has not scored yet). Items without any
score are left out. Team averages group by the team the appraisal was made in.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Value
from django.db.models.functions import Coalesce, NullIf

from performance.models import AppraisalItem, Indicator

__all__ = ["training_feed_employee_values", "training_feed_indicators", "training_feed_team_averages"]

_PLACES = Decimal("0.01")


def _percent(row: dict) -> Decimal | None:
    if row["auto_score"] is not None:
        return Decimal(row["auto_score"])
    score = row["superior_score"] if row["superior_score"] is not None else row["self_score"]
    if score is None or not row["scale_max"]:
        return None
    return Decimal(score) * 100 / row["scale_max"]


_FIELDS = ("auto_score", "superior_score", "self_score", "scale_max")


def training_feed_indicators() -> list[tuple[str, str]]:
    """The active indicators as (code, name in the reader's language), by code. One query."""
    return [(i.code, i.display_name) for i in Indicator.objects.filter(active=True).order_by("code")]


def _value_expression():
    """The value in % in the database: the automatic score, else the superior's (or self) score over
    the item's scale (the same rule as :func:`_percent`)."""
    manual = Coalesce(F("superior_score"), F("self_score")) * Value(Decimal("100")) / NullIf(F("scale_max"), 0)
    return Coalesce(
        F("auto_score"), ExpressionWrapper(manual, output_field=DecimalField(max_digits=12, decimal_places=4))
    )


def training_feed_team_averages(*, month_from: datetime.date, month_to: datetime.date) -> list[dict]:
    """Per (team, indicator), the mean value in % over the months' appraisals and how many people
    it covers: ``[{"team_id", "indicator_code", "average", "people"}]``. One aggregate query,
    whatever the number of appraisals."""
    rows = (
        AppraisalItem.objects.filter(
            appraisal__month__gte=month_from.replace(day=1),
            appraisal__month__lte=month_to.replace(day=1),
            appraisal__team__isnull=False,
        )
        .annotate(value=_value_expression())
        .filter(value__isnull=False)
        .values("appraisal__team_id", "indicator__code")
        .annotate(average=Avg("value"), people=Count("appraisal__employee_id", distinct=True))
        .order_by("appraisal__team_id", "indicator__code")
    )
    return [
        {
            "team_id": row["appraisal__team_id"],
            "indicator_code": row["indicator__code"],
            "average": Decimal(str(row["average"])).quantize(_PLACES, ROUND_HALF_UP),
            "people": row["people"],
        }
        for row in rows
    ]


def training_feed_employee_values(
    *, indicator_code: str, employee_ids, months
) -> dict[tuple[int, datetime.date], Decimal]:
    """{(employee id, month): value in %} of one indicator for those people and months. One query."""
    months = sorted({m.replace(day=1) for m in months})
    ids = list(employee_ids)
    if not months or not ids:
        return {}
    rows = AppraisalItem.objects.filter(
        indicator__code=indicator_code, appraisal__employee_id__in=ids, appraisal__month__in=months
    ).values("appraisal__employee_id", "appraisal__month", *_FIELDS)
    values = {}
    for row in rows:
        value = _percent(row)
        if value is not None:
            values[(row["appraisal__employee_id"], row["appraisal__month"])] = value.quantize(_PLACES, ROUND_HALF_UP)
    return values
