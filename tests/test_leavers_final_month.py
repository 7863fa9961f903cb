"""Leavers (GEN-2) and attendance (ATT-5): the exit checklist's final-month item reads attendance's
monthly verification through the provider attendance registers (callcenter.providers)."""

import datetime

import pytest

from attendance.services import month_verify
from callcenter import providers, services
from callcenter.errors import ApplicationError
from callcenter.models import ExitChecklistItem

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def schedule(org, employee, *, days=7):
    return services.employee_leave_schedule(
        actor=org.hr.user,
        employee_id=employee.pk,
        last_working_day=TODAY + datetime.timedelta(days=days),
        reason="resignation",
        today=TODAY,
    )


def item(checklist, kind) -> ExitChecklistItem:
    return ExitChecklistItem.objects.get(checklist=checklist, kind=kind)


# --- ATT-5: the final attendance month, read from attendance -------------------------------------------


def test_att5_final_month_tick_needs_attendance_verification(org):
    """Given attendance's verification provider, when the team's final month is not verified, then
    the supervisor's tick is refused (ATT-5); once they verify it (a month is verified after it
    ends, so usually after the deactivation), the tick is accepted."""
    checklist = schedule(org, org.agent)  # last working day in March 2026, a month that has ended
    target = item(checklist, "attendance")
    with pytest.raises(ApplicationError) as exc:
        services.exit_item_tick(actor=org.supervisor.user, item_id=target.pk)
    assert exc.value.code == "exit_item_blocked" and "ATT-5" in str(exc.value.message)
    month_verify(actor=org.supervisor.user, team_id=org.a1.pk, month=checklist.last_working_day.replace(day=1))
    services.exit_item_tick(actor=org.supervisor.user, item_id=target.pk)
    assert item(checklist, "attendance").done_at is not None


def test_att5_without_attendance_the_supervisor_ticks(org):
    saved = providers._final_month_provider
    providers.final_month_provider_register(None)
    try:
        checklist = schedule(org, org.agent)
        services.exit_item_tick(actor=org.supervisor.user, item_id=item(checklist, "attendance").pk)
        assert item(checklist, "attendance").done_at is not None
    finally:
        providers.final_month_provider_register(saved)
