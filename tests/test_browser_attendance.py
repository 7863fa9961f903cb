"""Attendance journeys in Chromium: an agent clocks in from a phone (one punch however many
clicks), a supervisor watches the live board. Screenshots in test-artifacts/browser/."""

import datetime

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import DailyAttendance, Punch, RosterEntry, ShiftType
from tests.test_browser import ARTIFACTS, _login, browser  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scheduled(org):
    # a shift that started an hour ago (so the agent is late) and runs for eight more hours
    now = timezone.localtime()
    start = (now - datetime.timedelta(hours=1)).replace(second=0, microsecond=0)
    end = start + datetime.timedelta(hours=9)
    shift = ShiftType.objects.create(code="T", name="测试班", start_time=start.time(), end_time=end.time())
    RosterEntry.objects.create(employee=org.agent, work_date=start.date(), kind="work", shift=shift)
    RosterEntry.objects.create(employee=org.peer, work_date=start.date(), kind="work", shift=shift)
    return org


def test_agent_clocks_in_from_a_phone_once(browser, live_server, scheduled):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, live_server.url, "agent")
    page.click("#dashboard-clock")
    page.wait_for_selector("#clock-button")
    page.screenshot(path=ARTIFACTS / "10-clock-before.png", full_page=True)
    # when the agent double-clicks the button
    page.dblclick("#clock-button")
    page.wait_for_selector("#clock-notice, #clock-error")
    page.wait_for_timeout(500)
    page.screenshot(path=ARTIFACTS / "11-clock-after.png", full_page=True)
    # then exactly one punch is recorded and the page shows it, late per ATT-4
    assert Punch.objects.filter(employee=scheduled.agent).count() == 1
    assert page.locator("#clock-punch-count").inner_text().strip() == "1"
    assert page.locator("#clock-late").count() == 1
    context.close()


def test_supervisor_sees_the_live_board(browser, live_server, scheduled):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_server.url, "supervisor")
    page.goto(f"{live_server.url}/attendance/board/")
    html = page.content()
    assert scheduled.agent.name in html and scheduled.other_dept.name not in html
    page.screenshot(path=ARTIFACTS / "12-board.png", full_page=True)
    context.close()


def test_my_attendance_reads_well_on_a_phone(browser, live_server, org):  # noqa: F811
    # given an agent with days of every kind this month, one with a long explanation
    first = timezone.localdate().replace(day=1)
    long_text = [{"rule": "absent"}, {"rule": "missing_punch"}]
    for offset, status in enumerate(["normal", "late", "absent", "missing_punch", "on_leave", "rest"]):
        DailyAttendance.objects.create(
            employee=org.agent, work_date=first + datetime.timedelta(days=offset), status=status, explanation=long_text
        )
    # when the agent opens my attendance on a 375 px phone
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/attendance/me/?month={first:%Y-%m}")
    page.wait_for_selector("#month-days")
    page.screenshot(path=ARTIFACTS / "13-my-attendance-phone.png", full_page=True)
    # then the explanation has room (not one character per line) and the page does not scroll sideways
    widths = page.eval_on_selector_all("#month-days .month-explanation", "cells => cells.map(c => c.offsetWidth)")
    assert widths and min(widths) > 120, widths
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # and every status badge has a background that differs from its text colour (no white on white)
    colours = page.eval_on_selector_all(
        "#month-days .badge",
        "bs => bs.map(b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color])",
    )
    assert len(colours) == 6 and all(bg != fg and bg != "rgba(0, 0, 0, 0)" for bg, fg in colours), colours
    context.close()


def test_the_roster_shows_the_whole_month_at_1366_and_a_cell_changes_in_place(browser, live_server, org):  # noqa: F811
    # given a team with the default shifts, on a 1366 x 768 laptop screen
    services.shift_types_defaults_install()
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    _login(page, live_server.url, "supervisor")
    month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    page.goto(f"{live_server.url}/attendance/roster/?team={org.a1.pk}&month={month:%Y-%m}")
    page.wait_for_selector("#roster-table")
    page.screenshot(path=ARTIFACTS / "14-roster-1366.png", full_page=True)
    # then the last day's column is inside the viewport and the scroller, without scrolling sideways
    last = page.locator("#roster-table thead th[data-date]").last.bounding_box()
    box = page.locator("#roster-scroller").bounding_box()
    assert last["x"] + last["width"] <= min(1366, box["x"] + box["width"]), (last, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # and the scroller is reachable by keyboard, with a name
    scroller = page.locator("#roster-scroller")
    assert scroller.get_attribute("tabindex") == "0" and scroller.get_attribute("aria-label")
    # when the supervisor clicks the agent's 10th and chooses the first shift
    page.evaluate("window.__roster_marker = 'kept'")
    cell_id = f"#roster-cell-{org.agent.pk}-{month.replace(day=10):%Y%m%d}"
    page.click(f"{cell_id} button")
    page.wait_for_selector(f"{cell_id} select")
    page.select_option(f"{cell_id} select", label="D")
    page.click(f"{cell_id} button[type=submit]")
    page.wait_for_selector(f"{cell_id} button.roster-cell-button")
    page.screenshot(path=ARTIFACTS / "15-roster-cell-saved.png", full_page=True)
    # then the cell shows the shift, the page was not reloaded, and the entry is saved
    assert page.locator(cell_id).inner_text().strip() == "D"
    assert page.evaluate("window.__roster_marker") == "kept"
    assert RosterEntry.objects.get(employee=org.agent, work_date=month.replace(day=10)).shift.code == "D"
    context.close()
