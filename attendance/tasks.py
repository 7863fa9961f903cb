"""Attendance periodic jobs (thin)."""

import datetime

from django.utils import timezone

from attendance.services import daily_attendance_compute_all, leave_balance_grant_annual
from callcenter.jobs import periodic_job


@periodic_job("attendance-daily")
def attendance_daily_compute(work_date: str | None = None):
    """After midnight: compute the day before for everyone scheduled (idempotent upsert)."""
    day = datetime.date.fromisoformat(work_date) if work_date else timezone.localdate() - datetime.timedelta(days=1)
    result = daily_attendance_compute_all(work_date=day)
    return f"{result['date']}: {result['computed']} records"


@periodic_job("leave-annual-grant")
def leave_annual_grant(year: int | None = None):
    """Daily: grant this year's annual leave to whoever has none yet (LV-3). Daily rather than
    yearly so a joiner entered today gets their pro-rated days tomorrow; on 1 January it grants
    the new year. It also adds, once, what a milestone of cumulative work reached since adds
    (the first 12 months, the 10th or the 20th year, pro rata, LV-3). Idempotent: existing
    balances (and HR's adjustments) are otherwise never touched."""
    result = leave_balance_grant_annual(year=year or timezone.localdate().year)
    return f"{result['year']}: {result['granted']} balances granted, {result['raised']} raised at a milestone"
