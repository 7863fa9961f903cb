"""Shift types and the roster (ATT-1), month locks (ATT-2): services, selectors, pages, API.

2026 calendar as the installed chinesecalendar 1.11 publishes it (checked before writing):
Sep 25–27 Mid-Autumn holiday, Oct 1–7 National Day holiday, make-up workdays Sunday Sep 20 and
Saturday Oct 10 (the brief expected Sep 27; the library says Sep 27 is inside the Mid-Autumn
holiday, so the tests follow the library).
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from attendance import selectors, services
from attendance.models import DayKind, RosterEntry, ShiftType
from attendance.tests.factories import MonthVerificationFactory, RosterEntryFactory
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

D = datetime.date
SEP15, OCT15 = D(2026, 9, 15), D(2026, 10, 15)


@pytest.fixture
def shifts(db):
    services.shift_types_defaults_install()
    return {s.code: s for s in ShiftType.objects.all()}


@pytest.fixture
def planning_ahead(monkeypatch):
    """'Today' is 1 September 2026 for the roster services: the team's autumn is planned ahead. A
    supervisor rosters their team, their own days included, ahead of time; their own days already
    begun are refused (SEC-2, tests/test_duties.py)."""
    monkeypatch.setattr("attendance.services.roster.timezone", SimpleNamespace(localdate=lambda: D(2026, 9, 1)))


def weekdays(shift):
    """Monday–Friday ``shift``, the weekend off: the pattern a roster request takes (shift type ids)."""
    return {0: shift.pk, 1: shift.pk, 2: shift.pk, 3: shift.pk, 4: shift.pk, 5: None, 6: None}


def entries(employee):
    return {e.work_date: e for e in RosterEntry.objects.filter(employee=employee).select_related("shift")}


# --- Shift types --------------------------------------------------------------------------------


def test_defaults_install_is_idempotent(db):
    # given an empty installation; when the defaults are installed twice
    first = services.shift_types_defaults_install()
    second = services.shift_types_defaults_install()
    # then the four default shifts exist once, 白班 09:00–18:00 with a 60-minute break
    assert len(first) == 4 and second == []
    day = ShiftType.objects.get(code="D")
    assert (day.name, day.start_time, day.end_time, day.break_minutes) == (
        "白班",
        datetime.time(9),
        datetime.time(18),
        60,
    )
    assert ShiftType.objects.get(code="N").overnight


def test_overnight_shift_type_accepted(org):
    # given HR; when it defines a 22:00–06:00 shift with a 30-minute break
    shift = services.shift_type_create(
        actor=org.hr.user,
        code="N2",
        name="大夜班",
        start_time=datetime.time(22),
        end_time=datetime.time(6),
        break_minutes=30,
    )
    # then it is overnight with 7.5 paid hours, and audited
    assert shift.overnight and shift.paid_minutes == 450
    assert AuditEvent.objects.filter(action="shift_type.create", object_id=str(shift.pk)).exists()


@pytest.mark.parametrize(
    "start,end,break_minutes,code",
    [
        (datetime.time(9), datetime.time(18), 540, "shift_type_break_too_long"),  # break == shift
        (datetime.time(22), datetime.time(2), 240, "shift_type_break_too_long"),  # overnight, 4 h
        (datetime.time(9), datetime.time(9), 0, "shift_type_empty"),
    ],
)
def test_shift_type_break_must_be_shorter_than_the_shift(org, start, end, break_minutes, code):
    # given a supervisor; when the break is not shorter than the shift; then it is refused
    with pytest.raises(ApplicationError) as exc:
        services.shift_type_create(
            actor=org.supervisor.user, code="X", name="x", start_time=start, end_time=end, break_minutes=break_minutes
        )
    assert exc.value.code == code
    assert not ShiftType.objects.filter(code="X").exists()


def test_shift_type_update_and_permissions(org, shifts):
    # given an agent; when they try to define a shift; then refused
    with pytest.raises(PermissionDeniedError):
        services.shift_type_create(
            actor=org.agent.user,
            code="Z",
            name="z",
            start_time=datetime.time(8),
            end_time=datetime.time(17),
            break_minutes=60,
        )
    # when HR shortens the break of 白班; then it is saved and audited with old and new values
    shift = services.shift_type_update(actor=org.hr.user, shift_type_id=shifts["D"].pk, break_minutes=30)
    assert shift.paid_minutes == 510
    event = AuditEvent.objects.get(action="shift_type.update")
    assert event.changes == {"break_minutes": [60, 30]}
    # when the code collides with another shift; then a clear error, not a 500
    with pytest.raises(ApplicationError) as exc:
        services.shift_type_update(actor=org.hr.user, shift_type_id=shifts["D"].pk, code="N")
    assert exc.value.code == "shift_type_code_taken"


def test_shift_types_and_patterns_by_unknown_id(org, shifts):
    # an unknown shift type is not found; a pattern or a day naming one is refused, nothing written
    with pytest.raises(NotFoundError):
        services.shift_type_update(actor=org.hr.user, shift_type_id=999999, break_minutes=30)
    with pytest.raises(ApplicationError) as exc:
        services.roster_assign(
            actor=org.hr.user, employee_ids=[org.agent.pk], date_from=SEP15, date_to=SEP15, pattern={1: 999999}
        )
    assert exc.value.code == "pattern_invalid"
    with pytest.raises(ApplicationError) as exc:
        services.roster_entry_set(
            actor=org.hr.user, employee_id=org.agent.pk, work_date=SEP15, kind=DayKind.WORK, shift_id=999999
        )
    assert exc.value.code == "pattern_invalid"
    assert not RosterEntry.objects.exists()


# --- Bulk assignment ----------------------------------------------------------------------------


def test_bulk_assign_follows_the_2026_statutory_calendar(org, shifts):
    # given the supervisor of team A1 and a Monday–Friday 白班 pattern
    team = [org.agent, org.peer]
    # when they roster Sep 15 – Oct 15 2026 (31 days)
    result = services.roster_assign(
        actor=org.supervisor.user,
        employee_ids=[e.pk for e in team],
        date_from=SEP15,
        date_to=OCT15,
        pattern=weekdays(shifts["D"]),
    )
    # then every day has an entry; holidays have no shift; make-up days get the weekday shift
    assert result["entries"] == 62 and result["created"] == 62 and result["kept"] == 0
    assert result["holidays"] == 10 and result["makeup_days"] == 2
    roster = entries(org.agent)
    for day in [D(2026, 10, n) for n in range(1, 8)] + [D(2026, 9, 25), D(2026, 9, 26), D(2026, 9, 27)]:
        assert roster[day].kind == DayKind.HOLIDAY and roster[day].shift is None, day
    assert "National Day" in roster[D(2026, 10, 1)].note
    for makeup in (D(2026, 9, 20), D(2026, 10, 10)):  # Sunday, Saturday: official workdays (调休)
        assert roster[makeup].kind == DayKind.WORK and roster[makeup].shift.code == "D", makeup
    assert roster[D(2026, 10, 11)].kind == DayKind.REST  # an ordinary Sunday
    assert roster[D(2026, 10, 8)].shift.code == "D"  # an ordinary Thursday
    # and one audit event describes the whole request with its counts
    event = AuditEvent.objects.get(action="roster.assign")
    assert event.changes["created"] == 62 and event.changes["employee_ids"] == sorted([org.agent.pk, org.peer.pk])


def test_makeup_day_takes_the_first_weekday_shift(org, shifts):
    # given a pattern with Monday off and 早班 from Tuesday; when Saturday Oct 10 2026 is rostered
    pattern = {1: shifts["M"].pk, 2: shifts["M"].pk, 3: shifts["D"].pk}
    services.roster_assign(
        actor=org.hr.user,
        employee_ids=[org.agent.pk],
        date_from=D(2026, 10, 10),
        date_to=D(2026, 10, 10),
        pattern=pattern,
    )
    # then it gets the Tuesday shift
    assert entries(org.agent)[D(2026, 10, 10)].shift.code == "M"


@pytest.mark.parametrize("date_from,date_to", [(D(2030, 1, 1), D(2030, 1, 31)), (D(2026, 12, 20), D(2027, 1, 10))])
def test_unknown_year_is_refused_and_nothing_written(org, shifts, date_from, date_to):
    # given a period in a year the installed calendar does not cover
    # when the supervisor rosters it; then a clear error naming the year, and nothing is written

    with pytest.raises(ApplicationError) as exc, translation.override("en"):
        services.roster_assign(
            actor=org.supervisor.user,
            employee_ids=[org.agent.pk],
            date_from=date_from,
            date_to=date_to,
            pattern=weekdays(shifts["D"]),
        )
    assert exc.value.code == "calendar_unknown"
    assert str(date_to.year) in str(exc.value.message) and "manually" in str(exc.value.message)
    assert not RosterEntry.objects.exists() and not AuditEvent.objects.filter(action="roster.assign").exists()


def test_unknown_year_can_be_rostered_day_by_day(org, shifts):
    # given 2030 (unknown calendar); when the supervisor sets a rest day by hand; then it is saved
    entry = services.roster_entry_set(
        actor=org.supervisor.user, employee_id=org.agent.pk, work_date=D(2030, 1, 1), kind=DayKind.REST, shift_id=None
    )
    assert entry.kind == DayKind.REST
    assert AuditEvent.objects.filter(action="roster.entry_set").count() == 1


def test_existing_entries_are_kept_unless_overwrite(org, shifts):
    # given the agent already has 晚班 on Monday Sep 21
    RosterEntryFactory(employee=org.agent, work_date=D(2026, 9, 21), shift=shifts["E"])
    args = dict(
        employee_ids=[org.agent.pk], date_from=D(2026, 9, 21), date_to=D(2026, 9, 22), pattern=weekdays(shifts["D"])
    )
    # when assigned without overwrite; then the existing entry is kept and reported
    result = services.roster_assign(actor=org.supervisor.user, **args)
    assert (result["created"], result["kept"], result["updated"]) == (1, 1, 0)
    assert entries(org.agent)[D(2026, 9, 21)].shift.code == "E"
    # when assigned with overwrite; then both days follow the pattern
    result = services.roster_assign(actor=org.supervisor.user, overwrite=True, **args)
    assert (result["created"], result["kept"], result["updated"]) == (0, 0, 2)
    assert entries(org.agent)[D(2026, 9, 21)].shift.code == "D"
    assert RosterEntry.objects.count() == 2


def test_supervisor_cannot_roster_another_team(org, shifts):
    # given the supervisor of A1; when the request also names a member of A2
    with pytest.raises(PermissionDeniedError):
        services.roster_assign(
            actor=org.supervisor.user,
            employee_ids=[org.agent.pk, org.other_team.pk],
            date_from=SEP15,
            date_to=OCT15,
            pattern=weekdays(shifts["D"]),
        )
    # then the whole request is refused: nothing written, not even for the own team member
    assert not RosterEntry.objects.exists()


@pytest.mark.parametrize(
    "who,target,allowed",
    [
        ("supervisor", "agent", True),
        ("supervisor", "other_team", False),
        ("manager", "other_team", True),  # same department
        ("manager", "other_dept", False),
        ("hr", "other_dept", True),
        ("agent", "agent", False),  # no roster function
        ("auditor", "agent", False),
    ],
)
def test_roster_remit_matrix(org, shifts, who, target, allowed):
    # given a role and a target employee; when setting one day; then allowed only within the remit
    call = lambda: services.roster_entry_set(  # noqa: E731
        actor=getattr(org, who).user,
        employee_id=getattr(org, target).pk,
        work_date=SEP15,
        kind=DayKind.WORK,
        shift_id=shifts["D"].pk,
    )
    if allowed:
        assert call().shift == shifts["D"]
    else:
        with pytest.raises(PermissionDeniedError):
            call()
        assert not RosterEntry.objects.exists()


def test_range_and_size_limits(org, shifts):
    # given more than 62 days; then refused before anything is written
    with pytest.raises(ApplicationError) as exc:
        services.roster_assign(
            actor=org.hr.user, employee_ids=[org.agent.pk], date_from=D(2026, 1, 1), date_to=D(2026, 3, 4), pattern={}
        )
    assert exc.value.code == "date_range_too_long"
    with pytest.raises(ApplicationError):
        services.roster_assign(
            actor=org.hr.user, employee_ids=[org.agent.pk], date_from=OCT15, date_to=SEP15, pattern={}
        )


def test_locked_month_refuses_roster_changes(org, shifts):
    # given team A1's October 2026 is verified (ATT-2)
    MonthVerificationFactory(team=org.a1, month=D(2026, 10, 1), verified_by=org.supervisor.user)
    # when the supervisor assigns a range reaching into October; then refused with a clear message
    with pytest.raises(ApplicationError) as exc:
        services.roster_assign(
            actor=org.supervisor.user,
            employee_ids=[org.agent.pk],
            date_from=SEP15,
            date_to=OCT15,
            pattern=weekdays(shifts["D"]),
        )
    assert exc.value.code == "month_locked" and "2026-10" in str(exc.value.message)
    with pytest.raises(ApplicationError):
        services.roster_entry_set(
            actor=org.hr.user, employee_id=org.agent.pk, work_date=D(2026, 10, 20), kind=DayKind.REST, shift_id=None
        )
    assert not RosterEntry.objects.exists()
    # and September alone (not locked) is still open
    services.roster_entry_set(
        actor=org.supervisor.user, employee_id=org.agent.pk, work_date=D(2026, 9, 30), kind=DayKind.REST, shift_id=None
    )


def test_bulk_assign_for_30_people_over_31_days_has_bounded_queries(org, shifts, django_assert_max_num_queries):
    # given a team of 30 agents supervised by the A1 supervisor
    team = f.TeamFactory(department=org.dept_a, supervisor=org.supervisor)
    members = [f.EmployeeFactory(team=team, department=org.dept_a) for _ in range(30)]
    # when they roster the whole of October 2026
    with django_assert_max_num_queries(20):
        result = services.roster_assign(
            actor=org.supervisor.user,
            employee_ids=[e.pk for e in members],
            date_from=D(2026, 10, 1),
            date_to=D(2026, 10, 31),
            pattern=weekdays(shifts["D"]),
        )
    # then 930 entries, in a constant number of queries
    assert result["created"] == 930 == RosterEntry.objects.count()
    # and reading the grid is bounded as well
    with django_assert_max_num_queries(10):
        grid = selectors.roster_grid(
            user=org.supervisor.user, team=team, date_from=D(2026, 10, 1), date_to=D(2026, 10, 31)
        )
    assert len(grid["rows"]) == 30 and all(len(r["cells"]) == 31 for r in grid["rows"])


def test_grid_marks_holidays_and_unknown_calendar(org, shifts):
    # given a grid over Oct 2026 and one over Jan 2030
    october = selectors.roster_grid(user=org.hr.user, team=org.a1, date_from=D(2026, 10, 1), date_to=D(2026, 10, 31))
    unknown = selectors.roster_grid(user=org.hr.user, team=org.a1, date_from=D(2030, 1, 1), date_to=D(2030, 1, 31))
    # then holidays and make-up days are marked; the unknown year is flagged, not guessed
    days = {d.date: d for d in october["days"]}
    assert days[D(2026, 10, 1)].holiday and days[D(2026, 10, 10)].makeup and not october["calendar_unknown"]
    assert unknown["calendar_unknown"] and not any(d.holiday for d in unknown["days"])


# --- Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,roster_status,shifts_status",
    [
        ("agent", 403, 403),
        ("supervisor", 200, 200),
        ("manager", 200, 403),
        ("leader", 200, 403),
        ("hr", 200, 200),
        ("auditor", 403, 403),
    ],
)
def test_page_role_matrix(client, org, shifts, who, roster_status, shifts_status):
    # given a logged-in role; when it opens the roster and the shift-type pages; then per the matrix
    client.force_login(getattr(org, who).user)
    assert client.get(reverse("attendance:roster")).status_code == roster_status
    assert client.get(reverse("attendance:shift_types")).status_code == shifts_status


def test_roster_page_shows_grid_and_htmx_partial(client, org, shifts):
    # given a rostered October for A1
    services.roster_assign(
        actor=org.hr.user,
        employee_ids=[org.agent.pk],
        date_from=D(2026, 10, 1),
        date_to=D(2026, 10, 31),
        pattern=weekdays(shifts["D"]),
    )
    client.force_login(org.supervisor.user)
    url = reverse("attendance:roster") + f"?team={org.a1.pk}&month=2026-10"
    # when the page loads; then the grid marks the holiday, shows the form and the agent
    html = client.get(url).content.decode()
    assert 'id="roster-table"' in html and 'data-holiday="1"' in html and 'id="roster-assign-form"' in html
    assert org.agent.name in html
    # when htmx asks for the grid; then only the partial comes back
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="roster-grid"' in partial and "<html" not in partial and "roster-assign-form" not in partial
    # and a team the supervisor cannot see answers 404
    assert client.get(reverse("attendance:roster") + f"?team={org.b1.pk}").status_code == 404


def test_roster_page_bulk_assign_form(client, org, shifts, planning_ahead):
    # given the supervisor on the roster page; when they assign the whole team Mon–Fri 白班
    client.force_login(org.supervisor.user)
    data = {
        "team": org.a1.pk,
        "month": "2026-10",
        "whole_team": "on",
        "date_from": "2026-10-08",
        "date_to": "2026-10-14",
    }
    data.update({f"weekday_{n}": shifts["D"].pk for n in range(5)})
    response = client.post(reverse("attendance:roster_assign"), data)
    # then entries exist for every A1 member and the user is sent back to the grid
    assert response.status_code == 302
    assert RosterEntry.objects.filter(employee=org.peer).count() == 7
    # when the range is in an unknown year; then the form shows the error (400, not 500)
    data.update({"date_from": "2030-01-01", "date_to": "2030-01-07"})
    response = client.post(reverse("attendance:roster_assign"), data)
    assert response.status_code == 400 and "2030" in response.content.decode()


def test_shift_type_page_creates_overnight_shift(client, org, shifts):
    # given HR on the shift-type page; when it saves an overnight shift
    client.force_login(org.hr.user)
    response = client.post(
        reverse("attendance:shift_types"),
        {"code": "N3", "name": "<b>夜</b>", "start_time": "23:00", "end_time": "07:00", "break_minutes": 60},
    )
    assert response.status_code == 302
    # then the list shows it with the overnight badge; markup in the name is escaped
    html = client.get(reverse("attendance:shift_types")).content.decode()
    assert 'data-overnight="1"' in html and "&lt;b&gt;夜&lt;/b&gt;" in html


# --- API ----------------------------------------------------------------------------------------


def test_api_roster_read_and_assign(client, org, shifts, planning_ahead):
    # given the supervisor of A1
    client.force_login(org.supervisor.user)
    # when assigning the whole team over the API; then counts come back
    body = {
        "team": org.a1.pk,
        "date_from": "2026-10-01",
        "date_to": "2026-10-10",
        "pattern": {"0": shifts["D"].pk, "6": None},
    }
    response = client.post(reverse("api:attendance:roster_assign"), body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["holidays"] == 7 and response.json()["employees"] == 5
    # when reading it back; then one row per employee, paginated, holidays marked
    response = client.get(
        reverse("api:attendance:roster"), {"team": org.a1.pk, "date_from": "2026-10-01", "date_to": "2026-10-10"}
    )
    data = response.json()
    assert data["count"] == 5 and data["results"][0]["days"][0]["kind"] == "holiday"
    # when naming another team's member; then 403 {detail, code} and nothing written for them
    body = {"employees": [org.other_team.pk], "date_from": "2026-10-01", "date_to": "2026-10-10", "pattern": {}}
    response = client.post(reverse("api:attendance:roster_assign"), body, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not RosterEntry.objects.filter(employee=org.other_team).exists()
    # when reading another department's team; then 404
    response = client.get(
        reverse("api:attendance:roster"), {"team": org.b1.pk, "date_from": "2026-10-01", "date_to": "2026-10-10"}
    )
    assert response.status_code == 404


def test_api_roster_unknown_year_and_roles(client, org, shifts):
    client.force_login(org.hr.user)
    body = {"employees": [org.agent.pk], "date_from": "2030-01-01", "date_to": "2030-01-02", "pattern": {}}
    response = client.post(reverse("api:attendance:roster_assign"), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "calendar_unknown"
    # given an agent; when assigning; then 403 (function-level); the shift types are readable by all
    client.force_login(org.agent.user)
    assert (
        client.post(reverse("api:attendance:roster_assign"), body, content_type="application/json").status_code == 403
    )
    response = client.get(reverse("api:attendance:shift_types"))
    assert response.status_code == 200 and {r["code"] for r in response.json()["results"]} == {"D", "M", "E", "N"}


# --- Separation of duties (SEC-2) ----------------------------------------------------------------


def test_a_supervisor_plans_their_own_days_ahead_but_not_the_days_already_begun(org, shifts):
    """Given the supervisor of A1 (a member of A1), when they roster the team for a coming week,
    their own days included, then it is saved; when they change their own roster of today or an
    earlier day (what their attendance is judged against), then it is refused with own_record and
    nothing is written, while the same change for a team member is saved."""
    monday = timezone.localdate() + datetime.timedelta(days=7 - timezone.localdate().weekday())
    team = [org.supervisor.pk, org.agent.pk]
    services.roster_entry_set(
        actor=org.supervisor.user, employee_id=org.supervisor.pk, work_date=monday, kind=DayKind.REST
    )
    before = RosterEntry.objects.count()
    today = timezone.localdate()
    for call in (
        lambda: services.roster_entry_set(
            actor=org.supervisor.user, employee_id=org.supervisor.pk, work_date=today, kind=DayKind.REST
        ),
        lambda: services.roster_assign(
            actor=org.supervisor.user, employee_ids=team, date_from=today, date_to=today, pattern={}
        ),
    ):
        with pytest.raises(PermissionDeniedError) as exc:
            call()
        assert exc.value.code == "own_record"
    assert RosterEntry.objects.count() == before
    entry = services.roster_entry_set(actor=org.supervisor.user, employee_id=org.agent.pk, work_date=today, kind="rest")
    assert entry.kind == DayKind.REST
