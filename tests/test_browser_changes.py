"""Browser journey of a transfer (issue 13), in real Chromium: HR opens an agent's page, the
employment timeline loads (htmx), HR transfers the agent to another team from the page (the
team list names the supervisor each team brings), and the timeline shows the transfer; the old
supervisor no longer sees the agent. Screenshots in test-artifacts/browser/changes-*.png."""

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


def test_hr_transfers_an_agent_from_the_employee_page(browser, live_server, org):
    # given team A2 with a supervisor of its own, and HR reading in English on a phone-sized screen
    new_supervisor = f.EmployeeFactory(
        user=f.UserFactory(username="supervisor_a2", roles=[Role.SUPERVISOR]), team=org.a2, name="郑军"
    )
    org.a2.supervisor = new_supervisor
    org.a2.save()
    # (a user's saved language wins over the browser's: HR reads in English)
    org.hr.user.preferred_language = "en"
    org.hr.user.save(update_fields=["preferred_language"])
    context = browser.new_context(viewport={"width": 414, "height": 900}, locale="en-US")
    page = context.new_page()
    _login(page, live_server.url, "hr")
    # when HR opens the agent's page, the timeline loads with the transfer and pay buttons
    page.goto(f"{live_server.url}/employees/{org.agent.pk}/")
    page.wait_for_selector("#employee-transfer-link")
    page.screenshot(path=ARTIFACTS / "changes-01-employee-page.png", full_page=True)
    # and transfers the agent to A2 from today
    page.click("#employee-transfer-link")
    page.wait_for_selector("#transfer-form")
    assert "supervisor: 郑军" in page.content()
    page.select_option("#id_team", str(org.a2.pk))
    page.fill("#id_reason", "Team rebalancing")
    page.screenshot(path=ARTIFACTS / "changes-02-transfer-form.png", full_page=True)
    page.click("#transfer-submit")
    # then the employee page says it is applied and the timeline shows the move and the new line
    page.wait_for_selector("#employment-timeline li")
    content = page.content()
    assert "Recorded and applied." in content and "二组" in content and "郑军" in content
    page.screenshot(path=ARTIFACTS / "changes-03-after-transfer.png", full_page=True)
    context.close()
    org.agent.refresh_from_db()
    assert org.agent.team_id == org.a2.pk
