"""Mandatory courses (TRN-1, TRN-3; SEC-3's yearly awareness course): an employee's deadline,
whether it is satisfied, due or overdue, and which reminder stage a day is in. Pure functions:
policy values and records come in as arguments.

- **After hire** (the induction, TRN-1): the hire date + N days (the course's days, else the
  policy's ``new_hire_days``); any pass of the course since the hire date satisfies it.
- **Yearly** (SEC-3: every year for everyone): the year's month-day (29 February is 28 February
  in a common year); a pass in that calendar year satisfies it. Someone hired after the year's
  deadline gets the new-hire days from their hire date instead (nobody is overdue on the day
  they join).
- **Fixed date**: any pass satisfies it (when it came decides whether it was late).

A pass *after* the deadline satisfies the obligation (done), but it was missed by its deadline: the
appraisal's training indicator deducts a missed course in the month of its deadline (TRN-3).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ComplianceState",
    "Obligation",
    "compliance_percent",
    "compliance_state",
    "in_audience",
    "mandatory_deadline",
    "passed_in_window",
    "reminder_stage",
    "yearly_date",
]


class ComplianceState:
    DONE = "done"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Obligation:
    """One employee's obligation under one mandatory course: the deadline, and the window a pass
    must fall in (``window_start`` inclusive; None: any time)."""

    deadline: datetime.date
    window_start: datetime.date | None
    window_end: datetime.date | None  # inclusive; None: open


def yearly_date(year: int, month: int, day: int) -> datetime.date:
    """``month``-``day`` of ``year``; a day past the month's end (29 February in a common year,
    31 April) is the month's last day."""
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def mandatory_deadline(
    *,
    kind: str,
    hire_date: datetime.date,
    today: datetime.date,
    new_hire_days: int,
    days_after_hire: int | None = None,
    yearly_month: int | None = None,
    yearly_day: int | None = None,
    fixed_date: datetime.date | None = None,
) -> Obligation:
    """The obligation in force on ``today`` for an employee hired on ``hire_date`` (TRN-1, SEC-3)."""
    if kind == "after_hire":
        days = days_after_hire or new_hire_days
        return Obligation(hire_date + datetime.timedelta(days=days), hire_date, None)
    if kind == "yearly":
        year = today.year
        deadline = yearly_date(year, yearly_month, yearly_day)
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        if hire_date > deadline:  # joined after this year's deadline: the new-hire days instead
            deadline = min(hire_date + datetime.timedelta(days=new_hire_days), end)
            deadline = max(deadline, hire_date)
        return Obligation(deadline, start, end)
    if kind == "fixed":
        return Obligation(fixed_date, None, None)
    raise ValueError(f"unknown deadline kind {kind!r}")


def passed_in_window(obligation: Obligation, passes: Iterable[datetime.date]) -> datetime.date | None:
    """The first pass that satisfies ``obligation`` (None: not satisfied)."""
    found = [
        day
        for day in passes
        if (obligation.window_start is None or day >= obligation.window_start)
        and (obligation.window_end is None or day <= obligation.window_end)
    ]
    return min(found) if found else None


def compliance_state(*, deadline: datetime.date, passed_on: datetime.date | None, today: datetime.date) -> str:
    """done (a pass in the window, whenever), due (not yet, the deadline is today or later), or
    overdue (not passed and the deadline is behind us). The deadline day itself is still due."""
    if passed_on is not None:
        return ComplianceState.DONE
    return ComplianceState.OVERDUE if today > deadline else ComplianceState.DUE


def reminder_stage(*, deadline: datetime.date, today: datetime.date, days_before: int) -> str | None:
    """Which reminder (TRN-3) a not-yet-satisfied obligation is in on ``today``: ``before`` from
    ``days_before`` days ahead until the day before, ``due`` on the day, ``overdue`` after it;
    None earlier than that."""
    if today > deadline:
        return "overdue"
    if today == deadline:
        return "due"
    if today >= deadline - datetime.timedelta(days=days_before):
        return "before"
    return None


def in_audience(
    *,
    kind: str,
    employee_id: int,
    position_id: int | None,
    team_id: int | None,
    hire_date: datetime.date,
    applies_from: datetime.date,
    positions: frozenset[int] | set[int],
    teams: frozenset[int] | set[int],
    people: frozenset[int] | set[int],
) -> bool:
    """Whether an active employee is in a mandatory course's audience (TRN-1). New hires are those
    hired on or after the rule's ``applies_from``: they stay in it until they have passed, so an
    induction missed by its deadline stays overdue instead of ageing out of the audience."""
    if kind == "everyone":
        return True
    if kind == "new_hires":
        return hire_date >= applies_from
    if kind == "positions":
        return position_id in positions
    if kind == "teams":
        return team_id in teams
    if kind == "people":
        return employee_id in people
    return False


def compliance_percent(*, done: int, due: int, overdue: int) -> int | None:
    """Share of obligations not in breach (done, or still in time), in whole percent, rounded
    down; None when nobody has an obligation."""
    total = done + due + overdue
    if not total:
        return None
    return (done + due) * 100 // total
