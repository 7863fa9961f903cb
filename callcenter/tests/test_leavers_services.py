"""Leavers (GEN-2, COC-8): setting a leaving, its exit checklist, ticking and cancelling.

Given / when / then in each test; the rules are table-tested at their boundaries and cite their
article. The ``org`` fixture (conftest.py) gives every role and reporting line.
"""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from callcenter import services
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import (
    EmploymentEvent,
    ExitChecklist,
    ExitChecklistItem,
    ExitChecklistStatus,
)
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)


def schedule(org, employee, *, days=7, reason="resignation", actor=None, today=TODAY, **kw):
    return services.employee_leave_schedule(
        actor=(actor or org.hr).user,
        employee_id=employee.pk,
        last_working_day=today + datetime.timedelta(days=days),
        reason=reason,
        today=today,
        **kw,
    )


def item(checklist, kind) -> ExitChecklistItem:
    return ExitChecklistItem.objects.get(checklist=checklist, kind=kind)


# --- Setting a leaving (GEN-2) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "days,ok",
    [(-1, False), (0, True), (1, True), (365, True)],
    ids=["yesterday-refused", "today", "tomorrow", "a-year-ahead"],
)
def test_gen2_last_working_day_from_today_on(org, days, ok):
    """GEN-2: the last working day is today or later; yesterday is refused and nothing is written."""
    events = AuditEvent.objects.count()
    if ok:
        checklist = schedule(org, org.agent, days=days)
        assert checklist.status == ExitChecklistStatus.SCHEDULED
        assert checklist.last_working_day == TODAY + datetime.timedelta(days=days)
    else:
        with pytest.raises(ApplicationError) as exc:
            schedule(org, org.agent, days=days)
        assert exc.value.code == "invalid_date" and "GEN-2" in str(exc.value.message)
        assert not ExitChecklist.objects.exists() and AuditEvent.objects.count() == events


def test_gen2_last_working_day_not_before_hire(org):
    org.agent.hire_date = TODAY + datetime.timedelta(days=3)
    org.agent.first_employed_on = org.agent.hire_date
    org.agent.save()
    with pytest.raises(ApplicationError) as exc:
        schedule(org, org.agent, days=2)
    assert exc.value.code == "invalid_date"
    checklist = schedule(org, org.agent, days=3)
    assert checklist.last_working_day == org.agent.hire_date


def test_gen2_schedule_creates_checklist_items_event_and_audit(org):
    """Given HR, when they set the agent's leaving, then the checklist has its six items with
    their owners, a scheduled leave event and an audit event are recorded, the agent stays active."""
    checklist = schedule(org, org.agent, reason="contract_end", note="合同到期")
    kinds = list(checklist.items.order_by("position").values_list("kind", "owner_role"))
    assert kinds == [
        ("customer_data", "supervisor"),
        ("files", "supervisor"),
        ("equipment", "supervisor"),
        ("attendance", "supervisor"),
        ("bonus", "hr"),
        ("access", "hr"),
    ]
    event = EmploymentEvent.objects.get(employee=org.agent)
    assert (event.kind, event.status, event.effective_on) == ("leave", "scheduled", checklist.last_working_day)
    assert checklist.event == event
    audit = AuditEvent.objects.filter(action="employee.leave_schedule").get()
    assert audit.object_id == str(org.agent.pk)
    org.agent.refresh_from_db()
    assert org.agent.status == "active" and org.agent.user.is_active


@pytest.mark.parametrize("reason", ["", "fired", "RESIGNATION", None])
def test_unknown_reason_refused(org, reason):
    with pytest.raises(ApplicationError) as exc:
        schedule(org, org.agent, reason=reason)
    assert exc.value.field == "reason"
    assert not ExitChecklist.objects.exists()


def test_note_too_long_refused(org):
    with pytest.raises(ApplicationError):
        schedule(org, org.agent, note="长" * 1001)
    assert not ExitChecklist.objects.exists()


def test_twice_refused_one_scheduled_checklist(org):
    schedule(org, org.agent)
    with pytest.raises(ApplicationError) as exc:
        schedule(org, org.agent, days=9)
    assert exc.value.code == "leave_already_scheduled" and exc.value.status == 409
    assert ExitChecklist.objects.count() == 1


def test_database_holds_one_scheduled_checklist_per_employee(org):
    checklist = schedule(org, org.agent)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExitChecklist.objects.create(employee=org.agent, last_working_day=checklist.last_working_day, reason="other")


def test_someone_who_left_cannot_leave_again(org):
    services.employee_deactivate(actor=org.hr.user, employee_id=org.agent.pk, left_on=TODAY)
    with pytest.raises(ApplicationError) as exc:
        schedule(org, org.agent)
    assert exc.value.code == "already_left"


@pytest.mark.parametrize(
    "who,error",
    [
        ("supervisor", PermissionDeniedError),  # sees the agent, is not HR
        ("manager", PermissionDeniedError),
        ("leader", PermissionDeniedError),
        ("peer", NotFoundError),  # cannot see the agent
        ("other_team", NotFoundError),
        ("handler", NotFoundError),
        ("agent", PermissionDeniedError),  # own record (SEC-2)
    ],
)
def test_only_hr_sets_a_leaving(org, who, error):
    with pytest.raises(error):
        schedule(org, org.agent, actor=getattr(org, who))
    assert not ExitChecklist.objects.exists()


def test_hr_assistant_limited_to_other_department_cannot(org):
    """An HR assistant limited to department B does not see nor set leavings in department A."""
    assistant = f.EmployeeFactory(
        user=f.UserFactory(username="hr_assistant", roles=[Role.HR]), team=org.b1, department=org.dept_b
    )
    assistant.user.hr_remit_limited = True
    assistant.user.save()
    with pytest.raises(NotFoundError):
        schedule(org, org.agent, actor=assistant)


# --- Cancelling -----------------------------------------------------------------------------------------


def test_cancel_while_scheduled_then_set_again(org):
    checklist = schedule(org, org.agent)
    services.employee_leave_cancel(actor=org.hr.user, checklist_id=checklist.pk)
    checklist.refresh_from_db()
    assert checklist.status == "cancelled" and checklist.cancelled_by == org.hr.user
    assert EmploymentEvent.objects.get(pk=checklist.event_id).status == "cancelled"
    assert AuditEvent.objects.filter(action="employee.leave_cancel").count() == 1
    # the same date may be set again: the cancelled leaving is kept for the history
    again = schedule(org, org.agent)
    assert again.pk != checklist.pk and ExitChecklist.objects.count() == 2


def test_cancel_refused_once_left_or_twice(org):
    checklist = schedule(org, org.agent, days=0)
    services.employee_leave_cancel(actor=org.hr.user, checklist_id=checklist.pk)
    with pytest.raises(ApplicationError) as exc:
        services.employee_leave_cancel(actor=org.hr.user, checklist_id=checklist.pk)
    assert exc.value.code == "leave_not_scheduled"
    other = schedule(org, org.peer, days=0)
    services.leavers_deactivate_due(today=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ApplicationError) as exc:
        services.employee_leave_cancel(actor=org.hr.user, checklist_id=other.pk)
    assert exc.value.code == "leave_not_scheduled"


def test_supervisor_cannot_cancel(org):
    checklist = schedule(org, org.agent)
    with pytest.raises(PermissionDeniedError):
        services.employee_leave_cancel(actor=org.supervisor.user, checklist_id=checklist.pk)
    checklist.refresh_from_db()
    assert checklist.status == "scheduled"


# --- Ticking: the owner only, never the leaver ------------------------------------------------------------

SUPERVISOR_ITEMS = ["files", "equipment"]


@pytest.mark.parametrize(
    "who,kind,outcome",
    [
        ("supervisor", "equipment", "ok"),
        ("supervisor", "files", "ok"),
        ("supervisor", "bonus", "not_owner"),
        ("hr", "bonus", "ok"),
        ("hr", "equipment", "not_owner"),  # the team has a supervisor: theirs
        ("manager", "equipment", "not_owner"),
        ("leader", "bonus", "not_owner"),
        ("agent", "equipment", "own_record"),  # the leaver
        ("peer", "equipment", "hidden"),
        ("other_team", "equipment", "hidden"),
        ("other_dept", "bonus", "hidden"),
        ("handler", "bonus", "hidden"),
    ],
)
def test_tick_role_matrix(org, who, kind, outcome):
    checklist = schedule(org, org.agent)
    target = item(checklist, kind)
    actor = getattr(org, who).user
    if outcome == "ok":
        services.exit_item_tick(actor=actor, item_id=target.pk, note="笔记本已归还")
        target.refresh_from_db()
        assert target.done_by == actor and target.done_at is not None and target.note == "笔记本已归还"
        assert AuditEvent.objects.filter(action="exit_item.tick").count() == 1
        return
    expected = {"not_owner": "exit_item_not_owner", "own_record": "own_record", "hidden": "not_found"}[outcome]
    with pytest.raises(ApplicationError) as exc:
        services.exit_item_tick(actor=actor, item_id=target.pk)
    assert exc.value.code == expected
    target.refresh_from_db()
    assert target.done_at is None


def test_hr_holds_supervisor_items_of_a_team_without_supervisor(org):
    checklist = schedule(org, org.other_team)  # team A2 has no supervisor
    services.exit_item_tick(actor=org.hr.user, item_id=item(checklist, "equipment").pk)
    assert item(checklist, "equipment").done_by == org.hr.user


def test_covering_supervisor_ticks(org):
    """A supervisor covering team A1 by an access grant holds its supervisor items."""
    cover = f.EmployeeFactory(user=f.UserFactory(username="cover", roles=[Role.SUPERVISOR]), team=org.a2)
    services.access_grant_create(
        actor=org.hr.user,
        kind="team",
        grantee_id=cover.user_id,
        target=org.a1.pk,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=5),
        reason="Covering the team during the supervisor's leave",
    )
    services.access_grants_sync()
    checklist = schedule(org, org.agent)
    services.exit_item_tick(actor=cover.user, item_id=item(checklist, "files").pk)
    assert item(checklist, "files").done_by == cover.user


def test_tick_twice_refused_untick_then_tick(org):
    checklist = schedule(org, org.agent)
    target = item(checklist, "equipment")
    services.exit_item_tick(actor=org.supervisor.user, item_id=target.pk)
    with pytest.raises(ApplicationError) as exc:
        services.exit_item_tick(actor=org.supervisor.user, item_id=target.pk)
    assert exc.value.code == "exit_item_state"
    services.exit_item_untick(actor=org.supervisor.user, item_id=target.pk)
    target.refresh_from_db()
    assert target.done_at is None and target.done_by is None
    assert AuditEvent.objects.filter(action="exit_item.untick").count() == 1
    with pytest.raises(ApplicationError) as exc:
        services.exit_item_untick(actor=org.supervisor.user, item_id=target.pk)
    assert exc.value.code == "exit_item_state"


def test_access_item_is_the_deactivations(org):
    checklist = schedule(org, org.agent)
    with pytest.raises(ApplicationError) as exc:
        services.exit_item_tick(actor=org.hr.user, item_id=item(checklist, "access").pk)
    assert exc.value.code == "exit_item_blocked" and "GEN-2" in str(exc.value.message)


def test_untick_refused_after_left_tick_still_allowed(org):
    """Unticking stops when the person has left; an item left open can still be ticked after."""
    checklist = schedule(org, org.agent, days=0)
    services.exit_item_tick(actor=org.supervisor.user, item_id=item(checklist, "files").pk)
    services.leavers_deactivate_due(today=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ApplicationError) as exc:
        services.exit_item_untick(actor=org.supervisor.user, item_id=item(checklist, "files").pk)
    assert exc.value.code == "exit_item_state"
    services.exit_item_tick(actor=org.supervisor.user, item_id=item(checklist, "equipment").pk)
    assert item(checklist, "equipment").done_at is not None


def test_cancelled_checklist_items_refused(org):
    checklist = schedule(org, org.agent)
    services.employee_leave_cancel(actor=org.hr.user, checklist_id=checklist.pk)
    with pytest.raises(ApplicationError) as exc:
        services.exit_item_tick(actor=org.supervisor.user, item_id=item(checklist, "files").pk)
    assert exc.value.code == "exit_item_state"


def test_tick_note_too_long_refused(org):
    checklist = schedule(org, org.agent)
    with pytest.raises(ApplicationError):
        services.exit_item_tick(actor=org.supervisor.user, item_id=item(checklist, "files").pk, note="x" * 501)
    assert item(checklist, "files").done_at is None
