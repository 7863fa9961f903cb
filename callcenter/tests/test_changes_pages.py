"""Transfers and changes in the browser and over the API (issue 13): the role × own / team /
other team / other department matrix of the history (pay events for HR and the employee only),
HR-only forms and endpoints, mass assignment, bad input, query counts.

The ``org`` fixture: HR in department B; the agent (the person looked at) in team A1 with
``peer``, supervised by ``supervisor``; ``manager`` and ``leader`` head department A;
``other_team`` in A2, ``other_dept`` in B."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter import services
from callcenter.models import EmploymentEvent
from callcenter.services import employment_event_record

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
# Who sees the agent's record at all, and who sees their pay (HR and the agent alone).
SEES = {"hr": True, "agent": True, "supervisor": True, "manager": True, "leader": True}
SEES_PAY = {"hr", "agent"}
EVERYONE = ["hr", "agent", "peer", "supervisor", "manager", "leader", "other_team", "other_dept", "handler"]


@pytest.fixture
def history(org):
    """A pay change applied five days ago, one scheduled in 20 days, and a name corrected today."""
    services.employee_pay_change(
        actor=org.hr.user,
        employee_id=org.agent.pk,
        monthly_base_pay=Decimal("6100.00"),
        bonus_base=Decimal("1000.00"),
        effective_on=timezone.localdate() - 5 * DAY,
    )
    scheduled = services.employee_pay_change(
        actor=org.hr.user,
        employee_id=org.agent.pk,
        monthly_base_pay=Decimal("6800.00"),
        bonus_base=Decimal("1300.00"),
        effective_on=timezone.localdate() + 20 * DAY,
    )
    services.employee_update(actor=org.hr.user, employee_id=org.agent.pk, name="张伟强")
    return scheduled


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_authenticate(user)
    return client


# --- The history: role matrix, pay hidden but from HR and the employee ---------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_history_page_role_matrix_and_pay(org, history, who):
    """Given the agent's history (two pay changes, one scheduled, and a name change), each role
    sees it only within their remit (404 otherwise), and the pay events only as HR or the agent;
    only HR gets the cancel button and the transfer / pay links."""
    response = _client(getattr(org, who).user).get(reverse("callcenter:employee_history", args=[org.agent.pk]))
    if who not in SEES:
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert "张伟强" in html  # the name change, seen by everyone who sees the record
    assert ("6,800.00" in html or "6800.00" in html) == (who in SEES_PAY)
    assert ("6100.00" in html or "6,100.00" in html) == (who in SEES_PAY)
    assert (f'id="employment-event-cancel-{history.pk}"' in html) == (who == "hr")
    assert ('id="employee-transfer-link"' in html) == (who == "hr")


@pytest.mark.parametrize("who", EVERYONE)
def test_history_api_role_matrix_and_pay(org, history, who):
    response = _api(getattr(org, who).user).get(reverse("api:callcenter:employee_history", args=[org.agent.pk]))
    if who not in SEES:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    body = response.json()
    kinds = sorted(row["kind"] for row in body["results"])
    assert kinds == (["change", "pay", "pay"] if who in SEES_PAY else ["change"])
    assert all("monthly_base_pay" not in row["changes"] for row in body["results"]) == (who not in SEES_PAY)


@pytest.mark.parametrize("who", ["hr", "agent", "supervisor", "manager", "leader"])
def test_the_employee_page_shows_pay_to_hr_and_the_employee_only(org, who):
    html = _client(getattr(org, who).user).get(reverse("callcenter:employee_detail", args=[org.agent.pk]))
    html = html.content.decode()
    assert ('id="monthly-base-pay"' in html) == (who in SEES_PAY)
    assert ('id="bonus-base"' in html) == (who in SEES_PAY)


def test_the_employee_page_loads_the_timeline(org, history):
    html = _client(org.supervisor.user).get(reverse("callcenter:employee_detail", args=[org.agent.pk])).content.decode()
    assert 'id="employment-panel"' in html
    assert f'hx-get="{reverse("callcenter:employee_history", args=[org.agent.pk])}"' in html


def test_the_timeline_fragment_for_htmx(org, history):
    response = _client(org.hr.user).get(
        reverse("callcenter:employee_history", args=[org.agent.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<div id="employment-timeline">')
    assert "<html" not in html


def test_the_timeline_names_the_employment_status_in_the_readers_language(org):
    """A leaving's status change reads as the status's label (在职 → 已离职 for a Chinese
    reader, Active → Left in English), never the stored value ("active → left")."""
    today = timezone.localdate()
    services.employee_leave_schedule(
        actor=org.hr.user, employee_id=org.agent.pk, last_working_day=today, reason="resignation"
    )
    services.leavers_deactivate_due(today=today + DAY)
    url = reverse("callcenter:employee_history", args=[org.agent.pk])
    client = Client()
    client.force_login(org.hr.user)  # preferred language: zh-hans
    html = client.get(url).content.decode()
    assert "在职 → <span" in html and "已离职</span>" in html and "active →" not in html
    html = _client(org.hr.user).get(url).content.decode()
    assert "Active → <span" in html and "Left</span>" in html


def test_history_page_and_api_queries_are_bounded(org, django_assert_max_num_queries):
    """Given 60 events (transfers across three teams, pay, other changes), the page and the API
    read a bounded number of queries, whatever the number of events."""
    teams = [org.a1, org.a2, org.b1]
    for n in range(60):
        kind = ["transfer", "pay", "change"][n % 3]
        changes = {
            "transfer": {"team": [teams[n % 3].pk, teams[(n + 1) % 3].pk]},
            "pay": {"monthly_base_pay": ["5000.00", f"{5000 + n}.00"]},
            "change": {"name": ["张伟", f"张伟{n}"]},
        }[kind]
        employment_event_record(
            actor=org.hr.user,
            employee=org.agent,
            kind=kind,
            effective_on=timezone.localdate() - n * DAY,
            changes=changes,
        )
    client = _client(org.hr.user)
    with django_assert_max_num_queries(22):
        response = client.get(reverse("callcenter:employee_history", args=[org.agent.pk]), {"page": 2})
    assert response.status_code == 200
    api = _api(org.hr.user)
    with django_assert_max_num_queries(12):
        response = api.get(reverse("api:callcenter:employee_history", args=[org.agent.pk]))
    assert response.status_code == 200 and response.json()["count"] == 60


# --- HR's forms: who may, mass assignment, bad input ----------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("page", ["callcenter:employee_transfer", "callcenter:employee_pay_change"])
def test_transfer_and_pay_pages_are_hr_only(org, who, page):
    """A supervisor (or anyone but HR) cannot open the transfer or pay pages of anyone: 403."""
    response = _client(getattr(org, who).user).get(reverse(page, args=[org.peer.pk]))
    assert response.status_code == (200 if who == "hr" else 403)


def test_the_transfer_form_names_the_supervisor_each_team_brings(org):
    html = _client(org.hr.user).get(reverse("callcenter:employee_transfer", args=[org.agent.pk])).content.decode()
    assert "一组 (客服一部) — supervisor: 李娜" in html
    assert "二组 (客服一部) — supervisor: no supervisor" in html


def test_hr_transfers_from_the_page_and_the_event_follows_the_date(org):
    client = _client(org.hr.user)
    when = timezone.localdate() + 3 * DAY
    body = {
        "department": org.dept_a.pk,
        "team": org.a2.pk,
        "position": org.agent.position_id,
        "effective_on": when.isoformat(),
        "reason": "业务调整",
        # mass assignment: none of these is the form's
        "status": "applied",
        "employee": org.peer.pk,
        "recorded_by": org.supervisor.user.pk,
        "changes": '{"monthly_base_pay": [null, "1.00"]}',
    }
    response = client.post(reverse("callcenter:employee_transfer", args=[org.agent.pk]), body)
    assert response.status_code == 302
    event = EmploymentEvent.objects.get()
    assert (event.employee_id, event.status, event.recorded_by_id) == (org.agent.pk, "scheduled", org.hr.user.pk)
    assert event.changes == {"team": [None, org.a2.pk]} and event.reason == "业务调整"
    # HR cancels it from the timeline
    response = client.post(
        reverse("callcenter:employment_event_cancel", args=[event.pk]),
        {"next": reverse("callcenter:employee_detail", args=[org.agent.pk])},
    )
    assert response.status_code == 302 and response.url == reverse("callcenter:employee_detail", args=[org.agent.pk])
    assert EmploymentEvent.objects.get().status == "cancelled"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("effective_on", "2026-13-45"),
        ("effective_on", "99999-01-01"),
        ("effective_on", "1999-12-31"),
        ("effective_on", ""),
        ("team", "999999999999999999999999"),
        ("department", "abc"),
        ("position", ""),
    ],
)
def test_transfer_page_bad_input_is_a_clear_400_and_changes_nothing(org, field, value):
    body = {
        "department": org.dept_a.pk,
        "team": org.a2.pk,
        "position": org.agent.position_id,
        "effective_on": timezone.localdate().isoformat(),
        field: value,
    }
    response = _client(org.hr.user).post(reverse("callcenter:employee_transfer", args=[org.agent.pk]), body)
    assert response.status_code == 400
    assert not EmploymentEvent.objects.exists()
    org.agent.refresh_from_db()
    assert org.agent.team_id == org.a1.pk


def test_transfer_page_refusals_show_on_the_form(org):
    client = _client(org.hr.user)
    url = reverse("callcenter:employee_transfer", args=[org.agent.pk])
    today = timezone.localdate().isoformat()
    body = {"department": org.dept_a.pk, "team": org.b1.pk, "position": org.agent.position_id, "effective_on": today}
    response = client.post(url, body)
    assert (
        response.status_code == 400
        and "The team does not belong to the chosen department." in response.content.decode()
    )
    body["team"] = org.a1.pk
    response = client.post(url, body)
    assert response.status_code == 400 and "Nothing changes" in response.content.decode()
    # HR's own record: the page warns, the service refuses (SEC-2)
    own = reverse("callcenter:employee_transfer", args=[org.hr.pk])
    assert 'id="own-record-warning"' in client.get(own).content.decode()
    body = {"department": org.dept_a.pk, "team": org.a1.pk, "position": org.hr.position_id, "effective_on": today}
    response = client.post(own, body)
    assert response.status_code == 400 and "SEC-2" in response.content.decode()
    assert not EmploymentEvent.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("monthly_base_pay", "-1"), ("monthly_base_pay", "abc"), ("bonus_base", "100000000.00"), ("bonus_base", "1.005")],
)
def test_pay_page_bad_amounts_are_refused(org, field, value):
    body = {"monthly_base_pay": "6000.00", "bonus_base": "1000.00", "effective_on": timezone.localdate().isoformat()}
    body[field] = value
    response = _client(org.hr.user).post(reverse("callcenter:employee_pay_change", args=[org.agent.pk]), body)
    assert response.status_code == 400 and not EmploymentEvent.objects.exists()


def test_hr_changes_pay_from_the_page_today(org):
    body = {"monthly_base_pay": "6000.00", "bonus_base": "1100.00", "effective_on": timezone.localdate().isoformat()}
    response = _client(org.hr.user).post(reverse("callcenter:employee_pay_change", args=[org.agent.pk]), body)
    assert response.status_code == 302
    org.agent.refresh_from_db()
    assert (org.agent.monthly_base_pay, org.agent.bonus_base) == (Decimal("6000.00"), Decimal("1100.00"))


@pytest.mark.parametrize("who", ["supervisor", "manager", "agent", "other_dept"])
def test_non_hr_cannot_cancel_from_the_page(org, history, who):
    response = _client(getattr(org, who).user).post(reverse("callcenter:employment_event_cancel", args=[history.pk]))
    assert response.status_code == 403
    assert EmploymentEvent.objects.get(pk=history.pk).status == "scheduled"


# --- The API ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_api_transfer_and_pay_are_hr_only(org, who):
    api = _api(getattr(org, who).user)
    today = timezone.localdate().isoformat()
    transfer = {"department_id": org.dept_a.pk, "team_id": org.a2.pk, "position_id": org.peer.position_id}
    response = api.post(
        reverse("api:callcenter:employee_transfer", args=[org.peer.pk]), {**transfer, "effective_on": today}
    )
    assert response.status_code == (201 if who == "hr" else 403)
    pay = {"monthly_base_pay": "7000.00", "bonus_base": "1000.00", "effective_on": today}
    response = api.post(reverse("api:callcenter:employee_pay_change", args=[org.peer.pk]), pay, format="json")
    assert response.status_code == (201 if who == "hr" else 403)


def test_api_mass_assignment_and_bad_input(org):
    api = _api(org.hr.user)
    url = reverse("api:callcenter:employee_pay_change", args=[org.agent.pk])
    later = (timezone.localdate() + 9 * DAY).isoformat()
    body = {
        "monthly_base_pay": "7000.00",
        "bonus_base": "1000.00",
        "effective_on": later,
        "status": "applied",
        "employee_id": org.peer.pk,
        "applied_at": "2026-01-01T00:00:00Z",
    }
    response = api.post(url, body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert (data["status"], data["employee_id"], data["applied_at"]) == ("scheduled", org.agent.pk, None)
    for bad in ({"effective_on": "2026-02-30"}, {"monthly_base_pay": "-5"}, {"effective_on": "10000-01-01"}):
        response = api.post(url, {**body, **bad}, format="json")
        assert response.status_code == 400, bad
    response = api.post(url, body, format="json")  # the same scheduled change again
    assert response.status_code == 409 and response.json()["code"] == "change_scheduled_twice"
    cancel = reverse("api:callcenter:employment_event_cancel", args=[data["id"]])
    assert api.post(cancel, {}, format="json").status_code == 200
    response = api.post(cancel, {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "change_not_scheduled"
    unknown = reverse("api:callcenter:employee_history", args=[10**12])
    assert api.get(unknown).status_code == 404


def test_api_hr_cannot_change_their_own_pay(org):
    body = {"monthly_base_pay": "99999.00", "bonus_base": "1000.00", "effective_on": timezone.localdate().isoformat()}
    response = _api(org.hr.user).post(reverse("api:callcenter:employee_pay_change", args=[org.hr.pk]), body)
    assert response.status_code == 403 and response.json()["code"] == "own_record"
