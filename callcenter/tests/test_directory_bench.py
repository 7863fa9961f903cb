"""``bench directory`` on a small org: it tops the population up (active people and leavers, with
their pinyin initials, since bulk_create skips save()), then times every query kind as HR and as
a department manager, with the issue's bar (p95 ≤ 100 ms) on each row."""

import pytest

from callcenter.bench import BenchContext, bench_users
from callcenter.bench import directory as directory_bench
from callcenter.models import Employee, EmploymentStatus, pinyin_initials

pytestmark = pytest.mark.django_db


def test_the_directory_suite_tops_up_and_times_every_query_kind(org, monkeypatch):
    monkeypatch.setattr(directory_bench, "LEAVERS", 15)
    ctx = BenchContext(employees=40, repeat=1, audit_events=0, users=bench_users())
    rows = directory_bench.directory_suite(ctx)
    assert Employee.objects.filter(status=EmploymentStatus.ACTIVE).count() == 40
    assert Employee.objects.filter(status=EmploymentStatus.LEFT).count() == 15
    generated = Employee.objects.filter(employee_no__startswith="BD")
    assert all(e.name_initials == pinyin_initials(e.name) for e in generated)
    assert all(not e.user.is_active for e in generated.filter(status=EmploymentStatus.LEFT).select_related("user"))
    names = [row.benchmark for row in rows]
    for reader in ("hr", "manager"):
        assert f"directory, {reader}: every query kind together" in names
        assert sum(name.startswith(f"directory, {reader}:") for name in names) == 11
    assert all("bar p95 ≤ 100 ms" in row.note for row in rows if row.benchmark.startswith("directory"))
    # a second run generates nobody
    again = directory_bench.directory_suite(ctx)
    assert not any("generated" in row.result for row in again)
    assert Employee.objects.count() == 55
