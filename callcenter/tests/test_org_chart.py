"""The org chart (issue 13): anyone reads their own department (and the departments of their
remit); HR and company leaders read every department. Members are listed only where the reader
may see them (SEC-2). Teams without an active supervisor carry the LV-4 warning."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from callcenter import selectors, services
from callcenter.tests import factories as f

pytestmark = pytest.mark.django_db


def _page(user) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    response = client.get(reverse("callcenter:org_chart"))
    assert response.status_code == 200
    return response.content.decode()


def _member_link(employee) -> str:
    return f'href="{reverse("callcenter:employee_detail", args=[employee.pk])}"'


# reader → departments on the chart, members listed (by fixture name), members not listed
MATRIX = [
    ("agent", {"A"}, {"agent"}, {"peer", "other_team", "other_dept"}),
    ("supervisor", {"A"}, {"agent", "peer", "supervisor"}, {"other_team", "other_dept"}),
    ("manager", {"A"}, {"agent", "peer", "other_team", "leader"}, {"other_dept", "hr"}),
    ("leader", {"A", "B"}, {"agent", "other_team"}, {"other_dept", "hr"}),
    ("other_dept", {"B"}, {"other_dept"}, {"agent", "hr"}),
    ("hr", {"A", "B"}, {"agent", "other_team", "other_dept", "auditor"}, set()),
    ("auditor", {"B"}, {"auditor"}, {"agent", "other_dept"}),
]


@pytest.mark.parametrize("reader, departments, listed, hidden", MATRIX)
def test_who_reads_which_departments_and_members(org, reader, departments, listed, hidden):
    chart = selectors.org_chart(user=getattr(org, reader).user)
    assert {node.department.code for node in chart} == departments
    body = _page(getattr(org, reader).user)
    for code in ("A", "B"):
        department = getattr(org, f"dept_{code.lower()}")
        assert (f'id="org-dept-{department.pk}"' in body) == (code in departments)
    for name in listed:
        assert _member_link(getattr(org, name)) in body, name
    for name in hidden:
        assert _member_link(getattr(org, name)) not in body, name


def test_headcount_and_supervisor_are_shown_to_everyone_in_the_department(org):
    chart = {node.department.code: node for node in selectors.org_chart(user=org.agent.user)}
    a = chart["A"]
    assert a.headcount == 6  # agent, peer, supervisor, manager, leader, other_team
    teams = {t.team.code: t for t in a.teams}
    assert teams["A1"].headcount == 5
    assert teams["A1"].team.supervisor == org.supervisor
    assert teams["A2"].headcount == 1
    body = _page(org.agent.user)
    assert "李娜" in body  # the supervisor's name, though the agent cannot open their record
    assert "陈静" in body and "杨磊" in body  # manager and leader in charge


def test_leavers_leave_the_headcount(org):
    services.employee_deactivate(actor=org.hr.user, employee_id=org.peer.pk, left_on=datetime.date.today())
    chart = {node.department.code: node for node in selectors.org_chart(user=org.hr.user)}
    assert {t.team.code: t.headcount for t in chart["A"].teams}["A1"] == 4


def test_a_team_without_an_active_supervisor_is_flagged_lv4(org):
    services.employee_deactivate(actor=org.hr.user, employee_id=org.supervisor.pk, left_on=datetime.date.today())
    body = _page(org.hr.user)
    assert f'id="org-team-{org.a1.pk}-no-supervisor"' in body
    assert f'id="org-team-{org.a2.pk}-no-supervisor"' in body
    assert "LV-4" in body


def test_sub_departments_follow_their_parent(org):
    night = services.department_save(actor=org.hr.user, code="Z", name="夜班部", parent_id=org.dept_a.pk)
    deeper = services.department_save(actor=org.hr.user, code="0", name="夜班一室", parent_id=night.pk)
    order = [(node.department.code, node.depth) for node in selectors.org_chart(user=org.hr.user)]
    assert order == [("A", 0), ("Z", 1), ("0", 2), ("B", 0)]
    assert deeper.parent_id == night.pk


def test_the_chart_does_not_grow_in_queries(org, django_assert_max_num_queries):
    for i in range(5):
        team = f.TeamFactory(department=org.dept_b, code=f"B{i + 2}")
        f.EmployeeFactory.create_batch(6, team=team, department=org.dept_b)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(org.hr.user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("callcenter:org_chart"))
    assert response.status_code == 200
    with django_assert_max_num_queries(6):
        assert len(selectors.org_chart(user=org.hr.user)) == 2


def test_a_user_without_an_employee_record_sees_no_department(org):
    body = _page(f.UserFactory(username="loner"))
    assert "You are in no department yet." in body


def test_the_chart_needs_a_login(client):
    response = client.get(reverse("callcenter:org_chart"))
    assert response.status_code == 302
