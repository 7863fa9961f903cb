"""``manage.py bench <suite>``: benchmark figures as a markdown table (CONVENTIONS 18: benchmarks
are commands, tests assert behaviour and query counts).

It runs against the configured ``DATABASE_URL`` and WRITES to it: demo employees when there are
fewer than ``--employees`` (through :func:`callcenter.demo.seed_demo`), and audit events, which
are append-only and can never be deleted. Use a throw-away benchmark database
(docs/benchmarks.md); production refuses unless ``--force``.

Suites: :data:`SUITES` maps a name to a callable or a dotted path (``"attendance.bench.suite"``)
so each module adds its own (``manage.py bench attendance``). A suite takes a
:class:`BenchContext` and returns :class:`BenchRow` rows; :func:`measure` times a callable.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.utils.module_loading import import_string

from callcenter import demo
from callcenter.models import AccountPolicy, Department, Employee, EmploymentStatus, Team, User
from callcenter.policy import policy_in_force
from callcenter.roles import Role
from callcenter.selectors import dashboard_get, employee_list
from datasecurity.audit import audit_chain_verify, audit_record
from datasecurity.models import AuditEvent


@dataclass
class BenchRow:
    benchmark: str
    result: str
    median_ms: float
    queries: int | float | None
    note: str = ""


@dataclass
class BenchContext:
    employees: int
    repeat: int
    audit_events: int
    users: dict[str, User] = field(default_factory=dict)  # demo username -> user
    stdout: object = None


class QueryCounter:
    """Counts the queries run inside it. Unlike CaptureQueriesContext it has no 9,000-query cap
    (Django's query log is a bounded deque) and does not force the debug cursor."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        return self._wrapper.__exit__(*exc)


def measure(fn: Callable, *, repeat: int, setup: Callable | None = None):
    """Run ``fn(setup())`` once to warm up (caches, connection), then ``repeat`` times timed
    (``setup`` is not timed). Returns (median ms, queries of the last run, its result)."""
    fn(setup() if setup else None)
    timings = []
    for _ in range(repeat):
        arg = setup() if setup else None
        with QueryCounter() as counted:
            started = time.perf_counter()
            result = fn(arg)
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), counted.count, result


def fresh_user(user: User) -> Callable[[], User]:
    """A new User object per run: role and employee caches start cold, as in a new request."""
    return lambda: User.objects.get(pk=user.pk)


# --- The foundation suite -------------------------------------------------------------------------


def foundation_suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    users = ctx.users

    def first_page(user):
        page = Paginator(employee_list(user=user), 25).page(1)
        return page.paginator.count, len(list(page.object_list))

    for username in ("agent", "supervisor", "manager", "leader", "hr"):
        if username not in users:
            continue
        ms, queries, (count, on_page) = measure(first_page, repeat=ctx.repeat, setup=fresh_user(users[username]))
        rows.append(
            BenchRow(
                f"employee_list: count + page 1 (25), {username}", f"{count:,} visible, {on_page} rows", ms, queries
            )
        )

    for username, user in users.items():
        ms, queries, _ = measure(lambda u: dashboard_get(user=u), repeat=ctx.repeat, setup=fresh_user(user))
        rows.append(BenchRow(f"dashboard_get, {username}", "", ms, queries))

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

    lookups = 100
    start = datetime.date(2024, 1, 1)
    days = [start + datetime.timedelta(days=7 * i) for i in range(lookups)]
    ms, queries, _ = measure(lambda _: [policy_in_force(AccountPolicy, day) for day in days], repeat=ctx.repeat)
    rows.append(
        BenchRow(
            "policy_in_force(AccountPolicy, date), per lookup",
            f"{lookups} dates",
            ms / lookups,
            queries / lookups,
            f"{lookups / (ms / 1000):,.0f} lookups/s",
        )
    )
    return rows


# name -> suite (callable, or dotted path to one so a module's suite loads only when asked for)
SUITES: dict[str, Callable[[BenchContext], list[BenchRow]] | str] = {
    "foundation": foundation_suite,
    "attendance": "attendance.bench.suite",
    "leave": "attendance.leave_bench.suite",
    "complaints": "complaints.bench.suite",
    "appraisal": "performance.bench.suite",
    "bonus": "performance.bench_bonus.suite",
}


# --- Users and data -------------------------------------------------------------------------------


def bench_users() -> dict[str, User]:
    """The demo login of each role; when one is missing, someone in the same place of the org."""
    found = {u.username: u for u in User.objects.filter(username__in=demo.DEMO_USERNAMES, is_active=True)}
    fallbacks = {
        "agent": lambda: User.objects.filter(groups__name=Role.AGENT, employee__team__isnull=False),
        "supervisor": lambda: User.objects.filter(employee__in=Team.objects.values("supervisor")),
        "manager": lambda: User.objects.filter(employee__in=Department.objects.values("manager")),
        "leader": lambda: User.objects.filter(employee__in=Department.objects.values("leader_in_charge")),
        "hr": lambda: User.objects.filter(groups__name=Role.HR),
        "complaints": lambda: User.objects.filter(groups__name=Role.COMPLAINT_HANDLER),
        "auditor": lambda: User.objects.filter(groups__name=Role.SECURITY_AUDITOR),
        "admin": lambda: User.objects.filter(is_superuser=True),
    }
    users = {}
    for username in demo.DEMO_USERNAMES:
        user = found.get(username) or fallbacks[username]().filter(is_active=True).order_by("pk").first()
        if user is not None:
            users[username] = user
    return users


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
        parser.add_argument("suite", choices=sorted(SUITES), help="Which suite to run.")
        parser.add_argument(
            "--employees", type=int, default=5000, help="Seed demo data up to this many employees (default 5000)."
        )
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs per measurement (median; default 5).")
        parser.add_argument(
            "--audit-events", type=int, default=2000, help="Audit appends per throughput run (default 2000)."
        )
        parser.add_argument("--months", type=int, default=3, help="History depth if the data must be seeded.")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
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
        suite = SUITES[options["suite"]]
        if isinstance(suite, str):
            suite = import_string(suite)
        active = Employee.objects.filter(status=EmploymentStatus.ACTIVE).count()
        self.stdout.write("")
        self.stdout.write(f"## bench {options['suite']}")
        self.stdout.write("")
        self.stdout.write(
            f"- {_database_line()}; Python {platform.python_version()}, Django {django.get_version()}, "
            f"{os.cpu_count()} CPU, DEBUG={settings.DEBUG}"
        )
        self.stdout.write(
            f"- {Employee.objects.count():,} employees ({active:,} active), "
            f"{AuditEvent.objects.count():,} audit events before the run; "
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
        missing = max(target - existing, demo.MIN_EMPLOYEES)
        self.stdout.write(f"Seeding {missing:,} demo employees ({existing:,} exist, --employees {target:,})...")
        started = time.perf_counter()
        result = demo.seed_demo(
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
