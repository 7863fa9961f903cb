"""Mandatory courses and compliance (TRN-1, TRN-3, SEC-3): HR's pages, the compliance report and
the people list by remit, the supervisor's dashboard card, the reminder job (once per stage,
idempotent), the appraisal's training indicator, and bounded queries."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from callcenter.models import Notification
from callcenter.tests import factories as f
from callcenter.tests.factories import reads_english
from datasecurity.models import AuditEvent
from training import selectors, services
from training.models import AudienceKind, DeadlineKind, MandatoryCourse, TrainingReminder
from training.tests.factories.records import course, mandatory, record

D = datetime.date
TODAY = timezone.localdate()


@pytest.fixture
def awareness(org):
    """SEC-3's awareness course, yearly for everyone by 30 June; the agent passed it this year."""
    c = course("security-awareness", title="数据安全意识培训", topic="security")
    m = mandatory(c, kind=DeadlineKind.YEARLY, yearly_month=6, yearly_day=30)
    record(org.agent, c, day=D(TODAY.year, 1, 2) if D(TODAY.year, 1, 2) < TODAY else TODAY)
    return m


def test_compliance_counts_per_team_by_remit_trn3(org, awareness):
    teams = list(selectors.compliance_teams(user=org.hr.user))
    rows = {r.team.code: r for r in selectors.compliance_team_rows(user=org.hr.user, teams=teams)}
    a1 = rows["A1"]  # agent (done), peer, supervisor, manager, leader (not yet)
    assert (a1.done, a1.due + a1.overdue, a1.people) == (1, 4, 5)
    sup_teams = [t.code for t in selectors.compliance_teams(user=org.supervisor.user)]
    assert sup_teams == ["A1"]
    assert list(selectors.compliance_teams(user=org.agent.user).values_list("code", flat=True)) == ["A1"]


def test_compliance_report_page_and_exports_audited_trn3(client, org, awareness):
    client.force_login(org.hr.user)
    page = client.get(reverse("training:compliance"))
    assert page.status_code == 200 and 'data-team="' in page.content.decode()
    for fmt in ("csv", "xlsx"):
        assert client.get(reverse("training:compliance_export", args=[fmt])).status_code == 200
    assert AuditEvent.objects.filter(action="training_compliance.export").count() == 2
    assert client.get(reverse("api:training:compliance")).json()["count"] == 3
    client.force_login(org.agent.user)
    assert client.get(reverse("training:compliance")).status_code == 403
    assert client.get(reverse("api:training:compliance")).status_code == 403


def test_people_list_shows_only_the_remit_trn3(client, org, awareness):
    client.force_login(org.supervisor.user)
    body = client.get(reverse("training:compliance_people")).content.decode()
    assert org.peer.employee_no in body and org.other_team.employee_no not in body
    assert org.agent.employee_no not in body  # done: not listed by default
    body = client.get(reverse("training:compliance_people"), {"state": "done"}).content.decode()
    assert org.agent.employee_no in body
    assert client.get(reverse("training:compliance_people"), {"team": "abc", "state": "x"}).status_code == 200


def test_supervisor_dashboard_card_shows_the_team_compliance(client, org, awareness):
    reads_english(org.supervisor)
    client.force_login(org.supervisor.user)
    body = client.get(reverse("callcenter:dashboard")).content.decode()
    assert 'data-card="training_compliance"' in body and reverse("training:compliance_people") in body
    card = selectors.training_dashboard_compliance(user=org.supervisor.user, me=org.supervisor)
    assert card["done"] == 1 and card["due"] + card["overdue"] == 4
    assert selectors.training_dashboard_compliance(user=org.agent.user, me=org.agent) is None


def test_my_mandatory_courses_api(client, org, awareness):
    client.force_login(org.peer.user)
    rows = client.get(reverse("api:training:mandatory_mine")).json()
    assert [r["course_code"] for r in rows] == ["security-awareness"] and rows[0]["state"] in {"due", "overdue"}


# --- HR manages mandatory courses (TRN-1) -----------------------------------------------------------


def test_hr_makes_a_course_mandatory_through_the_page_audited(client, org):
    c = course("induction", title="新员工入职培训")
    client.force_login(org.hr.user)
    response = client.post(
        reverse("training:mandatory_new"),
        {
            "course": c.pk,
            "audience_kind": "new_hires",
            "deadline_kind": "after_hire",
            "days_after_hire": "14",
            "applies_from": "2026-01-01",
            "active": "on",
        },
    )
    assert response.status_code == 302
    m = MandatoryCourse.objects.get(course=c)
    assert (m.deadline_kind, m.days_after_hire, m.audience_kind) == ("after_hire", 14, "new_hires")
    assert AuditEvent.objects.filter(action="mandatory_course.create").count() == 1
    response = client.post(
        reverse("training:mandatory_edit", args=[m.pk]),
        {"audience_kind": "teams", "teams": [org.a1.pk], "deadline_kind": "fixed", "fixed_date": "2026-12-31"},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.deadline_kind, m.fixed_date, m.days_after_hire, m.active) == ("fixed", D(2026, 12, 31), None, False)
    assert list(m.audience_teams.values_list("code", flat=True)) == ["A1"]
    assert AuditEvent.objects.filter(action="mandatory_course.update").count() == 1
    assert client.get(reverse("training:mandatory")).status_code == 200


@pytest.mark.parametrize(
    "bad",
    [
        {"deadline_kind": "yearly", "yearly_month": "2", "yearly_day": "30"},
        {"deadline_kind": "yearly", "yearly_month": "", "yearly_day": ""},
        {"deadline_kind": "fixed", "fixed_date": ""},
        {"deadline_kind": "after_hire", "audience_kind": "teams"},  # no team named
        {"deadline_kind": "after_hire", "audience_kind": "people", "people": "NOBODY-1"},
    ],
)
def test_bad_mandatory_input_is_refused_with_nothing_changed(client, org, bad):
    c = course("bad-1")
    client.force_login(org.hr.user)
    body = {"course": c.pk, "audience_kind": "everyone", **bad}
    response = client.post(reverse("training:mandatory_new"), body)
    assert response.status_code == 400
    assert not MandatoryCourse.objects.exists()


def test_only_hr_manages_mandatory_courses(client, org):
    client.force_login(org.supervisor.user)
    assert client.get(reverse("training:mandatory")).status_code == 403
    with pytest.raises(Exception) as exc:
        services.mandatory_course_create(
            actor=org.supervisor.user, course_id=course("x1").pk, deadline_kind="fixed", fixed_date=TODAY
        )
    assert getattr(exc.value, "status", None) == 403


def test_a_29_february_yearly_deadline_is_accepted(org):
    m = services.mandatory_course_create(
        actor=org.hr.user, course_id=course("leap").pk, deadline_kind="yearly", yearly_month=2, yearly_day=29
    )
    assert (m.yearly_month, m.yearly_day) == (2, 29)


# --- Reminders (TRN-3): before, on the day, after; once per stage ----------------------------------------


def test_reminders_once_per_stage_to_learners_and_supervisors_trn3(org, awareness, django_capture_on_commit_callbacks):
    deadline = D(TODAY.year, 6, 30)
    before = deadline - datetime.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.training_reminders_send(today=before)
    # peer, supervisor, manager, leader (A1), other_team (A2), other_dept, hr, handler, auditor (B1): not the agent.
    assert first["reminders"] == 9 and first["learners"] == 9
    assert not TrainingReminder.objects.filter(employee=org.agent).exists()
    kinds = Notification.objects.filter(recipient=org.supervisor.user).values_list("kind", flat=True)
    assert set(kinds) == {"training.reminder", "training.reminder_team"}
    team_notice = Notification.objects.get(recipient=org.supervisor.user, kind="training.reminder_team")
    assert "3" in team_notice.title  # peer, manager, leader of A1 (the supervisor not counted for themselves)
    count = Notification.objects.count()
    # A rerun the same day, and the next day in the same stage: nothing twice.
    assert services.training_reminders_send(today=before)["reminders"] == 0
    assert services.training_reminders_send(today=before + datetime.timedelta(days=1))["reminders"] == 0
    assert Notification.objects.count() == count
    # On the day, then after it: one more each.
    assert services.training_reminders_send(today=deadline)["reminders"] == 9
    assert services.training_reminders_send(today=deadline + datetime.timedelta(days=1))["reminders"] == 9
    assert services.training_reminders_send(today=deadline + datetime.timedelta(days=9))["reminders"] == 0
    stages = TrainingReminder.objects.filter(employee=org.peer).values_list("stage", flat=True)
    assert sorted(stages) == ["before", "due", "overdue"]
    assert AuditEvent.objects.filter(action="training_reminder.send").count() == 3


def test_no_reminder_too_early_nor_for_who_passed(org, awareness):
    deadline = D(TODAY.year, 6, 30)
    assert services.training_reminders_send(today=deadline - datetime.timedelta(days=30))["reminders"] == 0


def test_the_periodic_job_runs_the_service(org, awareness):
    from training.tasks import training_reminders  # noqa: PLC0415 - the task module registers the job

    result = training_reminders.apply(kwargs={"day": f"{TODAY.year}-06-30"}).get()
    assert "9 reminders" in result


def test_reminder_job_queries_are_bounded_whatever_the_headcount(org, awareness, django_assert_max_num_queries):
    deadline = D(TODAY.year, 6, 30)
    with django_assert_max_num_queries(60) as small:
        services.training_reminders_send(today=deadline)
    for i in range(30):
        f.EmployeeFactory(team=org.a2, department=org.dept_a, position=org.agent.position, name=f"新人{i}")
    with django_assert_max_num_queries(len(small.captured_queries) + 2):
        assert services.training_reminders_send(today=deadline + datetime.timedelta(days=1))["reminders"] == 39


def test_compliance_report_queries_are_bounded(client, org, awareness, django_assert_max_num_queries):
    client.force_login(org.hr.user)
    with django_assert_max_num_queries(40) as small:
        client.get(reverse("training:compliance"))
    for i in range(20):
        person = f.EmployeeFactory(team=org.b1, department=org.dept_b, position=org.agent.position, name=f"员工{i}")
        record(person, awareness.course, day=TODAY)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("training:compliance"))
    with django_assert_max_num_queries(len(small.captured_queries) + 5):
        client.get(reverse("training:compliance_people"))


# --- The new-hire induction (TRN-1) ---------------------------------------------------------------------


def test_new_hire_induction_is_due_then_overdue_trn1(org):
    c = course("induction-2")
    mandatory(
        c,
        kind=DeadlineKind.AFTER_HIRE,
        audience=AudienceKind.NEW_HIRES,
        days_after_hire=30,
        applies_from=TODAY - datetime.timedelta(days=100),
    )
    hired = f.EmployeeFactory(
        team=org.a1, department=org.dept_a, position=org.agent.position, hire_date=TODAY - datetime.timedelta(days=31)
    )
    fresh = f.EmployeeFactory(
        team=org.a1, department=org.dept_a, position=org.agent.position, hire_date=TODAY - datetime.timedelta(days=30)
    )
    rows = {r.employee["pk"]: r for r in selectors.compliance_obligations(employees=type(hired).objects.all())}
    assert rows[hired.pk].state == "overdue" and rows[fresh.pk].state == "due"  # deadline today: still due
    assert org.agent.pk not in rows  # hired before the rule applied


def test_indicator_inputs_queries_are_bounded(org, django_assert_max_num_queries):
    c = course("q-1")
    mandatory(course("sa-1"), kind=DeadlineKind.YEARLY, yearly_month=5, yearly_day=31)
    ids = [org.agent.pk, org.peer.pk]
    with django_assert_max_num_queries(12) as small:
        selectors.training_indicator_inputs(employee_ids=ids, month=D(2025, 5, 1))
    for i in range(20):
        record(org.agent, c, day=D(2025, 5, 1 + i), score=Decimal(50 + i))
    with django_assert_max_num_queries(len(small.captured_queries)):
        result = selectors.training_indicator_inputs(employee_ids=ids, month=D(2025, 5, 1))
    assert len(result[org.agent.pk].scores) == 20 and result[org.agent.pk].missed == ["sa-1"]


def test_mandatory_list_queries_are_bounded(client, org, django_assert_max_num_queries):
    client.force_login(org.hr.user)
    mandatory(course("m-0"))
    with django_assert_max_num_queries(30) as small:
        assert client.get(reverse("training:mandatory")).status_code == 200
    for i in range(1, 12):
        mandatory(course(f"m-{i}"), audience=AudienceKind.EVERYONE)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("training:mandatory")).status_code == 200
