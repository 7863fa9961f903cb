"""The monthly cycle (PRF-2) and the automatic indicators it fills (PRF-1): pure functions, no
database.

- :func:`month_last_day`: a month is appraised at its end; deadlines count from its last day;
  :func:`previous_month`: the month the month-end job opens.
- :func:`policy_snapshot` / :func:`policy_from_snapshot`: a cycle (and a bonus sheet) keeps the
  appraisal policy in force when it was made, so a later policy change never rewrites it.
- :func:`auto_score`: the score of an automatic indicator from the month's data, with its
  explanation (a dict with a ``rule`` key, the article and the inputs, rendered by
  :func:`performance.rules.explain`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from performance.models import AppraisalPolicy
from performance.rules.metrics import MetricTotals
from performance.rules.setup import HUNDRED, ZERO, clamp, q2

__all__ = [
    "AttendanceFigures",
    "AutoResult",
    "TrainingFigures",
    "auto_score",
    "auto_score_texts",
    "month_last_day",
    "policy_from_snapshot",
    "policy_snapshot",
    "previous_month",
    "training_score",
]


def month_last_day(month: datetime.date) -> datetime.date:
    first = month.replace(day=1)
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def previous_month(day: datetime.date) -> datetime.date:
    """The first day of the month before ``day``'s: the month the month-end job appraises (PRF-2)."""
    return (day.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


# --- The policy in force (PRF-2) -----------------------------------------------------------------


def policy_snapshot(policy: AppraisalPolicy) -> dict:
    data = {f.name: str(getattr(policy, f.name)) for f in AppraisalPolicy.parameter_fields()}
    data["effective_from"] = policy.effective_from.isoformat()
    data["version_id"] = policy.pk
    return data


def policy_from_snapshot(snapshot: dict) -> AppraisalPolicy:
    """An unsaved policy object with the snapshot's values (defaults for anything missing)."""
    policy = AppraisalPolicy()
    for f in AppraisalPolicy.parameter_fields():
        if f.name in snapshot:
            setattr(policy, f.name, f.to_python(snapshot[f.name]))
    if snapshot.get("effective_from"):
        policy.effective_from = datetime.date.fromisoformat(snapshot["effective_from"])
    return policy


# --- Automatic indicators (PRF-1) -------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceFigures:
    """What the attendance indicator reads of the month (ATT-4, ATT-5)."""

    lateness: int = 0  # late arrivals + early leaves
    absence_days: Decimal = ZERO
    fines: Decimal = ZERO
    deduction: Decimal = ZERO


@dataclass(frozen=True)
class TrainingFigures:
    """What the training indicator reads of the month (TRN-3): the scores of the assessments
    completed in it, the mandatory courses whose deadline fell in it and were missed, and the
    training policy's deduction per missed course."""

    scores: tuple[Decimal, ...] = ()
    missed: tuple[str, ...] = ()
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
    training: TrainingFigures | None = None,
) -> AutoResult:
    """The score (0..100) of an automatic indicator, from the month's data (PRF-1).

    - calls answered, resolution rate, QA accuracy: actual ÷ target × 100, capped at 100;
    - average handling time (lower is better): target ÷ actual × 100, capped at 100;
    - attendance: 100 − points per lateness × lateness − points per absence day × days, ≥ 0;
    - complaint satisfaction: average follow-up score (1–5) ÷ 5 × 100; no follow-up → 100;
    - training (TRN-3): :func:`training_score`.
    Missing metrics score 0 and say so: HR sees them and can import, then refresh.
    """
    metrics = metrics or MetricTotals()
    if source == "training":
        return training_score(training or TrainingFigures())
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


def training_score(figures: TrainingFigures) -> AutoResult:
    """The training indicator (TRN-3): the average score of the month's assessments, minus the
    policy's deduction per mandatory course missed by a deadline that fell in the month, floored at
    0. A month without an assessment scores full marks before the deduction (nothing was assessed,
    so nothing is held against the employee, as with a month without complaint follow-up); its
    value is then empty. The value is the average score."""
    count = len(figures.scores)
    average = q2(sum(figures.scores, ZERO) / count) if count else None
    base = average if average is not None else HUNDRED
    off = figures.deduction * len(figures.missed)
    score = q2(clamp(base - off))
    explanation = {
        "rule": "training" if count else "training_none",
        "article": "TRN-3",
        "average": str(average) if average is not None else None,
        "count": count,
        "missed": len(figures.missed),
        "courses": ", ".join(figures.missed) or "—",
        "deduction": str(q2(figures.deduction)),
        "score": str(score),
    }
    return AutoResult(average, score, explanation)


def auto_score_texts() -> dict[str, str]:
    """How each :func:`auto_score` rule reads, in the active language (``%(name)s`` filled from the
    explanation entry)."""
    return {
        "attendance": _(
            "%(article)s attendance: 100 − %(per_lateness)s × %(lateness)s lateness/early leave − "
            "%(per_absence_day)s × %(absence_days)s days of absenteeism = %(score)s"
        ),
        "satisfaction_none": _("%(article)s no complaint follow-up this month: full score %(score)s"),
        "satisfaction": _(
            "%(article)s average follow-up satisfaction %(average)s of 5 over %(count)s complaints = %(score)s"
        ),
        "training": _(
            "%(article)s training: average score %(average)s over %(count)s assessments − %(deduction)s × "
            "%(missed)s mandatory courses missed (%(courses)s) = %(score)s"
        ),
        "training_none": _(
            "%(article)s training: no assessment this month, full marks 100 − %(deduction)s × %(missed)s "
            "mandatory courses missed (%(courses)s) = %(score)s"
        ),
        "no_data": _("%(article)s no data imported for this month: score %(score)s (import metrics, then refresh)"),
        "higher_better": _(
            "%(article)s %(actual)s against target %(target)s over %(days)s days = %(score)s (capped at 100)"
        ),
        "lower_better": _(
            "%(article)s %(actual)s against target %(target)s (lower is better) over %(days)s days = %(score)s "
            "(capped at 100)"
        ),
    }
