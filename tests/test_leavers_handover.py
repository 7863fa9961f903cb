"""COC-8: a leaver's customer data is handed over — their open complaints and the call-backs of the
resolution plans they are responsible for go to a colleague chosen by the supervisor, through the
complaints app's own service (timeline entry and audit per complaint), before the hand-over item
can be ticked."""

import datetime

import pytest
from django.utils import timezone

from callcenter import providers, services
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.roles import Role
from callcenter.tests import factories as f
from complaints import selectors as complaint_selectors
from complaints import services as complaint_services
from complaints.models import ComplaintEvent
from complaints.tests.factories import complaint_recorded
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db


def _leaving(org, employee):
    return services.employee_leave_schedule(
        actor=org.hr.user,
        employee_id=employee.pk,
        last_working_day=timezone.localdate() + datetime.timedelta(days=5),
        reason="resignation",
    )


def _handler2(org):
    return f.EmployeeFactory(
        user=f.UserFactory(username="handler2", roles=[Role.COMPLAINT_HANDLER]), team=org.b1, department=org.dept_b
    )


def _call_back(org, responsible):
    complaint = complaint_recorded(org, by=org.other_dept)
    complaint_services.complaint_plan(
        actor=org.handler.user,
        complaint_id=complaint.pk,
        description="回访客户",
        responsible_id=responsible.pk,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )
    return complaint


def _owned_by(org, owner):
    complaint = complaint_recorded(org, by=org.other_dept)
    complaint_services.complaint_assign(actor=org.handler.user, complaint_id=complaint.pk, owner_id=owner.pk)
    return complaint


def _customer_item(checklist):
    return checklist.items.get(kind="customer_data")


def test_coc8_call_backs_move_to_the_teammate_then_the_item_ticks(org):
    """Given the agent responsible for two call-backs, when the supervisor ticks the hand-over
    item, then it is refused (COC-8); when they hand over to a teammate, then each complaint's
    plan gets a new version naming the teammate, with a timeline entry and an audit event, the
    teammate is notified, and the item ticks."""
    first, second = _call_back(org, org.agent), _call_back(org, org.agent)
    checklist = _leaving(org, org.agent)
    with pytest.raises(ApplicationError) as exc:
        services.exit_item_tick(actor=org.supervisor.user, item_id=_customer_item(checklist).pk)
    assert exc.value.code == "exit_item_blocked" and "COC-8" in str(exc.value.message)
    moved = services.exit_hand_over(
        actor=org.supervisor.user, checklist_id=checklist.pk, provider="complaints", to_employee_id=org.peer.pk
    )
    assert moved == 2
    for complaint in (first, second):
        plan = complaint.plans.order_by("-version").first()
        assert (plan.version, plan.responsible_id, plan.created_by_id) == (2, org.peer.pk, org.supervisor.user_id)
        assert ComplaintEvent.objects.filter(complaint=complaint, kind="plan", data__hand_over_from=org.agent.pk)
    assert AuditEvent.objects.filter(action="complaint.plan_hand_over").count() == 2
    assert org.peer.user.notifications.filter(kind="complaint.hand_over").count() == 1
    services.exit_item_tick(actor=org.supervisor.user, item_id=_customer_item(checklist).pk)
    assert _customer_item(checklist).done_at is not None


def test_coc8_owned_complaints_go_to_a_complaint_team_member(org):
    """A leaving handler's open complaints need an owner from the complaint team (CMP-2): HR (the
    handler's team B1 has no supervisor) cannot give them to an agent, can to a colleague handler."""
    colleague = _handler2(org)
    complaint = _owned_by(org, org.handler)
    checklist = _leaving(org, org.handler)
    with pytest.raises(ApplicationError) as exc:
        services.exit_hand_over(
            actor=org.hr.user, checklist_id=checklist.pk, provider="complaints", to_employee_id=org.other_dept.pk
        )
    assert exc.value.code == "owner_invalid"
    complaint.refresh_from_db()
    assert complaint.owner == org.handler
    services.exit_hand_over(
        actor=org.hr.user, checklist_id=checklist.pk, provider="complaints", to_employee_id=colleague.pk
    )
    complaint.refresh_from_db()
    assert complaint.owner == colleague
    audit = AuditEvent.objects.get(action="complaint.hand_over")
    assert audit.changes["owner"] == [org.handler.pk, colleague.pk]
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="assigned", data__owner=colleague.pk).exists()


def test_coc8_closed_complaints_stay(org):
    """Closed complaints are history: only open ones are listed and moved."""
    colleague = _handler2(org)
    open_one = _owned_by(org, org.handler)
    listed = {row["reference"] for row in complaint_selectors.complaint_hand_over_items(employee_id=org.handler.pk)}
    assert listed == {open_one.reference}
    _leaving(org, org.handler)
    assert (
        complaint_services.complaint_hand_over(
            actor=org.hr.user, employee_id=org.handler.pk, to_employee_id=colleague.pk
        )
        == 1
    )
    assert complaint_selectors.complaint_hand_over_items(employee_id=org.handler.pk) == []


@pytest.mark.parametrize(
    "who,error",
    [
        ("other_team", NotFoundError),  # another team's agent
        ("manager", PermissionDeniedError),  # sees the agent but holds no hand-over item
        ("peer", NotFoundError),
        ("agent", PermissionDeniedError),  # the leaver: own record (SEC-2)
    ],
)
def test_coc8_only_the_item_owner_hands_over(org, who, error):
    complaint = _call_back(org, org.agent)
    checklist = _leaving(org, org.agent)
    with pytest.raises(error):
        services.exit_hand_over(
            actor=getattr(org, who).user, checklist_id=checklist.pk, provider="complaints", to_employee_id=org.peer.pk
        )
    assert complaint.plans.count() == 1


def test_coc8_no_hand_over_for_someone_not_leaving(org):
    """The complaints' hand-over service serves leavers only: an employee without a leaving set
    answers as not found."""
    _call_back(org, org.agent)
    with pytest.raises(NotFoundError):
        complaint_services.complaint_hand_over(
            actor=org.supervisor.user, employee_id=org.agent.pk, to_employee_id=org.peer.pk
        )


@pytest.mark.parametrize("to", ["agent", "left", "missing"])
def test_coc8_bad_colleague_refused(org, to):
    complaint = _call_back(org, org.agent)
    checklist = _leaving(org, org.agent)
    if to == "left":
        services.employee_deactivate(actor=org.hr.user, employee_id=org.peer.pk, left_on=timezone.localdate())
    target = {"agent": org.agent.pk, "left": org.peer.pk, "missing": 999999}[to]
    with pytest.raises(ApplicationError) as exc:
        services.exit_hand_over(
            actor=org.supervisor.user, checklist_id=checklist.pk, provider="complaints", to_employee_id=target
        )
    assert exc.value.field == "colleague"
    assert complaint.plans.count() == 1


def test_coc8_a_colleague_the_complaint_is_about_is_refused(org):
    """SEC-2: the complaint concerns the peer; they do not take over its call-back."""
    complaint = _call_back(org, org.agent)
    complaint.concerned_employees.add(org.peer)
    checklist = _leaving(org, org.agent)
    with pytest.raises(ApplicationError) as exc:
        services.exit_hand_over(
            actor=org.supervisor.user, checklist_id=checklist.pk, provider="complaints", to_employee_id=org.peer.pk
        )
    assert exc.value.code == "owner_concerned"


def test_unknown_provider_refused(org):
    checklist = _leaving(org, org.agent)
    with pytest.raises(ApplicationError) as exc:
        services.exit_hand_over(
            actor=org.supervisor.user, checklist_id=checklist.pk, provider="telephony", to_employee_id=org.peer.pk
        )
    assert exc.value.field == "provider"


def test_without_the_complaints_app_the_item_ticks(org):
    saved = providers.leaver_hand_over_provider("complaints")
    providers.leaver_hand_over_unregister("complaints")
    try:
        _call_back(org, org.agent)
        checklist = _leaving(org, org.agent)
        services.exit_item_tick(actor=org.supervisor.user, item_id=_customer_item(checklist).pk)
    finally:
        providers.leaver_hand_over_register(saved)
