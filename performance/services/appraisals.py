"""Performance services: the evaluation workflow of one appraisal (PRF-3).

    self ──(employee submits, every people-scored item scored)──> superior
    superior ──(evaluating superior submits)──> interview
    self ──(superior submits after the self-evaluation deadline, no self-evaluation)──> interview
    interview ──(superior records the feedback interview)──> completed
    superior / interview / completed ──(HR sends back to "self")──> self
    interview / completed ──(HR sends back to "superior")──> superior
    locked (the appraisal or its cycle): nothing changes any more.

Who acts: the employee fills the self-evaluation; the evaluating superior (``evaluator``, copied
at opening; the department manager when the evaluator has left or there is none) evaluates and
holds the interview; HR sends back, and never scores. Every state change locks the appraisal row
(``select_for_update``) and writes its audit event in the same transaction; the cycle lock of HR
sets every appraisal to ``locked`` under the same row locks, so a save and a lock serialise.

A missing self-evaluation (PRF-3): the superior may not evaluate before the employee submits,
unless the cycle's self-evaluation deadline has passed. Then the superior's score counts 100 %
for the people-scored items (the employee's unsubmitted drafts are ignored); the explanation of
the combined score says so (rule ``self_missing``). See docs/performance-appraisals.md.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Employee
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_of
from callcenter.services import notification_send
from datasecurity.services import audit_record
from performance import rules
from performance.errors import PerformanceErrorCode
from performance.models import (
    ActionStatus,
    Appraisal,
    AppraisalItem,
    AppraisalStatus,
    CycleStatus,
    FeedbackInterview,
    ImprovementAction,
    ScoringMethod,
)
from performance.selectors import (
    SEND_BACK_FROM,
    acting_evaluator,
    acting_evaluator_ids,
    appraisal_visible_q,
    open_actions_before,
)

__all__ = [
    "APPRAISAL_COMMENT_MAX",
    "APPRAISAL_SCORE_FIELDS",
    "APPRAISAL_TEXT_MAX",
    "appraisal_interview_record",
    "appraisal_scores_apply",
    "appraisal_self_save",
    "appraisal_send_back",
    "appraisal_superior_save",
]

APPRAISAL_COMMENT_MAX = 2000
APPRAISAL_TEXT_MAX = 4000
_ACTIONS_MAX = 20
# The fields :func:`appraisal_scores_apply` sets (for ``save`` / ``bulk_update``).
APPRAISAL_SCORE_FIELDS = [
    "self_score",
    "superior_score",
    "auto_score",
    "total_score",
    "band",
    "explanation",
    "updated_at",
]


# --- Helpers ---------------------------------------------------------------------------------------


def _text(value, *, field, required: bool = False, limit: int = APPRAISAL_TEXT_MAX) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise ApplicationError(_("Please fill in %(field)s.") % {"field": field}, code=PerformanceErrorCode.REQUIRED)
    if len(value) > limit:
        raise ApplicationError(
            _("%(field)s is too long (at most %(limit)d characters).") % {"field": field, "limit": limit},
            code=PerformanceErrorCode.TOO_LONG,
        )
    return value


def _score(value, item: AppraisalItem) -> Decimal | None:
    """A score on the item's scale: 0..scale_max, at most two decimal places (PRF-1)."""
    if value is None or value == "":
        return None
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        score = None
    if score is None or not score.is_finite():
        raise ApplicationError(
            _("“%(indicator)s”: the score must be a number.") % {"indicator": item.indicator.display_name},
            code=PerformanceErrorCode.SCORE_INVALID,
        )
    if score < 0 or score > item.scale_max:
        raise ApplicationError(
            _("“%(indicator)s”: the score must be between 0 and %(max)s.")
            % {"indicator": item.indicator.display_name, "max": item.scale_max},
            code=PerformanceErrorCode.SCORE_INVALID,
        )
    if score.as_tuple().exponent < -2 and score != score.quantize(Decimal("0.01")):
        raise ApplicationError(
            _("“%(indicator)s”: a score has at most two decimal places.") % {"indicator": item.indicator.display_name},
            code=PerformanceErrorCode.SCORE_INVALID,
        )
    return score.quantize(Decimal("0.01"))


def _actor_employee(actor) -> Employee | None:
    return employee_of(actor)


def appraisal_scores_apply(
    appraisal: Appraisal, items: list[AppraisalItem], *, final: bool, self_missing: bool = False
) -> list[str]:
    """Set the appraisal's partial scores, and its combined score and band once the superior has
    submitted (``final``), from ``items`` under the policy the cycle was opened with
    (:func:`performance.rules.appraisal_scores`, PRF-3, PRF-4). Shared by the evaluation workflow
    and the cycle's opening and refresh. Returns the changed fields; the caller saves."""
    cycle = appraisal.cycle
    scores = rules.appraisal_scores(
        items,
        policy=rules.policy_from_snapshot(cycle.policy_snapshot or {}),
        final=final,
        self_submitted=appraisal.self_submitted_at is not None,
        self_missing=self_missing,
        self_deadline=cycle.self_deadline,
    )
    appraisal.self_score = scores.self_score
    appraisal.superior_score = scores.superior_score
    appraisal.auto_score = scores.auto_score
    appraisal.total_score = scores.total_score
    appraisal.band = scores.band
    appraisal.explanation = scores.explanation
    appraisal.updated_at = timezone.now()
    return APPRAISAL_SCORE_FIELDS


def _lock(*, actor, appraisal_id: int) -> Appraisal:
    """The appraisal row, locked, if ``actor`` may see it (else 404: no leak of its existence)."""
    q = appraisal_visible_q(actor)
    qs = Appraisal.objects.select_for_update(of=("self",)).select_related(
        "cycle", "employee__user", "evaluator__user", "department__manager__user"
    )
    if q is not None:
        qs = qs.filter(q)
    locked = qs.filter(pk=appraisal_id).first()
    if locked is None:
        raise NotFoundError(_("Appraisal not found."))
    return locked


def _refuse_locked(appraisal: Appraisal) -> None:
    if appraisal.status == AppraisalStatus.LOCKED or appraisal.cycle.status == CycleStatus.LOCKED:
        raise ApplicationError(
            _("This appraisal is locked (its month was closed by HR); nothing can be changed any more (PRF-2)."),
            code=PerformanceErrorCode.LOCKED,
            status=409,
        )


def _items(appraisal: Appraisal) -> list[AppraisalItem]:
    return list(
        AppraisalItem.objects.select_for_update(of=("self",))
        .select_related("indicator")
        .filter(appraisal=appraisal)
        .order_by("order", "id")
    )


def _parse_scores(items: list[AppraisalItem], entries: dict | None) -> dict[int, tuple[Decimal | None, str]]:
    """Validate ``{item id: {score, comment}}`` against the appraisal's people-scored items."""
    by_id = {i.pk: i for i in items}
    parsed = {}
    for raw_id, entry in (entries or {}).items():
        try:
            item = by_id.get(int(raw_id))
        except (TypeError, ValueError):
            item = None
        if item is None:
            raise ApplicationError(
                _("An item does not belong to this appraisal."), code=PerformanceErrorCode.ITEM_INVALID
            )
        if item.method != ScoringMethod.MANUAL:
            raise ApplicationError(
                _("“%(indicator)s” is filled automatically from data; it cannot be scored by hand (PRF-1).")
                % {"indicator": item.indicator.display_name},
                code=PerformanceErrorCode.ITEM_AUTOMATIC,
            )
        entry = entry or {}
        comment = _text(
            entry.get("comment"),
            field=_("the comment on “%(indicator)s”") % {"indicator": item.indicator.display_name},
            limit=APPRAISAL_COMMENT_MAX,
        )
        parsed[item.pk] = (_score(entry.get("score"), item), comment)
    return parsed


def _write_side(
    appraisal: Appraisal, side: str, items: dict | None, summary: str | None, *, submit: bool
) -> tuple[list[AppraisalItem], list[AppraisalItem], str]:
    """Write one side's scores and comments (``self`` or ``superior``; only that side's fields) and
    return the items, the changed ones and the summary to store. On submit every people-scored
    item needs that side's score (PRF-3). The caller holds the appraisal's row lock."""
    score_field, comment_field = f"{side}_score", f"{side}_comment"
    rows = _items(appraisal)
    parsed = _parse_scores(rows, items)
    summary_text = (
        getattr(appraisal, f"{side}_summary")
        if summary is None
        else _text(summary, field=_("the summary"), limit=APPRAISAL_TEXT_MAX)
    )
    changed = []
    for item in rows:
        if item.pk in parsed and (getattr(item, score_field), getattr(item, comment_field)) != parsed[item.pk]:
            setattr(item, score_field, parsed[item.pk][0])
            setattr(item, comment_field, parsed[item.pk][1])
            changed.append(item)
    if submit:
        missing = [i for i in rows if i.method == ScoringMethod.MANUAL and getattr(i, score_field) is None]
        if missing:
            raise ApplicationError(
                _("Score every item before you submit; missing: %(items)s.")
                % {"items": "、".join(i.indicator.display_name for i in missing)},
                code=PerformanceErrorCode.INCOMPLETE,
                # The pages mark each of these score fields; the API returns them with the message.
                extra={"missing_items": [i.pk for i in missing]},
            )
    AppraisalItem.objects.bulk_update(changed, [score_field, comment_field])
    return rows, changed, summary_text


def _notify(recipients, kind: str, title, body, appraisal: Appraisal, extra: dict | None = None) -> None:
    recipients = [r for r in recipients if r is not None]
    if not recipients:
        return
    notification_send(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        url=reverse("performance:appraisal_detail", args=[appraisal.pk]),
        params={"name": appraisal.employee.name, "month": appraisal.month.strftime("%Y-%m"), **(extra or {})},
    )


def _evaluators(appraisal: Appraisal) -> list[Employee]:
    evaluator = acting_evaluator(appraisal)
    return [] if evaluator is None else [evaluator]


def _require_evaluator(actor, appraisal: Appraisal, *, action: str) -> Employee:
    # Nobody evaluates their own appraisal; their superior does (PRF-3, SEC-2).
    refuse_own_record(actor=actor, employee_id=appraisal.employee_id, action=action)
    me = _actor_employee(actor)
    if me is None or me.pk not in acting_evaluator_ids(appraisal):
        raise PermissionDeniedError(
            _("Only the evaluating superior of this appraisal may do this (PRF-3)."),
            code=PerformanceErrorCode.NOT_EVALUATOR,
        )
    return me


# --- Self-evaluation (PRF-3) -----------------------------------------------------------------------


def appraisal_self_save(
    *, actor, appraisal_id: int, items: dict | None = None, summary: str | None = None, submit: bool = False
) -> Appraisal:
    """The employee's self-evaluation: a score (0..the item's scale) and a comment per
    people-scored item, and a summary. Saved as a draft, or submitted — then every people-scored
    item needs a score, the appraisal goes to the superior and they are notified (PRF-3).
    Only the self fields are written; anything else in the input is not read."""
    with transaction.atomic():
        appraisal = _lock(actor=actor, appraisal_id=appraisal_id)
        _refuse_locked(appraisal)
        me = _actor_employee(actor)
        if me is None or me.pk != appraisal.employee_id:
            raise PermissionDeniedError(
                _("Only the employee fills in their own self-evaluation (PRF-3)."),
                code=PerformanceErrorCode.NOT_OWN_APPRAISAL,
            )
        if appraisal.status != AppraisalStatus.SELF:
            raise ApplicationError(
                _("The self-evaluation has been submitted; it can no longer be changed."),
                code=PerformanceErrorCode.SELF_SUBMITTED,
                status=409,
            )
        rows, changed, summary_text = _write_side(appraisal, "self", items, summary, submit=submit)
        old_status = appraisal.status
        appraisal.self_summary = summary_text
        now = timezone.now()
        if submit:
            appraisal.status = AppraisalStatus.SUPERIOR
            appraisal.self_submitted_at = now
        fields = appraisal_scores_apply(appraisal, rows, final=False)
        appraisal.save(update_fields=[*fields, "self_summary", "status", "self_submitted_at"])
        audit_record(
            actor=actor,
            action="appraisal.self_submit" if submit else "appraisal.self_save",
            obj=appraisal,
            changes={
                "status": [old_status, appraisal.status],
                "items_changed": len(changed),
                "self_score": None if appraisal.self_score is None else str(appraisal.self_score),
            },
        )
        if submit:
            _notify(
                _evaluators(appraisal),
                "performance.self_submitted",
                gettext_lazy("%(name)s submitted the self-evaluation for %(month)s"),
                gettext_lazy("Please evaluate %(name)s's appraisal for %(month)s (PRF-3)."),
                appraisal,
            )
    return appraisal


# --- The superior's evaluation (PRF-3) --------------------------------------------------------------


@privileged_service("performance.appraisal_superior_save", label=gettext_lazy("evaluate an appraisal as the superior"))
def appraisal_superior_save(
    *, actor, appraisal_id: int, items: dict | None = None, summary: str | None = None, submit: bool = False
) -> Appraisal:
    """The evaluating superior's scores and comments per people-scored item and a summary; on
    submit every people-scored item needs a score, the combined score and band are computed with
    the cycle's policy (``self_weight`` / ``superior_weight``), the appraisal goes to the feedback
    interview and the employee is notified (PRF-3, PRF-4).

    Before the employee has submitted, the superior is refused until the self-evaluation deadline
    has passed; after it, the superior's score counts 100 % and the explanation says so."""
    with transaction.atomic():
        appraisal = _lock(actor=actor, appraisal_id=appraisal_id)
        _refuse_locked(appraisal)
        me = _require_evaluator(actor, appraisal, action="performance.appraisal_superior_save")
        if appraisal.status == AppraisalStatus.SELF:
            if appraisal.returned_at is not None:
                # HR asked the employee to redo it: the deadline fallback would discard their work.
                raise ApplicationError(
                    _(
                        "HR sent this appraisal back to the self-evaluation; you can evaluate once %(name)s "
                        "submits it again (PRF-3)."
                    )
                    % {"name": appraisal.employee.name},
                    code=PerformanceErrorCode.SELF_PENDING,
                    status=409,
                )
            if timezone.localdate() <= appraisal.cycle.self_deadline:
                raise ApplicationError(
                    _(
                        "%(name)s has not submitted the self-evaluation yet. You can evaluate once it is "
                        "submitted, or after the self-evaluation deadline (%(deadline)s) (PRF-3)."
                    )
                    % {"name": appraisal.employee.name, "deadline": appraisal.cycle.self_deadline.isoformat()},
                    code=PerformanceErrorCode.SELF_PENDING,
                    status=409,
                )
        elif appraisal.status != AppraisalStatus.SUPERIOR:
            raise ApplicationError(
                _("The superior's evaluation has been submitted; it can no longer be changed."),
                code=PerformanceErrorCode.SUPERIOR_SUBMITTED,
                status=409,
            )
        # No self-evaluation submitted (the deadline passed): the superior's score counts 100 %.
        self_missing = appraisal.self_submitted_at is None
        rows, changed, summary_text = _write_side(appraisal, "superior", items, summary, submit=submit)
        old_status = appraisal.status
        appraisal.superior_summary = summary_text
        extra_fields = ["superior_summary", "status", "superior_submitted_at", "superior_by"]
        if submit:
            appraisal.status = AppraisalStatus.INTERVIEW
            appraisal.superior_submitted_at = timezone.now()
            appraisal.superior_by = me
        fields = appraisal_scores_apply(appraisal, rows, final=submit, self_missing=self_missing and submit)
        appraisal.save(update_fields=[*fields, *extra_fields])
        audit_record(
            actor=actor,
            action="appraisal.superior_submit" if submit else "appraisal.superior_save",
            obj=appraisal,
            changes={
                "status": [old_status, appraisal.status],
                "items_changed": len(changed),
                "superior_score": None if appraisal.superior_score is None else str(appraisal.superior_score),
                "total_score": None if appraisal.total_score is None else str(appraisal.total_score),
                "band": appraisal.band,
                "self_missing": self_missing and submit,
            },
        )
        if submit:
            _notify(
                [appraisal.employee],
                "performance.superior_submitted",
                gettext_lazy("Your appraisal for %(month)s has been evaluated"),
                gettext_lazy(
                    "Combined score %(score)s, band %(band)s. Your superior will hold the feedback interview."
                ),
                appraisal,
                {"score": str(appraisal.total_score), "band": appraisal.band},
            )
    return appraisal


# --- The feedback interview (PRF-3) -----------------------------------------------------------------


def _parse_date(value, *, field) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        raise ApplicationError(
            _("%(field)s must be a date (YYYY-MM-DD).") % {"field": field}, code=PerformanceErrorCode.DATE_INVALID
        ) from None


@privileged_service(
    "performance.appraisal_interview_record", label=gettext_lazy("record the feedback interview of an appraisal")
)
def appraisal_interview_record(
    *,
    actor,
    appraisal_id: int,
    held_on,
    strengths: str,
    problems: str,
    employee_comment: str = "",
    actions: list[dict] | None = None,
    reviews: list[dict] | None = None,
) -> FeedbackInterview:
    """The feedback interview after the superior's evaluation (PRF-3): strengths, problems, the
    employee's comment, an agreed improvement plan (actions with an owner — the employee or the
    superior — and a due date) and the review of the actions still open from earlier months
    (done / dropped / still open, with a note). The appraisal is then completed and the employee
    notified; actions left open show again in the next month's appraisal."""
    with transaction.atomic():
        appraisal = _lock(actor=actor, appraisal_id=appraisal_id)
        _refuse_locked(appraisal)
        me = _require_evaluator(actor, appraisal, action="performance.appraisal_interview_record")
        if appraisal.status != AppraisalStatus.INTERVIEW:
            if appraisal.status in (AppraisalStatus.SELF, AppraisalStatus.SUPERIOR):
                message = _("The feedback interview follows the superior's evaluation; submit the evaluation first.")
            else:
                message = _("The feedback interview of this appraisal has been recorded.")
            raise ApplicationError(message, code=PerformanceErrorCode.INTERVIEW_NOT_READY, status=409)
        held_on = _parse_date(held_on, field=_("the interview date"))
        if held_on > timezone.localdate():
            raise ApplicationError(
                _("The interview date cannot be in the future."), code=PerformanceErrorCode.DATE_FUTURE
            )
        if held_on < appraisal.month:
            raise ApplicationError(
                _("The interview cannot be held before the month appraised."), code=PerformanceErrorCode.DATE_EARLY
            )
        strengths = _text(strengths, field=_("the strengths"), required=True)
        problems = _text(problems, field=_("the problems"), required=True)
        employee_comment = _text(employee_comment, field=_("the employee's comment"))
        owners = {appraisal.employee_id, me.pk}
        new_actions = []
        if len(actions or []) > _ACTIONS_MAX:
            raise ApplicationError(
                _("At most %(count)d actions per interview.") % {"count": _ACTIONS_MAX},
                code=PerformanceErrorCode.TOO_MANY,
            )
        for entry in actions or []:
            text = _text(entry.get("action"), field=_("the action"), required=True, limit=APPRAISAL_COMMENT_MAX)
            try:
                owner_id = int(entry.get("owner_id"))
            except (TypeError, ValueError):
                owner_id = None
            if owner_id not in owners:
                raise ApplicationError(
                    _("An action is owned by the employee or by the superior."), code=PerformanceErrorCode.OWNER_INVALID
                )
            due_on = _parse_date(entry.get("due_on"), field=_("the due date"))
            if due_on < held_on:
                raise ApplicationError(
                    _("An action cannot be due before the interview."), code=PerformanceErrorCode.DUE_INVALID
                )
            new_actions.append(
                ImprovementAction(
                    appraisal=appraisal,
                    employee_id=appraisal.employee_id,
                    action=text,
                    owner_id=owner_id,
                    due_on=due_on,
                )
            )
        open_before = {
            a.pk: a for a in open_actions_before(employee_id=appraisal.employee_id, month=appraisal.month, lock=True)
        }
        reviewed = []
        seen = set()
        for entry in reviews or []:
            try:
                action = open_before.get(int(entry.get("action_id")))
            except (TypeError, ValueError):
                action = None
            if action is None or action.pk in seen:
                raise ApplicationError(
                    _("Only the open actions of earlier months can be reviewed, each once."),
                    code=PerformanceErrorCode.REVIEW_INVALID,
                )
            seen.add(action.pk)
            status = entry.get("status")
            if status not in ActionStatus.values:
                raise ApplicationError(
                    _("The review of an action says done, dropped or still open."),
                    code=PerformanceErrorCode.REVIEW_STATUS_INVALID,
                )
            action.status = status
            action.review_note = _text(entry.get("note"), field=_("the review note"), limit=APPRAISAL_COMMENT_MAX)
            action.reviewed_in = appraisal
            reviewed.append(action)
        interview = FeedbackInterview.objects.filter(appraisal=appraisal).first()
        if interview is None:
            interview = FeedbackInterview(appraisal=appraisal)
        interview.held_on = held_on
        interview.strengths = strengths
        interview.problems = problems
        interview.employee_comment = employee_comment
        interview.recorded_by = me
        interview.recorded_at = timezone.now()
        interview.save()
        ImprovementAction.objects.bulk_create(new_actions)
        ImprovementAction.objects.bulk_update(reviewed, ["status", "review_note", "reviewed_in"])
        appraisal.status = AppraisalStatus.COMPLETED
        appraisal.updated_at = timezone.now()
        appraisal.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="appraisal.interview_record",
            obj=appraisal,
            changes={
                "status": [AppraisalStatus.INTERVIEW, AppraisalStatus.COMPLETED],
                "held_on": held_on.isoformat(),
                "actions_added": len(new_actions),
                "actions_reviewed": {str(a.pk): a.status for a in reviewed},
            },
        )
        _notify(
            [appraisal.employee],
            "performance.interview_recorded",
            gettext_lazy("Your feedback interview for %(month)s has been recorded"),
            gettext_lazy("Read the strengths, problems and the improvement plan agreed with your superior (PRF-3)."),
            appraisal,
        )
    return interview


# --- HR sends back (PRF-3) -----------------------------------------------------------------------------


@privileged_service("performance.appraisal_send_back", label=gettext_lazy("send an appraisal back"))
def appraisal_send_back(*, actor, appraisal_id: int, reason: str, stage: str) -> Appraisal:
    """HR returns an appraisal to the self-evaluation (``stage="self"``) or to the superior's
    evaluation (``"superior"``) with a reason, before the month is locked. The person concerned
    is notified and the reason shows on the appraisal page. The scores entered so far stay as
    drafts; the combined score is withdrawn until the superior submits again."""
    if not has_role(actor, Role.HR):
        raise PermissionDeniedError(_("Only HR sends an appraisal back (PRF-3)."))
    if stage not in SEND_BACK_FROM:
        raise ApplicationError(
            _("Send back to the self-evaluation or to the superior's evaluation."),
            code=PerformanceErrorCode.STAGE_INVALID,
        )
    reason = _text(reason, field=_("the reason"), required=True)
    with transaction.atomic():
        appraisal = _lock(actor=actor, appraisal_id=appraisal_id)
        refuse_own_record(actor=actor, employee_id=appraisal.employee_id, action="performance.appraisal_send_back")
        _refuse_locked(appraisal)
        if appraisal.status not in SEND_BACK_FROM[stage]:
            raise ApplicationError(
                _("This appraisal is “%(status)s”; it cannot be sent back to that step.")
                % {"status": appraisal.get_status_display()},
                code=PerformanceErrorCode.SEND_BACK_INVALID,
                status=409,
            )
        old_status = appraisal.status
        now = timezone.now()
        appraisal.returned_reason = reason
        appraisal.returned_at = now
        appraisal.superior_submitted_at = None
        if stage == "self":
            appraisal.status = AppraisalStatus.SELF
            appraisal.self_submitted_at = None
        else:
            appraisal.status = AppraisalStatus.SUPERIOR
        rows = _items(appraisal)
        fields = appraisal_scores_apply(appraisal, rows, final=False)
        appraisal.save(
            update_fields=[
                *fields,
                "returned_reason",
                "returned_at",
                "status",
                "self_submitted_at",
                "superior_submitted_at",
            ]
        )
        audit_record(
            actor=actor,
            action="appraisal.send_back",
            obj=appraisal,
            changes={"status": [old_status, appraisal.status], "stage": stage, "reason": reason},
        )
        recipients = [appraisal.employee] if stage == "self" else _evaluators(appraisal)
        _notify(
            recipients,
            "performance.sent_back",
            gettext_lazy("HR sent back the appraisal of %(name)s for %(month)s"),
            gettext_lazy("Reason: %(reason)s"),
            appraisal,
            {"reason": reason},
        )
    return appraisal
