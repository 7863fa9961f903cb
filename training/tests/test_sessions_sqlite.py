"""The sessions journey on the `make run` database (SQLite): course → session → enrolment with
the roster clash → attendance → score → training record (TRN-2, TRN-3), over the API."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from attendance.models import OffPhoneActivity
from attendance.tests.factories import roster_weeks
from training.models import TrainingRecord, TrainingSession
from training.tests.factories import at

pytestmark = pytest.mark.sqlite

API = "/api/v1/training"


def client_of(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def post(client, path, data=None, expect=200):
    response = client.post(path, data or {}, content_type="application/json")
    assert response.status_code == expect, response.content[:500]
    return response.json()


def test_course_to_record_on_sqlite(sqlite_db, org, trainer):
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    roster_weeks([org.agent], day, 1)
    hr, sup, coach = client_of(org.hr.user), client_of(org.supervisor.user), client_of(trainer.user)
    course = post(
        hr,
        f"{API}/courses/",
        {"code": "journey", "title": "服务规范", "topic_area": "service", "delivery_mode": "internal", "hours": "2.5"},
        expect=201,
    )
    session = post(
        coach,
        f"{API}/sessions/",
        {
            "course_id": course["id"],
            "starts_at": at(day, 10).isoformat(),
            "ends_at": at(day, 12).isoformat(),
            "place": "培训室 A",
            "trainer_id": trainer.user.pk,
            "capacity": 1,
        },
        expect=201,
    )
    url = f"{API}/sessions/{session['id']}/enrolments/"
    [preview] = post(sup, url, {"employee_ids": [org.agent.pk]})
    assert preview["roster_clash"] == f"{day:%Y-%m-%d} 白班 09:00–18:00"
    [enrolment] = post(sup, url, {"employee_ids": [org.agent.pk], "confirm": True}, expect=201)
    assert post(sup, url, {"employee_ids": [org.peer.pk], "confirm": True}, expect=409)["code"] == "session_full"
    assert OffPhoneActivity.objects.get().employee_id == org.agent.pk
    # the session starts
    starts = timezone.now() - datetime.timedelta(minutes=5)
    TrainingSession.objects.filter(pk=session["id"]).update(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    post(coach, f"{API}/enrolments/{enrolment['id']}/attendance/", {"mark": "present"})
    post(coach, f"{API}/enrolments/{enrolment['id']}/score/", {"score": "60"})
    record = TrainingRecord.objects.get()
    assert (record.result, record.hours, record.source_key) == ("passed", 2.5, f"session:{session['id']}")
    assert record.certificate_no
