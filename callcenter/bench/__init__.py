"""Benchmark kit: the helpers every module's suites use, and the registry of suites.

``manage.py bench <suite>`` (CONVENTIONS 18: benchmarks are commands, tests assert behaviour and
query counts) runs one registered suite against the configured ``DATABASE_URL`` and WRITES to it:
demo employees when there are fewer than ``--employees``, and audit events, which are
append-only and can never be deleted. Use a throw-away benchmark database (docs/benchmarks.md).

A module adds its suites in ``<app>/bench/<area>.py``::

    @register_bench_suite("leave")
    def suite(ctx: BenchContext) -> list[BenchRow]:
        ms, queries, result = measure(lambda _: ..., repeat=ctx.repeat)
        return [BenchRow("leave inbox, page 1", "25 rows", ms, queries)]

and the command imports every module of every installed app's ``bench`` package (as
``seed_demo`` does with ``demo``), so an ``__init__`` lists nothing. Runtime code never imports a
``bench`` package.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from callcenter.demo import import_tooling_modules
from callcenter.models import Department, Team, User
from callcenter.roles import Role

__all__ = [
    "BENCH_SUITES",
    "BENCH_USERNAMES",
    "BenchContext",
    "BenchRow",
    "QueryCounter",
    "Suite",
    "Timings",
    "bench_suites",
    "bench_users",
    "fresh_user",
    "measure",
    "once",
    "p95",
    "percentile_row",
    "register_bench_suite",
    "timed",
]

# The demo login of each role (callcenter.demo.accounts.DEMO_LOGINS), in that order.
BENCH_USERNAMES = ("agent", "supervisor", "manager", "leader", "hr", "complaints", "auditor", "admin")


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


Suite = Callable[[BenchContext], list[BenchRow]]

# name -> suite, filled by ``register_bench_suite`` when the apps' bench packages are imported.
BENCH_SUITES: dict[str, Suite] = {}


def register_bench_suite(name: str):
    """Decorator: make ``manage.py bench <name>`` run this suite."""

    def decorator(suite: Suite) -> Suite:
        if BENCH_SUITES.get(name, suite) is not suite:
            raise ValueError(f"bench suite {name!r} is registered twice")
        BENCH_SUITES[name] = suite
        return suite

    return decorator


def bench_suites() -> dict[str, Suite]:
    """Every registered suite, after importing every module of each installed app's ``bench``
    package."""
    import_tooling_modules("bench")
    return dict(sorted(BENCH_SUITES.items()))


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


class Timings(list):
    """Wall-clock milliseconds per run, with ``cpu``: this process's CPU milliseconds per run
    (Python only: the database server's work is not in it). On a shared machine the wall-clock
    figures move with the other processes' load; the CPU figures much less."""

    def __init__(self):
        super().__init__()
        self.cpu: list[float] = []


def timed(fn: Callable, *, repeat: int, setup: Callable | None = None) -> tuple[Timings, int, object]:
    """Like :func:`measure` (one warm-up run, then ``repeat`` timed runs, ``setup`` untimed) but
    returns every timing, for percentiles; and the queries of the last run."""
    fn(setup() if setup else None)
    timings = Timings()
    result, queries = None, 0
    for _ in range(repeat):
        arg = setup() if setup else None
        with QueryCounter() as counted:
            started, cpu = time.perf_counter(), time.process_time()
            result = fn(arg)
            timings.append((time.perf_counter() - started) * 1000)
            timings.cpu.append((time.process_time() - cpu) * 1000)
        queries = counted.count
    return timings, queries, result


def once(fn: Callable[[], object]) -> tuple[float, int, object]:
    """One timed run without warm-up (for work that changes the database: the first opening of a
    month, a preparation): (ms, queries, result)."""
    with QueryCounter() as counted:
        started = time.perf_counter()
        result = fn()
        ms = (time.perf_counter() - started) * 1000
    return ms, counted.count, result


def p95(timings: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(timings)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def percentile_row(
    name: str,
    result: str,
    timings: list[float],
    queries: int,
    *,
    note: str = "",
    bar: tuple[float, int] | None = None,
) -> BenchRow:
    """A row with the median, the p95, the Python CPU median (when ``timings`` has it) and, with
    ``bar=(p95 ms, queries)``, whether the issue's bar is met."""
    median, high = statistics.median(timings), p95(timings)
    cpu = getattr(timings, "cpu", None)
    cpu_note = f", Python CPU median {statistics.median(cpu):,.1f} ms" if cpu else ""
    text = f"p95 {high:,.1f} ms, n={len(timings)}{cpu_note}" + (f"; {note}" if note else "")
    if bar is not None:
        bar_ms, bar_queries = bar
        ok = high <= bar_ms and queries <= bar_queries
        text += f"; bar p95 ≤ {bar_ms:.0f} ms and ≤ {bar_queries} queries: {'met' if ok else 'NOT MET'}"
    return BenchRow(name, result, median, queries, text)


def fresh_user(user: User) -> Callable[[], User]:
    """A new User object per run: role and employee caches start cold, as in a new request."""
    return lambda: User.objects.get(pk=user.pk)


def bench_users() -> dict[str, User]:
    """The demo login of each role; when one is missing, someone in the same place of the org."""
    found = {u.username: u for u in User.objects.filter(username__in=BENCH_USERNAMES, is_active=True)}
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
    for username in BENCH_USERNAMES:
        user = found.get(username) or fallbacks[username]().filter(is_active=True).order_by("pk").first()
        if user is not None:
            users[username] = user
    return users
