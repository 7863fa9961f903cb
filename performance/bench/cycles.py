"""``manage.py bench appraisal``: the month-end cycle with every employee (PRF-2).

The bar: *``appraisal_cycle_open`` for 5,000 employees ≤ 60 s; a rerun creates nothing; the
review page renders with a bounded number of queries.*

The data (created by the first run, reused by the next ones): an active template for every post
(the demo's agent / staff weights), and for the bench month — the month before last, so the
demo's attendance history covers it and last month's cycle (demo, ``bench bonus``) is left
alone — 22 working days of call-center metrics for every active employee in a team, inserted
with ``bulk_create``. Before each timed opening the bench month's cycle, appraisals and items
are deleted (untimed; refused if the month is locked).

What is measured:
- ``appraisal_cycle_open`` from nothing (median of up to 3 runs; each a full month-end job);
- the rerun (idempotent: asserts no appraisal or item was added or changed);
- ``appraisal_cycle_refresh_auto`` with nothing to change, and after a late import that changed
  a tenth of the agents' metrics;
- ``appraisal_cycle_remind`` (HR's "send reminders now": every employee and evaluator, once), inside
  a transaction rolled back afterwards (so the e-mails it queues after commit are never sent);
- ``appraisal_cycle_lock`` with force, inside a transaction rolled back afterwards;
- the HR review page (``GET /performance/cycles/<pk>/``) and the cycles list, rendered through
  the test client as HR (time and queries).
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.bench import BenchContext, BenchRow, measure, once, register_bench_suite
from callcenter.models import Employee, EmploymentStatus, Notification, Position, User
from callcenter.roles import Role
from performance import rules, services
from performance.demo.setup import demo_indicators, demo_templates
from performance.models import AgentDailyMetric, Appraisal, AppraisalCycle, AppraisalItem, CycleStatus, MetricImport

__all__ = ["BAR_OPEN_SECONDS", "BAR_PAGE_QUERIES", "appraisal_suite", "bench_month", "ensure_data", "reset_month"]

BAR_OPEN_SECONDS = 60.0
BAR_PAGE_QUERIES = 30
_SEED = 2026
_WORKDAYS = 22


def bench_month(today: datetime.date | None = None) -> datetime.date:
    return rules.previous_month(rules.previous_month(today or timezone.localdate()))


def _hr() -> User:
    user = User.objects.filter(is_active=True, username="hr").first()
    return user or User.objects.filter(is_active=True, groups__name=Role.HR).order_by("pk").first()


def ensure_data(month: datetime.date) -> str:
    """Templates for every post and 22 working days of metrics for the month (idempotent)."""
    started = time.perf_counter()
    templates = demo_templates(list(Position.objects.all()), demo_indicators())
    last = rules.month_last_day(month)
    days = [d for d in (month + datetime.timedelta(days=i) for i in range((last - month).days + 1)) if d.weekday() < 5]
    days = days[:_WORKDAYS]
    staff = list(
        Employee.objects.filter(status=EmploymentStatus.ACTIVE, team__isnull=False, hire_date__lte=last).values_list(
            "pk", flat=True
        )
    )
    having = set(
        AgentDailyMetric.objects.filter(day__range=(month, last)).values_list("employee_id", flat=True).distinct()
    )
    missing = [pk for pk in staff if pk not in having]
    if missing:
        rng = random.Random(_SEED)  # noqa: S311 - reproducible bench data
        batch = MetricImport.objects.create(
            source="api", filename="bench", imported_by=_hr(), date_from=days[0], date_to=days[-1]
        )
        rows = []
        for pk in missing:
            skill = rng.uniform(0.75, 1.1)
            for day in days:
                answered = max(20, int(rng.gauss(72, 10) * skill))
                rows.append(
                    AgentDailyMetric(
                        employee_id=pk,
                        day=day,
                        calls_answered=answered,
                        calls_resolved=min(answered, int(answered * rng.uniform(0.78, 0.96))),
                        avg_handle_seconds=int(rng.gauss(290, 35)),
                        qa_accuracy=Decimal(str(round(min(100, rng.gauss(96.5, 1.8)), 2))),
                        source_import=batch,
                    )
                )
        with transaction.atomic():
            AgentDailyMetric.objects.bulk_create(rows, batch_size=5000)
            services.metric_call_volumes_rebuild(date_from=month, date_to=last)
        batch.rows = batch.created = len(rows)
        batch.save(update_fields=["rows", "created"])
    return (
        f"{templates} templates created, metrics for {len(missing):,} employees × {len(days)} days added "
        f"({len(having):,} reused) in {time.perf_counter() - started:.1f} s"
    )


def reset_month(month: datetime.date) -> None:
    """Delete the bench month's cycle (untimed). A locked month is append-only: refused."""
    cycle = AppraisalCycle.objects.filter(month=month).first()
    if cycle is None:
        return
    if cycle.status == CycleStatus.LOCKED:
        raise RuntimeError(f"the bench month {month:%Y-%m} is locked; use another database")
    with transaction.atomic():
        AppraisalItem.objects.filter(appraisal__cycle=cycle).delete()
        Appraisal.objects.filter(cycle=cycle).delete()
        cycle.delete()
        Notification.objects.filter(kind__in=["appraisal.open", "appraisal.reminder"]).delete()


def _rows_state(month: datetime.date) -> tuple:
    items = AppraisalItem.objects.filter(appraisal__month=month)
    return (
        Appraisal.objects.filter(month=month).count(),
        items.count(),
        items.aggregate(m=Max("id"), s=Sum("auto_score"))["m"],
        str(items.aggregate(s=Sum("auto_score"))["s"]),
    )


@register_bench_suite("appraisal")
def appraisal_suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    month = bench_month()
    hr = _hr()
    note = ensure_data(month)
    if ctx.stdout:
        ctx.stdout.write(f"- bench month {month:%Y-%m}: {note}\n")

    # 1. Opening from nothing: the month-end job.
    runs, created, queries = [], 0, 0
    for _ in range(max(1, min(ctx.repeat, 3))):
        reset_month(month)
        ms, queries, (cycle, created) = once(lambda: services.appraisal_cycle_open(month=month, actor=None))
        runs.append(ms)
    items = AppraisalItem.objects.filter(appraisal__cycle=cycle).count()
    seconds = statistics.median(runs) / 1000
    rows.append(
        BenchRow(
            "appraisal_cycle_open, from nothing",
            f"{created:,} appraisals, {items:,} items, cycle {cycle.status}",
            statistics.median(runs),
            queries,
            f"{created / seconds:,.0f} appraisals/s; runs {', '.join(f'{r / 1000:.1f}' for r in runs)} s; "
            f"bar ≤ {BAR_OPEN_SECONDS:.0f} s: {'met' if seconds <= BAR_OPEN_SECONDS else 'NOT MET'}",
        )
    )

    # 2. The rerun (the job runs daily): nothing added or changed.
    before = _rows_state(month)
    ms, queries, (_cycle, again) = once(lambda: services.appraisal_cycle_open(month=month, actor=None))
    after = _rows_state(month)
    rows.append(
        BenchRow(
            "appraisal_cycle_open, rerun (idempotent)",
            f"{again} created; rows {'unchanged' if before == after and again == 0 else 'CHANGED'}",
            ms,
            queries,
        )
    )

    # 3. Refresh with nothing to change, then after a late import touching a tenth of the agents.
    ms, queries, counts = once(lambda: services.appraisal_cycle_refresh_auto(actor=hr, cycle_id=cycle.pk))
    rows.append(BenchRow("appraisal_cycle_refresh_auto, nothing changed", str(counts), ms, queries))
    sample = list(
        AgentDailyMetric.objects.filter(day__range=(month, rules.month_last_day(month)))
        .values_list("employee_id", flat=True)
        .distinct()
        .order_by("employee_id")[::10]
    )
    AgentDailyMetric.objects.filter(employee_id__in=sample, day__range=(month, rules.month_last_day(month))).update(
        calls_answered=90, calls_resolved=85
    )
    services.metric_call_volumes_rebuild(date_from=month, date_to=rules.month_last_day(month))
    ms, queries, counts = once(lambda: services.appraisal_cycle_refresh_auto(actor=hr, cycle_id=cycle.pk))
    rows.append(
        BenchRow(
            "appraisal_cycle_refresh_auto, after a late import",
            f"{len(sample):,} agents' metrics changed → {counts}",
            ms,
            queries,
        )
    )

    # 4. HR's "send reminders now": every pending employee and evaluator once. The e-mails are the
    # worker's job (one task queued after commit); the bench measures the service in a transaction
    # rolled back afterwards, so nothing is queued and the reminders can be measured again.
    def remind_rolled_back():
        with transaction.atomic():
            sent = services.appraisal_cycle_remind(actor=hr, cycle_id=cycle.pk)
            emails = Notification.objects.filter(kind="appraisal.reminder", recipient__email__gt="").count()
            transaction.set_rollback(True)
        return sent, emails

    ms, queries, (sent, emails) = once(remind_rolled_back)
    rows.append(
        BenchRow(
            "appraisal_cycle_remind (HR, now; rolled back)",
            f"{sent:,} reminders",
            ms,
            queries,
            f"{emails:,} e-mails would be queued for the worker in one task after commit (not sent)",
        )
    )

    # 5. Lock with force, rolled back (a locked month cannot be reset).
    def lock_rolled_back():
        with transaction.atomic():
            locked = services.appraisal_cycle_lock(actor=hr, cycle_id=cycle.pk, force=True)
            transaction.set_rollback(True)
        return locked

    ms, queries, _locked = once(lock_rolled_back)
    rows.append(BenchRow("appraisal_cycle_lock, force (rolled back)", f"{created:,} appraisals", ms, queries))

    # 6. The pages, as HR.
    client = Client()
    client.force_login(hr)
    for name, url in (
        ("HR review page", reverse("performance:cycle_review", args=[cycle.pk])),
        ("HR review page, one department", None),
        ("cycles list", reverse("performance:cycle_list")),
    ):
        if url is None:
            department = Appraisal.objects.filter(cycle=cycle).values_list("department_id", flat=True).first()
            url = reverse("performance:cycle_review", args=[cycle.pk]) + f"?department={department}"

        def get(_arg, url=url):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code}")
            return len(response.content)

        ms, queries, size = measure(get, repeat=ctx.repeat)
        rows.append(
            BenchRow(
                f"GET {name}",
                f"{size / 1024:,.0f} KiB",
                ms,
                queries,
                f"bar ≤ {BAR_PAGE_QUERIES} queries: {'met' if queries <= BAR_PAGE_QUERIES else 'NOT MET'}",
            )
        )
    return rows
