"""Attendance services: punch corrections (补卡, ATT-2).

Punches are append-only: a forgotten punch is fixed by a correction request that the
employee's supervisor (or department manager, or HR) approves; approval adds a NEW punch
(``source="correction"``) and never edits or deletes the original ones.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.errors import AttendanceErrorCode
from attendance.models import CorrectionStatus, MonthVerification, Punch, PunchCorrection, PunchSource
from attendance.selectors.corrections import punch_correction_can_decide
from attendance.services.daily import daily_attendance_recompute
from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Employee, EmploymentStatus
from callcenter.selectors import employee_of, filter_by_employee
from datasecurity.services import audit_record

__all__ = [
    "CORRECTION_MAX_AGE_DAYS",
    "CORRECTION_REASON_MIN_LENGTH",
    "punch_correction_approve",
    "punch_correction_reject",
    "punch_correction_submit",
    "punch_correction_withdraw",
]

# A fixed rule, not a policy parameter: the regulation leaves no blank for it. 31 days lets an
# employee fix any day of the month just closed before the supervisor verifies it (ATT-2).
CORRECTION_MAX_AGE_DAYS = 31
CORRECTION_REASON_MIN_LENGTH = 5


@transaction.atomic
def punch_correction_submit(
    *, actor, work_date: datetime.date, requested_time: datetime.datetime, reason: str
) -> PunchCorrection:
    """File a correction for the actor's own forgotten punch. The employee is always the actor
    (never taken from input: no filing for someone else)."""
    me = employee_of(actor)
    if me is None:
        raise ApplicationError(
            _("Only employees can request a punch correction."), code=AttendanceErrorCode.NOT_AN_EMPLOYEE
        )
    if me.status != EmploymentStatus.ACTIVE:
        # GEN-2: a leaver's attendance stays as it was on leaving, read-only.
        raise ApplicationError(
            _("Only active employees can request a punch correction (GEN-2)."),
            code=AttendanceErrorCode.EMPLOYEE_INACTIVE,
            status=403,
        )
    reason = (reason or "").strip()
    if len(reason) < CORRECTION_REASON_MIN_LENGTH:
        raise ApplicationError(
            _("Please give a reason of at least %(count)d characters.") % {"count": CORRECTION_REASON_MIN_LENGTH},
            code=AttendanceErrorCode.REASON_TOO_SHORT,
            field="reason",
        )
    if len(reason) > 1000:
        raise ApplicationError(
            _("The reason is too long (at most 1000 characters)."),
            code=AttendanceErrorCode.REASON_TOO_LONG,
            field="reason",
        )
    if requested_time is None or work_date is None:
        raise ApplicationError(
            _("Give the date and the time of the missing punch."), code=AttendanceErrorCode.TIME_MISSING
        )
    if timezone.is_naive(requested_time):
        requested_time = timezone.make_aware(requested_time)
    now = timezone.now()
    today = timezone.localdate(now)
    if requested_time > now or work_date > today:
        raise ApplicationError(
            _("A correction cannot be for a time in the future."),
            code=AttendanceErrorCode.TIME_IN_FUTURE,
            field="requested_time",
        )
    if work_date < today - datetime.timedelta(days=CORRECTION_MAX_AGE_DAYS):
        raise ApplicationError(
            _("Corrections can be requested for the last %(days)d days only.") % {"days": CORRECTION_MAX_AGE_DAYS},
            code=AttendanceErrorCode.TOO_OLD,
            field="work_date",
        )
    # An overnight shift belongs to the day it starts, so its punches may fall on the next day
    # (or, for the clock-in of an early shift, the evening before).
    local_day = timezone.localdate(requested_time)
    if abs((local_day - work_date).days) > 1:
        raise ApplicationError(
            _("The punch time must be on the working day, or the day before or after it."),
            code=AttendanceErrorCode.TIME_OUTSIDE_DAY,
            field="requested_time",
        )
    # Serialise one employee's submissions so a double click cannot file the same request twice.
    Employee.objects.select_for_update().filter(pk=me.pk).values_list("pk", flat=True).first()
    if PunchCorrection.objects.filter(
        employee_id=me.pk, requested_time=requested_time, status=CorrectionStatus.PENDING
    ).exists():
        raise ApplicationError(
            _("You already have a pending request for this punch time."),
            code=AttendanceErrorCode.DUPLICATE_PENDING,
            status=409,
        )
    correction = PunchCorrection.objects.create(
        employee_id=me.pk, work_date=work_date, requested_time=requested_time, reason=reason
    )
    audit_record(
        actor=actor,
        action="punch_correction.submit",
        obj=correction,
        changes={
            "employee": me.pk,
            "work_date": work_date,
            "requested_time": requested_time,
            "reason": reason,
        },
    )
    return correction


def _locked_for_decision(*, actor, correction_id: int) -> PunchCorrection:
    """Load the correction once, with a row lock; NotFoundError when the actor may not see it
    (no leak)."""
    qs = filter_by_employee(PunchCorrection.objects.all(), actor)
    locked = qs.select_for_update(of=("self",)).filter(pk=correction_id).first()
    if locked is None:
        raise NotFoundError(_("Correction request not found."))
    # Team and department for the approver check, read after the lock (not locked themselves).
    locked.employee = Employee.objects.select_related("team", "department").get(pk=locked.employee_id)
    return locked


def _check_pending(correction: PunchCorrection) -> None:
    if correction.status != CorrectionStatus.PENDING:
        raise ApplicationError(
            _("This request has already been %(status)s; it cannot be changed.")
            % {"status": correction.get_status_display().lower()},
            code=AttendanceErrorCode.NOT_PENDING,
            status=409,
        )


def _check_decider(actor, correction: PunchCorrection, *, action: str) -> None:
    refuse_own_record(actor=actor, employee_id=correction.employee_id, action=action)
    if not punch_correction_can_decide(user=actor, correction=correction):
        raise PermissionDeniedError(
            _("Only the employee's team supervisor, department manager or HR may decide this request.")
        )


def _month_verified(correction: PunchCorrection) -> bool:
    team_id = correction.employee.team_id
    return (
        bool(team_id)
        and MonthVerification.objects.filter(team_id=team_id, month=correction.work_date.replace(day=1)).exists()
    )


@privileged_service("attendance.punch_correction_approve", label=gettext_lazy("approve a punch correction"))
@transaction.atomic
def punch_correction_approve(*, actor, correction_id: int, note: str = "") -> PunchCorrection:
    """Approve: adds a correction punch at the requested time (ATT-2). In a verified month the
    approval still goes through but is recorded as a change after verification."""
    correction = _locked_for_decision(actor=actor, correction_id=correction_id)
    _check_decider(actor, correction, action="attendance.punch_correction_approve")
    _check_pending(correction)
    now = timezone.now()
    correction.status = CorrectionStatus.APPROVED
    correction.decided_by = actor
    correction.decided_at = now
    correction.decision_note = (note or "").strip()[:500]
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    punch = Punch.objects.create(
        employee_id=correction.employee_id,
        punched_at=correction.requested_time,
        recorded_at=now,
        source=PunchSource.CORRECTION,
        idempotency_key=f"correction:{correction.pk}",
        correction=correction,
    )
    changes = {
        "status": [CorrectionStatus.PENDING, CorrectionStatus.APPROVED],
        "punch": punch.pk,
        "punched_at": punch.punched_at,
        "note": correction.decision_note,
    }
    verified = _month_verified(correction)
    if verified:
        changes["after_verification"] = True
    audit_record(actor=actor, action="punch_correction.approve", obj=correction, changes=changes)
    # A day already computed is computed again with the new punch; in a verified month the
    # record then says it changed after verification (ATT-2).
    daily_attendance_recompute(
        actor=actor, employee_id=correction.employee_id, date_from=correction.work_date, date_to=correction.work_date
    )
    return correction


@privileged_service("attendance.punch_correction_reject", label=gettext_lazy("reject a punch correction"))
@transaction.atomic
def punch_correction_reject(*, actor, correction_id: int, note: str) -> PunchCorrection:
    """Reject with a reason the employee will read (required)."""
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Please say why the request is rejected."), code=AttendanceErrorCode.NOTE_REQUIRED)
    correction = _locked_for_decision(actor=actor, correction_id=correction_id)
    _check_decider(actor, correction, action="attendance.punch_correction_reject")
    _check_pending(correction)
    correction.status = CorrectionStatus.REJECTED
    correction.decided_by = actor
    correction.decided_at = timezone.now()
    correction.decision_note = note[:500]
    correction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="punch_correction.reject",
        obj=correction,
        changes={"status": [CorrectionStatus.PENDING, CorrectionStatus.REJECTED], "note": correction.decision_note},
    )
    return correction


@transaction.atomic
def punch_correction_withdraw(*, actor, correction_id: int) -> PunchCorrection:
    """The employee takes back their own request while it is pending."""
    correction = _locked_for_decision(actor=actor, correction_id=correction_id)
    me = employee_of(actor)
    if me is None or me.pk != correction.employee_id:
        raise PermissionDeniedError(_("Only the employee who filed a request may withdraw it."))
    _check_pending(correction)
    correction.status = CorrectionStatus.WITHDRAWN
    # decided_at marks when the request left "pending" (the model's check constraint).
    correction.decided_at = timezone.now()
    correction.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor,
        action="punch_correction.withdraw",
        obj=correction,
        changes={"status": [CorrectionStatus.PENDING, CorrectionStatus.WITHDRAWN]},
    )
    return correction
