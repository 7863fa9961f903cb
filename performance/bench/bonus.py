"""``manage.py bench bonus``: the monthly bonus sheet with every employee (PRF-4).

The bar: *a 5,000-line sheet prepared in a few seconds with bounded queries; its PDF rendered in
≤ 15 s wall time and ≤ 500 MB peak memory on a 2-core machine.*

The data (created by the first run, reused by the next ones): last month's appraisal cycle, locked,
with one locked appraisal per employee (scores 40..100, about 3 % never completed), made with
``bulk_create`` (an existing cycle is topped up). Attendance comes from the demo seed.

What is measured:
- ``bonus_sheet_prepare`` (the month's draft is deleted before each run, untimed) and
  ``bonus_sheet_recompute``: median of ``--repeat`` runs, queries of the last run;
- the PDF, XLSX and CSV exports through ``bonus_sheet_file_render`` exactly as the Celery worker
  runs it, each in a *fresh process* (spawned, Django set up there): the render time inside the
  child, the child's wall time including its start, and the peak memory as the highest sum of the
  resident set sizes of the child and all its descendants, sampled from ``/proc`` every 10 ms
  (cross-checked with ``getrusage(RUSAGE_CHILDREN).ru_maxrss``).
"""

from __future__ import annotations

import datetime
import json
import random
import resource
import subprocess
import sys
import threading
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from callcenter.bench import BenchContext, BenchRow, measure, register_bench_suite
from callcenter.models import Employee
from datasecurity.services import private_storage
from performance import rules, selectors, services
from performance.models import Appraisal, AppraisalCycle, AppraisalPolicy, BonusSheet, BonusSheetFile, BonusSheetStatus

__all__ = ["BAR_PDF_MB", "BAR_PDF_SECONDS", "bench_month", "bonus_suite", "ensure_cycle", "render_in_child"]

BAR_PDF_SECONDS = 15.0
BAR_PDF_MB = 500.0
_SEED = 2026


def bench_month(today: datetime.date | None = None) -> datetime.date:
    return rules.previous_month(today or timezone.localdate())


def ensure_cycle(month: datetime.date) -> str:
    """A locked cycle of ``month`` with one locked appraisal per employee of the database (leavers
    too, so the sheet has as many lines as there are employees: 5,000 by default). Idempotent: an
    existing cycle is reused and only topped up with the missing appraisals."""
    policy = selectors.policy_for_month(month)
    last = rules.month_last_day(month)
    now = timezone.now()
    rng = random.Random(_SEED)  # noqa: S311 - reproducible bench data
    with transaction.atomic():
        cycle = AppraisalCycle.objects.filter(month=month).first()
        reused = cycle is not None
        if cycle is None:
            cycle = AppraisalCycle.objects.create(
                month=month,
                status="locked",
                policy=policy if policy.pk else None,
                policy_snapshot=rules.policy_snapshot(policy),
                self_deadline=last + datetime.timedelta(days=5),
                superior_deadline=last + datetime.timedelta(days=10),
                locked_at=now,
            )
        appraisals = []
        missing = Employee.objects.exclude(pk__in=Appraisal.objects.filter(month=month).values("employee_id"))
        for employee in missing.only("id", "department_id", "team_id", "position_id").order_by("pk"):
            score = None if rng.random() < 0.03 else rules.q2(Decimal(rng.uniform(40, 100)))
            appraisals.append(
                Appraisal(
                    cycle=cycle,
                    month=month,
                    employee_id=employee.pk,
                    department_id=employee.department_id,
                    team_id=employee.team_id,
                    position_id=employee.position_id,
                    status="locked",
                    total_score=score,
                    band="" if score is None else rules.score_band(score, AppraisalPolicy())[0],
                    locked_at=now,
                )
            )
        Appraisal.objects.bulk_create(appraisals, batch_size=2000)
    total = Appraisal.objects.filter(cycle=cycle).count()
    state = "reused" if reused else "created"
    return f"cycle {month:%Y-%m} {state}, {len(appraisals):,} appraisals added, {total:,} in all"


def _drop_draft(month: datetime.date) -> None:
    """Delete the month's bench draft (and its export rows/files) so prepare can run again."""
    for sheet in BonusSheet.objects.filter(month=month, status=BonusSheetStatus.DRAFT):
        for file in BonusSheetFile.objects.filter(sheet=sheet):
            if file.stored_name:
                private_storage().delete(file.stored_name)
            file.delete()
        sheet.delete()


# --- Export in a fresh process ----------------------------------------------------------------------------


# Run by a fresh interpreter (the Celery worker's path): Django set up there, one export rendered,
# a JSON report on the last line of stdout.
_CHILD_CODE = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callcenter.settings")
import django
django.setup()
from performance import services
started = time.perf_counter()
file = services.bonus_sheet_file_render(file_id=int(sys.argv[1]))
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "status": file.status,
    "error": file.error,
    "size": file.size,
    "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def _tree_rss_kb(pid: int) -> int:
    """Resident set size of ``pid`` and all its descendants, from /proc (kB)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def render_in_child(file_id: int) -> dict:
    """Render one export in a fresh process; its wall time and the sampled peak memory of its tree."""
    peak = {"kb": 0}
    done = threading.Event()
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _CHILD_CODE, str(file_id)], stdout=subprocess.PIPE, text=True
    )

    def sample():
        while not done.is_set():
            peak["kb"] = max(peak["kb"], _tree_rss_kb(process.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, _err = process.communicate(timeout=600)
    except subprocess.TimeoutExpired:
        process.kill()
        out = ""
    done.set()
    sampler.join()
    lines = [line for line in out.splitlines() if line.startswith("{")]
    report = json.loads(lines[-1]) if lines else {"status": "crashed", "seconds": 0, "maxrss_kb": 0, "error": ""}
    report["wall_seconds"] = time.perf_counter() - started
    report["peak_mb"] = peak["kb"] / 1024
    report["children_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return report


@register_bench_suite("bonus")
def bonus_suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    hr = ctx.users.get("hr")
    if hr is None:
        return [BenchRow("bonus", "no HR user in the demo data", 0, None)]
    month = bench_month()
    note = ensure_cycle(month)

    def prepare(_):
        return services.bonus_sheet_prepare(actor=hr, month=month)

    ms, queries, sheet = measure(prepare, repeat=ctx.repeat, setup=lambda: _drop_draft(month))
    ok = ms <= 10_000
    rows.append(
        BenchRow(
            f"bonus_sheet_prepare, {month:%Y-%m}",
            f"{sheet.employees:,} lines, total {sheet.total_amount:,.2f}",
            ms,
            queries,
            f"{note}; {sheet.employees / (ms / 1000):,.0f} lines/s; bar a few seconds: {'met' if ok else 'NOT MET'}",
        )
    )
    ms, queries, _ = measure(lambda _: services.bonus_sheet_recompute(actor=hr, sheet_id=sheet.pk), repeat=ctx.repeat)
    rows.append(BenchRow("bonus_sheet_recompute (draft)", f"{sheet.employees:,} lines", ms, queries))

    for file_format, language in (("pdf", "zh-hans"), ("pdf", "en"), ("xlsx", "zh-hans"), ("csv", "zh-hans")):
        file = BonusSheetFile.objects.create(sheet=sheet, file_format=file_format, language=language, requested_by=hr)
        report = render_in_child(file.pk)
        bar = ""
        if file_format == "pdf":
            met = report["wall_seconds"] <= BAR_PDF_SECONDS and report["peak_mb"] <= BAR_PDF_MB
            bar = f"; bar ≤ {BAR_PDF_SECONDS:.0f} s and ≤ {BAR_PDF_MB:.0f} MB: {'met' if met else 'NOT MET'}"
        rows.append(
            BenchRow(
                f"export {file_format.upper()} ({language}), fresh worker process",
                f"{report['status']}, {report.get('size', 0) / 1024:,.0f} KiB",
                report["seconds"] * 1000,
                None,
                f"render {report['seconds']:.2f} s; process wall {report['wall_seconds']:.2f} s incl. start; "
                f"peak RSS of the process tree {report['peak_mb']:.0f} MB (child ru_maxrss "
                f"{report['maxrss_kb'] / 1024:.0f} MB){bar}"
                + (f"; error {report['error']}" if report.get("error") else ""),
            )
        )
    _drop_draft(month)
    return rows
