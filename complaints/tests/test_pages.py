"""Complaint pages (CMP-1..CMP-3, SEC-2): who may open what (role × page × own/other team), the
intake form, the queue's filters and query count, masking everywhere with an audited reveal for
the roles that need it, the workflow actions (forbidden steps show the error and change nothing)
and auto-escaped user text."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.tests import factories as f
from complaints import services
from complaints.models import Complaint, ComplaintStatus, EventKind
from complaints.tests.factories import EMAIL, PHONE, complaint_planned, complaint_recorded
from datasecurity.models import AuditEvent

MASKED_PHONE = "138****5678"
MASKED_EMAIL = "w***@example.com"
ROLE_USERS = [
    "agent",
    "peer",
    "supervisor",
    "manager",
    "leader",
    "hr",
    "handler",
    "auditor",
    "other_team",
    "other_dept",
]
# Who sees a complaint recorded by the agent about team A1 (selectors.complaint_list).
SEES_A1_COMPLAINT = {"agent", "supervisor", "manager", "leader", "hr", "handler"}
REVEALERS = {"handler", "leader"}
XSS = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def client():
    """Pages in English, so the tests read the messages as written in the code."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def categories(db):
    services.complaint_categories_install()


def record(org, *, by=None, team=None, **kw):
    """A complaint recorded by ``by`` (default the agent) concerning ``team`` (default A1), with
    an e-mail address too."""
    kw.setdefault("email", EMAIL)
    return complaint_recorded(org, by=by, team=team or org.a1, **kw)


def snapshot(complaint):
    c = Complaint.objects.get(pk=complaint.pk)
    return (
        c.status,
        c.owner_id,
        c.first_responded_at,
        c.resolved_at,
        c.closed_at,
        c.paused_since,
        c.satisfaction,
        c.events.count(),
        c.plans.count(),
        c.follow_ups.count(),
        AuditEvent.objects.filter(object_id=str(c.pk), action__startswith="complaint.").count(),
    )


def login(client, org, who):
    user = getattr(org, who).user
    if user.preferred_language != "en":  # read the messages as written in the code
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


def detail_url(complaint):
    return reverse("complaints:detail", args=[complaint.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- Access: role × page × own/other team ---------------------------------------------------------


@pytest.mark.parametrize("who", ROLE_USERS)
@pytest.mark.parametrize("name", ["complaints:queue", "complaints:new"])
def test_queue_and_intake_open_to_every_employee(client, org, who, name):
    response = login(client, org, who).get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["complaints:queue", "complaints:new"])
def test_pages_need_a_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ROLE_USERS)
def test_detail_follows_visibility_other_team_is_404(client, org, who):
    # given a complaint recorded by the agent about team A1
    complaint = record(org)
    # when each role opens it
    response = login(client, org, who).get(detail_url(complaint))
    # then those who may see it get the page, everyone else a 404 (no leak that it exists)
    assert response.status_code == (200 if who in SEES_A1_COMPLAINT else 404)


@pytest.mark.parametrize("who", ROLE_USERS)
def test_queue_lists_only_what_the_selector_gives(client, org, who):
    mine = record(org, customer_name="甲客户")
    other = record(org, by=org.other_dept, team=org.b1, customer_name="乙客户")
    html = login(client, org, who).get(reverse("complaints:queue")).content.decode()
    assert (mine.reference in html) == (who in SEES_A1_COMPLAINT)
    assert (other.reference in html) == (who in {"leader", "hr", "handler", "other_dept"})


ACTIONS = [
    ("complaints:assign", {"owner": "$handler"}, {"handler"}),
    ("complaints:log", {"kind": "note", "text": "记录"}, {"handler"}),
    ("complaints:pause", {"reason": "等客户回电"}, {"handler"}),
    ("complaints:close", {"reason": "客户无理要求"}, {"leader"}),
    ("complaints:concerned", {"concerned_team": "$a2", "concerned_employees": "$peer"}, {"handler"}),
]


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor"])
@pytest.mark.parametrize("name,data,allowed", ACTIONS)
def test_actions_role_matrix(client, org, who, name, data, allowed):
    complaint = record(org)
    data = {k: (getattr(org, v[1:]).pk if v.startswith("$") else v) for k, v in data.items()}
    before = snapshot(complaint)
    response = login(client, org, who).post(reverse(name, args=[complaint.pk]), data)
    if who in allowed:
        assert response.status_code == 302 and response["Location"] == detail_url(complaint)
        assert snapshot(complaint) != before
    else:
        assert response.status_code == 403
        assert snapshot(complaint) == before


def test_handler_action_on_an_unknown_complaint_is_404(client, org):
    response = login(client, org, "handler").post(
        reverse("complaints:log", args=[999999]), {"kind": "note", "text": "x"}
    )
    assert response.status_code == 404


# --- Intake (CMP-1) ---------------------------------------------------------------------------------


def intake(org, **change):
    data = {
        "customer_name": "王先生",
        "phone": "138 1234 5678",
        "email": EMAIL,
        "matter": "等待时间过长",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "category": "",
        "urgency": "normal",
        "concerned_team": org.a1.pk,
        "concerned_employees": [org.agent.pk],
    }
    data.update(change)
    return data


def test_agent_records_an_urgent_complaint_and_sees_the_emergency_banner(client, org, categories):
    # given an agent with an urgent complaint taken on the phone
    login(client, org, "agent")
    # when they record it
    response = client.post(reverse("complaints:new"), intake(org, urgency="urgent"), follow=True)
    # then it is saved and the page shows the emergency procedure, contact masked
    complaint = Complaint.objects.get()
    assert response.redirect_chain[-1][0] == detail_url(complaint)
    html = response.content.decode()
    assert 'id="complaint-emergency"' in html
    assert MASKED_PHONE in html and PHONE not in html and EMAIL not in html
    assert complaint.urgency == "urgent" and complaint.recorded_by_employee == org.agent
    assert list(complaint.concerned_employees.all()) == [org.agent]
    # and the complaint team is alerted
    assert org.handler.user.notifications.filter(kind="complaint.urgent").exists()


def test_normal_complaint_has_no_emergency_banner(client, org):
    login(client, org, "agent")
    response = client.post(reverse("complaints:new"), intake(org), follow=True)
    assert response.status_code == 200
    assert 'id="complaint-emergency"' not in response.content.decode()


@pytest.mark.parametrize(
    "change,text",
    [
        ({"phone": "12345"}, "not a valid phone number"),
        ({"phone": "", "email": ""}, "phone number or e-mail"),
        ({"received_at": "2099-01-01T10:00"}, "cannot be in the future"),
        ({"customer_name": ""}, "This field is required"),
        ({"channel": "fax"}, "Select a valid choice"),
    ],
)
def test_intake_errors_are_a_400_form_error_and_nothing_is_saved(client, org, change, text):
    response = login(client, org, "agent").post(reverse("complaints:new"), intake(org, **change))
    assert response.status_code == 400
    assert text in response.content.decode()
    assert not Complaint.objects.exists()


def test_intake_cannot_name_an_employee_the_agent_may_not_see(client, org):
    data = intake(org, concerned_employees=[org.other_dept.pk])
    response = login(client, org, "agent").post(reverse("complaints:new"), data)
    assert response.status_code == 400 and not Complaint.objects.exists()


def test_intake_names_any_team_but_only_the_agents_one_may_see(client, org):
    # a customer complains about any team: the intake offers every team, whoever records it
    form = login(client, org, "agent").get(reverse("complaints:new")).context["form"]
    assert {t.code for t in form.fields["concerned_team"].queryset} == {"A1", "A2", "B1"}
    # while the agents concerned are those the recorder may see (the agent: themself)
    assert list(form.fields["concerned_employees"].queryset) == [org.agent]


# --- The queue ------------------------------------------------------------------------------------------


def test_queue_filters(client, org, categories):
    now = timezone.now()
    urgent = record(org, customer_name="急客户", urgency="urgent")
    email = record(org, customer_name="邮件客户", channel="email", team=org.b1)
    old = record(org, customer_name="旧客户", received_at=now - datetime.timedelta(days=10))
    services.complaint_assign(actor=org.handler.user, complaint_id=email.pk, owner_id=org.handler.pk)
    login(client, org, "handler")

    def refs(**params):
        html = client.get(reverse("complaints:queue"), params).content.decode()
        return {c.reference for c in (urgent, email, old) if c.reference in html}

    assert refs() == {urgent.reference, email.reference, old.reference}
    assert refs(urgency="urgent") == {urgent.reference}
    assert refs(channel="email") == {email.reference}
    assert refs(owner="me") == {email.reference}
    assert refs(owner=str(org.handler.pk)) == {email.reference}
    assert refs(status="investigating") == {email.reference}
    assert refs(status="open") == {urgent.reference, email.reference, old.reference}
    assert refs(team=str(org.b1.pk)) == {email.reference}
    assert refs(q=old.reference) == {old.reference}
    assert refs(q="急") == {urgent.reference}
    assert refs(date_to=(timezone.localdate() - datetime.timedelta(days=5)).isoformat()) == {old.reference}
    assert refs(date_from=timezone.localdate().isoformat()) == {urgent.reference, email.reference}
    # the old normal complaint is past its first response (24 h): overdue, shown in red
    assert refs(overdue="on") == {old.reference}
    html = client.get(reverse("complaints:queue")).content.decode()
    assert f'id="complaint-row-{old.pk}" data-urgent="false" data-overdue="true" class="table-danger"' in html
    assert f'id="complaint-row-{urgent.pk}" data-urgent="true"' in html
    assert "overdue by" in html and "left" in html
    # a stale or broken filter never becomes an error page
    assert (
        client.get(
            reverse("complaints:queue"), {"date_from": "nonsense", "team": "x", "owner": "abc", "status": "zzz"}
        ).status_code
        == 200
    )


def test_queue_orderings(client, org):
    first = record(org, customer_name="早", received_at=timezone.now() - datetime.timedelta(hours=3))
    second = record(org, customer_name="晚", urgency="urgent")
    login(client, org, "handler")
    for ordering, expected in [
        ("received", [second, first]),
        ("oldest", [first, second]),
        ("urgency", [second, first]),
    ]:
        page = client.get(reverse("complaints:queue"), {"ordering": ordering}).context["page_obj"]
        assert [c.pk for c in page.object_list] == [c.pk for c in expected], ordering


def test_queue_htmx_returns_the_results_partial(client, org):
    record(org)
    response = login(client, org, "handler").get(reverse("complaints:queue"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="complaint-results"' in html and "<html" not in html


def test_queue_is_paginated_with_bounded_queries(client, org, django_assert_max_num_queries, categories):
    # given 30 complaints with owners, categories and teams
    for n in range(30):
        c = record(org, customer_name=f"客户{n}", urgency="urgent" if n % 3 == 0 else "normal")
        if n % 2:
            services.complaint_assign(actor=org.handler.user, complaint_id=c.pk, owner_id=org.handler.pk)
    login(client, org, "handler")
    client.get(reverse("complaints:queue"))  # warm the session and caches
    # when the queue is read, then the query count does not grow with the rows
    with django_assert_max_num_queries(15):
        response = client.get(reverse("complaints:queue"), {"status": "open"})
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 25
    assert response.context["page_obj"].paginator.num_pages == 2
    login(client, org, "supervisor")
    with django_assert_max_num_queries(20):
        response = client.get(reverse("complaints:queue"))
    assert len(response.context["page_obj"].object_list) == 25


def test_detail_has_bounded_queries(client, org, django_assert_max_num_queries):
    complaint = record(org)
    services.complaint_assign(actor=org.handler.user, complaint_id=complaint.pk, owner_id=org.handler.pk)
    for n in range(10):
        services.complaint_log(actor=org.handler.user, complaint_id=complaint.pk, kind="note", text=f"备注{n}")
    login(client, org, "handler")
    with django_assert_max_num_queries(25):
        assert client.get(detail_url(complaint)).status_code == 200


# --- Masking and the audited reveal (SEC-2) ------------------------------------------------------------


@pytest.mark.parametrize("who", sorted(SEES_A1_COMPLAINT))
def test_contact_is_masked_in_queue_and_detail_for_every_role(client, org, who):
    complaint = record(org)
    login(client, org, who)
    for url in (reverse("complaints:queue"), detail_url(complaint), reverse("complaints:queue") + "?q=王"):
        html = client.get(url).content.decode()
        assert MASKED_PHONE in html and MASKED_EMAIL in html, url
        assert PHONE not in html and EMAIL not in html, url
    detail = client.get(detail_url(complaint)).content.decode()
    assert ('id="complaint-contact-reveal"' in detail) == (who in REVEALERS)


@pytest.mark.parametrize("who", sorted(REVEALERS))
def test_reveal_shows_the_full_contact_and_is_audited(client, org, who):
    complaint = record(org)
    login(client, org, who)
    response = client.post(reverse("complaints:contact", args=[complaint.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert PHONE in html and EMAIL in html and "<html" not in html
    assert response["Cache-Control"] == "private, no-store"
    event = AuditEvent.objects.get(action="complaint.contact_reveal", object_id=str(complaint.pk))
    assert event.actor == getattr(org, who).user
    assert PHONE not in str(event.changes) and EMAIL not in str(event.changes)
    # the page itself stays masked afterwards
    assert PHONE not in client.get(detail_url(complaint)).content.decode()


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "hr", "auditor", "other_dept"])
def test_reveal_is_refused_for_other_roles(client, org, who):
    complaint = record(org)
    response = login(client, org, who).post(reverse("complaints:contact", args=[complaint.pk]))
    assert response.status_code == 403
    assert PHONE not in response.content.decode()
    assert not AuditEvent.objects.filter(action="complaint.contact_reveal").exists()


def test_reveal_needs_post(client, org):
    complaint = record(org)
    response = login(client, org, "handler").get(reverse("complaints:contact", args=[complaint.pk]))
    assert response.status_code == 405


# --- Workflow from the page (CMP-2, CMP-3) -----------------------------------------------------------------


def test_handler_works_a_complaint_to_a_reopen(client, org):
    complaint = record(org)
    login(client, org, "handler")
    pk = complaint.pk
    deadline = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    steps = [
        ("complaints:assign", {"owner": org.handler.pk}),
        ("complaints:log", {"kind": "customer_contact", "text": "已致电客户", "call_reference": "CALL-1"}),
        ("complaints:pause", {"reason": "等客户提供材料"}),
        ("complaints:resume", {}),
        ("complaints:plan", {"description": "重新办理", "responsible": org.agent.pk, "deadline": deadline}),
        ("complaints:resolve", {"text": "已重新办理"}),
        ("complaints:follow_up", {"satisfaction": "2", "comment": "还是不满意"}),
    ]
    for name, data in steps:
        response = client.post(reverse(name, args=[pk]), data, follow=True)
        assert response.status_code == 200
        assert not [m for m in response.context["messages"] if m.level_tag == "error"], (name, messages_of(response))
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING and complaint.reopen_count == 1
    assert complaint.owner == org.handler and complaint.first_responded_at is not None
    html = client.get(detail_url(complaint)).content.decode()
    assert 'id="complaint-reopened"' in html and "CALL-1" in html
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert EventKind.REOPENED in kinds and EventKind.PAUSED in kinds and EventKind.RESUMED in kinds


def test_leader_closes_with_a_reason(client, org):
    complaint = record(org)
    response = login(client, org, "leader").post(
        reverse("complaints:close", args=[complaint.pk]), {"reason": "已尽力"}, follow=True
    )
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED and complaint.close_reason == "已尽力"
    assert 'id="complaint-close-form"' not in response.content.decode()


@pytest.mark.parametrize(
    "setup,name,data,text",
    [
        (None, "complaints:resolve", {"text": "完成"}, "Write the resolution plan first"),
        (None, "complaints:follow_up", {"satisfaction": "5"}, "comes after the complaint is resolved"),
        (None, "complaints:resume", {}, "The clock is not paused"),
        ("closed", "complaints:log", {"kind": "note", "text": "x"}, "This complaint is closed"),
        ("closed", "complaints:assign", {"owner": "$handler"}, "This complaint is closed"),
        (None, "complaints:assign", {"owner": "$agent"}, "Select a valid choice"),
        (
            None,
            "complaints:plan",
            {"description": "x", "responsible": "$agent", "deadline": "2020-01-01T10:00"},
            "future",
        ),
        (None, "complaints:log", {"kind": "recorded", "text": "x"}, "Select a valid choice"),
        (None, "complaints:follow_up", {"satisfaction": "9"}, "Select a valid choice"),
    ],
)
def test_forbidden_steps_show_the_error_and_change_nothing(client, org, setup, name, data, text):
    complaint = record(org)
    if setup == "closed":
        services.complaint_close(actor=org.leader.user, complaint_id=complaint.pk, reason="结案")
    data = {k: (getattr(org, v[1:]).pk if str(v).startswith("$") else v) for k, v in data.items()}
    before = snapshot(complaint)
    response = login(client, org, "handler").post(reverse(name, args=[complaint.pk]), data, follow=True)
    assert response.status_code == 200
    assert any(text in m for m in messages_of(response)), messages_of(response)
    assert snapshot(complaint) == before


def test_resolved_complaint_offers_the_follow_up_not_the_plan(client, org):
    complaint = record(org)
    complaint_planned(org, complaint)
    services.complaint_resolve(actor=org.handler.user, complaint_id=complaint.pk, text="完成")
    html = login(client, org, "handler").get(detail_url(complaint)).content.decode()
    assert 'id="complaint-follow-up-form"' in html and 'id="complaint-plan-form"' not in html


def test_only_the_complaint_team_sees_the_action_forms(client, org):
    complaint = record(org)
    for who, expected in [("handler", True), ("supervisor", False), ("agent", False), ("leader", False)]:
        html = login(client, org, who).get(detail_url(complaint)).content.decode()
        assert ('id="complaint-log-form"' in html) == expected, who
    assert 'id="complaint-close-form"' in login(client, org, "leader").get(detail_url(complaint)).content.decode()


# --- XSS -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_user_text_is_escaped(client, org, payload):
    complaint = record(org, customer_name=payload, matter=payload)
    services.complaint_log(actor=org.handler.user, complaint_id=complaint.pk, kind="note", text=payload)
    login(client, org, "handler")
    escaped = payload.replace("<", "&lt;").replace(">", "&gt;")
    for url in (detail_url(complaint), reverse("complaints:queue")):
        html = client.get(url).content.decode()
        assert payload not in html, url
        assert escaped in html, url


def test_xss_through_the_intake_form_is_shown_as_text(client, org):
    login(client, org, "agent")
    response = client.post(reverse("complaints:new"), intake(org, customer_name=XSS[0], matter=XSS[1]), follow=True)
    html = response.content.decode()
    assert XSS[0] not in html and XSS[1] not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


# --- Navigation ------------------------------------------------------------------------------------------------


def test_navigation_entries(client, org):
    html = login(client, org, "agent").get(reverse("complaints:queue")).content.decode()
    assert 'data-nav-key="complaints"' in html and 'data-nav-key="complaint_new"' in html
    assert 'data-nav-key="complaint_statistics"' not in html
    html = login(client, org, "handler").get(reverse("complaints:queue")).content.decode()
    assert 'data-nav-key="complaints"' in html
    assert 'data-nav-key="complaint_statistics"' in html  # the statistics page is installed


def test_paused_clock_shows_on_the_page_and_in_the_queue(client, org):
    # given a complaint whose clock the handler paused while waiting for the customer
    complaint = record(org)
    services.complaint_pause(actor=org.handler.user, complaint_id=complaint.pk, reason="等客户回电")
    login(client, org, "handler")
    # then the page says since when, offers to resume, and no deadline runs
    html = client.get(detail_url(complaint)).content.decode()
    assert "paused since" in html and 'id="complaint-resume-form"' in html
    assert 'data-due-state="paused"' in html and 'data-due-state="open"' not in html
    queue = client.get(reverse("complaints:queue")).content.decode()
    assert 'data-due-state="paused"' in queue


def test_a_login_without_employee_record_cannot_record(client, db):
    user = f.UserFactory(username="robot", roles=[])
    client.force_login(user)
    assert client.get(reverse("complaints:new")).status_code == 403
    assert client.get(reverse("complaints:queue")).status_code == 200  # empty: the selector gives nothing
