"""Writes of leavers (GEN-2, COC-8): scheduling a leaving, its exit checklist, the deactivation.

* :func:`employee_leave_schedule` — HR (or a dismissal decision of the discipline module, later)
  sets the last working day and the reason; the exit checklist is created with its items and
  owners, and a scheduled ``leave`` employment event recorded. :func:`employee_leave_cancel`
  withdraws it while the person has not left.
* :func:`exit_item_tick` / :func:`exit_item_untick` — the item's owner (the supervisor of the
  leaver's team, or HR) ticks it; never the leaver (SEC-2). Ticks may still be made after the
  deactivation (an item left open); unticking stops once the person has left.
* :func:`exit_hand_over` — COC-8: the leaver's open complaints and call-backs go to a colleague,
  through the complaints app's own service (registered as a provider).
* :func:`leavers_deactivate_due` — the job ``people-leavers-deactivate``: on the day after the last
  working day the account is deactivated (sessions and API tokens ended, GEN-1: never deleted),
  the event applied, the access item ticked. It deactivates even with items still open — an
  account must not outlive the employment — and notifies HR of those items.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.models import (
    EXIT_ITEM_OWNERS,
    Employee,
    EmploymentEventKind,
    EmploymentEventStatus,
    EmploymentStatus,
    ExitChecklist,
    ExitChecklistItem,
    ExitChecklistStatus,
    ExitItemKind,
    LeaveReason,
)
from callcenter.providers import leaver_hand_over_provider, leaver_hand_over_providers
from callcenter.roles import Role
from callcenter.selectors import (
    employees_visible_to,
    employees_with_role,
    exit_final_month_verified,
    exit_owner_roles,
    hr_department_ids,
)
from callcenter.services.notifications import notification_send
from callcenter.services.org import employee_deactivate
from callcenter.services.people import employment_event_record
from datasecurity.services import audit_record

__all__ = [
    "employee_leave_cancel",
    "employee_leave_schedule",
    "exit_hand_over",
    "exit_item_tick",
    "exit_item_untick",
    "leavers_deactivate_due",
]

NOTE_MAX = 1000
ITEM_NOTE_MAX = 500


def _text(value, limit: int, label) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ApplicationError(
            _("%(label)s is too long (at most %(limit)s characters).") % {"label": label, "limit": limit},
            code=CoreErrorCode.INVALID,
        )
    return value


def _require_hr(actor, employee: Employee) -> None:
    if "hr" not in exit_owner_roles(user=actor, employee=employee):
        raise PermissionDeniedError(
            _("Only HR whose remit covers this employee sets or cancels their leaving (GEN-2).")
        )


@privileged_service("callcenter.employee_leave_schedule", label=gettext_lazy("set an employee's leaving"))
@transaction.atomic
def employee_leave_schedule(
    *,
    actor,
    employee_id: int,
    last_working_day: datetime.date,
    reason: str,
    note: str = "",
    today: datetime.date | None = None,
) -> ExitChecklist:
    """Set ``employee_id``'s last working day and reason (GEN-2): the exit checklist with its
    items and owners, and a scheduled ``leave`` event. The day after the last working day the
    job deactivates the account. Refused: one's own record (SEC-2), someone who has left or whose
    leaving is already set, a date before today or before the hire date, an unknown reason."""
    today = today or timezone.localdate()
    employee = (
        Employee.objects.select_for_update(of=("self",))
        .select_related("team", "department")
        .filter(pk__in=employees_visible_to(actor).filter(pk=employee_id).values("pk"))
        .first()
    )
    if employee is None:
        raise NotFoundError(_("Employee not found."))
    refuse_own_record(actor=actor, employee_id=employee.pk, action="callcenter.employee_leave_schedule")
    _require_hr(actor, employee)
    if employee.status != EmploymentStatus.ACTIVE:
        raise ApplicationError(_("This employee has already left."), code=CoreErrorCode.ALREADY_LEFT, status=409)
    if reason not in LeaveReason.values:
        raise ApplicationError(_("Choose the reason for leaving."), code=CoreErrorCode.INVALID, field="reason")
    if last_working_day is None or last_working_day < today:
        raise ApplicationError(
            _("The last working day cannot be in the past (GEN-2)."),
            code=CoreErrorCode.INVALID_DATE,
            field="last_working_day",
        )
    if last_working_day < employee.hire_date:
        raise ApplicationError(
            _("The last working day cannot be before the hire date."),
            code=CoreErrorCode.INVALID_DATE,
            field="last_working_day",
        )
    note = _text(note, NOTE_MAX, _("The note"))
    if ExitChecklist.objects.filter(employee=employee, status=ExitChecklistStatus.SCHEDULED).exists():
        raise ApplicationError(
            _("This employee's leaving is already set; cancel it first to change it."),
            code=CoreErrorCode.LEAVE_ALREADY_SCHEDULED,
            status=409,
        )
    try:
        with transaction.atomic():
            event = employment_event_record(
                actor=actor,
                employee=employee,
                kind=EmploymentEventKind.LEAVE,
                effective_on=last_working_day,
                changes={"status": [None, EmploymentStatus.LEFT], "left_on": [None, last_working_day.isoformat()]},
                reason=f"{LeaveReason(reason).label}{': ' + note if note else ''}",
                scheduled=True,
            )
            checklist = ExitChecklist.objects.create(
                employee=employee,
                last_working_day=last_working_day,
                reason=reason,
                note=note,
                event=event,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:  # a colleague set it at the same moment
        raise ApplicationError(
            _("This employee's leaving is already set; cancel it first to change it."),
            code=CoreErrorCode.LEAVE_ALREADY_SCHEDULED,
            status=409,
        ) from exc
    ExitChecklistItem.objects.bulk_create(
        ExitChecklistItem(checklist=checklist, kind=kind, owner_role=owner, position=position)
        for position, (kind, owner) in enumerate(EXIT_ITEM_OWNERS.items())
    )
    audit_record(
        actor=actor,
        action="employee.leave_schedule",
        obj=employee,
        changes={
            "last_working_day": [None, last_working_day],
            "reason": [None, reason],
            "note": note,
            "exit_checklist": checklist.pk,
            "article": "GEN-2",
        },
    )
    return checklist


def _lock_checklist(*, actor, checklist_id: int) -> ExitChecklist:
    checklist = (
        ExitChecklist.objects.select_for_update(of=("self",))
        .select_related("employee", "employee__team", "event")
        .filter(pk=checklist_id, employee__in=employees_visible_to(actor))
        .first()
    )
    if checklist is None:
        raise NotFoundError(_("Exit checklist not found."))
    return checklist


@privileged_service("callcenter.employee_leave_cancel", label=gettext_lazy("cancel an employee's leaving"))
@transaction.atomic
def employee_leave_cancel(*, actor, checklist_id: int) -> ExitChecklist:
    """Withdraw a leaving that has not happened yet (GEN-2): the checklist and its event are
    cancelled, kept for the history. Customer work already handed over stays with the colleague."""
    checklist = _lock_checklist(actor=actor, checklist_id=checklist_id)
    refuse_own_record(actor=actor, employee_id=checklist.employee_id, action="callcenter.employee_leave_cancel")
    _require_hr(actor, checklist.employee)
    if checklist.status != ExitChecklistStatus.SCHEDULED:
        raise ApplicationError(
            _("Only a leaving that has not happened yet can be cancelled."),
            code=CoreErrorCode.LEAVE_NOT_SCHEDULED,
            status=409,
        )
    now = timezone.now()
    checklist.status = ExitChecklistStatus.CANCELLED
    checklist.cancelled_at = now
    checklist.cancelled_by = actor
    checklist.save(update_fields=["status", "cancelled_at", "cancelled_by"])
    if checklist.event is not None:
        checklist.event.status = EmploymentEventStatus.CANCELLED
        checklist.event.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="employee.leave_cancel",
        obj=checklist.employee,
        changes={"exit_checklist": checklist.pk, "status": ["scheduled", "cancelled"], "article": "GEN-2"},
    )
    return checklist


def _lock_item(*, actor, item_id: int) -> ExitChecklistItem:
    item = (
        ExitChecklistItem.objects.select_for_update(of=("self",))
        .select_related("checklist", "checklist__employee", "checklist__employee__team")
        .filter(pk=item_id, checklist__employee__in=employees_visible_to(actor))
        .first()
    )
    if item is None:
        raise NotFoundError(_("Exit checklist item not found."))
    return item


def _require_owner(actor, item: ExitChecklistItem) -> None:
    if item.owner_role not in exit_owner_roles(user=actor, employee=item.checklist.employee):
        raise PermissionDeniedError(
            _("Only the item's owner (%(owner)s) ticks it.") % {"owner": item.get_owner_role_display()},
            code=CoreErrorCode.EXIT_ITEM_NOT_OWNER,
        )


def _open_hand_over(checklist: ExitChecklist) -> int:
    return sum(len(p.open_items(employee_id=checklist.employee_id)) for p in leaver_hand_over_providers())


@privileged_service("callcenter.exit_item_tick", label=gettext_lazy("tick an item of an exit checklist"))
@transaction.atomic
def exit_item_tick(*, actor, item_id: int, note: str = "") -> ExitChecklistItem:
    """Tick one item of a leaver's exit checklist, by its owner (who and when are kept, audited).
    Customer data (COC-8) needs every open complaint and call-back handed over first; the final
    attendance month (ATT-5) needs attendance's verification of the month; access is ticked by
    the deactivation (GEN-2)."""
    item = _lock_item(actor=actor, item_id=item_id)
    checklist = item.checklist
    refuse_own_record(actor=actor, employee_id=checklist.employee_id, action="callcenter.exit_item_tick")
    _require_owner(actor, item)
    note = _text(note, ITEM_NOTE_MAX, _("The note"))
    if checklist.status == ExitChecklistStatus.CANCELLED:
        raise ApplicationError(_("This leaving was cancelled."), code=CoreErrorCode.EXIT_ITEM_STATE, status=409)
    if item.is_done:
        raise ApplicationError(_("This item is already ticked."), code=CoreErrorCode.EXIT_ITEM_STATE, status=409)
    if item.kind == ExitItemKind.ACCESS:
        raise ApplicationError(
            _("Access ends with the deactivation on the day after the last working day (GEN-2)."),
            code=CoreErrorCode.EXIT_ITEM_BLOCKED,
            status=409,
        )
    if item.kind == ExitItemKind.CUSTOMER_DATA and (remaining := _open_hand_over(checklist)):
        raise ApplicationError(
            _("%(count)s open complaints or call-backs are still the leaver's: hand them over first (COC-8).")
            % {"count": remaining},
            code=CoreErrorCode.EXIT_ITEM_BLOCKED,
            status=409,
        )
    if item.kind == ExitItemKind.ATTENDANCE and exit_final_month_verified(checklist=checklist) is False:
        raise ApplicationError(
            _("The final attendance month is not verified yet: verify the team's month in attendance first (ATT-5)."),
            code=CoreErrorCode.EXIT_ITEM_BLOCKED,
            status=409,
        )
    item.done_at = timezone.now()
    item.done_by = actor
    item.note = note
    item.save(update_fields=["done_at", "done_by", "note"])
    audit_record(
        actor=actor,
        action="exit_item.tick",
        obj=item,
        object_repr=f"{checklist.employee} {item.kind}",
        changes={"done": [False, True], "kind": item.kind, "note": note, "employee": checklist.employee_id},
    )
    return item


@privileged_service("callcenter.exit_item_untick", label=gettext_lazy("untick an item of an exit checklist"))
@transaction.atomic
def exit_item_untick(*, actor, item_id: int) -> ExitChecklistItem:
    """Untick an item ticked by mistake, by its owner, while the person has not left."""
    item = _lock_item(actor=actor, item_id=item_id)
    checklist = item.checklist
    refuse_own_record(actor=actor, employee_id=checklist.employee_id, action="callcenter.exit_item_untick")
    _require_owner(actor, item)
    if checklist.status != ExitChecklistStatus.SCHEDULED or item.kind == ExitItemKind.ACCESS:
        raise ApplicationError(
            _("Items can be unticked only until the person has left."),
            code=CoreErrorCode.EXIT_ITEM_STATE,
            status=409,
        )
    if not item.is_done:
        raise ApplicationError(_("This item is not ticked."), code=CoreErrorCode.EXIT_ITEM_STATE, status=409)
    before = (item.done_by_id, item.done_at)
    item.done_at = None
    item.done_by = None
    item.note = ""
    item.save(update_fields=["done_at", "done_by", "note"])
    audit_record(
        actor=actor,
        action="exit_item.untick",
        obj=item,
        object_repr=f"{checklist.employee} {item.kind}",
        changes={"done": [True, False], "kind": item.kind, "was_ticked_by": before[0], "was_ticked_at": before[1]},
    )
    return item


@privileged_service("callcenter.exit_hand_over", label=gettext_lazy("hand over a leaver's customer work"))
@transaction.atomic
def exit_hand_over(*, actor, checklist_id: int, provider: str, to_employee_id: int) -> int:
    """COC-8: give the leaver's open customer work of one app (``provider``, e.g. complaints) to
    a colleague, through that app's own service (audited there). The hand-over item's owner does
    it (the leaver's supervisor, HR); returns how many records moved."""
    checklist = _lock_checklist(actor=actor, checklist_id=checklist_id)
    refuse_own_record(actor=actor, employee_id=checklist.employee_id, action="callcenter.exit_hand_over")
    if EXIT_ITEM_OWNERS[ExitItemKind.CUSTOMER_DATA] not in exit_owner_roles(user=actor, employee=checklist.employee):
        raise PermissionDeniedError(
            _("Only the leaver's supervisor or HR hands their customer work over (COC-8)."),
            code=CoreErrorCode.EXIT_ITEM_NOT_OWNER,
        )
    if checklist.status == ExitChecklistStatus.CANCELLED:
        raise ApplicationError(_("This leaving was cancelled."), code=CoreErrorCode.EXIT_ITEM_STATE, status=409)
    found = leaver_hand_over_provider(provider or "")
    if found is None:
        raise ApplicationError(_("Nothing to hand over here."), code=CoreErrorCode.INVALID_KIND, field="provider")
    return found.reassign(actor=actor, employee_id=checklist.employee_id, to_employee_id=to_employee_id)


def _hr_recipients(employee: Employee) -> list:
    """HR users whose remit covers ``employee`` (company HR, or an assistant granted the department)."""
    recipients = []
    for hr in employees_with_role(Role.HR).select_related("user"):
        remit = hr_department_ids(hr.user)
        if hr.pk != employee.pk and (remit is None or employee.department_id in remit):
            recipients.append(hr.user)
    return recipients


def _deactivate_one(checklist_id: int, today: datetime.date) -> tuple[bool, int]:
    """Carry out one due leaving in its own transaction; (done, open items left). Safe to repeat:
    a checklist no longer scheduled is skipped."""
    with transaction.atomic():
        checklist = (
            ExitChecklist.objects.select_for_update(of=("self",))
            .select_related("employee", "event")
            .filter(pk=checklist_id, status=ExitChecklistStatus.SCHEDULED, last_working_day__lt=today)
            .first()
        )
        if checklist is None:
            return False, 0
        employee = checklist.employee
        already_left = employee.status == EmploymentStatus.LEFT
        if not already_left:
            employee_deactivate(actor=None, employee_id=employee.pk, left_on=checklist.last_working_day)
        now = timezone.now()
        checklist.status = ExitChecklistStatus.LEFT
        checklist.left_at = now
        checklist.save(update_fields=["status", "left_at"])
        event = checklist.event
        if event is not None and event.status == EmploymentEventStatus.SCHEDULED:
            event.status = EmploymentEventStatus.APPLIED
            event.applied_at = now
            event.changes = {**event.changes, "status": [EmploymentStatus.ACTIVE, EmploymentStatus.LEFT]}
            event.changes["left_on"] = [None, checklist.last_working_day.isoformat()]
            event.save(update_fields=["status", "applied_at", "changes"])
        # Ticked by nobody (done_by empty): the deactivation ended the access.
        checklist.items.filter(kind=ExitItemKind.ACCESS, done_at__isnull=True).update(done_at=now)
        open_items = list(checklist.items.filter(done_at__isnull=True).values_list("kind", flat=True))
        audit_record(
            actor=None,
            action="employee.leave_apply",
            obj=employee,
            changes={
                "exit_checklist": checklist.pk,
                "left_on": checklist.last_working_day,
                "already_deactivated": already_left,
                "open_items": ", ".join(open_items),
                "article": "GEN-2",
            },
        )
        if open_items:
            notification_send(
                recipients=_hr_recipients(employee),
                kind="leavers.open_items",
                title=gettext_lazy("%(name)s has left with %(count)s exit items open"),
                body=gettext_lazy(
                    "The account was deactivated after the last working day (GEN-2); the open items of the "
                    "exit checklist still need their owners."
                ),
                params={"name": employee.name, "count": len(open_items)},
                url=reverse("callcenter:exit_checklist", args=[checklist.pk]),
            )
        return True, len(open_items)


def leavers_deactivate_due(*, today: datetime.date | None = None) -> dict:
    """The job ``people-leavers-deactivate``: every scheduled leaving whose last working day is
    before ``today`` is carried out, each in its own transaction (GEN-1, GEN-2). Idempotent: run
    twice, the second run finds nothing due."""
    today = today or timezone.localdate()
    due = list(
        ExitChecklist.objects.filter(status=ExitChecklistStatus.SCHEDULED, last_working_day__lt=today)
        .order_by("last_working_day", "pk")
        .values_list("pk", flat=True)
    )
    deactivated = with_open_items = 0
    for checklist_id in due:
        done, open_count = _deactivate_one(checklist_id, today)
        deactivated += done
        with_open_items += bool(done and open_count)
    return {"deactivated": deactivated, "with_open_items": with_open_items}
