"""Complaint workflow (CMP-1..CMP-3): every allowed transition, the forbidden ones refused with a
clear error and nothing changed; SLA pauses and escalation; contact privacy (SEC-2)."""

import datetime

import pytest
from django.utils import timezone

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Notification
from complaints import selectors, services
from complaints.models import Complaint, ComplaintEvent, ComplaintStatus, EventKind
from datasecurity.models import AuditEvent


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def record(org, urgency="normal", **kw):
    kw.setdefault("customer_name", "王先生")
    kw.setdefault("phone", "138 1234 5678")
    kw.setdefault("matter", "坐席态度不好，问题没有解决")
    kw.setdefault("channel", "phone")
    return services.complaint_record(actor=org.agent.user, urgency=urgency, **kw)


def plan(org, complaint):
    return services.complaint_plan(
        actor=org.handler.user,
        complaint=complaint,
        description="回访客户并重新办理业务",
        responsible=org.handler,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )


def test_record_normalises_and_audits_without_the_contact(org):
    complaint = record(org, email="Wang@Example.com")
    assert complaint.phone == "13812345678" and complaint.email == "wang@example.com"
    assert complaint.status == ComplaintStatus.NEW and complaint.reference.startswith("TS")
    event = AuditEvent.objects.get(action="complaint.record")
    assert "13812345678" not in str(event.changes) and "wang@example.com" not in str(event.changes)
    assert event.changes["reachable_by"] == ["phone", "email"]


def test_record_refuses_bad_input_and_changes_nothing(org):
    for kwargs, code in (
        ({"phone": "", "email": ""}, "contact_missing"),
        ({"phone": "12345"}, "phone_invalid"),
        ({"customer_name": "  "}, "required"),
        ({"channel": "fax"}, "channel_invalid"),
        ({"received_at": timezone.now() + datetime.timedelta(hours=1)}, "received_in_future"),
    ):
        with pytest.raises(ApplicationError) as exc:
            record(org, **kwargs)
        assert exc.value.code == code
    assert not Complaint.objects.exists() and not AuditEvent.objects.filter(action="complaint.record").exists()


def test_urgent_complaint_alerts_team_and_leaders_with_a_short_deadline(org):
    complaint = record(org, urgency="urgent")
    assert complaint.first_response_due - complaint.received_at == datetime.timedelta(hours=2)
    alerted = set(Notification.objects.filter(kind="complaint.urgent").values_list("recipient__username", flat=True))
    assert {"handler", "leader"} <= alerted and "agent" not in alerted


def test_the_whole_way_unsatisfied_reopens_then_closes(org):
    complaint = record(org)
    services.complaint_assign(actor=org.handler.user, complaint=complaint, owner=org.handler)
    services.complaint_log(
        actor=org.handler.user, complaint=complaint, kind=EventKind.CUSTOMER_CONTACT, text="已致电客户了解情况"
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING and complaint.first_responded_at is not None
    plan(org, complaint)
    services.complaint_resolve(actor=org.handler.user, complaint=complaint, text="已重新办理")
    services.complaint_follow_up(actor=org.handler.user, complaint=complaint, satisfaction=2, comment="还是不满意")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING and complaint.reopen_count == 1
    # a reopened complaint needs a new plan before it can be resolved again (CMP-3)
    with pytest.raises(ApplicationError) as exc:
        services.complaint_resolve(actor=org.handler.user, complaint=complaint, text="再次处理")
    assert exc.value.code == "plan_missing"
    plan(org, complaint)
    services.complaint_resolve(actor=org.handler.user, complaint=complaint, text="再次处理")
    services.complaint_follow_up(actor=org.handler.user, complaint=complaint, satisfaction=5)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.satisfaction == 5
    kinds = list(ComplaintEvent.objects.filter(complaint=complaint).values_list("kind", flat=True))
    assert kinds[0] == EventKind.RECORDED and kinds[-1] == EventKind.CLOSED and EventKind.REOPENED in kinds


@pytest.mark.parametrize(
    ("step", "code"),
    [
        ("resolve_without_plan", "plan_missing"),
        ("follow_up_before_resolved", "not_resolved"),
        ("reopen_closed", "closed"),
    ],
)
def test_forbidden_transitions_change_nothing(org, step, code):
    complaint = record(org)
    if step == "reopen_closed":
        services.complaint_close(actor=org.leader.user, complaint=complaint, reason="客户已失联，经领导批准结案")
    before = (Complaint.objects.get(pk=complaint.pk).status, AuditEvent.objects.count())
    with pytest.raises(ApplicationError) as exc:
        if step == "resolve_without_plan":
            services.complaint_resolve(actor=org.handler.user, complaint=complaint, text="处理完毕")
        elif step == "follow_up_before_resolved":
            services.complaint_follow_up(actor=org.handler.user, complaint=complaint, satisfaction=5)
        else:
            services.complaint_log(actor=org.handler.user, complaint=complaint, kind="note", text="重新打开")
    assert exc.value.code == code
    assert (Complaint.objects.get(pk=complaint.pk).status, AuditEvent.objects.count()) == before


def test_closing_without_follow_up_is_for_leaders_only(org):
    complaint = record(org)
    with pytest.raises(PermissionDeniedError):
        services.complaint_close(actor=org.handler.user, complaint=complaint, reason="想直接结案")
    services.complaint_close(actor=org.leader.user, complaint=complaint, reason="客户已失联，经领导批准结案")
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.CLOSED


def test_agents_cannot_handle(org):
    complaint = record(org)
    with pytest.raises(PermissionDeniedError):
        services.complaint_log(actor=org.agent.user, complaint=complaint, kind="note", text="我来处理")


def test_pause_moves_the_deadlines_and_escalation_runs_once(org):
    complaint = record(org, urgency="urgent")
    due = complaint.first_response_due
    services.complaint_pause(actor=org.handler.user, complaint=complaint, reason="等待客户提供录音")
    Complaint.objects.filter(pk=complaint.pk).update(paused_since=timezone.now() - datetime.timedelta(hours=3))
    # while paused nothing escalates, even past the deadline
    assert services.complaint_escalate_overdue(now=due + datetime.timedelta(hours=2))["level_1"] == 0
    services.complaint_resume(actor=org.handler.user, complaint=complaint)
    complaint.refresh_from_db()
    shift = complaint.first_response_due - due
    assert datetime.timedelta(hours=3) <= shift < datetime.timedelta(hours=3, minutes=1)
    later = complaint.first_response_due + datetime.timedelta(minutes=1)
    assert services.complaint_escalate_overdue(now=later)["level_1"] == 1
    assert services.complaint_escalate_overdue(now=later)["level_1"] == 0  # twice: one escalation
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.ESCALATED).count() == 1
    assert Notification.objects.filter(kind="complaint.overdue", recipient=org.handler.user).count() == 1


def test_contact_masked_everywhere_and_reveal_is_audited(org):
    complaint = record(org)
    assert selectors.complaint_masked_contact(complaint)["phone"] == "138****5678"
    with pytest.raises(PermissionDeniedError):
        services.complaint_contact_reveal(actor=org.agent.user, complaint=complaint)
    shown = services.complaint_contact_reveal(actor=org.handler.user, complaint=complaint)
    assert shown["phone"] == "13812345678"
    event = AuditEvent.objects.get(action="complaint.contact_reveal")
    assert "13812345678" not in str(event.changes)


def test_visibility(org):
    mine = record(org)
    other = services.complaint_record(
        actor=org.other_dept.user, customer_name="李女士", phone="13900001111", matter="投诉", channel="email"
    )
    assert set(selectors.complaint_list(user=org.agent.user)) == {mine}
    assert set(selectors.complaint_list(user=org.handler.user)) == {mine, other}
    with pytest.raises(NotFoundError):
        selectors.complaint_get(user=org.agent.user, pk=other.pk)
    # the search never looks at the phone: a filter cannot guess a hidden number
    assert not selectors.complaint_list(user=org.handler.user, filters={"q": "1390000"}).exists()


def test_closing_while_paused_ends_the_pause_and_resume_is_refused(org):
    complaint = record(org)
    services.complaint_pause(actor=org.handler.user, complaint=complaint, reason="等待客户回复")
    services.complaint_close(actor=org.leader.user, complaint=complaint, reason="客户已失联，经领导批准结案")
    complaint.refresh_from_db()
    assert complaint.paused_since is None and complaint.status == ComplaintStatus.CLOSED
    due = complaint.resolution_due
    with pytest.raises(ApplicationError) as exc:
        services.complaint_resume(actor=org.handler.user, complaint=complaint)
    assert exc.value.code == "closed"
    assert Complaint.objects.get(pk=complaint.pk).resolution_due == due


def test_cause_recorded_at_intake_or_resolution(org):
    complaint = record(org, cause="坐席业务不熟")
    assert complaint.cause == "坐席业务不熟"
    other = record(org)
    plan(org, other)
    services.complaint_resolve(actor=org.handler.user, complaint=other, text="已处理", cause="系统故障导致")
    assert Complaint.objects.get(pk=other.pk).cause == "系统故障导致"


def test_date_filters_use_local_days(org):
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    late = record(
        org, received_at=timezone.now().astimezone(tz).replace(hour=23, minute=50) - datetime.timedelta(days=2)
    )
    day = timezone.localtime(late.received_at).date()
    assert late in selectors.complaint_list(user=org.handler.user, filters={"date_from": day, "date_to": day})
    assert late not in selectors.complaint_list(
        user=org.handler.user, filters={"date_from": day + datetime.timedelta(days=1)}
    )


@pytest.mark.parametrize("filters", [{"owner": "abc"}, {"team": "x"}, {"date_from": "nonsense"}])
def test_malformed_filters_are_a_clear_error(org, filters):
    with pytest.raises(ApplicationError) as exc:
        list(selectors.complaint_list(user=org.handler.user, filters=filters))
    assert exc.value.code == "filter_invalid"
