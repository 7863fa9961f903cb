"""Access grants in leave and punch corrections (LV-4, ATT-2, SEC-2).

A covering supervisor given team A1 decides its leave at the supervisor's step, on the
supervisor's behalf, through the same inbox, pages and API as a delegate — only while the grant
is in force, only at that step, and only for that team. They decide its punch corrections and see
it on the live board. An HR assistant limited to department A sets balances, revokes leave and
sets up delegations there only, and leave types and the annual grant stay with company HR.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from attendance import selectors, services
from attendance.models import CorrectionStatus, LeaveStatus, StepStatus
from attendance.tests.factories import annual_balance, leave_type, next_monday, pdf, roster_weeks
from callcenter import services as core_services
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.models import GrantKind, Notification, User
from callcenter.roles import Role
from callcenter.tests import factories as f

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def monday(org):
    day = next_monday()
    roster_weeks([org.agent, org.peer, org.supervisor, org.manager, org.leader], day - 14 * DAY, 35)
    return day


@pytest.fixture
def cover(org):
    """The supervisor of team B1, who will cover team A1 while its supervisor is away."""
    boss = f.EmployeeFactory(
        user=f.UserFactory(username="cover", roles=[Role.SUPERVISOR]), team=org.b1, department=org.dept_b, name="孙磊"
    )
    org.b1.supervisor = boss
    org.b1.save()
    return boss


@pytest.fixture
def assistant(org):
    user = f.UserFactory(username="assistant", roles=[Role.HR])
    return f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b, name="郑爽")


def fresh(employee) -> User:
    return User.objects.get(pk=employee.user.pk)


def grant(org, grantee, obj, kind=GrantKind.TEAM, state="active"):
    today = timezone.localdate()
    if state == "expired":
        return f.access_grant(
            grantee=grantee.user, obj=obj, kind=kind, starts_on=today - 9 * DAY, ends_on=today - DAY,
            granted_by=org.hr.user,
        )  # fmt: skip
    given = core_services.access_grant_create(
        actor=org.hr.user, kind=kind, grantee_id=grantee.user.pk, target=obj.pk,
        starts_on=today + DAY if state == "future" else today, ends_on=today + 9 * DAY, reason="主管休假，代为管理",
    )  # fmt: skip
    if state == "revoked":
        core_services.access_grant_revoke(actor=org.hr.user, grant_id=given.pk, reason="主管提前返岗")
    return given


def sick(employee, start, days=1):
    return services.leave_request_submit(
        actor=employee.user, leave_type_id=leave_type("sick").pk, start_date=start,
        end_date=start + (days - 1) * DAY, certificates=[pdf()],
    )  # fmt: skip


# --- Leave: the supervisor's step, on the supervisor's behalf ---------------------------------


def test_covering_supervisor_decides_at_the_supervisors_step_on_behalf(org, monday, cover):
    grant(org, cover, org.a1)
    request = sick(org.agent, monday, days=2)  # supervisor, then manager
    assert Notification.objects.filter(recipient=cover.user, kind="leave.to_decide").exists()
    user = fresh(cover)
    rows = selectors.leave_inbox_rows(user=user)
    assert [r.request.pk for r in rows] == [request.pk] and rows[0].on_behalf_of == org.supervisor
    services.leave_request_approve(actor=user, leave_request_id=request.pk, comment="代李娜审批")
    step = request.steps.get(order=0)
    assert (step.status, step.acted_by, step.on_behalf) == (StepStatus.APPROVED, cover.user, True)
    assert step.approver == org.supervisor  # the route never changes
    # the manager's step is not the covering supervisor's
    assert selectors.leave_inbox(user=fresh(cover)).count() == 0
    with pytest.raises(PermissionDeniedError):
        services.leave_request_approve(actor=fresh(cover), leave_request_id=request.pk)


@pytest.mark.parametrize("state", ["future", "expired", "revoked"])
def test_no_cover_outside_the_grants_days(org, monday, cover, state):
    grant(org, cover, org.a1, state=state)
    request = sick(org.agent, monday)
    assert not selectors.leave_inbox(user=fresh(cover)).exists()
    with pytest.raises(NotFoundError):  # the team is not theirs: the request is hidden
        services.leave_request_approve(actor=fresh(cover), leave_request_id=request.pk)
    assert request.steps.get(order=0).status == StepStatus.PENDING


def test_cover_is_for_the_granted_team_only(org, monday, cover):
    grant(org, cover, org.a2)
    request = sick(org.agent, monday)  # an A1 request
    with pytest.raises(NotFoundError):
        services.leave_request_approve(actor=fresh(cover), leave_request_id=request.pk)


def test_the_supervisor_still_decides_while_covered(org, monday, cover):
    grant(org, cover, org.a1)
    request = sick(org.agent, monday)
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    request.refresh_from_db()
    assert request.status == LeaveStatus.APPROVED and request.steps.get(order=0).on_behalf is False


def test_a_covering_member_never_decides_their_own_leave(org, monday):
    # given a senior of team A1 itself covering A1
    senior = f.EmployeeFactory(
        user=f.UserFactory(username="senior", roles=[Role.SUPERVISOR]), team=org.a1, department=org.dept_a
    )
    roster_weeks([senior], monday - 14 * DAY, 35)
    grant(org, senior, org.a1)
    own = sick(senior, monday)
    with pytest.raises(PermissionDeniedError) as refused:
        services.leave_request_approve(actor=fresh(senior), leave_request_id=own.pk)
    assert refused.value.code == "own_record"  # separation of duties (callcenter.duties), SEC-2


def test_covering_supervisor_decides_through_the_page_and_the_api(client, org, monday, cover):
    grant(org, cover, org.a1)
    first, second = sick(org.agent, monday), sick(org.peer, monday)
    client.force_login(cover.user)
    inbox = client.get(reverse("attendance:leave_inbox")).content.decode()
    assert f'id="inbox-{first.pk}"' in inbox and f'id="inbox-{second.pk}"' in inbox
    assert client.get(reverse("attendance:leave_detail", args=[first.pk])).status_code == 200
    client.post(reverse("attendance:leave_approve", args=[first.pk]), {"comment": "代批"})
    first.refresh_from_db()
    assert first.status == LeaveStatus.APPROVED
    api = APIClient()
    api.force_authenticate(cover.user)
    assert [row["request"]["id"] for row in api.get(reverse("api:attendance:leave_inbox")).json()["results"]] == [
        second.pk
    ]
    assert api.get(reverse("api:attendance:leave_request", args=[second.pk])).json()["can_decide"] is True
    response = api.post(reverse("api:attendance:leave_approve", args=[second.pk]), {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_after_the_grant_the_page_and_api_hide_the_team_again(client, org, monday, cover):
    given = grant(org, cover, org.a1)
    request = sick(org.agent, monday)
    core_services.access_grant_revoke(actor=org.hr.user, grant_id=given.pk, reason="主管提前返岗")
    client.force_login(cover.user)
    assert client.get(reverse("attendance:leave_detail", args=[request.pk])).status_code == 404
    assert client.post(reverse("attendance:leave_approve", args=[request.pk])).status_code == 404
    api = APIClient()
    api.force_authenticate(cover.user)
    assert api.get(reverse("api:attendance:leave_request", args=[request.pk])).status_code == 404
    assert api.get(reverse("api:attendance:leave_inbox")).json()["count"] == 0


# --- Punch corrections and the live board -------------------------------------------------------


def _correction(employee):
    day = timezone.localdate() - 2 * DAY
    when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    return services.punch_correction_submit(
        actor=employee.user, work_date=day, requested_time=when, reason="忘记打卡了"
    )


@pytest.mark.parametrize("state,decides", [("active", True), ("future", False), ("expired", False), ("revoked", False)])
def test_covering_supervisor_decides_punch_corrections(client, org, cover, state, decides):
    grant(org, cover, org.a1, state=state)
    correction = _correction(org.agent)
    client.force_login(cover.user)
    page = client.get(reverse("attendance:corrections")).content.decode()
    assert (reverse("attendance:correction_approve", args=[correction.pk]) in page) == decides
    api = APIClient()
    api.force_authenticate(cover.user)
    assert api.get(reverse("api:attendance:corrections"), {"to_decide": "true"}).json()["count"] == int(decides)
    response = api.post(reverse("api:attendance:correction_approve", args=[correction.pk]))
    assert response.status_code == (200 if decides else 404)
    correction.refresh_from_db()
    assert correction.status == (CorrectionStatus.APPROVED if decides else CorrectionStatus.PENDING)


def test_covering_supervisor_sees_the_team_on_the_live_board(client, org, cover):
    grant(org, cover, org.a1)
    client.force_login(cover.user)
    html = client.get(reverse("attendance:board")).content.decode()
    assert org.agent.name in html and org.peer.name in html and org.other_team.name not in html


# --- An HR assistant: their departments, and no company-wide function ---------------------------


def test_hr_assistant_manages_leave_in_their_departments_only(org, monday, assistant, cover):
    grant(org, assistant, org.dept_a, kind=GrantKind.DEPARTMENT)
    user = fresh(assistant)
    year = monday.year
    annual_balance(org.agent, year)
    annual_balance(org.other_dept, year)
    sick_type = leave_type("annual")
    # balances: department A yes, department B (their own!) no
    services.leave_balance_set(
        actor=user, employee_id=org.agent.pk, leave_type_id=sick_type.pk, year=year, entitled_days=6,
        reason="工龄记录更正",
    )  # fmt: skip
    with pytest.raises(NotFoundError):
        services.leave_balance_set(
            actor=user, employee_id=org.other_dept.pk, leave_type_id=sick_type.pk, year=year, entitled_days=6,
            reason="工龄记录更正",
        )  # fmt: skip
    assert {b.employee for b in selectors.leave_balance_list(user=user)} == {org.agent}
    # delegations: for department A's approvers only
    services.approval_delegation_create(
        actor=user, delegator_id=org.supervisor.pk, delegate_id=org.peer.pk, start_date=monday, end_date=monday
    )
    with pytest.raises(NotFoundError):
        services.approval_delegation_create(
            actor=user, delegator_id=cover.pk, delegate_id=org.other_dept.pk, start_date=monday, end_date=monday
        )
    assert org.other_dept not in selectors.approval_delegate_choices(user=user)


@pytest.mark.parametrize("function", ["leave_type", "annual_grant"])
def test_company_wide_leave_functions_stay_with_company_hr(org, assistant, function):
    grant(org, assistant, org.dept_a, kind=GrantKind.DEPARTMENT)
    with pytest.raises(ApplicationError) as refused:
        if function == "leave_type":
            services.leave_type_save(actor=fresh(assistant), data={"code": "x1", "name": "新假", "counting": "working"})
        else:
            services.leave_balance_grant_annual(year=timezone.localdate().year, actor=fresh(assistant))
    assert refused.value.code == CoreErrorCode.HR_REMIT_LIMITED and refused.value.status == 403


def test_hr_assistant_revokes_leave_in_their_departments_only(client, org, monday, assistant):
    request = sick(org.agent, monday)
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    grant(org, assistant, org.dept_b, kind=GrantKind.DEPARTMENT)
    client.force_login(assistant.user)
    assert client.get(reverse("attendance:leave_detail", args=[request.pk])).status_code == 404
    response = client.post(reverse("attendance:leave_revoke", args=[request.pk]), {"reason": "核实后撤销此假"})
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == LeaveStatus.APPROVED
