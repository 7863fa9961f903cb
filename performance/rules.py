"""Score and bonus arithmetic (PRF-1, PRF-3, PRF-4): pure functions, no database.

Every function returns its result together with an explanation (a dict with a ``rule`` key, the
article code and the inputs), stored with the appraisal item / bonus line and rendered by
:func:`explain` in the reader's language.

Money and scores are ``Decimal``; scores have two places and are rounded half up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ZERO = Decimal("0")


def q2(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = HUNDRED) -> Decimal:
    return max(low, min(high, value))


# --- Automatic indicators (PRF-1) -------------------------------------------------------------


@dataclass(frozen=True)
class MetricTotals:
    """One agent's month from the metrics import."""

    days: int = 0
    calls_answered: int = 0
    calls_resolved: int = 0
    handle_seconds_total: int = 0  # Σ avg_handle_seconds × calls_answered (call-weighted average)
    qa_weighted: Decimal = ZERO  # Σ qa_accuracy × calls_answered over days with a QA figure
    qa_calls: int = 0

    @property
    def resolution_rate(self) -> Decimal | None:
        if not self.calls_answered:
            return None
        return q2(Decimal(self.calls_resolved) * HUNDRED / self.calls_answered)

    @property
    def avg_handle_seconds(self) -> Decimal | None:
        if not self.calls_answered:
            return None
        return q2(Decimal(self.handle_seconds_total) / self.calls_answered)

    @property
    def qa_accuracy(self) -> Decimal | None:
        if not self.qa_calls:
            return None
        return q2(self.qa_weighted / self.qa_calls)


@dataclass(frozen=True)
class AttendanceFigures:
    """What the attendance indicator reads of the month (ATT-4, ATT-5)."""

    lateness: int = 0  # late arrivals + early leaves
    absence_days: Decimal = ZERO
    fines: Decimal = ZERO
    deduction: Decimal = ZERO


@dataclass(frozen=True)
class AutoResult:
    value: Decimal | None
    score: Decimal
    explanation: dict


def _ratio_score(actual: Decimal, target: Decimal) -> Decimal:
    return q2(clamp(actual * HUNDRED / target))


def auto_score(
    *,
    source: str,
    target: Decimal | None,
    metrics: MetricTotals | None = None,
    attendance: AttendanceFigures | None = None,
    satisfaction: tuple[Decimal, int] | None = None,
    policy=None,
) -> AutoResult:
    """The score (0..100) of an automatic indicator, from the month's data (PRF-1).

    - calls answered, resolution rate, QA accuracy: actual ÷ target × 100, capped at 100;
    - average handling time (lower is better): target ÷ actual × 100, capped at 100;
    - attendance: 100 − points per lateness × lateness − points per absence day × days, ≥ 0;
    - complaint satisfaction: average follow-up score (1–5) ÷ 5 × 100; no follow-up → 100.
    Missing metrics score 0 and say so: HR sees them and can import, then refresh.
    """
    metrics = metrics or MetricTotals()
    if source == "attendance":
        attendance = attendance or AttendanceFigures()
        off = policy.attendance_points_per_lateness * attendance.lateness + (
            policy.attendance_points_per_absence_day * attendance.absence_days
        )
        score = q2(clamp(HUNDRED - off))
        return AutoResult(
            Decimal(attendance.lateness),
            score,
            {
                "rule": "attendance",
                "article": "PRF-1",
                "lateness": attendance.lateness,
                "absence_days": str(attendance.absence_days),
                "per_lateness": str(policy.attendance_points_per_lateness),
                "per_absence_day": str(policy.attendance_points_per_absence_day),
                "score": str(score),
            },
        )
    if source == "complaint_satisfaction":
        average, count = satisfaction or (None, 0)
        if not count:
            return AutoResult(None, HUNDRED, {"rule": "satisfaction_none", "article": "PRF-1", "score": "100.00"})
        score = q2(clamp(Decimal(average) * HUNDRED / 5))
        return AutoResult(
            q2(Decimal(average)),
            score,
            {
                "rule": "satisfaction",
                "article": "PRF-1",
                "average": str(q2(Decimal(average))),
                "count": count,
                "score": str(score),
            },
        )
    actual = {
        "calls_answered": Decimal(metrics.calls_answered) if metrics.days else None,
        "resolution_rate": metrics.resolution_rate,
        "avg_handle_time": metrics.avg_handle_seconds,
        "qa_accuracy": metrics.qa_accuracy,
    }[source]
    if actual is None or target is None:
        return AutoResult(None, ZERO, {"rule": "no_data", "article": "PRF-1", "source": source, "score": "0.00"})
    if source == "avg_handle_time":
        score = HUNDRED if actual <= 0 else _ratio_score(target, actual)
        rule = "lower_better"
    else:
        score = _ratio_score(actual, target)
        rule = "higher_better"
    return AutoResult(
        q2(actual),
        score,
        {
            "rule": rule,
            "article": "PRF-1",
            "source": source,
            "actual": str(q2(actual)),
            "target": str(q2(target)),
            "days": metrics.days,
            "score": str(score),
        },
    )


# --- Combined score (PRF-3) -------------------------------------------------------------------


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


def _to_100(score: Decimal, scale_max: int) -> Decimal:
    return Decimal(score) * HUNDRED / Decimal(scale_max)


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
        (i.weight, None if i.self_score is None else _to_100(i.self_score, i.scale_max)) for i in manual
    )
    superior_part = weighted(
        (i.weight, None if i.superior_score is None else _to_100(i.superior_score, i.scale_max)) for i in manual
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
                    sw * _to_100(i.self_score, i.scale_max) + pw * _to_100(i.superior_score, i.scale_max)
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


# --- Bands and the bonus (PRF-4) --------------------------------------------------------------


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


# --- Explanations -----------------------------------------------------------------------------


def explain(item: dict) -> str:
    """One explanation entry in the reader's language."""
    rule = item.get("rule", "")
    p = {k: v for k, v in item.items() if k != "rule"}
    texts = {
        "attendance": _(
            "%(article)s attendance: 100 − %(per_lateness)s × %(lateness)s lateness/early leave − "
            "%(per_absence_day)s × %(absence_days)s days of absenteeism = %(score)s"
        ),
        "satisfaction_none": _("%(article)s no complaint follow-up this month: full score %(score)s"),
        "satisfaction": _(
            "%(article)s average follow-up satisfaction %(average)s of 5 over %(count)s complaints = %(score)s"
        ),
        "no_data": _("%(article)s no data imported for this month: score %(score)s (import metrics, then refresh)"),
        "higher_better": _(
            "%(article)s %(actual)s against target %(target)s over %(days)s days = %(score)s (capped at 100)"
        ),
        "lower_better": _(
            "%(article)s %(actual)s against target %(target)s (lower is better) over %(days)s days = %(score)s "
            "(capped at 100)"
        ),
        "combined": _(
            "%(article)s combined score = people-scored items (self %(self)s × %(self_weight)s%% + superior "
            "%(superior)s × %(superior_weight)s%%, weight %(manual_weight)s) + automatic items (%(auto)s, weight "
            "%(auto_weight)s) = %(total)s"
        ),
        "band": _(
            "%(article)s score %(score)s → band %(band)s, coefficient %(coefficient)s × base %(base)s = %(amount)s"
        ),
        "score_band": _("%(article)s score %(score)s → band %(band)s (bonus coefficient %(coefficient)s)"),
        "no_score": _("%(article)s no completed appraisal: band %(band)s, coefficient %(coefficient)s → %(amount)s"),
        "attendance_fines": _("%(article)s attendance fines of the month: −%(amount)s"),
        "absenteeism_deduction": _("%(article)s absenteeism deduction of the month: −%(amount)s"),
        "reward": _("%(article)s reward: +%(amount)s %(title)s"),
        "penalty": _("%(article)s fine: −%(amount)s %(title)s"),
    }
    template = texts.get(rule)
    if template is None:
        return str(item)
    p = {k: ("—" if v is None else v) for k, v in p.items()}
    try:
        return template % p
    except (KeyError, TypeError, ValueError):
        return str(item)
