"""What follows a transfer (issue 13) across the apps: from the effective date the reporting line
is the new team's (``approval_chain``), so

- open leave approvals are re-routed to the new line (LV-4: the pending approver is *stored* on
  the request's steps, so attendance registers a handler on the core's reporting-line hook);
- pending punch corrections need nothing: their decider is computed at decision time (ATT-2),
  which the tests prove;
- the appraisal uses the new post's template from the next month (PRF-1, PRF-2: the post held on
  the month's first day);
- visibility follows: the old supervisor no longer sees the person, the new one does.

Cross-app, so here rather than in one app's tests (the apps' tests may not import upwards)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

import attendance.services as attendance_services
import callcenter.services as core_services
import performance.services as performance_services
from attendance.models import LeaveApprovalStep, LeaveRequest, PunchCorrection
from attendance.selectors import leave_inbox, punch_correction_list
from attendance.tests.factories import PunchCorrectionFactory, leave_type, next_monday, roster_weeks
from callcenter.errors import NotFoundError, PermissionDeniedError
from callcenter.roles import Role
from callcenter.selectors import approval_chain, employee_get, employee_list
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent
from performance.models import Appraisal
from performance.tests.factories import agent_template, manual_indicator, template_for

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def new_supervisor(org):
    """Team A2 gets a supervisor of its own (in the fixture it has none)."""
    person = f.EmployeeFactory(
        user=f.UserFactory(username="supervisor_a2", roles=[Role.SUPERVISOR]), team=org.a2, name="郑军"
    )
    org.a2.supervisor = person
    org.a2.save()
    return person


def _transfer(org, *, to, when=None, position=None, employee=None):
    employee = employee or org.agent
    return core_services.employee_transfer(
        actor=org.hr.user,
        employee_id=employee.pk,
        department_id=to.department_id,
        team_id=to.pk,
        position_id=(position or employee.position).pk,
        effective_on=when or timezone.localdate(),
    )


def _leave(employee):
    day = next_monday(2)
    roster_weeks([employee], day - datetime.timedelta(days=14), 35)
    return attendance_services.leave_request_submit(
        actor=employee.user,
        leave_type_id=leave_type("personal").pk,
        start_date=day,
        end_date=day,
        reason="家里有事需要处理",
        expected_days=Decimal("1"),
    )


def _open_steps(request):
    return list(
        LeaveApprovalStep.objects.filter(request=request, status__in=["pending", "waiting"])
        .order_by("order")
        .values_list("tier", "approver_id", "status")
    )


# --- Leave approvals: stored, so re-routed (LV-4) --------------------------------------------------------------


def test_lv4_a_transfer_applied_now_reroutes_the_pending_leave_to_the_new_supervisor(org, new_supervisor):
    """Given the agent's pending 1-day leave waiting for their supervisor, when HR transfers them
    to A2 today, then the old step is "not needed any more", the new supervisor's step is pending
    (their inbox has it, the old supervisor's does not), the old supervisor's approval is refused,
    and the new supervisor approves it. The re-routing is audited with the transfer."""
    request = _leave(org.agent)
    assert _open_steps(request) == [("supervisor", org.supervisor.pk, "pending")]
    _transfer(org, to=org.a2)
    assert _open_steps(request) == [("supervisor", new_supervisor.pk, "pending")]
    assert list(leave_inbox(user=new_supervisor.user)) == [request]
    assert not leave_inbox(user=org.supervisor.user).exists()
    assert LeaveApprovalStep.objects.get(request=request, approver=org.supervisor).status == "cancelled"
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        attendance_services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    attendance_services.leave_request_approve(actor=new_supervisor.user, leave_request_id=request.pk)
    assert LeaveRequest.objects.get(pk=request.pk).status == "approved"
    transfer_audit = AuditEvent.objects.filter(action="employee.transfer").latest("pk")
    assert transfer_audit.changes["rerouted"] == {"attendance.leave": {"requests": [request.pk], "kept": []}}
    assert AuditEvent.objects.filter(action="leave_request.reroute", object_id=str(request.pk)).count() == 1


def test_lv4_a_scheduled_transfer_reroutes_on_its_date_not_before(org, new_supervisor):
    request = _leave(org.agent)
    when = timezone.localdate() + 3 * DAY
    _transfer(org, to=org.a2, when=when)
    assert _open_steps(request) == [("supervisor", org.supervisor.pk, "pending")]
    core_services.employment_events_apply_due(today=when - DAY)
    assert _open_steps(request) == [("supervisor", org.supervisor.pk, "pending")]
    core_services.employment_events_apply_due(today=when)
    assert _open_steps(request) == [("supervisor", new_supervisor.pk, "pending")]


def test_lv4_a_change_of_post_in_the_same_team_leaves_the_route_alone(org):
    request = _leave(org.agent)
    steps = list(LeaveApprovalStep.objects.filter(request=request).values_list("pk", "status", "approver_id"))
    _transfer(org, to=org.a1, position=f.PositionFactory(code="QA", name="质检员"))
    assert list(LeaveApprovalStep.objects.filter(request=request).values_list("pk", "status", "approver_id")) == steps
    assert not AuditEvent.objects.filter(action="leave_request.reroute").exists()


def test_lv4_a_team_without_supervisor_passes_the_step_to_the_department_manager(org):
    """Given A2 without a supervisor, when the agent moves there, then the manager of A decides
    (the tier passes up, as when filing)."""
    request = _leave(org.agent)
    _transfer(org, to=org.a2)
    assert [(tier, who) for tier, who, _status in _open_steps(request)] == [("manager", org.manager.pk)]
    assert approval_chain(org.agent.__class__.objects.get(pk=org.agent.pk))[0][1] == org.manager


# --- Punch corrections: the decider is computed at decision time (ATT-2) -------------------------------------------


def test_att2_a_pending_punch_correction_follows_the_new_team_without_rerouting(org, new_supervisor):
    """Given the agent's pending punch correction, when they move to A2, then the old supervisor
    no longer sees it nor may decide it, and the new supervisor has it to decide and approves."""
    correction = PunchCorrectionFactory(employee=org.agent)
    assert list(punch_correction_list(user=org.supervisor.user, filters={"to_decide": True})) == [correction]
    _transfer(org, to=org.a2)
    assert not punch_correction_list(user=org.supervisor.user, filters={"to_decide": True}).exists()
    assert list(punch_correction_list(user=new_supervisor.user, filters={"to_decide": True})) == [correction]
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        attendance_services.punch_correction_approve(actor=org.supervisor.user, correction_id=correction.pk)
    attendance_services.punch_correction_approve(actor=new_supervisor.user, correction_id=correction.pk)
    assert PunchCorrection.objects.get(pk=correction.pk).status == "approved"


# --- Visibility follows -------------------------------------------------------------------------------------------


def test_visibility_follows_the_transfer_from_its_date(org, new_supervisor):
    """Given a transfer to A2 scheduled for next week, the old supervisor sees the agent until the
    job applies it; from then the new supervisor does, the old one gets 404 (no leak)."""
    when = timezone.localdate() + 7 * DAY
    _transfer(org, to=org.a2, when=when)
    assert employee_get(user=org.supervisor.user, pk=org.agent.pk) == org.agent
    with pytest.raises(NotFoundError):
        employee_get(user=new_supervisor.user, pk=org.agent.pk)
    core_services.employment_events_apply_due(today=when)
    with pytest.raises(NotFoundError):
        employee_get(user=org.supervisor.user, pk=org.agent.pk)
    assert employee_get(user=new_supervisor.user, pk=org.agent.pk) == org.agent
    assert org.agent not in employee_list(user=org.supervisor.user)
    assert org.agent in employee_list(user=new_supervisor.user)
    # the new records of the person: a leave request filed now reaches the new supervisor only
    request = _leave(org.agent)
    assert list(leave_inbox(user=new_supervisor.user)) == [request]
    assert not leave_inbox(user=org.supervisor.user).exists()


# --- The appraisal: the new post's template from the next month (PRF-1, PRF-2) -------------------------------------

MAY = datetime.date(2025, 5, 1)
JUNE = datetime.date(2025, 6, 1)


@pytest.mark.parametrize(
    ("effective_on", "may_post", "june_post"),
    [
        (datetime.date(2025, 5, 1), "QA", "QA"),  # the whole month in the new post
        (datetime.date(2025, 5, 2), "AGENT", "QA"),
        (datetime.date(2025, 5, 15), "AGENT", "QA"),
        (datetime.date(2025, 5, 31), "AGENT", "QA"),  # month end
        (datetime.date(2025, 6, 1), "AGENT", "QA"),
    ],
)
def test_prf1_a_change_of_post_keeps_this_months_template_the_next_month_uses_the_new_one(
    org, effective_on, may_post, june_post
):
    """Given templates for the agent post and the QA post, when the agent is moved to QA on
    ``effective_on`` (recorded afterwards, as HR often does), then May's appraisal is of the post
    held on 1 May and June's of the post held on 1 June."""
    agent_template(org)
    qa = f.PositionFactory(code="QA", name="质检员")
    qa_template = template_for(qa, [(manual_indicator("qa_review"), 100)])
    _transfer(org, to=org.a1, position=qa, when=effective_on)
    performance_services.appraisal_cycle_open(month=MAY)
    performance_services.appraisal_cycle_open(month=JUNE)
    may = Appraisal.objects.select_related("position").get(employee=org.agent, month=MAY)
    june = Appraisal.objects.select_related("position").get(employee=org.agent, month=JUNE)
    assert (may.position.code, june.position.code) == (may_post, june_post)
    assert (may.template_id == qa_template.pk) == (may_post == "QA")
    assert june.template_id == qa_template.pk
