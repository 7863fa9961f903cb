"""``manage.py bench complaints``: the complaint queue and the statistics page with 50,000
complaints (CMP-1..CMP-4).

The bar: *each render with a bounded number of queries and p95 ≤ 300 ms.*

The data (created by the first run, reused by the next ones): 50,000 complaints marked by their
reference (``BN`` + 8 digits) spread over the last twelve months, inserted with ``bulk_create``
in one transaction: mixed channels, categories, urgencies, causes and teams concerned (every team
of the org), about 60 % naming an agent of that team; answered, resolved and closed as time went
on, some late, some reopened, some still open and overdue (escalated to their level); with their
timeline entries and follow-up visits. Bulk rows have no audit events or notifications. Then
``ANALYZE``.

Each measurement is one warm-up run and then at least 20 timed runs (``--repeat``, at least
20), each as a freshly loaded user; the table gives the median, and the notes the p95
(nearest rank) and the median Python CPU time.
"""

from __future__ import annotations

import datetime
import random
import time

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.bench import BenchContext, BenchRow, fresh_user, percentile_row, register_bench_suite, timed
from callcenter.models import Employee, EmploymentStatus, Team, User
from callcenter.roles import Role
from callcenter.selectors import policy_in_force
from complaints import rules, services
from complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintPolicy,
    ComplaintStatus,
    EventKind,
    FollowUp,
)
from complaints.selectors import complaint_list, complaint_statistics

TOTAL = 50_000
PREFIX = "BN"
BAR_P95_MS = 300.0
BAR_QUERIES = 25
BAR = (BAR_P95_MS, BAR_QUERIES)  # each render: p95 and queries (percentile_row says whether it is met)
PAGE = 25
MIN_REPEAT = 20
BATCH = 5000
SEED = 2026
CAUSES = [
    "坐席语气生硬",
    "业务规则解释错误",
    "高峰期排队过长",
    "重复扣费",
    "系统宕机无法办理",
    "回电超时",
    "承诺未兑现",
    "",
]


def _handler_user() -> User | None:
    users = User.objects.filter(is_active=True, groups__name=Role.COMPLAINT_HANDLER).order_by("pk")
    return users.filter(username="complaints").first() or users.first()


def ensure_complaint_data(stdout=None) -> str:
    """Insert the missing bench complaints (idempotent: a rerun reuses them)."""
    existing = Complaint.objects.filter(reference__startswith=PREFIX).count()
    if existing >= TOTAL:
        return f"{existing:,} bench complaints reused"
    started = time.perf_counter()
    services.complaint_categories_install()
    handler = _handler_user()
    handler_employee = Employee.objects.filter(user=handler).first() if handler else None
    categories = list(ComplaintCategory.objects.values_list("pk", flat=True))
    agents_by_team: dict[int, list[tuple[int, int]]] = {}
    for pk, team_id, user_id in Employee.objects.filter(
        status=EmploymentStatus.ACTIVE, team__isnull=False, user__isnull=False
    ).values_list("pk", "team_id", "user_id"):
        agents_by_team.setdefault(team_id, []).append((pk, user_id))
    team_ids = sorted(set(Team.objects.values_list("pk", flat=True)) & set(agents_by_team))
    if not team_ids or handler is None:
        return "no teams or no complaint handler: nothing created"
    policy = policy_in_force(ComplaintPolicy, timezone.localdate())
    rng = random.Random(SEED + existing)  # noqa: S311 - reproducible bench data, not secrets
    now = timezone.now()
    complaints, concerned, future = [], [], []
    for n in range(existing, TOTAL):
        received = now - datetime.timedelta(seconds=rng.uniform(0, 365 * 86400))
        urgency = "urgent" if rng.random() < 0.08 else "normal"
        first_due, resolution_due = rules.deadlines(received_at=received, urgency=urgency, policy=policy)
        first_h = (first_due - received).total_seconds() / 3600
        resolution_h = (resolution_due - received).total_seconds() / 3600
        team_id = rng.choice(team_ids)
        people = agents_by_team[team_id]
        recorder = rng.choice(people)
        c = Complaint(
            reference=f"{PREFIX}{n:08d}",
            customer_name="客户" + str(n % 997),
            phone=f"139{n:08d}",
            matter="[bench] 客户投诉",
            received_at=received,
            channel=rng.choices(["phone", "email", "online"], weights=[6, 2, 2])[0],
            category_id=rng.choice(categories) if rng.random() < 0.95 else None,
            cause=rng.choice(CAUSES),
            urgency=urgency,
            concerned_team_id=team_id,
            recorded_by_id=recorder[1],
            recorded_by_employee_id=recorder[0],
            first_response_due=first_due,
            resolution_due=resolution_due,
            created_at=received,
        )
        answered = received + datetime.timedelta(hours=rng.uniform(0.1, first_h * 1.3))
        if answered < now and rng.random() < 0.97:
            c.first_responded_at = answered
            c.status = ComplaintStatus.INVESTIGATING
            c.owner = handler_employee
            resolved = received + datetime.timedelta(hours=rng.uniform(resolution_h * 0.1, resolution_h * 1.2))
            if resolved < now and rng.random() < 0.97:
                c.resolved_at = max(resolved, answered)
                c.status = ComplaintStatus.RESOLVED
                closed = c.resolved_at + datetime.timedelta(hours=rng.uniform(2, 72))
                if closed < now and rng.random() < 0.95:
                    c.status = ComplaintStatus.CLOSED
                    c.closed_at = closed
                    c.satisfaction = rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 3, 10, 14])[0]
                    c.satisfaction = max(c.satisfaction, 4) if rng.random() < 0.9 else c.satisfaction
                    c.reopen_count = 1 if rng.random() < 0.05 else 0
        if c.status != ComplaintStatus.CLOSED:
            c.escalation_level = rules.escalation_level(
                first_response_due=first_due,
                first_responded_at=c.first_responded_at,
                resolution_due=resolution_due,
                resolved_at=c.resolved_at,
                paused_since=None,
                now=now,
            )
        complaints.append(c)
        future.append(rng.random() < 0.6 and rng.choice(people)[0])
    with transaction.atomic():
        Complaint.objects.bulk_create(complaints, batch_size=BATCH)
        through = Complaint.concerned_employees.through
        concerned = [through(complaint_id=c.pk, employee_id=e) for c, e in zip(complaints, future, strict=True) if e]
        through.objects.bulk_create(concerned, batch_size=BATCH)
        events, follow_ups = [], []
        for c in complaints:
            events.append(ComplaintEvent(complaint_id=c.pk, kind=EventKind.RECORDED, at=c.received_at))
            if c.first_responded_at:
                events.append(
                    ComplaintEvent(
                        complaint_id=c.pk, kind=EventKind.CUSTOMER_CONTACT, at=c.first_responded_at, by=handler
                    )
                )
            if c.resolved_at:
                events.append(ComplaintEvent(complaint_id=c.pk, kind=EventKind.RESOLVED, at=c.resolved_at, by=handler))
            if c.closed_at:
                events.append(ComplaintEvent(complaint_id=c.pk, kind=EventKind.FOLLOW_UP, at=c.closed_at, by=handler))
                events.append(ComplaintEvent(complaint_id=c.pk, kind=EventKind.CLOSED, at=c.closed_at, by=handler))
                follow_ups.append(FollowUp(complaint_id=c.pk, satisfaction=c.satisfaction, at=c.closed_at, by=handler))
        ComplaintEvent.objects.bulk_create(events, batch_size=BATCH)
        FollowUp.objects.bulk_create(follow_ups, batch_size=BATCH)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE complaints_complaint, complaints_complaint_concerned_employees, "
                "complaints_complaintevent, complaints_followup"
            )
    return (
        f"created {len(complaints):,} complaints, {len(concerned):,} agents named, {len(events):,} timeline "
        f"entries, {len(follow_ups):,} follow-ups in {time.perf_counter() - started:.1f} s"
    )


@register_bench_suite("complaints")
def suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    repeat = max(MIN_REPEAT, ctx.repeat)
    note = ensure_complaint_data(ctx.stdout)
    if ctx.stdout is not None:
        ctx.stdout.write(f"- complaint data: {note}")
    by_status = dict(Complaint.objects.values_list("status").annotate(n=Count("pk")).order_by())
    rows.append(
        BenchRow(
            "data",
            f"{sum(by_status.values()):,} complaints ("
            + ", ".join(f"{n:,} {s}" for s, n in sorted(by_status.items()))
            + f"), {ComplaintEvent.objects.count():,} timeline entries",
            0,
            None,
            note,
        )
    )
    handler = ctx.users.get("complaints") or _handler_user()
    readers = [(name, ctx.users[name]) for name in ("manager", "leader") if name in ctx.users]
    if handler is not None:
        readers.insert(0, ("handler", handler))

    # 1. The queue: count + page 1 of 25 with typical filters.
    def queue(filters):
        def run(user):
            page = Paginator(complaint_list(user=user, filters=filters), PAGE).page(1)
            return page.paginator.count, len(list(page.object_list))

        return run

    cases = [
        ("open", {"status": "open"}),
        ("open, urgency order", {"status": "open", "ordering": "urgency"}),
        ("overdue", {"overdue": "1"}),
        ("phone + billing, last 30 days", {"channel": "phone", "category": "billing",
                                           "date_from": timezone.localdate() - datetime.timedelta(days=30)}),
        ("search by name", {"q": "客户42"}),
    ]  # fmt: skip
    for label, filters in cases:
        for name, user in readers if label == "open" else readers[:1]:
            timings, queries, (count, shown) = timed(queue(filters), repeat=repeat, setup=fresh_user(user))
            rows.append(
                percentile_row(
                    f"queue count + page 1 (25), {label}, {name}",
                    f"{count:,} matching, {shown} rows",
                    timings,
                    queries,
                    bar=BAR,
                )
            )

    # 2. The statistics selector (default range: the last 12 months).
    for name, user in readers:
        timings, queries, stats = timed(
            lambda u: complaint_statistics(user=u, filters={}), repeat=repeat, setup=fresh_user(user)
        )
        rows.append(
            percentile_row(
                f"complaint_statistics, {name}, 12 months", f"{stats['total']:,} complaints", timings, queries, bar=BAR
            )
        )
    if handler is not None:
        timings, queries, stats = timed(
            lambda u: complaint_statistics(user=u, filters={"channel": "phone", "category": "billing"}),
            repeat=repeat,
            setup=fresh_user(handler),
        )
        rows.append(
            percentile_row(
                "complaint_statistics, handler, phone + billing",
                f"{stats['total']:,} complaints",
                timings,
                queries,
                bar=BAR,
            )
        )

    # 3. The page, through the whole stack (middleware, session, context processors, template).
    url = reverse("complaints:statistics")
    for name, user in readers:
        client = Client()
        client.force_login(user)

        def page(_, client=client):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            return response

        timings, queries, response = timed(page, repeat=repeat)
        rows.append(
            percentile_row(
                f"statistics page GET {url}, {name}",
                f"{len(response.content) / 1024:,.0f} KiB",
                timings,
                queries,
                bar=BAR,
            )
        )
    if handler is not None:
        client = Client()
        client.force_login(handler)
        api = reverse("api:complaints:statistics")
        timings, queries, response = timed(lambda _: client.get(api), repeat=repeat)
        rows.append(
            percentile_row(
                f"statistics API GET {api}, handler", f"HTTP {response.status_code}", timings, queries, bar=BAR
            )
        )
    return rows
