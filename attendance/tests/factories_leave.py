"""Factories and helpers for the leave tests (LV-1..LV-5)."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attendance.models import DayKind, LeaveBalance, LeaveType, RosterEntry, ShiftType

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def pdf(name="诊断证明.pdf", content_type="application/pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type=content_type)


def leave_type(code: str) -> LeaveType:
    """One of the regulation's types. Installed on demand: the data migration's rows are gone
    after a transactional test flushed the database."""
    from attendance.services import leave_types_defaults_install

    found = LeaveType.objects.filter(code=code).first()
    if found is None:
        leave_types_defaults_install()
        found = LeaveType.objects.get(code=code)
    return found


def next_monday(weeks_ahead: int = 1) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(7 - today.weekday()) + 7 * (weeks_ahead - 1))


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


def annual_balance(employee, year: int, entitled="5", used="0") -> LeaveBalance:
    return LeaveBalance.objects.create(
        employee=employee,
        leave_type=leave_type("annual"),
        year=year,
        entitled_days=Decimal(entitled),
        used_days=Decimal(used),
        detail={"rule": "by_years"},
    )
