"""Issue 14, daily use: during the investigation (CMP-2) the complaint team learns who was really
involved and changes the agents concerned and the team concerned of an open complaint, on the
complaint page (htmx) and through the API. The change is on the timeline and in the audit trail
(before → after), the statistics by agent and team (CMP-4) count the new names, and nobody takes
themselves off (or puts themselves on) a complaint (SEC-2, separation of duties)."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import EmploymentStatus
from callcenter.roles import Role
from callcenter.tests import factories as f
from complaints import selectors, services
from complaints.models import Complaint, ComplaintEvent, EventKind
from complaints.tests.factories import complaint_recorded
from datasecurity.models import AuditEvent

HTMX = {"HTTP_HX_REQUEST": "true"}
SET = services.complaint_concerned_set


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def complaint(org):
    """Recorded by the agent against team A1, naming the agent (the customer's guess)."""
    return complaint_recorded(org, team=org.a1, concerned_employee_ids=[org.agent.pk])


def login(client, org, who):
    user = getattr(org, who).user
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def state(complaint):
    """What the change could touch: the names, the team, the timeline, the audit trail."""
    c = Complaint.objects.get(pk=complaint.pk)
    return (
        sorted(c.concerned_employees.values_list("pk", flat=True)),
        c.concerned_team_id,
        c.events.count(),
        AuditEvent.objects.filter(object_id=str(c.pk), action="complaint.concerned_set").count(),
    )


def concerned_of(complaint):
    c = Complaint.objects.get(pk=complaint.pk)
    return sorted(c.concerned_employees.values_list("pk", flat=True)), c.concerned_team_id


# --- The service (CMP-2, SEC-2) ----------------------------------------------------------------------


def test_the_complaint_team_replaces_the_agents_and_the_team_with_timeline_and_audit(org, complaint):
    # when the investigation finds that the peer (team A1) and an agent of team A2 were involved
    SET(
        actor=org.handler.user,
        complaint_id=complaint.pk,
        team_id=org.a2.pk,
        employee_ids=[org.peer.pk, org.other_team.pk],
    )
    # then the complaint names them, and team A2
    assert concerned_of(complaint) == (sorted([org.peer.pk, org.other_team.pk]), org.a2.pk)
    # the timeline says who was added and removed, by whom
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.CONCERNED)
    assert event.by == org.handler.user
    assert sorted(event.data["added"]) == sorted([org.peer.name, org.other_team.name])
    assert event.data["removed"] == [org.agent.name]
    assert event.data["team"] == [org.a1.pk, org.a2.pk] and event.data["team_name"] == org.a2.name
    # the audit trail records before → after
    audit = AuditEvent.objects.get(action="complaint.concerned_set", object_id=str(complaint.pk))
    assert audit.actor == org.handler.user
    assert audit.changes["concerned_team"] == [org.a1.pk, org.a2.pk]
    assert audit.changes["concerned_employees"] == [[org.agent.pk], sorted([org.peer.pk, org.other_team.pk])]


def test_clearing_the_team_and_the_agents_is_a_change_too(org, complaint):
    SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=None, employee_ids=[])
    assert concerned_of(complaint) == ([], None)
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.CONCERNED).count() == 1


def test_saving_the_same_names_again_records_nothing(org, complaint):
    before = state(complaint)
    SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=org.a1.pk, employee_ids=[org.agent.pk, org.agent.pk])
    assert state(complaint) == before


def test_a_closed_complaint_is_refused_with_its_code_and_changes_nothing(org, complaint):
    services.complaint_close(actor=org.leader.user, complaint_id=complaint.pk, reason="客户无法联系")
    before = state(complaint)
    with pytest.raises(ApplicationError) as exc:
        SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=org.a2.pk, employee_ids=[org.peer.pk])
    assert (exc.value.code, exc.value.status) == ("closed", 409)
    assert state(complaint) == before


@pytest.mark.parametrize("case", ["left", "unknown", "too_many", "unknown_team"])
def test_bad_names_are_refused_on_their_field_and_change_nothing(org, complaint, case):
    before = state(complaint)
    team_id, ids = org.a1.pk, [org.peer.pk]
    if case == "left":
        org.peer.status = EmploymentStatus.LEFT
        org.peer.left_on = timezone.localdate()
        org.peer.save(update_fields=["status", "left_on"])
    elif case == "unknown":
        ids = [org.peer.pk, 99_999_999]
    elif case == "too_many":
        extra = f.EmployeeFactory.create_batch(services.MAX_CONCERNED, team=org.a2, department=org.dept_a)
        ids = [e.pk for e in extra] + [org.peer.pk]
    else:
        team_id = 99_999_999
    with pytest.raises(ApplicationError) as exc:
        SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=team_id, employee_ids=ids)
    expected = {
        "left": ("concerned_inactive", "concerned_employees"),
        "unknown": ("invalid", "concerned_employees"),
        "too_many": ("concerned_too_many", "concerned_employees"),
        "unknown_team": ("invalid", "concerned_team"),
    }[case]
    assert (exc.value.code, exc.value.field) == expected
    assert state(complaint) == before


def test_exactly_the_limit_is_accepted(org, complaint):
    extra = f.EmployeeFactory.create_batch(services.MAX_CONCERNED, team=org.a2, department=org.dept_a)
    SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=None, employee_ids=[e.pk for e in extra])
    assert len(concerned_of(complaint)[0]) == services.MAX_CONCERNED


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "leader", "hr", "auditor"])
def test_only_the_complaint_team_changes_who_is_concerned(org, complaint, who):
    before = state(complaint)
    with pytest.raises((PermissionDeniedError, NotFoundError)):
        SET(actor=getattr(org, who).user, complaint_id=complaint.pk, team_id=None, employee_ids=[org.peer.pk])
    assert state(complaint) == before


def test_a_handler_does_not_name_themselves(org, complaint):
    # SEC-2: a complaint naming the handler would be their own record, which they then work
    before = state(complaint)
    with pytest.raises(PermissionDeniedError) as exc:
        SET(
            actor=org.handler.user, complaint_id=complaint.pk, team_id=None, employee_ids=[org.agent.pk, org.handler.pk]
        )
    assert exc.value.code == "own_record"
    assert state(complaint) == before


def test_a_handler_named_on_a_complaint_does_not_take_themselves_off(org):
    # a complaint about the handler's own call, recorded by a colleague of team B1
    complaint = complaint_recorded(org, by=org.other_dept, team=org.b1)
    complaint.concerned_employees.add(org.handler)
    before = state(complaint)
    with pytest.raises(PermissionDeniedError) as exc:
        SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=org.b1.pk, employee_ids=[org.other_dept.pk])
    assert exc.value.code == "own_record"
    assert state(complaint) == before


def test_the_owner_cannot_be_named(org, complaint):
    colleague = f.EmployeeFactory(
        user=f.UserFactory(username="handler2", roles=[Role.COMPLAINT_HANDLER]), team=org.b1, department=org.dept_b
    )
    services.complaint_assign(actor=org.handler.user, complaint_id=complaint.pk, owner_id=colleague.pk)
    before = state(complaint)
    with pytest.raises(ApplicationError) as exc:
        SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=None, employee_ids=[colleague.pk])
    assert (exc.value.code, exc.value.field) == ("owner_concerned", "concerned_employees")
    assert state(complaint) == before


def test_the_statistics_count_the_new_agents_and_team(org, complaint):
    today = timezone.localdate().isoformat()
    period = {"date_from": today, "date_to": today}

    def counts():
        stats = selectors.complaint_statistics(user=org.handler.user, filters=period)
        return (
            {row["key"]: row["count"] for row in stats["by_agent"]},
            {row["key"]: row["count"] for row in stats["by_team"]},
        )

    assert counts() == ({org.agent.pk: 1}, {org.a1.pk: 1})
    SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=org.a2.pk, employee_ids=[org.other_team.pk])
    assert counts() == ({org.other_team.pk: 1}, {org.a2.pk: 1})


# --- The page (htmx) ---------------------------------------------------------------------------------


def test_the_form_is_offered_to_the_complaint_team_while_open_with_the_current_names(client, org, complaint):
    html = login(client, org, "handler").get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="complaint-concerned-form"' in html
    action = reverse("complaints:concerned", args=[complaint.pk])
    assert f'hx-post="{action}" hx-target="#complaint-body"' in html
    # the searchable picker of the intake, the current names selected
    assert 'name="concerned_employees"' in html and "data-search=" in html and "data-initials=" in html
    assert f'value="{org.agent.pk}" selected data-initials="{org.agent.name_initials}"' in html


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "leader", "hr"])
def test_other_roles_do_not_get_the_form(client, org, complaint, who):
    response = login(client, org, who).get(reverse("complaints:detail", args=[complaint.pk]))
    assert response.status_code in (200, 404)
    assert 'id="complaint-concerned-form"' not in response.content.decode()


def test_a_closed_complaint_offers_no_form(client, org, complaint):
    services.complaint_close(actor=org.leader.user, complaint_id=complaint.pk, reason="客户无法联系")
    html = login(client, org, "handler").get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert 'id="complaint-concerned-form"' not in html


def test_saving_through_htmx_answers_the_body_and_the_message(client, org, complaint, django_assert_max_num_queries):
    login(client, org, "handler")
    url = reverse("complaints:concerned", args=[complaint.pk])
    with django_assert_max_num_queries(45):
        response = client.post(url, {"concerned_team": org.a2.pk, "concerned_employees": [org.peer.pk]}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="complaint-body">')
    assert 'hx-swap-oob="afterbegin:#main"' in html and "The agents and the team concerned are saved" in html
    # the timeline shows the change
    assert 'data-kind="concerned"' in html and org.peer.name in html
    assert concerned_of(complaint) == ([org.peer.pk], org.a2.pk)


def test_the_page_queries_do_not_grow_with_the_names(client, org, complaint, django_assert_max_num_queries):
    login(client, org, "handler")
    extra = f.EmployeeFactory.create_batch(15, team=org.a2, department=org.dept_a)
    SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=org.a2.pk, employee_ids=[e.pk for e in extra])
    with django_assert_max_num_queries(40):
        response = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert response.status_code == 200


def test_a_refused_change_through_htmx_shows_why_and_keeps_the_choice(client, org, complaint):
    login(client, org, "handler")
    before = state(complaint)
    response = client.post(
        reverse("complaints:concerned", args=[complaint.pk]),
        {"concerned_team": org.a1.pk, "concerned_employees": [org.agent.pk, org.handler.pk]},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "alert-danger" in html
    assert f'value="{org.handler.pk}" selected data-initials="{org.handler.name_initials}"' in html
    assert state(complaint) == before


def test_without_htmx_the_change_redirects_to_the_page(client, org, complaint):
    response = login(client, org, "handler").post(
        reverse("complaints:concerned", args=[complaint.pk]), {"concerned_team": "", "concerned_employees": []}
    )
    assert response.status_code == 302 and response["Location"] == reverse("complaints:detail", args=[complaint.pk])
    assert concerned_of(complaint) == ([], None)


@pytest.mark.parametrize("who", ["agent", "leader", "hr"])
def test_other_roles_posting_the_form_get_403(client, org, complaint, who):
    before = state(complaint)
    response = login(client, org, who).post(
        reverse("complaints:concerned", args=[complaint.pk]), {"concerned_employees": [org.peer.pk]}
    )
    assert response.status_code == 403
    assert state(complaint) == before


# --- The API -----------------------------------------------------------------------------------------


def _api_url(complaint_id):
    return reverse("api:complaints:concerned", args=[complaint_id])


def test_the_api_replaces_the_names_and_answers_the_complaint(org, complaint):
    r = api_for(org.handler.user).post(
        _api_url(complaint.pk), {"concerned_team": org.a2.pk, "concerned_employees": [org.peer.pk]}, format="json"
    )
    assert r.status_code == 200
    body = r.json()
    assert body["concerned_team_id"] == org.a2.pk
    assert [e["id"] for e in body["concerned_employees"]] == [org.peer.pk]
    assert any(e["kind"] == "concerned" for e in body["timeline"])


@pytest.mark.parametrize(
    "payload,code",
    [
        ({"concerned_employees": []}, "invalid"),  # the team must be given (null for none)
        ({"concerned_team": None, "concerned_employees": ["x"]}, "invalid"),
        ({"concerned_team": None, "concerned_employees": list(range(1, 23))}, "invalid"),
        ({"concerned_team": 99_999_999, "concerned_employees": []}, "invalid"),
        ({"concerned_team": None, "concerned_employees": [99_999_999]}, "invalid"),
    ],
)
def test_the_api_refuses_bad_input_with_400(org, complaint, payload, code):
    before = state(complaint)
    r = api_for(org.handler.user).post(_api_url(complaint.pk), payload, format="json")
    assert r.status_code == 400, r.json()
    assert r.json()["code"] == code and set(r.json()) >= {"detail", "code"}
    assert state(complaint) == before


def test_the_api_refuses_own_record_with_403_and_other_roles_with_403(org, complaint):
    before = state(complaint)
    r = api_for(org.handler.user).post(
        _api_url(complaint.pk), {"concerned_team": None, "concerned_employees": [org.handler.pk]}, format="json"
    )
    assert (r.status_code, r.json()["code"]) == (403, "own_record")
    r = api_for(org.leader.user).post(
        _api_url(complaint.pk), {"concerned_team": None, "concerned_employees": []}, format="json"
    )
    assert r.status_code == 403
    assert state(complaint) == before


def test_the_api_refuses_a_closed_complaint_with_409(org, complaint):
    services.complaint_close(actor=org.leader.user, complaint_id=complaint.pk, reason="客户无法联系")
    r = api_for(org.handler.user).post(
        _api_url(complaint.pk), {"concerned_team": None, "concerned_employees": []}, format="json"
    )
    assert (r.status_code, r.json()["code"]) == (409, "closed")


def test_the_api_answers_404_for_an_unknown_complaint(org):
    r = api_for(org.handler.user).post(
        _api_url(99_999_999), {"concerned_team": None, "concerned_employees": []}, format="json"
    )
    assert r.status_code == 404


def test_the_schema_lists_the_endpoint_and_its_codes(org):
    schema = api_for(org.agent.user).get(reverse("api:schema"), {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/complaints/{id}/concerned/"]["post"]
    assert "CMP-2" in operation["summary"]
    assert "concerned_too_many" in str(schema)
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    fields = schema["components"]["schemas"][ref]
    assert set(fields["required"]) == {"concerned_team", "concerned_employees"}
    assert fields["properties"]["concerned_employees"]["maxItems"] == services.MAX_CONCERNED


def test_the_change_happens_in_one_transaction_with_the_row_locked(org, complaint, django_assert_max_num_queries):
    # the service reads the complaint under its lock (SELECT … FOR UPDATE) once, in bounded queries
    with django_assert_max_num_queries(25) as captured:
        SET(actor=org.handler.user, complaint_id=complaint.pk, team_id=org.a2.pk, employee_ids=[org.peer.pk])
    sql = [q["sql"] for q in captured.captured_queries]
    assert sum("FOR UPDATE" in s and "complaints_complaint" in s for s in sql) == 1


@pytest.mark.django_db(transaction=True)
def test_two_handlers_changing_who_is_concerned_at_once_are_serialised_by_the_lock(org):
    """Real parallel connections: each change reads the names under the complaint's row lock, so
    the second one's "before" is the first one's "after" (the audit trail tells one story)."""
    colleague = f.EmployeeFactory(
        user=f.UserFactory(username="handler2", roles=[Role.COMPLAINT_HANDLER]), team=org.b1, department=org.dept_b
    )
    complaint = complaint_recorded(org, team=org.a1, concerned_employee_ids=[org.agent.pk])
    barrier = threading.Barrier(2)
    errors = []

    def change(user, employee):
        try:
            barrier.wait()
            SET(actor=user, complaint_id=complaint.pk, team_id=None, employee_ids=[employee.pk])
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=change, args=(org.handler.user, org.peer)),
        threading.Thread(target=change, args=(colleague.user, org.other_team)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    audits = list(
        AuditEvent.objects.filter(action="complaint.concerned_set", object_id=str(complaint.pk)).order_by("pk")
    )
    assert len(audits) == 2
    first, second = (a.changes["concerned_employees"] for a in audits)
    assert first[0] == [org.agent.pk] and second[0] == first[1]
    assert concerned_of(complaint)[0] == second[1]
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.CONCERNED).count() == 2


# --- Edge inputs (the project's walk posts as HR, whom these routes refuse: walked here as the team) ---

# "１２…" full-width digits: int() reads them, the number is out of range all the same.
FULL_WIDTH_HUGE = "１２３４５６７８９０" * 2
EDGE_IDS = ("", "0", "-1", "abc", "99999999999999999999", "9999-12-31", FULL_WIDTH_HUGE, "1e3")


@pytest.mark.parametrize("value", EDGE_IDS)
def test_edge_ids_on_the_page_are_messages_never_500(client, org, complaint, value):
    login(client, org, "handler")
    before = state(complaint)
    url = reverse("complaints:concerned", args=[complaint.pk])
    for data in (
        {"concerned_team": value},
        {"concerned_employees": [value]},
        {"concerned_employees": [org.peer.pk, value]},
    ):
        response = client.post(url, data, **HTMX)
        assert response.status_code == 200, (data, response.status_code)
    if value != "":  # an empty team and no agents is a valid answer: "none"
        assert state(complaint) == before
    for edge in ("99999999999999999999", "0"):
        assert client.post(f"/complaints/{edge}/concerned/", {"concerned_team": ""}).status_code == 404


@pytest.mark.parametrize(
    "payload",
    [
        {"concerned_team": "99999999999999999999", "concerned_employees": []},
        {"concerned_team": None, "concerned_employees": [99999999999999999999]},
        {"concerned_team": None, "concerned_employees": [-1, 0]},
        {"concerned_team": None, "concerned_employees": [[1]]},
        {"concerned_team": None, "concerned_employees": {"1": 1}},
        {"concerned_team": None, "concerned_employees": "1,2"},
        {"concerned_team": True, "concerned_employees": [True]},
        {"concerned_team": 1.5, "concerned_employees": [1.5]},
    ],
)
def test_edge_bodies_on_the_api_are_400_never_500(org, complaint, payload):
    before = state(complaint)
    r = api_for(org.handler.user).post(_api_url(complaint.pk), payload, format="json")
    assert r.status_code == 400, (payload, r.status_code)
    assert state(complaint) == before
