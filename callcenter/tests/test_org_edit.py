"""The org editable by HR (issue 13): departments, teams, positions and reporting lines, through
audited services (department_save, team_save, position_save) and their pages.

Rules at their boundaries: no department under itself or its sub-departments (ORG_CYCLE); a team
with members does not move to another department, and its supervisor works in its department
(TEAM_DEPARTMENT_MISMATCH); appointees are active employees (GEN-2, APPOINTEE_INACTIVE); a team
without a supervisor only when confirmed (LV-4, TEAM_WITHOUT_SUPERVISOR); nobody appoints
themselves (SEC-2, OWN_RECORD); only company HR and administrators edit (SEC-2).
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from callcenter import services
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.models import Department, EmploymentStatus, Position, Team
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db


def _en(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


def _dept(org, department, **overrides):
    kwargs = {
        "actor": org.hr.user,
        "department_id": department.pk,
        "code": department.code,
        "name": department.name,
        "parent_id": department.parent_id,
        "manager_id": department.manager_id,
        "leader_in_charge_id": department.leader_in_charge_id,
    }
    kwargs.update(overrides)
    return services.department_save(**kwargs)


def _team(org, team, **overrides):
    kwargs = {
        "actor": org.hr.user,
        "team_id": team.pk,
        "code": team.code,
        "name": team.name,
        "department_id": team.department_id,
        "supervisor_id": team.supervisor_id,
    }
    kwargs.update(overrides)
    return services.team_save(**kwargs)


def _state():
    # A refusal changes nothing but is itself recorded (SEC-3: security.permission_denied).
    return (
        sorted(Department.objects.values_list("pk", "code", "name", "parent_id", "manager_id", "leader_in_charge_id")),
        sorted(Team.objects.values_list("pk", "code", "name", "department_id", "supervisor_id")),
        sorted(Position.objects.values_list("pk", "code", "name")),
        AuditEvent.objects.exclude(action__startswith="security.permission_denied").count(),
    )


# --- Departments: the tree has no cycle -------------------------------------------------------------


def test_a_department_is_created_under_a_parent_and_audited(org):
    sub = services.department_save(actor=org.hr.user, code="A-X", name="客服一部·夜班", parent_id=org.dept_a.pk)
    assert sub.parent == org.dept_a
    event = AuditEvent.objects.get(action="department.create", object_id=str(sub.pk))
    assert event.actor == org.hr.user
    assert event.changes["parent_id"] == [None, org.dept_a.pk]


@pytest.mark.parametrize(
    "chain_length, parent_at",
    [
        (1, 0),  # itself
        (2, 1),  # its child
        (3, 2),  # its grandchild
        (4, 3),  # three levels down
    ],
)
def test_no_department_under_itself_or_its_sub_departments(org, chain_length, parent_at):
    """ORG_CYCLE at every depth: A ← c1 ← c2 …; A under any of them is refused, nothing changed."""
    chain = [org.dept_a]
    for i in range(1, chain_length):
        chain.append(services.department_save(actor=org.hr.user, code=f"C{i}", name=f"子部{i}", parent_id=chain[-1].pk))
    before = _state()
    with pytest.raises(ApplicationError) as refused:
        _dept(org, org.dept_a, parent_id=chain[parent_at].pk)
    assert refused.value.code == CoreErrorCode.ORG_CYCLE
    assert _state() == before


def test_a_department_moves_under_a_sibling_and_back_to_the_top(org):
    _dept(org, org.dept_b, parent_id=org.dept_a.pk)
    assert Department.objects.get(pk=org.dept_b.pk).parent_id == org.dept_a.pk
    _dept(org, Department.objects.get(pk=org.dept_b.pk), parent_id=None)
    assert Department.objects.get(pk=org.dept_b.pk).parent_id is None
    assert AuditEvent.objects.filter(action="department.update", object_id=str(org.dept_b.pk)).count() == 2


def test_a_save_that_changes_nothing_records_no_event(org):
    before = AuditEvent.objects.count()
    _dept(org, org.dept_a)
    assert AuditEvent.objects.count() == before


# --- Appointees: active employees (GEN-2), never oneself (SEC-2) --------------------------------------


@pytest.mark.parametrize("field", ["manager_id", "leader_in_charge_id"])
def test_a_leaver_cannot_be_appointed_to_a_department(org, field):
    services.employee_deactivate(actor=org.hr.user, employee_id=org.other_dept.pk, left_on=datetime.date.today())
    before = _state()
    with pytest.raises(ApplicationError) as refused:
        _dept(org, org.dept_b, **{field: org.other_dept.pk})
    assert refused.value.code == CoreErrorCode.APPOINTEE_INACTIVE
    assert _state() == before


def test_a_leaver_cannot_supervise_a_team(org):
    services.employee_deactivate(actor=org.hr.user, employee_id=org.other_dept.pk, left_on=datetime.date.today())
    with pytest.raises(ApplicationError) as refused:
        _team(org, org.b1, supervisor_id=org.other_dept.pk)
    assert refused.value.code == CoreErrorCode.APPOINTEE_INACTIVE
    assert Team.objects.get(pk=org.b1.pk).supervisor_id is None


@pytest.mark.parametrize("kind", ["department", "team"])
def test_nobody_appoints_themselves(org, kind):
    before = _state()
    with pytest.raises(PermissionDeniedError) as refused:
        if kind == "department":
            _dept(org, org.dept_b, manager_id=org.hr.pk)
        else:
            _team(org, org.b1, supervisor_id=org.hr.pk)
    assert refused.value.code == CoreErrorCode.OWN_RECORD
    assert _state() == before


def test_an_editor_already_in_a_post_may_still_rename_their_department(org):
    """Only a change of appointment is checked (SEC-2): keeping oneself is not appointing oneself."""
    Department.objects.filter(pk=org.dept_b.pk).update(manager=org.hr)
    saved = _dept(org, Department.objects.get(pk=org.dept_b.pk), name="客服二部（新）")
    assert saved.name == "客服二部（新）"
    assert saved.manager_id == org.hr.pk


# --- Teams: their department and their supervisor ----------------------------------------------------


def test_a_team_with_members_does_not_move_to_another_department(org):
    before = _state()
    with pytest.raises(ApplicationError) as refused:
        _team(org, org.a2, department_id=org.dept_b.pk)
    assert refused.value.code == CoreErrorCode.TEAM_DEPARTMENT_MISMATCH
    assert _state() == before


def test_an_empty_team_moves_to_another_department(org):
    empty = f.TeamFactory(department=org.dept_a, code="A9", name="空组")
    moved = _team(org, empty, department_id=org.dept_b.pk, confirm_no_supervisor=True)
    assert moved.department == org.dept_b


def test_a_team_whose_members_all_left_moves(org):
    services.employee_deactivate(actor=org.hr.user, employee_id=org.other_team.pk, left_on=datetime.date.today())
    moved = _team(org, org.a2, department_id=org.dept_b.pk, confirm_no_supervisor=True)
    assert moved.department == org.dept_b


def test_a_supervisor_from_another_department_is_refused(org):
    with pytest.raises(ApplicationError) as refused:
        _team(org, org.b1, supervisor_id=org.other_team.pk)
    assert refused.value.code == CoreErrorCode.TEAM_DEPARTMENT_MISMATCH
    assert refused.value.field == "supervisor"


@pytest.mark.parametrize(
    "supervisor, confirm, saved",
    [
        (None, False, False),  # no supervisor, not confirmed: the LV-4 warning
        (None, True, True),  # confirmed
        ("other_dept", False, True),  # a supervisor: nothing to confirm
        ("other_dept", True, True),
    ],
)
def test_a_team_without_a_supervisor_needs_a_confirmation_lv4(org, supervisor, confirm, saved):
    supervisor_id = getattr(org, supervisor).pk if supervisor else None
    if not saved:
        with pytest.raises(ApplicationError) as refused:
            services.team_save(
                actor=org.hr.user, code="B2", name="四组", department_id=org.dept_b.pk, supervisor_id=supervisor_id,
                confirm_no_supervisor=confirm,
            )  # fmt: skip
        assert refused.value.code == CoreErrorCode.TEAM_WITHOUT_SUPERVISOR
        assert "LV-4" in str(refused.value)
        assert not Team.objects.filter(code="B2").exists()
    else:
        team = services.team_save(
            actor=org.hr.user, code="B2", name="四组", department_id=org.dept_b.pk, supervisor_id=supervisor_id,
            confirm_no_supervisor=confirm,
        )  # fmt: skip
        assert team.supervisor_id == supervisor_id
        assert AuditEvent.objects.filter(action="team.create", object_id=str(team.pk)).exists()


def test_taking_a_supervisor_away_needs_the_confirmation_too(org):
    with pytest.raises(ApplicationError) as refused:
        _team(org, org.a1, supervisor_id=None)
    assert refused.value.code == CoreErrorCode.TEAM_WITHOUT_SUPERVISOR
    assert Team.objects.get(pk=org.a1.pk).supervisor_id == org.supervisor.pk


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"code": ""}, CoreErrorCode.INVALID),
        ({"name": "   "}, CoreErrorCode.INVALID),
        ({"code": "A2"}, CoreErrorCode.INVALID),  # taken by another team
        ({"code": "X" * 21}, CoreErrorCode.INVALID),
        ({"department_id": 999_999}, CoreErrorCode.NOT_FOUND),
        ({"supervisor_id": 999_999}, CoreErrorCode.NOT_FOUND),
    ],
)
def test_bad_team_input_is_refused_and_changes_nothing(org, overrides, code):
    before = _state()
    with pytest.raises(ApplicationError) as refused:
        _team(org, org.a1, **overrides)
    assert refused.value.code == code
    assert _state() == before


def test_an_unknown_record_is_not_found(org):
    with pytest.raises(NotFoundError):
        services.position_save(actor=org.hr.user, position_id=999_999, code="X", name="X")


def test_positions_are_created_and_renamed_audited(org):
    position = services.position_save(actor=org.hr.user, code="QA", name="质检员", description="通话质检")
    services.position_save(actor=org.hr.user, position_id=position.pk, code="QA", name="质检专员")
    assert Position.objects.get(pk=position.pk).name == "质检专员"
    events = AuditEvent.objects.filter(object_id=str(position.pk)).order_by("pk")
    actions = list(events.values_list("action", flat=True))
    assert actions == ["position.create", "position.update"]


# --- Who edits: company HR and administrators (SEC-2) -------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "leader", "handler", "auditor"])
def test_only_company_hr_edits_the_org_in_the_services(org, role):
    actor = getattr(org, role).user
    before = _state()
    for call in (
        lambda: services.position_save(actor=actor, code="QA", name="质检员"),
        lambda: _dept(org, org.dept_a, actor=actor, name="改名"),
        lambda: _team(org, org.a1, actor=actor, name="改名"),
    ):
        with pytest.raises(PermissionDeniedError):
            call()
    assert _state() == before


def test_an_hr_assistant_limited_to_departments_does_not_edit_the_org(org):
    org.hr.user.hr_remit_limited = True
    org.hr.user.save(update_fields=["hr_remit_limited"])
    with pytest.raises(PermissionDeniedError):
        services.position_save(actor=org.hr.user, code="QA", name="质检员")


def test_a_superuser_without_an_employee_record_edits_the_org(org):
    root = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    team = _team(org, org.a1, actor=root, supervisor_id=org.peer.pk)
    assert team.supervisor_id == org.peer.pk


# --- The pages ------------------------------------------------------------------------------------


PAGES = ["org_manage", "department_new", "team_new", "position_new"]


@pytest.mark.parametrize(
    "role, status",
    [("agent", 403), ("supervisor", 403), ("manager", 403), ("leader", 403), ("handler", 403), ("hr", 200)],
)
def test_role_matrix_of_the_org_editor_pages(org, role, status):
    client = _en(getattr(org, role).user)
    for name in PAGES:
        assert client.get(reverse(f"callcenter:{name}")).status_code == status, name
    for name, pk in (("department_edit", org.dept_a.pk), ("team_edit", org.a1.pk)):
        assert client.get(reverse(f"callcenter:{name}", args=[pk])).status_code == status, name
    before = _state()
    response = client.post(reverse("callcenter:position_new"), {"code": "QA", "name": "质检员"})
    if status == 403:
        assert response.status_code == 403
        assert _state() == before
    else:
        assert response.status_code == 302
        assert Position.objects.filter(code="QA").exists()


def test_hr_edits_a_team_in_the_browser_and_sees_the_refusal_on_the_field(org):
    client = _en(org.hr.user)
    url = reverse("callcenter:team_edit", args=[org.a1.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="A1"' in page.content.decode()
    # given no supervisor and no confirmation: the LV-4 warning on the supervisor field, nothing saved
    response = client.post(url, {"code": "A1", "name": "一组", "department": org.dept_a.pk, "supervisor": ""})
    assert response.status_code == 400
    assert "LV-4" in response.content.decode()
    assert Team.objects.get(pk=org.a1.pk).supervisor_id == org.supervisor.pk
    # a new supervisor: saved, audited, back to the list
    response = client.post(url, {"code": "A1", "name": "一组", "department": org.dept_a.pk, "supervisor": org.peer.pk})
    assert response.status_code == 302
    assert Team.objects.get(pk=org.a1.pk).supervisor_id == org.peer.pk
    assert AuditEvent.objects.filter(action="team.update", object_id=str(org.a1.pk), actor=org.hr.user).exists()


def test_mass_assignment_on_the_department_page_is_ignored(org):
    """Fields the form does not have (an id, a foreign department) change nothing."""
    client = _en(org.hr.user)
    url = reverse("callcenter:department_edit", args=[org.dept_b.pk])
    response = client.post(
        url, {"code": "B", "name": "客服二部", "id": org.dept_a.pk, "pk": org.dept_a.pk, "teams": org.a1.pk}
    )
    assert response.status_code == 302
    assert Department.objects.get(pk=org.dept_a.pk).name == "客服一部"
    assert Team.objects.get(pk=org.a1.pk).department_id == org.dept_a.pk


@pytest.mark.parametrize(
    "data",
    [
        {"code": "B", "name": "客服二部", "parent": "abc"},
        {"code": "B", "name": "客服二部", "parent": "99999999999999999999"},
        {"code": "B", "name": "客服二部", "manager": "-1"},
        {"code": "", "name": ""},
        {"code": "B" * 200, "name": "x"},
    ],
)
def test_bad_input_on_the_department_page_is_a_form_error(org, data):
    client = _en(org.hr.user)
    before = _state()
    response = client.post(reverse("callcenter:department_edit", args=[org.dept_b.pk]), data)
    assert response.status_code == 400
    assert _state() == before


def test_a_cycle_on_the_department_page_is_explained(org):
    client = _en(org.hr.user)
    child = services.department_save(actor=org.hr.user, code="A-X", name="夜班", parent_id=org.dept_a.pk)
    response = client.post(
        reverse("callcenter:department_edit", args=[org.dept_a.pk]),
        {
            "code": "A",
            "name": "客服一部",
            "parent": child.pk,
            "manager": org.manager.pk,
            "leader_in_charge": org.leader.pk,
        },
    )
    assert response.status_code == 400
    assert "cannot be placed under itself" in response.content.decode()
    assert Department.objects.get(pk=org.dept_a.pk).parent_id is None


def test_the_org_editor_page_lists_teams_without_an_active_supervisor(org, django_assert_max_num_queries):
    services.employee_deactivate(actor=org.hr.user, employee_id=org.supervisor.pk, left_on=datetime.date.today())
    for i in range(10):
        f.TeamFactory(department=org.dept_b, code=f"B{i + 2}")
    client = _en(org.hr.user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("callcenter:org_manage"))
    body = response.content.decode()
    assert f'id="team-{org.a1.pk}-no-supervisor"' in body  # its supervisor left
    assert f'id="team-{org.a2.pk}-no-supervisor"' in body  # never had one
    assert Team.objects.get(pk=org.a1.pk).supervisor.status == EmploymentStatus.LEFT


def test_the_menu_shows_the_org_editor_to_company_hr_only(org):
    hr_page = _en(org.hr.user).get(reverse("callcenter:org_chart")).content.decode()
    agent_page = _en(org.agent.user).get(reverse("callcenter:org_chart")).content.decode()
    manage = reverse("callcenter:org_manage")
    assert manage in hr_page
    assert manage not in agent_page
    assert Role.HR in org.hr.user.groups.values_list("name", flat=True)
