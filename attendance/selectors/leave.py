"""Attendance selectors: leave (请假, ATT-3 / LV-1..LV-5).

Who sees a leave request: whoever sees the employee (:mod:`callcenter.selectors.org`: self, team
supervisor, department manager, leader in charge, HR, and the access grants in force), plus the
approvers on its route and their active delegates (a delegate approver may be outside the
reporting line).

Who decides a step (LV-4): its approver; their delegate, on their behalf (a delegation: all of
one approver's steps, for a period); and at the supervisor's step, a covering supervisor of the
requester's team (an access grant of the team: the team's steps at that tier only, for a
period), also on the approver's behalf. Both act through the same step, inbox and ``on_behalf``
record: the route stored on the request never changes, so when a delegation or a cover ends the
pending steps are simply the approver's alone again.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance import rules
from attendance.errors import AttendanceErrorCode
from attendance.models import (
    ApprovalDelegation,
    ApprovalTier,
    DayKind,
    LeaveApprovalStep,
    LeaveBalance,
    LeaveCertificate,
    LeavePolicy,
    LeaveRequest,
    LeaveRule,
    LeaveStatus,
    LeaveType,
    RosterEntry,
    StepStatus,
)
from attendance.selectors.roster import calendar_day
from callcenter.errors import ApplicationError, NotFoundError
from callcenter.models import Employee, EmploymentStatus
from callcenter.roles import Role, has_role
from callcenter.selectors import (
    approval_chain,
    covered_team_ids,
    employee_of,
    employee_visibility_q,
    employees_visible_to,
    hr_remit_limited,
    is_company_hr,
    policy_in_force,
)

__all__ = [
    "DELEGATE_ROLES",
    "LEAVE_MAX_DAYS_PER_REQUEST",
    "LEAVE_STATUSES_SHOWN",
    "CoverageDay",
    "InboxRow",
    "LeaveQuote",
    "approval_delegate_candidates",
    "approval_delegate_choices",
    "approval_delegation_list",
    "approved_leave_parts",
    "covers_step",
    "delegators_of",
    "leave_balance_available",
    "leave_balance_list",
    "leave_balance_summary",
    "leave_calendar",
    "leave_certificate_get",
    "leave_coverage",
    "leave_dashboard_decide",
    "leave_dashboard_mine",
    "leave_inbox",
    "leave_inbox_rows",
    "leave_quote",
    "leave_request_can_act",
    "leave_request_get",
    "leave_request_list",
    "leave_type_get",
    "leave_type_list",
    "statutory_day_kind",
]

# A bounded request: more than a year at once is an input mistake (maternity is 98-158 days).
LEAVE_MAX_DAYS_PER_REQUEST = 366

# What the team calendar shows.
LEAVE_STATUSES_SHOWN = (LeaveStatus.APPROVED, LeaveStatus.PENDING)

_TIER_CHAIN = {
    Role.SUPERVISOR: ApprovalTier.SUPERVISOR,
    Role.DEPARTMENT_MANAGER: ApprovalTier.MANAGER,
    Role.COMPANY_LEADER: ApprovalTier.LEADER,
}


# --- Types -----------------------------------------------------------------------------------------


def leave_type_list(*, active_only: bool = True) -> QuerySet[LeaveType]:
    qs = LeaveType.objects.all()
    return qs.filter(active=True) if active_only else qs


def leave_type_get(*, pk) -> LeaveType:
    """One leave type, active or not (types are not personal data), or NotFoundError."""
    leave_type = LeaveType.objects.filter(pk=pk).first()
    if leave_type is None:
        raise NotFoundError(_("Leave type not found."))
    return leave_type


# --- Visibility --------------------------------------------------------------------------------


def delegators_of(employee: Employee | None, on: datetime.date | None = None, *, fresh: bool = False) -> list[int]:
    """Employees whose approvals ``employee`` holds as a delegate on ``on`` (LV-4). ``fresh``:
    read the delegations again (decisions do), not the copy cached earlier in the request."""
    if employee is None:
        return []
    on = on or timezone.localdate()
    cached = getattr(employee, "_delegators_cache", None)
    if not fresh and cached is not None and cached[0] == on:
        return list(cached[1])
    found = list(
        ApprovalDelegation.objects.filter(
            delegate=employee, start_date__lte=on, end_date__gte=on, cancelled_at__isnull=True
        ).values_list("delegator_id", flat=True)
    )
    # Cached on the employee object (the request's ``user.employee``): the inbox, the visibility
    # rule and the decision checks ask the same question several times per request.
    employee._delegators_cache = (on, tuple(found))
    return found


def covers_step(*, step: LeaveApprovalStep, request: LeaveRequest, covered: frozenset[int]) -> bool:
    """Does a covering supervisor of the teams ``covered`` (:func:`callcenter.selectors.covered_team_ids`)
    decide ``step``? At the supervisor's step of a request from a team they cover, yes."""
    return bool(covered) and step.tier == ApprovalTier.SUPERVISOR and request.employee.team_id in covered


def _visible_q(user) -> Q | None:
    """Requests ``user`` may see; None = all (HR)."""
    q = employee_visibility_q(user, prefix="employee")
    if q is None:
        return None
    me = employee_of(user)
    if me is not None:
        approvers = [me.pk, *delegators_of(me)]
        q |= Q(Exists(LeaveApprovalStep.objects.filter(request=OuterRef("pk"), approver_id__in=approvers)))
    return q


def _base_qs() -> QuerySet[LeaveRequest]:
    return LeaveRequest.objects.select_related("employee__team", "employee__department", "leave_type", "revoked_by")


def leave_request_list(*, user, filters: dict | None = None) -> QuerySet[LeaveRequest]:
    """Requests ``user`` may see. Filters: ``status``, ``leave_type`` (code), ``mine``,
    ``employee`` (id), ``team`` (id), ``department`` (id), ``date_from``/``date_to`` (overlap),
    ``q`` (name or number), ``ids`` (these requests only)."""
    filters = filters or {}
    qs = _base_qs()
    q = _visible_q(user)
    if q is not None:
        qs = qs.filter(q)
    if (status := filters.get("status")) and status in LeaveStatus.values:
        qs = qs.filter(status=status)
    if code := filters.get("leave_type"):
        qs = qs.filter(leave_type__code=code)
    if filters.get("mine"):
        me = employee_of(user)
        qs = qs.filter(employee_id=me.pk) if me else qs.none()
    if employee := filters.get("employee"):
        qs = qs.filter(employee_id=employee)
    if team := filters.get("team"):
        qs = qs.filter(employee__team_id=team)
    if department := filters.get("department"):
        qs = qs.filter(employee__department_id=department)
    if date_from := filters.get("date_from"):
        qs = qs.filter(end_date__gte=date_from)
    if date_to := filters.get("date_to"):
        qs = qs.filter(start_date__lte=date_to)
    if text := (filters.get("q") or "").strip():
        qs = qs.filter(Q(employee__name__icontains=text) | Q(employee__employee_no__icontains=text))
    if (ids := filters.get("ids")) is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.order_by("-submitted_at", "-pk")


def leave_request_get(*, user, pk) -> LeaveRequest:
    """One request with its steps and certificates, or NotFoundError (also when not visible)."""
    qs = leave_request_list(user=user).prefetch_related(
        Prefetch(
            "steps",
            queryset=LeaveApprovalStep.objects.select_related("approver", "acted_by__employee").order_by("order"),
        ),
        "certificates",
    )
    request = qs.filter(pk=pk).first()
    if request is None:
        raise NotFoundError(_("Leave request not found."))
    return request


def leave_certificate_get(*, user, pk) -> LeaveCertificate:
    """A certificate, only for people who may see its request (LV-2)."""
    certificate = LeaveCertificate.objects.select_related("request").filter(pk=pk).first()
    if certificate is None or not leave_request_list(user=user).filter(pk=certificate.request_id).exists():
        raise NotFoundError(_("Certificate not found."))
    return certificate


def leave_request_can_act(*, user, request: LeaveRequest, steps: list[LeaveApprovalStep] | None = None) -> bool:
    """May ``user`` approve or reject ``request`` now (its current step is theirs, a delegator's,
    or the supervisor's step of a team they cover)?"""
    if request.status != LeaveStatus.PENDING:
        return False
    me = employee_of(user)
    if me is None or me.pk == request.employee_id:
        return False
    steps = steps if steps is not None else list(request.steps.all())
    current = next((s for s in steps if s.status == StepStatus.PENDING), None)
    if current is None:
        return False
    return (
        current.approver_id == me.pk
        or current.approver_id in delegators_of(me)
        or covers_step(step=current, request=request, covered=covered_team_ids(user))
    )


# --- Quote: what a request would count and who approves it ------------------------------------


@dataclass
class LeaveQuote:
    leave_type: LeaveType
    days: Decimal
    breakdown: list[dict]
    policy: LeavePolicy
    route: list[rules.RouteStep]
    route_explanation: dict
    approvers: dict[int, Employee]
    limit: Decimal | None = None
    limit_explanation: dict = field(default_factory=dict)
    balance: LeaveBalance | None = None
    pending_days: Decimal = Decimal("0")
    problems: list[str] = field(default_factory=list)
    year: int | None = None  # of the balance the request would use

    @property
    def available_days(self) -> Decimal | None:
        if self.balance is None:
            return None
        return rules.balance_available(
            entitled_days=self.balance.entitled_days, used_days=self.balance.used_days, pending_days=self.pending_days
        )

    @property
    def balance_after(self) -> Decimal | None:
        available = self.available_days
        return None if available is None else available - self.days

    def route_rows(self) -> list[dict]:
        return [
            {
                "tier": step.tier,
                "tier_label": ApprovalTier(step.tier).label,
                "approver": self.approvers.get(step.approver_id),
                "decides": step.decides,
            }
            for step in self.route
        ]

    def balance_figures(self) -> dict | None:
        """The balance the request would use, as the quote shows it (LV-3); None for a type that
        uses no balance."""
        if self.balance is None and not self.leave_type.uses_balance:
            return None
        entitled = self.balance.entitled_days if self.balance else Decimal("0")
        used = self.balance.used_days if self.balance else Decimal("0")
        available = rules.balance_available(entitled_days=entitled, used_days=used, pending_days=self.pending_days)
        return {
            "year": self.year,
            "entitled_days": entitled,
            "used_days": used,
            "pending_days": self.pending_days,
            "available_days": available,
            "after_days": available - self.days,
        }


def statutory_day_kind(day: datetime.date) -> tuple[bool, str, str] | None:
    """(is a working day, why, holiday name) from China's statutory calendar (LV-3); None for a
    year the installed calendar does not know."""
    info = calendar_day(day)
    if info.unknown:
        return None
    if info.holiday:
        return False, "holiday", info.name
    if info.makeup:
        return True, "makeup", info.name
    if info.weekend:
        return False, "weekend", ""
    return True, "workday", ""


def _day_kind_lookup(employee: Employee, start: datetime.date, end: datetime.date):
    """(is working day, why, holiday name) per day: the roster first, else the statutory calendar."""
    roster = {
        e.work_date: e.kind
        for e in RosterEntry.objects.filter(employee=employee, work_date__range=(start, end)).only("work_date", "kind")
    }

    def day_kind(day: datetime.date) -> tuple[bool, str, str]:
        kind = roster.get(day)
        if kind == DayKind.WORK:
            return True, "roster_work", ""
        if kind == DayKind.REST:
            return False, "roster_rest", ""
        if kind == DayKind.HOLIDAY:
            return False, "roster_holiday", calendar_day(day).name
        known = statutory_day_kind(day)
        if known is None:
            raise ApplicationError(
                _(
                    "The statutory calendar for %(year)d is not published in this version and no roster "
                    "covers %(day)s; ask your supervisor to roster these days first."
                )
                % {"year": day.year, "day": day.isoformat()},
                code=AttendanceErrorCode.CALENDAR_UNKNOWN,
            )
        return known

    return day_kind


def leave_balance_available(*, employee_id: int, leave_type: LeaveType, year: int, exclude_request=None):
    """(balance or None, days held by pending requests of that type and year)."""
    balance = LeaveBalance.objects.filter(employee_id=employee_id, leave_type=leave_type, year=year).first()
    pending = LeaveRequest.objects.filter(
        employee_id=employee_id, leave_type=leave_type, status=LeaveStatus.PENDING, start_date__year=year
    )
    if exclude_request is not None:
        pending = pending.exclude(pk=exclude_request)
    return balance, pending.aggregate(total=Sum("days"))["total"] or Decimal("0")


def leave_quote(
    *,
    employee: Employee,
    leave_type: LeaveType,
    start_date: datetime.date,
    end_date: datetime.date,
    starts_afternoon: bool = False,
    ends_at_noon: bool = False,
    difficult_birth: bool = False,
    extra_babies: int = 0,
) -> LeaveQuote:
    """How a request would count (LV-3), the balance left and its approval route (LV-4).

    Raises ApplicationError for input that cannot be counted at all (reversed dates, a year the
    calendar does not know); other problems are listed in ``problems`` so the form can show them
    all at once."""
    if start_date is None or end_date is None:
        raise ApplicationError(_("Choose the first and the last day."), code=AttendanceErrorCode.DATES_MISSING)
    if end_date < start_date:
        raise ApplicationError(_("The last day is before the first day."), code=AttendanceErrorCode.DATES_REVERSED)
    if (end_date - start_date).days + 1 > LEAVE_MAX_DAYS_PER_REQUEST:
        raise ApplicationError(
            _("One request covers at most %(days)d days.") % {"days": LEAVE_MAX_DAYS_PER_REQUEST},
            code=AttendanceErrorCode.TOO_LONG,
        )
    if start_date == end_date and starts_afternoon and ends_at_noon:
        raise ApplicationError(
            _("A one-day request cannot both start in the afternoon and end at noon."),
            code=AttendanceErrorCode.EMPTY_HALF_DAY,
        )
    policy = policy_in_force(LeavePolicy, start_date)
    problems: list[str] = []
    if (starts_afternoon or ends_at_noon) and not leave_type.allow_half_days:
        problems.append(_("%(type)s is taken in whole days.") % {"type": leave_type.display_name})
    counted = rules.count_days(
        counting=leave_type.counting,
        start_date=start_date,
        starts_afternoon=starts_afternoon,
        end_date=end_date,
        ends_at_noon=ends_at_noon,
        day_kind=_day_kind_lookup(employee, start_date, end_date),
    )
    if counted.days <= 0:
        problems.append(_("These days are all rest days or holidays: the request would count 0 days."))
    limit, limit_explanation = rules.per_request_limit(
        rule=leave_type.rule, policy=policy, difficult_birth=difficult_birth, extra_babies=extra_babies
    )
    if limit is None and leave_type.rule == LeaveRule.CUSTOM and leave_type.max_days_per_request:
        limit = leave_type.max_days_per_request
        limit_explanation = {"article": "LV-1", "rule": "custom", "limit": str(limit)}
    if limit is not None and counted.days > limit:
        problems.append(
            _("%(type)s allows at most %(limit)s days per request (LV-3); this one counts %(days)s.")
            % {"type": leave_type.display_name, "limit": limit, "days": counted.days}
        )
    balance, pending = None, Decimal("0")
    if leave_type.uses_balance:
        if start_date.year != end_date.year:
            problems.append(
                _("%(type)s is deducted from each year's balance: split the request at the end of the year.")
                % {"type": leave_type.display_name}
            )
        balance, pending = leave_balance_available(employee_id=employee.pk, leave_type=leave_type, year=start_date.year)
        available = (
            rules.balance_available(
                entitled_days=balance.entitled_days, used_days=balance.used_days, pending_days=pending
            )
            if balance
            else Decimal("0")
        )
        if counted.days > available:
            problems.append(
                _("Not enough %(type)s left for %(year)d: %(available)s days available, this request counts %(days)s.")
                % {
                    "type": leave_type.display_name,
                    "year": start_date.year,
                    "available": available,
                    "days": counted.days,
                }
            )
    needed, route_explanation = rules.required_tier(counted.days, policy)
    chain_employees = approval_chain(employee)
    chain = [(_TIER_CHAIN[role], person.pk) for role, person in chain_employees]
    route = rules.build_route(chain=chain, needed=needed, direct=policy.approval_direct)
    if not route:
        problems.append(
            _("Nobody in your reporting line can approve a request of this length (LV-4). Please contact HR.")
        )
    return LeaveQuote(
        leave_type=leave_type,
        days=counted.days,
        breakdown=counted.breakdown,
        policy=policy,
        route=route,
        route_explanation=route_explanation,
        approvers={person.pk: person for _role, person in chain_employees},
        limit=limit,
        limit_explanation=limit_explanation,
        balance=balance,
        pending_days=pending,
        problems=problems,
        year=start_date.year,
    )


# --- Inbox, coverage, calendar --------------------------------------------------------------------


def leave_inbox(*, user, delegators: list[int] | None = None) -> QuerySet[LeaveRequest]:
    """Pending requests whose current step is the user's (or a delegator's, or the supervisor's
    step of a team they cover) — LV-4. ``delegators``: already known (saves the look-up)."""
    me = employee_of(user)
    if me is None:
        return LeaveRequest.objects.none()
    approvers = [me.pk, *(delegators if delegators is not None else delegators_of(me))]
    current = LeaveApprovalStep.objects.filter(request=OuterRef("pk"), status=StepStatus.PENDING)
    mine = Q(Exists(current.filter(approver_id__in=approvers)))
    if covered := covered_team_ids(user):
        mine |= Q(Exists(current.filter(tier=ApprovalTier.SUPERVISOR)), employee__team_id__in=sorted(covered))
    # Lighter than _base_qs(): the inbox shows the team, never the department or a revoker.
    return (
        LeaveRequest.objects.select_related("employee__team", "leave_type")
        .filter(status=LeaveStatus.PENDING)
        .exclude(employee_id=me.pk)
        .filter(mine)
        .order_by("start_date", "submitted_at", "pk")
    )


@dataclass
class InboxRow:
    request: LeaveRequest
    steps: list[LeaveApprovalStep]
    certificates: list[LeaveCertificate]
    balance: LeaveBalance | None
    coverage: list
    on_behalf_of: Employee | None

    @property
    def current_step(self) -> LeaveApprovalStep | None:
        return next((s for s in self.steps if s.status == StepStatus.PENDING), None)

    @property
    def warnings(self) -> list:
        return [day for day in self.coverage if day.below_minimum]


def leave_inbox_rows(*, user, requests: list[LeaveRequest] | None = None, limit: int = 200) -> list[InboxRow]:
    """The approval inbox with everything an approver decides on: steps, certificates, the
    requester's balance, the team's coverage per day (LV-4). ``requests``: one page of
    :func:`leave_inbox` (the pages paginate); default its first ``limit``. A fixed number of
    queries whatever the number of requests (asserted in the tests, measured by ``bench leave``)."""
    me = employee_of(user)
    if me is None:
        return []
    delegators = delegators_of(me)
    if requests is None:
        requests = list(leave_inbox(user=user, delegators=delegators)[:limit])
    requests = list(requests)
    if not requests:
        return []
    prefetch_related_objects(
        requests,
        Prefetch("steps", queryset=LeaveApprovalStep.objects.select_related("approver").order_by("order")),
        "certificates",
    )
    keys = {(r.employee_id, r.leave_type_id, r.start_date.year) for r in requests if r.leave_type.uses_balance}
    balances = {}
    if keys:
        q = Q(pk__in=[])
        for employee_id, type_id, year in keys:
            q |= Q(employee_id=employee_id, leave_type_id=type_id, year=year)
        balances = {(b.employee_id, b.leave_type_id, b.year): b for b in LeaveBalance.objects.filter(q)}
    coverage = leave_coverage(requests)
    covered = covered_team_ids(user)
    rows = []
    for request in requests:
        steps = list(request.steps.all())
        current = next((s for s in steps if s.status == StepStatus.PENDING), None)
        on_behalf = (
            current.approver
            if current
            and current.approver_id != me.pk
            and (current.approver_id in delegators or covers_step(step=current, request=request, covered=covered))
            else None
        )
        rows.append(
            InboxRow(
                request=request,
                steps=steps,
                certificates=list(request.certificates.all()),
                balance=balances.get((request.employee_id, request.leave_type_id, request.start_date.year)),
                coverage=coverage.get(request.pk, []),
                on_behalf_of=on_behalf,
            )
        )
    return rows


@dataclass
class CoverageDay:
    date: datetime.date
    scheduled: int = 0
    off: int = 0
    pending: int = 0
    shift_code: str = ""
    min_staff: int = 0
    requester_works: bool = False

    @property
    def remaining_if_approved(self) -> int:
        return self.scheduled - self.off - (1 if self.requester_works else 0)

    @property
    def below_minimum(self) -> bool:
        return self.requester_works and self.min_staff > 0 and self.remaining_if_approved < self.min_staff


def leave_coverage(requests: list[LeaveRequest]) -> dict[int, list[CoverageDay]]:
    """For each request, per day: how many of the requester's team work that shift, how many are
    already off (approved leave), how many more have asked (pending), and the shift's minimum
    staffing. Three queries for any number of requests."""
    requests = [r for r in requests if r.employee.team_id]
    if not requests:
        return {}
    team_ids = {r.employee.team_id for r in requests}
    first = min(r.start_date for r in requests)
    last = max(r.end_date for r in requests)
    roster = defaultdict(dict)  # (team, date) -> {employee: (shift id, code, min staff)}
    for entry in RosterEntry.objects.filter(
        employee__team_id__in=team_ids,
        employee__status=EmploymentStatus.ACTIVE,
        work_date__range=(first, last),
        kind=DayKind.WORK,
    ).values_list("employee_id", "employee__team_id", "work_date", "shift_id", "shift__code", "shift__min_staff"):
        employee_id, team_id, day, shift_id, code, min_staff = entry
        roster[(team_id, day)][employee_id] = (shift_id, code, min_staff)
    leave = defaultdict(lambda: {"approved": set(), "pending": set()})  # (team, date) -> employees
    for employee_id, team_id, start, end, status in LeaveRequest.objects.filter(
        employee__team_id__in=team_ids,
        status__in=[LeaveStatus.APPROVED, LeaveStatus.PENDING],
        start_date__lte=last,
        end_date__gte=first,
    ).values_list("employee_id", "employee__team_id", "start_date", "end_date", "status"):
        day = max(start, first)
        while day <= min(end, last):
            leave[(team_id, day)][status].add(employee_id)
            day += datetime.timedelta(days=1)
    result: dict[int, list[CoverageDay]] = {}
    for request in requests:
        team_id = request.employee.team_id
        days = []
        day = request.start_date
        while day <= request.end_date:
            on_roster = roster.get((team_id, day), {})
            mine = on_roster.get(request.employee_id)
            off = leave[(team_id, day)]
            if mine is None:
                days.append(CoverageDay(date=day))
            else:
                shift_id, code, min_staff = mine
                same_shift = {e for e, (s, _c, _m) in on_roster.items() if s == shift_id}
                days.append(
                    CoverageDay(
                        date=day,
                        scheduled=len(same_shift),
                        off=len((off["approved"] & same_shift) - {request.employee_id}),
                        pending=len((off["pending"] & same_shift) - {request.employee_id}),
                        shift_code=code,
                        min_staff=min_staff,
                        requester_works=True,
                    )
                )
            day += datetime.timedelta(days=1)
        result[request.pk] = days
    return result


def approved_leave_parts(
    *, employee_ids, date_from: datetime.date, date_to: datetime.date
) -> dict[tuple[int, datetime.date], dict]:
    """(employee, day) -> {"part", "request", "type", "type_name"} for approved leave (ATT-3):
    what the attendance computation and the calendars read. One query."""
    parts: dict[tuple[int, datetime.date], dict] = {}
    qs = LeaveRequest.objects.filter(
        status=LeaveStatus.APPROVED, start_date__lte=date_to, end_date__gte=date_from
    ).select_related("leave_type")
    if employee_ids is not None:
        qs = qs.filter(employee_id__in=list(employee_ids))
    for request in qs:
        day = max(request.start_date, date_from)
        while day <= min(request.end_date, date_to):
            part = request.part_of(day)
            if part:
                parts[(request.employee_id, day)] = {
                    "part": part,
                    "request": request.pk,
                    "type": request.leave_type.code,
                    "type_name": request.leave_type.name,
                    "type_name_en": request.leave_type.name_en,
                }
            day += datetime.timedelta(days=1)
    return parts


def leave_calendar(*, user, team_id: int, month: datetime.date) -> dict:
    """The team's month: members × days with approved (and pending) leave. Bounded queries."""
    first = month.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    members = list(
        employees_visible_to(user)
        .filter(team_id=team_id, status=EmploymentStatus.ACTIVE)
        .only("pk", "name", "employee_no")
        .order_by("employee_no")
    )
    ids = [m.pk for m in members]
    cells: dict[tuple[int, datetime.date], dict] = {}
    for request in LeaveRequest.objects.filter(
        employee_id__in=ids, status__in=LEAVE_STATUSES_SHOWN, start_date__lte=last, end_date__gte=first
    ).select_related("leave_type"):
        day = max(request.start_date, first)
        while day <= min(request.end_date, last):
            cells[(request.employee_id, day)] = {
                "part": request.part_of(day),
                "status": request.status,
                "type": request.leave_type.display_name,
                "request": request.pk,
            }
            day += datetime.timedelta(days=1)
    days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
    off_per_day = {day: sum(1 for m in ids if cells.get((m, day), {}).get("status") == "approved") for day in days}
    rows = [{"employee": m, "cells": [cells.get((m.pk, day)) for day in days]} for m in members]
    return {
        "first": first,
        "last": last,
        "days": [calendar_day(day) for day in days],
        "rows": rows,
        "off_per_day": [off_per_day[day] for day in days],
    }


# --- Balances and delegations ---------------------------------------------------------------------


def leave_balance_list(*, user, filters: dict | None = None) -> QuerySet[LeaveBalance]:
    filters = filters or {}
    qs = LeaveBalance.objects.select_related("employee__team", "employee__department", "leave_type")
    q = employee_visibility_q(user, prefix="employee")
    if q is not None:
        qs = qs.filter(q)
    if year := filters.get("year"):
        qs = qs.filter(year=year)
    if filters.get("mine"):
        me = employee_of(user)
        qs = qs.filter(employee_id=me.pk) if me else qs.none()
    if employee := filters.get("employee"):
        qs = qs.filter(employee_id=employee)
    if code := filters.get("leave_type"):
        qs = qs.filter(leave_type__code=code)
    if text := (filters.get("q") or "").strip():
        qs = qs.filter(Q(employee__name__icontains=text) | Q(employee__employee_no__icontains=text))
    return qs.order_by("-year", "employee__employee_no", "leave_type__sort_order")


# Approvers anywhere may stand in for an approver (a delegate may be outside the reporting line).
DELEGATE_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)


def approval_delegate_candidates(*, delegator: Employee | None, user=None) -> QuerySet[Employee]:
    """Who ``delegator`` may name as delegate (LV-4): an active colleague of their department or
    an approver anywhere; HR (``user``) may name any active employee (an HR assistant: anyone in
    their departments). Never the delegator."""
    if delegator is None:
        return Employee.objects.none()
    qs = Employee.objects.filter(status=EmploymentStatus.ACTIVE).exclude(pk=delegator.pk)
    if user is not None and is_company_hr(user):
        return qs.order_by("employee_no")
    if user is not None and hr_remit_limited(user):
        return (
            employees_visible_to(user)
            .filter(status=EmploymentStatus.ACTIVE)
            .exclude(pk=delegator.pk)
            .order_by("employee_no")
        )
    qs = qs.filter(
        Q(department_id=delegator.department_id)
        | Q(pk__in=Employee.objects.filter(user__groups__name__in=DELEGATE_ROLES).values("pk"))
    )
    return qs.order_by("employee_no")


def approval_delegate_choices(*, user) -> QuerySet[Employee]:
    """Whom ``user`` may name as a delegate in a request: HR any active employee (HR sets up
    delegations for any approver; an HR assistant within their departments), anyone else
    :func:`approval_delegate_candidates` of their own."""
    if is_company_hr(user):
        return Employee.objects.filter(status=EmploymentStatus.ACTIVE).order_by("employee_no")
    if hr_remit_limited(user):
        return employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE).order_by("employee_no")
    return approval_delegate_candidates(delegator=employee_of(user), user=user)


def leave_balance_summary(*, user, year: int) -> list[dict]:
    """The user's own balances of ``year`` with the days pending requests hold and what is left,
    each with how it was granted (LV-3). Two queries."""
    me = employee_of(user)
    if me is None:
        return []
    # One's own balances: no visibility look-ups needed.
    balances = list(
        LeaveBalance.objects.filter(employee_id=me.pk, year=year)
        .select_related("leave_type")
        .order_by("leave_type__sort_order")
    )
    pending = dict(
        LeaveRequest.objects.filter(
            employee_id=me.pk,
            status=LeaveStatus.PENDING,
            start_date__year=year,
            leave_type_id__in=[b.leave_type_id for b in balances],
        )
        .values_list("leave_type_id")
        .annotate(total=Sum("days"))
        .order_by()
    )
    rows = []
    for balance in balances:
        held = pending.get(balance.leave_type_id) or Decimal("0")
        rows.append(
            {
                "balance": balance,
                "pending": held,
                "left": rules.balance_available(
                    entitled_days=balance.entitled_days, used_days=balance.used_days, pending_days=held
                ),
                "explanation": rules.explain_grant(balance.detail or {}),
            }
        )
    return rows


def approval_delegation_list(*, user) -> QuerySet[ApprovalDelegation]:
    """Delegations the user gave or holds; HR sees all (an HR assistant: those of the approvers
    of their departments, and their own)."""
    qs = ApprovalDelegation.objects.select_related("delegator", "delegate", "created_by")
    if is_company_hr(user):
        return qs
    if hr_remit_limited(user):
        mine = Q(delegate_id=me.pk) if (me := employee_of(user)) is not None else Q(pk__in=[])
        return qs.filter(employee_visibility_q(user, prefix="delegator") | mine)
    me = employee_of(user)
    if me is None:
        return qs.none()
    return qs.filter(Q(delegator=me) | Q(delegate=me))


# --- Dashboard cards (callcenter.providers.DashboardCard, registered in attendance/apps.py) ---------

LEAVE_APPROVER_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER)
DASHBOARD_INBOX_ROWS = 5


def leave_dashboard_mine(*, user, me: Employee) -> dict:
    """The reader's leave on their dashboard (LV-1, LV-3): this year's balances with what is left
    (pending requests held) and how many of their requests are pending. Three queries."""
    year = timezone.localdate().year
    return {
        "year": year,
        "balances": leave_balance_summary(user=user, year=year),
        "pending": LeaveRequest.objects.filter(employee_id=me.pk, status=LeaveStatus.PENDING).count(),
    }


def leave_dashboard_decide(*, user, me: Employee) -> dict | None:
    """Leave requests waiting for the reader's decision (LV-4): their own steps, a delegator's or a
    covered team's, the first few in date order and how many in all. None for a reader who is
    not an approver and has none waiting (a colleague without a delegation). Bounded queries."""
    inbox = leave_inbox(user=user)
    rows = list(inbox[:DASHBOARD_INBOX_ROWS])
    count = inbox.count() if len(rows) == DASHBOARD_INBOX_ROWS else len(rows)
    if not count and not has_role(user, *LEAVE_APPROVER_ROLES):
        return None
    return {"count": count, "requests": rows}
