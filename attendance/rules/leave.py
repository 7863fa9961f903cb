"""The regulation's leave rules as pure functions (LV-1..LV-4): no database access.

- :func:`count_days` — how many days a request counts, day by day (LV-3: working days for most
  types, calendar days for maternity leave);
- :func:`required_tier` and :func:`build_route` — who approves (LV-4);
- :func:`annual_entitlement` — annual leave days of a year from cumulative years worked (LV-3);
- :func:`per_request_limit` — the statutory limit of an event leave (LV-3).

Every function returns its explanation (article codes and figures) with its result, so the form,
the inbox and the request page can say why.

Choices where the regulation is silent (docs/leave.md):
- a working day is a rostered work day; a day with no roster entry follows the statutory calendar
  (Monday–Friday, minus statutory holidays, plus make-up workdays 调休);
- a half day counts 0.5 whatever the shift length;
- annual leave: cumulative years worked are counted on the reference day (1 January, or the hire
  day for a joiner); under one year → none yet; a joiner's days are pro-rated by the calendar days
  left in the year ÷ 365 and rounded down to whole days (企业职工带薪年休假实施办法 第五条);
- annual leave, a milestone during the year (the first 12 months of cumulative work, the 10th or
  the 20th year): the entitlement judged on the reference day stays, and the difference between
  the new band and the old one is granted pro rata from the day the milestone is reached (the
  same 第五条 折算: remaining calendar days of the year ÷ 365, rounded down), see
  :func:`annual_milestone` and docs/leave.md;
- a request that counts 0 days (only rest days) is refused.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _

__all__ = [
    "ANNUAL_MILESTONES",
    "PRO_RATA_YEAR_DAYS",
    "TIERS",
    "DayCount",
    "RouteStep",
    "anniversary_in",
    "annual_days_for_years",
    "annual_entitlement",
    "annual_milestone",
    "balance_available",
    "build_route",
    "count_days",
    "day_parts",
    "explain_day",
    "explain_grant",
    "full_years_between",
    "per_request_limit",
    "required_tier",
]

_ONE = Decimal("1")
_HALF = Decimal("0.5")
_ZERO = Decimal("0")

# Tier order of the reporting line (LV-4).
TIERS = ("supervisor", "manager", "leader")


# --- Counting days (LV-3) -------------------------------------------------------------------------


@dataclass
class DayCount:
    days: Decimal = _ZERO
    breakdown: list[dict] = field(default_factory=list)


def day_parts(
    start_date: datetime.date, starts_afternoon: bool, end_date: datetime.date, ends_at_noon: bool
) -> list[tuple[datetime.date, str]]:
    """Each day of the request with the part it covers: ``full``, ``morning`` or ``afternoon``."""
    parts = []
    day = start_date
    while day <= end_date:
        morning = not (day == start_date and starts_afternoon)
        afternoon = not (day == end_date and ends_at_noon)
        if morning and afternoon:
            parts.append((day, "full"))
        elif morning or afternoon:
            parts.append((day, "morning" if morning else "afternoon"))
        day += datetime.timedelta(days=1)
    return parts


def count_days(
    *,
    counting: str,
    start_date: datetime.date,
    starts_afternoon: bool,
    end_date: datetime.date,
    ends_at_noon: bool,
    day_kind: Callable[[datetime.date], tuple[bool, str, str]],
) -> DayCount:
    """Days a request counts. ``day_kind(day)`` -> (is a working day, why, holiday name):
    the roster's answer, else the statutory calendar's. ``counting`` is ``working`` or
    ``calendar`` (maternity leave, LV-3)."""
    result = DayCount()
    for day, part in day_parts(start_date, starts_afternoon, end_date, ends_at_noon):
        share = _ONE if part == "full" else _HALF
        if counting == "calendar":
            counted, why, name = share, "calendar", ""
        else:
            working, why, name = day_kind(day)
            counted = share if working else _ZERO
        result.days += counted
        result.breakdown.append(
            {"date": day.isoformat(), "part": part, "counted": str(counted), "why": why, "name": name}
        )
    return result


def explain_day(item: dict) -> str:
    texts = {
        "calendar": _("calendar day (counts every day, LV-3)"),
        "roster_work": _("rostered work day"),
        "roster_rest": _("rostered rest day (not counted, LV-3)"),
        "roster_holiday": _("statutory holiday on the roster (not counted, LV-3)"),
        "workday": _("working day (statutory calendar)"),
        "weekend": _("weekend (not counted, LV-3)"),
        "holiday": _("statutory holiday %(name)s (not counted, LV-3)"),
        "makeup": _("make-up workday 调休 %(name)s (counted)"),
    }
    text = texts.get(item.get("why"), item.get("why", ""))
    try:
        return text % item
    except (KeyError, TypeError):
        return text


# --- Approval route (LV-4) ------------------------------------------------------------------------


def required_tier(days: Decimal, policy) -> tuple[str, dict]:
    """The authority a request of ``days`` needs (LV-4), with the explanation."""
    if days <= policy.approve_supervisor_max_days:
        tier = "supervisor"
    elif days <= policy.approve_manager_max_days:
        tier = "manager"
    else:
        tier = "leader"
    return tier, {
        "article": "LV-4",
        "days": str(days),
        "supervisor_max": str(policy.approve_supervisor_max_days),
        "manager_max": str(policy.approve_manager_max_days),
        "tier": tier,
        "direct": bool(policy.approval_direct),
    }


@dataclass
class RouteStep:
    tier: str
    approver_id: int
    decides: bool


def build_route(*, chain: list[tuple[str, int]], needed: str, direct: bool) -> list[RouteStep]:
    """The steps of a request from the reporting line ``chain`` [(tier, employee id), …], lowest
    first, without the requester themself (LV-4).

    Climb (default): every tier of the chain up to and including ``needed``. Direct: ``needed``
    alone. A tier missing from the chain (a team without a supervisor, the requester is the
    manager) is passed to the next tier above it; if nobody above is left the route is empty and
    the caller refuses the request. One person holding two tiers approves once, at the higher."""
    rank = {tier: n for n, tier in enumerate(TIERS)}
    needed_rank = rank[needed]
    available = [(tier, pk) for tier, pk in chain if tier in rank]
    decider = next(((tier, pk) for tier, pk in available if rank[tier] >= needed_rank), None)
    if decider is None:
        return []
    if direct:
        picked = [decider]
    else:
        picked = [(tier, pk) for tier, pk in available if rank[tier] < rank[decider[0]]] + [decider]
    steps: list[RouteStep] = []
    for tier, pk in picked:
        if steps and steps[-1].approver_id == pk:
            steps[-1] = RouteStep(tier=tier, approver_id=pk, decides=False)
        else:
            steps.append(RouteStep(tier=tier, approver_id=pk, decides=False))
    steps[-1].decides = True
    return steps


# --- Balances (LV-3) -----------------------------------------------------------------------------


def balance_available(*, entitled_days: Decimal, used_days: Decimal, pending_days: Decimal = _ZERO) -> Decimal:
    """Days a new request may still take from a balance (LV-3): entitled − used − the days held by
    pending requests. The one place this is computed (the quote, the balance summary, the API)."""
    return entitled_days - used_days - pending_days


# --- Entitlements (LV-3) --------------------------------------------------------------------------


def full_years_between(start: datetime.date, end: datetime.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(0, years)


# 企业职工带薪年休假实施办法 第五条: (当年度在本单位剩余日历天数 ÷ 365天) × 全年应当享受的年休假天数,
# also in a leap year; the part below one whole day is not granted.
PRO_RATA_YEAR_DAYS = 365

# The cumulative years worked at which the annual leave band changes (职工带薪年休假条例 第三条).
ANNUAL_MILESTONES = (1, 10, 20)


def annual_days_for_years(years: int, policy) -> tuple[int, str]:
    """(full-year annual leave days, band) for ``years`` of cumulative work (LV-3)."""
    if years < 1:
        return 0, "0-1"
    if years < 10:
        return policy.annual_days_under_10_years, "1-10"
    if years < 20:
        return policy.annual_days_10_to_20_years, "10-20"
    return policy.annual_days_20_years, "20+"


def _pro_rata(remaining: int, full: int) -> Decimal:
    return (Decimal(remaining) / Decimal(PRO_RATA_YEAR_DAYS) * Decimal(full)).to_integral_value(ROUND_FLOOR)


def annual_entitlement(
    *, first_employed_on: datetime.date, hire_date: datetime.date, year: int, policy
) -> tuple[Decimal, dict]:
    """Annual leave days of ``year`` (LV-3, 职工带薪年休假条例): by cumulative years worked,
    pro-rated for a joiner of that year."""
    jan1 = datetime.date(year, 1, 1)
    dec31 = datetime.date(year, 12, 31)
    reference = max(jan1, hire_date)
    years = full_years_between(first_employed_on, reference)
    detail = {"article": "LV-3", "year": year, "years_worked": years, "reference": reference.isoformat()}
    if hire_date > dec31:
        detail["rule"] = "not_yet_employed"
        return _ZERO, detail
    if years < 1:
        detail["rule"] = "under_one_year"
        return _ZERO, detail
    full, band = annual_days_for_years(years, policy)
    detail.update({"rule": "by_years", "band": band, "full_year_days": full})
    days = Decimal(full)
    if hire_date > jan1:
        remaining = (dec31 - hire_date).days + 1
        days = _pro_rata(remaining, full)
        detail.update({"rule": "pro_rata", "days_left": remaining, "days_in_year": PRO_RATA_YEAR_DAYS})
    detail["days"] = str(days)
    return days, detail


def anniversary_in(first_employed_on: datetime.date, year: int) -> datetime.date:
    """The day of ``year`` on which the full years worked since ``first_employed_on`` go up by
    one (as :func:`full_years_between` counts them): 29 February is reached on 1 March in a year
    without one."""
    try:
        return first_employed_on.replace(year=year)
    except ValueError:  # 29 February, not a leap year
        return datetime.date(year, 3, 1)


def annual_milestone(
    *, first_employed_on: datetime.date, hire_date: datetime.date, year: int, as_of: datetime.date, policy
) -> tuple[Decimal, dict] | None:
    """The annual leave a milestone reached during ``year`` adds (LV-3), or None.

    Milestones: the first 12 months of cumulative work, the 10th and the 20th year
    (职工带薪年休假条例 第三条). The entitlement judged on the reference day (1 January, or the
    hire day of a joiner) stays; the difference between the new band and the old one is granted
    pro rata from the day the milestone is reached to 31 December, ÷ 365, rounded down to whole
    days (企业职工带薪年休假实施办法 第五条, by analogy: the national texts do not settle the
    mid-year milestone; docs/leave.md). None when no milestone falls after the reference day and
    on or before ``as_of``, or the policy's band does not grow."""
    jan1 = datetime.date(year, 1, 1)
    dec31 = datetime.date(year, 12, 31)
    years = year - first_employed_on.year
    if years not in ANNUAL_MILESTONES:
        return None
    reached_on = anniversary_in(first_employed_on, year)
    reference = max(jan1, hire_date)
    if not (reference < reached_on <= min(as_of, dec31)):
        return None  # judged on the reference day already, or not reached yet
    before, _band = annual_days_for_years(years - 1, policy)
    after, band = annual_days_for_years(years, policy)
    if after <= before:
        return None
    remaining = (dec31 - reached_on).days + 1
    days = _pro_rata(remaining, after - before)
    return days, {
        "article": "LV-3",
        "rule": "milestone",
        "year": year,
        "milestone_years": years,
        "reached_on": reached_on.isoformat(),
        "band": band,
        "before_days": before,
        "after_days": after,
        "difference": after - before,
        "days_left": remaining,
        "days_in_year": PRO_RATA_YEAR_DAYS,
        "days": str(days),
    }


def explain_grant(detail: dict) -> str:
    rule = detail.get("rule")
    texts = {
        "not_yet_employed": _("Not employed yet in %(year)s."),
        "under_one_year": _(
            "Less than one year worked on %(reference)s (%(years_worked)s years): no annual leave yet (LV-3)."
        ),
        "by_years": _("%(years_worked)s years worked on %(reference)s: %(full_year_days)s days a year (LV-3)."),
        "pro_rata": _(
            "%(years_worked)s years worked: %(full_year_days)s days a year, joined this year: "
            "%(days_left)s of %(days_in_year)s days left → %(days)s days, rounded down (LV-3)."
        ),
        "hr_set": _("Set by HR: %(reason)s"),
        "milestone": _(
            "%(milestone_years)s years of cumulative work reached on %(reached_on)s: %(after_days)s days a year "
            "instead of %(before_days)s; the difference of %(difference)s days for the %(days_left)s of "
            "%(days_in_year)s days left → %(days)s more days, rounded down (LV-3)."
        ),
    }
    if rule == "milestone" and detail.get("milestone_years") == 1:
        texts["milestone"] = _(
            "First 12 months of cumulative work reached on %(reached_on)s: %(after_days)s days a year; "
            "for the %(days_left)s of %(days_in_year)s days left → %(days)s days, rounded down (LV-3)."
        )
    text = texts.get(rule, rule or "")
    with contextlib.suppress(KeyError, TypeError):
        text = text % detail
    # The milestones reached later in the year (LV-3), each a ledger entry, follow the grant.
    extra = [explain_grant(item) for item in detail.get("milestones", ())]
    return " ".join([text, *extra]) if extra else text


def per_request_limit(*, rule: str, policy, difficult_birth: bool, extra_babies: int) -> tuple[Decimal | None, dict]:
    """The statutory limit of one event leave (LV-3); ``None`` when the rule has none."""
    if rule == "marriage":
        days = Decimal(policy.marriage_days)
    elif rule == "paternity":
        days = Decimal(policy.paternity_days)
    elif rule == "bereavement":
        days = Decimal(policy.bereavement_days)
    elif rule == "maternity":
        days = Decimal(policy.maternity_days)
        if difficult_birth:
            days += policy.maternity_difficult_birth_days
        days += policy.maternity_extra_baby_days * max(0, extra_babies)
    else:
        return None, {}
    return days, {
        "article": "LV-3",
        "rule": rule,
        "limit": str(days),
        "difficult_birth": difficult_birth,
        "extra_babies": extra_babies,
    }
