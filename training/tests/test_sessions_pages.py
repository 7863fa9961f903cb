"""The course and session pages (TRN-2): who opens what, the two-step enrolment with the roster
clash, the trainer's attendance sheet, the survey, escaping and bounded queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from attendance.tests.factories import roster_weeks
from training.models import Course, Enrolment, SatisfactionResponse, TrainingRecord
from training.tests.factories import at, course, session_for

pytestmark = pytest.mark.django_db

ORG_ROLES = ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor"]
XSS = "<script>alert(1)</script>"


def next_workday() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def started(session):
    session.starts_at = timezone.now() - datetime.timedelta(minutes=5)
    session.ends_at = session.starts_at + datetime.timedelta(hours=2)
    session.save(update_fields=["starts_at", "ends_at"])
    return session


@pytest.mark.parametrize("who", ORG_ROLES)
def test_every_employee_reads_the_catalogue_and_only_active_courses(client, org, who):
    course("active-one", title="在用课程")
    course("retired", title="停用课程", active=False)
    client.force_login(getattr(org, who).user)
    html = client.get(reverse("training:course_catalogue")).content.decode()
    assert "在用课程" in html
    assert ("停用课程" in html) is (who == "hr")
    assert client.get(reverse("training:session_list")).status_code == 200


def test_anonymous_goes_to_login(client):
    assert client.get(reverse("training:course_catalogue")).status_code == 302


@pytest.mark.parametrize(("who", "status"), [("hr", 200), ("trainer", 200), ("supervisor", 403), ("agent", 403)])
def test_who_writes_the_catalogue(client, org, trainer, who, status):
    client.force_login(getattr(org, who).user)
    assert client.get(reverse("training:course_new")).status_code == status


def test_hr_adds_a_course_and_bad_input_changes_nothing(client, org):
    client.force_login(org.hr.user)
    data = {
        "code": "sec-x",
        "title": "数据安全",
        "topic_area": "security",
        "delivery_mode": "internal",
        "hours": "2",
        "active": "on",
    }
    response = client.post(reverse("training:course_new"), {**data, "hours": "-1"})
    assert response.status_code == 400 and not Course.objects.exists()
    response = client.post(reverse("training:course_new"), {**data, "delivery_mode": "external"})
    assert response.status_code == 400 and not Course.objects.exists()  # an external course names its provider
    response = client.post(reverse("training:course_new"), data)
    assert response.status_code == 302
    assert Course.objects.get().pass_mark == Decimal("60")  # the policy's default (TRN-2)
    response = client.post(reverse("training:course_new"), data)
    assert response.status_code == 400 and Course.objects.count() == 1


def test_course_titles_are_escaped_everywhere(client, org, trainer):
    the_course = course("xss", title=XSS, description=XSS)
    session = session_for(the_course, trainer=trainer.user, enrol=[org.agent])
    client.force_login(org.hr.user)
    for url in (
        reverse("training:course_catalogue"),
        reverse("training:course_detail", args=[the_course.pk]),
        reverse("training:session_list"),
        reverse("training:session_detail", args=[session.pk]),
        reverse("training:session_attendance", args=[session.pk]),
    ):
        html = client.get(url).content.decode()
        assert XSS not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_catalogue_and_sessions_queries_are_bounded(client, org, trainer, django_assert_max_num_queries):
    client.force_login(org.agent.user)
    client.get(reverse("training:course_catalogue"))  # warm the session and the menu
    for n in range(25):
        c = course(f"c-{n}", open_enrolment=True)
        session_for(c, trainer=trainer.user, enrol=[org.agent, org.peer])
    with django_assert_max_num_queries(20):
        assert client.get(reverse("training:course_catalogue")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("training:session_list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("training:session_list"), {"page": 2}).status_code == 200


def test_sessions_list_filters_by_month_course_and_trainer(client, org, trainer):
    day = next_workday()
    a, b = course("a", title="课程甲"), course("b", title="课程乙")
    session_for(a, trainer=trainer.user, starts_at=at(day, 10))
    session_for(b, trainer=org.hr.user, starts_at=at(day + datetime.timedelta(days=40), 10))
    client.force_login(org.supervisor.user)
    url = reverse("training:session_list")

    def table(query):
        return client.get(url, query).content.decode().split('id="session-table"')[1]

    html = table({"course": a.pk})
    assert "课程甲" in html and "课程乙" not in html
    html = table({"trainer": org.hr.user.pk})
    assert "课程乙" in html and "课程甲" not in html
    html = table({"month": f"{day:%Y-%m}"})
    assert "课程甲" in html and "课程乙" not in html
    assert client.get(url, {"month": "2026-13", "course": "x"}).status_code == 200  # bad filters: ignored


def test_supervisor_enrols_the_team_in_two_steps_and_sees_the_clash(client, org, trainer):
    day = next_workday()
    session = session_for(course(), trainer=trainer.user, starts_at=at(day, 10))
    roster_weeks([org.agent], day, 1)
    client.force_login(org.supervisor.user)
    url = reverse("training:session_enrol", args=[session.pk])
    page = client.get(url).content.decode()
    assert org.agent.name in page and org.other_team.name not in page
    # step 1: the whole team → the preview with each person's roster shift
    with translation.override("en"):
        preview = client.post(url, {"team": org.a1.pk, "step": "preview"}, HTTP_ACCEPT_LANGUAGE="en")
    html = preview.content.decode()
    assert preview.status_code == 200 and f"{day:%Y-%m-%d} 白班 09:00–18:00" in html
    assert 'id="enrol-confirm"' in html and not Enrolment.objects.exists()
    # step 2: confirm
    ids = [org.agent.pk, org.peer.pk]
    response = client.post(url, {"employees": ids, "step": "confirm"})
    assert response.status_code == 302
    assert Enrolment.objects.get(employee=org.agent).roster_clash.startswith(f"{day:%Y-%m-%d}")
    # someone of another team is not a choice
    response = client.post(url, {"employees": [org.other_team.pk], "step": "confirm"})
    assert response.status_code == 400 and Enrolment.objects.count() == 2


def test_an_agent_enrols_themselves_in_an_open_course_only(client, org, trainer):
    open_session = session_for(course("open", open_enrolment=True), trainer=trainer.user)
    closed = session_for(course("closed"), trainer=trainer.user)
    client.force_login(org.agent.user)
    assert 'id="enrol-self"' in client.get(reverse("training:session_detail", args=[open_session.pk])).content.decode()
    client.post(reverse("training:session_enrol_self", args=[open_session.pk]))
    assert Enrolment.objects.filter(session=open_session, employee=org.agent).exists()
    # a closed course's session is not even visible to the agent, and enrolling is refused
    assert client.get(reverse("training:session_detail", args=[closed.pk])).status_code == 404
    client.post(reverse("training:session_enrol_self", args=[closed.pk]))
    assert not Enrolment.objects.filter(session=closed).exists()
    assert client.get(reverse("training:session_enrol", args=[closed.pk])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("trainer", 200), ("hr", 200), ("supervisor", 404), ("agent", 404)])
def test_attendance_page_for_the_trainer_or_hr(client, org, trainer, who, status):
    session = session_for(course(), trainer=trainer.user, enrol=[org.agent])
    client.force_login(getattr(org, who).user)
    assert client.get(reverse("training:session_attendance", args=[session.pk])).status_code == status


def test_another_trainers_session_sheet_is_hidden(client, org, trainer):
    session = session_for(course(), trainer=org.hr.user, enrol=[org.agent])
    client.force_login(trainer.user)
    assert client.get(reverse("training:session_attendance", args=[session.pk])).status_code == 404


def test_trainer_marks_and_scores_on_the_phone_page(client, org, trainer, django_assert_max_num_queries):
    session = started(session_for(course(mark="60"), trainer=trainer.user, enrol=[org.agent, org.peer, trainer]))
    client.force_login(trainer.user)
    url = reverse("training:session_attendance", args=[session.pk])
    client.get(url)
    with django_assert_max_num_queries(15):
        html = client.get(url).content.decode()
    assert html.count('class="card enrollee"') == 3
    own = Enrolment.objects.get(employee=trainer)
    assert reverse("training:enrolment_mark", args=[own.pk]) not in html  # not their own
    enrolment = Enrolment.objects.get(employee=org.agent)
    # htmx: the card comes back in its new state
    response = client.post(
        reverse("training:enrolment_mark", args=[enrolment.pk]), {"mark": "present"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert 'data-mark="present"' in response.content.decode()
    client.post(reverse("training:enrolment_score", args=[enrolment.pk]), {"score": "60"})
    record = TrainingRecord.objects.get(employee=org.agent)
    assert (record.result, record.source_key) == ("passed", f"session:{session.pk}")
    # bad input: a message, nothing changed
    client.post(reverse("training:enrolment_score", args=[enrolment.pk]), {"score": "101"})
    client.post(reverse("training:enrolment_mark", args=[enrolment.pk]), {"mark": "maybe"})
    assert Enrolment.objects.get(pk=enrolment.pk).score == Decimal("60.00")
    # own enrolment refused through the URL too
    client.post(reverse("training:enrolment_mark", args=[own.pk]), {"mark": "present"})
    assert Enrolment.objects.get(pk=own.pk).attendance == ""


def test_participant_answers_the_survey_once_and_the_average_shows(client, org, trainer):
    session = started(session_for(course(), trainer=trainer.user, enrol=[org.agent]))
    enrolment = Enrolment.objects.get()
    Enrolment.objects.filter(pk=enrolment.pk).update(attendance="present")
    client.force_login(org.agent.user)
    page = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert 'id="survey-form"' in page
    client.post(reverse("training:enrolment_survey", args=[enrolment.pk]), {"rating": "4", "comment": XSS})
    client.post(reverse("training:enrolment_survey", args=[enrolment.pk]), {"rating": "1"})
    assert SatisfactionResponse.objects.get().rating == 4
    client.force_login(org.hr.user)
    html = client.get(reverse("training:session_detail", args=[session.pk])).content.decode()
    assert 'id="session-satisfaction">4.0' in html


def test_session_page_queries_are_bounded(client, org, trainer, django_assert_max_num_queries):
    """HR opens a full session: the number of queries does not grow with the participants."""
    people = [org.agent, org.peer, org.other_team, org.other_dept, org.supervisor, org.manager, org.leader]
    session = session_for(course(), trainer=trainer.user, capacity=20, enrol=people)
    client.force_login(org.hr.user)
    url = reverse("training:session_detail", args=[session.pk])
    client.get(url)
    with django_assert_max_num_queries(20):
        html = client.get(url).content.decode()
    assert all(p.name in html for p in people)
