"""Call-center metrics (PRF-1 work results): reading and checking the rows before they are
imported, and the month's totals of an agent.

Pure Python, no database: the service (:mod:`performance.services.metrics`) resolves employee
numbers in one query and writes. Two entry points share one row check, so a CSV upload and an
API push accept and refuse exactly the same rows:

- :func:`read_csv` — bytes of a CSV file → ``(row number, {field: text})`` records. UTF-8 (with or
  without BOM) and GB18030 (what Excel in China saves) are accepted; headers in English or
  Chinese (``工号, 日期, 接听量, 解决量, 平均处理时长(秒), 业务准确率``), in any order; extra
  columns (an agent's name, say) are ignored; blank lines are skipped.
- :func:`clean_rows` — records → typed :class:`MetricRow` values and :class:`RowError` values
  (row number, column, message). The caller refuses the whole import when there is any error.

:class:`MetricTotals` is one agent's month (sums, call-weighted averages), added up per team and
for the whole month view with :func:`metric_totals_add`.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is row 2. For
an API push the first element of ``rows`` is row 1.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError
from callcenter.inputs import text_file_decode
from performance.errors import PerformanceErrorCode
from performance.rules.setup import HUNDRED, ZERO, q2

__all__ = [
    "FIELDS",
    "HEADER_ALIASES",
    "MAX_ERRORS_SHOWN",
    "MAX_FILE_BYTES",
    "MAX_INT",
    "MAX_ROWS",
    "REQUIRED",
    "TEMPLATE_EXAMPLE",
    "TEMPLATE_HEADERS",
    "MetricRow",
    "MetricTotals",
    "RowError",
    "clean_rows",
    "decode",
    "metric_totals_add",
    "read_csv",
]

MAX_FILE_BYTES = 10 * 1024 * 1024  # a month of 5,000 agents is about 4 MB
MAX_ROWS = 150_000  # 5,000 agents × 23 working days with room to spare
MAX_ERRORS_SHOWN = 100
MAX_INT = 2_147_483_647  # PositiveIntegerField

FIELDS = ("employee_no", "date", "calls_answered", "calls_resolved", "avg_handle_seconds", "qa_accuracy")
REQUIRED = FIELDS[:5]
# Header spellings accepted per field, compared after _normalise (case, spaces, full-width brackets).
HEADER_ALIASES = {
    "employee_no": ("employee_no", "employee no", "工号", "员工工号", "员工编号"),
    "date": ("date", "day", "日期"),
    "calls_answered": ("calls_answered", "接听量", "接听数", "接听电话数"),
    "calls_resolved": ("calls_resolved", "解决量", "解决数", "问题解决数"),
    "avg_handle_seconds": ("avg_handle_seconds", "平均处理时长(秒)", "平均处理时长", "平均通话时长(秒)"),
    "qa_accuracy": ("qa_accuracy", "业务准确率", "业务准确率(%)", "质检准确率"),
}
# The header row of the downloadable template (Chinese first: HR's Excel is Chinese).
TEMPLATE_HEADERS = ["工号", "日期", "接听量", "解决量", "平均处理时长(秒)", "业务准确率"]
TEMPLATE_EXAMPLE = ["E00001", "2026-03-02", "85", "78", "265", "97.50"]

_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_INT_RE = re.compile(r"^[+]?\d+$")
_NEGATIVE_RE = re.compile(r"^-\s*\d+(\.\d*)?$")


def _normalise(header: str) -> str:
    text = (header or "").strip().lower().replace("（", "(").replace("）", ")").replace("％", "%")
    return re.sub(r"\s+", " ", text).replace(" (", "(")


_ALIAS_TO_FIELD = {_normalise(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}


class MetricRow(NamedTuple):
    row: int
    employee_no: str
    day: datetime.date
    calls_answered: int
    calls_resolved: int
    avg_handle_seconds: int
    qa_accuracy: Decimal | None


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), else GB18030; anything else is refused with a clear message."""
    text = text_file_decode(data)
    if text is None:
        raise ApplicationError(
            _("The file is neither UTF-8 nor GB18030 text. Save it from Excel as “CSV UTF-8” or plain “CSV”."),
            code=PerformanceErrorCode.ENCODING_INVALID,
        )
    return text


def read_csv(data: bytes) -> tuple[list[tuple[int, dict]], dict[str, str]]:
    """``(records, columns)``: records are ``(row number, {field: text})``; ``columns`` maps each
    field to the header written in the file (so errors name the column as the user wrote it).
    A file that cannot be read at all (encoding, header, too many rows) raises ApplicationError."""
    if len(data) > MAX_FILE_BYTES:
        raise ApplicationError(
            _("The file is %(size)s MB; at most %(limit)s MB can be imported at once. Split it by date.")
            % {"size": f"{len(data) / 1024 / 1024:.1f}", "limit": MAX_FILE_BYTES // 1024 // 1024},
            code=PerformanceErrorCode.FILE_TOO_LARGE,
        )
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ApplicationError(_("The file is empty."), code=PerformanceErrorCode.FILE_EMPTY)
        positions: dict[str, int] = {}
        columns: dict[str, str] = {}
        for index, cell in enumerate(header):
            field = _ALIAS_TO_FIELD.get(_normalise(cell))
            if field is None:
                continue
            if field in positions:
                raise ApplicationError(
                    _("The column “%(column)s” appears twice in the header.") % {"column": cell.strip()},
                    code=PerformanceErrorCode.HEADER_DUPLICATE,
                )
            positions[field] = index
            columns[field] = cell.strip()
        missing = [f for f in REQUIRED if f not in positions]
        if missing:
            raise ApplicationError(
                _(
                    "The header row lacks the column(s) %(missing)s. Expected: %(expected)s "
                    "(Chinese headers are accepted too; download the template)."
                )
                % {"missing": ", ".join(missing), "expected": ", ".join(FIELDS)},
                code=PerformanceErrorCode.HEADER_INVALID,
            )
        records = []
        for line in reader:
            if not any(cell.strip() for cell in line):
                continue
            if len(records) >= MAX_ROWS:
                raise ApplicationError(
                    _("The file has more than %(limit)s rows; split it by date.") % {"limit": f"{MAX_ROWS:,}"},
                    code=PerformanceErrorCode.TOO_MANY_ROWS,
                )
            record = {f: (line[i] if i < len(line) else "") for f, i in positions.items()}
            records.append((reader.line_num, record))
    except csv.Error as exc:
        raise ApplicationError(
            _("The file is not valid CSV (line %(line)s): %(error)s") % {"line": reader.line_num, "error": exc},
            code=PerformanceErrorCode.CSV_INVALID,
        ) from None
    if not records:
        raise ApplicationError(_("The file has a header but no rows."), code=PerformanceErrorCode.FILE_EMPTY)
    return records, columns


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _count(value, column, row, errors, *, label) -> int | None:
    """A non-negative whole number; errors name the column."""
    if isinstance(value, bool):
        value = ""
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = _text(value).replace(",", "")
    if text.endswith(".0") or text.endswith(".00"):  # Excel writes 85 as 85.0 sometimes
        text = text.rsplit(".", 1)[0]
    if not text:
        errors.append(RowError(row, column, _("%(field)s is missing.") % {"field": label}))
        return None
    if _NEGATIVE_RE.match(text):
        errors.append(RowError(row, column, _("%(field)s cannot be negative.") % {"field": label}))
        return None
    if not _INT_RE.match(text) or int(text) > MAX_INT:
        errors.append(
            RowError(
                row,
                column,
                _("%(field)s must be a whole number, not “%(value)s”.") % {"field": label, "value": text[:40]},
            )
        )
        return None
    return int(text)


def clean_rows(
    records: list[tuple[int, dict]], *, today: datetime.date, columns: dict[str, str] | None = None
) -> tuple[list[MetricRow], list[RowError]]:
    """Check every record; return the good rows and every error (in row order). One bad row
    makes the caller refuse the whole import, so all errors are collected, not just the first."""
    columns = {**{f: f for f in FIELDS}, **(columns or {})}
    labels = {
        "calls_answered": _("Calls answered"),
        "calls_resolved": _("Calls resolved"),
        "avg_handle_seconds": _("Average handling time"),
    }
    rows: list[MetricRow] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, datetime.date], int] = {}
    for number, record in records:
        start = len(errors)
        employee_no = _text(record.get("employee_no"))
        if not employee_no:
            errors.append(RowError(number, columns["employee_no"], _("The employee number is missing.")))
        elif len(employee_no) > 20:
            errors.append(RowError(number, columns["employee_no"], _("The employee number is too long.")))
        day = None
        raw_day = record.get("date")
        if isinstance(raw_day, datetime.date) and not isinstance(raw_day, datetime.datetime):
            day = raw_day
        else:
            match = _DATE_RE.match(_text(raw_day))
            try:
                day = datetime.date(*(int(g) for g in match.groups())) if match else None
            except ValueError:
                day = None
            if day is None:
                errors.append(
                    RowError(
                        number,
                        columns["date"],
                        _("“%(value)s” is not a date; write YYYY-MM-DD.") % {"value": _text(raw_day)[:40]},
                    )
                )
        if day is not None and day > today:
            errors.append(RowError(number, columns["date"], _("%(day)s is in the future.") % {"day": day.isoformat()}))
            day = None
        answered = _count(
            record.get("calls_answered"), columns["calls_answered"], number, errors, label=labels["calls_answered"]
        )
        resolved = _count(
            record.get("calls_resolved"), columns["calls_resolved"], number, errors, label=labels["calls_resolved"]
        )
        handle = _count(
            record.get("avg_handle_seconds"),
            columns["avg_handle_seconds"],
            number,
            errors,
            label=labels["avg_handle_seconds"],
        )
        if answered is not None and resolved is not None and resolved > answered:
            errors.append(
                RowError(
                    number,
                    columns["calls_resolved"],
                    _("Calls resolved (%(resolved)s) cannot exceed calls answered (%(answered)s).")
                    % {"resolved": resolved, "answered": answered},
                )
            )
        qa = None
        raw_qa = record.get("qa_accuracy")
        qa_text = _text(raw_qa).rstrip("%").strip() if not isinstance(raw_qa, int | float | Decimal) else str(raw_qa)
        if qa_text and not isinstance(raw_qa, bool):
            try:
                qa = Decimal(qa_text)
                if not qa.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(
                    RowError(
                        number,
                        columns["qa_accuracy"],
                        _("Business accuracy must be a percentage from 0 to 100, not “%(value)s”.")
                        % {"value": qa_text[:40]},
                    )
                )
                qa = None
            else:
                if qa < 0 or qa > 100:
                    errors.append(
                        RowError(
                            number,
                            columns["qa_accuracy"],
                            _("Business accuracy %(value)s is outside 0 to 100 (%%).") % {"value": qa_text[:40]},
                        )
                    )
                    qa = None
                else:
                    # Percentages are kept to 2 places (Excel often writes 97.4567…).
                    qa = qa.quantize(Decimal("0.01"), ROUND_HALF_UP)
        elif isinstance(raw_qa, bool):
            errors.append(
                RowError(number, columns["qa_accuracy"], _("Business accuracy must be a percentage from 0 to 100."))
            )
        if employee_no and day is not None:
            key = (employee_no, day)
            first = seen.get(key)
            if first is not None:
                errors.append(
                    RowError(
                        number,
                        columns["date"],
                        _("Employee %(employee_no)s on %(day)s appears twice (also row %(first)s).")
                        % {"employee_no": employee_no, "day": day.isoformat(), "first": first},
                    )
                )
            else:
                seen[key] = number
        if len(errors) == start:
            rows.append(MetricRow(number, employee_no, day, answered, resolved, handle, qa))
    return rows, errors


# --- The month's totals (PRF-1 work results) ---------------------------------------------------------


@dataclass(frozen=True)
class MetricTotals:
    """One agent's month from the metrics import (or the sum of several agents')."""

    days: int = 0
    calls_answered: int = 0
    calls_resolved: int = 0
    handle_seconds_total: int = 0  # Σ avg_handle_seconds × calls_answered (call-weighted average)
    qa_weighted: Decimal = ZERO  # Σ qa_accuracy × calls_answered over days with a QA figure
    qa_calls: int = 0

    @property
    def resolution_rate(self) -> Decimal | None:
        if not self.calls_answered:
            return None
        return q2(Decimal(self.calls_resolved) * HUNDRED / self.calls_answered)

    @property
    def avg_handle_seconds(self) -> Decimal | None:
        if not self.calls_answered:
            return None
        return q2(Decimal(self.handle_seconds_total) / self.calls_answered)

    @property
    def qa_accuracy(self) -> Decimal | None:
        if not self.qa_calls:
            return None
        return q2(self.qa_weighted / self.qa_calls)


def metric_totals_add(a: MetricTotals, b: MetricTotals) -> MetricTotals:
    """The totals of two agents (or groups) together: sums, so the averages stay call-weighted."""
    return MetricTotals(
        days=a.days + b.days,
        calls_answered=a.calls_answered + b.calls_answered,
        calls_resolved=a.calls_resolved + b.calls_resolved,
        handle_seconds_total=a.handle_seconds_total + b.handle_seconds_total,
        qa_weighted=a.qa_weighted + b.qa_weighted,
        qa_calls=a.qa_calls + b.qa_calls,
    )
