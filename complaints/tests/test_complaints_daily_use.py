"""Issue 14, daily use of the complaint pages (CMP-1..CMP-4): the complaint team names the agents
concerned (not only itself), pickers of people are sorted by name and searchable, a closed
complaint's clock is stopped and cannot be paused or resumed, and resolving asks for the cause so
the statistics by cause are filled."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter.errors import ApplicationError
from complaints import selectors, services
from complaints.models import Complaint, ComplaintStatus
from complaints.tests.factories import complaint_planned, complaint_recorded
from datasecurity.models import AuditEvent


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def login(client, org, who):
    user = getattr(org, who).user
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


def _initials_then_name(employees):
    return sorted(employees, key=lambda e: (e.name_initials, e.name, e.employee_no))


# --- The agents concerned (CMP-1) --------------------------------------------------------------------


def test_the_complaint_team_picks_the_agents_concerned_among_everyone_sorted_by_name(client, org):
    # given the complaint handler opening the intake form
    form = login(client, org, "handler").get(reverse("complaints:new")).context["form"]
    offered = list(form.fields["concerned_employees"].queryset)
    # then every active employee is offered (not only the handler), sorted by name (pinyin initials)
    assert {org.agent, org.peer, org.other_team, org.other_dept, org.handler} <= set(offered)
    assert offered == _initials_then_name(offered)


def test_the_complaint_team_records_a_complaint_naming_an_agent_of_another_department(client, org):
    # given the handler (department B) and an agent of department A
    data = {
        "customer_name": "王先生",
        "phone": "138 1234 5678",
        "matter": "态度不好",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "urgency": "normal",
        "concerned_employees": [org.agent.pk],
    }
    # when the handler records the complaint naming the agent
    response = login(client, org, "handler").post(reverse("complaints:new"), data)
    # then it is saved with the agent concerned, apart from the owner
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert list(complaint.concerned_employees.all()) == [org.agent]


def test_an_agent_still_names_only_the_agents_of_their_remit(org):
    with pytest.raises(ApplicationError) as exc:
        complaint_recorded(org, concerned_employee_ids=[org.other_dept.pk])
    assert exc.value.field == "concerned_employees"


def test_pickers_are_searchable_and_carry_the_initials(client, org):
    # given a complaint the handler works
    complaint = complaint_recorded(org, team=org.a1)
    response = login(client, org, "handler").get(reverse("complaints:detail", args=[complaint.pk]))
    html = response.content.decode()
    # then the plan's responsible picker is sorted by name and has a search box (JS file, CSP)
    responsible = list(response.context["plan_form"].fields["responsible"].queryset)
    assert responsible == _initials_then_name(responsible)
    assert 'data-search="Filter by name, initials or number"' in html
    assert f'data-initials="{org.agent.name_initials}"' in html
    assert "js/complaint_pickers.js" in html


# --- The SLA clock of a closed complaint (CMP-1, CMP-2) ----------------------------------------------------


@pytest.fixture
def closed(org):
    complaint = complaint_recorded(org, team=org.a1)
    services.complaint_close(actor=org.leader.user, complaint_id=complaint.pk, reason="已尽力")
    return Complaint.objects.get(pk=complaint.pk)


def test_a_closed_complaint_shows_a_stopped_clock_and_offers_no_pause(client, org, closed):
    # given a closed complaint, with a pause left over in its row (data from before the fix)
    Complaint.objects.filter(pk=closed.pk).update(paused_since=timezone.now())
    # when the handler opens it
    html = login(client, org, "handler").get(reverse("complaints:detail", args=[closed.pk])).content.decode()
    # then the clock reads stopped with the closing time and the SLA outcome, and no pause/resume
    assert 'data-clock="stopped"' in html and "running" not in html
    assert f"closed at {timezone.localtime(closed.closed_at):%Y-%m-%d %H:%M}" in html
    assert 'data-sla="within"' in html
    assert 'id="complaint-pause-form"' not in html and 'id="complaint-resume-form"' not in html
    # and the queue does not call it paused
    queue = client.get(reverse("complaints:queue")).content.decode()
    row = queue.split(f'id="complaint-row-{closed.pk}"')[1].split("</tr>")[0]
    assert "bi-pause-circle" not in row


def test_a_complaint_closed_after_its_deadline_reads_over_the_sla(client, org, closed):
    Complaint.objects.filter(pk=closed.pk).update(resolution_due=closed.closed_at - datetime.timedelta(hours=1))
    html = login(client, org, "handler").get(reverse("complaints:detail", args=[closed.pk])).content.decode()
    assert 'data-sla="over"' in html


@pytest.mark.parametrize("action", ["pause", "resume"])
def test_pause_and_resume_of_a_closed_complaint_are_refused(client, org, closed, action):
    # given a closed complaint (a pause left over for resume)
    Complaint.objects.filter(pk=closed.pk).update(paused_since=timezone.now() if action == "resume" else None)
    before = AuditEvent.objects.count()
    # when the handler posts pause / resume anyway: the service refuses, with a translated message
    call = services.complaint_pause if action == "pause" else services.complaint_resume
    kwargs = {"reason": "等客户"} if action == "pause" else {}
    with pytest.raises(ApplicationError) as exc:
        call(actor=org.handler.user, complaint_id=closed.pk, **kwargs)
    assert exc.value.code == "closed"
    response = login(client, org, "handler").post(
        reverse(f"complaints:{action}", args=[closed.pk]), {"reason": "等客户"}, follow=True
    )
    assert "This complaint is closed" in response.content.decode()
    # and the API answers 409 closed
    api = APIClient()
    api.force_authenticate(org.handler.user)
    r = api.post(f"/api/v1/complaints/{closed.pk}/{action}/", {"reason": "等客户"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "closed"
    # nothing changed
    assert AuditEvent.objects.count() == before
    assert Complaint.objects.get(pk=closed.pk).status == ComplaintStatus.CLOSED


# --- Resolving asks for the cause (CMP-4) -----------------------------------------------------------------


@pytest.fixture
def planned(org):
    complaint = complaint_recorded(org, team=org.a1, cause="")
    complaint_planned(org, complaint)
    return complaint


def test_resolving_without_a_cause_is_refused_and_changes_nothing(org, planned):
    with pytest.raises(ApplicationError) as exc:
        services.complaint_resolve(actor=org.handler.user, complaint_id=planned.pk, text="已处理")
    assert (exc.value.code, exc.value.field) == ("cause_missing", "cause")
    assert "CMP-4" in str(exc.value.message)
    assert Complaint.objects.get(pk=planned.pk).status == ComplaintStatus.INVESTIGATING


def test_resolving_with_the_cause_fills_the_statistics(org, planned):
    services.complaint_resolve(actor=org.handler.user, complaint_id=planned.pk, text="已处理", cause="系统故障")
    assert Complaint.objects.get(pk=planned.pk).cause == "系统故障"
    assert "系统故障" in selectors.complaint_cause_suggestions()


def test_a_cause_given_at_intake_is_enough(org):
    complaint = complaint_recorded(org, team=org.a1, cause="业务不熟")
    complaint_planned(org, complaint)
    services.complaint_resolve(actor=org.handler.user, complaint_id=complaint.pk, text="已处理")
    assert Complaint.objects.get(pk=complaint.pk).status == ComplaintStatus.RESOLVED


def test_the_resolve_form_asks_for_the_cause(client, org, planned):
    login(client, org, "handler")
    url = reverse("complaints:detail", args=[planned.pk])
    assert 'name="cause"' in client.get(url).content.decode()
    # without the cause: the error on the page, nothing changed
    response = client.post(reverse("complaints:resolve", args=[planned.pk]), {"text": "已处理"}, follow=True)
    assert "statistics count complaints by cause" in response.content.decode()
    assert Complaint.objects.get(pk=planned.pk).status == ComplaintStatus.INVESTIGATING
    # with it: resolved, the cause recorded
    client.post(reverse("complaints:resolve", args=[planned.pk]), {"text": "已处理", "cause": "流程缺陷"})
    complaint = Complaint.objects.get(pk=planned.pk)
    assert complaint.status == ComplaintStatus.RESOLVED and complaint.cause == "流程缺陷"


def test_the_api_enforces_the_cause(org, planned):
    api = APIClient()
    api.force_authenticate(org.handler.user)
    url = f"/api/v1/complaints/{planned.pk}/resolve/"
    r = api.post(url, {"text": "已处理"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "cause_missing"
    r = api.post(url, {"text": "已处理", "cause": "流程缺陷"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert Complaint.objects.get(pk=planned.pk).cause == "流程缺陷"


# --- Actions through htmx: the page's body, not a reload ------------------------------------------------

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_resolve_through_htmx_answers_the_body_with_the_message(client, org, planned, django_assert_max_num_queries):
    login(client, org, "handler")
    url = reverse("complaints:resolve", args=[planned.pk])
    with django_assert_max_num_queries(40):
        response = client.post(url, {"text": "已处理", "cause": "流程缺陷"}, **HTMX)
    html = response.content.decode()
    # then 200, the body in its new state (resolved: the follow-up form), the message out of band
    assert response.status_code == 200 and "<html" not in html and "<nav" not in html
    assert html.lstrip().startswith('<div id="complaint-body">')
    assert 'id="complaint-follow-up-form"' in html and 'id="complaint-resolve-form"' not in html
    assert 'hx-swap-oob="afterbegin:#main"' in html and "The complaint is resolved" in html
    assert Complaint.objects.get(pk=planned.pk).status == ComplaintStatus.RESOLVED


def test_a_refused_resolve_through_htmx_keeps_what_was_typed(client, org, planned):
    login(client, org, "handler")
    response = client.post(reverse("complaints:resolve", args=[planned.pk]), {"text": "已经回电说明"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "statistics count complaints by cause" in html
    assert "已经回电说明" in html  # the text typed stays in the form
    assert Complaint.objects.get(pk=planned.pk).status == ComplaintStatus.INVESTIGATING


def test_close_through_htmx_shows_the_stopped_clock(client, org, planned):
    login(client, org, "leader")
    response = client.post(reverse("complaints:close", args=[planned.pk]), {"reason": "客户不再回应"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-clock="stopped"' in html and 'id="complaint-close-form"' not in html
    assert Complaint.objects.get(pk=planned.pk).status == ComplaintStatus.CLOSED


def test_without_htmx_actions_still_redirect(client, org, planned):
    login(client, org, "handler")
    response = client.post(reverse("complaints:resolve", args=[planned.pk]), {"text": "已处理", "cause": "流程缺陷"})
    assert response.status_code == 302 and response["Location"] == reverse("complaints:detail", args=[planned.pk])


def test_the_action_forms_post_through_htmx(client, org, planned):
    html = login(client, org, "handler").get(reverse("complaints:detail", args=[planned.pk])).content.decode()
    assert f'hx-post="{reverse("complaints:resolve", args=[planned.pk])}" hx-target="#complaint-body"' in html
