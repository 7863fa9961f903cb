"""Punches (ATT-2): idempotent web punches, server time, append-only, time-clock batches, API."""

import datetime
import hashlib
import io
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from attendance import selectors, services
from attendance.models import Device, Punch, PunchSource
from attendance.tests.factories import DeviceFactory, PunchFactory
from callcenter.errors import ApplicationError, NotFoundError
from datasecurity.models import AuditEvent

PUNCHES_URL = "/api/v1/attendance/punches/"
ME_URL = "/api/v1/attendance/punches/me/"


@pytest.fixture
def api():
    return APIClient()


# --- punch_record ------------------------------------------------------------------------------


def test_same_key_twice_records_one_punch(org):
    # given an agent who clicks the clock button twice with the same form key
    first, created1 = services.punch_record(actor=org.agent.user, idempotency_key="k-1")
    # when the second request arrives
    second, created2 = services.punch_record(actor=org.agent.user, idempotency_key="k-1")
    # then one punch exists, returned both times, and one audit event
    assert (created1, created2) == (True, False)
    assert first.pk == second.pk
    assert Punch.objects.count() == 1
    assert AuditEvent.objects.filter(action="punch.record").count() == 1
    assert first.source == PunchSource.WEB and first.idempotency_key == f"web:{org.agent.pk}:k-1"


def test_key_is_scoped_per_employee(org):
    # given two employees whose browsers happen to send the same key
    services.punch_record(actor=org.agent.user, idempotency_key="same")
    # when the second employee punches with it
    _, created = services.punch_record(actor=org.peer.user, idempotency_key="same")
    # then each has their own punch
    assert created is True
    assert Punch.objects.filter(employee=org.peer).count() == 1


@pytest.mark.parametrize("key", ["", "x" * 81, "bad key", "<script>", "ключ", None, 123])
def test_invalid_key_is_refused(org, key):
    # given a forged or broken form key / when the agent punches / then refused, nothing written
    with pytest.raises(ApplicationError) as exc:
        services.punch_record(actor=org.agent.user, idempotency_key=key)
    assert exc.value.code == "invalid_idempotency_key"
    assert not Punch.objects.exists()


def test_left_employee_cannot_punch(org):
    # given an employee who has left
    org.agent.status, org.agent.left_on = "left", datetime.date(2026, 1, 31)
    org.agent.save()
    # when they punch / then refused
    with pytest.raises(ApplicationError) as exc:
        services.punch_record(actor=org.agent.user, idempotency_key="k")
    assert exc.value.code == "employee_inactive"
    assert not Punch.objects.exists()


def test_punch_time_is_server_time_and_ip_is_kept(org):
    # given / when an agent punches
    before = timezone.now()
    punch, _ = services.punch_record(actor=org.agent.user, idempotency_key="k", ip="not-an-ip", user_agent="x" * 500)
    # then the time is the server's and bad metadata is cleaned, not fatal
    assert before <= punch.punched_at <= timezone.now()
    assert punch.ip is None and len(punch.user_agent) == 300


def test_a_login_without_an_employee_record_cannot_punch(org, django_user_model):
    # the punch is always the actor's own: no employee record, no punch
    user = django_user_model.objects.create_user("noemp", password="x-Long-Passw0rd")
    with pytest.raises(ApplicationError) as exc:
        services.punch_record(actor=user, idempotency_key="k")
    assert (exc.value.code, exc.value.status) == ("no_employee", 403)
    assert not Punch.objects.exists()


def test_a_batch_for_an_unknown_device_is_not_found(org):
    with pytest.raises(NotFoundError):
        services.device_punches_push(device_id=999999, rows=_rows(org))
    assert not Punch.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_with_the_same_key_record_one_punch(org):
    # given two requests (two tabs / a retry) racing with the same key on real connections
    barrier = threading.Barrier(4)
    results, errors = [], []

    def punch():
        try:
            barrier.wait(timeout=10)
            results.append(services.punch_record(actor=org.agent.user, idempotency_key="race-key"))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=punch) for _ in range(4)]
    # when they run in parallel
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # then exactly one punch exists and every caller got it
    assert not errors, errors
    assert Punch.objects.filter(employee=org.agent).count() == 1
    assert sum(created for _, created in results) == 1
    assert len({p.pk for p, _ in results}) == 1
    assert AuditEvent.objects.filter(action="punch.record").count() == 1


# --- append-only (ATT-2) ------------------------------------------------------------------------


def test_orm_cannot_update_or_delete_a_punch(org):
    # given a punch
    punch = PunchFactory(employee=org.agent)
    original = punch.punched_at
    # when code tries to alter or remove it through the ORM / then the database refuses
    punch.punched_at = original - datetime.timedelta(hours=1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        punch.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Punch.objects.filter(pk=punch.pk).update(punched_at=original - datetime.timedelta(hours=2))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Punch.objects.get(pk=punch.pk).delete()
    assert Punch.objects.get(pk=punch.pk).punched_at == original


def test_raw_sql_cannot_update_or_delete_a_punch(org):
    # given a punch
    punch = PunchFactory(employee=org.agent)
    # when raw SQL tries to alter or remove it / then the trigger refuses
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE attendance_punch SET punched_at = punched_at - interval '1 hour' WHERE id = %s", [punch.pk]
        )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM attendance_punch WHERE id = %s", [punch.pk])
    assert Punch.objects.filter(pk=punch.pk, punched_at=punch.punched_at).exists()


# --- API: own punch ---------------------------------------------------------------------------------


def test_api_punch_ignores_client_time_and_replays(api, org):
    # given an agent whose client sends a time of its own
    api.force_authenticate(org.agent.user)
    body = {"idempotency_key": "api-1", "punched_at": "2020-01-01T00:00:00+08:00", "employee": org.peer.pk}
    # when it posts twice
    first = api.post(ME_URL, body, format="json")
    second = api.post(ME_URL, body, format="json")
    # then one punch, at server time, for the caller (not the employee in the body)
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    punch = Punch.objects.get()
    assert punch.employee == org.agent
    assert abs(timezone.now() - punch.punched_at) < datetime.timedelta(minutes=1)
    assert first.json()["source"] == "web"


def test_api_punch_bad_key_and_no_employee_are_json_errors(api, org, django_user_model):
    # given an agent with a malformed key / when posting / then 400 JSON, nothing written
    api.force_authenticate(org.agent.user)
    response = api.post(ME_URL, {"idempotency_key": "no spaces"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_idempotency_key"
    # given a user without an employee record / then 403 JSON
    api.force_authenticate(django_user_model.objects.create_user("noemp", password="x-Long-Passw0rd"))
    response = api.post(ME_URL, {"idempotency_key": "k"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "no_employee"
    assert not Punch.objects.exists()


def test_api_me_refuses_device_tokens(api, org):
    # given a valid time-clock token / when used on the personal endpoint / then not authenticated
    DeviceFactory(token="tok-me")
    response = api.post(ME_URL, {"idempotency_key": "k"}, format="json", HTTP_AUTHORIZATION="Device tok-me")
    assert response.status_code in (401, 403)
    assert not Punch.objects.exists()


# --- API: punch list ----------------------------------------------------------------------------------


def test_api_punch_list_is_visibility_aware(api, org, django_assert_max_num_queries):
    # given punches by the agent, a team peer and someone in another department
    for employee in (org.agent, org.peer, org.other_dept):
        PunchFactory.create_batch(2, employee=employee)
    # when the agent lists punches / then only their own
    api.force_authenticate(org.agent.user)
    data = api.get(PUNCHES_URL).json()
    assert data["count"] == 2 and {r["employee_id"] for r in data["results"]} == {org.agent.pk}
    # when the supervisor lists (and filters) / then the team's, never the other department's
    api.force_authenticate(org.supervisor.user)
    with django_assert_max_num_queries(10):
        data = api.get(PUNCHES_URL).json()
    assert {r["employee_id"] for r in data["results"]} == {org.agent.pk, org.peer.pk}
    data = api.get(PUNCHES_URL, {"employee": org.peer.pk}).json()
    assert data["count"] == 2
    assert api.get(PUNCHES_URL, {"employee": org.other_dept.pk}).json()["count"] == 0
    today = timezone.localdate()
    assert api.get(PUNCHES_URL, {"date_from": today, "date_to": today}).json()["count"] == 4
    assert api.get(PUNCHES_URL, {"date_to": today - datetime.timedelta(days=1)}).json()["count"] == 0
    assert api.get(PUNCHES_URL, {"date_from": "not-a-date"}).status_code == 400


def test_punch_list_selector_date_boundaries_are_local_days(org):
    # given a punch at 23:30 Shanghai time (15:30 UTC)
    day = datetime.date(2026, 3, 10)
    PunchFactory(employee=org.agent, punched_at=datetime.datetime(2026, 3, 10, 15, 30, tzinfo=datetime.UTC))
    # when filtering by that local date / then it is found; the next local day does not include it
    assert selectors.punch_list(user=org.agent.user, filters={"date_from": day, "date_to": day}).count() == 1
    nxt = day + datetime.timedelta(days=1)
    assert selectors.punch_list(user=org.agent.user, filters={"date_from": nxt}).count() == 0


# --- Time clocks --------------------------------------------------------------------------------------


def _rows(org, now=None, ids=("p1", "p2")):
    now = now or timezone.now()
    return [
        {
            "employee_no": org.agent.employee_no,
            "punched_at": (now - datetime.timedelta(minutes=10)).isoformat(),
            "device_punch_id": ids[0],
        },
        {
            "employee_no": org.peer.employee_no,
            "punched_at": (now - datetime.timedelta(minutes=9)).isoformat(),
            "device_punch_id": ids[1],
        },
    ]


def test_device_batch_is_recorded_and_resending_changes_nothing(api, org):
    # given an active time clock and a valid batch
    device = DeviceFactory(token="tok-1")
    rows = _rows(org)
    # when it pushes the batch
    response = api.post(PUNCHES_URL, {"punches": rows}, format="json", HTTP_AUTHORIZATION="Device tok-1")
    # then both punches are recorded at the device's times
    assert response.status_code == 201
    assert response.json() == {"received": 2, "created": 2, "duplicates": 0}
    punch = Punch.objects.get(device=device, device_punch_id="p1")
    assert punch.employee == org.agent and punch.source == PunchSource.DEVICE
    assert punch.punched_at.isoformat() == datetime.datetime.fromisoformat(rows[0]["punched_at"]).isoformat()
    assert punch.idempotency_key == f"device:{device.pk}:p1"
    # when the same batch is sent again (a retry after a lost answer)
    response = api.post(PUNCHES_URL, {"punches": rows}, format="json", HTTP_AUTHORIZATION="Device tok-1")
    # then nothing changes and the duplicates are counted
    assert response.status_code == 200
    assert response.json() == {"received": 2, "created": 0, "duplicates": 2}
    assert Punch.objects.count() == 2
    events = AuditEvent.objects.filter(action="punch.device_batch").order_by("id")
    assert [e.changes["created"] for e in events] == [2, 0]


def test_device_batch_partly_new_counts_both(org):
    # given a batch already pushed / when a batch with one old and one new row arrives
    device = DeviceFactory()
    services.device_punches_push(device_id=device.pk, rows=_rows(org, ids=("a", "b"))[:1])
    result = services.device_punches_push(device_id=device.pk, rows=_rows(org, ids=("a", "c")))
    # then one is new, one a duplicate
    assert result == {"received": 2, "created": 1, "duplicates": 1}


@pytest.mark.django_db(transaction=True)
def test_parallel_resends_of_one_batch_record_it_once(org):
    # given a clock that re-sends a batch while the first upload is still running
    device = DeviceFactory()
    rows = _rows(org)
    barrier = threading.Barrier(3)
    results, errors = [], []

    def push():
        try:
            barrier.wait(timeout=10)
            results.append(services.device_punches_push(device_id=device.pk, rows=rows))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push) for _ in range(3)]
    # when the three uploads run in parallel
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # then the punches exist once and exactly one upload reports them as created
    assert not errors, errors
    assert Punch.objects.count() == 2
    assert sorted(r["created"] for r in results) == [0, 0, 2]
    assert sorted(r["duplicates"] for r in results) == [0, 2, 2]


def test_same_punch_id_on_two_devices_are_two_punches(org):
    # given two clocks that both number their punches from 1 / when both push id "1" / then two punches
    for device in DeviceFactory.create_batch(2):
        services.device_punches_push(device_id=device.pk, rows=_rows(org, ids=("1", "2"))[:1])
    assert Punch.objects.count() == 2


def test_one_bad_row_rejects_the_whole_batch(api, org):
    # given a batch with good rows and a row of every kind of mistake
    DeviceFactory(token="tok-2")
    now = timezone.now()
    org.other_team.status, org.other_team.left_on = "left", datetime.date(2026, 1, 31)
    org.other_team.save()
    good = _rows(org, now)
    bad = [
        {"employee_no": "NOPE", "punched_at": now.isoformat(), "device_punch_id": "b1"},
        {"employee_no": org.agent.employee_no, "punched_at": "2026-03-10T09:00:00", "device_punch_id": "b2"},
        {
            "employee_no": org.agent.employee_no,
            "punched_at": (now + datetime.timedelta(minutes=6)).isoformat(),
            "device_punch_id": "b3",
        },
        {
            "employee_no": org.agent.employee_no,
            "punched_at": (now - datetime.timedelta(days=41)).isoformat(),
            "device_punch_id": "b4",
        },
        {"employee_no": org.agent.employee_no, "punched_at": now.isoformat()},
        {"employee_no": org.agent.employee_no, "punched_at": now.isoformat(), "device_punch_id": "p1"},
        {"employee_no": org.other_team.employee_no, "punched_at": now.isoformat(), "device_punch_id": "b7"},
        {"employee_no": org.agent.employee_no, "punched_at": "yesterday", "device_punch_id": "b8"},
        "not an object",
    ]
    # when it is pushed
    response = api.post(PUNCHES_URL, {"punches": good + bad}, format="json", HTTP_AUTHORIZATION="Device tok-2")
    # then 400 with one error per bad row, and nothing is written
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_batch" and body["detail"]
    by_row = {(e["row"], e["field"]) for e in body["errors"]}
    assert by_row == {
        (2, "employee_no"),
        (3, "punched_at"),
        (4, "punched_at"),
        (5, "punched_at"),
        (6, "device_punch_id"),
        (7, "device_punch_id"),
        (8, "employee_no"),
        (9, "punched_at"),
        (10, "row"),
    }
    assert not Punch.objects.exists()
    assert not AuditEvent.objects.filter(action="punch.device_batch").exists()


@pytest.mark.parametrize("body", [{}, {"punches": []}, {"punches": "x"}, [1, 2]])
def test_malformed_batch_body_is_400(api, org, body):
    # given a clock that sends garbage / then 400 invalid_batch, never a 500
    DeviceFactory(token="tok-3")
    response = api.post(PUNCHES_URL, body, format="json", HTTP_AUTHORIZATION="Device tok-3")
    assert response.status_code == 400 and response.json()["code"] == "invalid_batch"


def test_device_token_checks(api, org):
    # given an active and a deactivated clock
    DeviceFactory(token="good")
    DeviceFactory(token="retired", active=False)
    rows = {"punches": _rows(org)}
    # when a wrong token, a deactivated clock, no token, or a logged-in user push
    wrong = api.post(PUNCHES_URL, rows, format="json", HTTP_AUTHORIZATION="Device nope")
    retired = api.post(PUNCHES_URL, rows, format="json", HTTP_AUTHORIZATION="Device retired")
    missing = api.post(PUNCHES_URL, rows, format="json")
    malformed = api.post(PUNCHES_URL, rows, format="json", HTTP_AUTHORIZATION="Device a b")
    api.force_login(org.hr.user)
    session = api.post(PUNCHES_URL, rows, format="json")
    # then 401 / 403 JSON and nothing written
    assert wrong.status_code == 401 and wrong.json()["code"] == "authentication_failed"
    assert retired.status_code == 403
    assert missing.status_code == 401 and malformed.status_code == 401 and session.status_code == 401
    assert not Punch.objects.exists()


def test_device_token_is_not_accepted_for_reading(api, org):
    # given a clock token / when used to read punches / then refused
    DeviceFactory(token="reader")
    PunchFactory(employee=org.agent)
    response = api.get(PUNCHES_URL, HTTP_AUTHORIZATION="Device reader")
    assert response.status_code in (401, 403)


def test_device_create_command_prints_token_once_and_stores_its_hash(org):
    # when an admin registers a clock
    out = io.StringIO()
    call_command("device_create", "--name", "3F 入口", "--location", "3F", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    # then only the hash is stored, the token authenticates, and it was audited
    device = Device.objects.get()
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in device.token_hash
    assert services.device_authenticate(token=token) == device
    event = AuditEvent.objects.get(action="device.create")
    assert token not in str(event.changes)


def test_openapi_schema_documents_device_auth(api, org):
    # given the API schema / then the device scheme exists and guards the batch endpoint only
    api.force_login(org.hr.user)
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    assert "deviceToken" in schema["components"]["securitySchemes"]
    post = schema["paths"][PUNCHES_URL]["post"]
    get = schema["paths"][PUNCHES_URL]["get"]
    assert post["security"] == [{"deviceToken": []}]
    assert {"deviceToken": []} not in get.get("security", [])
