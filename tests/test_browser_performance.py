"""Monthly appraisal and bonus journey in Chromium (PRF-2..PRF-4, SEC-2): HR opens last month's
appraisal cycle; the agent fills and submits the self-evaluation; the supervisor finds it in the
team appraisals, scores the superior side and sees the combined score with its explanation, then
records the feedback interview with one improvement action; HR tries to lock the month (refused:
the others are still pending), locks it with force, and the agent's appraisal is read-only; HR
prepares the month's bonus sheet and reads the agent's line and its explanation; the sheet page
tells HR that a colleague approves what they prepared (two people, SEC-2), and that colleague
approves it, exports the PDF (the exports card polls until it is ready), downloads it (audited) and the PDF
names the agent and the month. Screenshots in test-artifacts/browser/performance-*.png."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from callcenter.models import Employee
from datasecurity.models import AuditEvent
from performance import services
from performance.models import (
    Appraisal,
    AppraisalCycle,
    AppraisalStatus,
    BonusLine,
    BonusSheet,
    BonusSheetFile,
    CycleStatus,
    FeedbackInterview,
    Indicator,
)
from performance.tests.factories import appraisal_for, approver_hr, attendance_days, manual_items, metric_days
from tests.test_browser import ARTIFACTS, _login, browser, nav_click  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def _eager(settings, tmp_path, celery_eager):
    """The opening of the month and the PDF export run in this process (no worker here)."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def signed_in(browser, live_server, who: str):  # noqa: F811
    """A browser context of its own for ``who``, logged in: (context, page)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, live_server.url, who)
    return context, page


def shot(page, name):
    page.screenshot(path=ARTIFACTS / f"performance-{name}.png", full_page=True)


def _previous_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_monthly_appraisal_from_opening_to_bonus_pdf(browser, live_server, org, _eager):  # noqa: F811
    month = _previous_month()
    label = f"{month:%Y-%m}"
    # Every org employee holds the same post (AGENT): one template appraises all ten of them.
    assert Employee.objects.exclude(position=org.agent.position).count() == 0
    # HR's set-up as a new installation has it: the PRF-1 default indicators (flushed by the
    # transactional test, so installed again) and a template of the post from them.
    services.indicator_defaults_install()
    weights = {"calls_answered": 20, "resolution_rate": 15, "qa_accuracy": 15, "attendance": 10}
    weights |= {"responsibility": 15, "cooperation": 15, "complaint_satisfaction": 10}
    indicators = dict(Indicator.objects.filter(code__in=weights).values_list("code", "pk"))
    services.appraisal_template_create(
        actor=org.hr.user,
        position_id=org.agent.position.pk,
        name="话务员月度考核",
        items=[{"indicator": indicators[code], "weight": weight} for code, weight in weights.items()],
    )
    metric_days(org.agent, month, by=org.hr.user)
    attendance_days(org.agent, month, late=1, normal=19)

    # 1. HR opens last month's cycle on the cycles page
    hr, page = signed_in(browser, live_server, "hr")
    nav_click(page, "performance_cycles")
    page.wait_for_selector("#cycle-list-title")
    page.fill("#id_month", label)
    shot(page, "01-open-cycle")
    page.click("#cycle-open-submit")
    # once last month's self-evaluation deadline has passed (PRF-2), the page asks first, with the count
    page.wait_for_selector('#cycle-open-overdue-confirm, #cycle-review-title [data-cycle-status="open"]')
    if page.locator("#cycle-open-overdue-confirm").count():
        assert page.locator("[data-overdue-count]").get_attribute("data-overdue-count") == "10"
        assert AppraisalCycle.objects.filter(month=month).count() == 0
        shot(page, "01b-open-overdue-asks")
        page.click("#cycle-open-overdue-confirm")
    page.wait_for_selector('#cycle-review-title [data-cycle-status="open"]')
    cycle = AppraisalCycle.objects.get(month=month)
    assert cycle.status == CycleStatus.OPEN
    assert Appraisal.objects.filter(cycle=cycle).count() == Employee.objects.count() == 10
    appraisal = Appraisal.objects.get(cycle=cycle, employee=org.agent)
    assert appraisal.status == AppraisalStatus.SELF and appraisal.evaluator == org.supervisor
    assert page.locator('#cycle-figures [data-figure="total"]').inner_text() == "10"
    shot(page, "02-cycle-opened")

    # 2. The agent fills in and submits the self-evaluation
    agent, page = signed_in(browser, live_server, "agent")
    nav_click(page, "performance")
    page.wait_for_selector("#my-appraisal-title")
    page.click("#open-current")
    page.wait_for_selector("#appraisal-self-form")
    rows = page.locator('#appraisal-items tr[data-method="manual"]').all()
    manual = [int(row.get_attribute("data-item")) for row in rows]
    assert len(manual) == 2  # responsibility, cooperation
    for pk in manual:
        page.fill(f"#id_score_{pk}", "90")
        page.fill(f"#id_comment_{pk}", "本月按时完成全部工作")
    page.fill("#id_summary", "本月接听量达标，质检无差错。")
    shot(page, "03-self-evaluation")
    page.click("#appraisal-submit")  # submitting cannot be undone: a dialog asks first
    page.click("#appraisal-submit-confirm")
    page.wait_for_selector('#appraisal-status [data-status="superior"]')
    assert page.locator("#appraisal-self-form").count() == 0
    appraisal.refresh_from_db()
    assert appraisal.status == AppraisalStatus.SUPERIOR and appraisal.self_submitted_at is not None
    assert appraisal.self_score == Decimal("90.00")
    shot(page, "04-self-submitted")

    # 3. The supervisor evaluates from the team appraisals
    supervisor, page = signed_in(browser, live_server, "supervisor")
    nav_click(page, "performance")
    page.wait_for_selector("#my-appraisal-title")
    page.click('#appraisal-tabs a[href$="/performance/team/"]')
    page.wait_for_selector("#team-appraisals-title")
    row = f'#team-appraisals tr[data-appraisal="{appraisal.pk}"]'
    page.wait_for_selector(f'{row} [data-status="superior"]')
    shot(page, "05-team-appraisals")
    page.click(f"{row} a")
    page.wait_for_selector("#appraisal-superior-form")
    for pk in manual:
        page.fill(f"#id_score_{pk}", "80")
        page.fill(f"#id_comment_{pk}", "主动配合组内工作")
    page.fill("#id_summary", "表现良好，需提高一次解决率。")
    page.click("#appraisal-submit")
    page.click("#appraisal-submit-confirm")
    page.wait_for_selector('#appraisal-status [data-status="interview"]')
    appraisal.refresh_from_db()
    assert appraisal.status == AppraisalStatus.INTERVIEW and appraisal.superior_by == org.supervisor
    assert appraisal.total_score is not None and appraisal.band
    # the combined score on the page is the stored one, explained line by line
    assert Decimal(page.locator("#score-total").inner_text().strip()) == appraisal.total_score
    assert Decimal(page.locator("#score-superior").inner_text().strip()) == appraisal.superior_score
    assert page.locator("#appraisal-explanation li").count() >= 1
    shot(page, "06-superior-submitted")

    # and records the feedback interview with one improvement action
    page.click("#record-interview")
    page.wait_for_selector("#interview-form")
    today = timezone.localdate()
    due = today + datetime.timedelta(days=14)
    # the interview date defaults to today, shown in the date input (ISO, whatever the language)
    assert page.input_value("#id_held_on") == today.isoformat()
    page.fill("#id_strengths", "服务态度好，接听量高")
    page.fill("#id_problems", "复杂业务一次解决率偏低")
    page.fill("#id_action_0", "每周学习两个复杂业务案例")
    page.select_option("#id_owner_0", str(org.agent.pk))
    page.fill("#id_due_on_0", due.isoformat())
    shot(page, "07-interview")
    page.click("#interview-submit")
    page.wait_for_selector('#appraisal-status [data-status="completed"]')
    assert "每周学习两个复杂业务案例" in page.locator("#appraisal-actions").inner_text()
    interview = FeedbackInterview.objects.get(appraisal=appraisal)
    assert interview.strengths == "服务态度好，接听量高"
    action = appraisal.actions.get()
    assert action.owner == org.agent and action.due_on == due
    shot(page, "08-interview-recorded")

    # 4. HR locks the month: refused while the others are pending, then forced
    page = hr.pages[0]
    page.goto(f"{live_server.url}/performance/cycles/{cycle.pk}/")
    page.wait_for_selector("#cycle-lock-warning")
    page.wait_for_selector("canvas[data-review-chart][data-chart-ready]")  # bands per team, drawn
    pending = Appraisal.objects.filter(cycle=cycle, status=AppraisalStatus.SELF).count()
    assert pending == 9  # everyone but the agent
    page.click("#cycle-lock-submit")
    page.wait_for_selector(".messages .alert-danger")
    assert f"{pending}" in page.locator(".messages .alert-danger").inner_text()
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    shot(page, "09-lock-refused")
    page.check("#id_force")
    page.click("#cycle-lock-submit")
    page.wait_for_selector('#cycle-review-title [data-cycle-status="locked"]')
    assert page.locator("#cycle-actions").count() == 0
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.LOCKED and cycle.locked_by == org.hr.user
    assert not Appraisal.objects.filter(cycle=cycle).exclude(status=AppraisalStatus.LOCKED).exists()
    shot(page, "10-cycle-locked")

    # and the agent's appraisal is read-only
    page = agent.pages[0]
    page.goto(f"{live_server.url}/performance/appraisals/{appraisal.pk}/")
    page.wait_for_selector("#appraisal-locked")
    assert page.locator("#appraisal-self-form, #appraisal-superior-form, #appraisal-save").count() == 0
    assert page.locator('#appraisal-status [data-status="locked"]').count() == 1
    shot(page, "11-agent-read-only")
    # the agent's history: the locked month's combined score, drawn as a chart
    page.goto(f"{live_server.url}/performance/")
    page.wait_for_selector("canvas[data-appraisal-chart][data-chart-ready]")
    shot(page, "11b-agent-history")

    # 5. HR prepares the month's bonus sheet, opens it and reads the agent's line
    page = hr.pages[0]
    nav_click(page, "performance_bonus")
    page.wait_for_selector("#bonus-list-title")
    page.fill("#id_month", label)
    shot(page, "12-bonus-prepare")
    page.click("#bonus-prepare-submit")
    page.wait_for_selector("#bonus-sheet-title")
    sheet = BonusSheet.objects.get(month=month)
    assert sheet.employees == 10
    nav_click(page, "performance_bonus")
    page.wait_for_selector(f"#bonus-sheet-row-{sheet.pk}")
    page.click(f"#bonus-sheet-row-{sheet.pk} a")
    page.wait_for_selector('#bonus-sheet-status [data-status="draft"]')
    line = BonusLine.objects.get(sheet=sheet, employee_no=org.agent.employee_no)
    assert line.score == appraisal.total_score
    row = page.locator(f"#bonus-line-{line.pk}")
    assert org.agent.name in row.inner_text()
    page.click(f"#bonus-explain-{line.pk} summary")
    explanation = page.locator(f"#bonus-explain-{line.pk} li")
    explanation.first.wait_for()
    assert explanation.count() == len(line.explanation) >= 1
    shot(page, "13-bonus-line-explained")

    # HR prepared it, so HR does not approve it: the page says who approves (SEC-2)
    assert page.locator("#bonus-approve").count() == 0
    assert "SEC-2" in page.locator("#bonus-approve-two-people").inner_text()
    assert "黄丽" in page.locator("#bonus-changers").inner_text()
    # a second HR colleague approves it
    colleague = approver_hr(org)
    second, page = signed_in(browser, live_server, colleague.user.username)
    page.goto(f"{live_server.url}/performance/bonus/{sheet.pk}/")
    page.click("#bonus-approve")
    page.wait_for_selector('#bonus-sheet-status [data-status="approved"]')
    sheet.refresh_from_db()
    assert sheet.status == "approved" and sheet.approved_by == colleague.user != sheet.prepared_by
    shot(page, "14-bonus-approved")

    # exports the PDF and downloads it when the exports card says it is ready
    page.click("#bonus-export-pdf")
    download_link = page.wait_for_selector('#bonus-files [data-file-status="done"] a[id^="bonus-file-download-"]')
    file = BonusSheetFile.objects.get(sheet=sheet, file_format="pdf")
    assert file.status == "done"
    shot(page, "15-bonus-export-ready")
    with page.expect_download() as info:
        download_link.click()
    target = ARTIFACTS / "performance-bonus-sheet.pdf"
    info.value.save_as(target)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    assert org.agent.name in text and label in text
    assert AuditEvent.objects.filter(action="bonus_sheet.export", object_id=str(sheet.pk)).count() == 1
    for context in (hr, agent, supervisor, second):
        context.close()


def test_self_evaluation_asks_before_submitting_and_keeps_what_was_typed(browser, live_server, org):  # noqa: F811
    """The agent types one of two scores and submits: a dialog asks first (cancel keeps the page);
    confirmed, the server refuses (incomplete, PRF-3) and the page comes back with every typed
    score and comment, the error at the missing score; completed, it is submitted."""
    appraisal = appraisal_for(org.agent, month=_previous_month())
    manual = [item.pk for item in manual_items(appraisal)]
    agent, page = signed_in(browser, live_server, "agent")
    page.goto(f"{live_server.url}/performance/appraisals/{appraisal.pk}/")
    page.wait_for_selector("#appraisal-self-form")
    # every score input is labelled with its indicator
    for pk in manual:
        assert page.get_by_label(page.locator(f'label[for="id_score_{pk}"]').inner_text(), exact=True).count() == 1
    page.fill(f"#id_score_{manual[0]}", "85")
    page.fill(f"#id_comment_{manual[0]}", "按时完成")
    page.fill(f"#id_comment_{manual[1]}", "积极配合")
    page.fill("#id_summary", "本月小结")
    # the dialog asks; "keep editing" sends nothing
    page.click("#appraisal-submit")
    page.wait_for_selector("#appraisal-submit-dialog.show")
    shot(page, "20-submit-dialog")
    page.click("#appraisal-submit-cancel")
    page.wait_for_selector("#appraisal-submit-dialog", state="hidden")
    assert Appraisal.objects.get(pk=appraisal.pk).items.filter(self_score__isnull=False).count() == 0
    # confirmed with a score missing: refused, everything typed is still there, the gap marked
    page.click("#appraisal-submit")
    page.click("#appraisal-submit-confirm")
    page.wait_for_selector(f'[data-field-error="score_{manual[1]}"]')
    assert page.input_value(f"#id_score_{manual[0]}") == "85"
    assert page.input_value(f"#id_comment_{manual[0]}") == "按时完成"
    assert page.input_value(f"#id_comment_{manual[1]}") == "积极配合"
    assert page.input_value("#id_summary") == "本月小结"
    assert Appraisal.objects.get(pk=appraisal.pk).status == AppraisalStatus.SELF
    shot(page, "21-submit-refused-kept")
    # completed and confirmed: submitted
    page.fill(f"#id_score_{manual[1]}", "90")
    page.click("#appraisal-submit")
    page.click("#appraisal-submit-confirm")
    page.wait_for_selector('#appraisal-status [data-status="superior"]')
    assert Appraisal.objects.get(pk=appraisal.pk).self_score is not None
    agent.close()
