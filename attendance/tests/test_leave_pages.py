"""Leave pages (ATT-3, LV-1..LV-5): who may open what, the live quote, submitting with
certificates, the inbox (bounded queries, bulk decisions), the calendar, certificate downloads,
HR's types and balances."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import (
    ApprovalDelegation,
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
    leave_type,
    next_monday,
    pdf,
    roster_weeks,
)
from attendance.views.leave import INBOX_PAGE_SIZE
from callcenter.roles import Role
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

D = Decimal

ROLE_USERS = {
    Role.AGENT: "agent",
    Role.SUPERVISOR: "supervisor",
    Role.DEPARTMENT_MANAGER: "manager",
    Role.COMPANY_LEADER: "leader",
    Role.HR: "hr",
    Role.COMPLAINT_HANDLER: "handler",
    Role.SECURITY_AUDITOR: "auditor",
}
EVERYONE = set(ROLE_USERS)
LEAVE_VIEWERS = {Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR}

# (url name, roles that get 200); everyone else gets 403
PAGES = [
    ("attendance:leave", EVERYONE),
    ("attendance:leave_new", EVERYONE),
    ("attendance:leave_inbox", EVERYONE),
    ("attendance:leave_calendar", LEAVE_VIEWERS),
    ("attendance:leave_requests", LEAVE_VIEWERS),
    ("attendance:leave_types", {Role.HR}),
    ("attendance:leave_balances", {Role.HR}),
]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def monday(org):
    day = next_monday()
    roster_weeks(
        [org.agent, org.peer, org.supervisor, org.manager, org.leader, org.other_team, org.other_dept],
        day - datetime.timedelta(days=14),
        35,
    )
    return day


def submit(employee, code="sick", start=None, days=2, **kw):
    start = start or next_monday()
    end = start + datetime.timedelta(days=days - 1)
    if code == "sick":
        kw.setdefault("certificates", [pdf()])
    return services.leave_request_submit(
        actor=employee.user, leave_type_id=leave_type(code).pk, start_date=start, end_date=end, **kw
    )


@pytest.fixture
def sick(org, monday):
    """The agent's two-day sick leave with a certificate: supervisor, then manager (LV-4)."""
    return submit(org.agent, start=monday)


def login(client, org, who):
    client.force_login(getattr(org, who).user)


# --- Access: every page × every role ------------------------------------------------------------


@pytest.mark.parametrize("name,allowed", PAGES)
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_page_access_by_role(client, org, name, allowed, role):
    # given a user of each role; when they open each leave page; then allowed roles get it, others 403
    login(client, org, ROLE_USERS[role])
    response = client.get(reverse(name))
    assert response.status_code == (200 if role in allowed else 403)


@pytest.mark.parametrize("name,_allowed", PAGES)
def test_pages_need_a_login(client, db, name, _allowed):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# who sees the agent's (team A1, department A) request: self, A1's supervisor, A's manager and
# leader in charge, HR; not a peer agent, another team's agent, another department, other roles
REQUEST_VIEWERS = {"agent", "supervisor", "manager", "leader", "hr"}
ALL_USERS = ["agent", "peer", "supervisor", "other_team", "manager", "leader", "other_dept", "hr", "handler", "auditor"]


@pytest.mark.parametrize("who", ALL_USERS)
def test_request_page_and_certificate_follow_visibility(client, org, sick, who):
    # given the agent's sick leave with a certificate
    certificate = sick.certificates.get()
    login(client, org, who)
    # when each user opens the request page and the certificate URL
    page = client.get(reverse("attendance:leave_detail", args=[sick.pk]))
    download = client.get(reverse("attendance:leave_certificate", args=[certificate.pk]))
    # then only the allowed viewers get them; everyone else a 404 (not even "it exists")
    expected = 200 if who in REQUEST_VIEWERS else 404
    assert page.status_code == expected
    assert download.status_code == expected
    views = AuditEvent.objects.filter(action="leave_certificate.view", object_id=str(certificate.pk))
    assert views.count() == (1 if who in REQUEST_VIEWERS else 0)


def test_other_teams_request_is_not_visible_to_this_supervisor(client, org, monday):
    # given a request of team A2 (no supervisor: routed to the department manager)
    other = submit(org.other_team, start=monday)
    # when A1's supervisor opens it, or tries to approve it by URL; then 404 and nothing changes
    login(client, org, "supervisor")
    assert client.get(reverse("attendance:leave_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("attendance:leave_approve", args=[other.pk])).status_code == 404
    other.refresh_from_db()
    assert other.status == LeaveStatus.PENDING
    # while the department manager sees it in the inbox
    login(client, org, "manager")
    assert f'id="inbox-{other.pk}"' in client.get(reverse("attendance:leave_inbox")).content.decode()


def test_certificate_download_is_an_attachment_with_its_type_and_audited(client, org, sick):
    certificate = sick.certificates.get()
    login(client, org, "supervisor")
    response = client.get(reverse("attendance:leave_certificate", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E8%AF%8A%E6%96%AD%E8%AF%81%E6%98%8E.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    event = AuditEvent.objects.get(action="leave_certificate.view")
    assert event.actor == org.supervisor.user and event.changes["request"] == sick.pk


def test_unknown_certificate_is_404(client, org, db):
    login(client, org, "hr")
    assert client.get(reverse("attendance:leave_certificate", args=[999999])).status_code == 404


# --- My leave -----------------------------------------------------------------------------------


def test_my_leave_shows_own_requests_route_and_balances(client, org, monday, sick):
    # given an annual balance (5 days, 1 pending) and the sick leave, and a peer's request
    annual_balance(org.agent, timezone.localdate().year, entitled="5")
    peer = submit(org.peer, start=monday)
    login(client, org, "agent")
    html = client.get(reverse("attendance:leave")).content.decode()
    # then the own request with its route shows, the peer's does not, and the balance explains itself
    assert f'id="leave-{sick.pk}"' in html and f'id="leave-{peer.pk}"' not in html
    assert org.supervisor.name in html and org.manager.name in html
    assert 'data-balance-type="annual"' in html
    assert reverse("attendance:leave_new") in html


def test_my_leave_is_paginated(client, org, monday):
    # given 22 half-day requests (mornings and afternoons of 11 weekdays)
    weekdays = [
        monday + datetime.timedelta(days=n) for n in range(16) if (monday + datetime.timedelta(days=n)).weekday() < 5
    ]
    for day in weekdays[:11]:
        submit(org.agent, start=day, days=1, ends_at_noon=True)
        submit(org.agent, start=day, days=1, starts_afternoon=True)
    login(client, org, "agent")
    html = client.get(reverse("attendance:leave")).content.decode()
    # then 20 on the first page, and a link to the next
    assert len(re.findall(r'<tr id="leave-\d+"', html)) == 20
    assert "page=2" in html


# --- The live quote (before submitting) ---------------------------------------------------------


def test_quote_shows_days_breakdown_route_and_article(client, org, monday):
    login(client, org, "agent")
    response = client.get(
        reverse("attendance:leave_quote"),
        {
            "leave_type": leave_type("sick").pk,
            "start_date": monday.isoformat(),
            "end_date": (monday + datetime.timedelta(days=1)).isoformat(),
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="stat" id="quote-days">2</div>' in html
    assert 'data-tier="supervisor"' in html and 'data-tier="manager"' in html and 'data-tier="leader"' not in html
    assert org.supervisor.name in html and org.manager.name in html
    assert "LV-4" in html
    assert html.count("<tr") == 3  # header + two days, each explained
    assert "<html" not in html  # a fragment for htmx, not a page
    assert not LeaveRequest.objects.exists()


def test_quote_shows_half_days_balance_after_and_problems(client, org, monday):
    # given 1 day of annual leave left; when the quote asks for 1.5 days (ends at noon)
    annual_balance(org.agent, monday.year, entitled="1")
    login(client, org, "agent")
    html = client.get(
        reverse("attendance:leave_quote"),
        {
            "leave_type": leave_type("annual").pk,
            "start_date": monday.isoformat(),
            "end_date": (monday + datetime.timedelta(days=1)).isoformat(),
            "ends_at_noon": "on",
        },
    ).content.decode()
    # then 1.5 days, -0.5 left after, and the problem is listed before submitting
    assert 'id="quote-days">1.5<' in html
    assert 'id="quote-balance-after">-0.5<' in html
    assert 'id="quote-problems"' in html


def test_quote_with_reversed_dates_explains_instead_of_failing(client, org, monday):
    login(client, org, "agent")
    response = client.get(
        reverse("attendance:leave_quote"),
        {
            "leave_type": leave_type("sick").pk,
            "start_date": monday.isoformat(),
            "end_date": (monday - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200 and 'id="quote-error"' in response.content.decode()


def test_quote_without_dates_asks_for_them(client, org, db):
    login(client, org, "agent")
    html = client.get(reverse("attendance:leave_quote"), {"leave_type": leave_type("sick").pk}).content.decode()
    assert 'id="quote-error"' in html


# --- Submitting ---------------------------------------------------------------------------------


def form_data(monday, code="sick", days=2, **extra):
    return {
        "leave_type": leave_type(code).pk,
        "start_date": monday.isoformat(),
        "end_date": (monday + datetime.timedelta(days=days - 1)).isoformat(),
        "extra_babies": "0",
        **extra,
    }


def test_submit_with_certificates_creates_the_request(client, org, monday, settings):
    login(client, org, "agent")
    data = form_data(monday, reason="发烧")
    data["certificates"] = [pdf(), pdf(name="化验单.png", content_type="image/png", data=PNG_BYTES)]
    response = client.post(reverse("attendance:leave_new"), data)
    leave = LeaveRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("attendance:leave_detail", args=[leave.pk])
    assert leave.employee == org.agent and leave.days == D("2")
    assert leave.certificates.count() == 2
    assert leave.steps.get(order=0).approver == org.supervisor


def test_submit_with_a_bad_certificate_is_400_and_changes_nothing(client, org, monday, settings):
    # given an executable renamed to .pdf
    login(client, org, "agent")
    data = form_data(monday)
    data["certificates"] = [pdf(name="诊断.pdf", data=EXE_BYTES)]
    # when submitted; then 400 with the reason, no request, no certificate, no file stored
    response = client.post(reverse("attendance:leave_new"), data)
    assert response.status_code == 400
    assert "不是 PDF、JPEG 或 PNG 文件" in response.content.decode()  # the agent reads zh-Hans
    assert not LeaveRequest.objects.exists() and not LeaveCertificate.objects.exists()
    private = settings.PRIVATE_MEDIA_ROOT
    assert not private.exists() or not [p for p in private.rglob("*") if p.is_file()]


def test_sick_leave_without_certificate_is_refused_with_the_article(client, org, monday):
    login(client, org, "agent")
    response = client.post(reverse("attendance:leave_new"), form_data(monday))
    assert response.status_code == 400
    assert "LV-2" in response.content.decode()
    assert not LeaveRequest.objects.exists()


def test_personal_leave_needs_reason_and_expected_days(client, org, monday):
    login(client, org, "agent")
    response = client.post(reverse("attendance:leave_new"), form_data(monday, code="personal", days=1))
    assert response.status_code == 400 and not LeaveRequest.objects.exists()
    ok = client.post(
        reverse("attendance:leave_new"),
        form_data(monday, code="personal", days=1, reason="家里有事需要处理", expected_days="1"),
    )
    assert ok.status_code == 302 and LeaveRequest.objects.get().expected_days == D("1")


def test_a_refusal_about_one_field_is_shown_at_that_field(client, org, monday):
    # given personal leave without its reason (LV-2); then the service's refusal sits under "reason"
    login(client, org, "agent")
    html = client.post(reverse("attendance:leave_new"), form_data(monday, code="personal", days=1)).content.decode()
    assert 'id="id_reason_error"' in html and "LV-2" in html


def test_form_error_keeps_the_quote_on_the_page(client, org, monday):
    login(client, org, "agent")
    html = client.post(reverse("attendance:leave_new"), form_data(monday)).content.decode()
    assert 'id="quote-days">2<' in html and 'id="quote-route"' in html


def test_user_without_employee_record_cannot_request(client, db):
    user = f.UserFactory(username="root_like")
    client.force_login(user)
    assert 'id="leave-no-employee"' in client.get(reverse("attendance:leave_new")).content.decode()
    assert 'id="leave-no-employee"' in client.get(reverse("attendance:leave")).content.decode()


# --- The request page's actions -----------------------------------------------------------------


def test_two_step_approval_from_the_request_page(client, org, sick):
    # given the supervisor's turn; when the manager tries first; then refused with the reason
    login(client, org, "manager")
    page = client.get(reverse("attendance:leave_detail", args=[sick.pk])).content.decode()
    assert 'id="leave-approve"' not in page
    response = client.post(reverse("attendance:leave_approve", args=[sick.pk]), follow=True)
    assert "LV-4" in response.content.decode()
    # when the supervisor approves, then the manager
    login(client, org, "supervisor")
    assert 'id="leave-approve"' in client.get(reverse("attendance:leave_detail", args=[sick.pk])).content.decode()
    client.post(reverse("attendance:leave_approve", args=[sick.pk]), {"comment": "早日康复"})
    login(client, org, "manager")
    client.post(reverse("attendance:leave_approve", args=[sick.pk]))
    # then approved, and the page shows both steps with who and the comment
    sick.refresh_from_db()
    assert sick.status == LeaveStatus.APPROVED
    login(client, org, "agent")
    html = client.get(reverse("attendance:leave_detail", args=[sick.pk])).content.decode()
    assert html.count('data-step-status="approved"') == 2 and "早日康复" in html


def test_reject_needs_a_comment(client, org, sick):
    login(client, org, "supervisor")
    client.post(reverse("attendance:leave_reject", args=[sick.pk]), {"comment": ""})
    sick.refresh_from_db()
    assert sick.status == LeaveStatus.PENDING
    client.post(reverse("attendance:leave_reject", args=[sick.pk]), {"comment": "材料不全"})
    sick.refresh_from_db()
    assert sick.status == LeaveStatus.REJECTED


def test_only_the_requester_withdraws(client, org, sick):
    login(client, org, "supervisor")
    client.post(reverse("attendance:leave_withdraw", args=[sick.pk]))
    sick.refresh_from_db()
    assert sick.status == LeaveStatus.PENDING
    login(client, org, "agent")
    assert 'id="leave-withdraw"' in client.get(reverse("attendance:leave_detail", args=[sick.pk])).content.decode()
    client.post(reverse("attendance:leave_withdraw", args=[sick.pk]))
    sick.refresh_from_db()
    assert sick.status == LeaveStatus.WITHDRAWN


def test_requester_adds_a_certificate_others_cannot(client, org, sick):
    login(client, org, "supervisor")
    client.post(reverse("attendance:leave_certificate_add", args=[sick.pk]), {"certificate": pdf(name="b.pdf")})
    assert sick.certificates.count() == 1
    login(client, org, "agent")
    client.post(reverse("attendance:leave_certificate_add", args=[sick.pk]), {"certificate": pdf(name="b.pdf")})
    assert sick.certificates.count() == 2


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "hr"])
def test_only_hr_revokes_approved_leave(client, org, sick, who):
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=sick.pk)
    services.leave_request_approve(actor=org.manager.user, leave_request_id=sick.pk)
    login(client, org, who)
    response = client.post(reverse("attendance:leave_revoke", args=[sick.pk]), {"reason": "证明材料不实"})
    sick.refresh_from_db()
    if who == "hr":
        assert response.status_code == 302 and sick.status == LeaveStatus.REVOKED
        assert sick.revoke_reason == "证明材料不实"
    else:
        assert response.status_code == 403 and sick.status == LeaveStatus.APPROVED


# --- Inbox ---------------------------------------------------------------------------------------


@pytest.fixture
def crowd(org, monday):
    """22 agents of team A1 with a one-day request each (supervisor decides): sick leave with a
    certificate, or annual leave from a balance."""
    agents = [
        f.EmployeeFactory(
            user=f.UserFactory(username=f"a1_{n}", roles=[Role.AGENT]), team=org.a1, department=org.dept_a
        )
        for n in range(22)
    ]
    roster_weeks(agents, monday - datetime.timedelta(days=14), 35)
    requests = []
    for n, agent in enumerate(agents):
        code = "sick" if n % 2 else "annual"
        if code == "annual":
            annual_balance(agent, monday.year)
        requests.append(submit(agent, code=code, start=monday + datetime.timedelta(days=n % 5), days=1))
    return requests


def test_inbox_queries_are_bounded(client, org, crowd, django_assert_max_num_queries):
    # given 22 pending requests with certificates, balances and coverage; a delegation too
    ApprovalDelegation.objects.create(
        delegator=org.manager,
        delegate=org.supervisor,
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
        created_by=org.manager.user,
    )
    login(client, org, "supervisor")
    client.get(reverse("callcenter:dashboard"))  # session and per-session caches warm, as in real use
    # At most 15 (the bar): session, user, employee, roles, delegators, requests, steps,
    # certificates, balances, roster, leave (coverage), navigation (3) and the notification count.
    with django_assert_max_num_queries(15) as captured:
        response = client.get(reverse("attendance:leave_inbox"))
    html = response.content.decode()
    # and the count does not grow with the number of requests
    crowd_size = len(captured)
    for n, agent in enumerate(f.EmployeeFactory.create_batch(3, team=org.a1, department=org.dept_a)):
        roster_weeks([agent], next_monday(), 7)
        submit(agent, start=next_monday() + datetime.timedelta(days=n), days=1)
    with django_assert_max_num_queries(crowd_size):
        assert client.get(reverse("attendance:leave_inbox")).content.decode().count('name="ids"') == len(crowd) + 3
    # then every request is there, each with its balance or certificate, and the delegation panel loads apart
    assert response.status_code == 200
    assert html.count('name="ids"') == len(crowd)
    assert html.count("data-balance") == len(crowd) // 2
    assert html.count("data-certificate=") == len(crowd) // 2
    assert reverse("attendance:leave_delegations") in html
    with django_assert_max_num_queries(12):
        panel = client.get(reverse("attendance:leave_delegations"), headers={"HX-Request": "true"})
    panel_html = panel.content.decode()
    assert panel_html.lstrip().startswith('<div class="row g-3" id="delegations-panel">')
    assert 'id="delegation-form"' in panel_html and org.manager.name in panel_html


def test_inbox_shows_coverage_and_warns_below_minimum(client, org, monday):
    # given a shift needing 5 on duty, 5 scheduled, and the peer already off
    shift = roster_weeks([], monday, 0)
    shift.min_staff = 5  # agent, peer, supervisor, manager, leader are all rostered on it
    shift.save()
    peer = submit(org.peer, start=monday, days=1)
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=peer.pk)
    mine = submit(org.agent, start=monday, days=1)
    login(client, org, "supervisor")
    html = client.get(reverse("attendance:leave_inbox")).content.decode()
    # then approving the agent would leave 3 of the 5 needed: the row is marked and warned
    assert f'id="inbox-{mine.pk}"' in html
    assert "data-coverage-warning" in html and 'data-below-minimum="1"' in html


def test_bulk_approve_reports_each_outcome(client, org, monday):
    # given three one-day requests of A1 and one of team A2 (not the supervisor's)
    ones = [submit(org.agent, start=monday + datetime.timedelta(days=n), days=1) for n in range(2)]
    ones.append(submit(org.peer, start=monday, days=1))
    foreign = submit(org.other_team, start=monday, days=1)
    login(client, org, "supervisor")
    response = client.post(
        reverse("attendance:leave_decide"),
        {"ids": [r.pk for r in ones] + [foreign.pk], "action": "approve", "comment": "同意"},
        follow=True,
    )
    # then the three are approved, the foreign one untouched and reported
    assert {r.status for r in LeaveRequest.objects.filter(pk__in=[r.pk for r in ones])} == {LeaveStatus.APPROVED}
    foreign.refresh_from_db()
    assert foreign.status == LeaveStatus.PENDING
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 4
    assert sum(org.agent.name in m for m in messages) == 2
    assert any(f"#{foreign.pk}" in m for m in messages)


def test_bulk_reject_without_comment_rejects_nothing(client, org, monday):
    one = submit(org.agent, start=monday, days=1)
    login(client, org, "supervisor")
    client.post(reverse("attendance:leave_decide"), {"ids": [one.pk], "action": "reject", "comment": ""})
    one.refresh_from_db()
    assert one.status == LeaveStatus.PENDING


def test_bulk_without_selection_says_so(client, org, db):
    login(client, org, "supervisor")
    response = client.post(reverse("attendance:leave_decide"), {"action": "approve"}, follow=True)
    assert response.status_code == 200 and len(list(response.context["messages"])) == 1


def test_one_by_one_from_the_inbox_returns_to_the_inbox(client, org, monday):
    one = submit(org.agent, start=monday, days=1)
    login(client, org, "supervisor")
    response = client.post(reverse("attendance:leave_approve", args=[one.pk]), {"next": "inbox"})
    assert response["Location"] == reverse("attendance:leave_inbox")
    one.refresh_from_db()
    assert one.status == LeaveStatus.APPROVED


def test_delegation_from_the_inbox_and_the_delegate_decides(client, org, monday):
    # given the supervisor delegates to a peer agent for today
    today = timezone.localdate()
    login(client, org, "supervisor")
    response = client.post(
        reverse("attendance:leave_delegations"),
        {"delegate": org.peer.pk, "start_date": today.isoformat(), "end_date": today.isoformat(), "reason": "出差"},
    )
    assert response.status_code == 302
    delegation = ApprovalDelegation.objects.get()
    # when the agent files a one-day request; then the peer's inbox has it, marked on behalf
    one = submit(org.agent, start=monday, days=1)
    login(client, org, "peer")
    html = client.get(reverse("attendance:leave_inbox")).content.decode()
    assert f'id="inbox-{one.pk}"' in html and org.supervisor.name in html
    client.post(reverse("attendance:leave_approve", args=[one.pk]), {"next": "inbox"})
    step = one.steps.get()
    assert step.status == StepStatus.APPROVED and step.on_behalf
    # and the supervisor cancels the delegation; the peer cannot
    client.post(reverse("attendance:leave_delegation_cancel", args=[delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.cancelled_at is None
    login(client, org, "supervisor")
    client.post(reverse("attendance:leave_delegation_cancel", args=[delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.cancelled_at is not None


def test_delegation_errors_are_400(client, org, db):
    login(client, org, "supervisor")
    today = timezone.localdate()
    response = client.post(
        reverse("attendance:leave_delegations"),
        {
            "delegate": org.peer.pk,
            "start_date": today.isoformat(),
            "end_date": (today + datetime.timedelta(days=200)).isoformat(),
        },
    )
    assert response.status_code == 400 and not ApprovalDelegation.objects.exists()


def test_agents_cannot_delegate(client, org, db):
    login(client, org, "agent")
    assert 'id="delegation-form"' not in client.get(reverse("attendance:leave_delegations")).content.decode()
    today = timezone.localdate().isoformat()
    client.post(
        reverse("attendance:leave_delegations"),
        {"delegate": org.peer.pk, "start_date": today, "end_date": today},
    )
    assert not ApprovalDelegation.objects.exists()


# --- Calendar ------------------------------------------------------------------------------------


def test_calendar_shows_approved_and_pending_leave(client, org, monday, sick):
    services.leave_request_approve(actor=org.supervisor.user, leave_request_id=sick.pk)
    services.leave_request_approve(actor=org.manager.user, leave_request_id=sick.pk)
    half = submit(org.peer, code="sick", start=monday, days=1, ends_at_noon=True)
    login(client, org, "supervisor")
    html = client.get(
        reverse("attendance:leave_calendar"), {"team": org.a1.pk, "month": monday.strftime("%Y-%m")}
    ).content.decode()
    assert f'data-date="{monday.isoformat()}" data-status="approved" data-part="full"' in html
    assert f'data-date="{monday.isoformat()}" data-status="pending" data-part="morning"' in html
    assert f'data-off-date="{monday.isoformat()}">1<' in html
    assert reverse("attendance:leave_detail", args=[half.pk]) in html
    assert org.other_dept.name not in html


def test_calendar_htmx_returns_the_grid_only(client, org, monday):
    login(client, org, "supervisor")
    response = client.get(
        reverse("attendance:leave_calendar"), {"team": org.a1.pk, "month": "2026-02"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section id="leave-calendar-grid"')


@pytest.mark.parametrize("who,team,status", [("supervisor", "a2", 404), ("manager", "a2", 200), ("hr", "b1", 200)])
def test_calendar_team_must_be_visible(client, org, who, team, status):
    login(client, org, who)
    response = client.get(reverse("attendance:leave_calendar"), {"team": getattr(org, team).pk})
    assert response.status_code == status


def test_calendar_bad_month_falls_back(client, org, db):
    login(client, org, "hr")
    assert client.get(reverse("attendance:leave_calendar"), {"month": "2026-13"}).status_code == 200


# --- All requests (HR; managers for their area) ------------------------------------------------


def test_requests_list_filters_and_visibility(client, org, monday, sick):
    other = submit(org.other_team, start=monday, days=1)
    url = reverse("attendance:leave_requests")
    login(client, org, "hr")
    html = client.get(url).content.decode()
    assert f'id="leave-row-{sick.pk}"' in html and f'id="leave-row-{other.pk}"' in html
    html = client.get(url, {"team": org.a2.pk, "status": "pending", "leave_type": "sick"}).content.decode()
    assert f'id="leave-row-{sick.pk}"' not in html and f'id="leave-row-{other.pk}"' in html
    assert "leave-row-" not in client.get(url, {"department": org.dept_b.pk}).content.decode()
    assert "leave-row-" not in client.get(url, {"status": "approved"}).content.decode()
    html = client.get(url, {"q": org.agent.name}).content.decode()
    assert f'id="leave-row-{sick.pk}"' in html and f'id="leave-row-{other.pk}"' not in html
    html = client.get(url, {"date_from": (monday + datetime.timedelta(days=7)).isoformat()}).content.decode()
    assert "leave-row-" not in html
    # a stale link with bad values still shows the page
    assert client.get(url, {"team": "x", "date_to": "nope"}).status_code == 200
    # htmx gets the results only
    fragment = client.get(url, {"q": org.agent.name}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section class="card htmx-dim" id="leave-results"')
    # the supervisor of A1 sees A1 only
    login(client, org, "supervisor")
    html = client.get(url).content.decode()
    assert f'id="leave-row-{sick.pk}"' in html and f'id="leave-row-{other.pk}"' not in html


# --- HR: types and balances ----------------------------------------------------------------------


def test_hr_creates_and_edits_a_leave_type(client, org, db):
    login(client, org, "hr")
    response = client.post(
        reverse("attendance:leave_types"),
        {
            "code": "study",
            "name": "学习假",
            "name_en": "Study leave",
            "counting": "working",
            "uses_balance": "on",
            "max_days_per_request": "2",
            "allow_half_days": "on",
            "paid": "on",
            "active": "on",
            "sort_order": "200",
        },
    )
    assert response.status_code == 302
    study = LeaveType.objects.get(code="study")
    assert study.rule == "custom" and study.max_days_per_request == D("2")
    assert AuditEvent.objects.filter(action="leave_type.create").exists()
    response = client.post(
        reverse("attendance:leave_type_edit", args=[study.pk]),
        {"code": "hacked", "name": "学习假", "name_en": "Study leave", "counting": "calendar", "sort_order": "5"},
    )
    study.refresh_from_db()
    assert response.status_code == 302 and study.code == "study" and study.counting == "calendar"
    assert not study.active


def test_duplicate_type_code_is_a_form_error(client, org, db):
    login(client, org, "hr")
    response = client.post(
        reverse("attendance:leave_types"),
        {"code": "sick", "name": "x", "name_en": "x", "counting": "working", "sort_order": "1"},
    )
    assert response.status_code == 400


def test_hr_sets_a_balance_with_a_reason(client, org, db):
    year = timezone.localdate().year
    login(client, org, "hr")
    response = client.post(
        reverse("attendance:leave_balance_set"),
        {
            "employee_no": org.agent.employee_no,
            "leave_type": leave_type("annual").pk,
            "year": year,
            "entitled_days": "7.5",
            "reason": "补发去年未休",
        },
    )
    assert response.status_code == 302
    balance = LeaveBalance.objects.get(employee=org.agent)
    assert balance.entitled_days == D("7.5") and balance.detail["reason"] == "补发去年未休"
    html = client.get(response["Location"]).content.decode()
    assert f'id="balance-{balance.pk}"' in html and "补发去年未休" in html


@pytest.mark.parametrize(
    "employee_no,days,reason",
    [("NOPE", "5", "原因原因原因"), (None, "5", "abc"), (None, "7.3", "原因原因原因")],
)
def test_bad_balance_changes_are_400(client, org, db, employee_no, days, reason):
    login(client, org, "hr")
    response = client.post(
        reverse("attendance:leave_balance_set"),
        {
            "employee_no": employee_no or org.agent.employee_no,
            "leave_type": leave_type("annual").pk,
            "year": timezone.localdate().year,
            "entitled_days": days,
            "reason": reason,
        },
    )
    assert response.status_code == 400 and not LeaveBalance.objects.exists()


def test_hr_grants_annual_leave_once(client, org, db):
    year = timezone.localdate().year
    login(client, org, "hr")
    client.post(reverse("attendance:leave_balance_grant"), {"year": year})
    granted = LeaveBalance.objects.filter(year=year).count()
    assert granted == 10  # every employee of the org fixture (hired 2024, working since 2020)
    response = client.post(reverse("attendance:leave_balance_grant"), {"year": year}, follow=True)
    assert LeaveBalance.objects.filter(year=year).count() == granted
    assert "LV-3" in response.content.decode()


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager"])
def test_only_hr_changes_balances_and_types(client, org, db, who):
    login(client, org, who)
    year = timezone.localdate().year
    assert client.post(reverse("attendance:leave_balance_grant"), {"year": year}).status_code == 403
    assert (
        client.post(
            reverse("attendance:leave_balance_set"),
            {"employee_no": org.agent.employee_no, "leave_type": leave_type("annual").pk, "year": year},
        ).status_code
        == 403
    )
    assert client.post(reverse("attendance:leave_types"), {"code": "x"}).status_code == 403
    assert not LeaveBalance.objects.exists()


# --- Navigation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who,present,absent",
    [
        ("agent", ["leave"], ["leave_inbox", "leave_calendar", "leave_requests"]),
        ("supervisor", ["leave", "leave_inbox", "leave_calendar"], ["leave_requests"]),
        ("hr", ["leave", "leave_calendar", "leave_requests"], ["leave_inbox"]),
    ],
)
def test_navigation_entries(client, org, who, present, absent):
    login(client, org, who)
    html = client.get(reverse("callcenter:dashboard")).content.decode()
    for key in present:
        assert f'data-nav-key="{key}"' in html
    for key in absent:
        assert f'data-nav-key="{key}"' not in html


def test_inbox_paginates(client, org):
    # given 55 one-day requests waiting for the supervisor (11 members x 5 weekdays)
    monday = next_monday()
    members = [f.EmployeeFactory(team=org.a1, department=org.dept_a) for _ in range(11)]
    roster_weeks(members, monday, 7)
    for member in members:
        for n in range(5):
            day = monday + datetime.timedelta(days=n)
            services.leave_request_submit(
                actor=member.user,
                leave_type_id=leave_type("sick").pk,
                start_date=day,
                end_date=day,
                certificates=[pdf()],
            )
    login(client, org, "supervisor")
    # when the inbox is opened / then one page of INBOX_PAGE_SIZE (25), the total in the
    # heading, and the rest on the following pages

    first = client.get(reverse("attendance:leave_inbox")).content.decode()
    assert first.count('name="ids"') == INBOX_PAGE_SIZE == 25
    assert re.search(r'id="leave-inbox-count">55<', first)
    last = client.get(reverse("attendance:leave_inbox") + "?page=3").content.decode()
    assert last.count('name="ids"') == 5


def test_request_page_speaks_the_readers_language(client, org):
    # given a 1-day sick leave; when the requester reads it in English, then every label is
    # English (labels are translated when the page renders, not when the module loads)
    monday = next_monday()
    roster_weeks([org.agent], monday, 7)
    request = services.leave_request_submit(
        actor=org.agent.user,
        leave_type_id=leave_type("sick").pk,
        start_date=monday,
        end_date=monday,
        certificates=[pdf()],
    )
    org.agent.user.preferred_language = "en"
    org.agent.user.save(update_fields=["preferred_language"])
    login(client, org, "agent")
    html = client.get(reverse("attendance:leave_detail", args=[request.pk])).content.decode()
    assert "whole day" in html and "全天" not in html
    org.agent.user.preferred_language = "zh-hans"
    org.agent.user.save(update_fields=["preferred_language"])
    html = client.get(reverse("attendance:leave_detail", args=[request.pk])).content.decode()
    assert "全天" in html
