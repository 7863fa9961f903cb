"""Transfers and changes under real parallel connections on PostgreSQL (issue 13: two HR users
transferring the same person at once record one; SECURITY.md class 8 and 9)."""

import datetime

import pytest
from django.utils import timezone

from callcenter import services
from callcenter.models import EmploymentEvent
from callcenter.roles import Role
from callcenter.tests import factories as f
from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent

DAY = datetime.timedelta(days=1)


def _second_hr(org):
    return f.EmployeeFactory(user=f.UserFactory(username="hr_two", roles=[Role.HR]), team=org.b1, name="孙敏")


def _transfer(actor, org, when):
    return lambda: services.employee_transfer(
        actor=actor.user,
        employee_id=org.agent.pk,
        department_id=org.dept_a.pk,
        team_id=org.a2.pk,
        position_id=org.agent.position_id,
        effective_on=when,
    )


@pytest.mark.django_db(transaction=True)
def test_two_hr_users_transferring_the_same_person_now_record_one(org):
    """Given two HR users, when both transfer the agent to A2 effective today at the same moment,
    then the row lock serialises them: the first applies, the second re-reads the row and is
    refused as changing nothing; one event, one audit event."""
    other = _second_hr(org)
    today = timezone.localdate()
    outcomes = run_parallel([_transfer(org.hr, org, today), _transfer(other, org, today)])
    assert outcomes == ["nothing_changes", "ok"]
    assert EmploymentEvent.objects.filter(employee=org.agent, kind="transfer", status="applied").count() == 1
    assert AuditEvent.objects.filter(action="employee.transfer", object_id=str(org.agent.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_hr_users_scheduling_the_same_transfer_record_one(org):
    """Given two HR users, when both schedule the same transfer for next week at once, then the
    database's one-scheduled-event-per-kind-and-date constraint keeps one."""
    other = _second_hr(org)
    when = timezone.localdate() + 7 * DAY
    outcomes = run_parallel([_transfer(org.hr, org, when), _transfer(other, org, when)])
    assert outcomes == ["change_scheduled_twice", "ok"]
    assert EmploymentEvent.objects.filter(employee=org.agent, status="scheduled").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_job_at_once_apply_each_change_once(org):
    """Given three scheduled changes due today, when two workers run the job at the same moment,
    then each change is applied once (event row locks), with one audit event each."""
    when = timezone.localdate() + DAY
    _transfer(org.hr, org, when)()
    for employee in (org.peer, org.other_team):
        services.employee_transfer(
            actor=org.hr.user,
            employee_id=employee.pk,
            department_id=org.dept_b.pk,
            team_id=org.b1.pk,
            position_id=employee.position_id,
            effective_on=when,
        )
    runs = run_parallel(
        [
            lambda: services.employment_events_apply_due(today=when),
            lambda: services.employment_events_apply_due(today=when),
        ],
        results=True,
    )
    assert sum(run["applied"] for run in runs) == 3
    assert EmploymentEvent.objects.filter(status="applied").count() == 3
    assert AuditEvent.objects.filter(action="employee.transfer").count() == 3


@pytest.mark.django_db(transaction=True)
def test_hr_cancelling_while_the_job_applies_ends_in_one_state(org):
    """Given a scheduled pay change due today, when HR cancels it while the job applies it, then it
    is either cancelled (the pay unchanged) or applied (the cancel refused), never both."""
    when = timezone.localdate() + DAY
    event = _transfer(org.hr, org, when)()
    outcomes = run_parallel(
        [
            lambda: services.employment_events_apply_due(today=when),
            lambda: services.employment_event_cancel(actor=org.hr.user, event_id=event.pk),
        ]
    )
    event.refresh_from_db()
    org.agent.refresh_from_db()
    if event.status == "applied":
        assert outcomes == ["change_not_scheduled", "ok"] and org.agent.team_id == org.a2.pk
    else:
        assert event.status == "cancelled" and outcomes == ["ok", "ok"] and org.agent.team_id == org.a1.pk
