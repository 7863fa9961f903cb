"""Leave under real parallel connections (LV-4): one decision, one deduction, one audit event."""

from decimal import Decimal

import pytest
from django.utils import timezone

from attendance import services
from attendance.models import LeaveBalance, LeaveRequest, LeaveStatus
from attendance.tests.factories import annual_balance, leave_type, next_monday, roster_weeks
from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent


@pytest.fixture(autouse=True)
def _eager(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_one_wins(org):
    """Given a 1-day annual leave and two people entitled to decide it (the supervisor and the
    supervisor's delegate), when both approve at the same moment, then one wins, the other gets a
    conflict, the balance is deducted once and one approval is audited."""
    monday = next_monday()
    roster_weeks([org.agent], monday, 7)
    annual_balance(org.agent, monday.year, entitled="5")
    request = services.leave_request_submit(
        actor=org.agent.user, leave_type_id=leave_type("annual").pk, start_date=monday, end_date=monday
    )
    services.approval_delegation_create(
        actor=org.supervisor.user, delegate_id=org.peer.pk, start_date=timezone.localdate(), end_date=monday
    )
    outcomes = run_parallel(
        [
            lambda: services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk),
            lambda: services.leave_request_approve(actor=org.peer.user, leave_request_id=request.pk),
        ]
    )
    assert outcomes == ["not_pending", "ok"]
    assert LeaveRequest.objects.get(pk=request.pk).status == LeaveStatus.APPROVED
    assert LeaveBalance.objects.get(employee=org.agent).used_days == Decimal("1")
    assert AuditEvent.objects.filter(action="leave_request.approve", object_id=str(request.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_submissions_at_once_one_is_filed(org):
    """Given two tabs submitting overlapping leave at the same moment, then one request is filed
    and the other is refused as an overlap (the employee row lock, then the exclusion constraint)."""
    monday = next_monday()
    roster_weeks([org.agent], monday, 7)
    marriage = leave_type("marriage")

    def file():
        services.leave_request_submit(
            actor=org.agent.user,
            leave_type_id=marriage.pk,
            start_date=monday,
            end_date=monday,
        )

    outcomes = run_parallel([file, file])
    assert outcomes == ["ok", "overlap"]
    assert LeaveRequest.objects.filter(employee=org.agent).count() == 1
