"""Training journey in Chromium (TRN-1..TRN-3, SEC-3): HR creates an online course on data
protection, puts it into this year's plan for team A1 and makes it mandatory for the team (the
team is enrolled by the mandatory rule); an agent of the team takes the online assessment on a
phone-sized screen, passes and downloads the certificate from "My training"; the team's supervisor
sees the compliance on the dashboard. Screenshots in test-artifacts/browser/training-*.png."""

import datetime

import pytest
from django.utils import timezone

from tests.test_browser import ARTIFACTS, _login, browser, nav_click  # noqa: F401 - the browser fixture
from training.models import Course, MandatoryCourse, PlanItem, QuestionOption, TrainingRecord
from training.tests.factories import question_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1366, "height": 900}


def shot(page, name):
    page.screenshot(path=ARTIFACTS / f"training-{name}.png", full_page=True)


def test_hr_plans_a_course_an_agent_passes_it_on_a_phone_and_the_supervisor_sees_compliance(
    browser,  # noqa: F811
    live_server,
    org,
    settings,
    tmp_path,
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    today = timezone.localdate()
    deadline = today + datetime.timedelta(days=20)

    # 1. HR creates the online course in the catalogue (TRN-2)
    hr = browser.new_context(viewport=DESKTOP)
    page = hr.new_page()
    _login(page, live_server.url, "hr")
    nav_click(page, "training_courses")
    page.click("#course-new")
    page.wait_for_selector("#course-form-title")
    page.fill("#id_code", "privacy-basics")
    page.fill("#id_title", "客户信息保护 <script>alert(1)</script>")
    page.select_option("#id_topic_area", "security")
    page.select_option("#id_delivery_mode", "online")
    page.fill("#id_hours", "1.5")
    page.fill("#id_question_count", "2")
    page.fill("#id_pass_mark", "60")
    shot(page, "01-course-new")
    page.click("form:has(#id_code) button[type=submit]")
    page.wait_for_selector("#course-title")
    # what HR typed is text, never markup
    assert "<script>" in page.locator("#course-title").inner_text()
    course = Course.objects.get(code="privacy-basics")
    assert course.delivery_mode == "online" and course.question_count == 2
    # its question bank (the question-bank pages have their own tests): two single-choice questions
    for text in ("客户来电要求提供他人手机号，应当？", "客户资料可以拍照发到个人微信吗？"):
        question_make(course, text=text, correct=(1,), options=3)

    # 2. HR puts it into this year's plan for team A1 (TRN-1)
    nav_click(page, "training_plan")
    page.wait_for_selector("#plans-title")
    page.fill("#plan-create-form [name=year]", str(today.year))
    page.fill("#plan-create-form [name=title]", f"{today.year} 年度培训计划")
    page.click("#plan-create-form button[type=submit]")
    page.wait_for_selector("#plan-item-new")
    page.click("#plan-item-new")
    page.wait_for_selector("#id_title")
    page.fill("#id_title", "客户信息保护")
    page.select_option("#id_quarter", str((today.month - 1) // 3 + 1))
    page.select_option("#id_topic_area", "security")
    page.select_option("#id_delivery_mode", "online")
    page.fill("#id_planned_hours", "1.5")
    page.fill("#id_budget", "0")
    page.fill("#id_need", "一组上月出现客户信息外泄投诉")
    page.select_option("#id_need_source", "complaints")
    page.select_option("#id_course", str(course.pk))
    page.select_option("#id_audience_kind", "teams")
    page.select_option("#id_audience_teams", str(org.a1.pk))
    shot(page, "02-plan-item")
    page.click("form:has(#id_title) button[type=submit]")
    page.wait_for_selector("#plan-item-new")
    assert PlanItem.objects.filter(course=course).count() == 1
    shot(page, "03-plan")

    # 3. HR makes it mandatory for team A1 by a fixed date (the team is enrolled, TRN-2)
    nav_click(page, "training_mandatory")
    page.click("#mandatory-new")
    page.wait_for_selector("#mandatory-form-title")
    page.select_option("#id_course", str(course.pk))
    page.select_option("#id_audience_kind", "teams")
    page.select_option("#id_teams", str(org.a1.pk))
    page.select_option("#id_deadline_kind", "fixed")
    page.fill("#id_fixed_date", deadline.isoformat())
    page.click("#mandatory-save")
    page.wait_for_load_state("networkidle")
    assert MandatoryCourse.objects.filter(course=course, active=True).count() == 1
    shot(page, "04-mandatory")
    hr.close()

    # 4. The agent takes the online assessment on a phone (TRN-2): no answer key in the page
    agent = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = agent.new_page()
    _login(page, live_server.url, "agent")
    nav_click(page, "training_study")
    page.click(f"a[href$='/training/study/{course.pk}/']")
    page.click("#study-start")
    page.wait_for_selector("#attempt-form")
    form = page.locator("#attempt-form").inner_html()
    assert "correct" not in form.lower() and "解析" not in form  # no key, no explanation before submitting
    shot(page, "05-attempt-phone")
    right = set(QuestionOption.objects.filter(question__course=course, correct=True).values_list("pk", flat=True))
    for fieldset in page.locator("#attempt-form fieldset[data-question]").all():
        for option in fieldset.locator("input").all():
            if int(option.get_attribute("value")) in right:
                option.check()
    page.click("#attempt-submit")
    page.wait_for_selector("#result-summary")
    assert page.locator("#result-summary").get_attribute("data-passed") == "yes"
    assert page.locator("#result-score").inner_text().strip().startswith("100")
    shot(page, "06-result-phone")
    # the page is usable at 375 px: nothing wider than the screen
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    # 5. ... and downloads the certificate from "My training" (TRN-3)
    record = TrainingRecord.objects.get(employee=org.agent, course=course)
    assert record.result == "passed" and record.certificate_no
    nav_click(page, "my_training")
    page.wait_for_selector(f"a[href$='/training/records/{record.pk}/certificate.pdf']")
    shot(page, "07-my-training-phone")
    with page.expect_download() as download:
        page.click(f"a[href$='/training/records/{record.pk}/certificate.pdf']")
    path = tmp_path / "certificate.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    agent.close()

    # 6. The supervisor sees the team's compliance on the dashboard: one done, the rest due
    supervisor = browser.new_context(viewport=DESKTOP)
    page = supervisor.new_page()
    _login(page, live_server.url, "supervisor")
    card = page.locator('[data-card="training_compliance"]')
    card.wait_for()
    assert card.locator('[data-count="done"]').inner_text().strip() == "1"
    assert int(card.locator('[data-count="due"]').inner_text()) >= 1
    assert card.locator('[data-count="overdue"]').inner_text().strip() == "0"
    shot(page, "08-supervisor-dashboard")
    card.locator('a[href*="state=due"]').click()
    page.wait_for_load_state("networkidle")
    assert org.peer.name in page.content()
    shot(page, "09-due-list")
    supervisor.close()
