"""Complaints API (CMP-1..CMP-3, SEC-2): recording, masking everywhere, audited reveal, the
workflow through the API (forbidden steps refused with status + code and nothing changed), mass
assignment ignored, the integration intake (CMP-1), a role × endpoint × own/other matrix, bounded
queries and the OpenAPI schema."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter.services import api_token_create
from complaints import services
from complaints.models import Complaint, ComplaintStatus, EventKind, IntegrationToken
from complaints.rules import integration_token_hash
from complaints.tests.factories import EMAIL, PHONE, complaint_planned, complaint_recorded, complaint_resolved
from datasecurity.models import AuditEvent

MASKED_PHONE = "138****5678"
MASKED_EMAIL = "w***@example.com"
LIST_URL = reverse("api:complaints:list")
INTAKE_URL = reverse("api:complaints:intake")
ROLE_USERS = ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor", "other_dept"]


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def record(org, *, by=None, team=None, **kw):
    """A complaint recorded by ``by`` (default the agent) concerning ``team`` (default A1), with
    an e-mail address too."""
    kw.setdefault("email", EMAIL)
    return complaint_recorded(org, by=by, team=team or org.a1, **kw)


def url(name, complaint):
    return reverse(name, args=[complaint.pk])


def snapshot(complaint):
    """Everything an action could change."""
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


# --- Recording (CMP-1) ------------------------------------------------------------------------


def test_any_employee_records_a_complaint_and_sees_it_masked(org):
    # given an agent with a complaint taken on the phone
    body = {
        "customer_name": "王先生",
        "phone": "+86 138 1234 5678",
        "email": "Wang.Customer@Example.com",
        "matter": "等待时间过长",
        "channel": "phone",
        "category": "waiting",
        "urgency": "urgent",
        "concerned_team": org.a1.pk,
        "concerned_employees": [org.agent.pk],
    }
    # when it is posted
    response = api_for(org.agent.user).post(LIST_URL, body, format="json")
    # then it is recorded, normalised, and shown masked
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["contact"] == {"phone": MASKED_PHONE, "email": MASKED_EMAIL}
    assert PHONE not in response.content.decode() and EMAIL not in response.content.decode()
    assert data["status"] == "new" and data["reference"].startswith("TS") and data["source"] == "staff"
    assert data["category"] == "waiting" and data["urgency"] == "urgent"
    assert data["concerned_employees"] == [{"id": org.agent.pk, "name": org.agent.name}]
    assert data["can_reveal_contact"] is False and data["timeline"][0]["kind"] == EventKind.RECORDED
    complaint = Complaint.objects.get(pk=data["id"])
    assert complaint.phone == PHONE and complaint.email == EMAIL.lower()
    assert complaint.recorded_by == org.agent.user and complaint.recorded_by_employee == org.agent


@pytest.mark.parametrize(
    "change,code,field",
    [
        ({"phone": "12345"}, "phone_invalid", "phone"),
        ({"email": "not-an-address"}, "email_invalid", "email"),
        ({"phone": "", "email": ""}, "contact_missing", "phone"),
        ({"category": "nonsense"}, "invalid", "category"),
        ({"channel": "fax"}, "invalid", "channel"),
        ({"customer_name": ""}, "invalid", "customer_name"),
        ({"received_at": "2099-01-01T10:00:00+08:00"}, "received_in_future", "received_at"),
        ({"concerned_employees": [999999]}, "invalid", "concerned_employees"),
        ({"concerned_team": 999999}, "invalid", "concerned_team"),
        # someone the agent may not see answers like an unknown id (no look-up of names)
        ({"concerned_employees": ["$other_dept"]}, "invalid", "concerned_employees"),
    ],
)
def test_bad_input_is_a_400_on_the_field_and_nothing_is_saved(org, change, code, field):
    if change.get("concerned_employees") == ["$other_dept"]:
        change = {"concerned_employees": [org.other_dept.pk]}
    body = {"customer_name": "王先生", "phone": PHONE, "matter": "态度问题", "channel": "phone", **change}
    response = api_for(org.agent.user).post(LIST_URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code and field in response.json()["errors"]
    assert str(org.other_dept.name) not in response.content.decode()
    assert not Complaint.objects.exists()
    assert not AuditEvent.objects.filter(action="complaint.record").exists()


def test_mass_assignment_is_ignored_when_recording(org):
    # given a body that tries to set what only the services set
    body = {
        "customer_name": "王先生",
        "phone": PHONE,
        "matter": "态度问题",
        "channel": "phone",
        "status": "closed",
        "reference": "TS-MINE",
        "owner": org.handler.pk,
        "owner_id": org.handler.pk,
        "first_response_due": "2099-01-01T00:00:00Z",
        "resolution_due": "2099-01-01T00:00:00Z",
        "source": "integration:crm",
        "recorded_by": org.hr.user.pk,
        "escalation_level": 2,
        "satisfaction": 5,
        "closed_at": "2026-01-01T00:00:00Z",
    }
    response = api_for(org.agent.user).post(LIST_URL, body, format="json")
    assert response.status_code == 201
    complaint = Complaint.objects.get(pk=response.json()["id"])
    # then none of it took
    assert complaint.status == ComplaintStatus.NEW and complaint.reference != "TS-MINE"
    assert complaint.owner is None and complaint.source == "staff" and complaint.recorded_by == org.agent.user
    assert complaint.escalation_level == 0 and complaint.satisfaction is None and complaint.closed_at is None
    assert complaint.first_response_due.year != 2099


def test_mass_assignment_is_ignored_on_actions(org):
    complaint = record(org)
    response = api_for(org.handler.user).post(
        url("api:complaints:log", complaint),
        {"kind": "note", "text": "记录", "status": "closed", "owner": org.handler.pk, "closed_at": "2026-01-01"},
        format="json",
    )
    assert response.status_code == 200
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.INVESTIGATING and complaint.owner is None
    assert complaint.closed_at is None


# --- Masking (SEC-2) -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ROLE_USERS)
def test_contact_is_masked_in_list_filters_ordering_and_detail_for_every_role(org, username):
    # given complaints concerning team A1 and team B1
    own = record(org)
    other = record(org, by=org.other_dept, team=org.b1, phone="13987654321", email="li@example.org")
    api = api_for(getattr(org, username).user)
    queries = [
        {},
        {"status": "open"},
        {"status": "new", "urgency": "normal", "channel": "phone"},
        {"overdue": "true"},
        {"q": "王"},
        {"q": own.reference},
        {"team": org.a1.pk},
        {"date_from": "2000-01-01", "date_to": "2099-12-31"},
        *({"ordering": o} for o in ("received", "oldest", "due", "urgency")),
    ]
    seen = set()
    for params in queries:
        response = api.get(LIST_URL, params)
        assert response.status_code == 200, (params, response.json())
        text = response.content.decode()
        # then no full contact appears in any list, whatever the filter or ordering
        for secret in (PHONE, EMAIL, "13987654321", "li@example.org"):
            assert secret not in text
        for row in response.json()["results"]:
            assert "*" in row["contact"]["phone"] and "***@" in row["contact"]["email"]
            seen.add(row["id"])
    for complaint in (own, other):
        detail = api.get(url("api:complaints:detail", complaint))
        assert detail.status_code in (200, 404)
        assert PHONE not in detail.content.decode() and "13987654321" not in detail.content.decode()
        if detail.status_code == 200:
            assert detail.json()["contact"]["phone"] in (MASKED_PHONE, "139****4321")
    # and visibility follows the selectors (own team, recorder, or the roles that see all)
    expected = {
        "agent": {own.pk},
        "supervisor": {own.pk},
        "manager": {own.pk},
        "leader": {own.pk, other.pk},
        "hr": {own.pk, other.pk},
        "handler": {own.pk, other.pk},
        "auditor": set(),
        "other_dept": {other.pk},
    }[username]
    assert seen == expected


def test_contact_is_no_search_key(org):
    # given a complaint; when the handler searches by its phone or e-mail, nothing is found
    record(org)
    api = api_for(org.handler.user)
    for q in (PHONE, "5678", EMAIL, "example.com"):
        assert api.get(LIST_URL, {"q": q}).json()["count"] == 0
    assert api.get(LIST_URL, {"ordering": "phone"}).status_code == 400


@pytest.mark.parametrize("username", ROLE_USERS)
def test_reveal_is_for_the_complaint_team_and_leaders_and_audited(org, username):
    complaint = record(org)
    response = api_for(getattr(org, username).user).post(url("api:complaints:contact", complaint))
    reveals = AuditEvent.objects.filter(action="complaint.contact_reveal")
    if username in ("handler", "leader"):
        assert response.status_code == 200
        assert response.json() == {"phone": PHONE, "email": EMAIL}
        assert response["Cache-Control"] == "private, no-store"
        event = reveals.get()
        assert event.actor == getattr(org, username).user and event.object_id == str(complaint.pk)
        assert PHONE not in str(event.changes) and EMAIL not in str(event.changes)
        assert event.changes["fields"] == ["phone", "email"]
    else:
        assert response.status_code == 403 and response.json()["code"] == "permission_denied"
        assert PHONE not in response.content.decode()
        assert not reveals.exists()


def test_reveal_of_an_unknown_complaint_is_404(org):
    response = api_for(org.handler.user).post(reverse("api:complaints:contact", args=[987654]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- Workflow (CMP-2, CMP-3) -----------------------------------------------------------------------


def test_the_whole_way_through_the_api(org):
    complaint = record(org)
    handler = api_for(org.handler.user)
    deadline = (timezone.now() + datetime.timedelta(days=2)).isoformat()

    r = handler.post(url("api:complaints:assign", complaint), {"owner": org.handler.pk}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "investigating" and r.json()["owner_id"] == org.handler.pk
    r = handler.post(
        url("api:complaints:log", complaint),
        {"kind": "customer_contact", "text": "已致电客户", "call_reference": "CALL-1"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["first_responded_at"] is not None
    r = handler.post(url("api:complaints:pause", complaint), {"reason": "等客户提供材料"}, format="json")
    assert r.status_code == 200 and r.json()["paused"] is True and r.json()["resolution_overdue"] is False
    r = handler.post(url("api:complaints:resume", complaint))
    assert r.status_code == 200 and r.json()["paused"] is False
    r = handler.post(
        url("api:complaints:plan", complaint),
        {"description": "重新办理", "responsible": org.handler.pk, "deadline": deadline},
        format="json",
    )
    assert r.status_code == 200 and [p["version"] for p in r.json()["plans"]] == [1]
    r = handler.post(url("api:complaints:resolve", complaint), {"text": "已办理"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    # not satisfied: reopened, a new plan is needed (CMP-3)
    r = handler.post(
        url("api:complaints:follow_up", complaint), {"satisfaction": 2, "comment": "不满意"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "investigating" and r.json()["reopen_count"] == 1
    r = handler.post(url("api:complaints:resolve", complaint), {"text": "再次办理"}, format="json")
    assert r.status_code == 400 and r.json()["code"] == "plan_missing"
    # the responsible person may be anyone active, also outside the handler's own employee view
    r = handler.post(
        url("api:complaints:plan", complaint),
        {"description": "经理出面", "responsible": org.supervisor.pk, "deadline": deadline},
        format="json",
    )
    assert [p["responsible_name"] for p in r.json()["plans"]] == [org.handler.name, org.supervisor.name]
    handler.post(url("api:complaints:resolve", complaint), {"text": "再次办理"}, format="json")
    r = handler.post(url("api:complaints:follow_up", complaint), {"satisfaction": 5}, format="json")
    data = r.json()
    assert r.status_code == 200 and data["status"] == "closed" and data["satisfaction"] == 5
    assert [f["satisfaction"] for f in data["follow_ups"]] == [2, 5]
    kinds = [e["kind"] for e in data["timeline"]]
    assert kinds[0] == "recorded" and kinds[-1] == "closed" and "reopened" in kinds
    assert data["first_response_overdue"] is False and data["resolution_overdue"] is False


FUTURE = "2099-01-01T00:00:00Z"
PAST = "2020-01-01T00:00:00Z"
FORBIDDEN = [
    # (state first, endpoint, body, status, code); "$handler" / "$recorder" are employee ids
    (None, "resolve", {"text": "x"}, 400, "plan_missing"),
    (None, "follow_up", {"satisfaction": 5}, 409, "not_resolved"),
    ("resolved", "resolve", {"text": "x"}, 409, "already_resolved"),
    ("resolved", "plan", {"description": "x", "responsible": "$handler", "deadline": FUTURE}, 409, "resolved"),
    ("closed", "log", {"kind": "note", "text": "x"}, 409, "closed"),
    ("closed", "pause", {"reason": "x"}, 409, "closed"),
    ("closed", "assign", {"owner": "$handler"}, 409, "closed"),
    ("closed", "follow_up", {"satisfaction": 5}, 409, "closed"),
    ("paused", "pause", {"reason": "x"}, 409, "already_paused"),
    (None, "resume", {}, 409, "not_paused"),
    (None, "assign", {"owner": "$recorder"}, 400, "owner_invalid"),
    (None, "plan", {"description": "x", "responsible": "$handler", "deadline": PAST}, 400, "deadline_past"),
    (None, "log", {"kind": "closed", "text": "x"}, 400, "invalid"),
    (None, "log", {"kind": "note", "text": "   "}, 400, "invalid"),
    (None, "follow_up", {"satisfaction": 9}, 400, "invalid"),
]  # fmt: skip


@pytest.mark.parametrize("setup,endpoint,body,status,code", FORBIDDEN)
def test_forbidden_steps_are_refused_with_a_code_and_change_nothing(org, setup, endpoint, body, status, code):
    complaint = record(org)
    if setup == "resolved":
        complaint_resolved(org, complaint)
    elif setup == "closed":
        services.complaint_close(actor=org.leader.user, complaint_id=complaint.pk, reason="无法联系客户")
    elif setup == "paused":
        services.complaint_pause(actor=org.handler.user, complaint_id=complaint.pk, reason="等待")
    complaint.refresh_from_db()
    before = snapshot(complaint)
    ids = {"$handler": org.handler.pk, "$recorder": org.agent.pk}
    body = {key: ids.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    response = api_for(org.handler.user).post(url(f"api:complaints:{endpoint}", complaint), body, format="json")
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code and response.json()["detail"]
    assert snapshot(complaint) == before


def test_only_a_leader_closes_without_a_follow_up(org):
    complaint = record(org)
    before = snapshot(complaint)
    refused = api_for(org.handler.user).post(url("api:complaints:close", complaint), {"reason": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert snapshot(complaint) == before
    closed = api_for(org.leader.user).post(
        url("api:complaints:close", complaint), {"reason": "客户不再回应"}, format="json"
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["close_reason"] == "客户不再回应" and closed.json()["closed_by"] == "leader"


def test_unknown_or_huge_ids_are_404_never_500(org):
    api = api_for(org.handler.user)
    for pk in (987654, 99999999999999999999):
        assert api.get(f"{LIST_URL}{pk}/").status_code == 404
        assert api.post(f"{LIST_URL}{pk}/resume/").status_code == 404
    assert api.get(LIST_URL, {"owner": "99999999999999999"}).status_code == 200
    assert api.get(LIST_URL, {"owner": "abc"}).status_code == 400
    assert api.get(LIST_URL, {"date_from": "2026-13-45"}).status_code == 400


# --- Integration intake (CMP-1) --------------------------------------------------------------------


@pytest.fixture
def webform(db):
    integration = IntegrationToken.objects.create(name="webform", token_hash=integration_token_hash("tok-web"))
    IntegrationToken.objects.create(name="oldcrm", token_hash=integration_token_hash("tok-old"), active=False)
    return integration


INTAKE = {
    "customer_name": "李女士",
    "phone": "010-6512 3456",
    "matter": "网页提交：业务办理错误",
    "category": "accuracy",
}


def test_intake_with_a_valid_token_records_an_online_complaint(org, webform):
    api = APIClient()
    response = api.post(INTAKE_URL, INTAKE, format="json", HTTP_AUTHORIZATION="Integration tok-web")
    assert response.status_code == 201, response.json()
    assert set(response.json()) == {"reference", "status", "received_at", "first_response_due"}
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.channel == "online" and complaint.source == "integration:webform"
    assert complaint.phone == "01065123456" and complaint.recorded_by is None
    assert complaint.category.code == "accuracy" and complaint.status == ComplaintStatus.NEW
    event = AuditEvent.objects.get(action="complaint.record", object_id=str(complaint.pk))
    assert event.changes["source"] == "integration:webform" and "01065123456" not in str(event.changes)


def test_intake_ignores_mass_assignment(org, webform):
    body = {**INTAKE, "channel": "phone", "status": "closed", "source": "staff", "owner": org.handler.pk}
    response = APIClient().post(INTAKE_URL, body, format="json", HTTP_AUTHORIZATION="Integration tok-web")
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.channel == "online" and complaint.status == "new" and complaint.source == "integration:webform"
    assert complaint.owner is None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Integration nope",
        "Integration tok-old",
        "Integration a b",
        "Integration",
        "Device tok-web",
        "Token tok-web",
    ],
)
def test_intake_without_a_valid_active_token_is_401_and_saves_nothing(org, webform, header):
    kwargs = {"HTTP_AUTHORIZATION": header} if header else {}
    response = APIClient().post(INTAKE_URL, INTAKE, format="json", **kwargs)
    assert response.status_code == 401 and set(response.json()) >= {"detail", "code"}
    assert response["WWW-Authenticate"] == "Integration"
    assert not Complaint.objects.exists()


def test_intake_is_not_open_to_logged_in_staff(org, webform):
    # a session or a user's API token is no integration token
    session = APIClient()
    session.force_login(org.handler.user)
    assert session.post(INTAKE_URL, INTAKE, format="json").status_code == 401
    _token, key = api_token_create(actor=org.handler.user, name="crm script")
    response = APIClient().post(INTAKE_URL, INTAKE, format="json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert not Complaint.objects.exists()


def test_an_integration_token_opens_no_other_endpoint(org, webform):
    complaint = record(org)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Integration tok-web")
    assert api.get(LIST_URL).status_code in (401, 403)
    assert api.get(url("api:complaints:detail", complaint)).status_code in (401, 403)
    assert api.post(url("api:complaints:contact", complaint)).status_code in (401, 403)


@pytest.mark.parametrize(
    "change,field",
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "", "email": ""}, "phone"),
        ({"email": "nobody@"}, "email"),
        ({"matter": ""}, "matter"),
        ({"customer_name": "x" * 101}, "customer_name"),
        ({"category": "nonsense"}, "category"),
        ({"urgency": "panic"}, "urgency"),
        ({"received_at": "2020-01-01T00:00:00Z"}, "received_at"),
    ],
)
def test_intake_bad_input_is_400_with_field_errors_and_saves_nothing(org, webform, change, field):
    body = {**INTAKE, **change}
    response = APIClient().post(INTAKE_URL, body, format="json", HTTP_AUTHORIZATION="Integration tok-web")
    assert response.status_code == 400 and field in response.json()["errors"]
    assert not Complaint.objects.exists() and not AuditEvent.objects.filter(action="complaint.record").exists()


def test_integration_create_command_prints_the_token_once_and_stores_its_hash(db, capsys):
    call_command("complaint_integration_create", "crm")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    integration = IntegrationToken.objects.get(name="crm")
    assert integration.token_hash == integration_token_hash(token) and token not in integration.token_hash
    assert AuditEvent.objects.filter(action="complaint.integration_create").exists()
    response = APIClient().post(INTAKE_URL, INTAKE, format="json", HTTP_AUTHORIZATION=f"Integration {token}")
    assert response.status_code == 201
    assert Complaint.objects.get().source == "integration:crm"


def test_a_deactivated_integration_is_refused_from_then_on(db, webform):
    api = APIClient()
    assert api.post(INTAKE_URL, INTAKE, format="json", HTTP_AUTHORIZATION="Integration tok-web").status_code == 201
    call_command("complaint_integration_deactivate", "webform")
    assert api.post(INTAKE_URL, INTAKE, format="json", HTTP_AUTHORIZATION="Integration tok-web").status_code == 401
    assert Complaint.objects.get().source == "integration:webform"
    assert AuditEvent.objects.filter(action="complaint.integration_deactivate").count() == 1
    with pytest.raises(CommandError):
        call_command("complaint_integration_deactivate", "nobody")


@pytest.mark.parametrize("name", ["", "x" * 31, "Bad Name", "crm"])
def test_integration_create_command_refuses_bad_or_taken_names(db, name):
    IntegrationToken.objects.create(name="crm", token_hash=integration_token_hash("x"))
    with pytest.raises(CommandError):
        call_command("complaint_integration_create", name)


# --- Role × endpoint × own/other team (CONVENTIONS 15) ---------------------------------------------

VISIBLE = {
    "agent": {"own"},
    "supervisor": {"own"},
    "manager": {"own"},
    "leader": {"own", "other"},
    "hr": {"own", "other"},
    "handler": {"own", "other"},
    "auditor": set(),
    "other_dept": {"other"},
}


def _prepare(org, endpoint, complaint):
    """Put the complaint in a state where the endpoint's action is allowed."""
    if endpoint == "resolve":
        complaint_planned(org, complaint)
    elif endpoint == "follow_up":
        complaint_resolved(org, complaint)
    elif endpoint == "resume":
        services.complaint_pause(actor=org.handler.user, complaint_id=complaint.pk, reason="等待")


def _call(api, endpoint, complaint, org):
    deadline = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    bodies = {
        "assign": {"owner": org.handler.pk},
        "log": {"kind": "note", "text": "x"},
        "plan": {"description": "x", "responsible": org.handler.pk, "deadline": deadline},
        "resolve": {"text": "x"},
        "follow_up": {"satisfaction": 5},
        "close": {"reason": "x"},
        "pause": {"reason": "x"},
        "resume": {},
        "concerned": {"concerned_team": org.a2.pk, "concerned_employees": [org.peer.pk]},
    }
    if endpoint == "detail":
        return api.get(url("api:complaints:detail", complaint))
    if endpoint == "contact":
        return api.post(url("api:complaints:contact", complaint))
    return api.post(url(f"api:complaints:{endpoint}", complaint), bodies[endpoint], format="json")


ENDPOINTS = [
    "detail",
    "contact",
    "assign",
    "log",
    "plan",
    "resolve",
    "follow_up",
    "close",
    "pause",
    "resume",
    "concerned",
]
HANDLER_ENDPOINTS = {"assign", "log", "plan", "resolve", "follow_up", "pause", "resume", "concerned"}


@pytest.mark.parametrize("which", ["own", "other"])
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("username", ROLE_USERS)
def test_role_endpoint_matrix(org, username, endpoint, which):
    # given a complaint concerning the agent's team (own) or department B's (other)
    complaint = record(org) if which == "own" else record(org, by=org.other_dept, team=org.b1)
    _prepare(org, endpoint, complaint)
    before = snapshot(complaint)
    # when the role calls the endpoint
    response = _call(api_for(getattr(org, username).user), endpoint, complaint, org)
    # then only the roles the function needs succeed, reads follow visibility
    if endpoint == "detail":
        expected = 200 if which in VISIBLE[username] else 404
    elif endpoint == "contact":
        expected = 200 if username in ("handler", "leader") else 403
    elif endpoint == "close":
        expected = 200 if username == "leader" else 403
    else:
        assert endpoint in HANDLER_ENDPOINTS
        expected = 200 if username == "handler" else 403
    assert response.status_code == expected, (response.status_code, response.json())
    if expected != 200:
        assert set(response.json()) >= {"detail", "code"}
        assert snapshot(complaint) == before
    elif endpoint not in ("detail", "contact"):
        assert snapshot(complaint) != before


@pytest.mark.parametrize("username", ROLE_USERS)
def test_every_employee_may_record_and_then_sees_their_complaint(org, username):
    user = getattr(org, username).user
    body = {"customer_name": "王先生", "email": EMAIL, "matter": "态度问题", "channel": "email"}
    response = api_for(user).post(LIST_URL, body, format="json")
    assert response.status_code == 201
    assert api_for(user).get(LIST_URL).json()["count"] == 1


def test_anonymous_callers_get_nothing(org):
    complaint = record(org)
    api = APIClient()
    assert api.get(LIST_URL).status_code in (401, 403)
    assert api.post(LIST_URL, {"customer_name": "x"}, format="json").status_code in (401, 403)
    for endpoint in ENDPOINTS:
        assert _call(api, endpoint, complaint, org).status_code in (401, 403), endpoint
    assert Complaint.objects.count() == 1


# --- Queries and schema ----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["handler", "supervisor", "manager", "agent"])
def test_list_queries_do_not_grow_with_rows(org, username):
    api = api_for(getattr(org, username).user)
    for _i in range(3):
        c = record(org, category_code="")
        services.complaint_assign(actor=org.handler.user, complaint_id=c.pk, owner_id=org.handler.pk)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = api.get(LIST_URL, {"page_size": 100})
        assert response.status_code == 200
        return len(captured), response.json()["count"]

    count()  # warm: the caller's roles are read once per user object
    few, n_few = count()
    for _i in range(15):
        c = record(org)
        services.complaint_assign(actor=org.handler.user, complaint_id=c.pk, owner_id=org.handler.pk)
    many, n_many = count()
    assert n_many == n_few + 15
    assert many == few and many <= 12


def test_openapi_schema_lists_the_complaint_endpoints(org):
    api = api_for(org.agent.user)
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/complaints/",
        "/api/v1/complaints/intake/",
        "/api/v1/complaints/{id}/",
        "/api/v1/complaints/{id}/contact/",
        "/api/v1/complaints/{id}/assign/",
        "/api/v1/complaints/{id}/log/",
        "/api/v1/complaints/{id}/plan/",
        "/api/v1/complaints/{id}/resolve/",
        "/api/v1/complaints/{id}/follow-up/",
        "/api/v1/complaints/{id}/close/",
        "/api/v1/complaints/{id}/pause/",
        "/api/v1/complaints/{id}/resume/",
        "/api/v1/complaints/{id}/concerned/",
    ):
        assert path in paths, path
    assert "integrationToken" in schema["components"]["securitySchemes"]
    assert paths["/api/v1/complaints/intake/"]["post"]["security"] == [{"integrationToken": []}]
    assert "CMP-1" in paths["/api/v1/complaints/"]["post"]["summary"]


def test_the_list_filters_the_complaints_nobody_has_taken(org):
    """CMP-1: ``owner=none`` lists the complaints not assigned yet (the dashboard's count)."""
    waiting, taken = complaint_recorded(org), complaint_recorded(org)
    Complaint.objects.filter(pk=taken.pk).update(owner=org.handler)
    response = api_for(org.handler.user).get(LIST_URL, {"owner": "none"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [waiting.pk]
