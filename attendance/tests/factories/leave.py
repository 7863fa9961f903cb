"""Factories and helpers for the leave tests (LV-1..LV-5)."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attendance.models import LeaveBalance, LeaveType
from attendance.services import leave_types_defaults_install

__all__ = ["EXE_BYTES", "PDF_BYTES", "PNG_BYTES", "annual_balance", "leave_type", "next_monday", "pdf"]

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def pdf(name="诊断证明.pdf", content_type="application/pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type=content_type)


def leave_type(code: str) -> LeaveType:
    """One of the regulation's types. Installed on demand: the data migration's rows are gone
    after a transactional test flushed the database."""
    found = LeaveType.objects.filter(code=code).first()
    if found is None:
        leave_types_defaults_install()
        found = LeaveType.objects.get(code=code)
    return found


def next_monday(weeks_ahead: int = 1) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(7 - today.weekday()) + 7 * (weeks_ahead - 1))


def annual_balance(employee, year: int, entitled="5", used="0") -> LeaveBalance:
    return LeaveBalance.objects.create(
        employee=employee,
        leave_type=leave_type("annual"),
        year=year,
        entitled_days=Decimal(entitled),
        used_days=Decimal(used),
        detail={"rule": "by_years"},
    )
