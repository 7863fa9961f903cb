"""The agent's clock page (ATT-2) and what it computes: shift, lateness (ATT-4), overnight shifts (ATT-1)."""

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import selectors
from attendance.models import AttendancePolicy, DayKind, LeaveRequest, LeaveStatus, Punch
from attendance.tests.factories import PunchFactory, RosterEntryFactory, ShiftTypeFactory, leave_type, night_shift

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 10)
CLOCK = "/attendance/clock/"


def at(day, hour, minute=0, second=0):
    return datetime.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


def _key(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)


def test_url_name():
    assert reverse("attendance:clock") == CLOCK


# --- the page ---------------------------------------------------------------------------------------


def test_clock_page_shows_shift_and_button(client, org, django_assert_max_num_queries):
    # given an agent rostered on the day shift today
    RosterEntryFactory(employee=org.agent, work_date=timezone.localdate(), shift=ShiftTypeFactory())
    client.force_login(org.agent.user)
    # when they open the clock page
    with django_assert_max_num_queries(20):
        response = client.get(CLOCK)
    html = response.content.decode()
    # then the shift, the big button and a fresh key are shown
    assert response.status_code == 200
    assert "白班" in html and "09:00–18:00" in html
    assert 'id="clock-button"' in html and 'hx-post="/attendance/clock/"' in html
    assert _key(html) != _key(client.get(CLOCK).content.decode())


def test_clock_page_without_employee_record(client, org, django_user_model):
    # given a login without an employee record
    user = django_user_model.objects.create_user(
        "noemp", password="x-Long-Passw0rd", must_change_password=False, password_changed_at=timezone.now()
    )
    client.force_login(user)
    # when they open the page or post / then a clear message, no button, nothing recorded
    html = client.get(CLOCK).content.decode()
    assert 'id="clock-no-employee"' in html and 'id="clock-button"' not in html
    response = client.post(CLOCK, {"idempotency_key": "a" * 32}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="clock-error"' in response.content.decode()
    assert not Punch.objects.exists()


def test_htmx_post_records_one_punch_and_returns_partial_with_new_key(client, org):
    # given an agent on the clock page
    client.force_login(org.agent.user)
    key = _key(client.get(CLOCK).content.decode())
    # when the button is pressed (htmx), then pressed again with the same form (double click)
    first = client.post(CLOCK, {"idempotency_key": key}, HTTP_HX_REQUEST="true")
    second = client.post(CLOCK, {"idempotency_key": key}, HTTP_HX_REQUEST="true")
    # then one punch, the partial only, a new key, and the button now says clock out
    html = first.content.decode()
    assert first.status_code == 200 and "<html" not in html and 'id="clock-status"' in html
    assert 'id="clock-notice"' in html
    assert _key(html) != key
    assert "bi-box-arrow-right" in html and "bi-box-arrow-in-right" not in html
    assert Punch.objects.filter(employee=org.agent).count() == 1
    assert 'id="clock-notice"' in second.content.decode()
    # and with the new key a second punch (clock out) is recorded
    client.post(CLOCK, {"idempotency_key": _key(html)}, HTTP_HX_REQUEST="true")
    assert Punch.objects.filter(employee=org.agent).count() == 2


def test_plain_post_redirects_and_client_time_is_ignored(client, org):
    # given an agent posting without htmx and with a time of their own
    client.force_login(org.agent.user)
    response = client.post(CLOCK, {"idempotency_key": "abc", "punched_at": "2020-01-01 08:00"})
    # then redirected back, and the punch has the server's time
    assert response.status_code == 302 and response["Location"] == CLOCK
    punch = Punch.objects.get()
    assert punch.punched_at.year >= 2026
    assert punch.user_agent == "" and punch.ip == "127.0.0.1"


@pytest.mark.parametrize("key", ["", "has space", "x" * 81, "<b>"])
def test_bad_key_is_a_message_not_an_error(client, org, key):
    # given a tampered form / when posted / then a message, no punch, no 500
    client.force_login(org.agent.user)
    response = client.post(CLOCK, {"idempotency_key": key}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="clock-error"' in response.content.decode()
    assert not Punch.objects.exists()
    response = client.post(CLOCK, {"idempotency_key": key}, follow=True)
    assert response.status_code == 200


def test_clock_requires_login(client):
    assert client.get(CLOCK).status_code == 302


# --- lateness (ATT-4) -----------------------------------------------------------------------------------


@pytest.fixture
def grace_5(db):
    return AttendancePolicy.objects.create(effective_from=datetime.date(2020, 1, 1), late_grace_minutes=5)


@pytest.mark.parametrize(
    "punch_time,late,minutes",
    [
        ((8, 55, 0), False, 0),
        ((9, 0, 0), False, 0),
        ((9, 5, 0), False, 0),  # exactly start + grace: not late
        ((9, 5, 59), False, 0),  # still minute 5
        ((9, 6, 0), True, 6),  # one minute past the grace: late by 6 minutes
        ((9, 35, 0), True, 35),
    ],
)
def test_late_at_first_punch_boundaries(org, grace_5, punch_time, late, minutes):
    # given a 09:00 shift, a 5-minute grace period and the first punch at punch_time
    RosterEntryFactory(employee=org.agent, work_date=DAY, shift=ShiftTypeFactory())
    PunchFactory(employee=org.agent, punched_at=at(DAY, *punch_time))
    # when the clock status is computed at noon
    status = selectors.clock_status(employee=org.agent, now=at(DAY, 12))
    # then lateness follows ATT-4 at the boundary
    assert (status["is_late"], status["late_minutes"]) == (late, minutes)
    assert status["grace_minutes"] == 5 and "ATT-4" in status["explanation"]
    assert status["next_action"] == "out" and status["punch_count"] == 1


@pytest.mark.parametrize("now_time,late_now", [((9, 5, 0), False), ((9, 5, 59), False), ((9, 6, 0), True)])
def test_late_now_without_punch(org, grace_5, now_time, late_now):
    # given a 09:00 shift with 5 minutes' grace and no punch yet / when checked at now_time
    RosterEntryFactory(employee=org.agent, work_date=DAY, shift=ShiftTypeFactory())
    status = selectors.clock_status(employee=org.agent, now=at(DAY, *now_time))
    # then "late now" starts one minute after start + grace
    assert status["is_late_now"] is late_now
    assert status["next_action"] == "in"


def test_scheduled_times_are_aware_in_shanghai(org):
    # given a day shift / then start and end are 09:00 and 18:00 Shanghai time (01:00 / 10:00 UTC)
    RosterEntryFactory(employee=org.agent, work_date=DAY, shift=ShiftTypeFactory())
    status = selectors.clock_status(employee=org.agent, now=at(DAY, 8))
    assert status["scheduled_start"] == datetime.datetime(2026, 3, 10, 1, 0, tzinfo=datetime.UTC)
    assert status["scheduled_end"] == datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)
    assert status["state"] == "scheduled"


def test_rest_day_and_unscheduled(org):
    RosterEntryFactory(employee=org.agent, work_date=DAY, kind=DayKind.REST, shift=None)
    assert selectors.clock_status(employee=org.agent, now=at(DAY, 10))["state"] == "rest"
    assert selectors.clock_status(employee=org.peer, now=at(DAY, 10))["state"] == "unscheduled"


# --- overnight shifts (ATT-1) --------------------------------------------------------------------------


def test_punch_after_midnight_belongs_to_the_shift_that_started_the_day_before(org):
    # given a 22:00-07:00 shift starting the day before and a clock-in at 21:58
    yesterday = DAY - datetime.timedelta(days=1)
    RosterEntryFactory(employee=org.agent, work_date=yesterday, shift=night_shift())
    RosterEntryFactory(employee=org.agent, work_date=DAY, kind=DayKind.REST, shift=None)
    PunchFactory(employee=org.agent, punched_at=at(yesterday, 21, 58))
    # when the agent looks at 02:00
    status = selectors.clock_status(employee=org.agent, now=at(DAY, 2))
    # then the running shift is yesterday's, the clock-in counts, and the next action is "out"
    assert status["entry"].work_date == yesterday and status["from_previous_day"] is True
    assert status["scheduled_start"] == at(yesterday, 22) and status["scheduled_end"] == at(DAY, 7)
    assert status["punch_count"] == 1 and status["next_action"] == "out"
    assert status["is_late"] is False
    # and a punch at 02:00 is the second punch of that shift
    PunchFactory(employee=org.agent, punched_at=at(DAY, 2))
    status = selectors.clock_status(employee=org.agent, now=at(DAY, 2, 1))
    assert status["entry"].work_date == yesterday and status["punch_count"] == 2
    # and after the shift's window (end + 6 h, as in the daily computation) the day's own roster applies
    assert selectors.clock_status(employee=org.agent, now=at(DAY, 13, 1))["state"] == "rest"


def test_overnight_then_day_shift_split_the_morning(org):
    # given a night shift ending 07:00 and a day shift starting 09:00 the same day
    yesterday = DAY - datetime.timedelta(days=1)
    RosterEntryFactory(employee=org.agent, work_date=yesterday, shift=night_shift())
    RosterEntryFactory(employee=org.agent, work_date=DAY, shift=ShiftTypeFactory())
    PunchFactory(employee=org.agent, punched_at=at(yesterday, 22))
    PunchFactory(employee=org.agent, punched_at=at(DAY, 7, 2))
    # when checked at 07:30 / then still the night shift (clocked out, 2 punches)
    status = selectors.clock_status(employee=org.agent, now=at(DAY, 7, 30))
    assert status["entry"].work_date == yesterday and status["punch_count"] == 2
    # when checked at 08:30 / then the day shift, no punch yet, next action "in"
    status = selectors.clock_status(employee=org.agent, now=at(DAY, 8, 30))
    assert status["entry"].work_date == DAY and status["punch_count"] == 0 and status["next_action"] == "in"


def test_overnight_lateness_is_against_the_evening_start(org):
    # given a 22:00 start, no grace, and a clock-in at 00:10 / then 130 minutes late
    yesterday = DAY - datetime.timedelta(days=1)
    RosterEntryFactory(employee=org.agent, work_date=yesterday, shift=night_shift())
    PunchFactory(employee=org.agent, punched_at=at(DAY, 0, 10))
    status = selectors.clock_status(employee=org.agent, now=at(DAY, 1))
    assert status["is_late"] and status["late_minutes"] == 130


def test_clock_page_says_when_the_day_is_approved_leave(client, org):
    # given the agent's whole day of approved annual leave today (ATT-3)

    today = timezone.localdate()
    RosterEntryFactory(employee=org.agent, work_date=today, shift=ShiftTypeFactory())
    request = LeaveRequest(
        employee=org.agent,
        leave_type=leave_type("annual"),
        start_date=today,
        end_date=today,
        days=Decimal("1"),
        status=LeaveStatus.APPROVED,
        decided_at=timezone.now(),
    )
    request.set_span()
    request.save()
    client.force_login(org.agent.user)
    # when they open the clock page / then it says so and links to the request, no lateness shown
    html = client.get(CLOCK).content.decode()
    assert 'id="clock-leave"' in html and f"/attendance/leave/{request.pk}/" in html
    assert selectors.clock_status(employee=org.agent)["state"] == "on_leave"
