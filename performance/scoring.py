"""Shared scoring steps of the appraisal services (not a public module: other apps use
``performance.services`` / ``performance.selectors``).

- :func:`policy_snapshot` / :func:`policy_from_snapshot`: a cycle and a bonus sheet keep the
  appraisal policy in force when they were made, so a later policy change never rewrites them.
- :func:`metric_totals` : the month's call-center metrics per agent, one aggregate query.
- :func:`appraisal_totals_apply`: recompute an appraisal's partial and combined scores and band
  from its items (PRF-3, PRF-4), with the explanation.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from callcenter.selectors import policy_in_force
from performance import rules
from performance.models import AgentDailyMetric, Appraisal, AppraisalItem, AppraisalPolicy


def month_last_day(month: datetime.date) -> datetime.date:
    first = month.replace(day=1)
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def policy_for_month(month: datetime.date) -> AppraisalPolicy:
    """The appraisal policy in force on the month's last day (PRF-2: scoring at month end)."""
    return policy_in_force(AppraisalPolicy, month_last_day(month))


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


def metric_totals(*, month: datetime.date, employee_ids: list[int] | None = None) -> dict[int, rules.MetricTotals]:
    """{employee id: the month's metric totals} from the import (PRF-1 work results). One query."""
    first, last = month.replace(day=1), month_last_day(month)
    qs = AgentDailyMetric.objects.filter(day__range=(first, last))
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=employee_ids)
    rows = (
        qs.values("employee_id")
        .annotate(
            days=Count("id"),
            answered=Sum("calls_answered"),
            resolved=Sum("calls_resolved"),
            handle=Sum(F("avg_handle_seconds") * F("calls_answered")),
            qa_weighted=Sum(F("qa_accuracy") * F("calls_answered"), filter=Q(qa_accuracy__isnull=False)),
            qa_calls=Sum("calls_answered", filter=Q(qa_accuracy__isnull=False)),
        )
        .order_by()
    )
    return {
        r["employee_id"]: rules.MetricTotals(
            days=r["days"],
            calls_answered=r["answered"] or 0,
            calls_resolved=r["resolved"] or 0,
            handle_seconds_total=r["handle"] or 0,
            qa_weighted=Decimal(r["qa_weighted"] or 0),
            qa_calls=r["qa_calls"] or 0,
        )
        for r in rows
    }


TOTAL_FIELDS = ["self_score", "superior_score", "auto_score", "total_score", "band", "explanation", "updated_at"]


def appraisal_totals_apply(appraisal: Appraisal, items: list[AppraisalItem], policy: AppraisalPolicy) -> list[str]:
    """Set the appraisal's partial scores, combined score and band from ``items`` (PRF-3, PRF-4).
    Returns the changed field names for ``save(update_fields=...)``; the caller saves."""
    from django.utils import timezone

    combined = rules.combined_score(
        [
            rules.ItemInput(
                weight=i.weight,
                method=i.method,
                scale_max=i.scale_max,
                self_score=i.self_score,
                superior_score=i.superior_score,
                auto_score=i.auto_score,
            )
            for i in items
        ],
        self_weight=policy.self_weight,
        superior_weight=policy.superior_weight,
    )
    appraisal.self_score = combined.self_score
    appraisal.superior_score = combined.superior_score
    appraisal.auto_score = combined.auto_score
    appraisal.total_score = combined.total
    explanation = list(combined.explanation)
    if combined.total is not None:
        band, coefficient = rules.score_band(combined.total, policy)
        appraisal.band = band
        explanation.append(
            {
                "rule": "score_band",
                "article": "PRF-4",
                "score": str(combined.total),
                "band": band,
                "coefficient": str(coefficient),
            }
        )
    else:
        appraisal.band = ""
    appraisal.explanation = explanation
    appraisal.updated_at = timezone.now()
    return TOTAL_FIELDS


def appraisal_scores_apply(
    appraisal: Appraisal, items: list[AppraisalItem], *, final: bool, self_missing: bool = False
) -> list[str]:
    """Partial scores always; the combined score and band only once the superior has submitted
    (``final``), so a half-done appraisal never shows a total (PRF-3, PRF-4). Shared by the
    evaluation workflow and the cycle's refresh. Returns the changed fields; the caller saves.
    The policy is the one the cycle was opened with (a later policy change never rewrites it)."""
    policy = policy_from_snapshot(appraisal.cycle.policy_snapshot or {})
    if self_missing:
        # PRF-3, self-evaluation not submitted by the deadline: the superior's score stands for
        # both parts, i.e. the superior's weight is 100 % (explained by the "self_missing" entry).
        policy.self_weight, policy.superior_weight = 0, 100
    # A side's drafts are neither counted nor shown until that side submits.
    with_self = appraisal.self_submitted_at is not None
    scored = [
        rules.ItemInput(
            weight=i.weight,
            method=i.method,
            scale_max=i.scale_max,
            self_score=i.superior_score if self_missing else i.self_score if with_self else None,
            superior_score=i.superior_score if final else None,
            auto_score=i.auto_score,
        )
        for i in items
    ]
    fields = appraisal_totals_apply(appraisal, scored, policy)
    if self_missing:
        appraisal.self_score = None
        snapshot = appraisal.cycle.policy_snapshot or {}
        for entry in appraisal.explanation:
            if entry.get("rule") == "combined":
                entry["self"] = None
        appraisal.explanation.insert(
            0,
            {
                "rule": "self_missing",
                "article": "PRF-3",
                "deadline": appraisal.cycle.self_deadline.isoformat(),
                "self_weight": int(snapshot.get("self_weight", 30)),
                "superior_weight": int(snapshot.get("superior_weight", 70)),
            },
        )
    if not final:
        appraisal.total_score = None
        appraisal.band = ""
        appraisal.explanation = [e for e in appraisal.explanation if e.get("rule") != "score_band"]
        for entry in appraisal.explanation:
            if entry.get("rule") == "combined":
                entry["total"] = None
    return fields
