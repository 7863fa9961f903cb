"""Access grants in the one visibility module: the role × own/team/other-team/other-department
matrix (test_visibility.py) extended with grants in force, scheduled, expired and ended early.

A covering supervisor given team A1 sees A1 as its supervisor does; an HR assistant limited to
department A sees A instead of the whole company. Both only while a grant is in force: a grant
not yet started, past its last day (even before the job has removed its permission) or ended
early shows nothing.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from callcenter import selectors, services
from callcenter.models import GrantKind, User
from callcenter.roles import Role, has_role
from callcenter.selectors import Scope, employees_visible_to, user_scope
from callcenter.tests import factories as f

TARGETS = ["agent", "peer", "supervisor", "other_team", "other_dept"]
TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def cover(org):
    """A supervisor (by role) of department B who supervises no team: only their own record."""
    user = f.UserFactory(username="cover", roles=[Role.SUPERVISOR])
    return f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b, name="孙磊")


@pytest.fixture
def assistant(org):
    """An HR user (sitting in department B) to be limited to department A."""
    user = f.UserFactory(username="assistant", roles=[Role.HR])
    return f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b, name="郑爽")


def _fresh(user) -> User:
    """The user as the next request loads it (no per-request caches)."""
    return User.objects.get(pk=user.pk)


def _grant(org, state, *, kind, grantee, obj):
    """A grant of ``obj`` to ``grantee`` in ``state``: active (given today by HR), future
    (starts tomorrow), expired (ended yesterday, its permission still there: the job has not
    run), revoked (given today and ended early)."""
    today = TODAY()
    if state == "none":
        return None
    if state == "expired":
        return f.access_grant(
            grantee=grantee.user, obj=obj, kind=kind, starts_on=today - 10 * DAY, ends_on=today - DAY,
            granted_by=org.hr.user,
        )  # fmt: skip
    starts = today + DAY if state == "future" else today
    grant = services.access_grant_create(
        actor=org.hr.user, kind=kind, grantee_id=grantee.user.pk, target=obj.pk, starts_on=starts,
        ends_on=today + 7 * DAY, reason="主管休假，代为管理",
    )  # fmt: skip
    if state == "revoked":
        services.access_grant_revoke(actor=org.hr.user, grant_id=grant.pk, reason="主管提前返岗")
    return grant


STATES = ["none", "active", "future", "expired", "revoked"]
COVER_SEES = {"agent", "peer", "supervisor"}  # team A1 (the manager and leader sit in A1 too)
ASSISTANT_SEES = {"agent", "peer", "supervisor", "other_team"}  # department A


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("target", TARGETS)
def test_covering_supervisor_sees_the_team_while_the_grant_is_in_force(org, cover, state, target):
    _grant(org, state, kind=GrantKind.TEAM, grantee=cover, obj=org.a1)
    visible = set(employees_visible_to(_fresh(cover.user)).values_list("pk", flat=True))
    expected = state == "active" and target in COVER_SEES
    assert (getattr(org, target).pk in visible) == expected
    assert cover.pk in visible  # always themselves


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("target", TARGETS)
def test_hr_assistant_sees_their_departments_instead_of_the_company(org, assistant, state, target):
    _grant(org, state, kind=GrantKind.DEPARTMENT, grantee=assistant, obj=org.dept_a)
    visible = set(employees_visible_to(_fresh(assistant.user)).values_list("pk", flat=True))
    # Never limited: company HR; limited: department A while the grant is in force.
    expected = True if state == "none" else state == "active" and target in ASSISTANT_SEES
    assert (getattr(org, target).pk in visible) == expected


@pytest.mark.parametrize(
    "state,cover_scope,assistant_scope",
    [
        ("none", Scope.SELF, Scope.COMPANY),
        ("active", Scope.TEAM, Scope.DEPARTMENT),
        ("future", Scope.SELF, Scope.SELF),
        ("expired", Scope.SELF, Scope.SELF),
        ("revoked", Scope.SELF, Scope.SELF),
    ],
)
def test_scope_follows_the_grants_in_force(org, cover, assistant, state, cover_scope, assistant_scope):
    _grant(org, state, kind=GrantKind.TEAM, grantee=cover, obj=org.a1)
    _grant(org, state, kind=GrantKind.DEPARTMENT, grantee=assistant, obj=org.dept_a)
    assert user_scope(_fresh(cover.user)) == cover_scope
    assert user_scope(_fresh(assistant.user)) == assistant_scope


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("target", TARGETS)
def test_detail_page_and_api_follow_the_grants(client, org, cover, assistant, state, target):
    _grant(org, state, kind=GrantKind.TEAM, grantee=cover, obj=org.a1)
    _grant(org, state, kind=GrantKind.DEPARTMENT, grantee=assistant, obj=org.dept_a)
    pk = getattr(org, target).pk
    for viewer, sees in ((cover, COVER_SEES), (assistant, ASSISTANT_SEES)):
        client.force_login(viewer.user)
        allowed = (state == "active" and target in sees) or (viewer is assistant and state == "none")
        page = client.get(reverse("callcenter:employee_detail", args=[pk]))
        api = client.get(reverse("api:callcenter:employee_detail", args=[pk]))
        assert page.status_code == api.status_code == (200 if allowed else 404), (viewer.name, target, state)
        if not allowed:
            assert getattr(org, target).name not in api.content.decode()


def test_lists_and_pickers_follow_the_grants(client, org, cover, assistant):
    _grant(org, "active", kind=GrantKind.TEAM, grantee=cover, obj=org.a1)
    _grant(org, "active", kind=GrantKind.DEPARTMENT, grantee=assistant, obj=org.dept_a)
    client.force_login(cover.user)
    names = {row["name"] for row in client.get(reverse("api:callcenter:employee_list")).json()["results"]}
    assert names == {cover.name, org.agent.name, org.peer.name, org.supervisor.name, org.manager.name, org.leader.name}
    assert [t.code for t in selectors.team_choices(user=_fresh(cover.user))] == ["A1", "B1"]
    client.force_login(assistant.user)
    data = client.get(reverse("api:callcenter:employee_list"), {"department": org.dept_b.pk}).json()
    assert [row["name"] for row in data["results"]] == [assistant.name]  # B: only themselves
    assert [d.code for d in selectors.department_choices(user=_fresh(assistant.user))] == ["A", "B"]
    # A module that lets HR read company-wide does not widen an HR assistant's pickers.
    assert [t.code for t in selectors.team_choices(user=_fresh(assistant.user), company_wide_roles=(Role.HR,))] == [
        "A1",
        "A2",
        "B1",
    ]


def test_team_grant_counts_only_while_the_grantee_holds_an_approver_role(org, cover):
    _grant(org, "active", kind=GrantKind.TEAM, grantee=cover, obj=org.a1)
    cover.user.groups.clear()
    assert set(employees_visible_to(_fresh(cover.user))) == {cover}


def test_a_team_permission_without_a_grant_shows_nothing(org, cover):
    # given guardian's team permission given by hand, with no access grant behind it
    assign_perm("callcenter.cover_team", cover.user, org.a1)
    # then it widens nothing: only grants in force count
    assert set(employees_visible_to(_fresh(cover.user))) == {cover}


def test_visibility_reads_the_grants_once_per_request(org, cover, django_assert_num_queries):
    _grant(org, "active", kind=GrantKind.TEAM, grantee=cover, obj=org.a1)
    user = _fresh(cover.user)
    has_role(user, Role.HR)  # the roles, read once per request anyway
    with django_assert_num_queries(1):
        selectors.grants_in_force(user)
    with django_assert_num_queries(0):
        selectors.grants_in_force(user)
        selectors.covered_team_ids(user)
