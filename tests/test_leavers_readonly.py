"""GEN-2: a leaver's history stays, read-only. After the deactivation nothing new is written for
them — no punch, no punch correction, no leave request, no roster, no balance change, no complaint
naming them as concerned — while their records stay visible to those whose remit covers them."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from attendance import services as attendance_services
from attendance.tests.factories import leave_type, next_monday
from callcenter import selectors, services
from callcenter.errors import ApplicationError
from complaints.tests.factories import complaint_recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def left(org):
    """The agent, who left yesterday after their leaving was set and carried out by the job."""
    today = timezone.localdate()
    services.employee_leave_schedule(
        actor=org.hr.user,
        employee_id=org.agent.pk,
        last_working_day=today - datetime.timedelta(days=1),
        reason="resignation",
        today=today - datetime.timedelta(days=1),
    )
    services.leavers_deactivate_due(today=today)
    org.agent.refresh_from_db()
    assert org.agent.status == "left"
    return org.agent


REFUSALS = {
    "punch": lambda org, me: attendance_services.punch_record(actor=me.user, idempotency_key="k-1"),
    "punch_correction": lambda org, me: attendance_services.punch_correction_submit(
        actor=me.user,
        work_date=timezone.localdate() - datetime.timedelta(days=2),
        requested_time=timezone.now() - datetime.timedelta(days=2),
        reason="忘记打卡了，请帮忙补录",
    ),
    "leave_request": lambda org, me: attendance_services.leave_request_submit(
        actor=me.user,
        leave_type_id=leave_type("personal").pk,
        start_date=next_monday(),
        end_date=next_monday(),
        reason="家中有事需要处理",
    ),
    "roster": lambda org, me: attendance_services.roster_assign(
        actor=org.supervisor.user,
        employee_ids=[me.pk],
        date_from=next_monday(),
        date_to=next_monday(),
        pattern={},
    ),
    "leave_balance": lambda org, me: attendance_services.leave_balance_set(
        actor=org.hr.user,
        employee_id=me.pk,
        leave_type_id=leave_type("annual").pk,
        year=timezone.localdate().year,
        entitled_days=Decimal("10"),
        reason="离职前余额更正",
    ),
    "complaint_concerned": lambda org, me: complaint_recorded(org, by=org.peer, concerned_employee_ids=[me.pk]),
}


CODES = {
    "punch": "employee_inactive",
    "punch_correction": "employee_inactive",
    "leave_request": "not_an_employee",
    "roster": "employee_left",
    "leave_balance": "employee_left",
    "complaint_concerned": "invalid",  # "choose active employees"
}


@pytest.mark.parametrize("what", sorted(REFUSALS))
def test_gen2_nothing_new_for_a_leaver(org, left, what):
    attendance_services.shift_types_defaults_install()
    with pytest.raises(ApplicationError) as exc:
        REFUSALS[what](org, left)
    assert exc.value.code == CODES[what], exc.value.message


def test_gen2_history_stays_visible_to_the_remit(org, left):
    """The leaver's employee record and history remain readable by their supervisor and HR, not by
    another department."""
    for who in ("supervisor", "manager", "hr"):
        assert selectors.employee_get(user=getattr(org, who).user, pk=left.pk) == left
        assert [e.kind for e in selectors.employment_history(user=getattr(org, who).user, employee_id=left.pk)] == [
            "leave"
        ]
    assert not selectors.employee_list(user=org.other_dept.user, filters={"status": "all"}).filter(pk=left.pk)
    # searchable among those who left
    found = selectors.employee_list(user=org.hr.user, filters={"status": "left", "q": left.employee_no})
    assert list(found) == [left]
