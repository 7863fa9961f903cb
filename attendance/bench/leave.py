"""``manage.py bench leave``: the approval inbox and the leave services at scale (ATT-3, LV-1..LV-5).

The issue's bar: with 5,000 employees and 20,000 requests, the inbox of a supervisor with 200
pending requests renders in a constant number of queries (≤ 15) and p95 ≤ 150 ms.

Data (created once, reused by later runs; :func:`ensure_leave_data`):

- this year's annual balances for everyone (``leave_balance_grant_annual``, idempotent);
- a *bench team*: the first team (by code) of the demo supervisor's department other than the
  demo team, filled up to exactly 200 members with agents of that department's other teams (the
  demo logins' teams are left alone, so the other suites' figures do not move);
- 20,000 requests inserted with ``bulk_create`` (not 20,000 service calls), marked by a reason
  starting with ``[bench]``: one pending request per bench-team member in the next two weeks whose
  current step is the bench supervisor's (exactly 200 in their inbox), and 19,800 more spread over
  everyone else — past and future, annual / sick (with a certificate row) / personal /
  bereavement, whole and half days, pending at any step, approved, rejected, withdrawn, revoked —
  never overlapping per employee, each with its approval steps and route as the services write
  them; approved annual days are deducted from the balances (which stay within the entitlement).
  The bulk rows have no audit events and no notifications.

Measurements that write run inside a transaction that is rolled back, so repeated runs change
nothing: ``leave_request_submit``, ``leave_request_approve`` and the grant for next year.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import random
import statistics
import time
from collections import defaultdict
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from attendance import rules, selectors, services
from attendance.demo.leave import certificate_pdf
from attendance.models import (
    DayKind,
    LeaveApprovalStep,
    LeaveBalance,
    LeaveCertificate,
    LeavePolicy,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
    RosterEntry,
    StepStatus,
)
from callcenter.bench import BenchContext, BenchRow, fresh_user, percentile_row, register_bench_suite, timed
from callcenter.models import Employee, EmploymentStatus, Team, User
from callcenter.selectors import policy_in_force
from datasecurity.services import private_storage

__all__ = [
    "BAR_P95_MS",
    "BAR_QUERIES",
    "BATCH",
    "BENCH_REASON",
    "INBOX_SIZE",
    "MIN_REPEAT",
    "PAGE_ROWS",
    "SEED",
    "TOTAL_REQUESTS",
    "bench_requests",
    "bench_team",
    "ensure_leave_data",
    "suite",
]

BENCH_REASON = "[bench]"
TOTAL_REQUESTS = 20_000
INBOX_SIZE = 200
BAR_QUERIES = 15
BAR_P95_MS = 150.0
PAGE_ROWS = 25  # one inbox page (the inbox page's INBOX_PAGE_SIZE)
MIN_REPEAT = 30  # percentiles need more runs than the median
BATCH = 2000
SEED = 2026


# --- The data ---------------------------------------------------------------------------------------


def _workdays(year: int) -> list[datetime.date]:
    """The statutory working days of ``year`` (weekdays where the calendar has no data)."""
    day, days = datetime.date(year, 1, 1), []
    while day.year == year:
        info = selectors.calendar_day(day)
        if (not info.unknown and not info.holiday and (not info.weekend or info.makeup)) or (
            info.unknown and day.weekday() < 5
        ):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def _day_kind(day: datetime.date) -> tuple[bool, str, str]:
    # The bench data may reach a year the calendar does not know: plain Monday-Friday there.
    known = selectors.statutory_day_kind(day)
    if known is None:
        return day.weekday() < 5, "workday" if day.weekday() < 5 else "weekend", ""
    return known


def bench_team(ctx: BenchContext) -> Team | None:
    """The bench team: first team (by code) of the demo supervisor's department that is not the
    demo team. Its supervisor gets the 200-request inbox."""
    demo = getattr(ctx.users.get("supervisor"), "employee", None)
    if demo is None or demo.team_id is None:
        return None
    return (
        Team.objects.filter(department_id=demo.department_id, supervisor__isnull=False)
        .exclude(pk=demo.team_id)
        .select_related("supervisor__user", "department")
        .order_by("code")
        .first()
    )


def _fill_team(team: Team, ctx: BenchContext) -> int:
    """Move agents of the department's other teams into ``team`` until it has exactly
    INBOX_SIZE active members besides its supervisor. Returns how many moved."""
    members = Employee.objects.filter(team=team, status=EmploymentStatus.ACTIVE).exclude(pk=team.supervisor_id)
    missing = INBOX_SIZE - members.count()
    if missing <= 0:
        return 0
    protected_teams = {u.employee.team_id for u in ctx.users.values() if getattr(u, "employee", None)}
    movable = list(
        Employee.objects.filter(
            department_id=team.department_id,
            status=EmploymentStatus.ACTIVE,
            team__isnull=False,
            position__code__in=["AGENT", "SENIOR_AGENT"],
        )
        .exclude(team_id__in=protected_teams | {team.pk})
        .exclude(pk__in=Team.objects.exclude(supervisor__isnull=True).values("supervisor_id"))
        .order_by("employee_no")
        .values_list("pk", flat=True)[:missing]
    )
    Employee.objects.filter(pk__in=movable).update(team=team)
    return len(movable)


def _stored_certificate() -> dict:
    """One small PDF in private storage that every bench sick leave's certificate row points to."""
    data = certificate_pdf(["Bench certificate", "Not a real document"])
    path = private_storage().save("leave/bench/certificate.pdf", ContentFile(data))
    return {"path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


class _Generator:
    """Builds the bench requests, steps, certificates and balance deductions in memory."""

    LENGTHS = [(Decimal("0.5"), 10), (Decimal("1"), 45), (Decimal("2"), 18), (Decimal("3"), 12), (Decimal("5"), 10)]
    LENGTHS += [(Decimal("8"), 5)]

    def __init__(self, *, today, policy, types, hr_user_id, names, user_of, remaining):
        self.rng = random.Random(SEED)  # noqa: S311 - benchmark data, reproducible on purpose
        self.today = today
        self.now = timezone.now()
        self.policy = policy
        self.types = types
        self.hr_user_id = hr_user_id
        self.names = names
        self.user_of = user_of
        self.remaining = remaining  # employee id -> annual days left this year
        self.workdays = _workdays(today.year)
        self.index = {day: n for n, day in enumerate(self.workdays)}
        self.requests: list[LeaveRequest] = []
        self.steps: list[list[LeaveApprovalStep]] = []

    def _choose_type(self, employee_id: int, days: Decimal, past: bool) -> LeaveType:
        roll = self.rng.random()
        if roll < 0.5 and self.remaining.get(employee_id, Decimal("0")) >= days:
            return self.types["annual"]
        if roll < 0.75 and (past or days <= 3):
            return self.types["sick"] if past or roll < 0.6 else self.types["personal"]
        if roll < 0.8 and days <= 3 and days == days.to_integral_value():
            return self.types["bereavement"]
        return self.types["personal"]

    def _status(self, past: bool) -> str:
        roll = self.rng.random()
        if past:
            return (
                LeaveStatus.APPROVED
                if roll < 0.78
                else LeaveStatus.REJECTED
                if roll < 0.86
                else LeaveStatus.WITHDRAWN
                if roll < 0.97
                else LeaveStatus.REVOKED
            )
        return LeaveStatus.PENDING if roll < 0.55 else LeaveStatus.APPROVED if roll < 0.9 else LeaveStatus.WITHDRAWN

    def add(self, employee: dict, first: int, length: Decimal, *, status: str | None = None, at_step: int = 0):
        """One request of ``employee`` starting on working day ``first`` (index), ``length`` days."""
        start = self.workdays[first]
        whole = max(1, int(length.to_integral_value(rounding="ROUND_CEILING")))
        end = self.workdays[first + whole - 1]
        half = length != length.to_integral_value()
        past = end < self.today
        days = length
        leave_type = self._choose_type(employee["pk"], days, past)
        status = status or self._status(past)
        counted = rules.count_days(
            counting=leave_type.counting,
            start_date=start,
            starts_afternoon=False,
            end_date=end,
            ends_at_noon=half,
            day_kind=_day_kind,
        )
        needed, explanation = rules.required_tier(counted.days, self.policy)
        chain = [
            (tier, pk)
            for tier, pk in (
                ("supervisor", employee["team__supervisor_id"]),
                ("manager", employee["department__manager_id"]),
                ("leader", employee["department__leader_in_charge_id"]),
            )
            if pk and pk != employee["pk"]
        ]
        route = rules.build_route(chain=chain, needed=needed, direct=self.policy.approval_direct)
        if not route:
            return None
        submitted = timezone.make_aware(
            datetime.datetime.combine(start - datetime.timedelta(days=self.rng.randint(1, 20)), datetime.time(10))
        )
        submitted = min(submitted, self.now - datetime.timedelta(hours=1))
        decided = (
            None if status == LeaveStatus.PENDING else submitted + datetime.timedelta(hours=self.rng.randint(1, 48))
        )
        # Where the route stopped: the pending step, the step that rejected, or the last one.
        if status in (LeaveStatus.APPROVED, LeaveStatus.REVOKED):
            stop = len(route)
        elif status == LeaveStatus.PENDING:
            stop = at_step if at_step < len(route) else 0
        else:
            stop = self.rng.randrange(len(route))
        steps = []
        for n, step in enumerate(route):
            acted = n < stop or (status == LeaveStatus.REJECTED and n == stop)
            if n < stop:
                step_status = StepStatus.APPROVED
            elif n == stop and status == LeaveStatus.PENDING:
                step_status = StepStatus.PENDING
            elif n == stop and status == LeaveStatus.REJECTED:
                step_status = StepStatus.REJECTED
            elif status == LeaveStatus.PENDING:
                step_status = StepStatus.WAITING
            else:
                step_status = StepStatus.CANCELLED
            steps.append(
                LeaveApprovalStep(
                    order=n,
                    tier=step.tier,
                    approver_id=step.approver_id,
                    decides=step.decides,
                    status=step_status,
                    acted_by_id=self.user_of.get(step.approver_id) if acted else None,
                    acted_at=submitted + datetime.timedelta(hours=n + 1) if acted else None,
                    comment="[bench] 当天话务高峰" if step_status == StepStatus.REJECTED else "",
                )
            )
        request = LeaveRequest(
            employee_id=employee["pk"],
            leave_type=leave_type,
            start_date=start,
            end_date=end,
            ends_at_noon=half,
            days=counted.days,
            breakdown=counted.breakdown,
            reason=f"{BENCH_REASON} {leave_type.code}",
            expected_days=counted.days if leave_type.code == "personal" else None,
            status=status,
            route={
                **explanation,
                "policy_effective_from": self.policy.effective_from.isoformat(),
                "limit": {},
                "steps": [
                    {
                        "tier": s.tier,
                        "approver_id": s.approver_id,
                        "approver_name": self.names.get(s.approver_id, ""),
                        "decides": s.decides,
                    }
                    for s in route
                ],
            },
            current_step=min(stop, len(route) - 1),
            submitted_at=submitted,
            decided_at=decided,
            revoked_by_id=self.hr_user_id if status == LeaveStatus.REVOKED else None,
            revoke_reason="[bench] 复核后撤销" if status == LeaveStatus.REVOKED else "",
        )
        request.set_span()
        if leave_type.uses_balance and status in (LeaveStatus.PENDING, LeaveStatus.APPROVED):
            self.remaining[employee["pk"]] = self.remaining.get(employee["pk"], Decimal("0")) - counted.days
        self.requests.append(request)
        self.steps.append(steps)
        return request

    def spread(self, employee: dict, count: int, *, lo: datetime.date, hi: datetime.date, past_only=False):
        """``count`` requests of ``employee`` in [lo, hi], one per segment, so they never overlap."""
        first = next((n for n, d in enumerate(self.workdays) if d >= lo), None)
        last = next((n for n in range(len(self.workdays) - 1, -1, -1) if self.workdays[n] <= hi), None)
        if first is None or last is None or last < first:
            return
        size = (last - first + 1) // max(1, count)
        lengths, weights = zip(*self.LENGTHS, strict=True)
        for k in range(count):
            seg_lo, seg_hi = first + k * size, first + (k + 1) * size - 2  # a free day between segments
            length = self.rng.choices(lengths, weights=weights)[0]
            whole = max(1, int(length.to_integral_value(rounding="ROUND_CEILING")))
            if seg_hi - whole + 1 < seg_lo:
                length, whole = Decimal("1"), 1
                if seg_hi < seg_lo:
                    continue
            start = self.rng.randint(seg_lo, seg_hi - whole + 1)
            if past_only and self.workdays[start + whole - 1] >= self.today:
                continue
            self.add(employee, start, length)


def bench_requests() -> int:
    return LeaveRequest.objects.filter(reason__startswith=BENCH_REASON).count()


def ensure_leave_data(ctx: BenchContext, stdout=None) -> str:
    """Create the bench leave data unless an earlier run did. Returns a note for the report."""
    today = timezone.localdate()
    services.leave_types_defaults_install()
    grant = services.leave_balance_grant_annual(year=today.year)
    team = bench_team(ctx)
    if team is None:
        return "no bench team (the demo supervisor is missing)"
    existing = bench_requests()
    if existing:
        return f"reused {existing:,} bench requests from an earlier run"
    started = time.perf_counter()
    # 20,000 at the 5,000 employees; as many per head on a smaller database.
    total = TOTAL_REQUESTS * min(ctx.employees, 5000) // 5000
    with transaction.atomic():
        moved = _fill_team(team, ctx)
        supervisor_user = team.supervisor.user
        if supervisor_user.must_change_password or supervisor_user.password_changed_at is None:
            # The bench logs in as this supervisor; a generated demo user must first change the
            # password, which would redirect every page.
            supervisor_user.must_change_password = False
            supervisor_user.password_changed_at = timezone.now()
            supervisor_user.save(update_fields=["must_change_password", "password_changed_at"])
        already = set(LeaveRequest.objects.values_list("employee_id", flat=True).distinct())
        employees = list(
            Employee.objects.filter(status=EmploymentStatus.ACTIVE)
            .exclude(pk__in=already)
            .order_by("employee_no")
            .values(
                "pk",
                "user_id",
                "team_id",
                "hire_date",
                "team__supervisor_id",
                "department__manager_id",
                "department__leader_in_charge_id",
            )
        )
        approver_ids = {e[k] for e in employees for k in ("team__supervisor_id", "department__manager_id")}
        approver_ids |= {e["department__leader_in_charge_id"] for e in employees}
        approver_ids.discard(None)
        names = dict(Employee.objects.filter(pk__in=approver_ids).values_list("pk", "name"))
        user_of = dict(Employee.objects.filter(pk__in=approver_ids).values_list("pk", "user_id"))
        types = {t.code: t for t in LeaveType.objects.filter(code__in=["annual", "sick", "personal", "bereavement"])}
        balances = {
            b.employee_id: b
            for b in LeaveBalance.objects.filter(leave_type=types["annual"], year=today.year).only(
                "pk", "employee_id", "entitled_days", "used_days"
            )
        }
        hr = ctx.users.get("hr")
        gen = _Generator(
            today=today,
            policy=policy_in_force(LeavePolicy, datetime.date(today.year, 1, 1)),
            types=types,
            hr_user_id=hr.pk if hr else None,
            names=names,
            user_of=user_of,
            remaining={pk: b.entitled_days - b.used_days for pk, b in balances.items()},
        )
        # (The supervisor's own requests go to the manager: they belong with the others.)
        inbox_members = [e for e in employees if e["team_id"] == team.pk and e["pk"] != team.supervisor_id]
        others = [e for e in employees if e["team_id"] != team.pk or e["pk"] == team.supervisor_id]
        # The bench supervisor's inbox: one pending request per member, in the next two weeks, at
        # the supervisor's step; their other requests lie in the past and are decided.
        soon = [n for n, d in enumerate(gen.workdays) if today < d <= today + datetime.timedelta(days=14)]
        for n, employee in enumerate(inbox_members):
            if soon:
                length = (Decimal("1"), Decimal("0.5"), Decimal("2"))[n % 3]
                start = soon[n % max(1, len(soon) - 1)]
                gen.add(employee, start, length, status=LeaveStatus.PENDING, at_step=0)
        inbox_made = len(gen.requests)
        per_member = 2
        for employee in inbox_members:
            gen.spread(
                employee,
                per_member,
                lo=max(datetime.date(today.year, 1, 1), employee["hire_date"]),
                hi=today - datetime.timedelta(days=1),
                past_only=True,
            )
        # A little more than needed (a segment too short for its request is skipped), then cut.
        left = math.ceil((total - len(gen.requests)) * 1.08)
        base, extra = divmod(left, max(1, len(others)))
        for n, employee in enumerate(others):
            gen.spread(
                employee,
                base + (1 if n < extra else 0),
                lo=max(datetime.date(today.year, 1, 1), employee["hire_date"]),
                hi=datetime.date(today.year, 12, 31),
            )
        requests = gen.requests[:total]
        LeaveRequest.objects.bulk_create(requests, batch_size=BATCH)
        steps = []
        for request, request_steps in zip(requests, gen.steps, strict=False):
            for step in request_steps:
                step.request_id = request.pk
                steps.append(step)
        LeaveApprovalStep.objects.bulk_create(steps, batch_size=BATCH)
        stored = _stored_certificate()
        user_of_employee = {e["pk"]: e["user_id"] for e in employees}
        certificates = [
            LeaveCertificate(
                request_id=r.pk,
                path=stored["path"],
                original_name="诊断证明.pdf",
                content_type="application/pdf",
                size=stored["size"],
                sha256=stored["sha256"],
                uploaded_by_id=user_of_employee[r.employee_id],
            )
            for r in requests
            if r.leave_type.requires_certificate
        ]
        LeaveCertificate.objects.bulk_create(certificates, batch_size=BATCH)
        used = defaultdict(Decimal)
        for r in requests:
            if r.leave_type.uses_balance and r.status == LeaveStatus.APPROVED:
                used[r.employee_id] += r.days
        changed = []
        for employee_id, days in used.items():
            balance = balances[employee_id]
            balance.used_days += days
            changed.append(balance)
        LeaveBalance.objects.bulk_update(changed, ["used_days"], batch_size=BATCH)
    if connection.vendor == "postgresql":
        # Autovacuum may be off or minutes away: fresh statistics before anything is timed.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE attendance_leaverequest, attendance_leaveapprovalstep, attendance_leavebalance, "
                "attendance_leavecertificate, callcenter_employee"
            )
    return (
        f"created {len(requests):,} bench requests ({inbox_made} in the bench inbox), {len(steps):,} steps, "
        f"{len(certificates):,} certificates, {len(changed):,} balances deducted, {moved} employees moved to "
        f"team {team.code}, {grant['granted']:,} balances granted, in {time.perf_counter() - started:.1f} s"
    )


# --- The suite ----------------------------------------------------------------------------------


def _submit_candidates(today: datetime.date, count: int) -> tuple[datetime.date | None, list[Employee]]:
    """A working day ahead and employees who could take it as annual leave (balance left, rostered
    to work, no request on it): each timed submission needs its own."""
    day = next(
        (d for d in _workdays(today.year) if d >= today + datetime.timedelta(days=2)),
        None,
    )
    if day is None:
        return None, []
    span_start, span_end = LeaveRequest.span_for(day, False, day, False)
    busy = LeaveRequest.objects.filter(
        status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED], span_start__lt=span_end, span_end__gt=span_start
    ).values("employee_id")
    pending = (
        LeaveRequest.objects.filter(status=LeaveStatus.PENDING, leave_type__code="annual", start_date__year=today.year)
        .values("employee_id")
        .annotate(total=Sum("days"))
    )
    held = {row["employee_id"]: row["total"] for row in pending}
    ids = list(
        LeaveBalance.objects.filter(
            leave_type__code="annual", year=today.year, entitled_days__gte=F("used_days") + Decimal("2")
        )
        .filter(employee__status=EmploymentStatus.ACTIVE, employee__team__isnull=False)
        .exclude(employee_id__in=busy)
        .filter(
            Q(employee__in=RosterEntry.objects.filter(work_date=day, kind=DayKind.WORK).values("employee_id"))
            | ~Q(employee__in=RosterEntry.objects.filter(work_date=day).values("employee_id"))
        )
        .order_by("employee_id")
        .values_list("employee_id", "entitled_days", "used_days")[: count * 3]
    )
    ok = [pk for pk, entitled, used in ids if entitled - used - held.get(pk, Decimal("0")) >= 1][:count]
    employees = list(
        Employee.objects.filter(pk__in=ok)
        .select_related("user", "team__supervisor", "department__manager", "department__leader_in_charge")
        .order_by("pk")
    )
    return day, employees


@register_bench_suite("leave")
def suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    out = ctx.stdout
    today = timezone.localdate()
    repeat = max(MIN_REPEAT, ctx.repeat)
    note = ensure_leave_data(ctx)
    if out is not None:
        out.write(f"- leave data: {note}")
    team = bench_team(ctx)
    if team is None:
        return [BenchRow("data", note, 0, None)]
    by_status = dict(LeaveRequest.objects.values_list("status").annotate(n=Count("pk")).order_by())
    rows.append(
        BenchRow(
            "data",
            f"{sum(by_status.values()):,} requests ({', '.join(f'{n:,} {s}' for s, n in sorted(by_status.items()))}), "
            f"{LeaveApprovalStep.objects.count():,} steps, {LeaveBalance.objects.count():,} balances",
            0,
            None,
            note,
        )
    )
    bench_supervisor = team.supervisor.user
    approvers = [(f"bench supervisor ({team.code})", bench_supervisor)]
    if "supervisor" in ctx.users:
        approvers.append(("demo supervisor", ctx.users["supervisor"]))

    # 1. The selector for all 200 waiting requests at once (what the page loaded before it was
    #    paginated), and for one page of 25.
    cases = [(label, user, None) for label, user in approvers] + [(approvers[0][0], bench_supervisor, PAGE_ROWS)]
    for label, user, limit in cases:
        kwargs = {} if limit is None else {"limit": limit}
        timings, queries, inbox = timed(
            lambda u, kwargs=kwargs: selectors.leave_inbox_rows(user=u, **kwargs), repeat=repeat, setup=fresh_user(user)
        )
        rows.append(
            percentile_row(
                f"leave_inbox_rows, {label}" + (f", limit={limit} (one inbox page)" if limit else ", all 200"),
                f"{len(inbox)} pending rows, {sum(len(r.coverage) for r in inbox):,} coverage days",
                timings,
                queries,
            )
        )

    # 2. The inbox page (25 requests a page), rendered through the whole stack (middleware,
    #    session, context processors, template).
    try:
        url = reverse("attendance:leave_inbox")
    except NoReverseMatch:
        url = None
    if url is None:
        rows.append(BenchRow("inbox page", "not measured: no URL named attendance_leave_inbox", 0, None))
    else:
        for label, user in approvers:
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
                    f"inbox page GET {url}, {label} (page 1 of the waiting requests, 25 a page)",
                    f"HTTP {response.status_code}, {len(response.content) / 1024:,.0f} KiB",
                    timings,
                    queries,
                    bar=(BAR_P95_MS, BAR_QUERIES) if label.startswith("bench") else None,
                )
            )

    # 3. The quote a form shows while typing; submit and approve, rolled back.
    day, candidates = _submit_candidates(today, repeat + 1)
    annual = LeaveType.objects.get(code="annual")
    if day is None or not candidates:
        rows.append(
            BenchRow("leave_quote / leave_request_submit", "not measured: no working day left this year", 0, None)
        )
    else:
        employee = candidates[0]
        timings, queries, quote = timed(
            lambda _: selectors.leave_quote(employee=employee, leave_type=annual, start_date=day, end_date=day),
            repeat=repeat,
        )
        rows.append(
            percentile_row(
                "leave_quote, annual, 1 day", f"{quote.days} days, {len(quote.route)} step(s)", timings, queries
            )
        )
        pool = iter(candidates)
        with transaction.atomic():
            timings, queries, request = timed(
                lambda e: services.leave_request_submit(
                    actor=e.user, leave_type_id=annual.pk, start_date=day, end_date=day, reason="bench"
                ),
                repeat=repeat,
                setup=lambda: next(pool),
            )
            transaction.set_rollback(True)
        rows.append(
            percentile_row(
                "leave_request_submit, annual, 1 day (rolled back)",
                f"{request.days} days to {request.route['steps'][0]['tier']}",
                timings,
                queries,
                note="quote, overlap check, insert, steps, audit event, notification",
            )
        )
    pending = list(
        selectors.leave_inbox(user=bench_supervisor)
        .annotate(step_count=Count("steps"))
        .filter(step_count=1)
        .values_list("pk", flat=True)[: repeat + 1]
    )
    if pending:
        pool = iter(pending)
        with transaction.atomic():
            timings, queries, request = timed(
                lambda arg: services.leave_request_approve(actor=arg[0], leave_request_id=arg[1], comment="bench"),
                repeat=min(repeat, len(pending) - 1),
                setup=lambda: (User.objects.get(pk=bench_supervisor.pk), next(pool)),
            )
            transaction.set_rollback(True)
        rows.append(
            percentile_row(
                "leave_request_approve, deciding step (rolled back)",
                f"→ {request.status}",
                timings,
                queries,
                note="lock, visibility, steps, balance deduction, audit event, notification",
            )
        )

    # 4. The daily grant job: nothing to do (everyone has this year's balance), and a new year.
    grant_repeat = max(3, ctx.repeat)
    timings, queries, result = timed(
        lambda _: services.leave_balance_grant_annual(year=today.year), repeat=grant_repeat
    )
    rows.append(
        percentile_row(
            f"leave_balance_grant_annual({today.year}), daily run, nothing to grant",
            f"{result['granted']} granted",
            timings,
            queries,
            note="one audit event per run",
        )
    )

    def next_year(_):
        with transaction.atomic():
            result = services.leave_balance_grant_annual(year=today.year + 1)
            transaction.set_rollback(True)
        return result

    timings, queries, result = timed(next_year, repeat=grant_repeat)
    median = statistics.median(timings)
    rows.append(
        percentile_row(
            f"leave_balance_grant_annual({today.year + 1}), 1 January (rolled back)",
            f"{result['granted']:,} granted",
            timings,
            queries,
            note=f"{result['granted'] / (median / 1000):,.0f} balances/s" if median else "",
        )
    )

    # 5. The HR list of all requests: count + first page.
    for username in ("hr", "manager"):
        user = ctx.users.get(username)
        if user is None:
            continue

        def first_page(u):
            qs = selectors.leave_request_list(user=u)
            return qs.count(), len(list(qs[:50]))

        timings, queries, (count, _shown) = timed(first_page, repeat=ctx.repeat, setup=fresh_user(user))
        rows.append(
            percentile_row(
                f"leave_request_list: count + page 1 (50), {username}", f"{count:,} visible", timings, queries
            )
        )
    return rows
