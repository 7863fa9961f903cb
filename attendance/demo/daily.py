"""Demo attendance history for ``seed_demo --months M``: shift types, rosters, punches and the
computed days, for every employee in a team. Bulk inserts; reproducible from the seed."""

from __future__ import annotations

import datetime
import random

import chinese_calendar
from django.utils import timezone

from attendance.models import DayKind, Punch, PunchSource, RosterEntry, ShiftType
from attendance.rules import shift_window
from attendance.services import daily_attendance_compute_all, shift_types_defaults_install
from callcenter.demo import BATCH_SIZE, register_demo_seeder

__all__ = ["seed_attendance"]


def _is_workday(day: datetime.date) -> tuple[bool, bool]:
    """(workday, statutory holiday) from China's calendar; plain weekdays where it has no data."""
    try:
        return chinese_calendar.is_workday(day), chinese_calendar.is_holiday(day) and day.weekday() < 5
    except NotImplementedError:
        return day.weekday() < 5, False


def _punch_times(rng: random.Random, start: datetime.datetime, end: datetime.datetime) -> list[datetime.datetime]:
    """Mostly on time; some minor and a few major lateness, early leave, missing punches, absences."""
    roll = rng.random()
    if roll < 0.01:
        return []  # absent
    arrive = start - datetime.timedelta(minutes=rng.randint(1, 20), seconds=rng.randint(0, 59))
    leave = end + datetime.timedelta(minutes=rng.randint(0, 25), seconds=rng.randint(0, 59))
    if roll < 0.07:
        arrive = start + datetime.timedelta(minutes=rng.randint(1, 30))
    elif roll < 0.085:
        arrive = start + datetime.timedelta(minutes=rng.randint(31, 90))
    elif roll < 0.10:
        leave = end - datetime.timedelta(minutes=rng.randint(1, 40))
    if rng.random() < 0.02:
        return [arrive]  # forgot to clock out
    return [arrive, leave]


@register_demo_seeder(order=10)
def seed_attendance(rng: random.Random, employees, months: int, stdout) -> dict:
    """Shift types, rosters (the past months and the next two weeks), punches and computed days."""
    if months <= 0:
        return {}
    shift_types_defaults_install()
    shifts = {s.code: s for s in ShiftType.objects.filter(code__in=["D", "E", "N"])}
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    for _ in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    days = [first + datetime.timedelta(days=i) for i in range((today - first).days)]
    # The roster also covers today and the next two weeks (the board and the clock page use
    # it); punches and computed days exist only for the past.
    upcoming = [today + datetime.timedelta(days=i) for i in range(14)]
    calendar = {d: _is_workday(d) for d in days + upcoming}
    staff = [e for e in employees if e.team_id and e.status == "active"]
    # Most teams work days; every fifth team the evening shift, every tenth the night shift.
    team_shift = {}
    for e in staff:
        if e.team_id not in team_shift:
            n = len(team_shift)
            team_shift[e.team_id] = shifts["N"] if n % 10 == 9 else shifts["E"] if n % 5 == 4 else shifts["D"]
    roster, punches = [], []
    for e in staff:
        shift = team_shift[e.team_id]
        for day in days + upcoming:
            if day < e.hire_date:
                continue
            workday, holiday = calendar[day]
            if not workday:
                kind = DayKind.HOLIDAY if holiday else DayKind.REST
                roster.append(RosterEntry(employee=e, work_date=day, kind=kind, shift=None))
                continue
            roster.append(RosterEntry(employee=e, work_date=day, kind=DayKind.WORK, shift=shift))
            if day >= today:
                continue
            start, end = shift_window(day, shift, tz)
            for n, when in enumerate(_punch_times(rng, start, end)):
                punches.append(
                    Punch(
                        employee=e,
                        punched_at=when,
                        recorded_at=when,
                        source=PunchSource.WEB,
                        idempotency_key=f"demo:{e.pk}:{day.isoformat()}:{n}",
                        ip=f"10.0.{e.team_id % 250}.{rng.randint(2, 250)}",
                    )
                )
    RosterEntry.objects.bulk_create(roster, batch_size=BATCH_SIZE, ignore_conflicts=True)
    Punch.objects.bulk_create(punches, batch_size=BATCH_SIZE, ignore_conflicts=True)
    computed = 0
    for day in days:
        computed += daily_attendance_compute_all(work_date=day)["computed"]
    stdout.write(f"Attendance: {len(roster):,} roster days, {len(punches):,} punches, {computed:,} computed days.")
    return {"roster_days": len(roster), "punches": len(punches), "daily_records": computed}
