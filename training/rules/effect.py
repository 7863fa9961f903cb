"""Rules of the effect analysis (TRN-3): which months compare, a person's change in an indicator,
a group's mean change, and the difference of differences between participants and the
non-participants of the same teams. Pure: the values come in as numbers per (person, month).

- The windows: the month before the training month, against the two months after it (the training
  month itself is left out: people were away part of it).
- A person counts when they have the before value and at least one after value; their change is
  the mean of their after values minus the before value.
- A group with fewer than ``min_people`` people who count is "not enough data" (no mean is shown:
  a mean of two people says nothing and points at them).
- The effect is the participants' mean change minus the non-participants' mean change, only when
  both groups have enough data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "EFFECT_MIN_PEOPLE",
    "add_months",
    "difference_of_differences",
    "effect_windows",
    "group_change",
    "person_change",
    "rate",
]

EFFECT_MIN_PEOPLE = 3
_PLACES = Decimal("0.01")


def add_months(month: datetime.date, n: int) -> datetime.date:
    """The first day of the month ``n`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def effect_windows(training_month: datetime.date) -> tuple[list[datetime.date], list[datetime.date]]:
    """(before months, after months) around the month of a training: the month before, the two after."""
    month = training_month.replace(day=1)
    return [add_months(month, -1)], [add_months(month, 1), add_months(month, 2)]


def person_change(values: Mapping[datetime.date, Decimal], training_month: datetime.date) -> Decimal | None:
    """Mean of the after months minus the before month, or None when a side is missing."""
    before_months, after_months = effect_windows(training_month)
    before = [values[m] for m in before_months if values.get(m) is not None]
    after = [values[m] for m in after_months if values.get(m) is not None]
    if not before or not after:
        return None
    return Decimal(sum(after)) / len(after) - Decimal(sum(before)) / len(before)


def group_change(changes: Iterable[Decimal | None], *, min_people: int = EFFECT_MIN_PEOPLE) -> dict:
    """``{"people": n counted, "mean": mean change or None, "enough": n >= min_people}``."""
    counted = [c for c in changes if c is not None]
    enough = len(counted) >= min_people
    mean = (sum(counted) / len(counted)).quantize(_PLACES, ROUND_HALF_UP) if enough else None
    return {"people": len(counted), "mean": mean, "enough": enough}


def difference_of_differences(participants: dict, others: dict) -> Decimal | None:
    """The participants' mean change minus the others' (two :func:`group_change` results), or None
    unless both have enough data."""
    if not (participants["enough"] and others["enough"]):
        return None
    return (participants["mean"] - others["mean"]).quantize(_PLACES, ROUND_HALF_UP)


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage with two decimals; None when ``whole`` is 0."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / whole).quantize(_PLACES, ROUND_HALF_UP)
