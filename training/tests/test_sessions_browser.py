"""The trainer's attendance sheet on a 375 px phone (TRN-2), in Chromium: the buttons fit, a tap
marks the participant in place (htmx) and the record follows; screenshot kept."""

import datetime

import pytest
from django.utils import timezone

from tests.test_browser import ARTIFACTS, _login, browser  # noqa: F401 - the browser fixture
from training.models import Enrolment, TrainingRecord
from training.tests.factories import course, session_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trainer_takes_the_attendance_on_a_phone(browser, live_server, org, trainer):  # noqa: F811
    # given a session that started five minutes ago with three participants
    session = session_for(
        course(title="投诉电话处理技巧（进阶）"),
        trainer=trainer.user,
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
        enrol=[org.agent, org.peer, org.other_team],
    )
    # when the trainer opens the sheet on a 375 px phone and taps "Present" for the agent
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    _login(page, live_server.url, "trainer")
    page.goto(f"{live_server.url}/training/sessions/{session.pk}/attendance/")
    page.wait_for_selector("#attendance-sheet")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    enrolment = Enrolment.objects.get(employee=org.agent)
    card = f"#enrollee-{enrolment.pk}"
    page.click(f'{card} button[value="present"]')
    page.wait_for_selector(f'{card} [data-mark="present"]')
    # then the card shows the mark and the score field, without a page load, and the record exists
    page.fill(f"#score-{enrolment.pk}", "88")
    page.click(f"{card} form[hx-post$='/score/'] button")
    page.wait_for_selector(f'{card} [data-result="passed"]')
    page.screenshot(path=ARTIFACTS / "training-attendance-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert TrainingRecord.objects.get(employee=org.agent).result == "passed"
    context.close()
