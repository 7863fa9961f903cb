"""The rules of the plan (TRN-1) and of the effect analysis (TRN-3), at their boundaries."""

import datetime
from decimal import Decimal

import pytest

from training.rules import (
    EFFECT_MIN_PEOPLE,
    add_months,
    audience_head_count,
    difference_of_differences,
    effect_windows,
    group_change,
    person_change,
    plan_totals,
    quarter_of_month,
    rate,
    version_changes,
)

D = datetime.date


@pytest.mark.parametrize(("month", "quarter"), [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4)])
def test_trn1_a_month_falls_in_its_quarter(month, quarter):
    assert quarter_of_month(month) == quarter


@pytest.mark.parametrize("month", [0, 13, -1])
def test_trn1_a_month_outside_1_to_12_is_refused(month):
    with pytest.raises(ValueError):
        quarter_of_month(month)


EMPLOYEES = [  # id, team, position, hire date
    (1, 10, 100, D(2020, 1, 1)),
    (2, 10, 200, D(2026, 5, 3)),  # hired 29 days before 2026-06-01: a new hire
    (3, 20, 100, D(2026, 5, 2)),  # 30 days before: no longer (the foundation's rule, hire_date > day - 30)
    (4, 20, 200, D(2026, 6, 2)),  # not hired yet on 2026-06-01
]


@pytest.mark.parametrize(
    ("kind", "ids", "count"),
    [
        ("everyone", [], 3),
        ("new_hires", [], 1),  # the 30-day window: hired after day - 30
        ("positions", [100], 2),
        ("teams", [20], 1),
        ("people", [1, 4], 1),
        ("unknown", [], 0),
    ],
)
def test_trn1_audience_head_count(kind, ids, count):
    assert audience_head_count(kind=kind, ids=ids, employees=EMPLOYEES, day=D(2026, 6, 1), new_hire_days=30) == count


def test_trn1_totals_per_quarter_and_topic_area():
    totals = plan_totals(
        [
            {"quarter": 1, "topic_area": "business", "planned_hours": Decimal("4"), "budget": Decimal("100.50")},
            {"quarter": 1, "topic_area": "security", "planned_hours": Decimal("1.5"), "budget": Decimal("0")},
            {"quarter": 4, "topic_area": "business", "planned_hours": Decimal("2"), "budget": Decimal("10")},
        ]
    )
    assert totals["by_quarter"][1] == {"hours": Decimal("5.5"), "budget": Decimal("100.50"), "items": 2}
    assert totals["by_quarter"][2]["items"] == 0 and totals["by_quarter"][3]["hours"] == 0
    assert totals["by_topic"]["business"] == {"hours": Decimal("6"), "budget": Decimal("110.50"), "items": 2}
    assert totals["total"] == {"hours": Decimal("7.5"), "budget": Decimal("110.50"), "items": 3}


def test_trn1_version_changes_matched_by_lineage():
    before = [
        {"lineage": "a", "title": "A", "quarter": 1, "budget": "10.00"},
        {"lineage": "b", "title": "B", "quarter": 2, "budget": "0.00"},
        {"lineage": "c", "title": "C", "quarter": 3, "budget": "0.00"},
    ]
    after = [
        {"lineage": "a", "title": "A", "quarter": 2, "budget": "20.00"},
        {"lineage": "c", "title": "C", "quarter": 3, "budget": "0.00"},
        {"lineage": "d", "title": "D", "quarter": 4, "budget": "0.00"},
    ]
    changes = version_changes(before, after)
    assert changes == [
        {
            "lineage": "a",
            "title": "A",
            "change": "changed",
            "fields": [("quarter", 1, 2), ("budget", "10.00", "20.00")],
        },
        {"lineage": "d", "title": "D", "change": "added", "fields": []},
        {"lineage": "b", "title": "B", "change": "removed", "fields": []},
    ]
    assert version_changes(after, after) == []


@pytest.mark.parametrize(
    ("month", "n", "expected"),
    [(D(2026, 1, 1), -1, D(2025, 12, 1)), (D(2026, 12, 1), 1, D(2027, 1, 1)), (D(2026, 11, 1), 2, D(2027, 1, 1))],
)
def test_trn3_months_cross_the_year(month, n, expected):
    assert add_months(month, n) == expected


def test_trn3_windows_are_the_month_before_and_the_two_after():
    assert effect_windows(D(2026, 1, 15)) == ([D(2025, 12, 1)], [D(2026, 2, 1), D(2026, 3, 1)])


def test_trn3_person_change_needs_before_and_one_after():
    month = D(2026, 3, 1)
    feb, mar, apr, may = D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1), D(2026, 5, 1)
    assert person_change({feb: Decimal("80"), apr: Decimal("86"), may: Decimal("90")}, month) == Decimal("8")
    assert person_change({feb: Decimal("80"), may: Decimal("90")}, month) == Decimal("10")
    assert person_change({apr: Decimal("86")}, month) is None  # no before value
    assert person_change({feb: Decimal("80"), mar: Decimal("99")}, month) is None  # training month ignored


def test_trn3_not_enough_data_below_the_minimum():
    below = group_change([Decimal("1")] * (EFFECT_MIN_PEOPLE - 1) + [None])
    at = group_change([*[Decimal("1"), Decimal("2"), Decimal("4")][:EFFECT_MIN_PEOPLE], None])
    assert below == {"people": EFFECT_MIN_PEOPLE - 1, "mean": None, "enough": False}
    assert at["enough"] and at["people"] == EFFECT_MIN_PEOPLE and at["mean"] == Decimal("2.33")
    assert difference_of_differences(at, below) is None
    others = group_change([Decimal("1")] * EFFECT_MIN_PEOPLE)
    assert difference_of_differences(at, others) == Decimal("1.33")


def test_trn3_rate_of_nothing_is_unknown():
    assert rate(0, 0) is None
    assert rate(2, 3) == Decimal("66.67")
    assert rate(3, 3) == Decimal("100.00")
