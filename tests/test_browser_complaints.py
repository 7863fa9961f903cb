"""Complaint journey in Chromium (CMP-1..CMP-3, SEC-2): an agent records an urgent phone
complaint and sees the emergency procedure start; the complaint handler is alerted (bell and
notifications page), finds it flagged in the queue, reveals the contact (audited), assigns it,
logs a talk with the customer, plans, resolves, and records an unsatisfied follow-up visit (2 of
5): the complaint is reopened. Screenshots in test-artifacts/browser/complaints-*.png."""

import datetime

import pytest
from django.utils import timezone

from complaints.models import Complaint, ComplaintStatus
from complaints.tests.factories import complaint_recorded
from datasecurity.models import AuditEvent
from tests.test_browser import ARTIFACTS, _login, browser, nav_click  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13812345678"


@pytest.fixture
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def shot(page, name):
    page.screenshot(path=ARTIFACTS / f"complaints-{name}.png", full_page=True)


def test_urgent_complaint_from_intake_to_reopened(browser, live_server, org, _eager):  # noqa: F811
    # 1. The agent records an urgent complaint taken on the phone
    agent = browser.new_context(viewport={"width": 1280, "height": 900})
    page = agent.new_page()
    _login(page, live_server.url, "agent")
    nav_click(page, "complaint_new")
    page.wait_for_selector("#complaint-new-title")
    page.fill("#id_customer_name", "王先生")
    page.fill("#id_phone", "138 1234 5678")
    page.fill("#id_matter", "话费被重复扣除，坐席未处理")
    page.select_option("#id_channel", "phone")
    page.select_option("#id_urgency", "urgent")
    page.select_option("#id_concerned_team", str(org.a1.pk))
    shot(page, "01-intake")
    page.click("#complaint-new-submit")
    page.wait_for_selector("#complaint-emergency")
    complaint = Complaint.objects.get()
    assert complaint.urgency == "urgent" and complaint.phone == PHONE
    assert PHONE not in page.content()  # masked for the agent, no reveal button
    assert page.locator("#complaint-contact-reveal").count() == 0
    shot(page, "02-recorded-emergency")

    # 2. The handler is alerted: the bell counts it, the notifications page names it
    handler = browser.new_context(viewport={"width": 1280, "height": 900})
    page = handler.new_page()
    _login(page, live_server.url, "handler")
    page.wait_for_selector("#notification-unread-count")
    shot(page, "03-handler-bell")
    page.click("#notification-bell")
    page.wait_for_selector("#notifications-title")
    assert complaint.reference in page.locator("#notification-list").inner_text()
    shot(page, "04-handler-notifications")

    # and the complaint is flagged urgent in the queue, contact masked
    nav_click(page, "complaints")
    row = f"#complaint-row-{complaint.pk}"
    page.wait_for_selector(f'{row}[data-urgent="true"] [data-urgent-flag]')
    assert "138****5678" in page.locator(row).inner_text()
    assert PHONE not in page.content()
    shot(page, "05-queue-urgent")

    # 3. The handler opens it and reveals the contact (audited, SEC-2)
    page.click(f"{row} a")
    page.wait_for_selector("#complaint-detail-title")
    page.click("#complaint-contact-reveal")
    page.wait_for_selector("#complaint-phone-full")
    assert page.locator("#complaint-phone-full").inner_text() == PHONE
    assert AuditEvent.objects.filter(action="complaint.contact_reveal", object_id=str(complaint.pk)).count() == 1
    shot(page, "06-contact-revealed")

    # 4. Assigns it to themself, logs the talk with the customer, plans, resolves: each action
    # answers through htmx with the page's body, without reloading the page
    page.evaluate("window.__complaint_marker = 'kept'")
    page.select_option("#id_owner", str(org.handler.pk))
    page.click("#complaint-assign")
    page.wait_for_selector(".alert-success")
    assert page.locator("#complaint-owner").inner_text() == org.handler.name
    page.select_option("#id_log_kind", "customer_contact")
    page.fill("#id_log_text", "已致电客户，核实重复扣费")
    page.fill("#id_log_call_reference", "CALL-20261128-001")
    page.click("#complaint-log")
    page.wait_for_selector('#complaint-timeline [data-kind="customer_contact"]')
    shot(page, "07-logged-contact")
    deadline = timezone.localtime() + datetime.timedelta(days=1)
    page.fill("#id_description", "退还重复扣除的话费并回访")
    page.fill("#id_responsible_search", org.handler.name_initials)
    visible = page.eval_on_selector_all("#id_responsible option:not([hidden])", "os => os.map(o => o.value)")
    assert str(org.handler.pk) in visible and str(org.other_dept.pk) not in visible
    page.select_option("#id_responsible", str(org.handler.pk))
    page.fill("#id_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    page.click("#complaint-plan")
    page.wait_for_selector('#complaint-timeline [data-kind="plan"]')
    shot(page, "08-planned")
    page.fill("#id_resolve_text", "已退费")
    # resolving asks for the cause (CMP-4): without it the form stays, with what was typed
    page.click("#complaint-resolve")
    page.wait_for_selector("#main .alert-danger")
    assert page.input_value("#id_resolve_text") == "已退费"
    page.fill("#id_resolve_cause", "计费系统重复扣费")
    page.click("#complaint-resolve")
    page.wait_for_selector('#complaint-status [data-status="resolved"]')
    page.wait_for_selector("#complaint-follow-up-form")
    assert page.evaluate("window.__complaint_marker") == "kept"
    shot(page, "09-resolved")

    # 5. The follow-up visit: the customer is not satisfied (2 of 5) → reopened (CMP-3)
    page.check("#id_satisfaction_1")  # the second radio: score 2
    page.fill("#id_comment", "退费太慢")
    page.click("#complaint-follow-up")
    page.wait_for_selector("#complaint-reopened")
    page.wait_for_selector('#complaint-status [data-status="investigating"]')
    assert page.locator('#complaint-timeline [data-kind="reopened"]').count() == 1
    shot(page, "10-reopened")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING and complaint.reopen_count == 1
    assert complaint.satisfaction == 2 and complaint.owner == org.handler

    # 6. The statistics (CMP-4) count it, with their charts drawn
    nav_click(page, "complaint_statistics")
    page.wait_for_selector('canvas[data-complaint-chart="line"][data-chart-ready]')
    assert page.locator("canvas[data-complaint-chart][data-chart-ready]").count() == 3
    shot(page, "11-statistics")
    for context in (agent, handler):
        context.close()


def test_the_handler_changes_who_is_concerned_through_the_searchable_picker(browser, live_server, org, _eager):  # noqa: F811
    """CMP-2: the investigation finds that 王芳 (team A1) was involved, not 张伟; the handler finds
    her by her initials in the picker, names team A2's agent too, and saves through htmx: the body
    is swapped (no reload), the message shows, the timeline names them, the picker works again."""
    complaint = complaint_recorded(org, team=org.a1, concerned_employee_ids=[org.agent.pk])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_server.url, "handler")
    page.goto(f"{live_server.url}/complaints/{complaint.pk}/")
    page.wait_for_selector("#complaint-concerned-form")
    page.evaluate("window.__notReloaded = true")
    search = page.locator("#id_concerned_concerned_employees_search")
    search.fill("wf")  # 王芳's pinyin initials
    visible = page.locator("#id_concerned_concerned_employees option:not([hidden])").all_inner_texts()
    assert any(org.peer.name in text for text in visible)
    assert not any(org.other_dept.name in text for text in visible)
    page.select_option("#id_concerned_concerned_employees", [str(org.peer.pk), str(org.other_team.pk)])
    page.select_option("#id_concerned_concerned_team", str(org.a2.pk))
    shot(page, "10-concerned-form")
    page.click("#complaint-concerned")
    page.wait_for_selector("#complaint-timeline li[data-kind='concerned']")
    assert page.evaluate("window.__notReloaded") is True  # htmx swapped the body
    assert page.locator(".htmx-messages .alert-success").count() == 1
    entry = page.locator("#complaint-timeline li[data-kind='concerned']").inner_text()
    assert org.peer.name in entry and org.agent.name in entry
    assert page.locator("#id_concerned_concerned_employees_search").count() == 1  # enhanced again
    shot(page, "11-concerned-saved")
    complaint.refresh_from_db()
    assert set(complaint.concerned_employees.values_list("pk", flat=True)) == {org.peer.pk, org.other_team.pk}
    assert complaint.concerned_team_id == org.a2.pk
    context.close()
