"""``bench leave`` on a small database: it builds consistent bench data once, reuses it, and
leaves no trace of its timed writes (they are rolled back)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q

from attendance import selectors
from attendance.bench import leave as leave_bench
from attendance.models import LeaveApprovalStep, LeaveBalance, LeaveRequest, LeaveStatus, StepStatus
from callcenter.bench import BenchContext, bench_users
from datasecurity.models import AuditEvent
from datasecurity.selectors import audit_chain_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small(settings, tmp_path, monkeypatch):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monkeypatch.setattr(leave_bench, "MIN_REPEAT", 2)


def test_bench_leave_builds_its_data_once_and_rolls_back_its_writes():
    # given a small demo database
    call_command("seed_demo", employees=120, months=1, stdout=StringIO())
    # when the leave suite runs
    out = StringIO()
    call_command("bench", "leave", employees=120, repeat=2, stdout=out)
    text = out.getvalue()
    # then it reports the inbox selector and page, the services and the grant
    for needle in (
        "leave_inbox_rows, bench supervisor",
        "inbox page GET",
        "leave_quote",
        "leave_request_submit",
        "leave_request_approve",
        "leave_balance_grant_annual",
        "leave_request_list",
    ):
        assert needle in text, needle
    # and the bench requests are consistent: 4 per head, none overlapping (the exclusion
    # constraint held), each with its steps, exactly one pending step per pending request
    bench = LeaveRequest.objects.filter(reason__startswith=leave_bench.BENCH_REASON)
    assert bench.count() == 20_000 * 120 // 5000
    assert not bench.annotate(n=Count("steps")).filter(n=0).exists()
    pending = bench.filter(status=LeaveStatus.PENDING)
    assert pending.exists()
    assert not pending.annotate(n=Count("steps", filter=Q(steps__status=StepStatus.PENDING))).exclude(n=1).exists()
    assert (
        not LeaveApprovalStep.objects.filter(request__in=bench.exclude(status=LeaveStatus.PENDING))
        .filter(status__in=[StepStatus.PENDING, StepStatus.WAITING])
        .exists()
    )
    # and balances stay within the entitlement
    assert not LeaveBalance.objects.filter(used_days__gt=F("entitled_days")).exists()
    # and every bench-team member's pending request is in the bench supervisor's inbox
    team = leave_bench.bench_team(_ctx())
    members = team.members.filter(status="active").exclude(pk=team.supervisor_id).count()
    assert len(selectors.leave_inbox_rows(user=team.supervisor.user)) == members
    # when it runs again, then it reuses the data and its timed writes left nothing behind (the
    # daily grant with nothing to grant writes no audit event either)
    requests = LeaveRequest.objects.count()
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    again = StringIO()
    call_command("bench", "leave", employees=120, repeat=2, stdout=again)
    assert "reused" in again.getvalue()
    assert LeaveRequest.objects.count() == requests
    new = set(AuditEvent.objects.filter(pk__gt=last_event).values_list("action", flat=True))
    assert new == set()
    assert audit_chain_verify().ok


def _ctx():
    return BenchContext(employees=120, repeat=1, audit_events=1, users=bench_users())
