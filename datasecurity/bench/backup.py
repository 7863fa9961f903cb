"""The backup suite (SEC-1): a backup of the bench database (pg_dump from a snapshot, files tar,
AES-256-GCM bundle, both locations written and read back) and its restore drill (the remote copy
restored into a scratch database and checked) — size and minutes for each step."""

from django.db import transaction

from callcenter.bench import BenchContext, BenchRow, register_bench_suite
from datasecurity.models import BackupRun, BackupTrigger, RestoreDrill
from datasecurity.services import backup_run_execute, restore_drill_execute
from datasecurity.services.backup import _drill_create, _run_create

__all__ = ["backup_suite"]


def _steps(timings: dict) -> str:
    return "; ".join(f"{step} {seconds:,.1f} s" for step, seconds in timings.items())


@register_bench_suite("backup")
def backup_suite(ctx: BenchContext) -> list[BenchRow]:
    with transaction.atomic():
        run = _run_create(actor=None, trigger=BackupTrigger.COMMAND)
    run: BackupRun = backup_run_execute(run_id=run.pk)
    if run.status != "succeeded":
        raise RuntimeError(f"the benchmark's backup failed: {run.error}")
    tables = len(run.manifest.get("row_counts", {}))
    rows_total = sum(run.manifest.get("row_counts", {}).values())
    result = [
        BenchRow(
            "backup: dump + files + encrypt + both locations read back",
            f"{tables} tables, {rows_total:,} rows; dump {run.database_size / 2**20:,.1f} MiB, "
            f"bundle {run.size / 2**20:,.1f} MiB",
            run.duration.total_seconds() * 1000,
            0,
            _steps(run.timings),
        )
    ]
    with transaction.atomic():
        drill = _drill_create(actor=None, backup_id=run.pk, trigger=BackupTrigger.COMMAND)
    drill: RestoreDrill = restore_drill_execute(drill_id=drill.pk)
    result.append(
        BenchRow(
            "restore drill: fetch remote + checksum + decrypt + pg_restore + checks",
            f"{drill.result}; {sum(1 for c in drill.checks if c['ok'])}/{len(drill.checks)} checks",
            drill.duration.total_seconds() * 1000,
            0,
            _steps(drill.timings),
        )
    )
    return result
