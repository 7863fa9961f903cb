"""Punch corrections (补卡, ATT-2): submit, decide, withdraw; access, concurrency, injection."""

import datetime
import threading

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from attendance import selectors, services
from attendance.models import CorrectionStatus, Punch, PunchCorrection, PunchSource
from attendance.tests.factories import MonthVerificationFactory, PunchFactory
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@pytest.fixture
def other_supervisor(org):
    """The supervisor of team B1 (another department)."""
    boss = f.EmployeeFactory(
        user=f.UserFactory(username="b1_supervisor", roles=[Role.SUPERVISOR]), team=org.b1, department=org.dept_b
    )
    org.b1.supervisor = boss
    org.b1.save()
    return boss


def submit(employee, day=None, hour=9, reason="忘记打卡，有同事作证"):
    day = day or days_ago(2)
    return services.punch_correction_submit(
        actor=employee.user, work_date=day, requested_time=at(day, hour), reason=reason
    )


# --- Submit -------------------------------------------------------------------------------------


def test_submit_is_for_oneself_and_audited(org):
    # given an agent; when they file a correction; then it is theirs, pending and audited
    correction = submit(org.agent)
    assert correction.employee_id == org.agent.pk and correction.status == CorrectionStatus.PENDING
    assert AuditEvent.objects.filter(action="punch_correction.submit", object_id=str(correction.pk)).exists()


@pytest.mark.parametrize(
    "work_day,punch_day,hour,reason,code",
    [
        (2, 2, 9, "abcd", "reason_too_short"),  # 4 characters
        (2, 2, 9, "   abcd   ", "reason_too_short"),  # whitespace does not count
        (0, -1, 9, "忘记打卡了呀", "time_in_future"),  # tomorrow
        (32, 32, 9, "忘记打卡了呀", "too_old"),  # 32 days back
        (5, 3, 9, "忘记打卡了呀", "time_outside_day"),  # two days after the working day
        (5, 7, 9, "忘记打卡了呀", "time_outside_day"),  # two days before
    ],
)
def test_submit_rules_at_their_boundaries(org, work_day, punch_day, hour, reason, code):
    # given a request outside the rules; when submitted; then refused with its code, nothing saved
    with pytest.raises(ApplicationError) as exc:
        services.punch_correction_submit(
            actor=org.agent.user,
            work_date=days_ago(work_day),
            requested_time=at(days_ago(punch_day), hour),
            reason=reason,
        )
    assert exc.value.code == code
    assert not PunchCorrection.objects.exists()


def test_submit_accepts_the_boundaries(org):
    # given exactly 5 characters, exactly 31 days back, and an overnight shift's next-day clock-out
    services.punch_correction_submit(
        actor=org.agent.user, work_date=days_ago(31), requested_time=at(days_ago(31), 9), reason="abcde"
    )
    services.punch_correction_submit(
        actor=org.agent.user, work_date=days_ago(3), requested_time=at(days_ago(2), 7), reason="夜班下班忘打卡"
    )
    # then both are accepted
    assert PunchCorrection.objects.filter(employee=org.agent).count() == 2


def test_duplicate_pending_request_is_refused(org):
    # given a pending request for 09:00; when the same time is requested again; then refused
    submit(org.agent)
    with pytest.raises(ApplicationError) as exc:
        submit(org.agent)
    assert exc.value.code == "duplicate_pending"


# --- Approve / reject / withdraw ---------------------------------------------------------------


def test_approve_adds_a_correction_punch_and_leaves_punches_untouched(org):
    # given the agent's existing evening punch and a correction for the forgotten morning one
    day = days_ago(2)
    original = PunchFactory(employee=org.agent, punched_at=at(day, 18, 5))
    before = list(Punch.objects.values())
    correction = submit(org.agent, day=day)
    # when the team supervisor approves
    services.punch_correction_approve(actor=org.supervisor.user, correction_id=correction.pk, note="已核实")
    # then a NEW correction punch exists at the requested time; the original is unchanged
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.APPROVED and correction.decided_by == org.supervisor.user
    punch = Punch.objects.get(correction=correction)
    assert punch.source == PunchSource.CORRECTION and punch.punched_at == at(day, 9)
    assert punch.idempotency_key == f"correction:{correction.pk}"
    assert [p for p in Punch.objects.values() if p["id"] == original.pk] == before
    event = AuditEvent.objects.get(action="punch_correction.approve")
    assert event.changes["punch"] == punch.pk and "after_verification" not in event.changes


def test_approval_in_a_verified_month_is_flagged(org):
    # given the agent's month is verified (locked) by the supervisor
    day = days_ago(2)
    correction = submit(org.agent, day=day)
    MonthVerificationFactory(team=org.a1, month=day.replace(day=1), verified_by=org.supervisor.user)
    # when approved; then it goes through, recorded as a change after verification
    services.punch_correction_approve(actor=org.supervisor.user, correction_id=correction.pk)
    assert AuditEvent.objects.get(action="punch_correction.approve").changes["after_verification"] is True


def test_self_approval_is_refused(org):
    # given the supervisor (also an employee of their own team) files a correction
    correction = submit(org.supervisor)
    # when they approve it themselves; then refused, nothing changed
    with pytest.raises(PermissionDeniedError) as exc:
        services.punch_correction_approve(actor=org.supervisor.user, correction_id=correction.pk)
    assert exc.value.code == "own_record"  # SEC-2's one rule (callcenter.duties); was self_approval
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING and not Punch.objects.exists()
    # and HR filing their own is refused too (the role does not lift the rule)
    own = submit(org.hr)
    with pytest.raises(PermissionDeniedError):
        services.punch_correction_approve(actor=org.hr.user, correction_id=own.pk)
    # but the department manager may approve the supervisor's request
    services.punch_correction_approve(actor=org.manager.user, correction_id=correction.pk)


@pytest.mark.parametrize(
    "who,error",
    [
        ("other_supervisor", NotFoundError),  # another department's supervisor cannot even see it
        ("peer", NotFoundError),  # a colleague
        ("other_dept", NotFoundError),
        ("leader", PermissionDeniedError),  # sees the department but is not an approver for 补卡
        ("auditor", NotFoundError),
    ],
)
def test_only_the_approvers_may_decide(org, other_supervisor, who, error):
    # given the agent's pending request
    correction = submit(org.agent)
    actor = other_supervisor.user if who == "other_supervisor" else getattr(org, who).user
    # when someone outside the approvers approves or rejects; then refused, nothing changed
    with pytest.raises(error):
        services.punch_correction_approve(actor=actor, correction_id=correction.pk)
    with pytest.raises(error):
        services.punch_correction_reject(actor=actor, correction_id=correction.pk, note="不同意")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING and not Punch.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "manager", "hr"])
def test_the_approvers(org, who):
    # given the agent's pending request; when an approver approves; then one correction punch
    correction = submit(org.agent)
    services.punch_correction_approve(actor=getattr(org, who).user, correction_id=correction.pk)
    assert Punch.objects.filter(correction=correction).count() == 1


def test_approving_twice_is_refused(org):
    # given an approved request; when approved again; then a clear error and still one punch
    correction = submit(org.agent)
    services.punch_correction_approve(actor=org.supervisor.user, correction_id=correction.pk)
    with pytest.raises(ApplicationError) as exc:
        services.punch_correction_approve(actor=org.manager.user, correction_id=correction.pk)
    assert exc.value.code == "not_pending" and exc.value.status == 409
    assert Punch.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_approvals_create_exactly_one_punch(org):
    # given a pending request and two approvers clicking at the same moment (real connections)
    correction = submit(org.agent)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            barrier.wait()
            services.punch_correction_approve(actor=user, correction_id=correction.pk)
            outcomes.append("approved")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (org.supervisor.user, org.manager.user)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # then exactly one wins, the other is told it is no longer pending
    assert sorted(outcomes) == ["approved", "not_pending"]
    assert Punch.objects.filter(employee=org.agent).count() == 1


def test_reject_needs_a_note(org):
    # given a pending request; when rejected without a note; then refused
    correction = submit(org.agent)
    with pytest.raises(ApplicationError) as exc:
        services.punch_correction_reject(actor=org.supervisor.user, correction_id=correction.pk, note="   ")
    assert exc.value.code == "note_required"
    # when rejected with a note; then rejected, no punch
    services.punch_correction_reject(actor=org.supervisor.user, correction_id=correction.pk, note="当天有考勤机记录")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED and correction.decision_note == "当天有考勤机记录"
    assert not Punch.objects.exists()


def test_withdraw_only_own_and_only_pending(org):
    correction = submit(org.agent)
    # given someone else's request; when the supervisor withdraws it; then refused
    with pytest.raises(PermissionDeniedError):
        services.punch_correction_withdraw(actor=org.supervisor.user, correction_id=correction.pk)
    with pytest.raises(NotFoundError):
        services.punch_correction_withdraw(actor=org.peer.user, correction_id=correction.pk)
    # when the owner withdraws; then withdrawn and audited
    services.punch_correction_withdraw(actor=org.agent.user, correction_id=correction.pk)
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="punch_correction.withdraw").count() == 1
    # when an approved request is withdrawn, or a withdrawn one approved; then refused
    with pytest.raises(ApplicationError):
        services.punch_correction_approve(actor=org.supervisor.user, correction_id=correction.pk)
    approved = submit(org.agent, hour=10)
    services.punch_correction_approve(actor=org.supervisor.user, correction_id=approved.pk)
    with pytest.raises(ApplicationError) as exc:
        services.punch_correction_withdraw(actor=org.agent.user, correction_id=approved.pk)
    assert exc.value.code == "not_pending"


# --- Selectors ------------------------------------------------------------------------------------


def test_list_visibility_and_to_decide(org, other_supervisor, django_assert_max_num_queries):
    # given requests by the agent, the supervisor and another department's agent
    mine, boss, far = submit(org.agent), submit(org.supervisor), submit(org.other_dept)
    # then the agent sees only their own
    assert list(selectors.punch_correction_list(user=org.agent.user)) == [mine]
    # the supervisor's "to decide" holds the team's request, never their own
    with django_assert_max_num_queries(8):
        to_decide = list(selectors.punch_correction_list(user=org.supervisor.user, filters={"to_decide": True}))
    assert to_decide == [mine]
    # the manager decides both A1 requests; B1's supervisor decides B1's
    assert set(selectors.punch_correction_list(user=org.manager.user, filters={"to_decide": True})) == {mine, boss}
    assert list(selectors.punch_correction_list(user=other_supervisor.user, filters={"to_decide": True})) == [far]
    # and a request outside one's remit is "not found"
    with pytest.raises(NotFoundError):
        selectors.punch_correction_get(user=org.agent.user, pk=far.pk)


# --- Pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,sees_to_decide", [("agent", False), ("supervisor", True), ("manager", True), ("hr", True), ("auditor", False)]
)
def test_page_role_matrix(client, org, who, sees_to_decide):
    # given the agent's pending request; when each role opens the page
    submit(org.agent)
    client.force_login(getattr(org, who).user)
    response = client.get(reverse("attendance:corrections"))
    # then everyone gets the page (and their own form); only approvers see the decision list
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="correction-form"' in html
    assert ('id="corrections-to-decide"' in html) is sees_to_decide


def test_page_requires_login(client, db):
    response = client.get(reverse("attendance:corrections"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_page_submit_and_decide(client, org):
    # given the agent on the page; when they file a request (with an employee field smuggled in)
    client.force_login(org.agent.user)
    day = days_ago(2)
    response = client.post(
        reverse("attendance:corrections"),
        {
            "work_date": day.isoformat(),
            "requested_time": f"{day.isoformat()}T09:00",
            "reason": "忘记打卡了",
            "employee": org.peer.pk,
        },
    )
    assert response.status_code == 302
    correction = PunchCorrection.objects.get()
    assert correction.employee == org.agent
    # when a colleague posts an approval; then 404 and nothing changes
    client.force_login(org.peer.user)
    assert client.post(reverse("attendance:correction_approve", args=[correction.pk])).status_code == 404
    # when the supervisor rejects without a note; then an error message and still pending
    client.force_login(org.supervisor.user)
    client.post(reverse("attendance:correction_reject", args=[correction.pk]), {"note": ""})
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    # when the supervisor approves; then approved with a correction punch
    response = client.post(reverse("attendance:correction_approve", args=[correction.pk]))
    assert response.status_code == 302
    assert Punch.objects.filter(correction=correction).exists()
    # and a GET on an action URL is not allowed
    assert client.get(reverse("attendance:correction_approve", args=[correction.pk])).status_code == 405


def test_markup_in_the_reason_is_escaped(client, org):
    # given a reason with markup
    submit(org.agent, reason='<script>alert("x")</script><img src=x onerror=alert(1)>')
    # when the agent and the supervisor open the page; then it shows as text
    for user in (org.agent.user, org.supervisor.user):
        client.force_login(user)
        html = client.get(reverse("attendance:corrections")).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


# --- API ------------------------------------------------------------------------------------------


def test_api_submit_ignores_the_employee_field(client, org):
    # given the agent; when the POST body names another employee and a status
    client.force_login(org.agent.user)
    day = days_ago(1)
    body = {
        "work_date": day.isoformat(),
        "requested_time": at(day, 9).isoformat(),
        "reason": "忘记打卡了",
        "employee": org.peer.pk,
        "employee_id": org.peer.pk,
        "status": "approved",
    }
    response = client.post(reverse("api:attendance:corrections"), body, content_type="application/json")
    # then the request is the caller's own and pending
    assert response.status_code == 201, response.content
    assert response.json()["employee_id"] == org.agent.pk and response.json()["status"] == "pending"
    # and a too-short reason answers 400 {detail, code}
    body["reason"] = "abc"
    body["requested_time"] = at(day, 10).isoformat()
    response = client.post(reverse("api:attendance:corrections"), body, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "reason_too_short"


def test_api_actions(client, org, other_supervisor):
    correction = submit(org.agent)
    approve = reverse("api:attendance:correction_approve", args=[correction.pk])
    # given another department's supervisor; when approving; then 404 {detail, code}
    client.force_login(other_supervisor.user)
    response = client.post(approve)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    # given the agent; when approving their own; then 403 own_record (SEC-2; was self_approval)
    client.force_login(org.agent.user)
    response = client.post(approve)
    assert response.status_code == 403 and response.json()["code"] == "own_record"
    # given the supervisor; when rejecting without a note; then 400; when approving twice; then 409
    client.force_login(org.supervisor.user)
    response = client.post(reverse("api:attendance:correction_reject", args=[correction.pk]), {})
    assert response.status_code == 400 and response.json()["code"] == "note_required"
    assert client.get(reverse("api:attendance:corrections"), {"to_decide": "true"}).json()["count"] == 1
    assert client.post(approve).status_code == 200
    response = client.post(approve)
    assert response.status_code == 409 and response.json()["code"] == "not_pending"
    # given the agent; when withdrawing the approved request; then 409
    client.force_login(org.agent.user)
    response = client.post(reverse("api:attendance:correction_withdraw", args=[correction.pk]))
    assert response.status_code == 409
    assert client.get(reverse("api:attendance:corrections")).json()["results"][0]["status"] == "approved"
