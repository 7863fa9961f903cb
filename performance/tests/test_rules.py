"""Score and bonus arithmetic (PRF-1, PRF-3, PRF-4), table-tested at the edges."""

import datetime
from decimal import Decimal

import pytest

from performance import rules
from performance.models import AppraisalPolicy
from performance.scoring import policy_from_snapshot, policy_snapshot

D = Decimal
DEFAULT = AppraisalPolicy(effective_from=datetime.date(2000, 1, 1))


@pytest.mark.parametrize(
    "score,band,coefficient",
    [
        (D("100"), "A", D("1.20")),
        (D("90"), "A", D("1.20")),
        (D("89.99"), "B", D("1.00")),
        (D("80"), "B", D("1.00")),
        (D("79.99"), "C", D("0.80")),
        (D("70"), "C", D("0.80")),
        (D("69.99"), "D", D("0.50")),
        (D("60"), "D", D("0.50")),
        (D("59.99"), "E", D("0.00")),
        (D("0"), "E", D("0.00")),
        (None, "E", D("0.00")),
    ],
)
def test_score_band_edges_under_the_default_policy(score, band, coefficient):
    """Given PRF-4's default bands, when a score sits on an edge, then it falls in the band above."""
    assert rules.score_band(score, DEFAULT) == (band, coefficient)


def test_score_band_follows_a_changed_policy():
    """Given HR moved band A to 95 with 1.50, when scoring 94.99 / 95, then B / A at the new rate."""
    policy = AppraisalPolicy(band_excellent_min=D("95"), band_excellent_coefficient=D("1.50"))
    assert rules.score_band(D("94.99"), policy) == ("B", D("1.00"))
    assert rules.score_band(D("95"), policy) == ("A", D("1.50"))


def _items(self_score, superior_score, auto=None):
    items = [rules.ItemInput(weight=D("60"), method="manual", self_score=self_score, superior_score=superior_score)]
    if auto is not None:
        items.append(rules.ItemInput(weight=D("40"), method="automatic", auto_score=auto))
    return items


@pytest.mark.parametrize(
    "self_score,superior_score,auto,self_weight,total",
    [
        # 60 × (0.3 × 100 + 0.7 × 80) + 40 × 90 = 60 × 86 + 3600 = 8760 → 87.60
        (D("100"), D("80"), D("90"), 30, D("87.60")),
        # weights from a changed policy: 50/50 → 60 × 90 + 3600 = 9000 → 90.00 (band A edge)
        (D("100"), D("80"), D("90"), 50, D("90.00")),
        # only people-scored items: 0.3 × 70 + 0.7 × 85 = 80.50
        (D("70"), D("85"), None, 30, D("80.50")),
    ],
)
def test_combined_score_weights(self_score, superior_score, auto, self_weight, total):
    """Given self/superior/automatic scores, when combined (PRF-3), then Σ weight × item score."""
    result = rules.combined_score(
        _items(self_score, superior_score, auto), self_weight=self_weight, superior_weight=100 - self_weight
    )
    assert result.total == total
    assert result.explanation[0]["article"] == "PRF-3"


def test_combined_score_converts_each_scale_to_100():
    """Given an item scored on 0..5, when combined, then 4 of 5 counts as 80 of 100."""
    item = rules.ItemInput(weight=D("100"), method="manual", scale_max=5, self_score=D("4"), superior_score=D("4"))
    assert rules.combined_score([item], self_weight=30, superior_weight=70).total == D("80.00")


def test_combined_score_is_pending_until_the_superior_has_scored():
    """Given a self score only, when combined, then no total yet but the self part is shown."""
    result = rules.combined_score(_items(D("90"), None, D("50")), self_weight=30, superior_weight=70)
    assert result.total is None
    assert result.self_score == D("90.00")
    assert result.auto_score == D("50.00")


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


@pytest.mark.parametrize(
    "score,base,fines,deduction,expected_amount,expected_total",
    [
        (D("90"), D("1000.00"), D("0"), D("0"), D("1200.00"), D("1200.00")),
        (D("89.99"), D("1000.00"), D("50"), D("0"), D("1000.00"), D("950.00")),
        (D("80"), D("1234.56"), D("0"), D("227.27"), D("1234.56"), D("1007.29")),
        (D("79.99"), D("1000.00"), D("0"), D("0"), D("800.00"), D("800.00")),
        (D("65"), D("999.99"), D("0"), D("0"), D("500.00"), D("500.00")),
        (D("59.99"), D("1000.00"), D("100"), D("0"), D("0.00"), D("-100.00")),
        (None, D("1000.00"), D("0"), D("0"), D("0.00"), D("0.00")),
    ],
)
def test_bonus_line(score, base, fines, deduction, expected_amount, expected_total):
    """Given a score, base and the month's attendance money, when the line is computed (PRF-4),
    then base × band coefficient − fines − deduction, Decimal to the cent, explained."""
    line = rules.bonus_line(
        score=score, bonus_base=base, policy=DEFAULT, attendance_fines=fines, absenteeism_deduction=deduction
    )
    assert line.performance_amount == expected_amount
    assert line.total == expected_total
    assert isinstance(line.total, Decimal)
    assert line.explanation[0]["article"] == "PRF-4"
    assert all(rules.explain(entry) != str(entry) for entry in line.explanation)


def test_bonus_line_with_rewards_and_fines():
    line = rules.bonus_line(
        score=D("85"),
        bonus_base=D("1000"),
        policy=DEFAULT,
        rewards=D("200"),
        penalties=D("50"),
        adjustments=[{"rule": "reward", "article": "RWD-2", "amount": "200.00", "title": "服务明星奖"}],
    )
    assert line.total == D("1150.00")
    assert "服务明星奖" in rules.explain(line.explanation[-1])


def test_policy_snapshot_round_trip():
    """Given a policy version, when a cycle keeps its snapshot, then the same values come back."""
    policy = AppraisalPolicy(effective_from=datetime.date(2026, 1, 1), self_weight=40, superior_weight=60)
    again = policy_from_snapshot(policy_snapshot(policy))
    assert (again.self_weight, again.superior_weight) == (40, 60)
    assert again.band_good_min == D("80")
    assert again.effective_from == datetime.date(2026, 1, 1)
