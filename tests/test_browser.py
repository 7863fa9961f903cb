"""Browser journeys in real Chromium (Debian's package, driven by Playwright; never
`playwright install`). Screenshots of every step land in test-artifacts/browser/."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from callcenter.roles import Role
from callcenter.tests import factories as f
from callcenter.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"


@pytest.fixture(scope="module")
def browser(chromium):
    """The process's Chromium (conftest.py ``chromium``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return chromium


def _login(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#dashboard-title")


def nav_click(page, key):
    """Open the menu entry ``key`` the way a person does (issue 14: entries sit in module menus):
    the phone's collapsed menu first, then the entry's module dropdown when it is in one, then
    the entry itself."""
    entry = page.locator(f'[data-nav-key="{key}"]')
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and not page.locator("#main-nav").is_visible():
        toggler.click()
    if not entry.is_visible():
        page.locator(f'li.dropdown:has([data-nav-key="{key}"]) > [data-bs-toggle="dropdown"]').click()
    entry.click()


def test_agent_logs_in_sees_dashboard_and_switches_language(browser, live_server, org):
    # given an agent on a desktop browser
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.screenshot(path=ARTIFACTS / "01-login-zh.png", full_page=True)
    # when they log in
    _login(page, live_server.url, "agent")
    # then they see the agent dashboard in Chinese
    assert page.locator('[data-role="agent"]').count() >= 1
    assert org.agent.name in page.content()
    page.screenshot(path=ARTIFACTS / "02-agent-dashboard-zh.png", full_page=True)
    # when they switch language with one click
    page.click("#language-switch")
    page.wait_for_selector("html[lang='en']")
    # then the page is English, and stays English on the next page load
    assert "Dashboard" in page.content()
    page.reload()
    assert page.locator("html").get_attribute("lang") == "en"
    page.screenshot(path=ARTIFACTS / "03-agent-dashboard-en.png", full_page=True)
    org.agent.user.refresh_from_db()
    assert org.agent.user.preferred_language == "en"
    context.close()


def test_agent_on_a_phone(browser, live_server, org):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, live_server.url, "agent")
    # the page fits the phone: no horizontal scrolling
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    page.screenshot(path=ARTIFACTS / "04-agent-phone.png", full_page=True)
    context.close()


@pytest.mark.parametrize("who", ["supervisor", "manager", "leader", "hr", "handler", "auditor"])
def test_each_role_dashboard_in_browser(browser, live_server, org, who):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_server.url, who)
    assert re.search(r'data-role="[a-z_]+"', page.content())
    page.screenshot(path=ARTIFACTS / f"05-dashboard-{who}.png", full_page=True)
    context.close()


def test_wrong_password_shows_error_and_no_session(browser, live_server, org):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "not-the-password")
    page.click("#login-submit")
    assert page.locator("#dashboard-title").count() == 0
    page.screenshot(path=ARTIFACTS / "06-login-error.png", full_page=True)
    context.close()


def test_hr_grants_a_covering_supervisor_and_ends_it_early(browser, live_server, org):
    # given HR on a desktop browser, and a supervisor of another department to cover team A1
    cover = f.EmployeeFactory(
        user=f.UserFactory(username="cover", roles=[Role.SUPERVISOR]), team=org.b1, department=org.dept_b, name="孙磊"
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    _login(page, live_server.url, "hr")
    # when they open the access grants from the menu and grant team A1 for a week
    nav_click(page, "access_grants")
    page.wait_for_selector("#access-grants-title")
    page.select_option("#id_kind", "team")
    page.select_option("#id_grantee", str(cover.user.pk))
    page.select_option("#id_team", str(org.a1.pk))
    page.fill("#id_reason", "李娜休假期间代管一组")
    page.click("#access-grant-submit")
    # then the grant is listed, in force
    row = page.locator("#access-grant-list tbody tr").first
    row.wait_for()
    assert "A1" in row.inner_text() and "孙磊" in row.inner_text()
    page.screenshot(path=ARTIFACTS / "07-access-grants.png", full_page=True)
    # when they end it early with a reason; then it leaves the current list
    row.locator("input[name=reason]").fill("李娜提前返岗")
    row.locator("button[type=submit]").click()
    page.wait_for_selector("#access-grant-list tbody tr td[colspan]")
    assert "李娜提前返岗" not in page.content()
    # and the page fits a phone
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    small = phone.new_page()
    _login(small, live_server.url, "hr")
    small.goto(f"{live_server.url}/access-grants/")
    assert small.evaluate("document.documentElement.scrollWidth") <= 390
    small.screenshot(path=ARTIFACTS / "08-access-grants-phone.png", full_page=True)
    phone.close()
    context.close()
