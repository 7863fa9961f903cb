"""Leaver pages and API (GEN-2, COC-8): role × own / team / other team / other department matrices,
mass assignment, bad input, query counts, and the employee page's "left on … (reason)"."""

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter import services
from callcenter.models import ExitChecklist, ExitChecklistItem
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db

ROLES = ["agent", "peer", "supervisor", "other_team", "manager", "leader", "other_dept", "hr", "handler", "auditor"]


@pytest.fixture
def en(org):
    """Every login of the org reads English (the zh catalog gets these strings at merge)."""
    for who in ROLES:
        user = getattr(org, who).user
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    return org


def _client(org, who) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(org, who).user)
    return client


def _api(org, who) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(getattr(org, who).user)
    return api


def _leaving(org, employee, days=5):
    return services.employee_leave_schedule(
        actor=org.hr.user,
        employee_id=employee.pk,
        last_working_day=timezone.localdate() + datetime.timedelta(days=days),
        reason="resignation",
        note="<script>alert(1)</script>",
    )


# Who sees the agent's checklist (team A1, department A): themselves (read-only), their team's
# supervisor, the department's manager and leader, HR. Not the peer, another team, another
# department, the complaint team, the auditor.
SEES_AGENT = {"agent", "supervisor", "manager", "leader", "hr"}
LIST_READERS = {"supervisor", "manager", "leader", "hr"}


@pytest.mark.parametrize("who", ROLES)
def test_checklist_page_matrix(en, who):
    org = en
    checklist = _leaving(org, org.agent)
    response = _client(org, who).get(reverse("callcenter:exit_checklist", args=[checklist.pk]))
    if who not in SEES_AGENT:
        assert response.status_code == 404
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert "COC-8" in html and "GEN-2" in html
    assert "<script>alert(1)</script>" not in html  # the note renders as text
    tick_buttons = html.count('id="exit-item-tick-')
    expected = {"supervisor": 4, "hr": 1}.get(who, 0)  # supervisor: 4 items; HR: the bonus line
    assert tick_buttons == expected
    assert ('id="leave-cancel-submit"' in html) is (who == "hr")
    assert ('id="hand-over-complaints"' in html) is (who == "supervisor")


@pytest.mark.parametrize("who", ROLES)
def test_leaver_list_matrix(en, who):
    org = en
    mine = _leaving(org, org.agent)
    theirs = _leaving(org, org.other_dept)
    response = _client(org, who).get(reverse("callcenter:leaver_list"))
    if who not in LIST_READERS:
        assert response.status_code == 403
        return
    html = response.content.decode()
    assert response.status_code == 200
    assert (f'id="leaver-{mine.pk}"' in html) is (who in SEES_AGENT)
    assert (f'id="leaver-{theirs.pk}"' in html) is (who == "hr")


def test_leaver_list_query_count_does_not_grow(en, django_assert_max_num_queries):
    org = en
    for n in range(12):
        employee = f.EmployeeFactory(team=org.a1, department=org.dept_a)
        _leaving(org, employee, days=n)
    client = _client(org, "hr")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("callcenter:leaver_list"))
    assert response.status_code == 200 and len(re.findall(r'id="leaver-\d+"', response.content.decode())) == 12


def test_checklist_page_query_count(en, django_assert_max_num_queries):
    org = en
    checklist = _leaving(org, org.agent)
    client = _client(org, "supervisor")
    with django_assert_max_num_queries(30):
        response = client.get(reverse("callcenter:exit_checklist", args=[checklist.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("who,status", [("hr", 302), ("supervisor", 403), ("agent", 403), ("manager", 403)])
def test_schedule_page_matrix(en, who, status):
    org = en
    url = reverse("callcenter:leave_schedule", args=[org.peer.pk])
    body = {"last_working_day": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(), "reason": "other"}
    response = _client(org, who).post(url, body)
    assert response.status_code == status
    assert ExitChecklist.objects.filter(employee=org.peer).exists() is (status == 302)


def test_schedule_page_hr_on_own_record_refused(en):
    org = en
    url = reverse("callcenter:leave_schedule", args=[org.hr.pk])
    body = {"last_working_day": timezone.localdate().isoformat(), "reason": "resignation"}
    response = _client(org, "hr").post(url, body)
    assert response.status_code == 400 and "SEC-2" in response.content.decode()
    assert not ExitChecklist.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"last_working_day": "", "reason": "resignation"},
        {"last_working_day": "2026-02-30", "reason": "resignation"},
        {"last_working_day": "99999-01-01", "reason": "resignation"},
        {"last_working_day": "2020-01-01", "reason": "resignation"},  # in the past (GEN-2)
        {"last_working_day": "2030-01-01", "reason": "sacked"},
        {"last_working_day": "2030-01-01", "reason": "other", "note": "x" * 1001},
    ],
)
def test_schedule_page_bad_input_is_400_and_writes_nothing(en, body):
    org = en
    response = _client(org, "hr").post(reverse("callcenter:leave_schedule", args=[org.peer.pk]), body)
    assert response.status_code == 400
    assert not ExitChecklist.objects.exists()


def test_schedule_page_mass_assignment_ignored(en):
    """Fields the form does not own (status, employee, created_by) are ignored."""
    org = en
    body = {
        "last_working_day": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "reason": "resignation",
        "status": "left",
        "employee": org.other_dept.pk,
        "employee_id": org.other_dept.pk,
        "created_by": org.agent.user_id,
    }
    _client(org, "hr").post(reverse("callcenter:leave_schedule", args=[org.peer.pk]), body)
    checklist = ExitChecklist.objects.get()
    assert (checklist.employee, checklist.status, checklist.created_by) == (org.peer, "scheduled", org.hr.user)


def test_tick_and_untick_through_the_page(en):
    org = en
    checklist = _leaving(org, org.agent)
    equipment = checklist.items.get(kind="equipment")
    client = _client(org, "supervisor")
    url = reverse("callcenter:exit_item_tick", args=[checklist.pk, equipment.pk])
    response = client.post(url, {"note": "工牌已交回"}, follow=True)
    assert "Item ticked." in response.content.decode()
    equipment.refresh_from_db()
    assert equipment.done_by == org.supervisor.user
    client.post(reverse("callcenter:exit_item_untick", args=[checklist.pk, equipment.pk]))
    equipment.refresh_from_db()
    assert equipment.done_at is None


def test_the_leaver_cannot_tick_through_the_page(en):
    org = en
    checklist = _leaving(org, org.agent)
    equipment = checklist.items.get(kind="equipment")
    response = _client(org, "agent").post(
        reverse("callcenter:exit_item_tick", args=[checklist.pk, equipment.pk]), follow=True
    )
    assert "SEC-2" in response.content.decode()
    equipment.refresh_from_db()
    assert equipment.done_at is None


def test_other_team_supervisor_gets_404_on_tick(en):
    org = en
    other_supervisor = f.EmployeeFactory(
        user=f.UserFactory(username="sup2", roles=["supervisor"]), team=org.a2, department=org.dept_a
    )
    org.a2.supervisor = other_supervisor
    org.a2.save()
    checklist = _leaving(org, org.agent)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(other_supervisor.user)
    assert client.get(reverse("callcenter:exit_checklist", args=[checklist.pk])).status_code == 404
    equipment = checklist.items.get(kind="equipment")
    response = client.post(reverse("callcenter:exit_item_tick", args=[checklist.pk, equipment.pk]))
    assert response.status_code == 404
    assert client.get(reverse("api:callcenter:exit_checklist_detail", args=[checklist.pk])).status_code in (403, 404)


def test_cancel_through_the_page(en):
    org = en
    checklist = _leaving(org, org.agent)
    _client(org, "supervisor").post(reverse("callcenter:leave_cancel", args=[checklist.pk]))
    checklist.refresh_from_db()
    assert checklist.status == "scheduled"
    _client(org, "hr").post(reverse("callcenter:leave_cancel", args=[checklist.pk]))
    checklist.refresh_from_db()
    assert checklist.status == "cancelled"


def test_hand_over_through_the_page_bad_colleague(en):
    org = en
    checklist = _leaving(org, org.agent)
    response = _client(org, "supervisor").post(
        reverse("callcenter:exit_hand_over", args=[checklist.pk]),
        {"provider": "complaints", "colleague": "abc"},
        follow=True,
    )
    assert response.status_code == 200 and "COC-8" in response.content.decode()


def test_employee_page_shows_left_on_with_reason_and_history_stays_visible(en):
    """GEN-2: after the deactivation the record stays, visible to the remit, with "left on … (reason)"."""
    org = en
    checklist = _leaving(org, org.agent, days=0)
    services.leavers_deactivate_due(today=checklist.last_working_day + datetime.timedelta(days=1))
    day = checklist.last_working_day.isoformat()
    for who in ("supervisor", "manager", "hr"):
        response = _client(org, who).get(reverse("callcenter:employee_detail", args=[org.agent.pk]))
        html = response.content.decode()
        assert response.status_code == 200
        assert f"left on {day} (Resignation)" in html
    response = _client(org, "other_dept").get(reverse("callcenter:employee_detail", args=[org.agent.pk]))
    assert response.status_code == 404


def test_employee_page_offers_hr_to_set_the_leaving(en):
    org = en
    url = reverse("callcenter:employee_detail", args=[org.agent.pk])
    assert 'id="leave-schedule-link"' in _client(org, "hr").get(url).content.decode()
    assert 'id="leave-schedule-link"' not in _client(org, "supervisor").get(url).content.decode()
    _leaving(org, org.agent)
    html = _client(org, "hr").get(url).content.decode()
    assert 'id="leave-schedule-link"' not in html and 'id="exit-checklist-link"' in html


# --- API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_api_list_and_detail_matrix(en, who):
    org = en
    checklist = _leaving(org, org.agent)
    api = _api(org, who)
    response = api.get(reverse("api:callcenter:exit_checklist_list"))
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert (checklist.pk in ids) is (who in SEES_AGENT)
    detail = api.get(reverse("api:callcenter:exit_checklist_detail", args=[checklist.pk]))
    assert detail.status_code == (200 if who in SEES_AGENT else 404)
    if who in SEES_AGENT:
        assert detail.json()["items"][0]["kind"] == "customer_data"


def test_api_list_query_count(en, django_assert_max_num_queries):
    org = en
    for n in range(10):
        _leaving(org, f.EmployeeFactory(team=org.a1, department=org.dept_a), days=n)
    api = _api(org, "hr")
    with django_assert_max_num_queries(10):
        response = api.get(reverse("api:callcenter:exit_checklist_list"))
    assert response.json()["count"] == 10


@pytest.mark.parametrize(
    "who,kind,status",
    [
        ("supervisor", "equipment", 200),
        ("hr", "bonus", 200),
        ("supervisor", "bonus", 403),
        ("agent", "equipment", 403),  # own record
        ("other_team", "equipment", 404),
        ("hr", "access", 409),
    ],
)
def test_api_tick_matrix(en, who, kind, status):
    org = en
    checklist = _leaving(org, org.agent)
    target = checklist.items.get(kind=kind)
    response = _api(org, who).post(reverse("api:callcenter:exit_item_tick", args=[target.pk]), {"note": "ok"})
    assert response.status_code == status, response.content
    target.refresh_from_db()
    assert (target.done_at is not None) is (status == 200)
    if status == 200:
        assert response.json()["done"] is True and response.json()["done_by"] == getattr(org, who).user.username


def test_api_tick_mass_assignment_ignored(en):
    """done_by, done_at, kind, checklist in the body are ignored: the actor is the caller."""
    org = en
    checklist = _leaving(org, org.agent)
    target = checklist.items.get(kind="files")
    body = {"done_by": org.agent.user_id, "done_at": "2020-01-01T00:00:00Z", "kind": "access", "checklist": 999}
    response = _api(org, "supervisor").post(reverse("api:callcenter:exit_item_tick", args=[target.pk]), body)
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.kind == "files" and target.done_by == org.supervisor.user and target.done_at.year >= 2026


def test_api_untick(en):
    org = en
    checklist = _leaving(org, org.agent)
    target = checklist.items.get(kind="files")
    api = _api(org, "supervisor")
    api.post(reverse("api:callcenter:exit_item_tick", args=[target.pk]))
    response = api.post(reverse("api:callcenter:exit_item_untick", args=[target.pk]))
    assert response.status_code == 200 and response.json()["done"] is False
    assert _api(org, "supervisor").post(reverse("api:callcenter:exit_item_untick", args=[target.pk])).status_code == 409


@pytest.mark.parametrize(
    "body,code",
    [
        ({"reason": "resignation"}, 400),
        ({"last_working_day": "not-a-date", "reason": "resignation"}, 400),
        ({"last_working_day": "2030-01-01", "reason": "fired"}, 400),
        ({"last_working_day": "2020-01-01", "reason": "resignation"}, 400),
        ({"last_working_day": "2030-01-01", "reason": "resignation", "note": "x" * 1001}, 400),
    ],
)
def test_api_schedule_bad_input(en, body, code):
    org = en
    response = _api(org, "hr").post(reverse("api:callcenter:leave_schedule", args=[org.peer.pk]), body, format="json")
    assert response.status_code == code and "detail" in response.json()
    assert not ExitChecklist.objects.exists()


def test_api_schedule_and_cancel(en):
    org = en
    body = {"last_working_day": "2030-01-01", "reason": "contract_end", "status": "left", "employee": org.hr.pk}
    response = _api(org, "hr").post(reverse("api:callcenter:leave_schedule", args=[org.peer.pk]), body, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["employee_id"] == org.peer.pk and data["status"] == "scheduled" and len(data["items"]) == 6
    assert _api(org, "supervisor").post(reverse("api:callcenter:leave_cancel", args=[data["id"]])).status_code == 403
    response = _api(org, "hr").post(reverse("api:callcenter:leave_cancel", args=[data["id"]]))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert AuditEvent.objects.filter(action__in=["employee.leave_schedule", "employee.leave_cancel"]).count() == 2


def test_api_schedule_refused_to_non_hr(en):
    org = en
    body = {"last_working_day": "2030-01-01", "reason": "resignation"}
    for who in ("supervisor", "agent", "manager"):
        response = _api(org, who).post(reverse("api:callcenter:leave_schedule", args=[org.peer.pk]), body)
        assert response.status_code == 403
    assert not ExitChecklistItem.objects.exists()
