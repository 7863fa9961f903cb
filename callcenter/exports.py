"""Files leaving the system: CSV and XLSX writers and the HTTP responses that deliver files.

An export is a service (``<entity>_export(*, actor, …) -> ExportFile``) that reads through its
selectors, writes the bytes with :func:`csv_file` / :func:`xlsx_file` (or its own PDF renderer in
``<app>/exports/``) and records the audit event in the same transaction; the page or endpoint
only hands the file over with :func:`file_response`.

Text cells that start with ``= + - @`` (or a tab / carriage return) are neutralised with a leading
apostrophe, so a spreadsheet never runs a formula that came from user input (CSV injection).
Numbers are never touched: ``Decimal("-120.00")`` is written as ``-120.00`` (and so is text that
is only a number, e.g. ``"-120.00"``), so a fine or a negative total stays a number.
"""

import csv
import io
import re
from dataclasses import dataclass

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook

__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
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


def xlsx_bytes(*, headers: list[str], rows, sheet_title: str = "Sheet1") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:31])
    sheet.append([neutralise(str(h)) for h in headers])
    for row in rows:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(*, filename: str, headers: list[str], rows) -> ExportFile:
    """``filename`` without its extension."""
    return ExportFile(csv_bytes(headers=headers, rows=rows), f"{filename}.csv", CSV_CONTENT_TYPE)


def xlsx_file(*, filename: str, headers: list[str], rows, sheet_title: str = "Sheet1") -> ExportFile:
    """``filename`` without its extension."""
    return ExportFile(
        xlsx_bytes(headers=headers, rows=rows, sheet_title=sheet_title), f"{filename}.xlsx", XLSX_CONTENT_TYPE
    )


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
