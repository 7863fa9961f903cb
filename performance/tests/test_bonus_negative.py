"""Lines with a negative payable amount (PRF-4): the deductions (ATT-4 fines, ATT-5 absenteeism,
PEN-1 fines) exceed the bonus. A bonus is never paid below zero; payroll settles the difference
from the month's pay. The sheet page warns and counts them, flags each line and filters to them;
approval needs the approver's explicit acknowledgement (page and API), recorded in the audit
event. Money on the pages is shown as ¥ with separators and two decimals in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from datasecurity.models import AuditEvent
from performance import services
from performance.models import BonusLine, BonusSheet
from performance.tests.factories import BONUS_MONTH, approver_hr, bonus_appraisal_for, bonus_cycle_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(org):
    """Prepared by HR; HR fined the agent 5,000.00 (PEN-1), more than the agent's bonus."""
    cycle = bonus_cycle_for()
    for employee, score in [(org.agent, 95), (org.peer, 85)]:
        bonus_appraisal_for(employee, cycle, score)
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    services.bonus_line_adjust(
        actor=org.hr.user, sheet_id=sheet.pk, employee_no=org.agent.employee_no, kind="penalty",
        title="泄露客户资料", amount="5000.00",
    )  # fmt: skip
    return sheet


def _client(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


def test_the_sheet_page_warns_counts_and_flags_negative_lines(org, sheet):
    # given one negative line of two; when a colleague opens the sheet
    line = BonusLine.objects.get(sheet=sheet, employee=org.agent)
    assert line.total < 0
    html = _client(approver_hr(org).user).get(reverse("performance:bonus_sheet_detail", args=[sheet.pk])).content
    html = html.decode()
    # then the header counts it, the warning cites the articles, the line is flagged
    assert 'id="bonus-negative-count"' in html and "1 negative line" in html
    warning = html[html.index('id="bonus-negative-warning"') :][:900]
    assert "ATT-4" in warning and "PEN-1" in warning and "never paid below zero" in warning
    row = html[html.index(f'id="bonus-line-{line.pk}"') :].split("</tr>")[0]
    assert "data-negative" in row and "table-danger" in row and f"-¥{abs(line.total):,.2f}" in row
    other = BonusLine.objects.get(sheet=sheet, employee=org.peer)
    assert "data-negative" not in html[html.index(f'id="bonus-line-{other.pk}"') :].split("</tr>")[0]
    # and approving asks for the acknowledgement
    assert 'name="negative_acknowledged"' in html


def test_the_negative_filter_lists_only_those_lines(org, sheet):
    client = _client(approver_hr(org).user)
    response = client.get(reverse("performance:bonus_sheet_detail", args=[sheet.pk]), {"negative": "on"})
    assert [line.employee_id for line in response.context["page_obj"]] == [org.agent.pk]


def test_a_sheet_without_negative_lines_shows_no_warning(org):
    cycle = bonus_cycle_for()
    bonus_appraisal_for(org.agent, cycle, 95)
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    html = _client(approver_hr(org).user).get(reverse("performance:bonus_sheet_detail", args=[sheet.pk])).content
    assert b"bonus-negative-warning" not in html and b'name="negative_acknowledged"' not in html


def test_approval_on_the_page_needs_the_acknowledgement(org, sheet):
    client = _client(approver_hr(org).user)
    url = reverse("performance:bonus_sheet_approve", args=[sheet.pk])
    # when the colleague approves without ticking the box: refused, explained, nothing changed
    response = client.post(url, follow=True)
    assert "negative payable amount" in response.content.decode() and "PRF-4" in response.content.decode()
    assert BonusSheet.objects.get(pk=sheet.pk).status == "draft"
    # when they tick it: approved, and the audit event says with how many negative lines
    client.post(url, {"negative_acknowledged": "on"})
    assert BonusSheet.objects.get(pk=sheet.pk).status == "approved"
    event = AuditEvent.objects.get(action="bonus_sheet.approve", object_id=str(sheet.pk))
    assert event.changes["negative_lines"] == 1 and event.changes["negative_acknowledged"] is True


def test_approval_over_the_api_needs_the_acknowledgement(org, sheet):
    client = _client(approver_hr(org).user)
    url = reverse("api:performance:bonus_sheet_approve", args=[sheet.pk])
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "negative_lines_unacknowledged" and response.json()["negative_lines"] == 1
    assert BonusSheet.objects.get(pk=sheet.pk).status == "draft"
    response = client.post(url, {"negative_acknowledged": True}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_the_preparer_is_refused_first_whatever_the_acknowledgement(org, sheet):
    # SEC-2 comes before the acknowledgement: HR prepared and changed the sheet
    client = _client(org.hr.user)
    url = reverse("api:performance:bonus_sheet_approve", args=[sheet.pk])
    response = client.post(url, {"negative_acknowledged": True}, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "approver_changed_sheet"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_on_the_sheet_pages_has_the_yuan_sign_separators_and_two_decimals(org, language):
    # given a sheet of 1,000 employees' worth of bonus base (one line of 12,345.60 base)
    cycle = bonus_cycle_for()
    bonus_appraisal_for(org.agent, cycle, 85)
    org.agent.bonus_base = Decimal("12345.60")
    org.agent.save(update_fields=["bonus_base"])
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    line = BonusLine.objects.get(sheet=sheet)
    client = _client(org.hr.user, language)
    detail = client.get(reverse("performance:bonus_sheet_detail", args=[sheet.pk])).content.decode()
    listing = client.get(reverse("performance:bonus_sheet_list")).content.decode()
    expected = f"¥{line.bonus_base:,.2f}"
    assert expected == "¥12,345.60"
    assert expected in detail[detail.index(f'id="bonus-line-{line.pk}"') :].split("</tr>")[0]
    assert f"¥{line.total:,.2f}" in detail[detail.index('id="bonus-overall-total"') :][:80]
    row = listing[listing.index(f'id="bonus-sheet-row-{sheet.pk}"') :].split("</tr>")[0]
    assert f"¥{sheet.total_base:,.2f}" in row and f"¥{sheet.total_amount:,.2f}" in row
