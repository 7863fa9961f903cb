"""The retention suite (SEC-2): ``--audit-events`` audit events older than the retention, with a
valid chain (hashes computed in Python, COPY'd in), then the retention of them: archived to both
backup locations (temporary directories), read back, deleted through the owner role's function.
Reports the events/s, the process's peak RSS while it runs, and the p95 of two web pages before
and during the run.

It needs its own database (``make bench`` uses ``cc_bench_retention``) and a superuser connection:
it empties the audit table first (TRUNCATE, which only a superuser session may do) so that the
generated events are the oldest of the chain, and applies the audit roles' set-up for a stand-in
application role. Never run it on a database whose audit trail matters.
"""

from __future__ import annotations

import datetime
import json
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from django.db import connection, connections, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from callcenter.bench import BenchContext, BenchRow, p95, register_bench_suite
from callcenter.storage_locations import storage_from_url
from datasecurity.append_only import AUDIT_TABLE
from datasecurity.models import GENESIS_HASH, AuditArchive, AuditChainHead
from datasecurity.rules.audit import compute_hash
from datasecurity.services import audit_db_roles_apply, audit_record, audit_retention_purge

__all__ = ["retention_suite"]

BENCH_APP_ROLE = "callcenter_bench_app"
_COPY_CHUNK = 100_000
_COLUMNS = (
    "occurred_at, actor_id, actor_label, action, object_type, object_id, object_repr, ip, changes, prev_hash, hash"
)


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _prepare() -> None:
    """An empty audit trail with the production roles (the stand-in app role made if missing)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            raise RuntimeError("bench retention needs a superuser connection to its own database")
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {BENCH_APP_ROLE} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    audit_db_roles_apply(app_role=BENCH_APP_ROLE)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL callcenter.allow_truncate = 'on'")
        cursor.execute(f"TRUNCATE {AUDIT_TABLE}")
        AuditArchive.objects.all().delete()
        AuditChainHead.objects.update_or_create(
            pk=1,
            defaults={"last_event_id": 0, "last_hash": GENESIS_HASH, "event_count": 0, "anchor_hash": GENESIS_HASH},
        )


def _generate(n: int) -> float:
    """``n`` events between 400 and 200 days old, chained from the genesis, COPY'd in chunks
    (bounded memory); the head moved to the last. Returns the seconds taken."""
    started = time.perf_counter()
    first_at = timezone.now() - datetime.timedelta(days=400)
    step_us = datetime.timedelta(days=200) / datetime.timedelta(microseconds=1) / max(n, 1)
    previous = GENESIS_HASH
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        raw = connection.connection
        for start in range(0, n, _COPY_CHUNK):
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {AUDIT_TABLE} ({_COLUMNS}) FROM STDIN") as copy,
            ):
                for i in range(start, min(start + _COPY_CHUNK, n)):
                    at = first_at + datetime.timedelta(microseconds=int(i * step_us))
                    changes = {"i": i}
                    digest = compute_hash(
                        prev_hash=previous,
                        occurred_at=at,
                        actor_id=None,
                        actor_label="system",
                        action="bench.retention",
                        object_type="bench",
                        object_id=str(i),
                        object_repr="",
                        ip=None,
                        changes=changes,
                    )
                    row = (at, None, "system", "bench.retention", "bench", str(i), "", None, json.dumps(changes))
                    copy.write_row((*row, previous, digest))
                    previous = digest
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT max(id) FROM {AUDIT_TABLE}")  # noqa: S608 - a constant
            head.last_event_id = cursor.fetchone()[0] or 0
        head.last_hash = previous
        head.event_count = n
        head.save(update_fields=["last_event_id", "last_hash", "event_count"])
    return time.perf_counter() - started


def _page_timer(ctx: BenchContext):
    """GET the audit trail page and the dashboard as the auditor, each timed (ms)."""
    user = ctx.users.get("auditor")
    if user is None:
        return None
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    urls = {"audit trail page": reverse("datasecurity:audit_event_list"), "dashboard": "/"}

    def run(timings: dict[str, list[float]]) -> None:
        for name, url in urls.items():
            started = time.perf_counter()
            response = client.get(url)
            timings.setdefault(name, []).append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code}")

    return run


@register_bench_suite("retention")
def retention_suite(ctx: BenchContext) -> list[BenchRow]:
    n = ctx.audit_events
    rows: list[BenchRow] = []
    _prepare()
    seconds = _generate(n)
    audit_record(actor=None, action="bench.audit_append")  # the newest event is always kept
    rows.append(
        BenchRow(
            f"generate {n:,} chained audit events (Python hashes + COPY)",
            f"{n:,} events",
            seconds * 1000,
            None,
            f"{n / seconds:,.0f} events/s",
        )
    )
    pages = _page_timer(ctx)
    before: dict[str, list[float]] = {}
    if pages is not None:
        for _ in range(max(ctx.repeat, 10)):
            pages(before)
    root = Path(tempfile.mkdtemp(prefix="bench-retention-"))
    locations = {
        "backup_local": storage_from_url(str(root / "local")),
        "backup_remote": storage_from_url(str(root / "remote")),
    }
    from django.conf import settings  # noqa: PLC0415 - read at run time: override below

    during: dict[str, list[float]] = {}
    outcome: dict[str, object] = {}
    peak = {"rss": _rss_mib()}
    rss_before = peak["rss"]
    try:
        with override_settings(STORAGES={**settings.STORAGES, **locations}):

            def retention():
                try:
                    started = time.perf_counter()
                    outcome["result"] = audit_retention_purge()
                    outcome["seconds"] = time.perf_counter() - started
                except Exception as exc:  # noqa: BLE001 - reported below
                    outcome["error"] = exc
                finally:
                    connections.close_all()

            worker = threading.Thread(target=retention)
            worker.start()
            while worker.is_alive():
                peak["rss"] = max(peak["rss"], _rss_mib())
                if pages is not None:
                    pages(during)
                else:
                    time.sleep(0.05)
            worker.join()
        if "error" in outcome:
            raise outcome["error"]
        result = outcome["result"]
        archive_bytes = sum(p.stat().st_size for p in (root / "local").rglob("*.gz"))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    seconds = outcome["seconds"]
    rows.append(
        BenchRow(
            f"audit_retention_purge of {n:,} events (archive to 2 locations, read back, delete)",
            f"{result.archived:,} archived, {result.purged:,} deleted in {len(result.archives)} archive(s)",
            seconds * 1000,
            None,
            f"{result.purged / seconds:,.0f} events/s; {archive_bytes / 2**20:,.1f} MiB of gzip per location "
            f"({archive_bytes / max(result.archived, 1):.0f} bytes/event)",
        )
    )
    rows.append(
        BenchRow(
            "peak RSS of the process during the retention",
            f"{peak['rss']:,.0f} MiB",
            0,
            None,
            f"{rss_before:,.0f} MiB before; bar ≤ 500 MiB: {'met' if peak['rss'] <= 500 else 'NOT MET'}",
        )
    )
    for name, timings in before.items():
        while_running = during.get(name, [])
        note = f"before: p95 {p95(timings):,.1f} ms (n={len(timings)})"
        if while_running:
            note += f"; during the retention: p95 {p95(while_running):,.1f} ms (n={len(while_running)})"
        rows.append(
            BenchRow(
                f"GET {name} as the auditor, before vs during",
                "",
                statistics.median(while_running or timings),
                None,
                note,
            )
        )
    return rows
