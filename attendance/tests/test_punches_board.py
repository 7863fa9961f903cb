"""The supervisor's live team board (ATT-1, ATT-4) and the proxy-punching report (ATT-2)."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance import selectors
from attendance.models import DayKind, LeaveRequest, LeaveStatus
from attendance.tests.factories import DeviceFactory, PunchFactory, RosterEntryFactory, ShiftTypeFactory, leave_type
from callcenter.roles import Role
from callcenter.tests.factories import EmployeeFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 10)
BOARD = "/attendance/board/"
PROXY = "/attendance/proxy-punches/"

ROLE_USERS = {
    Role.AGENT: "agent",
    Role.SUPERVISOR: "supervisor",
    Role.DEPARTMENT_MANAGER: "manager",
    Role.COMPANY_LEADER: "leader",
    Role.HR: "hr",
    Role.COMPLAINT_HANDLER: "handler",
    Role.SECURITY_AUDITOR: "auditor",
}
BOARD_ROLES = {Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR}


def at(day, hour, minute=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_url_names():
    assert reverse("attendance:board") == BOARD and reverse("attendance:proxy_punches") == PROXY


@pytest.mark.parametrize("url", [BOARD, PROXY])
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_role_matrix(client, org, role, url):
    # given each role / when opening the board or the report / then only supervisors and up get in
    client.force_login(getattr(org, ROLE_USERS[role]).user)
    assert client.get(url).status_code == (200 if role in BOARD_ROLES else 403)


def test_anonymous_is_sent_to_login(client):
    assert client.get(BOARD).status_code == 302


def test_supervisor_sees_own_team_only(client, org):
    # given the supervisor of A1 (agent, peer) and employees in A2 and department B
    client.force_login(org.supervisor.user)
    # when they open the board
    html = client.get(BOARD).content.decode()
    # then A1's members are listed, other teams' are absent
    assert org.agent.name in html and org.peer.name in html
    assert org.other_team.name not in html and org.other_dept.name not in html
    assert 'hx-trigger="every 30s"' in html


def test_manager_sees_the_department(org):
    # given the manager of department A / then A1 and A2 are on the board, B is not
    board = selectors.team_board(user=org.manager.user, now=at(DAY, 10))
    names = {r["employee"].pk for r in board["rows"]}
    assert {org.agent.pk, org.other_team.pk} <= names and org.other_dept.pk not in names


def test_htmx_refresh_returns_the_partial(client, org):
    client.force_login(org.supervisor.user)
    html = client.get(BOARD, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and 'id="board-body"' in html
    # a history restore gets the whole page
    html = client.get(BOARD, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true").content.decode()
    assert "<html" in html


def test_board_states_counts_and_adherence(org):
    # given, at 10:00, a team on the 09:00-18:00 shift: the agent clocked in 08:55, the peer at
    # 09:20 (late), the supervisor has not come (absent so far); a new member rests
    day_shift = ShiftTypeFactory()
    for employee in (org.agent, org.peer, org.supervisor):
        RosterEntryFactory(employee=employee, work_date=DAY, shift=day_shift)
    resting = EmployeeFactory(team=org.a1, department=org.dept_a)
    RosterEntryFactory(employee=resting, work_date=DAY, kind=DayKind.REST, shift=None)
    unscheduled = EmployeeFactory(team=org.a1, department=org.dept_a)
    PunchFactory(employee=org.agent, punched_at=at(DAY, 8, 55))
    PunchFactory(employee=org.peer, punched_at=at(DAY, 9, 20))
    # when the board is computed at 10:00
    board = selectors.team_board(user=org.supervisor.user, now=at(DAY, 10))
    state = {r["employee"].pk: r for r in board["rows"]}
    # then each member has the right state
    assert state[org.agent.pk]["state"] == "in"
    assert state[org.peer.pk]["state"] == "late" and state[org.peer.pk]["late_minutes"] == 20
    assert state[org.supervisor.pk]["state"] == "absent" and state[org.supervisor.pk]["late_minutes"] == 60
    assert state[resting.pk]["state"] == "rest" and state[unscheduled.pk]["state"] == "unscheduled"
    assert board["counts"]["in"] == 1 and board["counts"]["late"] == 1 and board["counts"]["absent"] == 1
    # and adherence = punched-in scheduled minutes / scheduled minutes elapsed: (60 + 40 + 0) / 180
    assert board["scheduled_minutes"] == 180 and board["worked_minutes"] == 100
    assert board["adherence_percent"] == pytest.approx(55.6)
    assert state[org.peer.pk]["adherence_percent"] == 67


def test_board_before_start_and_after_end(org):
    # given a day shift / before 09:00 the member is "scheduled"; clocked out at 18:05 "finished"
    RosterEntryFactory(employee=org.agent, work_date=DAY, shift=ShiftTypeFactory())
    RosterEntryFactory(employee=org.peer, work_date=DAY, shift=ShiftTypeFactory())
    states = {
        r["employee"].pk: r["state"] for r in selectors.team_board(user=org.supervisor.user, now=at(DAY, 8))["rows"]
    }
    assert states[org.agent.pk] == "scheduled"
    PunchFactory(employee=org.agent, punched_at=at(DAY, 8, 50))
    PunchFactory(employee=org.agent, punched_at=at(DAY, 18, 5))
    PunchFactory(employee=org.peer, punched_at=at(DAY, 8, 50))
    PunchFactory(employee=org.peer, punched_at=at(DAY, 12, 0))
    board = selectors.team_board(user=org.supervisor.user, now=at(DAY, 19))
    states = {r["employee"].pk: r["state"] for r in board["rows"]}
    assert states[org.agent.pk] == "finished" and states[org.peer.pk] == "finished"
    board = selectors.team_board(user=org.supervisor.user, now=at(DAY, 13))
    states = {r["employee"].pk: r["state"] for r in board["rows"]}
    assert states[org.peer.pk] == "out"


def _grow_team(org, size):
    day_shift = ShiftTypeFactory()
    for i in range(size):
        member = EmployeeFactory(team=org.a1, department=org.dept_a)
        RosterEntryFactory(employee=member, work_date=DAY, shift=day_shift)
        RosterEntryFactory(employee=member, work_date=DAY - datetime.timedelta(days=1), shift=day_shift)
        PunchFactory(employee=member, punched_at=at(DAY, 8, 50 + i % 10))


def _board_queries(client, org) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as selector_queries:
        selectors.team_board(user=org.supervisor.user, now=at(DAY, 10))
    with CaptureQueriesContext(connection) as page_queries:
        assert client.get(BOARD, HTTP_HX_REQUEST="true").status_code == 200
    return len(selector_queries), len(page_queries)


def test_board_queries_do_not_grow_with_the_team(client, org, django_assert_max_num_queries):
    # given a team of 2 extra members (and the caches warmed by a first load)
    client.force_login(org.supervisor.user)
    _grow_team(org, 2)
    _board_queries(client, org)
    small = _board_queries(client, org)
    # when the team grows to 42 extra members
    _grow_team(org, 40)
    # then loading the board (selector and htmx refresh) costs the same number of queries
    with django_assert_max_num_queries(10):
        board = selectors.team_board(user=org.supervisor.user, now=at(DAY, 10))
    assert board["total"] >= 42
    with django_assert_max_num_queries(20):
        client.get(BOARD, HTTP_HX_REQUEST="true")
    assert _board_queries(client, org) == small


# --- proxy punching (代打卡, ATT-2) ---------------------------------------------------------------


def test_two_employees_from_one_ip_within_two_minutes_are_flagged(org):
    # given agent and peer punching from the same IP 90 seconds apart, and again 10 minutes apart
    PunchFactory(employee=org.agent, punched_at=at(DAY, 8, 58), ip="10.1.1.7", user_agent="Phone A")
    PunchFactory(
        employee=org.peer,
        punched_at=at(DAY, 8, 58) + datetime.timedelta(seconds=90),
        ip="10.1.1.7",
        user_agent="Phone A",
    )
    PunchFactory(employee=org.agent, punched_at=at(DAY, 18, 0), ip="10.1.1.8")
    PunchFactory(employee=org.peer, punched_at=at(DAY, 18, 10), ip="10.1.1.8")
    # when the supervisor runs the report for the day
    suspects = selectors.proxy_punch_suspects(user=org.supervisor.user, since=at(DAY, 0), until=at(DAY, 23, 59))
    # then only the close pair is flagged, marked as the same browser
    assert len(suspects) == 1
    suspect = suspects[0]
    assert suspect["by"] == "ip" and suspect["source"] == "10.1.1.7" and suspect["same_browser"] is True
    assert {e.pk for e in suspect["employees"]} == {org.agent.pk, org.peer.pk}


def test_same_device_within_window_is_flagged_and_visibility_applies(org):
    # given a time clock used by agent and peer within a minute, and by two people of another department
    device = DeviceFactory()
    for employee, minute in ((org.agent, 0), (org.peer, 1)):
        PunchFactory(employee=employee, punched_at=at(DAY, 9, minute), source="device", device=device, ip=None)
    for employee, minute in ((org.other_dept, 0), (org.hr, 1)):
        PunchFactory(employee=employee, punched_at=at(DAY, 13, minute), source="device", device=device, ip=None)
    # when the supervisor of A1 and HR run the report
    mine = selectors.proxy_punch_suspects(user=org.supervisor.user, since=at(DAY, 0), until=at(DAY, 23))
    company = selectors.proxy_punch_suspects(user=org.hr.user, since=at(DAY, 0), until=at(DAY, 23))
    # then the supervisor sees only the pair in their team; HR sees both
    assert len(mine) == 1 and mine[0]["by"] == "device" and mine[0]["source"] == device.name
    assert len(company) == 2


def test_one_employee_punching_twice_is_not_flagged(org):
    PunchFactory(employee=org.agent, punched_at=at(DAY, 9, 0), ip="10.1.1.9")
    PunchFactory(employee=org.agent, punched_at=at(DAY, 9, 1), ip="10.1.1.9")
    assert selectors.proxy_punch_suspects(user=org.hr.user, since=at(DAY, 0), until=at(DAY, 23)) == []


def test_proxy_page_lists_suspects_for_a_range(client, org):
    # given a flagged pair / when the supervisor opens the report for that day / then it is listed
    PunchFactory(employee=org.agent, punched_at=at(DAY, 8, 58), ip="10.1.1.7")
    PunchFactory(employee=org.peer, punched_at=at(DAY, 8, 59), ip="10.1.1.7")
    client.force_login(org.supervisor.user)
    html = client.get(PROXY, {"date_from": DAY.isoformat(), "date_to": DAY.isoformat()}).content.decode()
    assert html.count('class="proxy-suspect"') == 1 and "10.1.1.7" in html and org.peer.name in html
    # and the default range (last 7 days) does not include that old day
    assert 'id="proxy-none"' in client.get(PROXY).content.decode()
    # and a bad range is a form error, not a 500
    response = client.get(PROXY, {"date_from": "2026-03-10", "date_to": "2026-01-01"})
    assert response.status_code == 200 and 'id="proxy-none"' in response.content.decode()


def test_approved_leave_is_on_leave_not_absent(client, org):
    # given the supervisor's whole day of approved leave and the peer's morning of approved leave

    day_shift = ShiftTypeFactory()
    for employee in (org.supervisor, org.peer):
        RosterEntryFactory(employee=employee, work_date=DAY, shift=day_shift)
    for employee, noon in ((org.supervisor, False), (org.peer, True)):
        request = LeaveRequest(
            employee=employee,
            leave_type=leave_type("annual"),
            start_date=DAY,
            end_date=DAY,
            ends_at_noon=noon,
            days=Decimal("0.5") if noon else Decimal("1"),
            status=LeaveStatus.APPROVED,
            decided_at=at(DAY, 8),
        )
        request.set_span()
        request.save()
    # when the board is computed at 10:00
    board = selectors.team_board(user=org.supervisor.user, now=at(DAY, 10))
    state = {r["employee"].pk: r for r in board["rows"]}
    # then the whole day is "on leave" (ATT-3), not absent, and does not count against adherence
    assert state[org.supervisor.pk]["state"] == "on_leave" and state[org.supervisor.pk]["late_minutes"] == 0
    assert board["counts"]["on_leave"] == 2 and board["counts"]["absent"] == 0
    # and the morning's leave ends at the shift's midpoint (13:30): no punch by 14:00 is absence
    assert state[org.peer.pk]["leave"]["part"] == "morning"
    later = {r["employee"].pk: r for r in selectors.team_board(user=org.supervisor.user, now=at(DAY, 14))["rows"]}
    assert later[org.peer.pk]["state"] == "absent" and later[org.supervisor.pk]["state"] == "on_leave"
