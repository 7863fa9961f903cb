"""Attendance periodic jobs (thin)."""

import datetime

from django.utils import timezone

from callcenter.jobs import periodic_job

from .services import daily_attendance_compute_all


@periodic_job("attendance-daily")
def attendance_daily_compute(work_date: str | None = None):
    """After midnight: compute the day before for everyone scheduled (idempotent upsert)."""
    day = datetime.date.fromisoformat(work_date) if work_date else timezone.localdate() - datetime.timedelta(days=1)
    result = daily_attendance_compute_all(work_date=day)
    return f"{result['date']}: {result['computed']} records"
