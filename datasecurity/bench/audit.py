"""The audit suite: appending audit events (one transaction, one each) and verifying the chain."""

import contextlib

from django.db import transaction

from callcenter.bench import BenchContext, BenchRow, measure, register_bench_suite
from datasecurity.selectors import audit_chain_verify
from datasecurity.services import audit_record

__all__ = ["audit_suite"]


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
    return rows
