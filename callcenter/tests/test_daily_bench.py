"""``bench daily`` on a small org: every role's dashboard page and the search (page and API) are
timed through the whole stack, each row with its bar."""

import pytest

from callcenter.bench import BenchContext, bench_users
from callcenter.bench import daily as daily_bench

pytestmark = pytest.mark.django_db


def test_the_daily_suite_times_every_dashboard_and_the_search(org):
    ctx = BenchContext(employees=10, repeat=2, audit_events=0, users=bench_users())
    rows = daily_bench.daily_suite(ctx)
    names = [row.benchmark for row in rows]
    for role in ("agent", "supervisor", "manager", "leader", "hr", "complaints", "auditor"):
        assert f"dashboard page GET /, {role}" in names
    for reader in ("hr", "supervisor", "agent"):
        assert sum(name.startswith(f"search page GET /search/?q=…, {reader}:") for name in names) == 4
        assert f"search API GET /api/v1/search/?q=…, {reader}" in names
    assert all(row.queries and row.median_ms > 0 and "bar p95" in row.note for row in rows)
