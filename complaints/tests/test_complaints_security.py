"""SECURITY.md classes 5 (injection) and 11 (time) for the complaint statistics (CMP-4), which had
no test of their own: a cause typed like a spreadsheet formula or like markup is text in the CSV,
the XLSX and the page; a complaint at 23:59 on New Year's Eve and one at midnight exactly fall in
their own local month and year."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from complaints.selectors import complaint_statistics
from complaints.services import complaint_statistics_export
from complaints.tests.factories import at, complaint_row

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
