"""The scores of an appraisal (PRF-3) and its band (PRF-4), table-tested at the edges."""

import datetime
from decimal import Decimal

import pytest

from performance import rules
from performance.models import AppraisalPolicy

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
