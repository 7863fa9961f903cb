"""The destruction suite (SEC-4): what is due per category on the bench database, a request for
old telephony metrics carried out by the job (rows destroyed per second, in batches of
``DESTRUCTION_BATCH``), and the auditor's register (the first page of 50)."""

import datetime
import time

from django.apps import apps
from django.utils import timezone

from callcenter.bench import BenchContext, BenchRow, measure, register_bench_suite
from callcenter.models import Employee
from datasecurity.models import DestructionMethod, DestructionRecord, DestructionRequest
from datasecurity.selectors import destruction_due, destruction_record_list
from datasecurity.services import (
    DESTRUCTION_BATCH,
    destruction_record_write,
    destruction_request_approve,
    destruction_request_create,
    destruction_request_execute,
)

__all__ = ["destruct_suite"]

OLD_DAYS = 10  # days of metrics per employee made old enough to be due
REGISTER_RECORDS = 2_000


def _old_metrics(actor, employees: int) -> int:
    """Telephony metrics past the default two years for up to ``employees`` people (idempotent)."""
    # Tooling: the metrics belong to performance, above this app; the bench makes old rows of its
    # table through the app registry (runtime code reaches them only through the registered category).
    metric_import, agent_metric = (
        apps.get_model("performance", "MetricImport"),
        apps.get_model("performance", "AgentDailyMetric"),
    )
    start = timezone.localdate() - datetime.timedelta(days=2 * 365 + 40)
    source = metric_import.objects.create(source="csv", imported_by=actor, filename="bench-destruct.csv")
    people = list(Employee.objects.order_by("pk").values_list("pk", flat=True)[:employees])
    rows = [
        agent_metric(
            employee_id=pk,
            day=start + datetime.timedelta(days=d),
            calls_answered=80,
            calls_resolved=70,
            avg_handle_seconds=280,
            source_import=source,
        )
        for pk in people
        for d in range(OLD_DAYS)
    ]
    agent_metric.objects.bulk_create(rows, batch_size=5_000, ignore_conflicts=True)
    return len(rows)


@register_bench_suite("destruct")
def destruct_suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    hr, auditor = ctx.users.get("hr"), ctx.users.get("auditor")
    if hr is None or auditor is None:
        return rows

    ms, queries, due = measure(lambda _: destruction_due(user=hr), repeat=ctx.repeat)
    summary = ", ".join(f"{row.code} {row.due.quantity:,}" for row in due)
    rows.append(BenchRow("retention schedule: what is due (every category)", summary, ms, queries, ""))

    made = _old_metrics(hr, ctx.employees)
    started = time.perf_counter()
    request = destruction_request_create(actor=hr, reason="bench: past the retention period")
    create_ms = (time.perf_counter() - started) * 1000
    rows.append(
        BenchRow("destruction request (due computed and frozen)", f"{request.items_total:,} items", create_ms, 0, "")
    )
    started = time.perf_counter()
    destruction_request_approve(actor=auditor, request_id=request.pk)
    # With an eager Celery the job ran on commit; otherwise run it here (the worker's work).
    request = DestructionRequest.objects.get(pk=request.pk)
    if request.status != "done":
        request = destruction_request_execute(request_id=request.pk)
    seconds = time.perf_counter() - started
    rows.append(
        BenchRow(
            f"approved request carried out (batches of {DESTRUCTION_BATCH})",
            f"{request.items_done:,} items ({made:,} old metric rows made), {request.status}",
            seconds * 1000,
            0,
            f"{request.items_done / seconds:,.0f} items/s",
        )
    )

    missing = REGISTER_RECORDS - DestructionRecord.objects.count()
    for i in range(max(0, missing)):
        destruction_record_write(
            category="telephony_metrics",
            name="bench",
            quantity=i + 1,
            method=DestructionMethod.ROW_DELETE,
            responsible=hr,
            approver=auditor,
        )

    def first_page(_):
        return len(list(destruction_record_list(user=auditor, filters={})[:50]))

    ms, queries, shown = measure(first_page, repeat=ctx.repeat)
    total = DestructionRecord.objects.count()
    rows.append(BenchRow("destruction register, first page", f"{shown} of {total:,} records", ms, queries, ""))
    return rows
