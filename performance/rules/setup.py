"""Score arithmetic shared by every rule of PRF-1..PRF-4: rounding, bounds and the indicator scale.

Money and scores are ``Decimal``; scores have two places and are rounded half up. People score an
indicator on its own scale (0..``scale_max``, PRF-1); every combination works on 0..100.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["CENT", "HUNDRED", "ZERO", "clamp", "q2", "scale_to_100"]

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = HUNDRED) -> Decimal:
    return max(low, min(high, value))


def scale_to_100(score: Decimal, scale_max: int) -> Decimal:
    """A score on an indicator's scale (0..``scale_max``) on 0..100 (PRF-1)."""
    return Decimal(score) * HUNDRED / Decimal(scale_max)
