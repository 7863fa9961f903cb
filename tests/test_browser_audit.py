"""Roles and sign-in failures in Chromium, on a phone (SEC-2, SEC-3): HR gives a colleague a role
on the role page and cannot touch their own; after a failed sign-in the security auditor finds it
on the tab "Sign-in failures and lockouts". Screenshots in test-artifacts/browser/audit-*.png."""

import pytest

from callcenter.roles import Role
from datasecurity import services
from datasecurity.models import AuditEvent
from tests.test_browser import ARTIFACTS, _login, browser  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_hr_gives_a_role_on_a_phone_and_not_to_themselves(browser, live_server, org):  # noqa: F811
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _login(page, live_server.url, "hr")
    page.goto(f"{live_server.url}/accounts/roles/?q=peer")
    page.wait_for_selector("#role-list-title")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=ARTIFACTS / "audit-01-role-list-phone.png", full_page=True)
    page.click('[data-user="peer"] a')
    page.wait_for_selector("#user-roles-title")
    page.click('[data-role="supervisor"] button[value="assign"]')
    page.wait_for_selector('[data-role="supervisor"] button[value="remove"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=ARTIFACTS / "audit-02-role-given-phone.png", full_page=True)
    assert org.peer.user.groups.filter(name=Role.SUPERVISOR).exists()
    assert AuditEvent.objects.filter(action="user.role_assign", actor=org.hr.user).count() == 1
    # their own account: every role explained, no button
    page.goto(f"{live_server.url}/accounts/roles/{org.hr.user.pk}/")
    assert page.locator("#role-options button").count() == 0
    page.screenshot(path=ARTIFACTS / "audit-03-own-roles-phone.png", full_page=True)
    context.close()


def test_the_auditor_sees_a_failed_sign_in_on_a_phone(browser, live_server, org):  # noqa: F811
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "agent")
    page.fill("#id_password", "not-the-password")
    page.click("#login-submit")
    page.wait_for_selector("#login-submit")
    _login(page, live_server.url, "auditor")
    page.goto(f"{live_server.url}/audit/")
    page.click("#audit-tab-sign-in")
    page.wait_for_selector("#sign-in-table")
    rows = page.locator('#sign-in-table tr[data-action="auth.login_failed"]')
    assert rows.count() == 1
    assert "agent" in rows.first.inner_text()
    assert "not-the-password" not in page.content()
    page.screenshot(path=ARTIFACTS / "audit-04-sign-in-failures-phone.png", full_page=True)
    context.close()


def test_the_auditor_filters_by_choice_exports_and_verifies_the_chain(browser, live_server, org, celery_eager):  # noqa: F811
    # given HR changed the agent's record, and the auditor on a desktop browser in English
    services.audit_record(actor=org.hr.user, action="employee.update", obj=org.agent)
    services.audit_record(actor=org.hr.user, action="leave_request.approve", obj=org.agent)
    org.auditor.user.preferred_language = "en"
    org.auditor.user.save(update_fields=["preferred_language"])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    _login(page, live_server.url, "auditor")
    page.goto(f"{live_server.url}/audit/")
    # when they choose an action from the list (htmx reloads the table)
    page.select_option("#filter-action", "employee.update")
    page.wait_for_selector('#audit-table tr[data-action="employee.update"]')
    page.wait_for_function("() => !document.querySelector('#audit-table tr[data-action=\"leave_request.approve\"]')")
    row = page.locator('#audit-table tr[data-action="employee.update"]')
    # then the event reads as a label, the object by name, the actor by full name
    assert "Employee record changed" in row.inner_text() and "黄丽" in row.inner_text()
    assert str(org.agent) in row.inner_text()
    page.screenshot(path=ARTIFACTS / "audit-05-filtered-by-action.png", full_page=True)
    # when they export the filtered events, then a CSV arrives and the export is in the trail
    with page.expect_download() as download:
        page.click("#audit-export-csv")
    assert download.value.suggested_filename.startswith("audit-trail-")
    exported = AuditEvent.objects.get(action="audit.export", actor=org.auditor.user)
    assert exported.changes["filters"] == {"action": "employee.update"} and exported.changes["rows"] == 1
    # when they verify the chain, then the result (eager in tests, Celery in production) is shown
    page.click("#audit-verify-button")
    page.wait_for_selector("#audit-verify-result[data-status]")
    assert page.get_attribute("#audit-verify-result", "data-status") == "succeeded"
    page.screenshot(path=ARTIFACTS / "audit-06-chain-verified.png", full_page=True)
    context.close()
