"""``manage.py bench attendance``: the nightly computation and the monthly summaries at scale.

The demo seed (``seed_demo --months M``) gives every team member a roster and punches; this
suite times the work the system does with them."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from attendance import selectors, services
from attendance.models import DailyAttendance, Punch
from callcenter.bench import BenchContext, BenchRow, fresh_user, measure, register_bench_suite

__all__ = ["suite"]


@register_bench_suite("attendance")
def suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    punches = Punch.objects.count()
    rows.append(BenchRow("data", f"{punches:,} punches, {DailyAttendance.objects.count():,} days", 0, None))

    def nightly(_):
        # Rolled back: the benchmark measures the job without piling up audit events.
        with transaction.atomic():
            result = services.daily_attendance_compute_all(work_date=yesterday)
            transaction.set_rollback(True)
        return result

    ms, queries, result = measure(nightly, repeat=ctx.repeat)
    rows.append(
        BenchRow(
            f"daily_attendance_compute_all({yesterday})",
            f"{result['computed']:,} employees",
            ms,
            queries,
            f"{result['computed'] / (ms / 1000):,.0f} employees/s" if ms else "",
        )
    )
    for username in ("supervisor", "manager", "hr"):
        user = ctx.users.get(username)
        if user is None:
            continue

        def page(u):
            employees = list(selectors.summary_employees(user=u)[:50])
            return selectors.monthly_summary_list(user=u, month=last_month, employees=employees)

        ms, queries, summaries = measure(page, repeat=ctx.repeat, setup=fresh_user(user))
        rows.append(BenchRow(f"monthly summary page (50), {username}", f"{len(summaries)} employees", ms, queries))
    hr = ctx.users.get("hr")
    if hr is not None:
        ms, queries, summaries = measure(
            lambda u: selectors.monthly_summary_list(user=u, month=last_month),
            repeat=max(1, ctx.repeat // 2),
            setup=fresh_user(hr),
        )
        rows.append(
            BenchRow(
                f"monthly summary, whole company ({last_month:%Y-%m}, export)",
                f"{len(summaries):,} employees",
                ms,
                queries,
            )
        )
    agent = ctx.users.get("agent")
    if agent is not None and agent.employee:
        ms, queries, _ = measure(
            lambda u: selectors.monthly_summary(user=u, employee_id=u.employee.pk, month=last_month),
            repeat=ctx.repeat,
            setup=fresh_user(agent),
        )
        rows.append(BenchRow("my month, agent", "", ms, queries))
    return rows
