"""The security monitoring suite (SEC-3): an audit trail of ``BENCH_SECURITY_EVENTS`` events
(default 10 million) spread over a year, the monitoring job's catch-up over all of it and its
incremental run, then the security page's p95 for each filter (bar: 300 ms).

The trail is generated fast: the chain's hashes are computed here in bulk (the same
``compute_hash`` as ``audit_record``) and the rows COPYed in with explicit ids, the sequence and
the chain head moved after. ``append_chained_events`` is also how the tests place events at a
chosen time (``audit_record`` always writes now)."""

from __future__ import annotations

import datetime
import json
import os
import random
import time

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.bench import BenchContext, BenchRow, fresh_user, once, percentile_row, register_bench_suite, timed
from callcenter.models import User
from datasecurity.models import (
    GENESIS_HASH,
    AuditChainHead,
    AuditEvent,
    SecurityAlert,
    SecurityHourlyCount,
    SecurityMonitorState,
    SecurityWatchedEvent,
)
from datasecurity.rules.audit import compute_hash
from datasecurity.services import security_monitor_scan

__all__ = ["EventSpec", "append_chained_events", "security_suite"]

# (occurred_at, actor user or None, action, changes)
EventSpec = tuple[datetime.datetime, object, str, dict]

_COLUMNS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "changes",
    "prev_hash",
    "hash",
)


def _rows(specs, head: AuditChainHead, labels: dict):
    previous, next_id = head.last_hash, head.last_event_id + 1
    for occurred_at, actor, action, changes in specs:
        actor_id = getattr(actor, "pk", actor)
        label = labels.get(actor_id, "system") if actor_id is not None else "anonymous"
        object_type, object_id, object_repr, ip = "bench.object", str(next_id % 9973), f"bench #{next_id}", "10.0.0.1"
        digest = compute_hash(
            prev_hash=previous,
            occurred_at=occurred_at,
            actor_id=actor_id,
            actor_label=label,
            action=action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            ip=ip,
            changes=changes,
        )
        yield (
            next_id,
            occurred_at,
            actor_id,
            label,
            action,
            object_type,
            object_id,
            object_repr,
            ip,
            changes,
            previous,
            digest,
        )
        previous = digest
        next_id += 1


@transaction.atomic
def append_chained_events(specs: list[EventSpec]) -> int:
    """Append events at the given times to the chain (ids in list order, hashes chained, head
    moved), as ``audit_record`` would have at those times. PostgreSQL: COPY; else bulk insert."""
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    if head.last_event_id == 0:
        head.last_event_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        head.last_hash = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS_HASH
    actor_ids = {getattr(a, "pk", a) for _t, a, _x, _c in specs} - {None}
    labels = dict(User.objects.filter(pk__in=actor_ids).values_list("pk", "username"))
    rows = _rows(specs, head, labels)
    count, last = 0, None
    if connection.vendor == "postgresql":
        table = AuditEvent._meta.db_table
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((*row[:9], json.dumps(row[9], ensure_ascii=False, default=str), *row[10:]))
                count, last = count + 1, row
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [last[0] if last else 1])
    else:
        batch = []
        for row in rows:
            batch.append(AuditEvent(**dict(zip(_COLUMNS, row, strict=True))))
            count, last = count + 1, row
            if len(batch) >= 5000:
                AuditEvent.objects.bulk_create(batch)
                batch = []
        AuditEvent.objects.bulk_create(batch)
    if last is not None:
        head.last_event_id, head.last_hash = last[0], last[11]
        head.event_count += count
        head.save(update_fields=["last_event_id", "last_hash", "event_count"])
    return count


# --- The year of events ---------------------------------------------------------------------

# (action, share of all events): ordinary work first, then what the security page watches.
_MIX = (
    ("punch.record", 0.42),
    ("attendance.daily_compute", 0.12),
    ("leave_request.submit", 0.04),
    ("leave_request.approve", 0.03),
    ("complaint.note", 0.08),
    ("complaint.customer_contact", 0.04),
    ("employee.update", 0.03),
    ("roster.entry_set", 0.10),
    ("appraisal.self_save", 0.03),
    ("auth.login", 0.08),
    ("complaint.contact_reveal", 0.015),
    ("auth.login_failed", 0.004),
    ("security.permission_denied", 0.003),
    ("directory.export", 0.001),
    ("attendance.summary_export", 0.001),
    ("complaint.statistics_export", 0.0005),
    ("audit.export", 0.0002),
    ("auth.lockout", 0.0002),
    ("policy.version_create", 0.00001),
)


def _specs(n: int, *, actors: list[int], start: datetime.datetime, seconds: int, rng: random.Random):
    actions, weights = zip(*_MIX, strict=True)
    zone = timezone.get_default_timezone()
    chosen = rng.choices(actions, weights=weights, k=n)
    offsets = sorted(rng.randrange(seconds) for _ in range(n))
    for offset, action in zip(offsets, chosen, strict=True):
        moment = start + datetime.timedelta(seconds=offset, microseconds=rng.randrange(1_000_000))
        # Most work happens in working hours: a night event is moved into the day nine times in ten.
        local = timezone.localtime(moment, zone)
        if (local.hour < 7 or local.hour >= 22) and rng.random() < 0.9:
            moment += datetime.timedelta(hours=12)
            moment = min(moment, start + datetime.timedelta(seconds=seconds))
        actor = None if action in ("auth.login_failed", "auth.lockout") else rng.choice(actors)
        changes = {"rows": rng.randint(1, 400)} if action.endswith("export") else {}
        yield moment, actor, action, changes


def _fill(target: int, ctx: BenchContext) -> tuple[int, float]:
    have = AuditEvent.objects.count() if target < 100_000 else _estimated_count()
    missing = target - have
    if missing <= 0:
        return 0, 0.0
    actors = list(User.objects.filter(is_active=True).values_list("pk", flat=True)[:6000]) or [None]
    rng = random.Random(15)  # noqa: S311 - reproducible bench data, not secrets
    now = timezone.now()
    # The missing events are spread over the year before now (the demo seed's few events are
    # from today: the ids then do not follow the times there, which the page does not mind).
    start = now - datetime.timedelta(days=365)
    seconds = max(int((now - start).total_seconds()) - 60, 1)
    chunk = 250_000
    started, done = time.perf_counter(), 0
    per_chunk_seconds = seconds * chunk // missing or 1
    while done < missing:
        size = min(chunk, missing - done)
        window = min(per_chunk_seconds, seconds)
        append_chained_events(list(_specs(size, actors=actors, start=start, seconds=window, rng=rng)))
        start += datetime.timedelta(seconds=window)
        done += size
        if ctx.stdout:
            ctx.stdout.write(
                f"  {done:,} of {missing:,} audit events appended ({time.perf_counter() - started:,.0f} s)"
            )
    return missing, time.perf_counter() - started


def _analyze(*models) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models:
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def _estimated_count() -> int:
    head = AuditChainHead.objects.filter(pk=1).first()
    return head.event_count if head else 0


def _reset_monitoring() -> None:
    with transaction.atomic():
        SecurityWatchedEvent.objects.all().delete()
        SecurityHourlyCount.objects.all().delete()
        SecurityAlert.objects.all().delete()
        SecurityMonitorState.objects.all().delete()


@register_bench_suite("security")
def security_suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    target = int(os.environ.get("BENCH_SECURITY_EVENTS", "10000000"))
    added, seconds = _fill(target, ctx)
    total = _estimated_count()
    if added:
        rows.append(
            BenchRow(
                "generate the audit trail (hashes in Python, COPY)",
                f"{added:,} events appended, {total:,} in the chain",
                seconds * 1000,
                None,
                f"{added / seconds:,.0f} events/s",
            )
        )
    _analyze(AuditEvent)

    # BENCH_SECURITY_CATCH_UP=0 keeps the counts of an earlier run (the pages only, again).
    if os.environ.get("BENCH_SECURITY_CATCH_UP", "1") != "0":
        rows.extend(_catch_up(total))
    # The planner needs the tables' statistics (autovacuum is off on the bench machine).
    _analyze(SecurityWatchedEvent, SecurityHourlyCount, SecurityAlert)
    auditor = ctx.users.get("auditor")
    if auditor is not None:
        rows.append(_incremental(auditor))
        rows.extend(_page_rows(ctx, auditor))
    return rows


def _catch_up(total: int) -> list[BenchRow]:
    _reset_monitoring()
    ms, queries, result = once(lambda: security_monitor_scan())
    watched = SecurityWatchedEvent.objects.count()
    return [
        BenchRow(
            "security_monitor_scan, catch-up over the whole trail",
            f"{total:,} events read, {watched:,} watched, {result.alerts_raised} alerts",
            ms,
            queries,
            f"{total / (ms / 1000):,.0f} events/s; {result.batches} batches of 100,000 ids",
        )
    ]


def _incremental(auditor) -> BenchRow:
    """The 5-minute job's run after 10,000 new events (one user's: their exports may alert)."""
    specs = _specs(
        10_000,
        actors=[auditor.pk],
        start=timezone.now() - datetime.timedelta(minutes=5),
        seconds=240,
        rng=random.Random(1),  # noqa: S311 - bench data
    )
    append_chained_events(list(specs))
    ms, queries, result = once(lambda: security_monitor_scan())
    return BenchRow(
        "security_monitor_scan, incremental (10,000 new events)",
        f"{result.watched:,} watched, {result.alerts_raised} alerts",
        ms,
        queries,
        "the 5-minute job's run",
    )


def _page_rows(ctx: BenchContext, auditor) -> list[BenchRow]:
    today = timezone.localdate()
    url = reverse("datasecurity:security_overview")
    year = (today - datetime.timedelta(days=365)).isoformat()
    month = (today - datetime.timedelta(days=29)).isoformat()
    cases = [
        ("security page, default (7 days, all categories)", {}),
        ("security page, 2 days (per hour)", {"since": (today - datetime.timedelta(days=1)).isoformat()}),
        ("security page, 366 days, all categories", {"since": year}),
        ("security page, 366 days, page 100 of all", {"since": year, "page": "100"}),
    ]
    for category in (
        "sign_in_failure",
        "permission_denied",
        "export",
        "contact_reveal",
        "policy_change",
        "after_hours",
        "sign_in",
    ):
        cases.append((f"security page, 30 days, {category}", {"since": month, "category": category}))
    cases.append(("security page, 366 days, after_hours", {"since": year, "category": "after_hours"}))
    rows = []
    repeat = max(ctx.repeat * 4, 20)

    def signed_in():
        # Not timed: a new session and a freshly loaded user per run, as a new request has.
        client = Client()
        client.force_login(fresh_user(auditor)())
        return client

    for name, query in cases:

        def get(client, query=query):
            response = client.get(url, query)
            if response.status_code != 200:
                raise RuntimeError(f"security page answered {response.status_code}")
            return response

        timings, queries, response = timed(get, repeat=repeat, setup=signed_in)
        rows.append(percentile_row(name, f"{len(response.content) // 1024} KiB", timings, queries, bar=(300, 25)))
    return rows
