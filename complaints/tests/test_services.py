"""Complaint workflow (CMP-1..CMP-3): every allowed transition, the forbidden ones refused with a
clear error and nothing changed; SLA pauses and escalation; contact privacy (SEC-2)."""

import datetime
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Notification
from complaints import selectors, services
from complaints.models import Complaint, ComplaintEvent, ComplaintStatus, EventKind
from complaints.tests.factories import complaint_planned, complaint_recorded
from datasecurity.models import AuditEvent


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def test_record_normalises_and_audits_without_the_contact(org):
    complaint = complaint_recorded(org, email="Wang@Example.com")
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
            complaint_recorded(org, **kwargs)
        assert exc.value.code == code
    assert not Complaint.objects.exists() and not AuditEvent.objects.filter(action="complaint.record").exists()


def test_urgent_complaint_alerts_team_and_leaders_with_a_short_deadline(org):
    complaint = complaint_recorded(org, urgency="urgent")
    assert complaint.first_response_due - complaint.received_at == datetime.timedelta(hours=2)
    alerted = set(Notification.objects.filter(kind="complaint.urgent").values_list("recipient__username", flat=True))
    assert {"handler", "leader"} <= alerted and "agent" not in alerted


def test_the_whole_way_unsatisfied_reopens_then_closes(org):
    complaint = complaint_recorded(org)
    services.complaint_assign(actor=org.handler.user, complaint_id=complaint.pk, owner_id=org.handler.pk)
    services.complaint_log(
        actor=org.handler.user, complaint_id=complaint.pk, kind=EventKind.CUSTOMER_CONTACT, text="已致电客户了解情况"
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING and complaint.first_responded_at is not None
    complaint_planned(org, complaint)
    services.complaint_resolve(actor=org.handler.user, complaint_id=complaint.pk, text="已重新办理")
    services.complaint_follow_up(
        actor=org.handler.user, complaint_id=complaint.pk, satisfaction=2, comment="还是不满意"
    )
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING and complaint.reopen_count == 1
    # a reopened complaint needs a new plan before it can be resolved again (CMP-3)
    with pytest.raises(ApplicationError) as exc:
        services.complaint_resolve(actor=org.handler.user, complaint_id=complaint.pk, text="再次处理")
    assert exc.value.code == "plan_missing"
    complaint_planned(org, complaint)
    services.complaint_resolve(actor=org.handler.user, complaint_id=complaint.pk, text="再次处理")
    services.complaint_follow_up(actor=org.handler.user, complaint_id=complaint.pk, satisfaction=5)
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
    complaint = complaint_recorded(org)
    if step == "reopen_closed":
        services.complaint_close(actor=org.leader.user, complaint_id=complaint.pk, reason="客户已失联，经领导批准结案")
    before = (Complaint.objects.get(pk=complaint.pk).status, AuditEvent.objects.count())
    with pytest.raises(ApplicationError) as exc:
        if step == "resolve_without_plan":
            services.complaint_resolve(actor=org.handler.user, complaint_id=complaint.pk, text="处理完毕")
        elif step == "follow_up_before_resolved":
            services.complaint_follow_up(actor=org.handler.user, complaint_id=complaint.pk, satisfaction=5)
        else:
            services.complaint_log(actor=org.handler.user, complaint_id=complaint.pk, kind="note", text="重新打开")
    assert exc.value.code == code
    assert (Complaint.objects.get(pk=complaint.pk).status, AuditEvent.objects.count()) == before


def test_closing_without_follow_up_is_for_leaders_only(org):
    complaint = complaint_recorded(org)
    with pytest.raises(PermissionDeniedError):
        services.complaint_close(actor=org.handler.user, complaint_id=complaint.pk, reason="想直接结案")
    services.complaint_close(actor=org.leader.user, complaint_id=complaint.pk, reason="客户已失联，经领导批准结案")
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.CLOSED


def test_agents_cannot_handle(org):
    complaint = complaint_recorded(org)
    with pytest.raises(PermissionDeniedError):
        services.complaint_log(actor=org.agent.user, complaint_id=complaint.pk, kind="note", text="我来处理")


def test_pause_moves_the_deadlines_and_escalation_runs_once(org):
    complaint = complaint_recorded(org, urgency="urgent")
    due = complaint.first_response_due
    services.complaint_pause(actor=org.handler.user, complaint_id=complaint.pk, reason="等待客户提供录音")
    Complaint.objects.filter(pk=complaint.pk).update(paused_since=timezone.now() - datetime.timedelta(hours=3))
    # while paused nothing escalates, even past the deadline
    assert services.complaint_escalate_overdue(now=due + datetime.timedelta(hours=2))["level_1"] == 0
    services.complaint_resume(actor=org.handler.user, complaint_id=complaint.pk)
    complaint.refresh_from_db()
    shift = complaint.first_response_due - due
    assert datetime.timedelta(hours=3) <= shift < datetime.timedelta(hours=3, minutes=1)
    later = complaint.first_response_due + datetime.timedelta(minutes=1)
    assert services.complaint_escalate_overdue(now=later)["level_1"] == 1
    assert services.complaint_escalate_overdue(now=later)["level_1"] == 0  # twice: one escalation
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.ESCALATED).count() == 1
    assert Notification.objects.filter(kind="complaint.overdue", recipient=org.handler.user).count() == 1


def test_contact_masked_everywhere_and_reveal_is_audited(org):
    complaint = complaint_recorded(org)
    assert selectors.complaint_masked_contact(complaint)["phone"] == "138****5678"
    with pytest.raises(PermissionDeniedError):
        services.complaint_contact_reveal(actor=org.agent.user, complaint_id=complaint.pk)
    shown = services.complaint_contact_reveal(actor=org.handler.user, complaint_id=complaint.pk)
    assert shown["phone"] == "13812345678"
    event = AuditEvent.objects.get(action="complaint.contact_reveal")
    assert "13812345678" not in str(event.changes)


def test_visibility(org):
    mine = complaint_recorded(org)
    other = services.complaint_record(
        actor=org.other_dept.user, customer_name="李女士", phone="13900001111", matter="投诉", channel="email"
    )
    assert set(selectors.complaint_list(user=org.agent.user)) == {mine}
    assert set(selectors.complaint_list(user=org.handler.user)) == {mine, other}
    with pytest.raises(NotFoundError):
        selectors.complaint_get(user=org.agent.user, complaint_id=other.pk)
    # the search never looks at the phone: a filter cannot guess a hidden number
    assert not selectors.complaint_list(user=org.handler.user, filters={"q": "1390000"}).exists()


def test_closing_while_paused_ends_the_pause_and_resume_is_refused(org):
    complaint = complaint_recorded(org)
    services.complaint_pause(actor=org.handler.user, complaint_id=complaint.pk, reason="等待客户回复")
    services.complaint_close(actor=org.leader.user, complaint_id=complaint.pk, reason="客户已失联，经领导批准结案")
    complaint.refresh_from_db()
    assert complaint.paused_since is None and complaint.status == ComplaintStatus.CLOSED
    due = complaint.resolution_due
    with pytest.raises(ApplicationError) as exc:
        services.complaint_resume(actor=org.handler.user, complaint_id=complaint.pk)
    assert exc.value.code == "closed"
    assert Complaint.objects.get(pk=complaint.pk).resolution_due == due


def test_cause_recorded_at_intake_or_resolution(org):
    complaint = complaint_recorded(org, cause="坐席业务不熟")
    assert complaint.cause == "坐席业务不熟"
    other = complaint_recorded(org)
    complaint_planned(org, other)
    services.complaint_resolve(actor=org.handler.user, complaint_id=other.pk, text="已处理", cause="系统故障导致")
    assert Complaint.objects.get(pk=other.pk).cause == "系统故障导致"


def test_date_filters_use_local_days(org):
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")
    late = complaint_recorded(
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


# --- Ids in, the row loaded once under its lock, visibility checked there --------------------------


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        (services.complaint_assign, {"owner_id": "$handler"}),
        (services.complaint_log, {"kind": "note", "text": "x"}),
        (services.complaint_plan, {"description": "x", "responsible_id": "$handler", "deadline": "$tomorrow"}),
        (services.complaint_resolve, {"text": "x"}),
        (services.complaint_follow_up, {"satisfaction": 5}),
        (services.complaint_pause, {"reason": "x"}),
        (services.complaint_resume, {}),
        (services.complaint_contact_reveal, {}),
    ],
)
def test_an_unknown_complaint_id_is_not_found_and_nothing_is_written(org, action, kwargs):
    values = {"$handler": org.handler.pk, "$tomorrow": timezone.now() + datetime.timedelta(days=1)}
    kwargs = {k: values.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    with pytest.raises(NotFoundError):
        action(actor=org.handler.user, complaint_id=987654, **kwargs)
    assert not AuditEvent.objects.exists()


def test_an_inactive_login_sees_no_complaint_to_act_on(org):
    # given a complaint, and a complaint handler whose login was deactivated meanwhile
    complaint = complaint_recorded(org)
    org.handler.user.is_active = False
    # when they try to act on it, then it does not exist for them (no leak), nothing written
    with pytest.raises(NotFoundError):
        services.complaint_log(actor=org.handler.user, complaint_id=complaint.pk, kind="note", text="x")
    assert not ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.NOTE).exists()


def test_an_attachment_of_a_complaint_the_actor_may_not_see_is_not_found(org, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    complaint = complaint_recorded(org, team=org.a1)
    upload = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    attachment = services.complaint_attach(actor=org.handler.user, complaint_id=complaint.pk, upload=upload)
    with pytest.raises(NotFoundError):
        services.complaint_attachment_open(actor=org.other_dept.user, attachment_id=attachment.pk)
    assert not AuditEvent.objects.filter(action="complaint.attachment_view").exists()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"category_code": "nonsense"}, "invalid", "category"),
        ({"concerned_team_id": 987654}, "invalid", "concerned_team"),
        ({"concerned_employee_ids": [987654]}, "invalid", "concerned_employees"),
        # someone the agent may not see answers like an unknown id (recording cannot look names up)
        ({"concerned_employee_ids": ["$other_dept"]}, "invalid", "concerned_employees"),
        ({"phone": "12345"}, "phone_invalid", "phone"),
        ({"phone": "", "email": ""}, "contact_missing", "phone"),
        ({"customer_name": " "}, "required", "customer_name"),
    ],
)
def test_record_refuses_related_records_by_id_on_their_field(org, change, code, field):
    if change.get("concerned_employee_ids") == ["$other_dept"]:
        change = {"concerned_employee_ids": [org.other_dept.pk]}
    with pytest.raises(ApplicationError) as exc:
        complaint_recorded(org, **change)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert not Complaint.objects.exists()


def test_record_names_the_team_and_the_agents_it_concerns_by_id(org):
    services.complaint_categories_install()
    complaint = complaint_recorded(
        org, category_code="billing", concerned_team_id=org.b1.pk, concerned_employee_ids=[org.agent.pk]
    )
    assert complaint.category.code == "billing" and complaint.concerned_team == org.b1
    assert list(complaint.concerned_employees.all()) == [org.agent]


@pytest.mark.parametrize(
    ("who", "code"),
    [("$recorder", "owner_invalid"), (987654, "owner_invalid")],
)
def test_assign_refuses_an_owner_outside_the_complaint_team_on_the_owner_field(org, who, code):
    complaint = complaint_recorded(org)
    owner_id = org.agent.pk if who == "$recorder" else who
    with pytest.raises(ApplicationError) as exc:
        services.complaint_assign(actor=org.handler.user, complaint_id=complaint.pk, owner_id=owner_id)
    assert (exc.value.code, exc.value.field) == (code, "owner")
    assert Complaint.objects.get(pk=complaint.pk).owner_id is None
