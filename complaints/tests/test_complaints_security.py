"""SECURITY.md classes 5 (injection), 8 (concurrency) and 11 (time) where complaints had no test of
their own: a cause typed like a spreadsheet formula or like markup is text in the statistics' CSV,
XLSX and page; two of the complaint team resolving or pausing one complaint at the same moment act
once, and complaints recorded at the same moment get distinct references; a complaint at 23:59 on
New Year's Eve and one at midnight exactly fall in their own local month and year."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from callcenter.roles import Role
from callcenter.tests import factories as f
from callcenter.tests.parallel import run_parallel
from complaints import services
from complaints.models import Complaint, ComplaintEvent, EventKind
from complaints.selectors import complaint_statistics
from complaints.services import complaint_statistics_export
from complaints.tests.factories import at, complaint_planned, complaint_recorded, complaint_row
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+cmd", "-2+3", "@SUM(A1)"]
MARKUP = "<script>alert(1)</script>"
RANGE = {"date_from": "2026-12-01", "date_to": "2026-12-31"}


@pytest.fixture
def causes(org):
    """One complaint in December 2026 per hostile cause (formula-like and markup)."""
    return [
        complaint_row(org, n, received=at(2026, 12, 10 + n, 10), team=org.a1, cause=cause)
        for n, cause in enumerate([*FORMULAS, MARKUP])
    ]


def _csv_cells(export) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(export.content.decode("utf-8-sig"))) for cell in row]


def test_causes_like_formulas_are_text_in_the_csv_and_xlsx_exports(org, causes):
    """Given causes that start with = + - @, when the handler exports the statistics as CSV and
    XLSX, then each cause is written with a leading apostrophe (a spreadsheet shows it, never runs
    it) and no cell of either file starts a formula."""
    csv_export = complaint_statistics_export(actor=org.handler.user, filters=RANGE, fmt="csv")
    cells = _csv_cells(csv_export)
    for cause in FORMULAS:
        assert f"'{cause}" in cells and cause not in cells
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    xlsx_export = complaint_statistics_export(actor=org.handler.user, filters=RANGE, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx_export.content)).active
    values = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    for cause in FORMULAS:
        assert f"'{cause}" in values
    assert not any(v.startswith(("=", "+", "-", "@")) for v in values)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_cause_written_as_markup_is_text_on_the_statistics_page(org, causes):
    """Given a cause that is a <script> tag, when the handler opens the statistics page for
    December, then the cause is listed escaped and the markup never reaches the page."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(org.handler.user)
    html = client.get(reverse("complaints:statistics"), RANGE).content.decode()
    assert MARKUP not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_new_years_eve_and_midnight_fall_in_their_own_month_and_year(org):
    """Given a complaint received at 23:59:59 on 31 December 2026 and one at 00:00:00 on 1 January
    2027 (local time), when the statistics are read for December, for January and for both, then
    December holds the first only, January the second only, and the months are 2026-12 and
    2027-01 (local days, not UTC days: in UTC both fall on 31 December)."""
    eve = complaint_row(org, 1, received=at(2026, 12, 31, 23, 59, 59), team=org.a1)
    new_year = complaint_row(org, 2, received=at(2027, 1, 1, 0, 0, 0), team=org.a1)
    now = at(2027, 2, 1, 12)
    december = complaint_statistics(user=org.handler.user, filters=RANGE, now=now)
    january = complaint_statistics(
        user=org.handler.user, filters={"date_from": "2027-01-01", "date_to": "2027-01-31"}, now=now
    )
    both = complaint_statistics(
        user=org.handler.user, filters={"date_from": "2026-12-01", "date_to": "2027-01-31"}, now=now
    )
    assert december["total"] == 1 and january["total"] == 1
    assert [m["month"] for m in december["by_month"]] == ["2026-12"]
    assert [m["month"] for m in january["by_month"]] == ["2027-01"]
    assert [(m["month"], m["count"]) for m in both["by_month"]] == [("2026-12", 1), ("2027-01", 1)]
    in_utc = [c.received_at.astimezone(datetime.UTC).date() for c in (eve, new_year)]
    assert in_utc == [datetime.date(2026, 12, 31)] * 2  # in UTC both on 31 December


# --- Concurrency: two of the complaint team at the same moment, on real connections -----------


@pytest.fixture
def second_handler(org):
    return f.EmployeeFactory(
        user=f.UserFactory(username="handler2", roles=[Role.COMPLAINT_HANDLER]), team=org.b1, department=org.dept_b
    )


@pytest.mark.django_db(transaction=True)
def test_two_handlers_resolving_one_complaint_at_once_resolve_it_once(org, second_handler, settings):
    """Given a planned complaint, when two handlers resolve it at the same moment, then one
    resolution lands, the other is told it is already resolved (the complaint's row lock), and
    the timeline and the audit trail hold one resolution."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    complaint = complaint_recorded(org)
    complaint_planned(org, complaint)
    outcomes = run_parallel(
        [
            lambda user=user: services.complaint_resolve(actor=user, complaint_id=complaint.pk, text="已处理")
            for user in (org.handler.user, second_handler.user)
        ]
    )
    assert outcomes == ["already_resolved", "ok"]
    assert AuditEvent.objects.filter(action="complaint.resolve", object_id=str(complaint.pk)).count() == 1
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.RESOLVED).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_handlers_pausing_the_clock_at_once_pause_it_once(org, second_handler, settings):
    """Given an open complaint, when two handlers pause its clock at the same moment, then one
    pause lands and the other is told the clock is already paused; one pause is audited."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    complaint = complaint_recorded(org)
    outcomes = run_parallel(
        [
            lambda user=user: services.complaint_pause(actor=user, complaint_id=complaint.pk, reason="等待客户材料")
            for user in (org.handler.user, second_handler.user)
        ]
    )
    assert outcomes == ["already_paused", "ok"]
    assert AuditEvent.objects.filter(action="complaint.pause", object_id=str(complaint.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_complaints_recorded_at_the_same_moment_get_distinct_references(org, settings):
    """Given four agents recording complaints at the same moment, then all four are saved, each
    with its own reference, and each recording is audited once."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    people = [org.agent, org.peer, org.other_team, org.other_dept]
    outcomes = run_parallel([lambda who=who: complaint_recorded(org, by=who) for who in people])
    assert outcomes == ["ok"] * 4
    references = list(Complaint.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references)) == 4
    assert AuditEvent.objects.filter(action="complaint.record").count() == 4
