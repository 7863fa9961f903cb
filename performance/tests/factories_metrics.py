"""Helpers for the metrics import and setup tests: CSV files as HR's Excel writes them."""

from __future__ import annotations

import csv
import datetime
import io

EN_HEADERS = ["employee_no", "date", "calls_answered", "calls_resolved", "avg_handle_seconds", "qa_accuracy"]
ZH_HEADERS = ["工号", "日期", "接听量", "解决量", "平均处理时长(秒)", "业务准确率"]


def csv_bytes(rows, *, headers=None, encoding: str = "utf-8", bom: bool = False) -> bytes:
    """A CSV file: ``rows`` are lists of cells (strings or numbers) under ``headers``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers or EN_HEADERS)
    for row in rows:
        writer.writerow(row)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def metric_row(employee, day: datetime.date, answered=80, resolved=72, handle=280, qa="97.50") -> list:
    return [employee.employee_no, day.isoformat(), answered, resolved, handle, qa]


def push_row(employee, day: datetime.date, answered=80, resolved=72, handle=280, qa="97.50") -> dict:
    return {
        "employee_no": employee.employee_no,
        "date": day.isoformat(),
        "calls_answered": answered,
        "calls_resolved": resolved,
        "avg_handle_seconds": handle,
        "qa_accuracy": qa,
    }


def last_month_day(day: int = 1) -> datetime.date:
    """A day of last month (always in the past, whatever today is)."""
    from django.utils import timezone

    first = timezone.localdate().replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=day)
