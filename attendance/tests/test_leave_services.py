"""Leave services (ATT-3, LV-1..LV-5): submit, route, approve, refuse, withdraw, revoke, balances."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from attendance import selectors, services
from attendance.models import (
    DailyAttendance,
    LeaveApprovalStep,
    LeaveBalance,
    LeaveCertificate,
    LeavePolicy,
    LeaveRequest,
    LeaveStatus,
    StepStatus,
)
from attendance.tests.factories import (
    EXE_BYTES,
    annual_balance,
    leave_type,
    next_monday,
    pdf,
    roster_weeks,
)
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Notification, User
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

D = Decimal


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def monday(org):
    day = next_monday()
    roster_weeks([org.agent, org.peer, org.supervisor, org.manager, org.leader], day - datetime.timedelta(days=14), 35)
    return day


def submit(org, employee=None, code="annual", start=None, days=1, **kw):
    employee = employee or org.agent
    start = start or next_monday()
    end = start + datetime.timedelta(days=max(0, int(D(days) + D("0.5")) - 1))
    kw.setdefault("ends_at_noon", D(days) % 1 != 0)
    if code == "sick":
        kw.setdefault("certificates", [pdf()])
    if code == "personal":
        kw.setdefault("reason", "家里有事需要处理")
        kw.setdefault("expected_days", D(days))
    return services.leave_request_submit(
        actor=employee.user, leave_type_id=leave_type(code).pk, start_date=start, end_date=end, **kw
    )


def tiers(request):
    return [(s.tier, s.approver.user.username, s.status) for s in request.steps.order_by("order")]


# --- Routing at the boundaries (LV-4) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "route"),
    [
        ("1", ["supervisor"]),
        ("1.5", ["supervisor", "manager"]),
        ("3", ["supervisor", "manager"]),
        ("3.5", ["supervisor", "manager", "leader"]),
    ],
)
def test_route_by_length_default_policy(org, monday, days, route):
    annual_balance(org.agent, monday.year, entitled="10")
    request = submit(org, start=monday, days=days)
    assert request.days == D(days)
    assert [t for t, _u, _s in tiers(request)] == route
    assert request.route["article"] == "LV-4"
    assert [s["decides"] for s in request.route["steps"]] == [False] * (len(route) - 1) + [True]
    assert tiers(request)[0][2] == StepStatus.PENDING


def test_route_under_changed_and_direct_policy(org, monday):
    """Given HR's version with 2 / 5 days and the direct switch, a 3-day request goes to the
    department manager alone."""
    LeavePolicy.objects.create(
        effective_from=monday - datetime.timedelta(days=30),
        approve_supervisor_max_days=D("2"),
        approve_manager_max_days=D("5"),
        approval_direct=True,
    )
    annual_balance(org.agent, monday.year, entitled="10")
    request = submit(org, start=monday, days="3")
    assert tiers(request) == [("manager", "manager", StepStatus.PENDING)]
    two = submit(org, start=monday + datetime.timedelta(days=7), days="2")
    assert [t for t, _u, _s in tiers(two)] == ["supervisor"]


# --- The journey: sick leave over two tiers ----------------------------------------------------


def test_two_day_sick_leave_supervisor_then_manager(org, monday):
    request = submit(org, code="sick", start=monday, days="2")
    assert request.certificates.count() == 1
    assert Notification.objects.filter(recipient=org.supervisor.user, kind="leave.to_decide").exists()
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk, comment="早日康复")
    request.refresh_from_db()
    assert request.status == LeaveStatus.PENDING and request.current_step == 1
    assert Notification.objects.filter(recipient=org.manager.user, kind="leave.to_decide").exists()
    services.leave_request_approve(actor=org.manager.user, leave_request_id=request.pk)
    request.refresh_from_db()
    assert request.status == LeaveStatus.APPROVED
    assert [s for _t, _u, s in tiers(request)] == [StepStatus.APPROVED, StepStatus.APPROVED]
    assert Notification.objects.filter(recipient=org.agent.user, kind="leave.approved").exists()


def test_annual_leave_deducts_the_balance_once_on_final_approval(org, monday):
    balance = annual_balance(org.agent, monday.year, entitled="5")
    request = submit(org, start=monday, days="2")
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    balance.refresh_from_db()
    assert balance.used_days == 0
    services.leave_request_approve(actor=org.manager.user, leave_request_id=request.pk)
    balance.refresh_from_db()
    assert balance.used_days == D("2")
    services.leave_request_revoke(actor=org.hr.user, leave_request_id=request.pk, reason="员工提前返岗")
    balance.refresh_from_db()
    assert balance.used_days == 0


def test_balance_never_goes_below_zero(org, monday):
    annual_balance(org.agent, monday.year, entitled="1")
    with pytest.raises(ApplicationError) as exc:
        submit(org, start=monday, days="2")
    assert "1" in str(exc.value.message)
    assert LeaveRequest.objects.count() == 0
    balance = LeaveBalance.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaveBalance.objects.filter(pk=balance.pk).update(used_days=D("1.5"))


def test_pending_requests_hold_their_days(org, monday):
    annual_balance(org.agent, monday.year, entitled="3")
    submit(org, start=monday, days="2")
    with pytest.raises(ApplicationError, match="1"):
        submit(org, start=monday + datetime.timedelta(days=7), days="2")


# --- Refusals: each with a clear error and nothing changed ------------------------------------


def _unchanged(request, *, audit_before):
    fresh = LeaveRequest.objects.get(pk=request.pk)
    assert AuditEvent.objects.count() == audit_before
    return fresh


def test_no_skipping_a_tier(org, monday):
    request = submit(org, code="sick", start=monday, days="2")
    before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.leave_request_approve(actor=org.manager.user, leave_request_id=request.pk)
    assert exc.value.code == "not_your_turn"
    fresh = _unchanged(request, audit_before=before)
    assert fresh.status == LeaveStatus.PENDING and fresh.current_step == 0


def test_no_approving_twice(org, monday):
    request = submit(org, code="sick", start=monday, days="2")
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    assert exc.value.code == "already_decided"
    _unchanged(request, audit_before=before)


def test_no_approving_a_withdrawn_request(org, monday):
    request = submit(org, code="sick", start=monday, days="1")
    services.leave_request_withdraw(actor=org.agent.user, leave_request_id=request.pk)
    before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as exc:
        services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    assert exc.value.code == "not_pending"
    assert _unchanged(request, audit_before=before).status == LeaveStatus.WITHDRAWN


def test_no_acting_on_another_teams_request(org, monday):
    """The supervisor of team A2 (someone else) cannot even see a request of team A1."""

    a2_boss = f.EmployeeFactory(user=f.UserFactory(username="a2boss", roles=["supervisor"]), team=org.a2)
    org.a2.supervisor = a2_boss
    org.a2.save()
    request = submit(org, code="sick", start=monday, days="1")
    before = AuditEvent.objects.count()
    with pytest.raises(NotFoundError):
        services.leave_request_approve(actor=a2_boss.user, leave_request_id=request.pk)
    with pytest.raises(NotFoundError):
        services.leave_request_reject(actor=org.other_dept.user, leave_request_id=request.pk, comment="不行")
    _unchanged(request, audit_before=before)


def test_no_self_approval_even_as_own_supervisor(org, monday):
    """Given the supervisor files their own leave, the route starts above them; and as their own
    approver's delegate they still cannot decide it."""
    request = submit(org, employee=org.supervisor, code="sick", start=monday, days="1")
    assert tiers(request) == [("manager", "manager", StepStatus.PENDING)]
    services.approval_delegation_create(
        actor=org.manager.user, delegate_id=org.supervisor.pk, start_date=timezone.localdate(), end_date=monday
    )
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError) as exc:
        services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    assert exc.value.code == "own_record"  # SEC-2's one rule (callcenter.duties); was self_approval
    _unchanged(request, audit_before=before)


def test_requester_cannot_approve_and_others_cannot_withdraw(org, monday):
    request = submit(org, code="sick", start=monday, days="1")
    with pytest.raises(PermissionDeniedError):
        services.leave_request_approve(actor=org.agent.user, leave_request_id=request.pk)
    with pytest.raises(PermissionDeniedError):
        services.leave_request_withdraw(actor=org.supervisor.user, leave_request_id=request.pk)


def test_reject_needs_a_comment_and_ends_the_route(org, monday):
    request = submit(org, code="sick", start=monday, days="2")
    with pytest.raises(ApplicationError):
        services.leave_request_reject(actor=org.supervisor.user, leave_request_id=request.pk, comment=" ")
    services.leave_request_reject(actor=org.supervisor.user, leave_request_id=request.pk, comment="人手不足")
    request.refresh_from_db()
    assert request.status == LeaveStatus.REJECTED
    assert [s for _t, _u, s in tiers(request)] == [StepStatus.REJECTED, StepStatus.CANCELLED]


def test_only_hr_revokes_and_only_approved(org, monday):
    request = submit(org, code="sick", start=monday, days="1")
    with pytest.raises(ApplicationError):
        services.leave_request_revoke(actor=org.hr.user, leave_request_id=request.pk, reason="不再需要了")
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    with pytest.raises(PermissionDeniedError):
        services.leave_request_revoke(actor=org.manager.user, leave_request_id=request.pk, reason="不再需要了")
    services.leave_request_revoke(actor=org.hr.user, leave_request_id=request.pk, reason="不再需要了")
    request.refresh_from_db()
    assert request.status == LeaveStatus.REVOKED and request.revoked_by == org.hr.user


# --- LV-2: what each type needs ----------------------------------------------------------------


def test_sick_leave_needs_a_certificate(org, monday):
    with pytest.raises(ApplicationError) as exc:
        submit(org, code="sick", start=monday, days="1", certificates=[])
    assert exc.value.code == "certificate_required"


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: pdf(name="证明.pdf", data=EXE_BYTES), "certificate_type"),  # a renamed executable
        (lambda: pdf(data=b"%PDF-1.4" + b"0" * (5 * 1024 * 1024)), "certificate_too_large"),
        (lambda: pdf(content_type="image/png"), "certificate_type_mismatch"),  # a PDF sent as PNG
    ],
)
def test_certificate_checks_refuse_and_change_nothing(org, monday, settings, upload, code):
    with pytest.raises(ApplicationError) as exc:
        submit(org, code="sick", start=monday, days="1", certificates=[upload()])
    assert exc.value.code == code
    assert LeaveRequest.objects.count() == 0 and LeaveCertificate.objects.count() == 0
    root = settings.PRIVATE_MEDIA_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


def test_certificate_stored_outside_public_media(org, monday, settings):
    request = submit(org, code="sick", start=monday, days="1")
    certificate = request.certificates.get()
    stored = settings.PRIVATE_MEDIA_ROOT / certificate.path
    assert stored.read_bytes().startswith(b"%PDF-")
    assert str(settings.MEDIA_ROOT) not in str(stored)
    assert certificate.content_type == "application/pdf" and len(certificate.sha256) == 64


def test_a_refused_request_removes_its_uploaded_files(org, monday, settings):
    submit(org, code="sick", start=monday, days="1")
    with pytest.raises(ApplicationError):  # overlaps the first
        submit(org, code="sick", start=monday, days="1")
    assert LeaveCertificate.objects.count() == 1
    assert len([p for p in settings.PRIVATE_MEDIA_ROOT.rglob("*") if p.is_file()]) == 1


def test_personal_leave_needs_reason_expected_days_and_notice(org, monday):
    with pytest.raises(ApplicationError) as exc:
        submit(org, code="personal", start=monday, days="1", reason="")
    assert exc.value.code == "reason_required"
    with pytest.raises(ApplicationError) as exc:
        submit(org, code="personal", start=monday, days="1", expected_days=None)
    assert exc.value.code == "expected_days_required"
    with pytest.raises(ApplicationError) as exc:
        submit(org, code="personal", start=timezone.localdate(), days="1")
    assert exc.value.code == "not_in_advance"
    assert LeaveRequest.objects.count() == 0


def test_annual_leave_cannot_be_backdated_but_sick_leave_can(org, monday):
    # a working day in the past (three days back is a weekend on Mondays and Tuesdays: 0 days)
    past = timezone.localdate() - datetime.timedelta(days=3)
    while past.weekday() >= 5:
        past -= datetime.timedelta(days=1)
    roster_weeks([org.agent], past - datetime.timedelta(days=3), 10)
    annual_balance(org.agent, past.year)
    with pytest.raises(ApplicationError) as exc:
        submit(org, start=past, days="1")
    assert exc.value.code == "in_the_past"
    submit(org, code="sick", start=past, days="1")


def test_marriage_leave_limit_from_policy(org, monday):
    with pytest.raises(ApplicationError, match="3"):
        submit(org, code="marriage", start=monday, days="4")
    assert submit(org, code="marriage", start=monday, days="3").days == D("3")


# --- Overlaps: refused by the service and by the database -------------------------------------


def test_overlap_refused_but_morning_and_afternoon_fit(org, monday):
    annual_balance(org.agent, monday.year, entitled="5")
    submit(org, start=monday, days="0.5")  # Monday morning
    with pytest.raises(ApplicationError) as exc:
        submit(org, start=monday, days="1")
    assert exc.value.code == "overlap"
    afternoon = submit(org, code="sick", start=monday, days="1", starts_afternoon=True)
    assert afternoon.days == D("0.5")


def test_database_refuses_overlapping_requests(org, monday):
    first = submit(org, code="sick", start=monday, days="2")
    clone = LeaveRequest(
        employee=org.agent,
        leave_type=first.leave_type,
        start_date=monday + datetime.timedelta(days=1),
        end_date=monday + datetime.timedelta(days=1),
        days=D("1"),
    )
    clone.set_span()
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    # A withdrawn request frees its days.
    services.leave_request_withdraw(actor=org.agent.user, leave_request_id=first.pk)
    clone.save()


# --- Delegation ---------------------------------------------------------------------------------


def test_delegate_approves_during_the_period_only(org, monday):
    request = submit(org, code="sick", start=monday, days="1")
    delegation = services.approval_delegation_create(
        actor=org.supervisor.user, delegate_id=org.peer.pk, start_date=timezone.localdate(), end_date=monday
    )
    assert Notification.objects.filter(recipient=org.peer.user, kind="leave.delegation").exists()
    assert request in selectors.leave_inbox(user=org.peer.user)
    services.approval_delegation_cancel(actor=org.supervisor.user, delegation_id=delegation.pk)
    # the next request (a fresh user object: delegations are cached per request)

    assert request not in selectors.leave_inbox(user=User.objects.get(pk=org.peer.user.pk))
    with pytest.raises(NotFoundError):
        services.leave_request_approve(actor=org.peer.user, leave_request_id=request.pk)
    services.approval_delegation_create(
        actor=org.supervisor.user, delegate_id=org.peer.pk, start_date=timezone.localdate(), end_date=monday
    )
    services.leave_request_approve(actor=org.peer.user, leave_request_id=request.pk, comment="代批")
    step = LeaveApprovalStep.objects.get(request=request)
    assert step.on_behalf and step.acted_by == org.peer.user and step.approver == org.supervisor


def test_only_approvers_delegate(org, monday):
    with pytest.raises(ApplicationError) as exc:
        services.approval_delegation_create(
            actor=org.agent.user, delegate_id=org.peer.pk, start_date=timezone.localdate(), end_date=monday
        )
    assert exc.value.code == "not_an_approver"


# --- Bulk decisions ------------------------------------------------------------------------------


def test_bulk_approve_reports_each(org, monday):
    one = submit(org, code="sick", start=monday, days="1")
    two = submit(org, employee=org.peer, code="sick", start=monday, days="2")
    results = services.leave_requests_decide(
        actor=org.supervisor.user, leave_request_ids=[one.pk, two.pk], action="approve"
    )
    assert results == {one.pk: "", two.pk: ""}
    assert LeaveRequest.objects.get(pk=one.pk).status == LeaveStatus.APPROVED
    assert LeaveRequest.objects.get(pk=two.pk).current_step == 1
    again = services.leave_requests_decide(actor=org.supervisor.user, leave_request_ids=[one.pk], action="approve")
    assert again[one.pk]


# --- Attendance: on leave, or absenteeism (LV-5) ---------------------------------------------------


def test_approved_leave_shows_in_attendance_and_revoking_makes_it_absenteeism(org):
    past = timezone.localdate() - datetime.timedelta(days=2)
    while past.weekday() >= 5:  # the roster helper works Monday to Friday
        past -= datetime.timedelta(days=1)
    roster_weeks([org.agent], past - datetime.timedelta(days=7), 14)
    services.daily_attendance_compute(actor=None, employee_id=org.agent.pk, work_date=past)
    assert DailyAttendance.objects.get(employee=org.agent, work_date=past).status == "absent"
    request = submit(org, code="sick", start=past, days="1")
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    day = DailyAttendance.objects.get(employee=org.agent, work_date=past)
    assert day.status == "on_leave"
    assert day.explanation[0]["rule"] == "on_leave" and day.explanation[0]["article"] == "ATT-3"
    services.leave_request_revoke(actor=org.hr.user, leave_request_id=request.pk, reason="证明无效，按旷工处理")
    assert DailyAttendance.objects.get(employee=org.agent, work_date=past).status == "absent"


# --- Balances (LV-3) ---------------------------------------------------------------------------------


def test_annual_grant_is_idempotent_and_explained(org):
    year = timezone.localdate().year
    leave_type("annual")
    first = services.leave_balance_grant_annual(year=year)
    assert first["granted"] == 10  # every active employee of the org fixture
    assert services.leave_balance_grant_annual(year=year)["granted"] == 0
    balance = LeaveBalance.objects.get(employee=org.agent, year=year)
    assert balance.detail["article"] == "LV-3" and balance.entitled_days >= 0


def test_hr_sets_a_balance_with_a_reason_never_below_used(org):
    year = timezone.localdate().year
    balance = annual_balance(org.agent, year, entitled="5", used="3")
    with pytest.raises(PermissionDeniedError):
        services.leave_balance_set(
            actor=org.supervisor.user,
            employee_id=org.agent.pk,
            leave_type_id=leave_type("annual").pk,
            year=year,
            entitled_days=D("8"),
            reason="工龄记录更正",
        )
    with pytest.raises(ApplicationError) as exc:
        services.leave_balance_set(
            actor=org.hr.user,
            employee_id=org.agent.pk,
            leave_type_id=leave_type("annual").pk,
            year=year,
            entitled_days=D("2"),
            reason="工龄记录更正",
        )
    assert exc.value.code == "below_used"
    services.leave_balance_set(
        actor=org.hr.user,
        employee_id=org.agent.pk,
        leave_type_id=leave_type("annual").pk,
        year=year,
        entitled_days=D("8"),
        reason="工龄记录更正",
    )
    balance.refresh_from_db()
    assert balance.entitled_days == D("8")
    assert AuditEvent.objects.filter(action="leave_balance.set").count() == 1


# --- Counting with the statutory calendar (no roster) ------------------------------------------


def test_quote_uses_statutory_holidays_and_makeup_days(org):
    """2026 National Day: 1–7 October are holidays; Saturday 10 October is a make-up workday."""
    quote = selectors.leave_quote(
        employee=org.other_dept,
        leave_type=leave_type("annual"),
        start_date=datetime.date(2026, 9, 28),
        end_date=datetime.date(2026, 10, 10),
    )
    why = {item["date"]: item["why"] for item in quote.breakdown}
    assert why["2026-10-01"] == "holiday" and why["2026-10-05"] == "holiday"
    assert why["2026-09-28"] == "workday"
    counted = sum(D(item["counted"]) for item in quote.breakdown)
    assert quote.days == counted


# --- The inbox: bounded queries whatever its length (LV-4) ----------------------------------------


def test_inbox_rows_constant_queries(org, monday, django_assert_max_num_queries):
    members = [f.EmployeeFactory(team=org.a1, department=org.dept_a) for _ in range(6)]
    roster_weeks(members, monday - datetime.timedelta(days=7), 21)
    for n, member in enumerate(members):
        annual_balance(member, monday.year, entitled="5")
        submit(org, employee=member, start=monday + datetime.timedelta(days=n % 3), days="1")
    with django_assert_max_num_queries(12):
        rows = selectors.leave_inbox_rows(user=org.supervisor.user)
    assert len(rows) == 6
    assert all(row.balance is not None and row.coverage for row in rows)
    assert rows[0].coverage[0].scheduled >= 6


def test_leave_type_code_is_fixed_and_fields_validated(org):
    annual = leave_type("annual")
    services.leave_type_save(actor=org.hr.user, leave_type_id=annual.pk, data={"code": "renamed", "name": "年休假"})
    annual.refresh_from_db()
    assert annual.code == "annual" and annual.name == "年休假"
    with pytest.raises(ApplicationError) as exc:
        services.leave_type_save(actor=org.hr.user, data={"code": "long", "name": "长" * 60, "name_en": "Long"})
    assert exc.value.code == "type_invalid"
    custom = services.leave_type_save(
        actor=org.hr.user,
        data={"code": "Study", "name": "学习假", "name_en": "Study leave", "max_days_per_request": D("2")},
    )
    assert custom.code == "study" and custom.rule == "custom"


def test_certificate_add_to_an_invisible_request_is_not_found(org, monday):
    request = submit(org, code="sick", start=monday, days="1")
    with pytest.raises(NotFoundError):
        services.leave_certificate_add(actor=org.other_dept.user, leave_request_id=request.pk, upload=pdf())
    with pytest.raises(NotFoundError):
        services.leave_certificate_add(actor=org.agent.user, leave_request_id=999999, upload=pdf())
    services.leave_certificate_add(actor=org.agent.user, leave_request_id=request.pk, upload=pdf(name="复诊.pdf"))
    assert request.certificates.count() == 2


def test_notifications_name_the_type_in_each_recipients_language(org, monday):
    org.supervisor.user.preferred_language = "en"
    org.supervisor.user.save(update_fields=["preferred_language"])
    submit(org, code="sick", start=monday, days="2")
    note = Notification.objects.get(recipient=org.supervisor.user, kind="leave.to_decide")
    assert "Sick leave" in note.body and "病假" not in note.body


def test_balance_summary_counts_pending_days(org, monday, django_assert_max_num_queries):
    annual_balance(org.agent, monday.year, entitled="5", used="1")
    submit(org, start=monday, days="2")
    with django_assert_max_num_queries(3):
        (row,) = selectors.leave_balance_summary(user=org.agent.user, year=monday.year)
    assert (row["pending"], row["left"]) == (D("2"), D("2"))
    assert row["explanation"]


# --- Ids the actor may not see or that do not exist --------------------------------------------------


def test_decisions_on_an_invisible_request_are_not_found(org, monday):
    # given the agent's pending request; when someone who cannot see it acts on its id; then not found
    request = submit(org, code="sick", start=monday, days="1")
    with pytest.raises(NotFoundError):
        services.leave_request_approve(actor=org.other_dept.user, leave_request_id=request.pk)
    with pytest.raises(NotFoundError):
        services.leave_request_reject(actor=org.other_dept.user, leave_request_id=request.pk, comment="不行")
    with pytest.raises(NotFoundError):
        services.leave_request_withdraw(actor=org.peer.user, leave_request_id=request.pk)
    request.refresh_from_db()
    assert request.status == LeaveStatus.PENDING


def test_cancelling_a_delegation_one_may_not_see_is_not_found(org, monday):
    delegation = services.approval_delegation_create(
        actor=org.supervisor.user, delegate_id=org.peer.pk, start_date=timezone.localdate(), end_date=monday
    )
    # the manager is neither party nor HR: the delegation does not exist for them
    with pytest.raises(NotFoundError):
        services.approval_delegation_cancel(actor=org.manager.user, delegation_id=delegation.pk)
    with pytest.raises(NotFoundError):
        services.approval_delegation_cancel(actor=org.hr.user, delegation_id=999999)
    delegation.refresh_from_db()
    assert delegation.cancelled_at is None


def test_delegation_names_people_by_id(org, monday):
    period = {"start_date": timezone.localdate(), "end_date": monday}
    # an unknown delegate is refused like an inactive one; HR names an unknown delegator: not found
    with pytest.raises(ApplicationError) as exc:
        services.approval_delegation_create(actor=org.supervisor.user, delegate_id=999999, **period)
    assert exc.value.code == "delegate_missing"
    with pytest.raises(NotFoundError):
        services.approval_delegation_create(actor=org.hr.user, delegate_id=org.peer.pk, delegator_id=999999, **period)
    # someone else's approvals are only HR's to delegate
    with pytest.raises(PermissionDeniedError):
        services.approval_delegation_create(
            actor=org.supervisor.user, delegate_id=org.peer.pk, delegator_id=org.manager.pk, **period
        )


def test_balances_and_types_by_unknown_id_are_not_found(org):
    year = timezone.localdate().year
    with pytest.raises(NotFoundError):
        services.leave_balance_set(
            actor=org.hr.user,
            employee_id=999999,
            leave_type_id=leave_type("annual").pk,
            year=year,
            entitled_days=D("5"),
            reason="工龄记录更正",
        )
    with pytest.raises(NotFoundError):
        services.leave_balance_set(
            actor=org.hr.user,
            employee_id=org.agent.pk,
            leave_type_id=999999,
            year=year,
            entitled_days=D("5"),
            reason="工龄记录更正",
        )
    with pytest.raises(NotFoundError):
        services.leave_type_save(actor=org.hr.user, leave_type_id=999999, data={"name": "年休假"})
    assert not LeaveBalance.objects.exists()


def test_submit_refuses_an_unknown_or_inactive_type(org, monday):
    inactive = leave_type("marriage")
    inactive.active = False
    inactive.save(update_fields=["active"])
    for type_id in (None, 999999, inactive.pk):
        with pytest.raises(ApplicationError) as exc:
            services.leave_request_submit(
                actor=org.agent.user, leave_type_id=type_id, start_date=monday, end_date=monday
            )
        assert exc.value.code == "leave_type_missing"
    assert not LeaveRequest.objects.exists()
