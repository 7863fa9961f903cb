"""The automatic indicators (PRF-1) and the policy a cycle keeps (PRF-2), table-tested at the edges."""

import datetime
from decimal import Decimal

import pytest

from performance import rules
from performance.models import AppraisalPolicy

D = Decimal
DEFAULT = AppraisalPolicy(effective_from=datetime.date(2000, 1, 1))


@pytest.mark.parametrize(
    "source,target,metrics,score,rule",
    [
        ("calls_answered", D("1500"), rules.MetricTotals(days=20, calls_answered=1500), D("100.00"), "higher_better"),
        ("calls_answered", D("1500"), rules.MetricTotals(days=20, calls_answered=1200), D("80.00"), "higher_better"),
        ("calls_answered", D("1500"), rules.MetricTotals(days=20, calls_answered=3000), D("100.00"), "higher_better"),
        (
            "resolution_rate",
            D("90"),
            rules.MetricTotals(days=20, calls_answered=1000, calls_resolved=810),
            D("90.00"),
            "higher_better",
        ),
        (
            "avg_handle_time",
            D("300"),
            rules.MetricTotals(days=20, calls_answered=100, handle_seconds_total=100 * 400),
            D("75.00"),
            "lower_better",
        ),
        (
            "qa_accuracy",
            D("98"),
            rules.MetricTotals(days=20, calls_answered=100, qa_weighted=D("9604"), qa_calls=100),
            D("98.00"),
            "higher_better",
        ),
        ("calls_answered", D("1500"), rules.MetricTotals(), D("0"), "no_data"),
    ],
)
def test_automatic_metric_scores(source, target, metrics, score, rule):
    """Given a month of metrics, when scored against the target (PRF-1), then capped ratio or no data."""
    result = rules.auto_score(source=source, target=target, metrics=metrics, policy=DEFAULT)
    assert result.score == score
    assert result.explanation["rule"] == rule


def test_attendance_indicator_takes_points_off():
    """Given 2 lateness and 1.5 absence days, when scored, then 100 − 2×5 − 1.5×20 = 60."""
    result = rules.auto_score(
        source="attendance",
        target=None,
        attendance=rules.AttendanceFigures(lateness=2, absence_days=D("1.5")),
        policy=DEFAULT,
    )
    assert result.score == D("60.00")
    text = rules.explain(result.explanation)
    assert "60.00" in text and "PRF-1" in text


def test_attendance_indicator_never_goes_below_zero():
    result = rules.auto_score(
        source="attendance", target=None, attendance=rules.AttendanceFigures(absence_days=D("9")), policy=DEFAULT
    )
    assert result.score == D("0.00")


def test_satisfaction_indicator():
    """Given an average follow-up of 4.5 / 5 → 90; no follow-up → full score, explained."""
    assert rules.auto_score(source="complaint_satisfaction", target=None, satisfaction=(D("4.5"), 2)).score == D(
        "90.00"
    )
    none = rules.auto_score(source="complaint_satisfaction", target=None, satisfaction=None)
    assert none.score == D("100") and none.explanation["rule"] == "satisfaction_none"


def test_policy_snapshot_round_trip():
    """Given a policy version, when a cycle keeps its snapshot, then the same values come back."""
    policy = AppraisalPolicy(effective_from=datetime.date(2026, 1, 1), self_weight=40, superior_weight=60)
    again = rules.policy_from_snapshot(rules.policy_snapshot(policy))
    assert (again.self_weight, again.superior_weight) == (40, 60)
    assert again.band_good_min == D("80")
    assert again.effective_from == datetime.date(2026, 1, 1)
