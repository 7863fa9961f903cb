"""Leave REST API (ATT-3, LV-1..LV-5): submit, quote, decide, refusals with their status and code,
mass assignment, the permission matrix, certificate downloads, bounded queries, the schema."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from attendance import services
from attendance.models import (
    ApprovalDelegation,
    LeaveApprovalStep,
    LeaveBalance,
    LeaveCertificate,
    LeaveRequest,
    LeaveStatus,
    LeaveType,
    StepStatus,
)
from attendance.tests.factories import (
    EXE_BYTES,
    PNG_BYTES,
    annual_balance,
    day_shift,
    leave_type,
    next_monday,
    pdf,
    roster_weeks,
)
from callcenter.models import Notification
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

D = Decimal
ROLES = ["agent", "supervisor", "manager", "leader", "hr", "auditor"]


def url(name, *args):
    return reverse(f"api:attendance:leave_{name}", args=args)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def as_user(api, employee):
    api.force_authenticate(employee.user)
    return api


@pytest.fixture
def monday(org):
    day = next_monday()
    roster_weeks([org.agent, org.peer, org.supervisor, org.manager, org.leader], day - datetime.timedelta(days=14), 35)
    return day


@pytest.fixture
def b1_boss(org):
    """The supervisor of team B1 (department B), so other_dept's requests have a route."""
    boss = f.EmployeeFactory(
        user=f.UserFactory(username="b1_boss", roles=[Role.SUPERVISOR]), team=org.b1, department=org.dept_b
    )
    org.b1.supervisor = boss
    org.b1.save()
    roster_weeks([org.other_dept, boss], next_monday() - datetime.timedelta(days=14), 35)
    return boss


def submit(employee, code="sick", start=None, days=1, **kw):
    """A request filed through the service (the API is tested on top of it)."""
    start = start or next_monday()
    end = start + datetime.timedelta(days=days - 1)
    if code == "sick":
        kw.setdefault("certificates", [pdf()])
    return services.leave_request_submit(
        actor=employee.user, leave_type_id=leave_type(code).pk, start_date=start, end_date=end, **kw
    )


def body(code="sick", start=None, days=1, **extra):
    start = start or next_monday()
    return {
        "leave_type": code,
        "start_date": start.isoformat(),
        "end_date": (start + datetime.timedelta(days=days - 1)).isoformat(),
        **extra,
    }


# --- Submit --------------------------------------------------------------------------------------


def test_submit_json_returns_days_breakdown_and_route(api, org, monday):
    # given the agent with 5 days of annual leave
    annual_balance(org.agent, monday.year, entitled="5")
    # when they ask for two days by JSON
    response = as_user(api, org.agent).post(url("requests"), body("annual", monday, 2), format="json")
    # then 201 with the days counted day by day (LV-3), explained in the caller's language
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["employee_id"] == org.agent.pk and data["status"] == "pending"
    assert D(data["days"]) == 2
    assert [d["why"] for d in data["breakdown"]] == ["roster_work", "roster_work"]
    assert data["breakdown"][0]["text"] == "rostered work day"
    # and the route climbs supervisor -> manager (LV-4), the manager deciding
    route = data["route"]
    assert route["article"] == "LV-4" and route["needed_tier"] == "manager"
    assert [(s["tier"], s["approver_name"], s["status"], s["decides"]) for s in route["steps"]] == [
        ("supervisor", org.supervisor.name, StepStatus.PENDING, False),
        ("manager", org.manager.name, StepStatus.WAITING, True),
    ]
    assert data["waiting_for"]["approver_id"] == org.supervisor.pk
    assert data["certificates"] == [] and data["can_decide"] is False
    assert AuditEvent.objects.filter(action="leave_request.submit", object_id=str(data["id"])).exists()


def test_submit_multipart_with_a_certificate(api, org, monday, settings):
    # given the agent is ill; when they file sick leave with a PDF certificate (multipart)
    response = as_user(api, org.agent).post(
        url("requests"), {**body("sick", monday, 1), "certificates": [pdf()]}, format="multipart"
    )
    # then 201 and the certificate is listed with a download link; the file is stored privately
    assert response.status_code == 201, response.json()
    (certificate,) = response.json()["certificates"]
    stored = LeaveCertificate.objects.get()
    assert certificate == {
        "id": stored.pk,
        "name": "诊断证明.pdf",
        "size": stored.size,
        "content_type": "application/pdf",
        "uploaded_at": certificate["uploaded_at"],
        "url": url("certificate", stored.pk),
    }
    assert (settings.PRIVATE_MEDIA_ROOT / stored.path).read_bytes().startswith(b"%PDF-")


def test_submit_without_files_or_with_a_disguised_file_is_refused(api, org, monday, settings):
    as_user(api, org.agent)
    # when sick leave comes without a certificate; then 400 certificate_required (LV-2)
    response = api.post(url("requests"), body("sick", monday, 1), format="json")
    assert response.status_code == 400 and response.json()["code"] == "certificate_required"
    # when the "PDF" is an executable; then 400 certificate_type, nothing stored
    response = api.post(
        url("requests"),
        {**body("sick", monday, 1), "certificates": [pdf(name="证明.pdf", data=EXE_BYTES)]},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "certificate_type"
    assert not LeaveRequest.objects.exists() and not LeaveCertificate.objects.exists()
    root = settings.PRIVATE_MEDIA_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_mass_assignment_is_ignored(api, org, monday, fmt):
    # given the agent sends fields they do not own: someone else, a status, days, a route
    annual_balance(org.agent, monday.year, entitled="5")
    annual_balance(org.peer, monday.year, entitled="5")
    payload = {
        **body("annual", monday, 1),
        "employee": org.peer.pk,
        "employee_id": org.peer.pk,
        "status": "approved",
        "days": "0.5",
        "current_step": 3,
        "decided_at": "2020-01-01T00:00:00Z",
    }
    if fmt == "json":
        payload["route"] = {"steps": [{"tier": "supervisor", "approver_id": org.agent.pk}]}
    response = as_user(api, org.agent).post(url("requests"), payload, format=fmt)
    # then the request is the caller's, pending, with the days and route computed
    assert response.status_code == 201, response.json()
    request = LeaveRequest.objects.get()
    assert request.employee == org.agent and request.status == LeaveStatus.PENDING
    assert request.days == D("1") and request.decided_at is None and request.current_step == 0
    assert [s.approver for s in request.steps.order_by("order")] == [org.supervisor]
    assert LeaveBalance.objects.get(employee=org.peer).used_days == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"leave_type": "sick", "end_date": "2030-01-01"}, "start_date"),
        ({"leave_type": "sick", "start_date": "tomorrow", "end_date": "2030-01-01"}, "start_date"),
        ({"leave_type": "no-such-type", "start_date": "2030-01-01", "end_date": "2030-01-01"}, "leave_type"),
        (
            {"leave_type": "sick", "start_date": "2030-01-01", "end_date": "2030-01-01", "extra_babies": 9},
            "extra_babies",
        ),
        ({"leave_type": "<b>x</b>", "start_date": "2030-01-01", "end_date": "2030-01-01"}, "leave_type"),
    ],
)
def test_bad_input_is_400_with_field_errors(api, org, payload, field):
    response = as_user(api, org.agent).post(url("requests"), payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["errors"]
    assert not LeaveRequest.objects.exists()


def test_rule_refusals_are_400_with_their_code(api, org, monday):
    as_user(api, org.agent)
    reversed_dates = {**body("annual", monday, 1), "end_date": (monday - datetime.timedelta(days=1)).isoformat()}
    response = api.post(url("requests"), reversed_dates, format="json")
    assert response.status_code == 400 and response.json()["code"] == "dates_reversed"
    response = api.post(url("requests"), body("personal", monday, 1), format="json")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    response = api.post(url("requests"), body("annual", monday, 1), format="json")  # no balance
    assert response.status_code == 400 and response.json()["code"] == "leave_refused"
    assert set(response.json()) >= {"detail", "code"}
    assert not LeaveRequest.objects.exists()


# --- Approve / reject / withdraw / revoke through the API ----------------------------------------------


def test_approve_flow_through_the_api(api, org, monday):
    # given a two-day sick leave: supervisor, then manager (LV-4)
    request = submit(org.agent, "sick", monday, 2)
    # the supervisor sees it in the inbox and may decide it
    as_user(api, org.supervisor)
    assert [row["request"]["id"] for row in api.get(url("inbox")).json()["results"]] == [request.pk]
    assert api.get(url("request", request.pk)).json()["can_decide"] is True
    # when the supervisor approves
    response = api.post(url("approve", request.pk), {"comment": "早日康复"}, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "pending" and data["waiting_for"]["tier"] == "manager"
    assert [s["status"] for s in data["route"]["steps"]] == ["approved", "pending"]
    assert data["route"]["steps"][0]["comment"] == "早日康复"
    assert data["route"]["steps"][0]["acted_by"] == "supervisor"
    # then the manager's inbox has it, and the manager's approval decides it
    as_user(api, org.manager)
    assert [row["request"]["id"] for row in api.get(url("inbox")).json()["results"]] == [request.pk]
    response = api.post(url("approve", request.pk), {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["waiting_for"] is None and response.json()["can_decide"] is False
    # and the requester sees it approved, and was told
    as_user(api, org.agent)
    assert api.get(url("request", request.pk)).json()["status"] == "approved"
    assert Notification.objects.filter(recipient=org.agent.user, kind="leave.approved").exists()


def test_reject_needs_a_comment(api, org, monday):
    request = submit(org.agent, "sick", monday, 1)
    as_user(api, org.supervisor)
    response = api.post(url("reject", request.pk), {}, format="json")
    assert response.status_code == 400 and "comment" in response.json()["errors"]
    response = api.post(url("reject", request.pk), {"comment": "   "}, format="json")
    assert response.status_code == 400
    response = api.post(url("reject", request.pk), {"comment": "人手不足"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "rejected"


def _snapshot(request):
    # A refusal changes nothing but is itself recorded (SEC-3: security.permission_denied).
    fresh = LeaveRequest.objects.get(pk=request.pk)
    steps = list(LeaveApprovalStep.objects.filter(request=request).order_by("order").values_list("status", flat=True))
    return (
        fresh.status,
        fresh.current_step,
        steps,
        AuditEvent.objects.exclude(action__startswith="security.permission_denied").count(),
    )


@pytest.fixture
def a2_boss(org):
    boss = f.EmployeeFactory(user=f.UserFactory(username="a2boss", roles=[Role.SUPERVISOR]), team=org.a2)
    org.a2.supervisor = boss
    org.a2.save()
    return boss


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("self_approval", 403, "own_record"),  # SEC-2's one rule (callcenter.duties); was self_approval
        ("skip_tier", 409, "not_your_turn"),
        ("other_team", 404, "not_found"),
        ("twice", 409, "already_decided"),
        ("twice_final", 409, "not_pending"),
        ("withdrawn", 409, "not_pending"),
        ("requester", 403, "own_record"),
        ("not_on_route", 403, "not_approver"),
    ],
)
def test_refusals_have_their_status_and_code_and_change_nothing(api, org, monday, a2_boss, case, status, code):
    if case == "self_approval":  # the supervisor's own leave goes to the manager; they try themselves
        request, actor = submit(org.supervisor, "sick", monday, 1), org.supervisor
    elif case == "skip_tier":  # two days: the manager tries before the supervisor
        request, actor = submit(org.agent, "sick", monday, 2), org.manager
    elif case == "other_team":  # team A2's supervisor and team A1's request
        request, actor = submit(org.agent, "sick", monday, 1), a2_boss
    elif case == "twice":
        request, actor = submit(org.agent, "sick", monday, 2), org.supervisor
        services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    elif case == "twice_final":
        request, actor = submit(org.agent, "sick", monday, 1), org.supervisor
        services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    elif case == "withdrawn":
        request, actor = submit(org.agent, "sick", monday, 1), org.supervisor
        services.leave_request_withdraw(actor=org.agent.user, leave_request_id=request.pk)
    elif case == "requester":
        request, actor = submit(org.agent, "sick", monday, 1), org.agent
    else:  # HR sees every request but approves none (LV-4)
        request, actor = submit(org.agent, "sick", monday, 1), org.hr
    before = _snapshot(request)
    for action, payload in (("approve", {}), ("reject", {"comment": "不同意"})):
        response = as_user(api, actor).post(url(action, request.pk), payload, format="json")
        assert (response.status_code, response.json()["code"]) == (status, code), action
        assert response.json()["detail"]
    assert _snapshot(request) == before


def test_withdraw_and_revoke(api, org, monday):
    annual_balance(org.agent, monday.year, entitled="5")
    request = submit(org.agent, "annual", monday, 1)
    # a colleague cannot withdraw it (404: they cannot see it), the supervisor neither (403)
    assert as_user(api, org.peer).post(url("withdraw", request.pk)).status_code == 404
    assert as_user(api, org.supervisor).post(url("withdraw", request.pk)).status_code == 403
    # HR cannot revoke a pending request
    response = as_user(api, org.hr).post(url("revoke", request.pk), {"reason": "不再需要了"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "not_approved")
    # approved, then revoked by HR with a reason: the day returns to the balance
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=request.pk)
    assert LeaveBalance.objects.get(employee=org.agent).used_days == 1
    response = api.post(url("revoke", request.pk), {"reason": "abc"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")
    response = api.post(url("revoke", request.pk), {"reason": "员工提前返岗"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert response.json()["revoked_by"] == "hr" and response.json()["revoke_reason"] == "员工提前返岗"
    assert LeaveBalance.objects.get(employee=org.agent).used_days == 0
    # a second, pending request is withdrawn by its owner; withdrawing again is 409
    other = submit(org.agent, "sick", monday + datetime.timedelta(days=7), 1)
    response = as_user(api, org.agent).post(url("withdraw", other.pk))
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    response = api.post(url("withdraw", other.pk))
    assert (response.status_code, response.json()["code"]) == (409, "not_pending")


def test_unknown_ids_are_404_never_500(api, org):
    as_user(api, org.hr)
    assert api.get(url("request", 999999)).status_code == 404
    assert api.post(url("approve", 999999), {}, format="json").status_code == 404
    assert api.post(url("withdraw", 999999)).status_code == 404
    assert api.post(url("revoke", 999999), {"reason": "员工提前返岗"}, format="json").status_code == 404
    assert api.post(url("certificates", 999999), {"file": pdf()}, format="multipart").status_code == 404
    assert api.get(url("certificate", 999999)).status_code == 404
    assert api.post(url("delegation_cancel", 999999)).status_code == 404
    assert api.patch(url("type", 999999), {"name": "x"}, format="json").status_code == 404


# --- The permission matrix: role × endpoint × own team / other department --------------------------------

# Request "A" is the agent's (team A1, department A); request "B" is other_dept's (team B1, department B).
# 404: the caller may not see it; 403: they see it but the step / the action is not theirs.
MATRIX = {
    "detail": {
        "A": {"agent": 200, "supervisor": 200, "manager": 200, "leader": 200, "hr": 200, "auditor": 404},
        "B": {"agent": 404, "supervisor": 404, "manager": 404, "leader": 404, "hr": 200, "auditor": 404},
    },
    "approve": {
        "A": {"agent": 403, "supervisor": 200, "manager": 403, "leader": 403, "hr": 403, "auditor": 404},
        "B": {"agent": 404, "supervisor": 404, "manager": 404, "leader": 404, "hr": 403, "auditor": 404},
    },
    "reject": {
        "A": {"agent": 403, "supervisor": 200, "manager": 403, "leader": 403, "hr": 403, "auditor": 404},
        "B": {"agent": 404, "supervisor": 404, "manager": 404, "leader": 404, "hr": 403, "auditor": 404},
    },
    "withdraw": {
        "A": {"agent": 200, "supervisor": 403, "manager": 403, "leader": 403, "hr": 403, "auditor": 404},
        "B": {"agent": 404, "supervisor": 404, "manager": 404, "leader": 404, "hr": 403, "auditor": 404},
    },
    "revoke": {  # on approved requests; HR only (function level, before any lookup)
        "A": {"agent": 403, "supervisor": 403, "manager": 403, "leader": 403, "hr": 200, "auditor": 403},
        "B": {"agent": 403, "supervisor": 403, "manager": 403, "leader": 403, "hr": 200, "auditor": 403},
    },
    "certificates": {  # the requester adds; others who see it are refused, the rest cannot see it
        "A": {"agent": 201, "supervisor": 403, "manager": 403, "leader": 403, "hr": 403, "auditor": 404},
        "B": {"agent": 404, "supervisor": 404, "manager": 404, "leader": 404, "hr": 403, "auditor": 404},
    },
    "list": {  # 200 if the request is in the caller's list, 404 if not
        "A": {"agent": 200, "supervisor": 200, "manager": 200, "leader": 200, "hr": 200, "auditor": 404},
        "B": {"agent": 404, "supervisor": 404, "manager": 404, "leader": 404, "hr": 200, "auditor": 404},
    },
}
MATRIX_CASES = [
    (endpoint, which, role, expected)
    for endpoint, sides in MATRIX.items()
    for which, by_role in sides.items()
    for role, expected in by_role.items()
]


@pytest.mark.parametrize(("endpoint", "which", "role", "expected"), MATRIX_CASES)
def test_permission_matrix(api, org, monday, b1_boss, endpoint, which, role, expected):
    # given one pending one-day sick leave on each side (approved first for the revoke endpoint)
    requester, approver = (org.agent, org.supervisor) if which == "A" else (org.other_dept, b1_boss)
    request = submit(requester, "sick", monday, 1)
    if endpoint == "revoke":
        services.leave_request_approve(actor=approver.user, leave_request_id=request.pk)
    status_before = LeaveRequest.objects.get(pk=request.pk).status
    as_user(api, getattr(org, role))
    # when the role calls the endpoint
    if endpoint == "detail":
        response = api.get(url("request", request.pk))
    elif endpoint == "list":
        ids = [r["id"] for r in api.get(url("requests"), {"page_size": 200}).json()["results"]]
        assert (200 if request.pk in ids else 404) == expected
        return
    elif endpoint == "certificates":
        response = api.post(url("certificates", request.pk), {"file": pdf()}, format="multipart")
    else:
        payload = {
            "approve": {},
            "reject": {"comment": "不同意"},
            "withdraw": {},
            "revoke": {"reason": "证明无效，按旷工处理"},
        }
        response = api.post(url(endpoint, request.pk), payload[endpoint], format="json")
    # then the expected status; a refusal is {detail, code} and changes nothing
    assert response.status_code == expected, response.content
    if expected >= 400:
        assert set(response.json()) >= {"detail", "code"}
        assert "route" not in response.json()
        assert LeaveRequest.objects.get(pk=request.pk).status == status_before
        assert LeaveCertificate.objects.filter(request=request).count() == 1


HR_ONLY = [
    ("types_create", 201),
    ("type_update", 200),
    ("balance_set", 200),
    ("balance_grant", 200),
]


@pytest.mark.parametrize(("endpoint", "ok_status"), HR_ONLY)
@pytest.mark.parametrize("role", ROLES)
def test_hr_only_functions(api, org, endpoint, ok_status, role):
    year = timezone.localdate().year
    as_user(api, getattr(org, role))
    if endpoint == "types_create":
        payload = {"code": "family-care", "name": "育儿假", "name_en": "Childcare leave", "uses_balance": True}
        response = api.post(url("types"), payload, format="json")
    elif endpoint == "type_update":
        response = api.patch(url("type", leave_type("bereavement").pk), {"sort_order": 7}, format="json")
    elif endpoint == "balance_set":
        payload = {
            "employee": org.agent.pk,
            "leave_type": "annual",
            "year": year,
            "entitled_days": "7.5",
            "reason": "工龄记录更正",
        }
        response = api.post(url("balance_set"), payload, format="json")
    else:
        response = api.post(url("balance_grant"), {"year": year}, format="json")
    expected = ok_status if role == "hr" else 403
    assert response.status_code == expected, response.content
    if role != "hr":
        assert not LeaveType.objects.filter(code="family-care").exists()
        assert leave_type("bereavement").sort_order != 7
        assert not LeaveBalance.objects.exists()


# --- Certificate download --------------------------------------------------------------------------------

DOWNLOAD = {
    "A": {"agent": 200, "supervisor": 200, "manager": 200, "leader": 200, "hr": 200, "auditor": 404, "peer": 404},
    "B": {"agent": 404, "supervisor": 404, "manager": 404, "leader": 404, "hr": 200, "auditor": 404, "peer": 404},
}


@pytest.mark.parametrize(
    ("which", "role", "expected"), [(w, r, e) for w, by_role in DOWNLOAD.items() for r, e in by_role.items()]
)
def test_certificate_download_matrix(api, org, monday, b1_boss, which, role, expected):
    # given a sick leave with a certificate on each side
    requester = org.agent if which == "A" else org.other_dept
    certificate = submit(requester, "sick", monday, 1).certificates.get()
    # when a role downloads it (a client asking for the PDF itself)
    response = as_user(api, getattr(org, role)).get(url("certificate", certificate.pk), HTTP_ACCEPT="application/pdf")
    # then the file, as an attachment that may not be sniffed, and one audit event per view
    assert response.status_code == expected
    views = AuditEvent.objects.filter(action="leave_certificate.view", object_id=str(certificate.pk))
    if expected == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
        assert views.get().actor == getattr(org, role).user
    else:
        assert response.json()["code"] == "not_found"
        assert not views.exists()


def test_certificate_upload_by_the_requester(api, org, monday):
    request = submit(org.agent, "sick", monday, 1)
    as_user(api, org.agent)
    png = pdf(name="检查报告.png", content_type="image/png", data=PNG_BYTES)
    response = api.post(url("certificates", request.pk), {"file": png}, format="multipart")
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    bad = pdf(name="证明.pdf", data=EXE_BYTES)
    response = api.post(url("certificates", request.pk), {"file": bad}, format="multipart")
    assert (response.status_code, response.json()["code"]) == (400, "certificate_type")
    response = api.post(url("certificates", request.pk), {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()["errors"]
    assert request.certificates.count() == 2
    detail = api.get(url("request", request.pk)).json()
    assert [c["name"] for c in detail["certificates"]] == ["诊断证明.pdf", "检查报告.png"]


# --- Quote: a preview that writes nothing ------------------------------------------------------------------


def test_quote_explains_and_writes_nothing(api, org, monday):
    # given 3 days of annual leave, one of them held by a pending request
    annual_balance(org.agent, monday.year, entitled="3")
    submit(org.agent, "annual", monday + datetime.timedelta(days=7), 1)
    counts = (LeaveRequest.objects.count(), AuditEvent.objects.count(), Notification.objects.count())
    # when the agent previews four days from Monday to Thursday
    as_user(api, org.agent)
    with CaptureQueriesContext(connection) as queries:
        response = api.post(url("quote"), body("annual", monday, 4), format="json")
    # then no write of any kind
    assert response.status_code == 200, response.json()
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == [] and not any("FOR UPDATE" in q["sql"].upper() for q in queries)
    assert (LeaveRequest.objects.count(), AuditEvent.objects.count(), Notification.objects.count()) == counts
    # and the preview: 4 days, the balance before and after, the route and the problem
    data = response.json()
    assert D(data["days"]) == 4 and len(data["breakdown"]) == 4
    assert data["breakdown"][0]["text"] == "rostered work day"
    balance = data["balance"]
    assert (D(balance["entitled_days"]), D(balance["pending_days"]), D(balance["available_days"])) == (3, 1, 2)
    assert D(balance["after_days"]) == -2
    assert data["needed_tier"] == "leader" and data["route_article"] == "LV-4"
    assert [(s["tier"], s["approver_name"], s["decides"]) for s in data["route"]] == [
        ("supervisor", org.supervisor.name, False),
        ("manager", org.manager.name, False),
        ("leader", org.leader.name, True),
    ]
    assert data["ok"] is False and any("2" in p for p in data["problems"])


def test_quote_counts_weekends_out_and_shows_the_limit(api, org, monday):
    # a marriage leave from Friday to Tuesday counts the three working days only (LV-3)
    friday = monday + datetime.timedelta(days=4)
    data = as_user(api, org.agent).post(url("quote"), body("marriage", friday, 5), format="json").json()
    assert [d["counted"] for d in data["breakdown"]] == ["1.0", "0.0", "0.0", "1.0", "1.0"]
    assert data["breakdown"][1]["text"] == "rostered rest day (not counted, LV-3)"
    assert D(data["limit_days"]) == 3 and data["limit_article"] == "LV-3"
    assert data["balance"] is None and data["ok"] is True


def test_quote_needs_an_employee_and_valid_dates(api, org, monday, django_user_model):
    api.force_authenticate(django_user_model.objects.create_user("noemp", password="x-Long-Passw0rd"))
    response = api.post(url("quote"), body("sick", monday, 1), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "not_an_employee")
    as_user(api, org.agent)
    too_long = {**body("sick", monday, 1), "end_date": (monday + datetime.timedelta(days=400)).isoformat()}
    response = api.post(url("quote"), too_long, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "too_long")


# --- Inbox and bulk decisions ------------------------------------------------------------------------------


def test_inbox_shows_balance_and_coverage_warnings(api, org, monday):
    # given the team's day shift needs all five rostered members
    shift = day_shift()
    shift.min_staff = 5
    shift.save()
    annual_balance(org.agent, monday.year, entitled="5")
    request = submit(org.agent, "annual", monday, 1)
    # when the supervisor opens the inbox
    data = as_user(api, org.supervisor).get(url("inbox")).json()
    # then the row carries the balance and, per day, the coverage and the warning
    (row,) = data["results"]
    assert data["count"] == 1 and row["request"]["id"] == request.pk
    assert D(row["balance"]["remaining_days"]) == 5
    (day,) = row["coverage"]
    assert day["scheduled"] == 5 and day["remaining_if_approved"] == 4 and day["below_minimum"] is True
    assert row["below_minimum_dates"] == [monday.isoformat()]
    assert [s["status"] for s in row["steps"]] == ["pending"] and row["on_behalf_of_id"] is None
    # and nobody else's inbox has it
    assert as_user(api, org.manager).get(url("inbox")).json()["count"] == 0
    assert as_user(api, org.agent).get(url("inbox")).json()["count"] == 0


def test_bulk_decide_reports_each(api, org, monday, b1_boss):
    one = submit(org.agent, "sick", monday, 1)
    two = submit(org.peer, "sick", monday, 2)
    elsewhere = submit(org.other_dept, "sick", monday, 1)
    as_user(api, org.supervisor)
    ids = [one.pk, two.pk, elsewhere.pk, one.pk]
    response = api.post(url("decide"), {"ids": ids, "action": "approve", "comment": "同意"}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["decided"] == 2
    assert [(r["id"], r["ok"]) for r in data["results"]] == [(one.pk, True), (two.pk, True), (elsewhere.pk, False)]
    assert data["results"][2]["detail"]
    assert LeaveRequest.objects.get(pk=one.pk).status == LeaveStatus.APPROVED
    assert LeaveRequest.objects.get(pk=two.pk).current_step == 1
    assert LeaveRequest.objects.get(pk=elsewhere.pk).status == LeaveStatus.PENDING


@pytest.mark.parametrize(
    "payload",
    [
        {"ids": [], "action": "approve"},
        {"ids": ["x"], "action": "approve"},
        {"ids": [1], "action": "delete"},
        {"ids": [1], "action": "reject"},  # a rejection needs a comment
        {"ids": list(range(1, 202)), "action": "approve"},
    ],
)
def test_bulk_decide_bad_input_is_400(api, org, payload):
    response = as_user(api, org.supervisor).post(url("decide"), payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


# --- Balances ----------------------------------------------------------------------------------------------


def test_balances_are_visibility_aware_and_filtered(api, org):
    year = timezone.localdate().year
    for employee in (org.agent, org.peer, org.other_dept):
        annual_balance(employee, year, entitled="5")
    annual_balance(org.agent, year - 1, entitled="5")
    mine = as_user(api, org.agent).get(url("balances")).json()
    assert mine["count"] == 2 and {r["employee_id"] for r in mine["results"]} == {org.agent.pk}
    team = as_user(api, org.supervisor).get(url("balances"), {"year": year}).json()
    assert {r["employee_id"] for r in team["results"]} == {org.agent.pk, org.peer.pk}
    everyone = as_user(api, org.hr).get(url("balances"), {"year": year, "leave_type": "annual"}).json()
    assert everyone["count"] == 3
    assert as_user(api, org.hr).get(url("balances"), {"mine": "true"}).json()["count"] == 0
    response = api.get(url("balances"), {"year": "last"})
    assert response.status_code == 400


def test_hr_sets_and_grants_balances(api, org):
    year = timezone.localdate().year
    as_user(api, org.hr)
    response = api.post(url("balance_grant"), {"year": year}, format="json")
    assert response.json() == {"year": year, "granted": 10, "raised": 0}
    assert api.post(url("balance_grant"), {"year": year}, format="json").json()["granted"] == 0
    LeaveBalance.objects.filter(employee=org.agent, year=year).update(used_days=D("3"), entitled_days=D("5"))
    payload = {"employee": org.agent.pk, "leave_type": "annual", "year": year, "reason": "工龄记录更正"}
    response = api.post(url("balance_set"), {**payload, "entitled_days": "2"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "below_used")
    response = api.post(url("balance_set"), {**payload, "entitled_days": "8"}, format="json")
    assert response.status_code == 200
    assert D(response.json()["remaining_days"]) == 5
    assert response.json()["explanation"] == "Set by HR: 工龄记录更正"
    response = api.post(url("balance_set"), {**payload, "entitled_days": "8", "leave_type": "sick"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "no_balance_type")
    response = api.post(url("balance_set"), {**payload, "entitled_days": "8", "employee": 999999}, format="json")
    assert response.status_code == 400 and "employee" in response.json()["errors"]
    response = api.post(url("balance_set"), {**payload, "entitled_days": "400"}, format="json")
    assert response.status_code == 400 and "entitled_days" in response.json()["errors"]


# --- Delegations -------------------------------------------------------------------------------------------


def test_delegations(api, org, monday):
    today = timezone.localdate()
    period = {"start_date": today.isoformat(), "end_date": monday.isoformat()}
    # an agent approves nothing and cannot delegate
    response = as_user(api, org.agent).post(
        url("delegations"), {"delegate": org.supervisor.pk, **period}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "not_an_approver")
    # the supervisor cannot name someone outside their department who approves nothing
    as_user(api, org.supervisor)
    response = api.post(url("delegations"), {"delegate": org.other_dept.pk, **period}, format="json")
    assert response.status_code == 400 and "delegate" in response.json()["errors"]
    # nor delegate for someone else (the manager, whom they see)
    payload = {"delegate": org.peer.pk, "delegator": org.manager.pk, **period}
    response = api.post(url("delegations"), payload, format="json")
    assert response.status_code == 403
    # the supervisor delegates to a peer: created for the caller, whatever else the body says
    payload = {"delegate": org.peer.pk, "created_by": org.hr.user.pk, "cancelled_at": None, **period}
    response = api.post(url("delegations"), payload, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["delegator_id"], data["delegate_id"], data["active"]) == (org.supervisor.pk, org.peer.pk, True)
    assert data["created_by"] == "supervisor"
    pk = data["id"]
    # the delegate holds the supervisor's inbox meanwhile (LV-4)
    request = submit(org.agent, "sick", monday, 1)
    inbox = as_user(api, org.peer).get(url("inbox")).json()["results"]
    assert [row["request"]["id"] for row in inbox] == [request.pk]
    assert inbox[0]["on_behalf_of_id"] == org.supervisor.pk
    # who sees it: the two of them and HR
    for who, count in (("supervisor", 1), ("peer", 1), ("hr", 1), ("manager", 0), ("agent", 0)):
        assert as_user(api, getattr(org, who)).get(url("delegations")).json()["count"] == count, who
    # cancelling: not the delegate; an outsider cannot see it; the delegator can, once
    assert as_user(api, org.peer).post(url("delegation_cancel", pk)).status_code == 403
    assert as_user(api, org.manager).post(url("delegation_cancel", pk)).status_code == 404
    response = as_user(api, org.supervisor).post(url("delegation_cancel", pk))
    assert response.status_code == 200 and response.json()["active"] is False
    response = api.post(url("delegation_cancel", pk))
    assert (response.status_code, response.json()["code"]) == (409, "already_cancelled")
    # HR sets one up for the manager
    payload = {"delegate": org.leader.pk, "delegator": org.manager.pk, **period}
    response = as_user(api, org.hr).post(url("delegations"), payload, format="json")
    assert response.status_code == 201 and response.json()["delegator_id"] == org.manager.pk
    assert ApprovalDelegation.objects.count() == 2


def test_a_delegate_may_be_an_approver_of_another_department(api, org, monday, b1_boss):
    period = {"start_date": timezone.localdate().isoformat(), "end_date": monday.isoformat()}
    response = as_user(api, org.supervisor).post(url("delegations"), {"delegate": b1_boss.pk, **period}, format="json")
    assert response.status_code == 201 and response.json()["delegate_name"] == b1_boss.name
    # and who is not a colleague: an unknown id answers the same as someone outside
    response = api.post(url("delegations"), {"delegate": 999999, **period}, format="json")
    assert response.status_code == 400 and "delegate" in response.json()["errors"]


# --- Types -------------------------------------------------------------------------------------------------


def test_leave_types(api, org):
    LeaveType.objects.filter(code="paternity").update(active=False)
    agent_view = as_user(api, org.agent).get(url("types"), {"include_inactive": "true"}).json()
    codes = [t["code"] for t in agent_view["results"]]
    assert "sick" in codes and "paternity" not in codes
    sick = next(t for t in agent_view["results"] if t["code"] == "sick")
    assert sick["display_name"] == "Sick leave" and sick["requires_certificate"] is True
    as_user(api, org.hr)
    assert "paternity" in [t["code"] for t in api.get(url("types"), {"include_inactive": "true"}).json()["results"]]
    # HR adds a company-defined type; the rule is never taken from the body
    payload = {"code": "Care", "name": "护理假", "name_en": "Care leave", "rule": "annual", "max_days_per_request": "5"}
    response = api.post(url("types"), payload, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["code"], response.json()["rule"]) == ("care", "custom")
    response = api.post(url("types"), {**payload, "code": "care"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "type_code_taken")
    pk = LeaveType.objects.get(code="care").pk
    response = api.patch(url("type", pk), {"name_en": "Family care leave", "rule": "annual"}, format="json")
    assert response.status_code == 200 and response.json()["name_en"] == "Family care leave"
    assert response.json()["rule"] == "custom" and response.json()["name"] == "护理假"
    # the code of an existing type never changes
    response = api.patch(url("type", pk), {"code": "renamed"}, format="json")
    assert response.status_code == 200 and response.json()["code"] == "care"
    for bad in ({"counting": "lunar"}, {"name": "长" * 51}, {"max_days_per_request": "0"}, {"sort_order": -1}):
        response = api.patch(url("type", pk), bad, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid", bad


# --- Bounded queries ---------------------------------------------------------------------------------------


@pytest.fixture
def busy_team(org, monday):
    """Six more members of team A1, each with a balance, a pending request and a delegation."""
    members = [f.EmployeeFactory(team=org.a1, department=org.dept_a) for _ in range(6)]
    roster_weeks(members, monday - datetime.timedelta(days=7), 21)
    for n, member in enumerate(members):
        annual_balance(member, monday.year, entitled="5")
        submit(member, "annual", monday + datetime.timedelta(days=n % 3), 1)
        submit(member, "sick", monday + datetime.timedelta(days=7), 1)
    services.approval_delegation_create(
        actor=org.hr.user,
        delegator_id=org.supervisor.pk,
        delegate_id=org.peer.pk,
        start_date=timezone.localdate(),
        end_date=monday,
    )
    return members


@pytest.mark.parametrize(
    ("who", "name", "limit"),
    [
        ("supervisor", "requests", 10),  # visibility (teams, departments, grants, delegations) + count + page
        ("hr", "requests", 4),
        ("supervisor", "inbox", 10),  # 12 rows: steps, certificates, balances, coverage in fixed queries
        ("peer", "inbox", 10),  # as the supervisor's delegate
        ("supervisor", "balances", 8),
        ("hr", "balances", 4),
        ("hr", "delegations", 4),
        ("agent", "types", 4),
    ],
)
def test_lists_have_bounded_queries(api, org, busy_team, django_assert_max_num_queries, who, name, limit):
    as_user(api, getattr(org, who))
    with django_assert_max_num_queries(limit):
        response = api.get(url(name), {"page_size": 200})
    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_request_list_filters(api, org, monday, b1_boss):
    annual_balance(org.agent, monday.year, entitled="5")
    sick = submit(org.agent, "sick", monday, 1)
    annual = submit(org.agent, "annual", monday + datetime.timedelta(days=14), 1)
    peer = submit(org.peer, "sick", monday, 1)
    services.leave_request_withdraw(actor=org.peer.user, leave_request_id=peer.pk)
    other = submit(org.other_dept, "sick", monday, 1)
    as_user(api, org.hr)

    def ids(**params):
        response = api.get(url("requests"), params)
        assert response.status_code == 200, response.json()
        return {r["id"] for r in response.json()["results"]}

    assert ids() == {sick.pk, annual.pk, peer.pk, other.pk}
    assert ids(status="withdrawn") == {peer.pk}
    assert ids(leave_type="annual") == {annual.pk}
    assert ids(employee=org.agent.pk) == {sick.pk, annual.pk}
    assert ids(team=org.b1.pk) == {other.pk}
    assert ids(department=org.dept_a.pk) == {sick.pk, annual.pk, peer.pk}
    assert ids(date_from=(monday + datetime.timedelta(days=10)).isoformat()) == {annual.pk}
    assert ids(date_to=monday.isoformat()) == {sick.pk, peer.pk, other.pk}
    assert ids(q=org.other_dept.name) == {other.pk}
    assert ids(mine="true") == set()
    assert api.get(url("requests"), {"status": "lost"}).status_code == 400
    # a supervisor's "employee" filter never widens what they see
    as_user(api, org.supervisor)
    assert ids(employee=org.other_dept.pk) == set()


# --- Schema and URLconf ---------------------------------------------------------------------------------------


def test_schema_documents_the_leave_api(api, org):
    paths = as_user(api, org.agent).get(reverse("api:schema"), {"format": "json"}).json()["paths"]
    prefix = "/api/v1/attendance/leave/"
    for tail in (
        "types/",
        "types/{id}/",
        "requests/",
        "requests/quote/",
        "requests/decide/",
        "requests/{id}/",
        "requests/{id}/approve/",
        "requests/{id}/reject/",
        "requests/{id}/withdraw/",
        "requests/{id}/revoke/",
        "requests/{id}/certificates/",
        "inbox/",
        "balances/",
        "balances/set/",
        "balances/grant/",
        "delegations/",
        "delegations/{id}/cancel/",
        "certificates/{id}/",
    ):
        assert prefix + tail in paths, tail
    submit_body = paths[prefix + "requests/"]["post"]["requestBody"]["content"]
    assert set(submit_body) == {"application/json", "multipart/form-data"}
    summaries = [op["summary"] for p, item in paths.items() if p.startswith(prefix) for op in item.values()]
    assert all("LV-" in s or "ATT-3" in s for s in summaries), summaries


# The schema generates without warnings (``spectacular --validate --fail-on-warn``) and has the
# leave requests' path: callcenter/tests/test_pages.py::test_openapi_schema_generates_without_warnings
# (one generation of the whole API's schema for the suite; the test above reads the leave paths).
