"""The foundation suite: the employee list of each role, each role's dashboard, policy lookups."""

import datetime

from django.core.paginator import Paginator

from callcenter.bench import BenchContext, BenchRow, fresh_user, measure, register_bench_suite
from callcenter.models import AccountPolicy
from callcenter.selectors import dashboard_get, employee_list, policy_in_force

__all__ = ["foundation_suite"]


@register_bench_suite("foundation")
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
