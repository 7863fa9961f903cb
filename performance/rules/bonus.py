"""The bonus sheet's arithmetic (PRF-4) and the explanations of every rule: pure functions, no
database.

- :func:`bonus_line`: base × band coefficient − attendance fines (ATT-4) − absenteeism deduction
  (ATT-5) + rewards (RWD-2) − fines (PEN-1), with its explanation;
- HR's rewards and fines are explanation entries of the line (``{"rule": "reward"|"penalty", …}``):
  :func:`adjustments_of` finds them, :func:`adjustment_sums` adds them up;
- :func:`explain`: one explanation entry (of an appraisal, an item or a bonus line) in the
  reader's language. The bonus line is the last step of PRF-1..PRF-4, so it reads every area's texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from performance.rules.appraisals import appraisal_score_texts, score_band
from performance.rules.cycles import auto_score_texts
from performance.rules.setup import ZERO, q2

__all__ = [
    "ADJUSTMENT_ARTICLES",
    "BonusFigures",
    "adjustment_sums",
    "adjustments_of",
    "bonus_line",
    "bonus_line_texts",
    "explain",
]

# RWD-2: money rewards flow into the bonus sheet; PEN-1: fines are deducted from that month's pay.
ADJUSTMENT_ARTICLES = {"reward": "RWD-2", "penalty": "PEN-1"}


@dataclass
class BonusFigures:
    score: Decimal | None
    band: str
    coefficient: Decimal
    bonus_base: Decimal
    performance_amount: Decimal
    attendance_fines: Decimal
    absenteeism_deduction: Decimal
    rewards: Decimal
    penalties: Decimal
    total: Decimal
    explanation: list


def bonus_line(
    *,
    score: Decimal | None,
    bonus_base: Decimal,
    policy,
    attendance_fines: Decimal = ZERO,
    absenteeism_deduction: Decimal = ZERO,
    rewards: Decimal = ZERO,
    penalties: Decimal = ZERO,
    adjustments: list[dict] | None = None,
) -> BonusFigures:
    """PRF-4: base × band coefficient − attendance fines (ATT-4) − absenteeism deduction (ATT-5)
    + rewards (RWD-2) − fines (PEN-1). The total may be negative: the payroll recovers the rest
    from pay, and the sheet shows it rather than hiding it."""
    band, coefficient = score_band(score, policy)
    performance = q2(Decimal(bonus_base) * coefficient)
    fines, deduction, rewards, penalties = (
        q2(Decimal(v)) for v in (attendance_fines, absenteeism_deduction, rewards, penalties)
    )
    total = performance - fines - deduction + rewards - penalties
    explanation = [
        {
            "rule": "band" if score is not None else "no_score",
            "article": "PRF-4",
            "score": None if score is None else str(score),
            "band": band,
            "coefficient": str(coefficient),
            "base": str(q2(Decimal(bonus_base))),
            "amount": str(performance),
        }
    ]
    if fines:
        explanation.append({"rule": "attendance_fines", "article": "ATT-4", "amount": str(fines)})
    if deduction:
        explanation.append({"rule": "absenteeism_deduction", "article": "ATT-5", "amount": str(deduction)})
    explanation.extend(adjustments or [])
    return BonusFigures(
        score,
        band,
        coefficient,
        q2(Decimal(bonus_base)),
        performance,
        fines,
        deduction,
        rewards,
        penalties,
        q2(total),
        explanation,
    )


def adjustments_of(explanation: list) -> list[dict]:
    """HR's rewards (RWD-2) and fines (PEN-1) among a line's explanation entries, in order."""
    return [e for e in explanation or [] if e.get("rule") in ADJUSTMENT_ARTICLES]


def adjustment_sums(adjustments: list[dict]) -> tuple[Decimal, Decimal]:
    """(rewards, fines) of a line's adjustments."""
    rewards = sum((Decimal(a["amount"]) for a in adjustments if a["rule"] == "reward"), Decimal("0"))
    penalties = sum((Decimal(a["amount"]) for a in adjustments if a["rule"] == "penalty"), Decimal("0"))
    return rewards, penalties


def bonus_line_texts() -> dict[str, str]:
    """How a bonus line's explanation entries read, in the active language."""
    return {
        "band": _(
            "%(article)s score %(score)s → band %(band)s, coefficient %(coefficient)s × base %(base)s = %(amount)s"
        ),
        "no_score": _("%(article)s no completed appraisal: band %(band)s, coefficient %(coefficient)s → %(amount)s"),
        "attendance_fines": _("%(article)s attendance fines of the month: −%(amount)s"),
        "absenteeism_deduction": _("%(article)s absenteeism deduction of the month: −%(amount)s"),
        "reward": _("%(article)s reward: +%(amount)s %(title)s"),
        "penalty": _("%(article)s fine: −%(amount)s %(title)s"),
    }


def explain(item: dict) -> str:
    """One explanation entry (an automatic indicator's, an appraisal's or a bonus line's) in the
    reader's language; an unknown entry as it is stored."""
    rule = item.get("rule", "")
    template = {**auto_score_texts(), **appraisal_score_texts(), **bonus_line_texts()}.get(rule)
    if template is None:
        return str(item)
    p = {k: ("—" if v is None else v) for k, v in item.items() if k != "rule"}
    try:
        return template % p
    except (KeyError, TypeError, ValueError):
        return str(item)
