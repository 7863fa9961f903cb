"""Visibility matrix: every role x own / same team / other team / other department.

One selector decides whose records a user sees (callcenter.visibility); the page and the API
both use it, so the matrix is checked on the selector, the HTML detail page and the API.
"""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from callcenter import selectors
from callcenter.errors import NotFoundError
from callcenter.selectors import Scope, employees_visible_to, user_scope
from callcenter.tests.factories import EmployeeFactory

# viewer -> targets that must be visible; every other target must not be.
# Targets: agent (A1), peer (A1), supervisor (A1), other_team (A2), other_dept (B1).
TARGETS = ["agent", "peer", "supervisor", "other_team", "other_dept"]
MATRIX = {
    "agent": {"agent"},
    "peer": {"peer"},
    "supervisor": {"agent", "peer", "supervisor"},
    "other_team": {"other_team"},
    "manager": {"agent", "peer", "supervisor", "other_team"},
    "leader": {"agent", "peer", "supervisor", "other_team"},
    "other_dept": {"other_dept"},
    "hr": set(TARGETS),
    "handler": set(),
    "auditor": set(),
}
SCOPES = {
    "agent": Scope.SELF,
    "supervisor": Scope.TEAM,
    "manager": Scope.DEPARTMENT,
    "leader": Scope.DEPARTMENT,
    "hr": Scope.COMPANY,
    "handler": Scope.SELF,
    "auditor": Scope.SELF,
}


@pytest.mark.parametrize("viewer", sorted(MATRIX))
@pytest.mark.parametrize("target", TARGETS)
def test_selector_matrix(org, viewer, target):
    # given the org and a viewer; when we ask what they may see; then exactly the matrix
    user = getattr(org, viewer).user
    visible = set(employees_visible_to(user).values_list("pk", flat=True))
    expected = getattr(org, target).pk in visible
    assert expected == (target in MATRIX[viewer])


@pytest.mark.parametrize("viewer,scope", sorted(SCOPES.items()))
def test_scope_per_role(org, viewer, scope):
    assert user_scope(getattr(org, viewer).user) == scope


@pytest.mark.parametrize("viewer", sorted(MATRIX))
@pytest.mark.parametrize("target", TARGETS)
def test_detail_page_and_api_follow_the_matrix(client, org, viewer, target):
    # given a logged-in viewer; when they open another employee by id (page and API)
    client.force_login(getattr(org, viewer).user)
    pk = getattr(org, target).pk
    page = client.get(reverse("callcenter:employee_detail", args=[pk]))
    api = client.get(reverse("api:callcenter:employee_detail", args=[pk]))
    # then permitted objects answer 200, the rest 404 without data (no BOLA)
    allowed = target in MATRIX[viewer]
    assert page.status_code == (200 if allowed else 404)
    assert api.status_code == (200 if allowed else 404)
    if not allowed:
        assert getattr(org, target).name not in api.content.decode()
        assert api.json()["code"] == "not_found"


def test_own_record_visible_to_every_employee(org):
    for name in ("handler", "auditor", "other_dept"):
        emp = getattr(org, name)
        assert selectors.employee_get(user=emp.user, pk=emp.pk) == emp


def test_api_list_shows_only_permitted_rows(client, org):
    # given a supervisor; when they list employees through the API; then only their team
    client.force_login(org.supervisor.user)
    data = client.get(reverse("api:callcenter:employee_list"), {"page_size": 200}).json()
    names = {row["name"] for row in data["results"]}
    assert names == {org.agent.name, org.peer.name, org.supervisor.name, org.manager.name, org.leader.name}
    assert data["count"] == 5


def test_filters_cannot_widen_visibility(client, org):
    # given a supervisor filtering by another department; then nothing leaks
    client.force_login(org.supervisor.user)
    data = client.get(reverse("api:callcenter:employee_list"), {"department": org.dept_b.pk}).json()
    assert data["count"] == 0
    html = client.get(reverse("callcenter:employee_list"), {"q": org.other_dept.name}).content.decode()
    assert reverse("callcenter:employee_detail", args=[org.other_dept.pk]) not in html


def test_object_permission_without_an_access_grant_adds_nobody(org):
    # given a guardian permission on one other-department employee given to the agent by hand
    assign_perm("callcenter.view_employee", org.agent.user, org.other_dept)
    # then nobody else becomes visible: exceptions are access grants in force (a permission with
    # no grant behind it counts for nothing; test_grants_visibility.py has the grants)
    visible = set(employees_visible_to(org.agent.user))
    assert visible == {org.agent}


def test_deactivated_user_sees_nothing(org):
    org.supervisor.user.is_active = False
    org.supervisor.user.save()
    assert not employees_visible_to(org.supervisor.user).exists()
    with pytest.raises(NotFoundError):
        selectors.employee_get(user=org.supervisor.user, pk=org.agent.pk)


def test_employee_list_queries_are_bounded(client, org, django_assert_max_num_queries):
    # given HR and many employees; when the list renders; then the query count does not grow

    EmployeeFactory.create_batch(30, team=org.b1, department=org.dept_b)
    client.force_login(org.hr.user)
    with django_assert_max_num_queries(14):  # 12 + the notification bell's unread count + the position filter
        response = client.get(reverse("callcenter:employee_list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("api:callcenter:employee_list")).status_code == 200
