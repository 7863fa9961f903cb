"""The audit suite: appending audit events (one transaction, one each), verifying the chain, and
the background export of the whole trail (time and peak Python memory, CSV and XLSX)."""

import contextlib
import time
import tracemalloc

from django.db import transaction

from callcenter.bench import BenchContext, BenchRow, measure, register_bench_suite
from datasecurity.models import AuditEvent, AuditExport
from datasecurity.selectors import audit_chain_verify
from datasecurity.services import audit_export_render, audit_record

__all__ = ["audit_export_measure", "audit_suite"]


def audit_export_measure(*, actor, fmt: str) -> tuple[AuditExport, float, float]:
    """Write the whole trail as a background export would (the task's work, without the broker):
    returns (the export, seconds, peak MiB of Python memory during a second, traced run)."""
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    total = AuditEvent.objects.count()

    def run() -> AuditExport:
        export = AuditExport.objects.create(
            requested_by=actor, file_format=fmt, language="en", last_event_id=newest, rows_total=total
        )
        return audit_export_render(export_id=export.pk)

    started = time.perf_counter()
    export = run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        run()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return export, seconds, peak / 2**20


@register_bench_suite("audit")
def audit_suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    n = ctx.audit_events

    def appender(size: int, *, one_transaction: bool):
        def append(_):
            # Without an outer block each audit_record opens (and commits) its own transaction.
            with transaction.atomic() if one_transaction else contextlib.nullcontext():
                for i in range(size):
                    audit_record(
                        actor=None, action="bench.audit_append", object_type="bench", object_id=i, changes={"i": i}
                    )

        return append

    # The quarter-size run shows whether the cost per event grows with the transaction's size.
    for label, size, one_transaction in (
        ("one transaction", n // 4, True),
        ("one transaction", n, True),
        ("one transaction each", n, False),
    ):
        if size < 1:
            continue
        fn = appender(size, one_transaction=one_transaction)
        ms, queries, _ = measure(fn, repeat=ctx.repeat)
        rows.append(
            BenchRow(
                f"audit_record × {size:,}, {label}",
                f"{size:,} events",
                ms,
                queries,
                f"{size / (ms / 1000):,.0f} events/s; {ms / size:.2f} ms and {queries / size:.0f} queries/event",
            )
        )

    ms, queries, report = measure(lambda _: audit_chain_verify(), repeat=ctx.repeat)
    rows.append(
        BenchRow(
            "audit_chain_verify (whole chain)",
            f"{report.checked:,} events, {'ok' if report.ok else 'BROKEN'}",
            ms,
            queries,
            f"{report.checked / (ms / 1000):,.0f} events/s",
        )
    )

    auditor = ctx.users.get("auditor")
    if auditor is not None:
        for fmt in ("csv", "xlsx"):
            export, seconds, peak = audit_export_measure(actor=auditor, fmt=fmt)
            rows.append(
                BenchRow(
                    f"background audit export, {fmt.upper()} (whole trail)",
                    f"{export.rows_written:,} events, {export.size / 2**20:,.1f} MiB, {export.status}",
                    seconds * 1000,
                    0,
                    f"{export.rows_written / seconds:,.0f} events/s; peak Python memory {peak:,.1f} MiB",
                )
            )
    return rows
