"""Call-center metrics (PRF-1 work results) for the performance tests: CSV files as HR's Excel
writes them, rows as the API receives them, and days of metrics written directly."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.utils import timezone

from callcenter.tests.factories import UserFactory
from performance.models import AgentDailyMetric, MetricImport
from performance.services import metric_call_volumes_rebuild

__all__ = [
    "EN_HEADERS",
    "ZH_HEADERS",
    "csv_bytes",
    "last_month_day",
    "metric_days",
    "metric_row",
    "push_row",
]

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
    first = timezone.localdate().replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=day)


def metric_days(
    employee,
    month: datetime.date,
    *,
    days: int = 20,
    answered: int = 80,
    resolved: int = 72,
    handle_seconds: int = 280,
    qa: str | None = "97.50",
    by=None,
) -> MetricImport:
    """``days`` working days of metrics for ``employee`` from the 1st of ``month`` (one import)."""
    batch = MetricImport.objects.create(source="api", imported_by=by or UserFactory(), rows=days, created=days)
    AgentDailyMetric.objects.bulk_create(
        AgentDailyMetric(
            employee=employee,
            day=month.replace(day=1) + datetime.timedelta(days=i),
            calls_answered=answered,
            calls_resolved=resolved,
            avg_handle_seconds=handle_seconds,
            qa_accuracy=None if qa is None else Decimal(qa),
            source_import=batch,
        )
        for i in range(days)
    )
    # Written directly, as the import writes them: keep the team-day roll-up (CMP-4) in step.
    first = month.replace(day=1)
    metric_call_volumes_rebuild(date_from=first, date_to=first + datetime.timedelta(days=days - 1))
    return batch
