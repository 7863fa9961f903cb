"""Factories and helpers for shift types and the roster (ATT-1)."""

import datetime

import factory
from django.utils import timezone

from attendance.models import DayKind, RosterEntry, ShiftType
from callcenter.tests.factories import EmployeeFactory

__all__ = ["RosterEntryFactory", "ShiftTypeFactory", "day_shift", "night_shift", "roster_weeks"]


class ShiftTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShiftType
        django_get_or_create = ("code",)

    code = "DAY"
    name = "白班"
    start_time = datetime.time(9, 0)
    end_time = datetime.time(18, 0)
    break_minutes = 60


def night_shift():
    return ShiftTypeFactory(code="NIGHT", name="夜班", start_time=datetime.time(22, 0), end_time=datetime.time(7, 0))


class RosterEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RosterEntry

    employee = factory.SubFactory(EmployeeFactory)
    work_date = factory.LazyFunction(timezone.localdate)
    kind = DayKind.WORK
    shift = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == DayKind.WORK), factory.SubFactory(ShiftTypeFactory), None
    )


def day_shift() -> ShiftType:
    shift, _ = ShiftType.objects.get_or_create(
        code="D",
        defaults={
            "name": "白班",
            "start_time": datetime.time(9, 0),
            "end_time": datetime.time(18, 0),
            "break_minutes": 60,
        },
    )
    return shift


def roster_weeks(employees, start: datetime.date, days: int, shift: ShiftType | None = None):
    """Monday–Friday work, weekends rest, for ``days`` days from ``start`` (independent of the
    statutory calendar, so tests do not depend on the year)."""
    shift = shift or day_shift()
    rows = []
    for employee in employees:
        for n in range(days):
            day = start + datetime.timedelta(days=n)
            work = day.weekday() < 5
            rows.append(
                RosterEntry(
                    employee=employee,
                    work_date=day,
                    kind=DayKind.WORK if work else DayKind.REST,
                    shift=shift if work else None,
                )
            )
    RosterEntry.objects.bulk_create(rows, ignore_conflicts=True)
    return shift
