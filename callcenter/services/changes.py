"""Transfers and changes (issue 13; GEN-2: the history is kept): HR moves an employee to another
department, team or position, changes their pay, or corrects another HR field, with an
effective date.

- Effective today or earlier: applied at once under the employee's row lock; the
  :class:`~callcenter.models.EmploymentEvent` is ``applied`` with ``[before, after]`` per field.
- Effective later: a ``scheduled`` event (``[None, after]``); the daily job
  ``people-changes-apply`` (:func:`employment_events_apply_due`) applies it on its date, filling
  ``before`` then. HR may cancel it until then (:func:`employment_event_cancel`).
- From the date the reporting line is the new team's (``approval_chain`` reads the team), the
  visibility follows the same way, and the apps that stored an approver from the old line re-route
  their open items through :func:`callcenter.providers.reporting_line_changed`.

Every change is privileged (SEC-2: nobody transfers, re-pays or cancels a change of themselves),
HR's only, within the HR user's remit (an HR assistant: their departments, also as the target),
audited in the same transaction. Two HR users acting at once record one: the row lock serialises
them and the second one re-reads the row (the same change is then refused as changing nothing);
two identical scheduled changes are refused by the database (one scheduled event per employee,
kind and date).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError, validation_message
from callcenter.inputs import DATE_MAX, DATE_MIN
from callcenter.models import (
    Department,
    Employee,
    EmploymentEvent,
    EmploymentEventKind,
    EmploymentEventStatus,
    EmploymentStatus,
    Position,
    Team,
)
from callcenter.providers import ReportingLineChange, reporting_line_changed
from callcenter.roles import Role, has_role
from callcenter.selectors.org import employees_visible_to, hr_department_ids
from callcenter.services.people import employment_event_record
from datasecurity.services import audit_record

__all__ = [
    "CHANGE_FIELDS",
    "PAY_FIELDS",
    "TRANSFER_FIELDS",
    "employee_change_record",
    "employee_pay_change",
    "employee_transfer",
    "employment_event_cancel",
    "employment_events_apply_due",
]

# Which fields each kind of event changes (the "other change" is everything else HR keeps).
TRANSFER_FIELDS = ("department", "team", "position")
PAY_FIELDS = ("monthly_base_pay", "bonus_base")
CHANGE_FIELDS = ("employee_no", "name", "hire_date", "first_employed_on")
_FOREIGN_KEYS = {"department": Department, "team": Team, "position": Position}
_DATE_FIELDS = {"hire_date", "first_employed_on"}
_MONEY_FIELDS = set(PAY_FIELDS)
REASON_MAX_LENGTH = 500


# --- JSON values of the history ------------------------------------------------------------------


def _json_value(field: str, value):
    """A field's value as the history stores it: ids for the org, strings for dates and amounts."""
    if value is None:
        return None
    if field in _FOREIGN_KEYS:
        return value if isinstance(value, int) else value.pk
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _current(employee: Employee, field: str):
    return getattr(employee, f"{field}_id") if field in _FOREIGN_KEYS else getattr(employee, field)


def _python_value(field: str, value):
    """The stored JSON value back to what the model field takes."""
    if value is None:
        return None
    if field in _MONEY_FIELDS:
        return Decimal(value)
    if field in _DATE_FIELDS:
        return datetime.date.fromisoformat(value)
    return value


def _diff(employee: Employee, values: dict) -> dict:
    """{field: [before, after]} of the fields whose value differs from the employee's row."""
    diff = {}
    for field, value in values.items():
        before, after = _json_value(field, _current(employee, field)), _json_value(field, value)
        if before != after:
            diff[field] = [before, after]
    return diff


# --- Checks ------------------------------------------------------------------------------------


def _require_hr(actor) -> None:
    if not (has_role(actor, Role.HR) or getattr(actor, "is_superuser", False)):
        raise PermissionDeniedError(
            _("Only HR records transfers and changes of employment (GEN-2)."), code=CoreErrorCode.PERMISSION_DENIED
        )


def _lock_employee(*, actor, employee_id: int, action: str) -> Employee:
    """The employee under its row lock, if within the HR actor's remit (else NotFoundError: no
    leak); refused on the actor's own record (SEC-2) and for a leaver."""
    _require_hr(actor)
    employee = employees_visible_to(actor).select_for_update(of=("self",)).filter(pk=employee_id).first()
    if employee is None:
        raise NotFoundError(_("Employee not found."))
    refuse_own_record(actor=actor, employee_id=employee.pk, action=action)
    if employee.status != EmploymentStatus.ACTIVE:
        raise ApplicationError(
            _("%(name)s has left; a leaver's record is kept read-only (GEN-2).") % {"name": employee.name},
            code=CoreErrorCode.ALREADY_LEFT,
            status=409,
        )
    return employee


def _check_effective_on(employee: Employee, effective_on) -> None:
    if not isinstance(effective_on, datetime.date) or not DATE_MIN <= effective_on <= DATE_MAX:
        raise ApplicationError(
            _("Enter a date between %(min)s and %(max)s.") % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
            code=CoreErrorCode.INVALID_DATE,
            field="effective_on",
        )
    if effective_on < employee.hire_date:
        raise ApplicationError(
            _("A change cannot take effect before the hire date (%(date)s).")
            % {"date": employee.hire_date.isoformat()},
            code=CoreErrorCode.INVALID_DATE,
            field="effective_on",
        )


def _check_reason(reason) -> str:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(
            _("Keep the reason under %(count)d characters.") % {"count": REASON_MAX_LENGTH},
            code=CoreErrorCode.INVALID,
            field="reason",
        )
    return reason


def _check_remit_department(actor, department_id: int | None) -> None:
    """An HR assistant limited to departments moves people only into their departments."""
    remit = hr_department_ids(actor)
    if remit is not None and department_id is not None and department_id not in remit:
        raise PermissionDeniedError(
            _("Your HR remit does not include the target department."), code=CoreErrorCode.HR_REMIT_LIMITED
        )


def _check_team_in_department(employee: Employee) -> None:
    if employee.team_id and Team.objects.filter(pk=employee.team_id).values_list(
        "department_id", flat=True
    ).first() != (employee.department_id):
        raise ApplicationError(
            _("The team does not belong to the chosen department."),
            code=CoreErrorCode.TEAM_DEPARTMENT_MISMATCH,
            field="team",
        )


def _nothing_changes() -> ApplicationError:
    return ApplicationError(
        _(
            "Nothing changes: the employee already has these values (a colleague may have just recorded "
            "the same change)."
        ),
        code=CoreErrorCode.NOTHING_CHANGES,
        status=409,
    )


# --- Applying -----------------------------------------------------------------------------------


def _apply(*, actor, employee: Employee, diff: dict, effective_on: datetime.date) -> dict:
    """Write ``diff``'s after values on the locked row, validated; re-route on a new reporting
    line. Returns what the handlers of other apps did (for the audit event)."""
    for field, (_before, after) in diff.items():
        attribute = f"{field}_id" if field in _FOREIGN_KEYS else field
        setattr(employee, attribute, _python_value(field, after))
    _check_team_in_department(employee)
    try:
        employee.full_clean(exclude=["user"], validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        raise ApplicationError(validation_message(exc), code=CoreErrorCode.INVALID) from exc
    employee.save(update_fields=list(diff))
    return _reroute(actor=actor, employee=employee, diff=diff, effective_on=effective_on)


def _reroute(*, actor, employee: Employee, diff: dict, effective_on: datetime.date) -> dict:
    """A new team or department is a new reporting line: the apps re-route their open items."""
    line = {field: diff[field] for field in ("department", "team") if field in diff}
    if not line:
        return {}
    return reporting_line_changed(
        ReportingLineChange(employee_id=employee.pk, effective_on=effective_on, changes=line, actor=_person(actor))
    )


def _person(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _scheduled_fields_before(employee: Employee, kind: str, effective_on: datetime.date) -> set[str]:
    """The fields that changes of ``kind`` scheduled before ``effective_on`` will have changed."""
    fields = set()
    for changes in EmploymentEvent.objects.filter(
        employee=employee, kind=kind, status=EmploymentEventStatus.SCHEDULED, effective_on__lt=effective_on
    ).values_list("changes", flat=True):
        fields.update(changes or {})
    return fields


def _record(*, actor, employee: Employee, kind: str, values: dict, effective_on, reason: str) -> EmploymentEvent:
    """Apply now (effective today or earlier) or schedule (later) one change; audited."""
    _check_effective_on(employee, effective_on)
    reason = _check_reason(reason)
    diff = _diff(employee, values)
    if not diff and effective_on > timezone.localdate():
        # Back again after a change scheduled earlier (to A2 next week, back to A1 the week after):
        # not "nothing" against the row as it will be by then.
        diff = {
            field: [None, _json_value(field, values[field])]
            for field in _scheduled_fields_before(employee, kind, effective_on)
            if field in values
        }
    if not diff:
        raise _nothing_changes()
    action = f"employee.{kind}"
    if effective_on > timezone.localdate():
        scheduled = {field: [None, after] for field, (_before, after) in diff.items()}
        # Check now what can be checked now (the team in the department); applied, again.
        probe = Employee(department_id=employee.department_id, team_id=employee.team_id)
        for field, (_before, after) in diff.items():
            if field in ("department", "team"):
                setattr(probe, f"{field}_id", after)
        _check_team_in_department(probe)
        try:
            with transaction.atomic():
                event = employment_event_record(
                    actor=actor,
                    employee=employee,
                    kind=kind,
                    effective_on=effective_on,
                    changes=scheduled,
                    reason=reason,
                    scheduled=True,
                )
        except IntegrityError as exc:  # employment_event_one_scheduled_per_kind_and_date
            raise ApplicationError(
                _("A %(kind)s is already scheduled for %(name)s on %(date)s. Cancel it first, or choose another date.")
                % {"kind": EmploymentEventKind(kind).label.lower(), "name": employee.name, "date": effective_on},
                code=CoreErrorCode.CHANGE_SCHEDULED_TWICE,
                status=409,
            ) from exc
        audit_record(
            actor=actor,
            action=f"{action}_schedule",
            obj=employee,
            changes={"event": event.pk, "effective_on": effective_on, **scheduled, "reason": reason},
        )
        return event
    rerouted = _apply(actor=actor, employee=employee, diff=diff, effective_on=effective_on)
    event = employment_event_record(
        actor=actor, employee=employee, kind=kind, effective_on=effective_on, changes=diff, reason=reason
    )
    changes = {"event": event.pk, "effective_on": effective_on, **diff, "reason": reason}
    if rerouted:
        changes["rerouted"] = rerouted
    audit_record(actor=actor, action=action, obj=employee, changes=changes)
    return event


# --- The services -------------------------------------------------------------------------------


@privileged_service("callcenter.employee_transfer", label=gettext_lazy("transfer an employee"))
@transaction.atomic
def employee_transfer(
    *,
    actor,
    employee_id: int,
    department_id: int,
    team_id: int | None,
    position_id: int,
    effective_on: datetime.date,
    reason: str = "",
) -> EmploymentEvent:
    """HR moves an employee to a department, team (of that department, or none) and position from
    ``effective_on`` (GEN-2). The new team's supervisor becomes the direct supervisor."""
    employee = _lock_employee(actor=actor, employee_id=employee_id, action="callcenter.employee_transfer")
    department = Department.objects.filter(pk=department_id).first()
    position = Position.objects.filter(pk=position_id).first()
    team = Team.objects.filter(pk=team_id).first() if team_id else None
    if department is None or position is None or (team_id and team is None):
        raise ApplicationError(_("Choose an existing department, team and position."), code=CoreErrorCode.NOT_FOUND)
    if team is not None and team.department_id != department.pk:
        raise ApplicationError(
            _("The team does not belong to the chosen department."),
            code=CoreErrorCode.TEAM_DEPARTMENT_MISMATCH,
            field="team",
        )
    _check_remit_department(actor, department.pk)
    values = {"department": department.pk, "team": team.pk if team else None, "position": position.pk}
    return _record(
        actor=actor,
        employee=employee,
        kind=EmploymentEventKind.TRANSFER,
        values=values,
        effective_on=effective_on,
        reason=reason,
    )


@privileged_service("callcenter.employee_pay_change", label=gettext_lazy("change an employee's pay"))
@transaction.atomic
def employee_pay_change(
    *,
    actor,
    employee_id: int,
    monthly_base_pay: Decimal,
    bonus_base: Decimal,
    effective_on: datetime.date,
    reason: str = "",
) -> EmploymentEvent:
    """HR changes the monthly base pay (ATT-5) and the performance bonus base (PRF-4) from
    ``effective_on``."""
    employee = _lock_employee(actor=actor, employee_id=employee_id, action="callcenter.employee_pay_change")
    for field, value in (("monthly_base_pay", monthly_base_pay), ("bonus_base", bonus_base)):
        if value is None or not isinstance(value, Decimal) or value < 0 or value >= Decimal("100000000"):
            raise ApplicationError(
                _("Enter an amount from 0.00 to 99,999,999.99."), code=CoreErrorCode.INVALID, field=field
            )
    values = {
        "monthly_base_pay": monthly_base_pay.quantize(Decimal("0.01")),
        "bonus_base": bonus_base.quantize(Decimal("0.01")),
    }
    return _record(
        actor=actor,
        employee=employee,
        kind=EmploymentEventKind.PAY,
        values=values,
        effective_on=effective_on,
        reason=reason,
    )


def employee_change_record(
    *, actor, employee: Employee, diff: dict, effective_on: datetime.date
) -> tuple[EmploymentEvent, dict]:
    """The history step of a change already written on the locked row by ``employee_update`` (a
    correction, effective today): a transfer, a pay change or another change by its fields; a new
    team or department re-routes the open approvals. Returns the event and what was re-routed."""
    fields = set(diff)
    kind = (
        EmploymentEventKind.PAY
        if fields <= set(PAY_FIELDS)
        else EmploymentEventKind.TRANSFER
        if fields <= set(TRANSFER_FIELDS)
        else EmploymentEventKind.CHANGE
    )
    changes = {
        field: [_json_value(field, before), _json_value(field, after)] for field, (before, after) in diff.items()
    }
    event = employment_event_record(
        actor=actor, employee=employee, kind=kind, effective_on=effective_on, changes=changes
    )
    return event, _reroute(actor=actor, employee=employee, diff=changes, effective_on=effective_on)


@privileged_service("callcenter.employment_event_cancel", label=gettext_lazy("cancel a scheduled change"))
@transaction.atomic
def employment_event_cancel(*, actor, event_id: int, reason: str = "") -> EmploymentEvent:
    """HR cancels a change not yet in effect (a scheduled event); applied ones stay (GEN-2: the
    history is corrected by a new change, never rewritten)."""
    _require_hr(actor)
    event = EmploymentEvent.objects.select_for_update().filter(pk=event_id).first()
    if event is None or not employees_visible_to(actor).filter(pk=event.employee_id).exists():
        raise NotFoundError(_("Change not found."))
    refuse_own_record(actor=actor, employee_id=event.employee_id, action="callcenter.employment_event_cancel")
    if event.status != EmploymentEventStatus.SCHEDULED:
        raise ApplicationError(
            _("This change is %(status)s; only a scheduled change can be cancelled.")
            % {"status": event.get_status_display().lower()},
            code=CoreErrorCode.CHANGE_NOT_SCHEDULED,
            status=409,
        )
    if event.kind == EmploymentEventKind.LEAVE:
        raise ApplicationError(
            _("A leaving is cancelled on its exit checklist (GEN-2), not here."),
            code=CoreErrorCode.CHANGE_NOT_SCHEDULED,
            status=409,
        )
    reason = _check_reason(reason)
    event.status = EmploymentEventStatus.CANCELLED
    event.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="employment_event.cancel",
        obj=event,
        changes={"status": ["scheduled", "cancelled"], "employee": event.employee_id, "reason": reason},
    )
    return event


# --- The daily job --------------------------------------------------------------------------------


def employment_events_apply_due(*, today: datetime.date | None = None) -> dict[str, int]:
    """``people-changes-apply``: apply every scheduled change whose date has come, oldest first,
    each in its own transaction under the event's and the employee's row locks, with its own audit
    event. Idempotent (an applied event is no longer scheduled) and resumable (a crash loses at
    most the change in hand, applied by the next run). A change that cannot apply any more (the
    employee left, the team moved to another department) is cancelled with the reason in the audit
    trail; one that changes nothing any more is applied with ``before = after``."""
    today = today or timezone.localdate()
    due = list(
        EmploymentEvent.objects.filter(status=EmploymentEventStatus.SCHEDULED, effective_on__lte=today)
        # A leaving is carried out by its own job (people-leavers-deactivate, the day after the last
        # working day), never here.
        .exclude(kind=EmploymentEventKind.LEAVE)
        .order_by("effective_on", "pk")
        .values_list("pk", flat=True)
    )
    counts = {"applied": 0, "cancelled": 0, "skipped": 0}
    for event_id in due:
        counts[_apply_one(event_id)] += 1
    return counts


def _apply_one(event_id: int) -> str:
    with transaction.atomic():
        event = EmploymentEvent.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.status != EmploymentEventStatus.SCHEDULED:
            return "skipped"  # applied or cancelled meanwhile (a second worker, HR)
        employee = Employee.objects.select_for_update().get(pk=event.employee_id)
        wanted = {field: after for field, (_before, after) in event.changes.items()}
        diff = _diff(employee, {field: _python_value(field, value) for field, value in wanted.items()})
        if employee.status != EmploymentStatus.ACTIVE:
            return _cancel_unappliable(event, _("the employee has left"), CoreErrorCode.ALREADY_LEFT)
        try:
            with transaction.atomic():
                rerouted = (
                    _apply(actor=None, employee=employee, diff=diff, effective_on=event.effective_on) if diff else {}
                )
        except ApplicationError as exc:
            employee.refresh_from_db()
            return _cancel_unappliable(event, str(exc.message), exc.code)
        event.changes = {
            field: diff.get(field, [_json_value(field, _current(employee, field))] * 2) for field in wanted
        }
        event.status = EmploymentEventStatus.APPLIED
        event.applied_at = timezone.now()
        event.save(update_fields=["changes", "status", "applied_at"])
        changes = {"event": event.pk, "effective_on": event.effective_on, **event.changes}
        if rerouted:
            changes["rerouted"] = rerouted
        audit_record(actor=None, action=f"employee.{event.kind}", obj=employee, changes=changes)
        return "applied"


def _cancel_unappliable(event: EmploymentEvent, why: str, code) -> str:
    event.status = EmploymentEventStatus.CANCELLED
    event.save(update_fields=["status"])
    audit_record(
        actor=None,
        action="employment_event.cancel",
        obj=event,
        changes={
            "status": ["scheduled", "cancelled"],
            "employee": event.employee_id,
            "reason": why,
            "code": str(getattr(code, "value", code)),
        },
    )
    return "cancelled"
