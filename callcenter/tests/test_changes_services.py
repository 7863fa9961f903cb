"""Transfers and changes (issue 13, GEN-2: the history is kept): the services and the daily job
``people-changes-apply``, at the boundaries of their rules.

Given the ``org`` fixture (HR in department B; the agent in team A1 of department A, supervised
by ``supervisor``; team A2 in A, team B1 in B)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from callcenter import selectors, services
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.models import AccessGrant, Employee, EmploymentEvent, GrantKind
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _today():
    return timezone.localdate()


def _month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - DAY


def _transfer(org, *, to=None, when=None, employee=None, actor=None, position=None, **extra):
    employee = employee or org.agent
    team = to or org.a2
    return services.employee_transfer(
        actor=(actor or org.hr).user,
        employee_id=employee.pk,
        department_id=team.department_id,
        team_id=team.pk,
        position_id=(position or employee.position).pk,
        effective_on=when or _today(),
        **extra,
    )


def _pay(org, *, pay="6000.00", bonus="1200.00", when=None, employee=None, actor=None):
    return services.employee_pay_change(
        actor=(actor or org.hr).user,
        employee_id=(employee or org.agent).pk,
        monthly_base_pay=Decimal(pay),
        bonus_base=Decimal(bonus),
        effective_on=when or _today(),
    )


# --- Effective date: applied now or scheduled (boundaries) ------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "status"),
    [(-31, "applied"), (-1, "applied"), (0, "applied"), (1, "scheduled"), (45, "scheduled")],
    ids=["a-month-ago", "yesterday", "today", "tomorrow", "in-45-days"],
)
def test_gen2_a_transfer_dated_today_or_earlier_applies_at_once_a_later_one_is_scheduled(org, offset, status):
    """Given HR, when they transfer the agent to A2 effective today+offset, then the event is
    applied (the row moves, before/after filled) up to today, scheduled (the row stays, before
    empty) after it."""
    event = _transfer(org, when=_today() + datetime.timedelta(days=offset))
    org.agent.refresh_from_db()
    assert event.status == status
    if status == "applied":
        assert org.agent.team_id == org.a2.pk and event.applied_at is not None
        assert event.changes == {"team": [org.a1.pk, org.a2.pk]}
    else:
        assert org.agent.team_id == org.a1.pk and event.applied_at is None
        assert event.changes == {"team": [None, org.a2.pk]}
    assert event.kind == "transfer" and event.recorded_by == org.hr.user


def test_gen2_the_job_applies_a_change_on_its_date_not_the_day_before_month_end(org):
    """Given a transfer and a pay change scheduled for the last day of next month, when the job
    runs the day before, nothing changes; when it runs on the day, both apply with their own audit
    event and ``before`` filled; a second run changes nothing (idempotent)."""
    month_end = _month_end(_month_end(_today()) + DAY)
    transfer = _transfer(org, when=month_end)
    pay = _pay(org, when=month_end)
    assert services.employment_events_apply_due(today=month_end - DAY) == {"applied": 0, "cancelled": 0, "skipped": 0}
    org.agent.refresh_from_db()
    assert (org.agent.team_id, org.agent.monthly_base_pay) == (org.a1.pk, Decimal("5000.00"))
    audits = AuditEvent.objects.count()
    assert services.employment_events_apply_due(today=month_end) == {"applied": 2, "cancelled": 0, "skipped": 0}
    org.agent.refresh_from_db()
    assert (org.agent.team_id, org.agent.monthly_base_pay, org.agent.bonus_base) == (
        org.a2.pk,
        Decimal("6000.00"),
        Decimal("1200.00"),
    )
    transfer.refresh_from_db()
    pay.refresh_from_db()
    assert transfer.status == pay.status == "applied"
    assert transfer.changes == {"team": [org.a1.pk, org.a2.pk]}
    assert pay.changes == {"monthly_base_pay": ["5000.00", "6000.00"], "bonus_base": ["1000.00", "1200.00"]}
    assert AuditEvent.objects.count() == audits + 2  # one per change
    state = sorted(EmploymentEvent.objects.values_list("pk", "status", "changes", "applied_at"))
    assert services.employment_events_apply_due(today=month_end) == {"applied": 0, "cancelled": 0, "skipped": 0}
    assert sorted(EmploymentEvent.objects.values_list("pk", "status", "changes", "applied_at")) == state
    assert AuditEvent.objects.count() == audits + 2


def test_gen2_the_job_cancels_a_change_that_cannot_apply_any_more_and_goes_on(org):
    """Given two scheduled transfers, one into team A2 which HR then moves to department B, when
    the job runs, that one is cancelled (team no longer in the department, recorded in the audit)
    and the other still applies: one bad change does not stop the run."""
    when = _today() + 3 * DAY
    broken = _transfer(org, when=when)
    fine = _transfer(org, employee=org.peer, to=org.a1, position=f.PositionFactory(code="QA", name="质检员"), when=when)
    org.a2.department = org.dept_b
    org.a2.save()
    assert services.employment_events_apply_due(today=when) == {"applied": 1, "cancelled": 1, "skipped": 0}
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.status, fine.status) == ("cancelled", "applied")
    audit = AuditEvent.objects.filter(action="employment_event.cancel").latest("pk")
    assert audit.changes["code"] == "team_department_mismatch" and audit.changes["employee"] == org.agent.pk


def test_gen2_an_effective_date_before_the_hire_date_or_out_of_range_is_refused(org):
    for when in (org.agent.hire_date - DAY, datetime.date(1999, 12, 31), datetime.date(2100, 1, 1)):
        with pytest.raises(ApplicationError) as exc:
            _transfer(org, when=when)
        assert exc.value.code == "invalid_date" and exc.value.field == "effective_on"
    # the hire date itself is allowed
    assert _transfer(org, when=org.agent.hire_date).status == "applied"


# --- Validation -----------------------------------------------------------------------------------------------


def test_a_transfer_that_changes_nothing_is_refused_clearly(org):
    with pytest.raises(ApplicationError) as exc:
        _transfer(org, to=org.a1)
    assert exc.value.code == "nothing_changes" and exc.value.status == 409
    with pytest.raises(ApplicationError) as exc:
        _pay(org, pay="5000.00", bonus="1000.00")
    assert exc.value.code == "nothing_changes"
    assert not EmploymentEvent.objects.exists()


def test_a_move_back_scheduled_after_a_scheduled_move_is_not_nothing(org):
    """Given a move to A2 scheduled next week, HR may schedule the move back to A1 the week after
    (A1 is the agent's team today, but not by then); the job applies both in order."""
    first, back = _today() + 7 * DAY, _today() + 14 * DAY
    _transfer(org, to=org.a2, when=first)
    event = _transfer(org, to=org.a1, when=back)
    assert event.status == "scheduled" and event.changes == {"team": [None, org.a1.pk]}
    services.employment_events_apply_due(today=back)
    org.agent.refresh_from_db()
    assert org.agent.team_id == org.a1.pk
    assert list(EmploymentEvent.objects.order_by("effective_on").values_list("changes", flat=True)) == [
        {"team": [org.a1.pk, org.a2.pk]},
        {"team": [org.a2.pk, org.a1.pk]},
    ]


def test_a_team_of_another_department_is_refused(org):
    with pytest.raises(ApplicationError) as exc:
        services.employee_transfer(
            actor=org.hr.user,
            employee_id=org.agent.pk,
            department_id=org.dept_a.pk,
            team_id=org.b1.pk,
            position_id=org.agent.position_id,
            effective_on=_today(),
        )
    assert exc.value.code == "team_department_mismatch"
    org.agent.refresh_from_db()
    assert org.agent.team_id == org.a1.pk and not EmploymentEvent.objects.exists()


def test_a_transfer_to_another_department_without_team_moves_both(org):
    event = services.employee_transfer(
        actor=org.hr.user,
        employee_id=org.agent.pk,
        department_id=org.dept_b.pk,
        team_id=None,
        position_id=org.agent.position_id,
        effective_on=_today(),
    )
    assert event.changes == {"department": [org.dept_a.pk, org.dept_b.pk], "team": [org.a1.pk, None]}


@pytest.mark.parametrize("amount", ["-0.01", "100000000.00"])
def test_pay_out_of_bounds_is_refused(org, amount):
    with pytest.raises(ApplicationError) as exc:
        _pay(org, pay=amount)
    assert exc.value.code == "invalid" and exc.value.field == "monthly_base_pay"


def test_a_second_identical_scheduled_change_is_refused(org):
    when = _today() + 10 * DAY
    _transfer(org, when=when)
    with pytest.raises(ApplicationError) as exc:
        _transfer(org, when=when)
    assert exc.value.code == "change_scheduled_twice" and exc.value.status == 409
    assert EmploymentEvent.objects.filter(status="scheduled").count() == 1


def test_gen2_a_leaver_cannot_be_transferred(org):
    services.employee_deactivate(actor=org.hr.user, employee_id=org.peer.pk, left_on=_today())
    with pytest.raises(ApplicationError) as exc:
        _transfer(org, employee=org.peer)
    assert exc.value.code == "already_left"


# --- Who may (role matrix of the services) ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "manager", "leader", "agent", "handler", "auditor"])
def test_only_hr_transfers_or_changes_pay(org, who):
    """A supervisor (or anyone but HR) cannot transfer, change pay or cancel, even in their remit."""
    actor = getattr(org, who)
    with pytest.raises(PermissionDeniedError):
        _transfer(org, employee=org.peer, actor=actor)
    with pytest.raises(PermissionDeniedError):
        _pay(org, employee=org.peer, actor=actor)
    event = _pay(org, employee=org.peer, when=_today() + DAY)
    with pytest.raises(PermissionDeniedError):
        services.employment_event_cancel(actor=actor.user, event_id=event.pk)
    org.peer.refresh_from_db()
    assert (org.peer.team_id, org.peer.monthly_base_pay) == (org.a1.pk, Decimal("5000.00"))


def test_sec2_hr_cannot_transfer_or_repay_themselves(org):
    with pytest.raises(PermissionDeniedError) as exc:
        _pay(org, employee=org.hr, pay="99999.00")
    assert exc.value.code == "own_record"


def test_an_hr_assistant_acts_only_in_their_departments_and_moves_people_only_into_them(org):
    """Given an HR assistant limited to department A, an employee of B is not found, and a move
    of an A employee into B is refused; within A it is done."""
    assistant = f.EmployeeFactory(user=f.UserFactory(username="hr_a", roles=[Role.HR]), team=org.a1)
    assistant.user.hr_remit_limited = True
    assistant.user.save()
    f.access_grant(
        grantee=assistant.user,
        obj=org.dept_a,
        kind=GrantKind.DEPARTMENT,
        starts_on=_today() - DAY,
        ends_on=_today() + 30 * DAY,
        granted_by=org.hr.user,
    )
    assert AccessGrant.objects.exists()
    with pytest.raises(NotFoundError):
        _pay(org, employee=org.other_dept, actor=assistant)
    with pytest.raises(PermissionDeniedError) as exc:
        _transfer(org, to=org.b1, actor=assistant)
    assert exc.value.code == "hr_remit_limited"
    assert _transfer(org, to=org.a2, actor=assistant).status == "applied"


# --- Cancel ----------------------------------------------------------------------------------------------------


def test_hr_cancels_a_scheduled_change_which_the_job_then_leaves_alone(org):
    when = _today() + 5 * DAY
    event = _pay(org, when=when)
    services.employment_event_cancel(actor=org.hr.user, event_id=event.pk, reason="谈判结果变化")
    event.refresh_from_db()
    assert event.status == "cancelled"
    assert services.employment_events_apply_due(today=when)["applied"] == 0
    org.agent.refresh_from_db()
    assert org.agent.monthly_base_pay == Decimal("5000.00")
    # and the same date can be scheduled again
    assert _pay(org, when=when).status == "scheduled"


def test_an_applied_change_cannot_be_cancelled(org):
    event = _pay(org)
    with pytest.raises(ApplicationError) as exc:
        services.employment_event_cancel(actor=org.hr.user, event_id=event.pk)
    assert exc.value.code == "change_not_scheduled" and exc.value.status == 409


# --- employee_update records its event ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "kind"),
    [
        ({"monthly_base_pay": Decimal("7000.00")}, "pay"),
        ({"name": "张伟伟"}, "change"),
        ({"first_employed_on": datetime.date(2019, 1, 1)}, "change"),
    ],
)
def test_gen2_employee_update_records_its_change_in_the_history(org, fields, kind):
    services.employee_update(actor=org.hr.user, employee_id=org.agent.pk, **fields)
    event = EmploymentEvent.objects.get(employee=org.agent)
    assert (event.kind, event.status, event.effective_on) == (kind, "applied", _today())
    field, value = next(iter(fields.items()))
    assert event.changes[field][1] == (value.isoformat() if hasattr(value, "isoformat") else str(value))


def test_employee_update_of_the_team_is_a_transfer(org):
    services.employee_update(actor=org.hr.user, employee_id=org.agent.pk, team=org.a2)
    event = EmploymentEvent.objects.get(employee=org.agent)
    assert event.kind == "transfer" and event.changes == {"team": [org.a1.pk, org.a2.pk]}


# --- The post held on a day (the appraisal template of a month) ---------------------------------------------------


def test_the_post_held_on_a_day_reads_the_history(org):
    old, new = org.agent.position, f.PositionFactory(code="QA", name="质检员")
    when = _today() - 10 * DAY
    _transfer(org, to=org.a1, position=new, when=when)
    assert selectors.employee_positions_on(day=when - DAY) == {org.agent.pk: old.pk}
    assert selectors.employee_positions_on(day=when) == {}
    assert Employee.objects.get(pk=org.agent.pk).position_id == new.pk


def test_gen2_a_scheduled_leaving_is_left_to_its_own_job_and_its_checklist(org):
    """Given HR set the agent's last working day (a scheduled ``leave`` event), when the changes
    job runs on and after that day and HR tries to cancel the event as a change, then the job
    leaves it alone (people-leavers-deactivate carries it out) and the cancel is refused: a
    leaving is cancelled on its exit checklist."""
    last_day = _today() + DAY
    services.employee_leave_schedule(
        actor=org.hr.user, employee_id=org.agent.pk, last_working_day=last_day, reason="resignation"
    )
    event = EmploymentEvent.objects.get(employee=org.agent, kind="leave")
    assert event.status == "scheduled"
    for day in (last_day, last_day + DAY):
        assert services.employment_events_apply_due(today=day) == {"applied": 0, "cancelled": 0, "skipped": 0}
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        services.employment_event_cancel(actor=org.hr.user, event_id=event.pk, reason="wrong button")
    assert refused.value.code == CoreErrorCode.CHANGE_NOT_SCHEDULED and "exit checklist" in str(refused.value.message)
    event.refresh_from_db()
    org.agent.refresh_from_db()
    assert event.status == "scheduled" and org.agent.status == "active"
