"""Browser journey of one person's employment (issue 13), in real Chromium: HR hires an agent
into team A1 (the one-time password shown once), the agent logs in with it on a phone and is made
to choose their own password, HR transfers them to team A2, sets their last working day, the A2
supervisor (on a phone) hands their call-back over (COC-8) and ticks the supervisor's items, HR
ticks theirs, and the job people-leavers-deactivate, run for the day after, ends the account: the
agent's open session goes to the login page and the record says "left on". Screenshots in
test-artifacts/browser/people-*.png."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from callcenter import services
from callcenter.models import (
    Employee,
    EmploymentEvent,
    EmploymentStatus,
    ExitChecklist,
    ExitChecklistStatus,
    Position,
)
from callcenter.roles import Role
from callcenter.tests import factories as f
from callcenter.tests.factories import TEST_PASSWORD
from complaints import services as complaint_services
from complaints.models import ResolutionPlan
from complaints.tests.factories import complaint_recorded
from datasecurity.models import AuditEvent
from tests.test_browser import nav_click

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "en-US"}
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "en-US"}
NEW_PASSWORD = "Lantern-Harbour-3817!"


@pytest.fixture(scope="module")
def browser(chromium):
    """The process's Chromium (conftest.py ``chromium``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return chromium


def _login(page, base_url, username, password=TEST_PASSWORD, landing="#dashboard-title"):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-submit")
    page.wait_for_selector(landing)


def _shot(page, name):
    page.screenshot(path=ARTIFACTS / f"people-{name}.png", full_page=True)


def _fits(page, width=390):
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_hire_first_login_transfer_and_leaving(browser, live_server, org):
    base = live_server.url
    today = timezone.localdate()
    # given HR reading in English, and team A2 with a supervisor of its own (also in English)
    org.hr.user.preferred_language = "en"
    org.hr.user.save(update_fields=["preferred_language"])
    supervisor_a2 = f.EmployeeFactory(
        user=f.UserFactory(username="supervisor_a2", roles=[Role.SUPERVISOR], preferred_language="en"),
        team=org.a2,
        department=org.dept_a,
        name="郑军",
    )
    org.a2.supervisor = supervisor_a2
    org.a2.save()
    agent_position = Position.objects.get(code="AGENT")

    # 1. HR hires a new agent into team A1 through the form; the one-time password is shown once
    hr_context = browser.new_context(**DESKTOP)
    hr = hr_context.new_page()
    _login(hr, base, "hr")
    nav_click(hr, "hire")
    hr.wait_for_selector("#hire-form")
    hr.fill("#id_employee_no", "E20261")
    hr.fill("#id_name", "孙悦")
    hr.select_option("#id_department", str(org.dept_a.pk))
    hr.select_option("#id_team", str(org.a1.pk))
    hr.select_option("#id_position", str(agent_position.pk))
    assert hr.input_value("#id_hire_date") == today.isoformat()
    hr.fill("#id_monthly_base_pay", "5200.00")
    hr.fill("#id_bonus_base", "1200.00")
    assert hr.is_checked(f"#hire-form input[name=roles][value={Role.AGENT}]")
    _shot(hr, "01-hire-form")
    hr.click("#hire-submit")
    hr.wait_for_selector("#one-time-password")
    assert hr.inner_text("#hired-title") == "Employee hired"
    username = hr.inner_text("#hired-username").strip()
    one_time_password = hr.inner_text("#one-time-password").strip()
    assert username == "E20261" and len(one_time_password) >= 10
    _shot(hr, "02-hired-one-time-password")
    hired = Employee.objects.select_related("user").get(employee_no="E20261")
    assert (hired.team_id, hired.status, hired.hire_date) == (org.a1.pk, EmploymentStatus.ACTIVE, today)
    assert hired.user.must_change_password and hired.user.check_password(one_time_password)
    # the password is in that answer only: the employee's record does not show it
    hr.goto(f"{base}/employees/{hired.pk}/")
    hr.wait_for_selector("#employee-title")
    assert one_time_password not in hr.content()

    # 2. The new agent logs in on a phone with it and is made to choose their own password first
    agent_context = browser.new_context(**PHONE)
    agent = agent_context.new_page()
    _login(agent, base, username, one_time_password, landing="#password-change-title")
    assert agent.url == f"{base}/accounts/password/"
    agent.goto(f"{base}/employees/{hired.pk}/")  # every other page sends them back
    agent.wait_for_selector("#password-change-title")
    # a new login's language is the company's (Chinese) until they choose: one click, even here
    assert agent.locator("html").get_attribute("lang") == "zh-hans"
    agent.click("#language-switch")
    agent.wait_for_selector("html[lang='en']")
    assert "Change password" in agent.inner_text("#password-change-title")
    assert _fits(agent)
    agent.fill("#id_old_password", one_time_password)
    agent.fill("#id_new_password1", NEW_PASSWORD)
    agent.fill("#id_new_password2", NEW_PASSWORD)
    _shot(agent, "03-forced-password-change-phone")
    agent.click("#password-change-submit")
    agent.wait_for_selector("#dashboard-title")
    assert "Your password has been changed." in agent.content()
    _shot(agent, "04-agent-dashboard-phone")
    hired.user.refresh_from_db()
    assert not hired.user.must_change_password and hired.user.check_password(NEW_PASSWORD)
    assert hired.user.password_changed_at is not None and hired.user.preferred_language == "en"

    # 3. HR transfers the agent to team A2 from today, from the employee page
    hr.goto(f"{base}/employees/{hired.pk}/")
    hr.wait_for_selector("#employee-transfer-link")  # the timeline, loaded by htmx
    hr.click("#employee-transfer-link")
    hr.wait_for_selector("#transfer-form")
    assert hr.input_value("#id_effective_on") == today.isoformat()
    hr.select_option("#id_team", str(org.a2.pk))
    hr.fill("#id_reason", "Team rebalancing")
    _shot(hr, "05-transfer-form")
    hr.click("#transfer-submit")
    hr.wait_for_selector("#employment-timeline li")
    assert "Recorded and applied." in hr.content()
    transfer = EmploymentEvent.objects.get(employee=hired, kind="transfer")
    assert transfer.status == "applied" and transfer.effective_on == today
    row = hr.inner_text(f"#employment-event-{transfer.pk}")
    assert "Transfer" in row and "二组" in row and "Team rebalancing" in row
    _shot(hr, "06-after-transfer")
    hired.refresh_from_db()
    assert hired.team_id == org.a2.pk

    # given a call-back of a complaint that the complaint team made the agent responsible for
    complaint = complaint_recorded(org, by=org.other_dept)
    complaint_services.complaint_plan(
        actor=org.handler.user,
        complaint_id=complaint.pk,
        description="回访客户",
        responsible_id=hired.pk,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )

    # 4. HR sets today as the last working day, with the reason; the exit checklist opens
    hr.click("#leave-schedule-link")
    hr.wait_for_selector("#leave-schedule-form")
    hr.fill("#id_last_working_day", today.isoformat())
    hr.select_option("#id_reason", "resignation")
    hr.fill("#id_note", "Moving to another city")
    _shot(hr, "07-leave-schedule")
    hr.click("#leave-schedule-submit")
    hr.wait_for_selector("#exit-checklist-title")
    checklist = ExitChecklist.objects.get(employee=hired)
    assert hr.url == f"{base}/leavers/{checklist.pk}/"
    assert "last working day is set" in hr.content()
    assert hr.inner_text("#last-working-day") == today.isoformat()
    # HR ticks the final bonus line (theirs); access is the deactivation's, without a button
    assert hr.locator("#exit-item-tick-access").count() == 0
    hr.fill("#exit-item-bonus input[name=note]", "Bonus line closed")
    hr.click("#exit-item-tick-bonus")
    hr.wait_for_selector("#exit-item-bonus .bi-check-square-fill")
    assert "Item ticked." in hr.content()
    _shot(hr, "08-checklist-hr")

    # the A2 supervisor, on a phone, hands the call-back over to a teammate (COC-8), then ticks
    sup_context = browser.new_context(**PHONE)
    sup = sup_context.new_page()
    _login(sup, base, "supervisor_a2")
    sup.goto(f"{base}/leavers/{checklist.pk}/")
    sup.wait_for_selector("#hand-over-complaints-items")
    assert complaint.reference in sup.inner_text("#hand-over-complaints-items")
    assert sup.locator("#exit-item-tick-bonus").count() == 0  # HR's item
    assert _fits(sup)
    _shot(sup, "09-checklist-supervisor-phone")
    sup.select_option("#hand-over-complaints-colleague", str(org.other_team.pk))
    sup.click("#hand-over-complaints-submit")
    sup.wait_for_selector("#hand-over-complaints-none")
    assert "1 records handed over (COC-8)." in sup.content()
    for kind in ("customer_data", "files", "equipment"):
        sup.click(f"#exit-item-tick-{kind}")
        sup.wait_for_selector(f"#exit-item-{kind} .bi-check-square-fill")
    # the final attendance month is verified in attendance once the month ends (ATT-5): left open
    assert "Attendance has not verified the final month yet." in sup.inner_text("#exit-item-attendance")
    assert _fits(sup)
    _shot(sup, "10-checklist-supervisor-ticked-phone")
    plan = ResolutionPlan.objects.filter(complaint=complaint).order_by("-version").first()
    assert plan.responsible_id == org.other_team.pk

    # the agent is still working today
    agent.reload()
    agent.wait_for_selector("#dashboard-title")

    # then the job people-leavers-deactivate, run for the day after, ends the account
    assert services.leavers_deactivate_due(today=today) == {"deactivated": 0, "with_open_items": 0}
    assert services.leavers_deactivate_due(today=today + datetime.timedelta(days=1)) == {
        "deactivated": 1,
        "with_open_items": 1,
    }
    # the agent's next page load goes to the login page, and the new password opens nothing
    agent.reload()
    agent.wait_for_selector("#login-submit")
    assert agent.url.startswith(f"{base}/accounts/login/")
    _shot(agent, "11-agent-session-ended-phone")
    agent.fill("#id_username", username)
    agent.fill("#id_password", NEW_PASSWORD)
    agent.click("#login-submit")
    agent.wait_for_selector("#login-submit")
    assert agent.locator("#dashboard-title").count() == 0
    # and the record says when they left and why; the checklist says they left
    hr.goto(f"{base}/employees/{hired.pk}/")
    hr.wait_for_selector("#employment-timeline li")
    status = hr.inner_text("#employee-status")
    assert f"left on {today.isoformat()} (Resignation)" in status
    assert hr.locator("#leave-schedule-link").count() == 0 and hr.locator("#employee-transfer-link").count() == 0
    leave_event = EmploymentEvent.objects.get(employee=hired, kind="leave")
    assert "Status: Active → Left" in hr.inner_text(f"#employment-event-{leave_event.pk}")
    _shot(hr, "12-employee-left")
    hr.goto(f"{base}/leavers/{checklist.pk}/")
    hr.wait_for_selector("#exit-checklist-title")
    assert hr.inner_text("#exit-checklist-status") == "Left"
    assert "Done by the deactivation" in hr.inner_text("#exit-item-access")
    _shot(hr, "13-checklist-left")
    for context in (agent_context, sup_context, hr_context):
        context.close()

    # and the database agrees: the record kept, the login ended, the history and the audit trail
    hired.refresh_from_db()
    hired.user.refresh_from_db()
    assert (hired.status, hired.left_on, hired.team_id) == (EmploymentStatus.LEFT, today, org.a2.pk)
    assert not hired.user.is_active
    checklist.refresh_from_db()
    assert checklist.status == ExitChecklistStatus.LEFT
    items = {item.kind: item for item in checklist.items.all()}
    assert {kind for kind, item in items.items() if item.done_at is None} == {"attendance"}
    assert items["bonus"].done_by == org.hr.user and items["bonus"].note == "Bonus line closed"
    assert {items[k].done_by for k in ("customer_data", "files", "equipment")} == {supervisor_a2.user}
    assert items["access"].done_by is None
    events = list(EmploymentEvent.objects.filter(employee=hired).order_by("pk").values_list("kind", "status"))
    assert events == [("hire", "applied"), ("transfer", "applied"), ("leave", "applied")]
    actions = set(
        AuditEvent.objects.filter(
            Q(object_type="callcenter.employee", object_id=str(hired.pk))
            | Q(object_type="callcenter.user", object_id=str(hired.user.pk))
        ).values_list("action", flat=True)
    )
    assert {
        "employee.hire",
        "user.password_change",
        "employee.transfer",
        "employee.leave_schedule",
        "employee.deactivate",
        "employee.leave_apply",
    } <= actions
    ticks = AuditEvent.objects.filter(action="exit_item.tick", changes__employee=hired.pk)
    assert ticks.count() == 4
    assert AuditEvent.objects.get(action="employee.deactivate", object_id=str(hired.pk)).changes["sessions_ended"] >= 1
    assert org.hr.user.notifications.filter(kind="leavers.open_items").count() == 1
