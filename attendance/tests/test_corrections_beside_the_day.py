"""Punch corrections (补卡, ATT-2), issue 14: the approver sees the claimed time next to the day as
recorded — the roster's shift, the punches of the day (time, source, device) and the difference —
in a bounded number of queries however many requests wait."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import PunchSource, RosterEntry, ShiftType
from attendance.rules import correction_compare
from attendance.tests.factories import DeviceFactory, PunchFactory
from callcenter.tests import factories as f
from callcenter.tests.factories import reads_english


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


DAY = timezone.localdate() - datetime.timedelta(days=2)


@pytest.mark.parametrize(
    ("requested", "boundary", "minutes", "punch_minutes"),
    [
        ((9, 0), "start", 0, -540),  # exactly the start; the only punch is at 18:00
        ((9, 5), "start", 5, -535),
        ((8, 58), "start", -2, -542),
        ((13, 29), "start", 269, -271),  # nearer the start (09:00) than the end (18:00)
        ((13, 31), "end", -269, -269),
        ((18, 10), "end", 10, 10),
    ],
)
def test_correction_compare_at_its_boundaries(requested, boundary, minutes, punch_minutes):
    # given a 09:00-18:00 shift and one punch at 18:00 (ATT-2: the clock-in is missing)
    start, end = at(DAY, 9), at(DAY, 18)
    result = correction_compare(requested=at(DAY, *requested), start=start, end=end, punches=[at(DAY, 18)])
    assert (result.boundary, result.minutes, result.nearest_punch_minutes) == (boundary, minutes, punch_minutes)


def test_correction_compare_without_a_shift_or_punches():
    result = correction_compare(requested=at(DAY, 9), start=None, end=None, punches=[])
    assert (result.boundary, result.minutes, result.nearest_punch_minutes) == (None, None, None)


@pytest.fixture
def day_shift(db):
    return ShiftType.objects.create(code="D", name="白班", start_time=datetime.time(9), end_time=datetime.time(18))


def _claim(employee, hour=9, minute=3):
    return services.punch_correction_submit(
        actor=employee.user, work_date=DAY, requested_time=at(DAY, hour, minute), reason="忘记打卡，同事可作证"
    )


def test_the_inbox_shows_the_day_next_to_the_claimed_time(client, org, day_shift):
    # given the agent on the D shift, who clocked out at 18:04 on a time clock but has no clock-in
    RosterEntry.objects.create(employee=org.agent, work_date=DAY, kind="work", shift=day_shift)
    device = DeviceFactory(name="三楼考勤机")
    PunchFactory(employee=org.agent, punched_at=at(DAY, 18, 4), source=PunchSource.DEVICE, device=device)
    PunchFactory(employee=org.agent, punched_at=at(DAY - datetime.timedelta(days=1), 18))  # another day
    correction = _claim(org.agent, 9, 3)
    # when the supervisor opens the corrections inbox
    reads_english(org.supervisor)
    client.force_login(org.supervisor.user)
    response = client.get(reverse("attendance:corrections"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    # then the row shows the shift, the day's one punch with its source and device, and the difference
    row = html.split(f'id="correction-day-{correction.pk}"')[1].split("</td>")[0]
    assert "D</span> 09:00–18:00" in row
    assert "18:04" in row and "Time clock" in row and "三楼考勤机" in row
    assert row.count("data-punch") == 1
    assert 'data-diff-shift="3"' in html and "3 min from the shift start" in html
    assert 'data-diff-punch="-541"' in html


def test_the_inbox_says_when_nothing_was_recorded(client, org):
    correction = _claim(org.agent)
    reads_english(org.supervisor)
    client.force_login(org.supervisor.user)
    html = client.get(reverse("attendance:corrections"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = html.split(f'id="correction-day-{correction.pk}"')[1].split("</td>")[0]
    assert "Not scheduled" in row and "No punch recorded that day." in row


def test_the_inbox_reads_the_days_in_bounded_queries(client, org, day_shift):
    # given one pending request, then ten more from other agents of the team, each with punches
    def claim_for(employee):
        RosterEntry.objects.create(employee=employee, work_date=DAY, kind="work", shift=day_shift)
        PunchFactory(employee=employee, punched_at=at(DAY, 18))
        _claim(employee)

    claim_for(org.agent)
    client.force_login(org.supervisor.user)
    url = reverse("attendance:corrections")
    client.get(url)  # the first request of a session reads more (the session, the menu's caches)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(10):
        claim_for(f.EmployeeFactory(team=org.a1, department=org.dept_a))
    with CaptureQueriesContext(connection) as eleven:
        response = client.get(url)
    # then the page reads the same number of queries (two for the days: roster, punches)
    assert response.content.decode().count("data-roster") == 11
    assert len(eleven) == len(one), [q["sql"] for q in eleven.captured_queries]
