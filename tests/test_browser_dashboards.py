"""Issue 14 in real Chromium: each role's dashboard opens on what waits for them (a screenshot of
each), the module menus open by mouse and keyboard (on a desktop and on a phone), and the global
search finds people within the reader's remit (a screenshot of the results). Screenshots land in
test-artifacts/browser/dash-*.png; each is checked to exist and hold a real picture."""

import datetime

import pytest
from django.utils import timezone

from attendance import services as attendance_services
from attendance.models import DayKind, ShiftType
from attendance.tests.factories import PunchFactory, RosterEntryFactory
from complaints.models import Complaint
from complaints.tests.factories import complaint_recorded
from datasecurity.services import audit_lockout_record, audit_sign_in_failure_record
from performance.tests.factories import bonus_cycle_for
from tests.test_browser import ARTIFACTS, _login, browser, nav_click  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# role login -> a work-queue card its dashboard must show
QUEUE_CARDS = {
    "agent": "attendance_today",
    "supervisor": "team_now",
    "manager": "corrections_decide",
    "leader": "leave_decide",
    "hr": "bonus_queue",
    "handler": "complaints_open",
    "auditor": "audit_alerts",
}
MIN_PNG_BYTES = 10_000
# The contrast ratio (WCAG 2) of an element's text against the navbar's background, the text's
# alpha blended over it.
CONTRAST = """(selector) => {
  const parse = (c) => c.match(/[\\d.]+/g).map(Number);
  const el = document.querySelector(selector);
  const [r, g, b, a = 1] = parse(getComputedStyle(el).color);
  const [br, bg, bb] = parse(getComputedStyle(document.querySelector('.app-navbar')).backgroundColor);
  const mix = [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a)];
  const lum = (rgb) => {
    const [x, y, z] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * x + 0.7152 * y + 0.0722 * z;
  };
  const [l1, l2] = [lum(mix), lum([br, bg, bb])].sort((p, q) => q - p);
  return (l1 + 0.05) / (l2 + 0.05);
}"""  # a blank page is a few KB; a dashboard with cards is far more


def _shot(page, name: str):
    path = ARTIFACTS / f"dash-{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.exists() and path.stat().st_size > MIN_PNG_BYTES, path
    return path


@pytest.fixture
def busy(org):
    """Something waits for every role: the agent is rostered now and has not punched (absent so
    far), the peer punched late; a correction waits; two cycles are locked and one has no bonus
    sheet; an urgent and an overdue complaint; failed sign-ins and a lockout."""
    start = timezone.localtime() - datetime.timedelta(hours=2)
    shift = ShiftType.objects.create(
        code="NOW",
        name="当前班",
        start_time=start.time().replace(second=0, microsecond=0),
        end_time=(start + datetime.timedelta(hours=6)).time(),
    )
    for employee in (org.agent, org.peer):
        RosterEntryFactory(employee=employee, work_date=start.date(), kind=DayKind.WORK, shift=shift)
    PunchFactory(employee=org.peer, punched_at=start + datetime.timedelta(minutes=50))
    day = timezone.localdate() - datetime.timedelta(days=1)
    attendance_services.punch_correction_submit(
        actor=org.agent.user,
        work_date=day,
        requested_time=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
        reason="忘记打卡了，请补卡",
    )
    bonus_cycle_for(datetime.date(2026, 1, 1))
    bonus_cycle_for(datetime.date(2026, 2, 1))
    complaint_recorded(org, urgency="urgent")
    late = complaint_recorded(org)
    Complaint.objects.filter(pk=late.pk).update(first_response_due=timezone.now() - datetime.timedelta(hours=1))
    for n in range(3):
        audit_sign_in_failure_record(username="intruder", locked_out=False, failures=n + 1)
    audit_lockout_record(username="intruder", failures=5)
    return org


def test_each_roles_dashboard_is_its_work_queue(browser, live_server, busy):  # noqa: F811
    for who, card in QUEUE_CARDS.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        page = context.new_page()
        _login(page, live_server.url, who)
        assert page.locator(f'[data-card="{card}"]').is_visible(), (who, card)
        assert "coming-soon" not in page.content()
        _shot(page, f"{who}-zh")
        if who == "supervisor":
            # the late and the absent, named, with a link to the board
            assert page.locator('[data-card="team_now"] [data-count="late"]').inner_text() == "1"
            assert page.locator('[data-card="team_now"] [data-count="absent"]').inner_text() == "1"
            page.click('[data-card="team_now"] a[href$="#board-absent"]')
            page.wait_for_selector("#board-title")
        if who == "handler":
            page.click("#dashboard-complaints-urgent")
            page.wait_for_url("**/complaints/?status=open&urgency=urgent")
        context.close()


def test_module_menus_by_mouse_keyboard_and_on_a_phone(browser, live_server, busy):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    _login(page, live_server.url, "hr")
    # WCAG AA: the module menus' labels and links on the blue bar reach 4.5:1
    for selector in ("#nav-group-people", "#nav-group-attendance", '[data-nav-key="dashboard"]'):
        assert page.evaluate(CONTRAST, selector) >= 4.5, selector
    # the keyboard: Tab to the Attendance menu, Enter opens it, the arrow key reaches an entry
    page.focus("#nav-group-attendance")
    page.keyboard.press("Enter")
    page.wait_for_selector('[aria-labelledby="nav-group-attendance"].show')
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.getAttribute('data-nav-key')")
    assert focused in {"board", "roster", "attendance_summary", "shifts", "clock"}
    _shot(page, "menu-keyboard")
    page.keyboard.press("Escape")
    # the mouse: the roster page highlights the Attendance module
    nav_click(page, "roster")
    page.wait_for_load_state()
    assert page.get_attribute("#nav-group-attendance", "aria-current") == "true"
    assert page.get_attribute('[data-nav-key="roster"]', "aria-current") == "page"
    assert page.locator('[data-nav-key="api"]').count() == 1  # HR reads the API docs
    context.close()
    # a phone: the menu collapses; an agent has no API link
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, live_server.url, "agent")
    assert page.locator('[data-nav-key="api"]').count() == 0
    page.click(".navbar-toggler")
    page.click("#nav-group-attendance")
    page.wait_for_selector('[data-nav-key="corrections"]', state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "menu-phone")
    nav_click(page, "corrections")
    page.wait_for_selector("#corrections-title")
    # the search box sits in the phone's menu: the agent finds themselves by initials
    page.click(".navbar-toggler")
    page.fill("#nav-search-phone-q", "zw")
    page.press("#nav-search-phone-q", "Enter")
    page.wait_for_selector("#search-results")
    assert page.locator('[data-search-group="people"] [data-search-hit]').all_inner_texts() == ["张伟"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _shot(page, "search-phone")
    context.close()


def test_the_global_search_in_the_browser(browser, live_server, busy):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _login(page, live_server.url, "supervisor")
    # a supervisor types pinyin initials into the bar's search box
    page.fill("#nav-search-q", "wf")
    page.press("#nav-search-q", "Enter")
    page.wait_for_selector("#search-results")
    people = page.locator('[data-search-group="people"] [data-search-hit]')
    assert people.all_inner_texts() == ["王芳"]
    _shot(page, "search-supervisor")
    # someone of another department is not in their remit
    page.fill("#search-page-q", "赵敏")
    page.click("#search-submit")
    page.wait_for_selector("#search-results")
    assert page.locator('[data-search-group="people"] [data-search-hit]').count() == 0
    # too short: a clear message, nothing searched
    page.fill("#search-page-q", "王")
    page.click("#search-submit")
    page.wait_for_selector("#search-error")
    _shot(page, "search-too-short")
    context.close()
    # the complaint team finds a complaint by its number, without the customer's contact
    reference = Complaint.objects.order_by("pk").first().reference
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    _login(page, live_server.url, "handler")
    page.fill("#nav-search-q", reference)
    page.press("#nav-search-q", "Enter")
    page.wait_for_selector("#search-results")
    assert page.locator('[data-search-group="complaints"] [data-search-hit]').all_inner_texts() == [reference]
    assert "138" not in page.inner_text("#search-results")
    _shot(page, "search-complaint")
    page.click('[data-search-group="complaints"] [data-search-hit]')
    page.wait_for_url(f"**/complaints/{Complaint.objects.get(reference=reference).pk}/")
    context.close()


ONE_ROW = """async () => {
  await document.fonts.ready;  // the widths once the web fonts are in
  const tops = [...document.querySelectorAll('#main-menu > li, #user-menu, #logout')]
    .map((el) => Math.round(el.getBoundingClientRect().top));
  return Math.max(...tops) - Math.min(...tops);
}"""


@pytest.mark.parametrize("who", ["hr", "auditor", "supervisor"])
def test_the_menu_bar_is_one_row_on_a_laptop_in_both_languages(browser, live_server, busy, who):  # noqa: F811
    """At 1280 px the modules, the reader's menu and the log-out button stay on one row, in
    English too (longer words): the roles are in the reader's menu, not beside the name, and
    the log-out button shows its icon there (its name stays for screen readers)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _login(page, live_server.url, who)
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.evaluate(ONE_ROW) <= 8, (who, "zh-hans")
    page.click("#language-switch")
    page.wait_for_selector("#dashboard-title")
    assert page.get_attribute("html", "lang") == "en"
    assert page.evaluate(ONE_ROW) <= 8, (who, "en")
    assert page.get_attribute("#logout", "aria-label") == "Log out"
    context.close()
