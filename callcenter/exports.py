"""Files leaving the system: CSV and XLSX writers and the HTTP responses that deliver files.

An export is a service (``<entity>_export(*, actor, …) -> ExportFile``) that reads through its
selectors, writes the bytes with :func:`csv_file` / :func:`xlsx_file` (or its own PDF renderer in
``<app>/exports/``) and records the audit event in the same transaction; the page or endpoint
only hands the file over with :func:`file_response`.

Text cells that start with ``= + - @`` (or a tab / carriage return) are neutralised with a leading
apostrophe, so a spreadsheet never runs a formula that came from user input (CSV injection).
Numbers are never touched: ``Decimal("-120.00")`` is written as ``-120.00`` (and so is text that
is only a number, e.g. ``"-120.00"``), so a fine or a negative total stays a number.

An XLSX is laid out for reading, not only for importing: a bold header row that stays in view
(frozen), column widths from the content (a Chinese character counts as two), money columns as
``¥#,##0.00`` (negative amounts in red), dates as dates (``yyyy-mm-dd``), and, where the caller
names columns to sum (money, counts), a totals row under the data.
"""

import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Border, Font, Side
from openpyxl.utils import get_column_letter

__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "XLSX_DATETIME_FORMAT",
    "XLSX_DATE_FORMAT",
    "XLSX_MONEY_FORMAT",
    "ExportFile",
    "csv_bytes",
    "csv_file",
    "file_response",
    "neutralise",
    "private_file_response",
    "xlsx_bytes",
    "xlsx_file",
]

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
# A signed decimal number and nothing else: no formula can hide in it.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


@dataclass(frozen=True)
class ExportFile:
    """The bytes of an export and how to deliver them."""

    content: bytes
    filename: str  # with its extension
    content_type: str


def neutralise(value):
    """``value`` safe for a spreadsheet cell: text a spreadsheet would read as a formula gets a
    leading apostrophe; numbers, and text that is only a number, are returned as they are."""
    if isinstance(value, str) and value.startswith(_DANGEROUS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_bytes(*, headers: list[str], rows) -> bytes:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel opens UTF-8 Chinese text correctly
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        # Only text is neutralised: a number (a negative amount too) is written as it is.
        writer.writerow([neutralise(v) if isinstance(v, str) else ("" if v is None else str(v)) for v in row])
    return buffer.getvalue().encode("utf-8")


XLSX_MONEY_FORMAT = '"¥"#,##0.00;[Red]-"¥"#,##0.00'
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_MIN_WIDTH, _MAX_WIDTH = 6, 60


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count as two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _shown(value, money: bool) -> str:
    if value is None:
        return ""
    if money and isinstance(value, int | float | Decimal):
        return f"¥{value:,.2f}"
    if isinstance(value, datetime.datetime):
        return "0000-00-00 00:00"
    if isinstance(value, datetime.date):
        return "0000-00-00"
    return str(value)


def _cell(sheet, value, *, money: bool, bold: bool = False):
    """The value as it is, or a styled cell where it needs a style (a styled cell costs more: 5,000
    lines of 15 columns are written in about a second)."""
    styled = bold or isinstance(value, datetime.date) or (money and isinstance(value, int | float | Decimal))
    if not styled:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = Font(bold=True)
    if money and isinstance(value, int | float | Decimal):
        cell.number_format = XLSX_MONEY_FORMAT
    elif isinstance(value, datetime.datetime):
        cell.number_format = XLSX_DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = XLSX_DATE_FORMAT
    return cell


def xlsx_bytes(
    *,
    headers: list[str],
    rows: Iterable,
    sheet_title: str = "Sheet1",
    money_columns: Sequence[int] = (),
    total_columns: Sequence[int] = (),
) -> bytes:
    """One sheet: the bold, frozen ``headers``, the ``rows``, widths from the content.
    ``money_columns`` (indexes) are shown as ¥ with separators and two decimals; the
    ``total_columns`` are summed in a bold totals row, labelled in the first column."""
    money, totals = set(money_columns), list(total_columns)
    header_texts = [neutralise(str(h)) for h in headers]
    data = [[neutralise(v) if isinstance(v, str) else v for v in row] for row in rows]
    sums: dict[int, Decimal | int | float] = dict.fromkeys(totals, 0)
    for row in data:
        for index in totals:
            value = row[index] if index < len(row) else None
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                sums[index] = sums[index] + (value if not isinstance(value, float) else Decimal(str(value)))
    total_row = None
    if totals:
        total_row = [None] * len(headers)
        total_row[0] = _("Total")
        for index, value in sums.items():
            total_row[index] = value

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:31])
    sheet.freeze_panes = "A2"  # the header stays in view
    # Widths before the first row: a write-only sheet takes them only then.
    for index, header in enumerate(header_texts):
        shown = [_shown(row[index], index in money) for row in data if index < len(row)]
        if total_row is not None:
            shown.append(_shown(total_row[index], index in money))
        widest = max([_display_width(header), *(_display_width(s) for s in shown)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(_MAX_WIDTH, max(_MIN_WIDTH, widest + 2))
    sheet.append([_cell(sheet, h, money=False, bold=True) for h in header_texts])
    for row in data:
        sheet.append([_cell(sheet, v, money=i in money) for i, v in enumerate(row)])
    if total_row is not None:
        line = Border(top=Side(style="thin"))
        cells = []
        for i, v in enumerate(total_row):
            cell = _cell(sheet, v, money=i in money, bold=True)
            cell.border = line
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(*, filename: str, headers: list[str], rows) -> ExportFile:
    """``filename`` without its extension."""
    return ExportFile(csv_bytes(headers=headers, rows=rows), f"{filename}.csv", CSV_CONTENT_TYPE)


def xlsx_file(
    *,
    filename: str,
    headers: list[str],
    rows,
    sheet_title: str = "Sheet1",
    money_columns: Sequence[int] = (),
    total_columns: Sequence[int] = (),
) -> ExportFile:
    """``filename`` without its extension; the layout as :func:`xlsx_bytes`."""
    content = xlsx_bytes(
        headers=headers,
        rows=rows,
        sheet_title=sheet_title,
        money_columns=money_columns,
        total_columns=total_columns,
    )
    return ExportFile(content, f"{filename}.xlsx", XLSX_CONTENT_TYPE)


def file_response(export: ExportFile) -> HttpResponse:
    """An export as a download (pages and API alike)."""
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = content_disposition_header(True, export.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def private_file_response(handle, *, filename: str, content_type: str) -> FileResponse:
    """A stored private file as a download: an attachment, never sniffed, never cached, sandboxed."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
