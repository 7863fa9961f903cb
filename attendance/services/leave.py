"""Attendance services: leave (请假, ATT-3 / LV-1..LV-5).

A request is counted and routed when it is filed (LV-3, LV-4) and both are stored on it, so the
request page shows why it counts N days and why it goes to whom. Approval follows the route step
by step: only the current step's approver (or their delegate) can act, never the requester; the
request row is locked for every state change, so two approvers acting at once give one decision
and one balance deduction. The last approval deducts the balance (a database check keeps it at
or above zero) and marks the days "on leave" in attendance; a day without approved leave stays
absenteeism (LV-5 / ATT-5).
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance import rules
from attendance.errors import AttendanceErrorCode
from attendance.models import (
    ApprovalDelegation,
    ApprovalTier,
    LeaveApprovalStep,
    LeaveBalance,
    LeaveBalanceEntry,
    LeaveBalanceEntryReason,
    LeaveCertificate,
    LeavePolicy,
    LeaveRequest,
    LeaveRule,
    LeaveStatus,
    LeaveType,
    StepStatus,
)
from attendance.selectors.leave import (
    approval_delegate_candidates,
    approval_delegation_list,
    covers_step,
    delegators_of,
    leave_certificate_get,
    leave_quote,
    leave_request_list,
)
from attendance.services.daily import daily_attendance_recompute
from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Department, Employee, EmploymentStatus, Team
from callcenter.roles import Role, has_role
from callcenter.selectors import (
    approval_chain,
    covered_team_ids,
    employee_of,
    employees_visible_to,
    policy_in_force,
    team_coverers,
)
from callcenter.services import hr_company_wide_require, notification_send
from datasecurity.services import (
    UploadErrorCodes,
    audit_record,
    model_changes,
    private_open_audited,
    private_storage,
    snapshot,
    upload_check,
    upload_store,
)

logger = logging.getLogger(__name__)

__all__ = [
    "CERTIFICATE_CODES",
    "DELEGATION_MAX_DAYS",
    "LEAVE_BULK_MAX",
    "LEAVE_PAST_ALLOWED",
    "LEAVE_PAST_DAYS",
    "LEAVE_REASON_MIN_LENGTH",
    "LEAVE_TYPE_DEFAULTS",
    "approval_delegation_cancel",
    "approval_delegation_create",
    "certificate_check",
    "certificate_store",
    "leave_balance_grant_annual",
    "leave_balance_set",
    "leave_certificate_add",
    "leave_certificate_open",
    "leave_request_approve",
    "leave_request_reject",
    "leave_request_revoke",
    "leave_request_submit",
    "leave_request_withdraw",
    "leave_requests_decide",
    "leave_requests_reroute",
    "leave_type_save",
    "leave_types_defaults_install",
]

# Sick and bereavement leave may be filed for days already past (an emergency), up to this far
# back; every other type is filed before it starts (LV-2 for personal leave, with notice).
LEAVE_PAST_DAYS = 31
LEAVE_PAST_ALLOWED = {LeaveRule.SICK, LeaveRule.BEREAVEMENT}
LEAVE_REASON_MIN_LENGTH = 5
DELEGATION_MAX_DAYS = 92
LEAVE_BULK_MAX = 200


# --- Certificates: checked by content, stored privately (LV-2) ------------------------------------
# The shared upload checks of :mod:`datasecurity.services`: PDF, JPEG or PNG by their first bytes;
# the declared type must agree; at most ``LEAVE_CERTIFICATE_MAX_BYTES``; random names under
# ``PRIVATE_MEDIA_ROOT``.

CERTIFICATE_CODES = UploadErrorCodes(
    too_large=AttendanceErrorCode.CERTIFICATE_TOO_LARGE,
    empty=AttendanceErrorCode.CERTIFICATE_EMPTY,
    type=AttendanceErrorCode.CERTIFICATE_TYPE,
    type_mismatch=AttendanceErrorCode.CERTIFICATE_TYPE_MISMATCH,
)


def certificate_check(upload) -> dict:
    """The facts of an uploaded certificate (name, type, size, SHA-256), or ApplicationError."""
    return upload_check(
        upload, max_bytes=settings.LEAVE_CERTIFICATE_MAX_BYTES, codes=CERTIFICATE_CODES, name="certificate"
    )


def certificate_store(*, checked: dict) -> str:
    """Write a checked certificate to private storage; returns its path."""
    return upload_store(checked=checked, prefix="leave")


# --- Notifications (in-app + e-mail, each in the recipient's language) ----------------------------


def _notify(users, kind: str, title, body, request: LeaveRequest, params: dict) -> None:
    users = [u for u in users if u is not None]
    if not users:
        return
    notification_send(
        recipients=users,
        kind=kind,
        title=title,
        body=body,
        url=f"/attendance/leave/{request.pk}/",
        params=params,
    )


def _params(request: LeaveRequest) -> dict:
    return {
        "name": request.employee.name,
        # Rendered in each recipient's language (display_name reads the active language).
        "type": lazy(lambda: request.leave_type.display_name, str)(),
        "start": request.start_date.isoformat(),
        "end": request.end_date.isoformat(),
        "days": request.days,
    }


def _notify_approver(request: LeaveRequest, step: LeaveApprovalStep) -> None:
    approver = Employee.objects.select_related("user").get(pk=step.approver_id)
    delegates = (
        Employee.objects.select_related("user")
        .filter(
            pk__in=ApprovalDelegation.objects.filter(
                delegator_id=step.approver_id,
                start_date__lte=timezone.localdate(),
                end_date__gte=timezone.localdate(),
                cancelled_at__isnull=True,
            ).values("delegate_id")
        )
        .exclude(pk=request.employee_id)
    )
    # A covering supervisor of the requester's team decides the supervisor's step too.
    coverers = (
        list(team_coverers(team_id=request.employee.team_id).exclude(employee__pk=request.employee_id))
        if step.tier == ApprovalTier.SUPERVISOR and request.employee.team_id
        else []
    )
    _notify(
        [approver.user, *(d.user for d in delegates), *coverers],
        "leave.to_decide",
        gettext_lazy("Leave request to decide: %(name)s, %(days)s days"),
        gettext_lazy("%(name)s asks for %(type)s from %(start)s to %(end)s (%(days)s days). Please decide (LV-4)."),
        request,
        _params(request),
    )


def _notify_requester(request: LeaveRequest, title, body, extra: dict | None = None) -> None:
    user = Employee.objects.select_related("user").get(pk=request.employee_id).user
    _notify([user], f"leave.{request.status}", title, body, request, {**_params(request), **(extra or {})})


# --- Submit ------------------------------------------------------------------------------------


def _clean_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if len(reason) > 1000:
        raise ApplicationError(
            _("The reason is too long (at most 1000 characters)."), code=AttendanceErrorCode.REASON_TOO_LONG
        )
    return reason


def leave_request_submit(
    *,
    actor,
    leave_type_id: int | None,
    start_date: datetime.date,
    end_date: datetime.date,
    starts_afternoon: bool = False,
    ends_at_noon: bool = False,
    reason: str = "",
    expected_days: Decimal | None = None,
    difficult_birth: bool = False,
    extra_babies: int = 0,
    certificates=(),
) -> LeaveRequest:
    """File a leave request for the actor (never for someone else: no employee argument).

    Certificates are checked by content first (LV-2), written to private storage, and removed
    again if anything refuses the request: files are not transactional, so the order matters."""
    certificates = [c for c in (certificates or []) if c]
    checked = [certificate_check(upload) for upload in certificates]
    stored_paths = [certificate_store(checked=facts) for facts in checked]
    try:
        return _leave_request_submit(
            actor=actor,
            leave_type_id=leave_type_id,
            start_date=start_date,
            end_date=end_date,
            starts_afternoon=starts_afternoon,
            ends_at_noon=ends_at_noon,
            reason=reason,
            expected_days=expected_days,
            difficult_birth=difficult_birth,
            extra_babies=extra_babies,
            checked=checked,
            stored_paths=stored_paths,
        )
    except BaseException:
        for path in stored_paths:
            private_storage().delete(path)
        raise


@transaction.atomic
def _leave_request_submit(
    *,
    actor,
    leave_type_id: int | None,
    start_date: datetime.date,
    end_date: datetime.date,
    starts_afternoon: bool = False,
    ends_at_noon: bool = False,
    reason: str = "",
    expected_days: Decimal | None = None,
    difficult_birth: bool = False,
    extra_babies: int = 0,
    checked: list[dict],
    stored_paths: list[str],
) -> LeaveRequest:
    me = employee_of(actor)
    if me is None or me.status != EmploymentStatus.ACTIVE:
        raise ApplicationError(_("Only active employees can request leave."), code=AttendanceErrorCode.NOT_AN_EMPLOYEE)
    leave_type = LeaveType.objects.filter(pk=leave_type_id, active=True).first() if leave_type_id else None
    if leave_type is None:
        raise ApplicationError(
            _("Choose a leave type."), code=AttendanceErrorCode.LEAVE_TYPE_MISSING, field="leave_type"
        )
    reason = _clean_reason(reason)
    today = timezone.localdate()
    policy = policy_in_force(LeavePolicy, start_date or today)
    if leave_type.rule != LeaveRule.MATERNITY:
        difficult_birth, extra_babies = False, 0
    if extra_babies < 0 or extra_babies > 5:
        raise ApplicationError(
            _("The number of additional babies must be between 0 and 5."),
            code=AttendanceErrorCode.EXTRA_BABIES,
            field="extra_babies",
        )
    if leave_type.rule == LeaveRule.PERSONAL:
        # LV-2: personal leave needs the reason and the expected number of days, filed in advance.
        if len(reason) < LEAVE_REASON_MIN_LENGTH:
            raise ApplicationError(
                _("Personal leave needs a reason of at least %(count)d characters (LV-2).")
                % {"count": LEAVE_REASON_MIN_LENGTH},
                code=AttendanceErrorCode.REASON_REQUIRED,
                field="reason",
            )
        if expected_days is None or expected_days <= 0:
            raise ApplicationError(
                _("Personal leave needs the expected number of days (LV-2)."),
                code=AttendanceErrorCode.EXPECTED_DAYS_REQUIRED,
                field="expected_days",
            )
        if start_date and start_date < today + datetime.timedelta(days=policy.personal_notice_days):
            raise ApplicationError(
                _("Personal leave must be requested at least %(days)d day(s) before it starts (LV-2).")
                % {"days": policy.personal_notice_days},
                code=AttendanceErrorCode.NOT_IN_ADVANCE,
                field="start_date",
            )
    elif start_date and start_date < today:
        if leave_type.rule not in LEAVE_PAST_ALLOWED:
            raise ApplicationError(
                _("%(type)s must be requested before it starts.") % {"type": leave_type.display_name},
                code=AttendanceErrorCode.IN_THE_PAST,
                field="start_date",
            )
        if start_date < today - datetime.timedelta(days=LEAVE_PAST_DAYS):
            raise ApplicationError(
                _("Leave can be requested for the last %(days)d days at most.") % {"days": LEAVE_PAST_DAYS},
                code=AttendanceErrorCode.TOO_OLD,
                field="start_date",
            )
    if leave_type.requires_certificate and not checked:
        raise ApplicationError(
            _("%(type)s needs a hospital certificate (PDF, JPEG or PNG) (LV-2).") % {"type": leave_type.display_name},
            code=AttendanceErrorCode.CERTIFICATE_REQUIRED,
            field="certificates",
        )
    # Serialise one employee's submissions: the overlap check and the balance check then see
    # every earlier request (the exclusion constraint is the last word).
    Employee.objects.select_for_update().filter(pk=me.pk).values_list("pk", flat=True).first()
    me = Employee.objects.select_related("team__supervisor", "department__manager", "department__leader_in_charge").get(
        pk=me.pk
    )
    quote = leave_quote(
        employee=me,
        leave_type=leave_type,
        start_date=start_date,
        end_date=end_date,
        starts_afternoon=starts_afternoon,
        ends_at_noon=ends_at_noon,
        difficult_birth=difficult_birth,
        extra_babies=extra_babies,
    )
    if quote.problems:
        raise ApplicationError(" ".join(str(p) for p in quote.problems), code=AttendanceErrorCode.LEAVE_REFUSED)
    request = LeaveRequest(
        employee=me,
        leave_type=leave_type,
        start_date=start_date,
        starts_afternoon=starts_afternoon,
        end_date=end_date,
        ends_at_noon=ends_at_noon,
        days=quote.days,
        breakdown=quote.breakdown,
        reason=reason,
        expected_days=expected_days,
        difficult_birth=difficult_birth,
        extra_babies=extra_babies,
        route={
            **quote.route_explanation,
            "policy_effective_from": quote.policy.effective_from.isoformat(),
            "limit": quote.limit_explanation,
            "steps": [
                {
                    "tier": step.tier,
                    "approver_id": step.approver_id,
                    "approver_name": quote.approvers[step.approver_id].name,
                    "decides": step.decides,
                }
                for step in quote.route
            ],
        },
    )
    request.set_span()
    clash = (
        LeaveRequest.objects.filter(
            employee=me,
            status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED],
            span_start__lt=request.span_end,
            span_end__gt=request.span_start,
        )
        .select_related("leave_type")
        .first()
    )
    if clash is not None:
        raise ApplicationError(
            _("You already have %(type)s from %(start)s to %(end)s (%(status)s) covering some of these days.")
            % {
                "type": clash.leave_type.display_name,
                "start": clash.start_date.isoformat(),
                "end": clash.end_date.isoformat(),
                "status": clash.get_status_display(),
            },
            code=AttendanceErrorCode.OVERLAP,
            status=409,
        )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError as exc:  # a concurrent request won the race: the exclusion constraint
        raise ApplicationError(
            _("You already have a leave request for some of these days."), code=AttendanceErrorCode.OVERLAP, status=409
        ) from exc
    steps = LeaveApprovalStep.objects.bulk_create(
        [
            LeaveApprovalStep(
                request=request,
                order=n,
                tier=step.tier,
                approver_id=step.approver_id,
                decides=step.decides,
                status=StepStatus.PENDING if n == 0 else StepStatus.WAITING,
            )
            for n, step in enumerate(quote.route)
        ]
    )
    for facts, path in zip(checked, stored_paths, strict=True):
        _certificate_create(actor=actor, request=request, facts=facts, path=path)
    audit_record(
        actor=actor,
        action="leave_request.submit",
        obj=request,
        changes={
            "employee": me.pk,
            "leave_type": leave_type.code,
            "start_date": start_date,
            "starts_afternoon": starts_afternoon,
            "end_date": end_date,
            "ends_at_noon": ends_at_noon,
            "days": request.days,
            "reason": reason,
            "expected_days": expected_days,
            "route": [f"{s.tier}:{s.approver_id}" for s in quote.route],
            "certificates": [c["sha256"] for c in checked],
        },
    )
    _notify_approver(request, steps[0])
    return request


def _certificate_create(*, actor, request: LeaveRequest, facts: dict, path: str) -> LeaveCertificate:
    """The row of a certificate already checked (:func:`certificate_check`) and stored."""
    return LeaveCertificate.objects.create(
        request=request,
        path=path,
        original_name=facts["original_name"],
        content_type=facts["content_type"],
        size=facts["size"],
        sha256=facts["sha256"],
        uploaded_by=actor,
    )


@transaction.atomic
def leave_certificate_add(*, actor, leave_request_id: int, upload) -> LeaveCertificate:
    """The requester adds a certificate to their own pending or approved request (LV-2)."""
    request = _lock(actor=actor, leave_request_id=leave_request_id)
    me = employee_of(actor)
    if me is None or me.pk != request.employee_id:
        raise PermissionDeniedError(_("Only the employee who filed a request may add certificates to it."))
    if request.status not in (LeaveStatus.PENDING, LeaveStatus.APPROVED):
        raise ApplicationError(
            _("Certificates can be added to pending or approved requests only."),
            code=AttendanceErrorCode.NOT_OPEN,
            status=409,
        )
    facts = certificate_check(upload)
    path = certificate_store(checked=facts)
    try:
        certificate = _certificate_create(actor=actor, request=request, facts=facts, path=path)
        audit_record(
            actor=actor,
            action="leave_certificate.add",
            obj=certificate,
            changes={"request": request.pk, "sha256": facts["sha256"], "size": facts["size"]},
        )
    except Exception:
        private_storage().delete(path)
        raise
    return certificate


def leave_certificate_open(*, actor, certificate_id: int):
    """Open a certificate for ``actor`` (LV-2): only for people who may see its request; every
    read is audited (medical data). Returns (certificate, open binary file); the caller streams
    and closes it. NotFoundError for anyone else, or when the file is gone."""
    certificate = leave_certificate_get(user=actor, pk=certificate_id)
    handle = private_open_audited(
        certificate.path,
        audit=lambda: audit_record(
            actor=actor,
            action="leave_certificate.view",
            obj=certificate,
            changes={"request": certificate.request_id, "sha256": certificate.sha256},
        ),
        not_found_message=_("Certificate not found."),
    )
    return certificate, handle


# --- Decisions ------------------------------------------------------------------------------------


def _lock(*, actor, leave_request_id: int) -> LeaveRequest:
    """Load the request once, with a row lock; NotFoundError when the actor may not see it
    (another team's: no leak). Decisions read delegations and covers afresh (never a copy cached
    earlier in the request)."""
    delegators_of(employee_of(actor), fresh=True)
    covered_team_ids(actor, fresh=True)
    visible = leave_request_list(user=actor).filter(pk=leave_request_id).values("pk")
    locked = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("employee", "leave_type")
        .filter(pk__in=visible)
        .first()
    )
    if locked is None:
        raise NotFoundError(_("Leave request not found."))
    return locked


def _check_pending(request: LeaveRequest) -> None:
    if request.status != LeaveStatus.PENDING:
        raise ApplicationError(
            _("This request is %(status)s; it can no longer be decided.")
            % {"status": request.get_status_display().lower()},
            code=AttendanceErrorCode.NOT_PENDING,
            status=409,
        )


def _acting_step(
    *, actor, request: LeaveRequest, action: str
) -> tuple[LeaveApprovalStep, bool, list[LeaveApprovalStep]]:
    """The current step if ``actor`` may decide it (as approver, delegate or covering supervisor of
    the requester's team at the supervisor's step), else a clear error. Never one's own request,
    whatever the route says (SEC-2, :mod:`callcenter.duties`)."""
    refuse_own_record(actor=actor, employee_id=request.employee_id, action=action)
    me = employee_of(actor)
    _check_pending(request)
    steps = list(LeaveApprovalStep.objects.select_for_update().filter(request=request).order_by("order"))
    current = next((s for s in steps if s.status == StepStatus.PENDING), None)
    if me is None or current is None:
        raise PermissionDeniedError(
            _("You are not an approver of this request."), code=AttendanceErrorCode.NOT_APPROVER
        )
    delegators = delegators_of(me)
    if current.approver_id == me.pk:
        return current, False, steps
    if current.approver_id in delegators or covers_step(step=current, request=request, covered=covered_team_ids(actor)):
        return current, True, steps
    mine = [s for s in steps if s.approver_id == me.pk or s.approver_id in delegators]
    if any(s.status == StepStatus.APPROVED for s in mine):
        raise ApplicationError(
            _("You have already approved this request; it is now with the %(tier)s.")
            % {"tier": current.get_tier_display().lower()},
            code=AttendanceErrorCode.ALREADY_DECIDED,
            status=409,
        )
    if any(s.order > current.order for s in mine):
        raise ApplicationError(
            _("This request waits for the %(tier)s first (LV-4: no tier is skipped).")
            % {"tier": current.get_tier_display().lower()},
            code=AttendanceErrorCode.NOT_YOUR_TURN,
            status=409,
        )
    raise PermissionDeniedError(_("You are not an approver of this request."), code=AttendanceErrorCode.NOT_APPROVER)


def _recompute_attendance(*, actor, request: LeaveRequest) -> None:
    """Days already past are computed again: on leave now, or absenteeism again (LV-5)."""
    daily_attendance_recompute(
        actor=actor, employee_id=request.employee_id, date_from=request.start_date, date_to=request.end_date
    )


def _deduct(request: LeaveRequest, sign: int) -> dict | None:
    """Move the request's days into (sign=1) or out of (sign=-1) the year's balance."""
    if not request.leave_type.uses_balance:
        return None
    balance = (
        LeaveBalance.objects.select_for_update()
        .filter(employee_id=request.employee_id, leave_type_id=request.leave_type_id, year=request.start_date.year)
        .first()
    )
    if balance is None:
        raise ApplicationError(
            _("%(name)s has no %(type)s balance for %(year)d; HR must grant it first.")
            % {"name": request.employee.name, "type": request.leave_type.display_name, "year": request.start_date.year},
            code=AttendanceErrorCode.NO_BALANCE,
            status=409,
        )
    before = balance.used_days
    try:
        with transaction.atomic():
            LeaveBalance.objects.filter(pk=balance.pk).update(used_days=F("used_days") + sign * request.days)
    except IntegrityError as exc:  # leave_balance_never_below_zero
        raise ApplicationError(
            _("Not enough %(type)s left: %(left)s days, the request counts %(days)s.")
            % {"type": request.leave_type.display_name, "left": balance.remaining_days, "days": request.days},
            code=AttendanceErrorCode.BALANCE_INSUFFICIENT,
            status=409,
        ) from exc
    return {"balance": balance.pk, "used_days": [before, before + sign * request.days]}


@privileged_service("attendance.leave_request_approve", label=gettext_lazy("approve a leave request"))
@transaction.atomic
def leave_request_approve(*, actor, leave_request_id: int, comment: str = "") -> LeaveRequest:
    """The current approver approves; the deciding step makes the request approved (LV-4)."""
    request = _lock(actor=actor, leave_request_id=leave_request_id)
    step, on_behalf, steps = _acting_step(actor=actor, request=request, action="attendance.leave_request_approve")
    now = timezone.now()
    step.status = StepStatus.APPROVED
    step.acted_by = actor
    step.acted_at = now
    step.on_behalf = on_behalf
    step.comment = (comment or "").strip()[:500]
    step.save(update_fields=["status", "acted_by", "acted_at", "on_behalf", "comment"])
    changes = {"step": step.order, "tier": step.tier, "on_behalf": on_behalf, "comment": step.comment}
    following = next((s for s in steps if s.order > step.order and s.status == StepStatus.WAITING), None)
    if step.decides or following is None:
        request.status = LeaveStatus.APPROVED
        request.decided_at = now
        request.save(update_fields=["status", "decided_at"])
        for later in steps:
            if later.status == StepStatus.WAITING:
                later.status = StepStatus.CANCELLED
                later.save(update_fields=["status"])
        changes["status"] = [LeaveStatus.PENDING, LeaveStatus.APPROVED]
        if deducted := _deduct(request, +1):
            changes["balance"] = deducted
        audit_record(actor=actor, action="leave_request.approve", obj=request, changes=changes)
        _recompute_attendance(actor=actor, request=request)
        _notify_requester(
            request,
            gettext_lazy("Leave approved: %(type)s %(start)s – %(end)s"),
            gettext_lazy("Your %(type)s from %(start)s to %(end)s (%(days)s days) has been approved."),
        )
    else:
        following.status = StepStatus.PENDING
        following.save(update_fields=["status"])
        request.current_step = following.order
        request.save(update_fields=["current_step"])
        changes["next"] = {"step": following.order, "tier": following.tier, "approver": following.approver_id}
        audit_record(actor=actor, action="leave_request.approve_step", obj=request, changes=changes)
        _notify_approver(request, following)
        _notify_requester(
            request,
            gettext_lazy("Leave request progressing: %(type)s %(start)s – %(end)s"),
            gettext_lazy("Approved by %(who)s; now with the next approver (LV-4)."),
            {"who": getattr(employee_of(actor), "name", actor.get_username())},
        )
    return request


@privileged_service("attendance.leave_request_reject", label=gettext_lazy("reject a leave request"))
@transaction.atomic
def leave_request_reject(*, actor, leave_request_id: int, comment: str) -> LeaveRequest:
    """Any approver on the route, at their turn, rejects with a reason the employee reads."""
    comment = (comment or "").strip()
    if not comment:
        raise ApplicationError(_("Please say why the request is rejected."), code=AttendanceErrorCode.COMMENT_REQUIRED)
    request = _lock(actor=actor, leave_request_id=leave_request_id)
    step, on_behalf, _steps = _acting_step(actor=actor, request=request, action="attendance.leave_request_reject")
    now = timezone.now()
    step.status = StepStatus.REJECTED
    step.acted_by = actor
    step.acted_at = now
    step.on_behalf = on_behalf
    step.comment = comment[:500]
    step.save(update_fields=["status", "acted_by", "acted_at", "on_behalf", "comment"])
    LeaveApprovalStep.objects.filter(request=request, status=StepStatus.WAITING).update(status=StepStatus.CANCELLED)
    request.status = LeaveStatus.REJECTED
    request.decided_at = now
    request.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor,
        action="leave_request.reject",
        obj=request,
        changes={
            "status": [LeaveStatus.PENDING, LeaveStatus.REJECTED],
            "step": step.order,
            "on_behalf": on_behalf,
            "comment": step.comment,
        },
    )
    _notify_requester(
        request,
        gettext_lazy("Leave rejected: %(type)s %(start)s – %(end)s"),
        gettext_lazy("Your request was rejected: %(comment)s"),
        {"comment": step.comment},
    )
    return request


@transaction.atomic
def leave_request_withdraw(*, actor, leave_request_id: int) -> LeaveRequest:
    """The requester takes back their own pending request."""
    request = _lock(actor=actor, leave_request_id=leave_request_id)
    me = employee_of(actor)
    if me is None or me.pk != request.employee_id:
        raise PermissionDeniedError(_("Only the employee who filed a request may withdraw it."))
    if request.status != LeaveStatus.PENDING:
        raise ApplicationError(
            _("Only a pending request can be withdrawn; this one is %(status)s.")
            % {"status": request.get_status_display().lower()},
            code=AttendanceErrorCode.NOT_PENDING,
            status=409,
        )
    request.status = LeaveStatus.WITHDRAWN
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    LeaveApprovalStep.objects.filter(request=request, status__in=[StepStatus.PENDING, StepStatus.WAITING]).update(
        status=StepStatus.CANCELLED
    )
    audit_record(
        actor=actor,
        action="leave_request.withdraw",
        obj=request,
        changes={"status": [LeaveStatus.PENDING, LeaveStatus.WITHDRAWN]},
    )
    return request


@privileged_service("attendance.leave_request_revoke", label=gettext_lazy("revoke approved leave"))
@transaction.atomic
def leave_request_revoke(*, actor, leave_request_id: int, reason: str) -> LeaveRequest:
    """HR revokes an approved request with a reason: the days return to the balance and the
    attendance days are computed again (absenteeism if nobody worked, LV-5)."""
    if not has_role(actor, Role.HR):
        raise PermissionDeniedError(_("Only HR can revoke approved leave."))
    reason = (reason or "").strip()
    if len(reason) < LEAVE_REASON_MIN_LENGTH:
        raise ApplicationError(
            _("Please give a reason of at least %(count)d characters.") % {"count": LEAVE_REASON_MIN_LENGTH},
            code=AttendanceErrorCode.REASON_REQUIRED,
            field="reason",
        )
    request = _lock(actor=actor, leave_request_id=leave_request_id)
    refuse_own_record(actor=actor, employee_id=request.employee_id, action="attendance.leave_request_revoke")
    if request.status != LeaveStatus.APPROVED:
        raise ApplicationError(
            _("Only approved leave can be revoked; this request is %(status)s.")
            % {"status": request.get_status_display().lower()},
            code=AttendanceErrorCode.NOT_APPROVED,
            status=409,
        )
    request.status = LeaveStatus.REVOKED
    request.revoked_by = actor
    request.revoke_reason = reason[:500]
    request.save(update_fields=["status", "revoked_by", "revoke_reason"])
    changes = {"status": [LeaveStatus.APPROVED, LeaveStatus.REVOKED], "reason": request.revoke_reason}
    if restored := _deduct(request, -1):
        changes["balance"] = restored
    audit_record(actor=actor, action="leave_request.revoke", obj=request, changes=changes)
    _recompute_attendance(actor=actor, request=request)
    _notify_requester(
        request,
        gettext_lazy("Leave revoked by HR: %(type)s %(start)s – %(end)s"),
        gettext_lazy("HR revoked your approved leave: %(reason)s"),
        {"reason": request.revoke_reason},
    )
    return request


def leave_requests_decide(*, actor, leave_request_ids: list[int], action: str, comment: str = "") -> dict[int, str]:
    """Approve or reject several requests at once. Each is decided in its own transaction, so one
    refusal (not your turn, no balance) leaves the others decided; returns id -> "" or the error."""
    if action not in ("approve", "reject"):
        raise ApplicationError(_("Unknown action."), code=AttendanceErrorCode.UNKNOWN_ACTION)
    ids = list(dict.fromkeys(int(pk) for pk in leave_request_ids))[:LEAVE_BULK_MAX]
    if not ids:
        raise ApplicationError(_("Select at least one request."), code=AttendanceErrorCode.NOTHING_SELECTED)
    results: dict[int, str] = {}
    for pk in ids:
        try:
            if action == "approve":
                leave_request_approve(actor=actor, leave_request_id=pk, comment=comment)
            else:
                leave_request_reject(actor=actor, leave_request_id=pk, comment=comment)
            results[pk] = ""
        except ApplicationError as exc:
            results[pk] = str(exc.message)
    return results


# --- Delegation (LV-4) ----------------------------------------------------------------------------


def _is_approver(employee: Employee) -> bool:
    return (
        Team.objects.filter(supervisor=employee).exists()
        or Department.objects.filter(manager=employee).exists()
        or Department.objects.filter(leader_in_charge=employee).exists()
    )


@transaction.atomic
def approval_delegation_create(
    *,
    actor,
    delegate_id: int | None,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str = "",
    delegator_id: int | None = None,
) -> ApprovalDelegation:
    """An approver who is away hands their leave approvals to a named colleague for a period.
    HR may set one up for an approver (``delegator_id``; default: the actor)."""
    me = employee_of(actor)
    if delegator_id is None or (me is not None and delegator_id == me.pk):
        delegator = me
    elif not has_role(actor, Role.HR):
        raise PermissionDeniedError(_("You can only delegate your own approvals."))
    else:
        # HR for an approver of their remit (an HR assistant: their departments).
        delegator = employees_visible_to(actor).filter(pk=delegator_id).first()
        if delegator is None:
            raise NotFoundError(_("Employee not found."))
    if delegator is None:
        raise ApplicationError(_("Only employees can delegate approvals."), code=AttendanceErrorCode.NOT_AN_EMPLOYEE)
    if not _is_approver(delegator):
        raise ApplicationError(
            _("%(name)s approves no leave (not a supervisor, manager or leader in charge).") % {"name": delegator.name},
            code=AttendanceErrorCode.NOT_AN_APPROVER,
        )
    delegate = Employee.objects.select_related("user").filter(pk=delegate_id).first() if delegate_id else None
    if delegate is None or delegate.status != EmploymentStatus.ACTIVE:
        raise ApplicationError(
            _("Choose an active colleague as delegate."), code=AttendanceErrorCode.DELEGATE_MISSING, field="delegate"
        )
    if delegate.pk == delegator.pk:
        raise ApplicationError(
            _("You cannot delegate to yourself."), code=AttendanceErrorCode.DELEGATE_SELF, field="delegate"
        )
    if not approval_delegate_candidates(delegator=delegator, user=actor).filter(pk=delegate.pk).exists():
        raise ApplicationError(
            _("Choose a colleague of your department or another approver as delegate."),
            code=AttendanceErrorCode.DELEGATE_NOT_ALLOWED,
            field="delegate",
        )
    if start_date is None or end_date is None or end_date < start_date:
        raise ApplicationError(
            _("Choose a period whose end is not before its start."),
            code=AttendanceErrorCode.PERIOD_INVALID,
            field="end_date",
        )
    if end_date < timezone.localdate():
        raise ApplicationError(_("The period is already over."), code=AttendanceErrorCode.PERIOD_PAST, field="end_date")
    if (end_date - start_date).days + 1 > DELEGATION_MAX_DAYS:
        raise ApplicationError(
            _("A delegation lasts at most %(days)d days.") % {"days": DELEGATION_MAX_DAYS},
            code=AttendanceErrorCode.PERIOD_TOO_LONG,
            field="end_date",
        )
    delegation = ApprovalDelegation.objects.create(
        delegator=delegator,
        delegate=delegate,
        start_date=start_date,
        end_date=end_date,
        reason=(reason or "").strip()[:200],
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="approval_delegation.create",
        obj=delegation,
        changes={"delegator": delegator.pk, "delegate": delegate.pk, "start": start_date, "end": end_date},
    )
    notification_send(
        recipients=[delegate.user],
        kind="leave.delegation",
        title=gettext_lazy("You approve leave for %(name)s from %(start)s to %(end)s"),
        body=gettext_lazy("%(name)s has delegated their leave approvals to you (LV-4)."),
        url="/attendance/leave/inbox/",
        params={"name": delegator.name, "start": start_date.isoformat(), "end": end_date.isoformat()},
    )
    return delegation


@transaction.atomic
def approval_delegation_cancel(*, actor, delegation_id: int) -> ApprovalDelegation:
    """The approver who delegated, or HR, ends a delegation. NotFoundError for a delegation the
    actor may not see (neither party nor HR)."""
    visible = approval_delegation_list(user=actor).filter(pk=delegation_id).values("pk")
    delegation = ApprovalDelegation.objects.select_for_update().filter(pk__in=visible).first()
    if delegation is None:
        raise NotFoundError(_("Delegation not found."))
    me = employee_of(actor)
    if not (has_role(actor, Role.HR) or (me is not None and me.pk == delegation.delegator_id)):
        raise PermissionDeniedError(_("Only the approver who delegated, or HR, can cancel a delegation."))
    if delegation.cancelled_at is not None:
        raise ApplicationError(
            _("This delegation is already cancelled."), code=AttendanceErrorCode.ALREADY_CANCELLED, status=409
        )
    delegation.cancelled_at = timezone.now()
    delegation.save(update_fields=["cancelled_at"])
    audit_record(actor=actor, action="approval_delegation.cancel", obj=delegation, changes={"cancelled": True})
    return delegation


# --- Balances (LV-3) --------------------------------------------------------------------------------


@transaction.atomic
def leave_balance_grant_annual(*, year: int, actor=None, today: datetime.date | None = None) -> dict:
    """Grant ``year``'s annual leave to every active employee who has no balance yet, then add
    what a milestone of cumulative work reached since (by ``today``) adds (LV-3).
    Idempotent: existing balances (and HR's adjustments) are never touched, except once per
    milestone, recorded as a ledger entry (:func:`_annual_milestones_grant`). Bounded queries."""
    hr_company_wide_require(actor)  # every employee of the company
    types = list(LeaveType.objects.filter(rule=LeaveRule.ANNUAL, active=True))
    if not types:
        return {"year": year, "granted": 0, "raised": 0}
    policy = policy_in_force(LeavePolicy, datetime.date(year, 1, 1))
    employees = list(
        Employee.objects.filter(status=EmploymentStatus.ACTIVE, hire_date__lte=datetime.date(year, 12, 31)).only(
            "pk", "first_employed_on", "hire_date"
        )
    )
    granted = 0
    for leave_type in types:
        have = set(LeaveBalance.objects.filter(leave_type=leave_type, year=year).values_list("employee_id", flat=True))
        rows = []
        for employee in employees:
            if employee.pk in have:
                continue
            days, detail = rules.annual_entitlement(
                first_employed_on=employee.first_employed_on, hire_date=employee.hire_date, year=year, policy=policy
            )
            detail["policy_effective_from"] = policy.effective_from.isoformat()
            rows.append(
                LeaveBalance(
                    employee_id=employee.pk, leave_type=leave_type, year=year, entitled_days=days, detail=detail
                )
            )
        created = LeaveBalance.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
        granted += len(created)
    raised = _annual_milestones_grant(
        year=year, types=types, employees=employees, as_of=today or timezone.localdate(), actor=actor
    )
    if not granted:
        # The daily run usually has nothing to grant: the job's own record (JobRun) says it ran.
        return {"year": year, "granted": 0, "raised": raised}
    audit_record(
        actor=actor,
        action="leave_balance.grant_annual",
        object_type="attendance.leavebalance",
        object_id=str(year),
        changes={"year": year, "granted": granted, "policy_effective_from": policy.effective_from},
    )
    return {"year": year, "granted": granted, "raised": raised}


def _annual_milestones_grant(*, year: int, types: list[LeaveType], employees: list[Employee], as_of, actor) -> int:
    """LV-3: whoever reached the first 12 months, the 10th or the 20th year of cumulative work
    after the day their ``year`` balance was judged (1 January, or their hire day) and by
    ``as_of`` keeps that balance and gets the difference pro rata from the milestone
    (:func:`attendance.rules.annual_milestone`, the policy in force on the milestone day).

    Idempotent and safe to run twice at once: the balances are locked, the ledger is read under
    the lock, and a database constraint allows one entry per balance and milestone. A balance
    that does not exist (yet) is left alone. Bounded queries: the candidates are found in Python
    from the employees already loaded; then one query each for the policies, the locked
    balances, the entries, and one write each (plus one audit event per raised balance)."""
    jan1, dec31 = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    as_of = min(as_of, dec31)
    if as_of <= jan1:
        return 0  # a milestone on 1 January is judged with the grant
    versions = list(LeavePolicy.objects.filter(effective_from__lte=as_of).order_by("effective_from"))

    def policy_on(day: datetime.date) -> LeavePolicy:
        in_force = [v for v in versions if v.effective_from <= day]
        return in_force[-1] if in_force else LeavePolicy(effective_from=datetime.date(2000, 1, 1))

    found = {}
    for employee in employees:
        reached_on = rules.anniversary_in(employee.first_employed_on, year)
        if not (jan1 < reached_on <= as_of):
            continue
        policy = policy_on(reached_on)
        milestone = rules.annual_milestone(
            first_employed_on=employee.first_employed_on,
            hire_date=employee.hire_date,
            year=year,
            as_of=as_of,
            policy=policy,
        )
        if milestone is not None:
            days, detail = milestone
            detail["policy_effective_from"] = policy.effective_from.isoformat()
            found[employee.pk] = (days, detail)
    if not found:
        return 0
    balances = list(
        LeaveBalance.objects.select_for_update()
        .filter(employee_id__in=sorted(found), leave_type__in=types, year=year)
        .order_by("pk")
    )
    done = set(
        LeaveBalanceEntry.objects.filter(balance__in=balances, reason=LeaveBalanceEntryReason.MILESTONE).values_list(
            "balance_id", "milestone_years"
        )
    )
    entries, raised = [], []
    for balance in balances:
        days, detail = found[balance.employee_id]
        if (balance.pk, detail["milestone_years"]) in done:
            continue
        entries.append(
            LeaveBalanceEntry(
                balance=balance,
                reason=LeaveBalanceEntryReason.MILESTONE,
                milestone_years=detail["milestone_years"],
                effective_on=datetime.date.fromisoformat(detail["reached_on"]),
                days=days,
                article="LV-3",
                detail=detail,
            )
        )
        before = balance.entitled_days
        balance.entitled_days = before + days
        balance.detail = {**balance.detail, "milestones": [*balance.detail.get("milestones", ()), detail]}
        raised.append((balance, before, detail))
    if not entries:
        return 0
    LeaveBalanceEntry.objects.bulk_create(entries)
    LeaveBalance.objects.bulk_update([b for b, _, _ in raised], ["entitled_days", "detail"])
    for balance, before, detail in raised:
        audit_record(
            actor=actor,
            action="leave_balance.milestone",
            obj=balance,
            changes={
                "entitled_days": [str(before), str(balance.entitled_days)],
                "reason": LeaveBalanceEntryReason.MILESTONE.value,
                "article": "LV-3",
                "milestone_years": detail["milestone_years"],
                "reached_on": detail["reached_on"],
            },
        )
    return len(entries)


@privileged_service("attendance.leave_balance_set", label=gettext_lazy("set a leave balance"))
@transaction.atomic
def leave_balance_set(
    *, actor, employee_id: int, leave_type_id: int, year: int, entitled_days: Decimal, reason: str
) -> LeaveBalance:
    """HR sets a balance (a correction, a company-defined type's grant, extra days) of an employee
    of their remit (an HR assistant: their departments)."""
    if not has_role(actor, Role.HR):
        raise PermissionDeniedError(_("Only HR can change leave balances."))
    employee = employees_visible_to(actor).filter(pk=employee_id).first()
    if employee is None:
        raise NotFoundError(_("Employee not found."))
    refuse_own_record(actor=actor, employee_id=employee.pk, action="attendance.leave_balance_set")
    if employee.status != EmploymentStatus.ACTIVE:
        # GEN-2: a leaver's history stays as it was on leaving, read-only.
        raise ApplicationError(
            _("This employee has left: their leave balances are kept as they were (GEN-2)."),
            code=AttendanceErrorCode.EMPLOYEE_LEFT,
            status=409,
        )
    leave_type = LeaveType.objects.filter(pk=leave_type_id).first()
    if leave_type is None:
        raise NotFoundError(_("Leave type not found."))
    reason = (reason or "").strip()
    if len(reason) < LEAVE_REASON_MIN_LENGTH:
        raise ApplicationError(
            _("Please give a reason of at least %(count)d characters.") % {"count": LEAVE_REASON_MIN_LENGTH},
            code=AttendanceErrorCode.REASON_REQUIRED,
            field="reason",
        )
    if entitled_days is None or entitled_days < 0 or entitled_days > 366:
        raise ApplicationError(
            _("Entitled days must be between 0 and 366."),
            code=AttendanceErrorCode.ENTITLED_INVALID,
            field="entitled_days",
        )
    if entitled_days % Decimal("0.5"):
        raise ApplicationError(
            _("Entitled days are whole or half days."), code=AttendanceErrorCode.ENTITLED_INVALID, field="entitled_days"
        )
    if not leave_type.uses_balance:
        raise ApplicationError(
            _("%(type)s is not deducted from a balance.") % {"type": leave_type.display_name},
            code=AttendanceErrorCode.NO_BALANCE_TYPE,
            field="leave_type",
        )
    balance, created = LeaveBalance.objects.select_for_update().get_or_create(
        employee=employee,
        leave_type=leave_type,
        year=year,
        defaults={"entitled_days": entitled_days, "detail": {"rule": "hr_set", "reason": reason, "article": "LV-3"}},
    )
    before = None if created else snapshot(balance, ["entitled_days"])
    if not created:
        if entitled_days < balance.used_days:
            raise ApplicationError(
                _("%(used)s days are already used; the entitlement cannot be lower.") % {"used": balance.used_days},
                code=AttendanceErrorCode.BELOW_USED,
                field="entitled_days",
                status=409,
            )
        balance.entitled_days = entitled_days
        balance.detail = {**balance.detail, "rule": "hr_set", "reason": reason, "article": "LV-3"}
        balance.save(update_fields=["entitled_days", "detail"])
    changes = model_changes(balance, before, ["entitled_days"])
    changes["reason"] = reason
    audit_record(actor=actor, action="leave_balance.set", obj=balance, changes=changes)
    return balance


# --- Types (LV-1) ---------------------------------------------------------------------------------

# LV-1: the seven types of the regulation (the data migration installs the same list):
# (code, zh, en, rule, counting, certificate, balance, half days, paid, order).
LEAVE_TYPE_DEFAULTS = [
    ("annual", "年假", "Annual leave", "annual", "working", False, True, True, True, 10),
    ("sick", "病假", "Sick leave", "sick", "working", True, False, True, True, 20),
    ("personal", "事假", "Personal leave", "personal", "working", False, False, True, False, 30),
    ("marriage", "婚假", "Marriage leave", "marriage", "working", False, False, False, True, 40),
    ("maternity", "产假", "Maternity leave", "maternity", "calendar", False, False, False, True, 50),
    ("paternity", "陪产假", "Paternity leave", "paternity", "working", False, False, False, True, 60),
    ("bereavement", "丧假", "Bereavement leave", "bereavement", "working", False, False, False, True, 70),
]


def leave_types_defaults_install() -> list[LeaveType]:
    """Install the regulation's seven leave types where missing (idempotent; HR's edits kept)."""
    created = []
    for code, name, name_en, rule, counting, certificate, balance, half, paid, order in LEAVE_TYPE_DEFAULTS:
        leave_type, made = LeaveType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": name_en,
                "rule": rule,
                "counting": counting,
                "requires_certificate": certificate,
                "uses_balance": balance,
                "allow_half_days": half,
                "paid": paid,
                "sort_order": order,
            },
        )
        if made:
            created.append(leave_type)
    return created


_TYPE_FIELDS = [
    "code",
    "name",
    "name_en",
    "counting",
    "requires_certificate",
    "uses_balance",
    "max_days_per_request",
    "allow_half_days",
    "paid",
    "active",
    "sort_order",
]


@transaction.atomic
def leave_type_save(*, actor, leave_type_id: int | None = None, data: dict) -> LeaveType:
    """HR creates a type (always company-defined; no ``leave_type_id``) or edits one; the rule of
    the seven statutory types never changes (their limits come from the leave policy)."""
    if not has_role(actor, Role.HR):
        raise PermissionDeniedError(_("Only HR can define leave types."))
    hr_company_wide_require(actor)  # types apply to the whole company
    creating = leave_type_id is None
    if creating:
        leave_type = LeaveType(rule=LeaveRule.CUSTOM)
        before = None
    else:
        leave_type = LeaveType.objects.select_for_update().filter(pk=leave_type_id).first()
        if leave_type is None:
            raise NotFoundError(_("Leave type not found."))
        before = snapshot(leave_type, _TYPE_FIELDS)
    for name in _TYPE_FIELDS:
        if name in data and not (name == "code" and not creating):
            # The code is what requests, balances and reports refer to: fixed once created.
            setattr(leave_type, name, data[name])
    leave_type.code = (leave_type.code or "").strip().lower()
    leave_type.name = (leave_type.name or "").strip()
    leave_type.name_en = (leave_type.name_en or "").strip()
    if not leave_type.code or not leave_type.name or not leave_type.name_en:
        raise ApplicationError(
            _("A leave type needs a code and a name in both languages."), code=AttendanceErrorCode.TYPE_INCOMPLETE
        )
    if leave_type.rule == LeaveRule.ANNUAL:
        leave_type.uses_balance = True
    if leave_type.rule != LeaveRule.CUSTOM:
        leave_type.max_days_per_request = None
    try:
        leave_type.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items()),
            code=AttendanceErrorCode.TYPE_INVALID,
        ) from exc
    try:
        with transaction.atomic():
            leave_type.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("A leave type with the code %(code)s already exists.") % {"code": leave_type.code},
            code=AttendanceErrorCode.TYPE_CODE_TAKEN,
        ) from exc
    audit_record(
        actor=actor,
        action="leave_type.create" if creating else "leave_type.update",
        obj=leave_type,
        changes=model_changes(leave_type, before, _TYPE_FIELDS),
    )
    return leave_type


# --- Re-routing after a transfer (issue 13, LV-4) ----------------------------------------------------
# The route of a request is stored (one step per approver, chosen from the reporting line when it
# was filed). When HR transfers the requester to another team or department, the core calls this
# through its reporting-line hook (registered in attendance/apps.py): the steps still to be
# decided go to the new line; the decisions already taken stay, as taken.

_ROLE_TIER = {
    Role.SUPERVISOR: ApprovalTier.SUPERVISOR,
    Role.DEPARTMENT_MANAGER: ApprovalTier.MANAGER,
    Role.COMPANY_LEADER: ApprovalTier.LEADER,
}


def leave_requests_reroute(*, employee_id: int, actor=None) -> dict | None:
    """Re-route the employee's pending leave requests to their reporting line as it is now (LV-4):
    the undecided steps are cancelled ("not needed any more") and the steps the new line needs
    above the highest tier already approved are appended, the first one pending and notified.
    A request whose new line has nobody to decide it keeps its route (HR sees it in the
    requests list). Called inside the transaction that applies the transfer. Returns
    ``{"requests": [ids re-routed], "kept": [ids without a new route]}`` or None."""
    requests = list(
        LeaveRequest.objects.select_for_update(of=("self",))
        .filter(employee_id=employee_id, status=LeaveStatus.PENDING)
        .select_related("leave_type", "employee__team")
        .order_by("pk")
    )
    if not requests:
        return None
    employee = Employee.objects.select_related(
        "team__supervisor", "department__manager", "department__leader_in_charge"
    ).get(pk=employee_id)
    chain = [(_ROLE_TIER[role], person.pk) for role, person in approval_chain(employee)]
    rank = {tier: n for n, tier in enumerate(rules.TIERS)}
    rerouted, kept = [], []
    for request in requests:
        policy = policy_in_force(LeavePolicy, request.start_date)
        needed, _explanation = rules.required_tier(request.days, policy)
        steps = list(LeaveApprovalStep.objects.select_for_update().filter(request=request).order_by("order"))
        done = max((rank[s.tier] for s in steps if s.status == StepStatus.APPROVED), default=-1)
        route = [
            r
            for r in rules.build_route(chain=chain, needed=needed, direct=policy.approval_direct)
            if rank[r.tier] > done
        ]
        still_open = [s for s in steps if s.status in (StepStatus.PENDING, StepStatus.WAITING)]
        if [(s.tier, s.approver_id, s.decides) for s in still_open] == [
            (r.tier, r.approver_id, r.decides) for r in route
        ]:
            continue
        if not route:
            kept.append(request.pk)
            continue
        for step in still_open:
            step.status = StepStatus.CANCELLED
            step.save(update_fields=["status"])
        start = max(s.order for s in steps) + 1
        new_steps = LeaveApprovalStep.objects.bulk_create(
            [
                LeaveApprovalStep(
                    request=request,
                    order=start + n,
                    tier=r.tier,
                    approver_id=r.approver_id,
                    decides=r.decides,
                    status=StepStatus.PENDING if n == 0 else StepStatus.WAITING,
                )
                for n, r in enumerate(route)
            ]
        )
        request.current_step = start
        request.save(update_fields=["current_step"])
        audit_record(
            actor=actor,
            action="leave_request.reroute",
            obj=request,
            changes={
                "article": "LV-4",
                "cancelled": [f"{s.tier}:{s.approver_id}" for s in still_open],
                "route": [f"{r.tier}:{r.approver_id}" for r in route],
            },
        )
        request.employee = employee
        _notify_approver(request, new_steps[0])
        rerouted.append(request.pk)
    if not rerouted and not kept:
        return None
    return {"requests": rerouted, "kept": kept}
