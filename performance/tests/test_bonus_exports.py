"""The bonus sheet's exports (PRF-4): the PDF, the XLSX and the CSV read the lines through one
selector (:func:`performance.selectors.bonus_line_list`: same rows, same order), the export
service renders them, and the request is audited in its transaction."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from callcenter.errors import NotFoundError
from callcenter.tests.factories import DepartmentFactory, EmployeeFactory, TeamFactory
from datasecurity.models import AuditEvent
from datasecurity.services import private_storage
from performance import exports, selectors, services
from performance.models import BonusSheetFile
from performance.services import bonus as bonus_services
from performance.tests.factories import BONUS_MONTH, bonus_appraisal_for, bonus_cycle_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _setup(db, settings, tmp_path, celery_eager):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def sheet(org):
    """The March sheet: 客服一部 (agent, peer, other_team), and two departments both named 客服二部
    (B: other_dept and b2; C: c1 and c2) whose employee numbers interleave (c1 < b2 < c2): their
    lines must not mix in any export."""
    cycle = bonus_cycle_for()
    dept_c = DepartmentFactory(code="C", name=org.dept_b.name)
    team_c = TeamFactory(department=dept_c)
    c1 = EmployeeFactory(team=team_c, department=dept_c)
    b2 = EmployeeFactory(team=org.b1, department=org.dept_b)
    c2 = EmployeeFactory(team=team_c, department=dept_c)
    people = [(org.agent, 95), (org.peer, 85), (org.other_team, 72), (org.other_dept, None), (b2, 80)]
    for employee, score in [*people, (c1, 90), (c2, 60)]:
        bonus_appraisal_for(employee, cycle, score)
    return services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)


def _export(org, sheet, file_format, django_capture_on_commit_callbacks) -> BonusSheetFile:
    with django_capture_on_commit_callbacks(execute=True):
        file = services.bonus_sheet_file_request(
            actor=org.hr.user, sheet_id=sheet.pk, file_format=file_format, language="zh-hans"
        )
    file.refresh_from_db()
    assert file.status == "done", file.error
    return file


def _stored(file) -> bytes:
    with private_storage().open(file.stored_name, "rb") as handle:
        return handle.read()


def test_the_three_exports_read_the_lines_through_one_selector_in_its_order(
    org, sheet, monkeypatch, django_capture_on_commit_callbacks
):
    """When the sheet is exported as CSV, XLSX and PDF, then each export reads the lines through
    ``bonus_line_list`` (as the requester, the whole sheet) and lists the employees in its order."""
    calls = []
    real = bonus_services.bonus_line_list

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(bonus_services, "bonus_line_list", spy)
    expected = [line.employee_no for line in selectors.bonus_line_list(user=org.hr.user, sheet_id=sheet.pk)]
    assert len(expected) == 7

    csv_rows = list(
        csv.reader(
            io.StringIO(_stored(_export(org, sheet, "csv", django_capture_on_commit_callbacks)).decode("utf-8-sig"))
        )
    )
    xlsx = load_workbook(io.BytesIO(_stored(_export(org, sheet, "xlsx", django_capture_on_commit_callbacks))))
    xlsx_rows = list(xlsx.active.iter_rows(values_only=True))
    pdf = PdfReader(io.BytesIO(_stored(_export(org, sheet, "pdf", django_capture_on_commit_callbacks))))
    pdf_text = "\n".join(page.extract_text() for page in pdf.pages)

    assert calls == [{"user": org.hr.user, "sheet_id": sheet.pk}] * 3
    assert [row[2] for row in csv_rows[1:]] == expected
    # the XLSX ends with its totals row (callcenter.exports): the lines are the rows between
    assert [row[2] for row in xlsx_rows[1:-1]] == expected and xlsx_rows[-1][2] is None
    positions = [pdf_text.index(number) for number in expected]
    assert positions == sorted(positions)


def test_the_export_table_and_the_page_list_agree(org, sheet):
    """The export table is made from the same rows the sheet's page lists (one selector)."""
    lines = list(selectors.bonus_line_list(user=org.hr.user, sheet_id=sheet.pk))
    with translation.override("en"):
        headers, rows = exports.bonus_line_table(lines)
        rows = list(rows)
    assert headers[2] == "Employee number"
    assert [r[2] for r in rows] == [line.employee_no for line in lines]
    assert [r[13] for r in rows] == [line.total for line in lines]


def test_an_export_request_is_audited_and_an_unknown_sheet_is_not_found(org, sheet, django_capture_on_commit_callbacks):
    file = _export(org, sheet, "csv", django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(action="bonus_sheet.export_request")
    assert event.changes["file"] == file.pk and event.changes["format"] == "csv"
    with pytest.raises(NotFoundError):
        services.bonus_sheet_file_request(actor=org.hr.user, sheet_id=sheet.pk + 1000, file_format="csv")
    assert AuditEvent.objects.filter(action="bonus_sheet.export_request").count() == 1


def test_pdf_subtotals_keep_two_departments_of_the_same_name_apart(org, sheet, django_capture_on_commit_callbacks):
    """The lines come by department name, then department id: the PDF's subtotals count each
    department's own people, also when two departments share a name."""
    with translation.override("zh-hans"):
        text = "\n".join(
            p.extract_text()
            for p in PdfReader(
                io.BytesIO(_stored(_export(org, sheet, "pdf", django_capture_on_commit_callbacks)))
            ).pages
        )
    assert re.search(r"小计：客服一部（3 人）", text)
    assert len(re.findall(r"小计：客服二部（2 人）", text)) == 2 and "（1 人）" not in text


def test_negative_amounts_stay_numbers_in_the_csv(org, sheet, django_capture_on_commit_callbacks):
    """A fine larger than the line's bonus makes a negative total (the bench data has such lines):
    the CSV writes ``-120.00``, a number, not the text ``'-120.00`` (the formula escape is for text)."""
    line = next(x for x in selectors.bonus_line_list(user=org.hr.user, sheet_id=sheet.pk) if x.total == 0)
    services.bonus_line_adjust(actor=org.hr.user, line_id=line.pk, kind="penalty", title="Headset lost", amount="120")
    data = _stored(_export(org, sheet, "csv", django_capture_on_commit_callbacks)).decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(data)) if r[2] == line.employee_no)
    assert (row[12], row[13]) == ("120.00", "-120.00")  # fines, payable
    assert not re.search(r"(^|,)'[+-]?\d", data, re.MULTILINE)  # no number anywhere was escaped
