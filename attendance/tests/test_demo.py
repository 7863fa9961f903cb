"""The attendance demo history (``seed_demo --months``), the demo leave, and ``bench attendance``."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from attendance import selectors
from attendance.models import (
    DailyAttendance,
    LeaveBalance,
    LeaveCertificate,
    LeaveRequest,
    LeaveStatus,
    Punch,
    RosterEntry,
    StepStatus,
)
from callcenter.models import Employee, Notification, User
from datasecurity.models import AuditEvent
from datasecurity.selectors import audit_chain_verify
from datasecurity.services import private_storage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # The demo's sick leave carries a hospital certificate, written to private storage.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_seed_with_one_month_of_history_then_the_attendance_bench():
    """The demo seeded with a month of history (40 employees): its attendance, its leave, then
    ``bench attendance`` on it. One seed, the module's slowest step, for what were three tests that
    each seeded the same demo; each part's checks are below, unchanged."""
    # given an empty database; when the demo is seeded with one month of history
    out = StringIO()
    call_command("seed_demo", employees=40, months=1, stdout=out)
    # then the attendance history is there, and the leave balances and requests
    _then_one_month_of_attendance_history(out)
    _then_balances_and_leave_requests_through_the_services(out)
    # and when `bench attendance` runs on it, then it reports its measurements
    bench = StringIO()
    call_command("bench", "attendance", employees=40, repeat=1, stdout=bench)
    text = bench.getvalue()
    assert "daily_attendance_compute_all" in text and "monthly summary page (50), hr" in text


def _then_one_month_of_attendance_history(out):
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


def _then_balances_and_leave_requests_through_the_services(out):
    today = timezone.localdate()
    # then every active employee has this year's annual balance (LV-3)
    active = Employee.objects.filter(status="active").count()
    assert LeaveBalance.objects.filter(year=today.year, leave_type__code="annual").count() == active
    # and the demo team has requests in every state, each filed and decided through the services
    requests = LeaveRequest.objects.select_related("employee__team__supervisor__user", "leave_type")
    statuses = set(requests.values_list("status", flat=True))
    assert {LeaveStatus.PENDING, LeaveStatus.APPROVED, LeaveStatus.REJECTED, LeaveStatus.WITHDRAWN} <= statuses
    assert {r.employee.team.supervisor.user.username for r in requests} == {"supervisor"}
    submitted = AuditEvent.objects.filter(action="leave_request.submit").count()
    assert submitted == requests.count() >= 10
    assert AuditEvent.objects.filter(action="leave_request.reject").count() == 1
    assert AuditEvent.objects.filter(action="leave_request.withdraw").count() == 1
    # and the supervisor's inbox holds several pending requests, the manager's a two-day one the
    # supervisor already approved (LV-4: the route climbs)
    supervisor, manager = User.objects.get(username="supervisor"), User.objects.get(username="manager")
    assert len(selectors.leave_inbox_rows(user=supervisor)) >= 4
    manager_rows = selectors.leave_inbox_rows(user=manager)
    assert manager_rows
    assert all(row.request.days >= 2 for row in manager_rows)
    assert all(row.steps[0].status == StepStatus.APPROVED for row in manager_rows)
    assert Notification.objects.filter(recipient=supervisor, kind="leave.to_decide").exists()
    # and past approved leave shows in attendance as on leave (the approval recomputed the days)
    past = requests.filter(status=LeaveStatus.APPROVED, end_date__lt=today)
    assert past.exists()
    for request in past:
        assert DailyAttendance.objects.filter(
            employee=request.employee, work_date__range=(request.start_date, request.end_date), status="on_leave"
        ).exists()
    # and the agent has their own requests, the sick leave a PDF certificate
    assert requests.filter(employee__user__username="agent").count() >= 2
    certificates = LeaveCertificate.objects.filter(request__leave_type__code="sick")
    assert certificates.exists()
    for certificate in certificates:
        with private_storage().open(certificate.path) as stored:
            assert stored.read().startswith(b"%PDF-")
    # and no request of the plan was skipped; the audit chain holds
    assert "leave_skipped" not in out.getvalue() and "Leave:" in out.getvalue()
    assert audit_chain_verify().ok


def test_seed_without_history_leaves_leave_alone():
    # given `seed_demo --months 0` (the org only); then no balances and no requests
    call_command("seed_demo", employees=40, months=0, stdout=StringIO())
    assert not LeaveBalance.objects.exists() and not LeaveRequest.objects.exists()
