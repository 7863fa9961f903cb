"""The attendance demo history (``seed_demo --months``) and ``bench attendance``."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from attendance.models import DailyAttendance, Punch, RosterEntry
from datasecurity.audit import audit_chain_verify

pytestmark = pytest.mark.django_db


def test_seed_with_one_month_of_attendance_history():
    # given an empty database; when the demo is seeded with one month of history
    out = StringIO()
    call_command("seed_demo", employees=40, months=1, stdout=out)
    # then team members have roster days, punches and computed days, and the audit chain holds
    assert RosterEntry.objects.exists() and Punch.objects.exists()
    today = timezone.localdate()
    past = RosterEntry.objects.filter(employee__status="active", work_date__lt=today)
    assert DailyAttendance.objects.count() == past.count()
    # and the roster reaches two weeks ahead (board, clock page), without punches in the future
    assert RosterEntry.objects.filter(work_date=today + datetime.timedelta(days=13)).exists()
    assert not Punch.objects.filter(punched_at__date__gte=today + datetime.timedelta(days=1)).exists()
    statuses = set(DailyAttendance.objects.values_list("status", flat=True))
    assert {"normal", "rest"} <= statuses
    assert "Attendance:" in out.getvalue()
    assert audit_chain_verify().ok


def test_bench_attendance_runs():
    call_command("seed_demo", employees=40, months=1, stdout=StringIO())
    out = StringIO()
    call_command("bench", "attendance", employees=40, repeat=1, stdout=out)
    text = out.getvalue()
    assert "daily_attendance_compute_all" in text and "monthly summary page (50), hr" in text
