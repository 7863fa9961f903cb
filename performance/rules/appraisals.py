"""The scores of one appraisal (PRF-3) and its band (PRF-4): pure functions, no database.

- :func:`combined_score`: each people-scored item = self × self weight + superior × superior weight
  (on 0..100), the total = Σ weight × item score over all items;
- :func:`score_band`: the PRF-4 band and bonus coefficient of a score under the policy;
- :func:`appraisal_scores`: the figures an appraisal shows at each step of the workflow (partial
  scores while the evaluations are under way, the combined score and band once the superior has
  submitted, the superior's score standing for both when no self-evaluation came by the deadline).

Every result carries its explanation (entries with a ``rule`` key and the article), stored with the
appraisal and rendered by :func:`performance.rules.explain`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from performance.rules.setup import HUNDRED, ZERO, clamp, q2, scale_to_100

__all__ = [
    "AppraisalScores",
    "CombinedScore",
    "ItemInput",
    "appraisal_score_texts",
    "appraisal_scores",
    "combined_score",
    "score_band",
]


@dataclass
class ItemInput:
    """What the combination reads of one appraisal item."""

    weight: Decimal
    method: str  # "manual" | "automatic"
    scale_max: int = 100
    self_score: Decimal | None = None
    superior_score: Decimal | None = None
    auto_score: Decimal | None = None


@dataclass
class CombinedScore:
    self_score: Decimal | None  # weighted over the manual items only, 0..100
    superior_score: Decimal | None
    auto_score: Decimal | None  # weighted over the automatic items only, 0..100
    total: Decimal | None
    explanation: list = field(default_factory=list)


def combined_score(items: list[ItemInput], *, self_weight: int, superior_weight: int) -> CombinedScore:
    """PRF-3: each people-scored item = self × self_weight + superior × superior_weight (on
    0..100); total = Σ weight × item score over all items (automatic ones use their data score).

    The total is None until every people-scored item has both scores; the partial figures
    (self only, automatic only) are still returned for display.
    """
    sw, pw = Decimal(self_weight) / HUNDRED, Decimal(superior_weight) / HUNDRED
    manual = [i for i in items if i.method == "manual"]
    auto = [i for i in items if i.method == "automatic"]

    def weighted(pairs) -> Decimal | None:
        pairs = list(pairs)
        weight = sum((w for w, _s in pairs), ZERO)
        if not pairs or weight <= 0 or any(s is None for _w, s in pairs):
            return None
        return q2(sum((w * s for w, s in pairs), ZERO) / weight)

    self_part = weighted(
        (i.weight, None if i.self_score is None else scale_to_100(i.self_score, i.scale_max)) for i in manual
    )
    superior_part = weighted(
        (i.weight, None if i.superior_score is None else scale_to_100(i.superior_score, i.scale_max)) for i in manual
    )
    auto_part = weighted((i.weight, i.auto_score) for i in auto)

    total = None
    complete = all(i.self_score is not None and i.superior_score is not None for i in manual) and all(
        i.auto_score is not None for i in auto
    )
    if complete and items:
        weight_sum = sum((i.weight for i in items), ZERO)
        acc = ZERO
        for i in items:
            if i.method == "manual":
                acc += i.weight * (
                    sw * scale_to_100(i.self_score, i.scale_max) + pw * scale_to_100(i.superior_score, i.scale_max)
                )
            else:
                acc += i.weight * i.auto_score
        total = q2(clamp(acc / weight_sum)) if weight_sum > 0 else None
    explanation = [
        {
            "rule": "combined",
            "article": "PRF-3",
            "self_weight": self_weight,
            "superior_weight": superior_weight,
            "self": None if self_part is None else str(self_part),
            "superior": None if superior_part is None else str(superior_part),
            "auto": None if auto_part is None else str(auto_part),
            "manual_weight": str(sum((i.weight for i in manual), ZERO)),
            "auto_weight": str(sum((i.weight for i in auto), ZERO)),
            "total": None if total is None else str(total),
        }
    ]
    return CombinedScore(self_part, superior_part, auto_part, total, explanation)


def score_band(score: Decimal | None, policy) -> tuple[str, Decimal]:
    """(band, coefficient) for a score under the policy's PRF-4 bands; no score → E, the
    below-standard coefficient (a missing appraisal earns no performance bonus)."""
    if score is None:
        return "E", policy.band_fail_coefficient
    for band, minimum, coefficient in (
        ("A", policy.band_excellent_min, policy.band_excellent_coefficient),
        ("B", policy.band_good_min, policy.band_good_coefficient),
        ("C", policy.band_fair_min, policy.band_fair_coefficient),
        ("D", policy.band_pass_min, policy.band_pass_coefficient),
    ):
        if score >= minimum:
            return band, coefficient
    return "E", policy.band_fail_coefficient


@dataclass
class AppraisalScores:
    """The figures stored on an appraisal (its partial scores, combined score and band)."""

    self_score: Decimal | None
    superior_score: Decimal | None
    auto_score: Decimal | None
    total_score: Decimal | None
    band: str
    explanation: list


def appraisal_scores(
    items: list[ItemInput],
    *,
    policy,
    final: bool,
    self_submitted: bool,
    self_missing: bool = False,
    self_deadline: datetime.date | None = None,
) -> AppraisalScores:
    """The scores of an appraisal from its items under ``policy`` (the cycle's, PRF-3, PRF-4).

    A side's drafts are neither counted nor shown until that side submits: the self scores count
    once ``self_submitted``; the superior's scores, the combined score and the band only once the
    superior has submitted (``final``), so a half-done appraisal never shows a total.
    ``self_missing`` (PRF-3, no self-evaluation by ``self_deadline``): the superior's score stands
    for both parts, i.e. the superior's weight is 100 %, and the explanation says so."""
    self_weight, superior_weight = policy.self_weight, policy.superior_weight
    if self_missing:
        self_weight, superior_weight = 0, 100
    scored = [
        ItemInput(
            weight=i.weight,
            method=i.method,
            scale_max=i.scale_max,
            self_score=i.superior_score if self_missing else i.self_score if self_submitted else None,
            superior_score=i.superior_score if final else None,
            auto_score=i.auto_score,
        )
        for i in items
    ]
    combined = combined_score(scored, self_weight=self_weight, superior_weight=superior_weight)
    explanation = list(combined.explanation)
    band = ""
    if combined.total is not None and final:
        band, coefficient = score_band(combined.total, policy)
        explanation.append(
            {
                "rule": "score_band",
                "article": "PRF-4",
                "score": str(combined.total),
                "band": band,
                "coefficient": str(coefficient),
            }
        )
    self_score = combined.self_score
    if self_missing:
        self_score = None
        for entry in explanation:
            if entry.get("rule") == "combined":
                entry["self"] = None
        explanation.insert(
            0,
            {
                "rule": "self_missing",
                "article": "PRF-3",
                "deadline": self_deadline.isoformat() if self_deadline else None,
                "self_weight": int(policy.self_weight),
                "superior_weight": int(policy.superior_weight),
            },
        )
    total = combined.total
    if not final:
        total = None
        for entry in explanation:
            if entry.get("rule") == "combined":
                entry["total"] = None
    return AppraisalScores(self_score, combined.superior_score, combined.auto_score, total, band, explanation)


def appraisal_score_texts() -> dict[str, str]:
    """How the appraisal's own explanation entries read, in the active language."""
    return {
        "combined": _(
            "%(article)s combined score = people-scored items (self %(self)s × %(self_weight)s%% + superior "
            "%(superior)s × %(superior_weight)s%%, weight %(manual_weight)s) + automatic items (%(auto)s, weight "
            "%(auto_weight)s) = %(total)s"
        ),
        "score_band": _("%(article)s score %(score)s → band %(band)s (bonus coefficient %(coefficient)s)"),
        "self_missing": _(
            "%(article)s no self-evaluation was submitted by the deadline %(deadline)s: the superior's score counts "
            "100%% for the people-scored items (instead of self %(self_weight)s%% + superior %(superior_weight)s%%)"
        ),
    }
