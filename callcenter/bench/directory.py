"""The directory suite (issue 13): search at 5,000 active employees and 2,000 leavers.

``manage.py bench directory`` tops the database up to ``--employees`` active people and 2,000
leavers (generated names, unusable passwords, inactive logins for the leavers), then times the
directory as the page asks it: the count and the first page of 25, for several kinds of query
(pinyin initials, a Chinese substring, an employee number, filters), as company HR and as a
department manager. The bar of the issue: p95 ≤ 100 ms. Figures in docs/people-org.md.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.paginator import Paginator
from django.db.models import Count

from callcenter.bench import BenchContext, BenchRow, Timings, fresh_user, percentile_row, register_bench_suite, timed
from callcenter.demo.org import analyze_database, chinese_name
from callcenter.models import Department, Employee, EmploymentStatus, Position, Team, User, pinyin_initials
from callcenter.selectors import directory_list

__all__ = ["directory_suite"]

LEAVERS = 2000
BAR_MS = 100.0
BAR_QUERIES = 12
PAGE = 25
BATCH = 1000


def _top_up(*, active: int, leavers: int, seed: int = 13) -> str:
    """Generate employees until ``active`` are active and ``leavers`` have left."""
    have_active = Employee.objects.filter(status=EmploymentStatus.ACTIVE).count()
    have_left = Employee.objects.filter(status=EmploymentStatus.LEFT).count()
    missing = [
        (EmploymentStatus.ACTIVE, max(0, active - have_active)),
        (EmploymentStatus.LEFT, max(0, leavers - have_left)),
    ]
    if not any(n for _status, n in missing):
        return ""
    teams = list(Team.objects.select_related("department").order_by("pk"))
    position = Position.objects.order_by("pk").first()
    if not teams or position is None:
        return "no teams to place people in: run seed_demo first"
    rng = random.Random(seed)  # noqa: S311 - generated bench data, not secrets
    n = Employee.objects.filter(employee_no__startswith="BD").count()
    unusable = make_password(None)
    today = datetime.date.today()
    made = 0
    for status, count in missing:
        for offset in range(0, count, BATCH):
            users, employees = [], []
            for _i in range(offset, min(count, offset + BATCH)):
                n += 1
                surname, given = chinese_name(rng)
                team = teams[n % len(teams)]
                left = status == EmploymentStatus.LEFT
                hire = today - datetime.timedelta(days=rng.randint(400, 4000))
                users.append(User(username=f"bench-dir-{n:06d}", password=unusable, is_active=not left))
                employees.append(
                    Employee(
                        employee_no=f"BD{n:06d}",
                        name=surname + given,
                        name_initials=pinyin_initials(surname + given),  # bulk_create skips save()
                        department=team.department,
                        team=team,
                        position=position,
                        hire_date=hire,
                        first_employed_on=hire,
                        monthly_base_pay=Decimal("5000.00"),
                        bonus_base=Decimal("1000.00"),
                        status=status,
                        left_on=today - datetime.timedelta(days=rng.randint(1, 300)) if left else None,
                    )
                )
            User.objects.bulk_create(users)
            for user, employee in zip(users, employees, strict=True):
                employee.user = user
            Employee.objects.bulk_create(employees)
            made += len(employees)
    analyze_database()
    return f"generated {made:,} employees for the directory suite"


def _queries(sample: Employee, department: Department, team: Team, position: Position) -> list[tuple[str, dict]]:
    initials = sample.name_initials[:2] or "zw"
    return [
        (f"pinyin initials '{initials}'", {"q": initials}),
        ("pinyin initial 'l' (many matches)", {"q": "l"}),
        (f"Chinese substring '{sample.name[-1]}'", {"q": sample.name[-1]}),
        (f"Chinese full name '{sample.name}'", {"q": sample.name}),
        (f"number prefix '{sample.employee_no[:4]}'", {"q": sample.employee_no[:4]}),
        (f"number '{sample.employee_no}'", {"q": sample.employee_no}),
        ("team + status all", {"team": team.pk, "status": "all"}),
        ("department + position + initials", {"department": department.pk, "position": position.pk, "q": initials[:1]}),
        ("leavers + initials", {"status": "left", "q": initials[:1]}),
        ("no query, active (page 1)", {}),
    ]


def _page(user, filters):
    page = Paginator(directory_list(user=user, filters=filters), PAGE).page(1)
    return page.paginator.count, len(list(page.object_list))


@register_bench_suite("directory")
def directory_suite(ctx: BenchContext) -> list[BenchRow]:
    note = _top_up(active=ctx.employees, leavers=LEAVERS)
    rows: list[BenchRow] = []
    if note:
        rows.append(BenchRow("population", note, 0.0, None))
    active = Employee.objects.filter(status=EmploymentStatus.ACTIVE).count()
    left = Employee.objects.filter(status=EmploymentStatus.LEFT).count()
    rows.append(BenchRow("population", f"{active:,} active + {left:,} leavers", 0.0, None))
    department = Department.objects.annotate(n=Count("employees")).order_by("-n").first()
    team = Team.objects.filter(department=department).order_by("pk").first()
    position = Position.objects.order_by("pk").first()
    sample = Employee.objects.filter(department=department, status=EmploymentStatus.ACTIVE).order_by("pk")[
        active // 7 % 100
    ]
    repeat = max(ctx.repeat, 20)
    readers = [(name, ctx.users[name]) for name in ("hr", "manager") if name in ctx.users]
    for reader, user in readers:
        every = Timings()
        worst_queries = 0
        for label, filters in _queries(sample, department, team, position):
            timings, queries, (count, on_page) = timed(
                lambda u, filters=filters: _page(u, filters), repeat=repeat, setup=fresh_user(user)
            )
            every.extend(timings)
            every.cpu.extend(timings.cpu)
            worst_queries = max(worst_queries, queries)
            rows.append(
                percentile_row(
                    f"directory, {reader}: {label}",
                    f"{count:,} found, {on_page} shown",
                    timings,
                    queries,
                    bar=(BAR_MS, BAR_QUERIES),
                )
            )
        rows.append(
            percentile_row(
                f"directory, {reader}: every query kind together",
                f"{len(every)} searches",
                every,
                worst_queries,
                bar=(BAR_MS, BAR_QUERIES),
            )
        )
    return rows
