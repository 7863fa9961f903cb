"""``manage.py bench people-import``: importing a 5,000-row staff file (issue 13: ≤ 30 s).

The file is generated for the demo org (its departments, teams and positions), with numbers no
one has; the preview is timed, then the commit, inside a transaction that is rolled back so the
benchmark database does not fill with people (the audit events roll back with it). The default
roster of every new employee is written too when the default shift type is installed.
"""

from __future__ import annotations

import csv
import datetime
import io
import secrets
import time

from django.db import transaction
from django.utils import timezone

from callcenter import services
from callcenter.bench import BenchContext, BenchRow, once, register_bench_suite
from callcenter.models import Position, Team

__all__ = ["staff_file", "suite"]

ROWS = 5_000
BAR_SECONDS = 30


def staff_file(rows: int = ROWS) -> bytes:
    """A staff CSV (UTF-8 with BOM, Chinese headers) of ``rows`` new people of the demo org."""
    teams = list(Team.objects.select_related("department").order_by("code")[:200])
    positions = list(Position.objects.order_by("code").values_list("code", flat=True))
    if not teams or not positions:
        raise SystemExit("bench people-import needs an org: run `manage.py seed_demo` first")
    prefix = "B" + secrets.token_hex(3).upper()
    hire_date = timezone.localdate() + datetime.timedelta(days=7)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(
        ["工号", "姓名", "部门", "班组", "岗位", "入职日期", "参加工作日期", "月基本工资", "绩效奖金基数", "手机"]
    )
    for n in range(rows):
        team = teams[n % len(teams)]
        writer.writerow([
            f"{prefix}{n:05d}", f"测试员工{n}", team.department.code, team.code, positions[n % len(positions)],
            hire_date.isoformat(), "2015-07-01", "5200.00", "1200.00", f"138{n:08d}",
        ])  # fmt: skip
    return buffer.getvalue().encode("utf-8")


@register_bench_suite("people-import")
def suite(ctx: BenchContext) -> list[BenchRow]:
    hr = ctx.users.get("hr")
    if hr is None:
        raise SystemExit("bench people-import needs the demo login 'hr'")
    data = staff_file()
    rows = [BenchRow("data", f"{ROWS:,} rows, {len(data) / 1024:,.0f} KB CSV", 0, None)]
    ms, queries, plan = once(lambda: services.staff_import_preview(actor=hr, data=data, filename="bench.csv"))
    rows.append(
        BenchRow("staff_import_preview (dry run)", f"{len(plan.new):,} new, {len(plan.errors)} errors", ms, queries)
    )

    def commit():
        with transaction.atomic():
            started = time.perf_counter()
            result = services.staff_import_commit(actor=hr, data=data, filename="bench.csv")
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        return result, elapsed

    ms, queries, (result, elapsed) = once(commit)
    met = "met" if elapsed <= BAR_SECONDS else "NOT MET"
    rows.append(
        BenchRow(
            "staff_import_commit (rolled back)",
            f"{len(result.credentials):,} hired",
            ms,
            queries,
            f"{ROWS / elapsed:,.0f} rows/s; bar ≤ {BAR_SECONDS} s: {met}",
        )
    )
    return rows
