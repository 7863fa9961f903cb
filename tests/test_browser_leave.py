"""Leave journey in Chromium (ATT-3, LV-2, LV-4, LV-5): an agent files a two-day sick leave for
days already past with a PDF certificate and sees how it counts before sending; the team
supervisor approves in the inbox, the department manager approves (bulk); the request is
approved and the two attendance days turn from absenteeism to "on leave". On their request's
page an agent adds a certificate and withdraws a pending request in place (htmx, LV-2, LV-4).
Screenshots in test-artifacts/browser/leave-*.png."""

import datetime

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import DailyAttendance, LeaveRequest, LeaveStatus
from attendance.tests.factories import PDF_BYTES, leave_type, next_monday, pdf, roster_weeks
from tests.test_browser import ARTIFACTS, _login, browser, nav_click  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def two_past_weekdays() -> tuple[datetime.date, datetime.date]:
    """The last two consecutive Monday–Friday days before today (sick leave may be backdated)."""
    second = timezone.localdate() - datetime.timedelta(days=1)
    while second.weekday() >= 5 or second.weekday() == 0:
        second -= datetime.timedelta(days=1)
    return second - datetime.timedelta(days=1), second


@pytest.fixture
def past_days(org, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    first, second = two_past_weekdays()
    roster_weeks(
        [org.agent, org.peer, org.supervisor, org.manager, org.leader], first - datetime.timedelta(days=14), 35
    )
    # before: nobody punched, so both days are absenteeism (ATT-5 / LV-5)
    for day in (first, second):
        services.daily_attendance_compute(actor=None, employee_id=org.agent.pk, work_date=day)
    assert set(
        DailyAttendance.objects.filter(employee=org.agent, work_date__in=[first, second]).values_list(
            "status", flat=True
        )
    ) == {"absent"}
    return first, second


def shot(page, name):
    page.screenshot(path=ARTIFACTS / f"leave-{name}.png", full_page=True)


def test_sick_leave_from_request_to_attendance(browser, live_server, org, past_days, tmp_path):  # noqa: F811
    first, second = past_days
    certificate = tmp_path / "诊断证明.pdf"
    certificate.write_bytes(PDF_BYTES)
    sick = leave_type("sick")  # installed again if a transactional test flushed the migration's rows

    # 1. The agent files the request and sees the quote before sending it
    agent = browser.new_context(viewport={"width": 1280, "height": 900})
    page = agent.new_page()
    _login(page, live_server.url, "agent")
    nav_click(page, "leave")
    page.wait_for_selector("#leave-my-title")
    shot(page, "01-my-leave")
    page.click("#leave-new-link")
    page.wait_for_selector("#leave-new-title")
    page.fill("#id_start_date", first.isoformat())
    page.fill("#id_end_date", second.isoformat())
    page.select_option("#id_leave_type", str(sick.pk))
    # A function, not an expression string: Playwright evals strings, which the page's CSP refuses.
    page.wait_for_function(
        "() => document.querySelector('#quote-days') && document.querySelector('#quote-days').innerText.trim() === '2'"
    )
    # the route climbs to the department manager (2 days > 1, LV-4), each day explained
    assert page.locator('#quote-route [data-tier="supervisor"]').count() == 1
    assert page.locator('#quote-route [data-tier="manager"]').count() == 1
    assert page.locator("#quote-breakdown tbody tr").count() == 2
    assert page.locator("#quote-certificate").count() == 1
    page.fill("#id_reason", "发烧，医院开具病假证明")
    page.set_input_files("#id_certificates", str(certificate))
    page.wait_for_timeout(300)
    shot(page, "02-new-request-quote")
    page.click("#leave-submit")
    page.wait_for_selector("#leave-detail-title")
    leave = LeaveRequest.objects.get(employee=org.agent)
    assert leave.status == LeaveStatus.PENDING and leave.days == 2 and leave.certificates.count() == 1
    assert page.locator('#leave-steps [data-step-status="pending"]').count() == 1
    shot(page, "03-submitted")

    # 2. The team supervisor approves in the inbox, with a comment
    supervisor = browser.new_context(viewport={"width": 1280, "height": 900})
    page = supervisor.new_page()
    _login(page, live_server.url, "supervisor")
    nav_click(page, "leave_inbox")
    page.wait_for_selector(f"#inbox-{leave.pk}")
    page.wait_for_selector("#delegation-form")  # the delegation panel loaded by htmx
    assert page.locator(f"#inbox-{leave.pk} [data-certificate]").count() == 1
    shot(page, "04-inbox-supervisor")
    page.fill(f"#inbox-comment-{leave.pk}", "早日康复")
    # the decision goes through htmx: the card becomes its outcome, the page is not reloaded
    page.evaluate("window.__inbox_marker = 'kept'")
    page.click(f"#inbox-approve-{leave.pk}")
    page.wait_for_selector(f"#inbox-{leave.pk}[data-decided]")
    assert page.evaluate("window.__inbox_marker") == "kept"
    assert page.locator(f"#inbox-{leave.pk} [data-status]").get_attribute("data-status") == "pending"
    assert page.locator("#leave-inbox-count").inner_text().strip() == "0"
    assert page.locator("#main .alert-success").count() == 1
    shot(page, "05-inbox-supervisor-done")
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.PENDING and leave.current_step == 1

    # 3. The department manager approves (ticked, bulk)
    manager = browser.new_context(viewport={"width": 1280, "height": 900})
    page = manager.new_page()
    _login(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/attendance/leave/inbox/")
    page.wait_for_selector(f"#inbox-{leave.pk}")
    page.check(f"#inbox-select-{leave.pk}")
    shot(page, "06-inbox-manager")
    page.click("#leave-bulk-approve")
    page.wait_for_selector("#leave-inbox-empty")
    assert page.locator(".alert-success").count() == 1
    shot(page, "07-inbox-manager-done")
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED

    # 4. The agent sees it approved, and both days are "on leave" in attendance (ATT-3)
    page = agent.new_page()
    page.goto(f"{live_server.url}/attendance/leave/")
    page.wait_for_selector(f'#leave-{leave.pk} [data-status="approved"]')
    shot(page, "08-my-leave-approved")
    page.goto(f"{live_server.url}/attendance/leave/{leave.pk}/")
    assert page.locator('#leave-steps [data-step-status="approved"]').count() == 2
    assert "早日康复" in page.content()
    shot(page, "09-request-approved")
    days = dict(
        DailyAttendance.objects.filter(employee=org.agent, work_date__in=[first, second]).values_list(
            "work_date", "status"
        )
    )
    assert days == {first: "on_leave", second: "on_leave"}
    page.goto(f"{live_server.url}/attendance/me/?month={second:%Y-%m}")
    page.wait_for_selector("#month-days")
    assert page.locator("#month-days .status-on_leave").count() == (2 if first.month == second.month else 1)
    shot(page, "10-my-month-on-leave")

    # and the supervisor's team calendar shows the approved leave
    page = supervisor.new_page()
    page.goto(f"{live_server.url}/attendance/leave/calendar/?team={org.a1.pk}&month={first:%Y-%m}")
    page.wait_for_selector(f'td[data-date="{first.isoformat()}"][data-status="approved"]')
    shot(page, "11-team-calendar")

    # and on a phone the agent's request page reads in one column
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    _login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/attendance/leave/{leave.pk}/")
    page.wait_for_selector("#leave-steps")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "12-request-phone")
    for context in (agent, supervisor, manager, phone):
        context.close()


def test_withdraw_and_certificate_answer_in_place(browser, live_server, org, settings, tmp_path):  # noqa: F811
    """LV-2, LV-4: on the pending request's page the agent uploads a second certificate, then
    withdraws the request; each answer replaces the request's panel (the page is not reloaded: a
    window marker survives), the header's status follows and the message shows at the top."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    day = next_monday()
    roster_weeks([org.agent, org.supervisor, org.manager], day - datetime.timedelta(days=14), 35)
    leave = services.leave_request_submit(
        actor=org.agent.user,
        leave_type_id=leave_type("sick").pk,
        start_date=day,
        end_date=day + datetime.timedelta(days=1),
        certificates=[pdf()],
    )
    second = tmp_path / "复诊.pdf"
    second.write_bytes(PDF_BYTES)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_server.url, "agent")
    page.goto(f"{live_server.url}/attendance/leave/{leave.pk}/")
    page.wait_for_selector("#leave-withdraw")
    page.evaluate("window.__leave_marker = 'kept'")

    page.set_input_files("#id_certificate", str(second))
    page.click("#leave-certificate-submit")
    page.wait_for_function("() => document.querySelectorAll('#leave-panel [data-certificate]').length === 2")
    assert page.evaluate("window.__leave_marker") == "kept"
    assert page.locator("#main .alert-success").count() == 1
    assert leave.certificates.count() == 2
    shot(page, "13-certificate-in-place")

    page.click("#leave-withdraw")
    page.wait_for_selector('#leave-panel[data-leave-status="withdrawn"]')
    assert page.evaluate("window.__leave_marker") == "kept"
    assert page.locator("#leave-withdraw").count() == 0 and page.locator("#leave-certificate-form").count() == 0
    assert page.locator("#leave-status [data-status]").get_attribute("data-status") == "withdrawn"
    assert page.locator("#main .alert-success").count() == 2
    shot(page, "14-withdrawn-in-place")
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.WITHDRAWN
    context.close()
