"""People's employment history (GEN-1, GEN-2): the one writer of :class:`EmploymentEvent`.

Hiring, transfers and changes, leaving and rehiring (their own service modules) each record
their step here, inside their own transaction and beside their own audit event.
"""

import datetime

from django.utils import timezone

from callcenter.models import Employee, EmploymentEvent, EmploymentEventKind, EmploymentEventStatus

__all__ = ["employment_event_record", "employment_events_record_applied"]


def employment_event_record(
    *,
    actor,
    employee: Employee,
    kind: EmploymentEventKind | str,
    effective_on: datetime.date,
    changes: dict | None = None,
    reason: str = "",
    scheduled: bool = False,
) -> EmploymentEvent:
    """Record one step of ``employee``'s employment: applied now, or ``scheduled`` for the daily
    job to apply on ``effective_on``. ``changes`` maps field → [before, after] in JSON values.
    The caller holds the employee's row lock and writes the audit event."""
    return EmploymentEvent.objects.create(
        employee=employee,
        kind=kind,
        effective_on=effective_on,
        changes=changes or {},
        reason=reason,
        status=EmploymentEventStatus.SCHEDULED if scheduled else EmploymentEventStatus.APPLIED,
        applied_at=None if scheduled else timezone.now(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def employment_events_record_applied(
    *, actor, events: list[tuple[Employee, EmploymentEventKind | str, datetime.date, dict]]
) -> list[EmploymentEvent]:
    """The bulk form of :func:`employment_event_record` for steps applied now (a staff import
    hires thousands at once): ``events`` are ``(employee, kind, effective_on, changes)``; one
    INSERT per 1,000. The caller holds the rows and writes the audit events."""
    now = timezone.now()
    recorded_by = actor if getattr(actor, "is_authenticated", False) else None
    return EmploymentEvent.objects.bulk_create(
        [
            EmploymentEvent(
                employee=employee,
                kind=kind,
                effective_on=effective_on,
                changes=changes or {},
                status=EmploymentEventStatus.APPLIED,
                applied_at=now,
                recorded_by=recorded_by,
            )
            for employee, kind, effective_on, changes in events
        ],
        batch_size=1000,
    )
