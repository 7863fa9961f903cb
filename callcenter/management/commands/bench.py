"""``manage.py bench <suite>``: one registered benchmark suite as a markdown table.

The suites are registered by each app's ``bench`` package (:mod:`callcenter.bench` has the kit and
the registry; docs/benchmarks.md the figures). It WRITES to the configured database: demo
employees when there are fewer than ``--employees`` and append-only audit events; production
refuses unless ``--force``.
"""

import os
import platform
import time

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from callcenter.bench import BenchContext, BenchRow, bench_suites, bench_users
from callcenter.demo import DEFAULT_SEED, MIN_EMPLOYEES
from callcenter.demo.org import seed_demo
from callcenter.models import Employee, EmploymentStatus


def _database_line() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = "PostgreSQL " + cursor.fetchone()[0]
    else:
        version = f"{connection.vendor} {connection.Database.sqlite_version}"
    return f"{version}, database {db.get('NAME')} on {db.get('HOST') or 'local socket/file'}"


class Command(BaseCommand):
    help = (
        "Benchmark a suite (foundation, ...) and print a markdown table. Runs against the configured "
        "DATABASE_URL and writes to it (seeds demo employees when fewer than --employees exist; audit "
        "events, which are append-only): use a benchmark database."
    )

    def add_arguments(self, parser):
        parser.add_argument("suite", choices=sorted(bench_suites()), help="Which suite to run.")
        parser.add_argument(
            "--employees", type=int, default=5000, help="Seed demo data up to this many employees (default 5000)."
        )
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs per measurement (median; default 5).")
        parser.add_argument(
            "--audit-events", type=int, default=2000, help="Audit appends per throughput run (default 2000)."
        )
        parser.add_argument("--months", type=int, default=3, help="History depth if the data must be seeded.")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument("--force", action="store_true", help="Run even when DJANGO_ENV=production.")

    def handle(self, *args, **options):
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("Refusing to benchmark a production database (it writes audit events); use --force.")
        if options["repeat"] < 1 or options["audit_events"] < 1:
            raise CommandError("--repeat and --audit-events must be at least 1.")
        self.stdout.write(
            self.style.WARNING(
                f"WARNING: bench writes to {settings.DATABASES['default'].get('NAME')} (demo employees if "
                "missing, append-only audit events). Use a benchmark database."
            )
        )
        seed_note = self._ensure_employees(options)
        ctx = BenchContext(
            employees=options["employees"],
            repeat=options["repeat"],
            audit_events=options["audit_events"],
            users=bench_users(),
            stdout=self.stdout,
        )
        suite = bench_suites()[options["suite"]]
        active = Employee.objects.filter(status=EmploymentStatus.ACTIVE).count()
        self.stdout.write("")
        self.stdout.write(f"## bench {options['suite']}")
        self.stdout.write("")
        self.stdout.write(
            f"- {_database_line()}; Python {platform.python_version()}, Django {django.get_version()}, "
            f"{os.cpu_count()} CPU, DEBUG={settings.DEBUG}"
        )
        self.stdout.write(
            f"- {Employee.objects.count():,} employees ({active:,} active) before the run; "
            f"median of {ctx.repeat} timed runs after one warm-up run; queries of the last run"
        )
        if seed_note:
            self.stdout.write(f"- {seed_note}")
        started = time.perf_counter()
        rows = suite(ctx)
        self.stdout.write("")
        self.stdout.write(self.table(rows))
        self.stdout.write("")
        self.stdout.write(f"Suite ran in {time.perf_counter() - started:.1f} s.")

    def _ensure_employees(self, options) -> str:
        existing = Employee.objects.count()
        target = options["employees"]
        if existing >= target:
            return ""
        missing = max(target - existing, MIN_EMPLOYEES)
        self.stdout.write(f"Seeding {missing:,} demo employees ({existing:,} exist, --employees {target:,})...")
        started = time.perf_counter()
        result = seed_demo(
            employees=missing, months=options["months"], seed=options["seed"], append=existing > 0, stdout=self.stdout
        )
        seconds = time.perf_counter() - started
        return f"seeded {result.employees:,} employees for this run in {seconds:.1f} s"

    @staticmethod
    def table(rows: list[BenchRow]) -> str:
        lines = ["| Benchmark | Result | Median (ms) | Queries | Notes |", "|---|---|---:|---:|---|"]
        for row in rows:
            queries = "" if row.queries is None else f"{row.queries:g}"
            lines.append(f"| {row.benchmark} | {row.result} | {row.median_ms:,.2f} | {queries} | {row.note} |")
        return "\n".join(lines)
