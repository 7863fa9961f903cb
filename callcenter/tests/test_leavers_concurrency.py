"""Leavers under real parallel connections (SECURITY 8): two HR users setting the same person's
leaving at once record one; two supervisors' ticks of one item record one; the job and a tick at
once leave a consistent checklist."""

import datetime

import pytest
from django.utils import timezone

from callcenter import services
from callcenter.models import EmploymentEvent, ExitChecklist, ExitChecklistItem
from callcenter.roles import Role
from callcenter.tests import factories as f
from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent


def _hr2(org):
    return f.EmployeeFactory(user=f.UserFactory(username="hr2", roles=[Role.HR]), team=org.b1, department=org.dept_b)


@pytest.mark.django_db(transaction=True)
def test_two_hr_users_setting_the_same_leaving_record_one(org):
    """Given two HR users, when both set the agent's leaving at the same moment (different days),
    then one checklist, one leave event and one audit event are recorded; the other is refused
    with leave_already_scheduled (the employee's row lock, then the unique constraint)."""
    hr2 = _hr2(org)
    day = timezone.localdate() + datetime.timedelta(days=10)

    def set_leaving(actor, offset):
        return lambda: services.employee_leave_schedule(
            actor=actor.user,
            employee_id=org.agent.pk,
            last_working_day=day + datetime.timedelta(days=offset),
            reason="resignation",
        )

    outcomes = run_parallel([set_leaving(org.hr, 0), set_leaving(hr2, 1)])
    assert outcomes == ["leave_already_scheduled", "ok"]
    assert ExitChecklist.objects.filter(employee=org.agent).count() == 1
    assert EmploymentEvent.objects.filter(employee=org.agent, kind="leave").count() == 1
    assert AuditEvent.objects.filter(action="employee.leave_schedule").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_item_ticked_twice_at_once_records_one(org):
    checklist = services.employee_leave_schedule(
        actor=org.hr.user,
        employee_id=org.other_team.pk,  # team A2 has no supervisor: both HR users hold the item
        last_working_day=timezone.localdate() + datetime.timedelta(days=3),
        reason="other",
    )
    hr2 = _hr2(org)
    target = checklist.items.get(kind="equipment")
    outcomes = run_parallel(
        [
            lambda: services.exit_item_tick(actor=org.hr.user, item_id=target.pk),
            lambda: services.exit_item_tick(actor=hr2.user, item_id=target.pk),
        ]
    )
    assert outcomes == ["exit_item_state", "ok"]
    assert ExitChecklistItem.objects.get(pk=target.pk).done_at is not None
    assert AuditEvent.objects.filter(action="exit_item.tick").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_job_runs_at_once_deactivate_once(org):
    """Acks are late: a crashed worker's job may run beside the next one. One deactivation."""
    today = timezone.localdate()
    services.employee_leave_schedule(
        actor=org.hr.user,
        employee_id=org.agent.pk,
        last_working_day=today - datetime.timedelta(days=1),
        reason="resignation",
        today=today - datetime.timedelta(days=1),
    )
    outcomes = run_parallel([services.leavers_deactivate_due, services.leavers_deactivate_due], results=True)
    assert sorted(o["deactivated"] for o in outcomes) == [0, 1]
    assert AuditEvent.objects.filter(action="employee.deactivate").count() == 1
    assert AuditEvent.objects.filter(action="employee.leave_apply").count() == 1
