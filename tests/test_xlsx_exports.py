"""XLSX exports are laid out for reading (callcenter.exports): a bold header row that stays in
view, column widths from the content, money as ¥#,##0.00, dates as dates, a totals row where a
column is summed. Read back with openpyxl: the kernel and every caller (the bonus sheet, the
directory, the attendance summary)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from attendance import services as attendance_services
from callcenter import services as core_services
from callcenter.exports import XLSX_DATE_FORMAT, XLSX_MONEY_FORMAT, xlsx_bytes
from datasecurity.services import private_storage
from performance import services as performance_services
from performance.models import BonusSheet
from performance.tests.factories import BONUS_MONTH, bonus_appraisal_for, bonus_cycle_for


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_the_kernel_lays_out_header_widths_money_dates_and_totals(db):
    # given a table with a Chinese name, money, a date and a count
    headers = ["Name", "Hired", "Payable", "Days"]
    rows = [
        ["张伟", datetime.date(2024, 3, 1), Decimal("12345.60"), 2],
        ["Li", datetime.date(2025, 1, 15), Decimal("-20.00"), 1],
    ]
    with translation.override("en"):
        sheet = _sheet(xlsx_bytes(headers=headers, rows=rows, money_columns=[2], total_columns=[2, 3]))
    # then the header is bold and frozen
    assert all(cell.font.bold for cell in sheet[1]) and sheet.freeze_panes == "A2"
    # money is a number shown as ¥ with separators; a date is a date
    assert sheet["C2"].value == Decimal("12345.60") or sheet["C2"].value == 12345.6
    assert sheet["C2"].number_format == XLSX_MONEY_FORMAT and sheet["C3"].number_format == XLSX_MONEY_FORMAT
    assert isinstance(sheet["B2"].value, datetime.datetime) and sheet["B2"].number_format == XLSX_DATE_FORMAT
    # the totals row sums the money and the counts, bold, labelled
    assert [c.value for c in sheet[4]] == ["Total", None, pytest.approx(12325.6), 3]
    assert all(c.font.bold for c in sheet[4]) and sheet["C4"].number_format == XLSX_MONEY_FORMAT
    # widths follow the content: "¥12,345.60" is wider than "Days"; a Chinese character counts as two
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert widths["C"] >= len("¥12,345.60") and widths["B"] >= len("2024-03-01")
    assert widths["D"] < widths["C"] and widths["A"] >= 6


def test_without_totals_there_is_no_totals_row_and_formulas_stay_neutralised(db):
    sheet = _sheet(xlsx_bytes(headers=["Name"], rows=[["=1+1"], ["王芳"]]))
    assert sheet.max_row == 3 and sheet["A2"].value == "'=1+1"


def test_the_bonus_sheet_xlsx_has_money_formats_and_totals(org, settings, tmp_path, celery_eager):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    cycle = bonus_cycle_for()
    for employee, score in [(org.agent, 95), (org.peer, 85), (org.other_team, 72)]:
        bonus_appraisal_for(employee, cycle, score)
    sheet = performance_services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    file = performance_services.bonus_sheet_file_request(
        actor=org.hr.user, sheet_id=sheet.pk, file_format="xlsx", language="en"
    )
    performance_services.bonus_sheet_file_render(file_id=file.pk)
    file.refresh_from_db()
    with private_storage().open(file.stored_name, "rb") as handle:
        xlsx = _sheet(handle.read())
    rows = list(xlsx.iter_rows())
    header, lines, totals = rows[0], rows[1:-1], rows[-1]
    assert all(c.font.bold for c in header) and xlsx.freeze_panes == "A2"
    payable = [c.value for c in header].index("Payable")
    assert len(lines) == 3 and all(line[payable].number_format == XLSX_MONEY_FORMAT for line in lines)
    sheet = BonusSheet.objects.get(pk=sheet.pk)
    assert totals[0].value == "Total" and totals[0].font.bold
    assert Decimal(str(totals[payable].value)) == sheet.total_amount
    assert Decimal(str(totals[[c.value for c in header].index("Bonus base")].value)) == sheet.total_base
    assert xlsx.column_dimensions["O"].width > xlsx.column_dimensions["F"].width  # explanation vs band


def test_the_directory_xlsx_has_dates_as_dates_and_pay_as_money(org):
    with translation.override("en"):
        export = core_services.directory_export(actor=org.hr.user, fmt="xlsx")
    sheet = _sheet(export.content)
    header = [c.value for c in sheet[1]]
    hired, pay = header.index("Hire date"), header.index("Monthly base pay")
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert isinstance(sheet.cell(2, hired + 1).value, datetime.datetime)
    assert sheet.cell(2, hired + 1).number_format == XLSX_DATE_FORMAT
    assert sheet.cell(2, pay + 1).number_format == XLSX_MONEY_FORMAT
    # and the CSV still says the date as ISO text
    csv = core_services.directory_export(actor=org.hr.user, fmt="csv").content.decode("utf-8-sig")
    assert org.agent.hire_date.isoformat() in csv


def test_the_attendance_summary_xlsx_sums_fines_and_days(org):
    with translation.override("en"):
        export = attendance_services.monthly_summary_export(
            actor=org.hr.user, month=datetime.date(2026, 3, 1), fmt="xlsx"
        )
    sheet = _sheet(export.content)
    header = [c.value for c in sheet[1]]
    fines = header.index("Fines (CNY)")
    last = list(sheet.iter_rows())[-1]
    assert last[0].value == "Total" and last[0].font.bold
    assert last[fines].number_format == XLSX_MONEY_FORMAT
    lines = list(sheet.iter_rows(min_row=2, max_row=sheet.max_row - 1, values_only=True))
    assert last[fines].value == pytest.approx(sum(row[fines] or 0 for row in lines))
