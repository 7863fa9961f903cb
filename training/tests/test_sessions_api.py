"""The courses and sessions API (TRN-2): roles, own / team / other team, mass assignment refused,
bad input a 400 with a code, the enrolment preview with the roster clash."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from attendance.tests.factories import roster_weeks
from training.models import Course, Enrolment, TrainingRecord, TrainingSession
from training.tests.factories import at, course, session_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def as_user(api, employee):
    api.force_authenticate(employee.user)
    return api


def next_workday() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


COURSE = {"code": "api-1", "title": "系统操作", "topic_area": "systems", "delivery_mode": "internal", "hours": "1.5"}


@pytest.mark.parametrize(("who", "status"), [("hr", 201), ("trainer", 201), ("supervisor", 403), ("agent", 403)])
def test_course_create_roles(api, org, trainer, who, status):
    response = as_user(api, getattr(org, who)).post(reverse("api:training:course_list"), COURSE, format="json")
    assert response.status_code == status
    assert Course.objects.exists() is (status == 201)


def test_mass_assignment_is_refused(api, org):
    body = {**COURSE, "id": 999, "created_by": org.agent.user.pk, "created_at": "2000-01-01T00:00:00Z"}
    response = as_user(api, org.hr).post(reverse("api:training:course_list"), body, format="json")
    assert response.status_code == 201
    created = Course.objects.get()
    assert created.pk != 999 and created.created_by_id == org.hr.user.pk and created.created_at.year != 2000


def test_bad_input_is_a_400_with_a_code(api, org):
    client = as_user(api, org.hr)
    assert client.post(reverse("api:training:course_list"), {**COURSE, "hours": "0"}, format="json").status_code == 400
    response = client.post(reverse("api:training:course_list"), {**COURSE, "delivery_mode": "external"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    course("api-1")
    response = client.post(reverse("api:training:course_list"), COURSE, format="json")
    assert response.status_code == 400 and response.json()["code"] == "course_code_taken"


def test_catalogue_filters_and_agent_sees_active_only(api, org):
    course("a", topic_area="security", delivery_mode="online")
    course("b", active=False)
    client = as_user(api, org.agent)
    codes = [c["code"] for c in client.get(reverse("api:training:course_list")).json()["results"]]
    assert codes == ["a"]
    hr = as_user(APIClient(), org.hr)
    assert hr.get(reverse("api:training:course_list"), {"active": "false"}).json()["count"] == 1
    assert hr.get(reverse("api:training:course_list"), {"topic_area": "security"}).json()["count"] == 1
    assert hr.get(reverse("api:training:course_list"), {"topic_area": "nope"}).status_code == 400


def test_session_create_and_enrol_with_preview(api, org, trainer):
    day = next_workday()
    the_course = course()
    roster_weeks([org.agent], day, 1)
    client = as_user(api, trainer)
    body = {
        "course_id": the_course.pk,
        "starts_at": at(day, 10).isoformat(),
        "ends_at": at(day, 12).isoformat(),
        "place": "培训室",
        "trainer_id": trainer.user.pk,
        "capacity": 5,
        "status": "held",  # not writable
    }
    response = client.post(reverse("api:training:session_list"), body, format="json")
    assert response.status_code == 201 and response.json()["status"] == "scheduled"
    session_id = response.json()["id"]
    sup = as_user(APIClient(), org.supervisor)
    url = reverse("api:training:session_enrolments", args=[session_id])
    preview = sup.post(url, {"employee_ids": [org.agent.pk]}, format="json")
    assert preview.status_code == 200
    assert preview.json() == [
        {
            "employee_id": org.agent.pk,
            "employee_name": org.agent.name,
            "roster_clash": f"{day:%Y-%m-%d} 白班 09:00–18:00",
            "already_enrolled": False,
        }
    ]
    assert not Enrolment.objects.exists()
    confirmed = sup.post(url, {"employee_ids": [org.agent.pk], "confirm": True}, format="json")
    assert confirmed.status_code == 201 and confirmed.json()[0]["roster_clash"].startswith(f"{day:%Y-%m-%d}")
    other = sup.post(url, {"employee_ids": [org.other_team.pk], "confirm": True}, format="json")
    assert other.status_code == 403 and other.json()["code"] == "not_allowed"
    assert sup.post(url, {"employee_ids": ["x"]}, format="json").status_code == 400


def test_enrolments_list_follows_the_remit(api, org, trainer):
    session = session_for(course(open_enrolment=True), trainer=trainer.user, enrol=[org.agent, org.other_dept])
    url = reverse("api:training:session_enrolments", args=[session.pk])
    names = {r["employee_name"] for r in as_user(api, org.supervisor).get(url).json()["results"]}
    assert names == {org.agent.name}
    names = {r["employee_name"] for r in as_user(APIClient(), trainer).get(url).json()["results"]}
    assert names == {org.agent.name, org.other_dept.name}
    names = {r["employee_name"] for r in as_user(APIClient(), org.peer).get(url).json()["results"]}
    assert names == set()


def test_attendance_and_score_over_the_api(api, org, trainer):
    session = session_for(
        course(mark="70"),
        trainer=trainer.user,
        starts_at=timezone.now() - datetime.timedelta(minutes=1),
        enrol=[org.agent],
    )
    enrolment = Enrolment.objects.get()
    client = as_user(api, trainer)
    assert (
        as_user(APIClient(), org.supervisor)
        .post(reverse("api:training:enrolment_attendance", args=[enrolment.pk]), {"mark": "present"})
        .status_code
        == 404
    )
    assert (
        client.post(reverse("api:training:enrolment_attendance", args=[enrolment.pk]), {"mark": "x"}).status_code == 400
    )
    assert (
        client.post(reverse("api:training:enrolment_attendance", args=[enrolment.pk]), {"mark": "late"}).status_code
        == 200
    )
    assert (
        client.post(reverse("api:training:enrolment_score", args=[enrolment.pk]), {"score": "100.01"}).status_code
        == 400
    )
    response = client.post(reverse("api:training:enrolment_score", args=[enrolment.pk]), {"score": "70"})
    assert response.status_code == 200 and response.json()["score"] == "70.00"
    record = TrainingRecord.objects.get()
    assert (record.result, record.session_id) == ("passed", session.pk)
    # the participant answers the survey
    survey = as_user(APIClient(), org.agent).post(
        reverse("api:training:enrolment_survey", args=[enrolment.pk]), {"rating": 5}, format="json"
    )
    assert survey.status_code == 201


def test_session_cancel_by_the_trainer_only(api, org, trainer):
    session = session_for(course(), trainer=trainer.user, enrol=[org.agent])
    url = reverse("api:training:session_cancel", args=[session.pk])
    assert as_user(api, org.supervisor).post(url).status_code == 403
    response = as_user(APIClient(), trainer).post(url, {"reason": "改期"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert TrainingSession.objects.get().status == "cancelled"
    assert as_user(APIClient(), trainer).post(url).status_code == 409


def test_session_patch_capacity_not_below_the_enrolled(api, org, trainer):
    session = session_for(course(), trainer=trainer.user, capacity=3, enrol=[org.agent, org.peer])
    url = reverse("api:training:session_detail", args=[session.pk])
    response = as_user(api, trainer).patch(url, {"capacity": 1}, format="json")
    assert response.status_code == 400 and TrainingSession.objects.get().capacity == 3
    response = as_user(APIClient(), trainer).patch(url, {"capacity": 4}, format="json")
    assert response.status_code == 200 and response.json()["capacity"] == 4
    assert Decimal(TrainingSession.objects.get().capacity) == 4
