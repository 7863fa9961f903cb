"""Rules of the annual plan (TRN-1): a month's quarter, who an audience counts, the plan's totals
and what changed between two versions. Pure: the selectors and services give them plain values."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

__all__ = [
    "ITEM_COMPARED_FIELDS",
    "audience_head_count",
    "plan_totals",
    "quarter_of_month",
    "version_changes",
]

# The fields of a plan item the history compares (the audience as its kind and named ids).
ITEM_COMPARED_FIELDS = (
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
    "audience_ids",
)


def quarter_of_month(month: int) -> int:
    """The quarter (1..4) of ``month`` (1..12); ValueError outside."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1..12")
    return (month - 1) // 3 + 1


def audience_head_count(
    *,
    kind: str,
    ids: Iterable[int],
    employees: Iterable[tuple[int, int | None, int | None, datetime.date]],
    day: datetime.date,
    new_hire_days: int,
) -> int:
    """How many of ``employees`` (active ones: ``(id, team_id, position_id, hire_date)``) an audience
    of ``kind`` naming ``ids`` covers on ``day``: the same rule as
    ``training.selectors.audience_employees``, over rows read once for a whole plan."""
    chosen = set(ids)
    present = [e for e in employees if e[3] <= day]
    if kind == "everyone":
        return len(present)
    if kind == "new_hires":
        since = day - datetime.timedelta(days=new_hire_days)
        return sum(1 for e in present if e[3] > since)
    if kind == "positions":
        return sum(1 for e in present if e[2] in chosen)
    if kind == "teams":
        return sum(1 for e in present if e[1] in chosen)
    if kind == "people":
        return sum(1 for e in present if e[0] in chosen)
    return 0


def plan_totals(items: Iterable[dict]) -> dict:
    """Hours and budget per quarter (1..4, all present) and per topic area (those used), and the
    whole plan's. ``items``: dicts with ``quarter``, ``topic_area``, ``planned_hours``, ``budget``."""
    by_quarter = {q: {"hours": Decimal("0"), "budget": Decimal("0.00"), "items": 0} for q in (1, 2, 3, 4)}
    by_topic: dict[str, dict] = defaultdict(lambda: {"hours": Decimal("0"), "budget": Decimal("0.00"), "items": 0})
    total = {"hours": Decimal("0"), "budget": Decimal("0.00"), "items": 0}
    for item in items:
        for bucket in (by_quarter[item["quarter"]], by_topic[item["topic_area"]], total):
            bucket["hours"] += item["planned_hours"]
            bucket["budget"] += item["budget"]
            bucket["items"] += 1
    return {"by_quarter": by_quarter, "by_topic": dict(by_topic), "total": total}


def version_changes(before: Iterable[dict], after: Iterable[dict]) -> list[dict]:
    """What changed from one version's items to the next, matched by ``lineage``:
    ``{"lineage", "title", "change": "added"|"removed"|"changed", "fields": [(field, old, new)]}``,
    in the order of ``after`` then the removed ones. Items that did not change are left out."""
    old = {item["lineage"]: item for item in before}
    new = {item["lineage"]: item for item in after}
    changes = []
    for lineage, item in new.items():
        previous = old.get(lineage)
        if previous is None:
            changes.append({"lineage": lineage, "title": item["title"], "change": "added", "fields": []})
            continue
        fields = [
            (name, previous.get(name), item.get(name))
            for name in ITEM_COMPARED_FIELDS
            if previous.get(name) != item.get(name)
        ]
        if fields:
            changes.append({"lineage": lineage, "title": item["title"], "change": "changed", "fields": fields})
    for lineage, item in old.items():
        if lineage not in new:
            changes.append({"lineage": lineage, "title": item["title"], "change": "removed", "fields": []})
    return changes
