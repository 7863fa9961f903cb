"""Demo leave (ATT-3, LV-1..LV-5) for ``seed_demo``: this year's annual balances for everyone and a
realistic set of requests in the demo supervisor's team.

Unlike the attendance history this goes through the services (``leave_request_submit``,
``leave_request_approve``, ...), one call per request: there are about fifteen of them, so the
routes, audit events, notifications and the recomputed attendance days are the real ones, and the
seed stays well under a second (also on the SQLite database of ``make run``, where the overlap
exclusion constraint does not exist and the services' own overlap check is what holds).

What the demo logins find:
- ``supervisor``'s inbox: several pending requests of their team (annual, personal, sick with a
  hospital certificate, a half day, a two-day one that will go on to the manager);
- ``manager``'s inbox: a two-day request the supervisor has already approved (LV-4 climb);
- approved leave in the past, so the attendance pages show "on leave" (the approval recomputes
  those days), approved leave ahead, one rejected and one withdrawn request;
- ``agent``: their own approved sick day and a pending request.

Runs after the attendance seeder (the roster says which days are working days). Skipped when
``--months 0`` asks for the org only.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attendance import services
from attendance.models import DailyAttendance, DayKind, LeaveBalance, LeaveStatus, LeaveType, RosterEntry, StepStatus
from attendance.services import LEAVE_PAST_DAYS
from callcenter.demo import register_demo_seeder
from callcenter.errors import ApplicationError
from callcenter.models import Employee, EmploymentStatus, Notification

__all__ = [
    "DIAGNOSES",
    "PERSONAL_FALLBACK_REASON",
    "PLAN",
    "REJECT_COMMENTS",
    "certificate_pdf",
    "seed_leave",
]

# --- A small, valid PDF: the "hospital certificate" of a demo sick leave (LV-2) ---------------------


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def certificate_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` of ASCII text (Helvetica), built by hand: a few hundred bytes,
    no PDF library. It starts with ``%PDF-`` as the certificate check requires."""
    stream = "BT /F1 13 Tf 72 770 Td 18 TL " + " ".join(f"({_pdf_text(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("latin-1")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("latin-1")
    return bytes(out)


DIAGNOSES = [
    "Acute upper respiratory infection",
    "Acute gastroenteritis",
    "Influenza A",
    "Acute laryngitis (voice rest advised)",
    "Migraine",
]


def _certificate(rng: random.Random, employee: Employee, start: datetime.date, end: datetime.date):
    data = certificate_pdf(
        [
            "Demo People's Hospital - Outpatient Department",
            "Medical certificate (demo data, not a real document)",
            "",
            f"Patient: {employee.employee_no}",
            f"Diagnosis: {rng.choice(DIAGNOSES)}",
            f"Rest advised: {start.isoformat()} to {end.isoformat()}",
            "",
            f"Physician: Dr. {rng.choice(['Wang', 'Li', 'Zhang', 'Liu', 'Chen'])}",
        ]
    )
    return SimpleUploadedFile(f"诊断证明-{employee.employee_no}.pdf", data, content_type="application/pdf")


# --- Which days: the roster's working days, never overlapping the member's other requests -------------


class _Days:
    """Working days of the demo team (from the roster) and the days each member already asked for."""

    def __init__(self, members: list[Employee], first: datetime.date, last: datetime.date):
        self.work: dict[int, list[datetime.date]] = {m.pk: [] for m in members}
        for employee_id, day in (
            RosterEntry.objects.filter(
                employee_id__in=list(self.work), work_date__range=(first, last), kind=DayKind.WORK
            )
            .order_by("work_date")
            .values_list("employee_id", "work_date")
        ):
            self.work[employee_id].append(day)
        # Days the nightly computation found absent: a sick leave filed afterwards fits them (LV-5).
        self.absent = set(
            DailyAttendance.objects.filter(
                employee_id__in=list(self.work), work_date__range=(first, last), status="absent"
            ).values_list("employee_id", "work_date")
        )
        self.taken: dict[int, set[datetime.date]] = {m.pk: set() for m in members}

    def pick(
        self, employee_id: int, count: int, lo: datetime.date, hi: datetime.date, *, rng=None, prefer_absent=False
    ):
        """(first, last) spanning ``count`` consecutive working days within [lo, hi], or None: the
        first such run, or with ``rng`` any (an absent day's first when ``prefer_absent``)."""
        days = [d for d in self.work.get(employee_id, []) if lo <= d <= hi]
        runs = []
        for i in range(len(days) - count + 1):
            first, last = days[i], days[i + count - 1]
            span = {first + datetime.timedelta(n) for n in range((last - first).days + 1)}
            if not span & self.taken[employee_id]:
                runs.append((first, last))
        if not runs:
            return None
        if rng is None:
            return runs[0]
        if prefer_absent:
            runs = [r for r in runs if (employee_id, r[0]) in self.absent] or runs
        return rng.choice(runs)

    def take(self, employee_id: int, first: datetime.date, last: datetime.date) -> None:
        self.taken[employee_id] |= {first + datetime.timedelta(n) for n in range((last - first).days + 1)}


# --- The plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    code: str  # leave type
    days: int  # consecutive working days
    when: str  # "past" or "ahead"
    outcome: str  # approved | pending | pending_manager | rejected | withdrawn
    reason: str = ""
    half: bool = False  # ends at noon (half a day)
    agent: bool = False  # the demo agent's own request
    fallback: str = "personal"  # type used when the member has no annual days left


PLAN = [
    # Approved, in the past: attendance shows these days as "on leave".
    _Planned("sick", 1, "past", "approved", "发烧，医院就诊", agent=True),
    _Planned("sick", 2, "past", "approved", "急性肠胃炎，遵医嘱休息两天"),
    _Planned("bereavement", 1, "past", "approved", "祖父去世，回老家处理丧事"),
    # Approved, ahead.
    _Planned("annual", 1, "ahead", "approved", "带父母体检"),
    # Waiting in the supervisor's inbox.
    _Planned("annual", 1, "ahead", "pending", "回老家办事", agent=True),
    _Planned("personal", 1, "ahead", "pending", "孩子学校开家长会"),
    _Planned("sick", 1, "past", "pending", "感冒发烧，已就诊"),
    _Planned("annual", 1, "ahead", "pending", "上午办理房产过户", half=True),
    _Planned("annual", 2, "ahead", "pending", "外地参加朋友婚礼"),
    _Planned("personal", 1, "ahead", "pending", "周末搬家，需提前整理"),
    # Approved by the supervisor, now with the department manager (LV-4: over one day).
    _Planned("annual", 2, "ahead", "pending_manager", "陪家人外出旅行"),
    # Decided against / taken back.
    _Planned("personal", 1, "ahead", "rejected", "处理个人事务"),
    _Planned("annual", 1, "ahead", "withdrawn", "计划有变"),
]
REJECT_COMMENTS = ["该日为话务高峰，组内已有两人请假，请改期。", "当天有新业务培训，请另选日期。"]
PERSONAL_FALLBACK_REASON = "家中有事需要处理"


def _demo_team(employees: list[Employee]):
    """The demo supervisor's team (``supervisor`` login), else the first team of this run."""
    supervisors = {e.team_id: e for e in employees if e.position.code == "SUPERVISOR" and e.team_id}
    for team_id, supervisor in supervisors.items():
        if supervisor.user.username == "supervisor":
            return team_id
    return next(iter(supervisors), None)


@register_demo_seeder(order=20)
def seed_leave(rng: random.Random, employees, months: int, stdout) -> dict:
    """This year's annual balances (LV-3) and the demo team's leave requests, through the services."""
    if months <= 0:
        return {}
    started = time.perf_counter()
    services.leave_types_defaults_install()
    today = timezone.localdate()
    granted = services.leave_balance_grant_annual(year=today.year)["granted"]
    team_id = _demo_team(employees)
    if team_id is None:
        return {"leave_balances": granted}
    members = [
        m
        for m in Employee.objects.filter(team_id=team_id, status=EmploymentStatus.ACTIVE)
        .select_related("user", "team__supervisor__user")
        .order_by("employee_no")
        if m.pk != m.team.supervisor_id
    ]
    if not members:
        return {"leave_balances": granted}
    supervisor = members[0].team.supervisor.user
    agent = next((m for m in members if m.user.username == "agent"), members[0])
    others = [m for m in members if m.pk != agent.pk] or [agent]
    types = {t.code: t for t in LeaveType.objects.filter(active=True)}
    annual_left = {
        b.employee_id: b.remaining_days
        for b in LeaveBalance.objects.filter(
            employee__in=members, leave_type__code="annual", year=today.year
        ).select_related("leave_type")
    }
    oldest = max(today - datetime.timedelta(days=LEAVE_PAST_DAYS), today.replace(day=1) - datetime.timedelta(days=31))
    ahead_last = today + datetime.timedelta(days=14)
    calendar = _Days(members, oldest, ahead_last)
    first_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    counts = {status: 0 for status in LeaveStatus.values}
    skipped = 0
    turn = 0
    for planned in PLAN:
        candidates = [agent] if planned.agent else others[turn % len(others) :] + others[: turn % len(others)]
        if not planned.agent:
            turn += 1
        made = None
        for member in candidates:
            code = planned.code
            if code == "annual" and annual_left.get(member.pk, Decimal("0")) < planned.days:
                code = planned.fallback  # under a year worked: no annual leave yet (LV-3)
            if planned.when == "past":
                lo, hi = oldest, today - datetime.timedelta(days=1)
            else:
                # Personal leave is filed at least a day ahead (LV-2). Annual leave comes out of
                # this year's balance: at the very end of December there is no room left for it.
                lo = today + datetime.timedelta(days=2 + rng.randint(0, 5))
                hi = ahead_last
                if code == "annual" and (year_end := datetime.date(today.year, 12, 31)) < lo + datetime.timedelta(3):
                    code = planned.fallback
                elif code == "annual":
                    hi = min(hi, year_end)
            span = calendar.pick(
                member.pk,
                planned.days,
                lo,
                hi,
                rng=rng if planned.when == "past" else None,
                prefer_absent=code == "sick",
            )
            if span is None:
                continue
            first, last = span
            reason = planned.reason if code == planned.code else PERSONAL_FALLBACK_REASON
            days = Decimal(planned.days) - (Decimal("0.5") if planned.half else 0)
            notified_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            try:
                made = services.leave_request_submit(
                    actor=member.user,
                    leave_type_id=types[code].pk,
                    start_date=first,
                    end_date=last,
                    ends_at_noon=planned.half,
                    reason=reason,
                    expected_days=days if code == "personal" else None,
                    certificates=[_certificate(rng, member, first, last)] if types[code].requires_certificate else [],
                )
                _decide(made, planned.outcome, supervisor=supervisor, rng=rng)
                _notifications_settled(made, notified_before, past=planned.when == "past")
            except ApplicationError as exc:
                stdout.write(f"Leave demo: skipped a {code} request of {member.employee_no}: {exc.message}")
                made = None
                continue
            calendar.take(member.pk, first, last)
            if code == "annual" and planned.outcome in ("approved", "pending", "pending_manager"):
                annual_left[member.pk] = annual_left.get(member.pk, Decimal("0")) - made.days
            break
        if made is None:
            skipped += 1
        else:
            made.refresh_from_db(fields=["status"])
            counts[made.status] += 1
    # Demo notifications stay in the app: marked as e-mailed so that committing the seed does not
    # send (or, in development, print) an e-mail per notification to the example.com addresses.
    Notification.objects.filter(pk__gt=first_notification, emailed_at__isnull=True).update(emailed_at=timezone.now())
    total = sum(counts.values())
    seconds = time.perf_counter() - started
    stdout.write(
        f"Leave: {granted:,} annual balances for {today.year}, {total} requests in team "
        f"{members[0].team.name} ({counts['pending']} pending, {counts['approved']} approved) in {seconds:.2f} s."
    )
    return {
        "leave_balances": granted,
        "leave_requests": total,
        **{f"leave_{status}": n for status, n in counts.items() if n},
        **({"leave_skipped": skipped} if skipped else {}),
    }


def _notifications_settled(request, after_pk: int, *, past: bool) -> None:
    """Read, the notifications of ``request`` that no longer ask anything: "please decide" sent to
    whoever has decided their step (or to anyone once the request is decided), and every one of a
    decided leave already in the past (history). What is still to do stays unread."""
    request.refresh_from_db(fields=["status"])
    sent = Notification.objects.filter(pk__gt=after_pk, read_at__isnull=True)
    if request.status != LeaveStatus.PENDING:
        settled = sent if past else sent.filter(kind="leave.to_decide")
    else:
        deciders = request.steps.exclude(status__in=[StepStatus.PENDING, StepStatus.WAITING]).values_list(
            "approver__user_id", flat=True
        )
        settled = sent.filter(kind="leave.to_decide", recipient_id__in=list(deciders))
    settled.update(read_at=timezone.now())


def _decide(request, outcome: str, *, supervisor, rng: random.Random) -> None:
    if outcome == "approved":
        # Approve step by step along the route (the supervisor, then the manager if the length needs).
        for _ in range(3):
            request.refresh_from_db(fields=["status"])
            if request.status != LeaveStatus.PENDING:
                return
            step = request.steps.filter(status="pending").select_related("approver__user").first()
            services.leave_request_approve(actor=step.approver.user, leave_request_id=request.pk, comment="同意")
    elif outcome == "pending_manager":
        services.leave_request_approve(actor=supervisor, leave_request_id=request.pk, comment="同意，请经理审批")
    elif outcome == "rejected":
        services.leave_request_reject(
            actor=supervisor, leave_request_id=request.pk, comment=rng.choice(REJECT_COMMENTS)
        )
    elif outcome == "withdrawn":
        services.leave_request_withdraw(actor=request.employee.user, leave_request_id=request.pk)
