"""Courses, sessions, enrolment, attendance, scores and the survey (TRN-2), through the services:
who may do what (own / team / other team), the roster clash, the off-phone activity, the records."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from attendance.models import OffPhoneActivity
from attendance.tests.factories import roster_weeks
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Notification
from datasecurity.models import AuditEvent
from training import services
from training.models import Course, Enrolment, EnrolmentStatus, SatisfactionResponse, TrainingPolicy, TrainingRecord
from training.tests.factories import at, course, session_for

pytestmark = pytest.mark.django_db


def next_workday() -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@pytest.fixture
def day():
    return next_workday()


@pytest.fixture
def internal(org, trainer, day):
    return session_for(course(), trainer=trainer.user, starts_at=at(day, 10))


def _started(session, minutes=5):
    """Move the session so that it started ``minutes`` ago (attendance is open)."""
    session.starts_at = timezone.now() - datetime.timedelta(minutes=minutes)
    session.ends_at = session.starts_at + datetime.timedelta(hours=2)
    session.save(update_fields=["starts_at", "ends_at"])
    return session


# --- courses ---------------------------------------------------------------------------------------


def test_a_new_course_takes_the_policy_defaults(org, trainer):
    TrainingPolicy.objects.create(
        effective_from=timezone.localdate(),
        default_pass_mark=Decimal("70"),
        default_max_attempts=2,
        default_time_limit_minutes=45,
    )
    created = services.course_create(
        actor=trainer.user,
        code="comm-1",
        title="沟通技巧",
        topic_area="communication",
        delivery_mode="internal",
        hours="3",
    )
    assert (created.pass_mark, created.max_attempts, created.time_limit_minutes) == (Decimal("70"), 2, 45)
    assert AuditEvent.objects.filter(action="course.create", object_id=str(created.pk)).exists()


def test_agents_and_supervisors_do_not_write_the_catalogue(org):
    for user in (org.agent.user, org.supervisor.user):
        with pytest.raises(PermissionDeniedError):
            services.course_create(
                actor=user, code="x", title="x", topic_area="service", delivery_mode="internal", hours="1"
            )
    assert not Course.objects.exists()


def test_bad_course_input_is_refused_with_a_message(org):
    course("dup")
    with pytest.raises(ApplicationError) as taken:
        services.course_create(
            actor=org.hr.user, code="dup", title="x", topic_area="service", delivery_mode="internal", hours="1"
        )
    assert taken.value.code == "course_code_taken"
    with pytest.raises(ApplicationError) as external:
        services.course_create(
            actor=org.hr.user, code="ext", title="x", topic_area="service", delivery_mode="external", hours="1"
        )
    assert external.value.field == "provider"
    with pytest.raises(ApplicationError):
        services.course_update(actor=org.hr.user, course_id=Course.objects.get().pk, pass_mark=Decimal("101"))
    assert Course.objects.get().pass_mark == Decimal("60")


# --- sessions ----------------------------------------------------------------------------------------


def test_a_session_needs_a_trainer_with_the_role_or_a_provider(org, trainer, day):
    the_course = course()
    with pytest.raises(ApplicationError) as wrong:
        services.session_create(
            actor=org.hr.user,
            course_id=the_course.pk,
            starts_at=at(day, 10),
            ends_at=at(day, 12),
            capacity=5,
            place="A",
            trainer_id=org.agent.user.pk,
        )
    assert wrong.value.code == "trainer_invalid"
    with pytest.raises(ApplicationError):
        services.session_create(
            actor=org.hr.user,
            course_id=the_course.pk,
            starts_at=at(day, 12),
            ends_at=at(day, 10),
            capacity=5,
            place="A",
            trainer_id=trainer.user.pk,
        )
    session = services.session_create(
        actor=trainer.user,
        course_id=the_course.pk,
        starts_at=at(day, 10),
        ends_at=at(day, 12),
        capacity=5,
        place="A",
        trainer_id=trainer.user.pk,
    )
    assert session.trainer_id == trainer.user.pk


# --- enrolment: who may enrol whom -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "target", "open_course", "allowed"),
    [
        ("hr", "other_dept", False, True),  # HR enrols anyone
        ("supervisor", "agent", False, True),  # a supervisor their team
        ("supervisor", "other_team", False, False),  # not another team
        ("supervisor", "other_dept", False, False),
        ("agent", "agent", True, True),  # oneself into an open course
        ("agent", "agent", False, False),  # not into a closed one
        ("agent", "peer", True, False),  # never someone else
        ("trainer", "agent", True, False),
    ],
)
def test_enrolment_matrix(org, trainer, day, actor, target, open_course, allowed):
    session = session_for(course(open_enrolment=open_course), trainer=trainer.user, starts_at=at(day, 10))
    who, whom = getattr(org, actor), getattr(org, target)
    if allowed:
        services.enrolment_create(actor=who.user, session_id=session.pk, employee_ids=[whom.pk])
        assert Enrolment.objects.filter(session=session, employee=whom).exists()
    else:
        with pytest.raises(PermissionDeniedError):
            services.enrolment_create(actor=who.user, session_id=session.pk, employee_ids=[whom.pk])
        assert not Enrolment.objects.exists() and not OffPhoneActivity.objects.exists()


def test_enrolment_stores_the_roster_clash_and_blocks_the_time(org, internal, day):
    roster_weeks([org.agent], day, 1)
    services.enrolment_create(
        actor=org.supervisor.user, session_id=internal.pk, employee_ids=[org.agent.pk, org.peer.pk]
    )
    agent = Enrolment.objects.get(employee=org.agent)
    assert agent.roster_clash == f"{day:%Y-%m-%d} 白班 09:00–18:00"
    assert Enrolment.objects.get(employee=org.peer).roster_clash == ""  # no shift that day
    activity = OffPhoneActivity.objects.get(employee=org.agent)
    assert (activity.starts_at, activity.ends_at, activity.kind) == (internal.starts_at, internal.ends_at, "training")
    assert activity.source_key == f"training:session:{internal.pk}"
    assert AuditEvent.objects.filter(action="enrolment.create").count() == 2


def test_capacity_and_one_enrolment_per_person(org, trainer, day):
    session = session_for(course(), trainer=trainer.user, starts_at=at(day, 10), capacity=1)
    with pytest.raises(ApplicationError) as full:
        services.enrolment_create(actor=org.hr.user, session_id=session.pk, employee_ids=[org.agent.pk, org.peer.pk])
    assert full.value.code == "session_full" and not Enrolment.objects.exists()
    services.enrolment_create(actor=org.hr.user, session_id=session.pk, employee_ids=[org.agent.pk])
    with pytest.raises(ApplicationError) as again:
        services.enrolment_create(actor=org.hr.user, session_id=session.pk, employee_ids=[org.agent.pk])
    assert again.value.code == "already_enrolled"


def test_cancelling_an_enrolment_frees_the_seat_and_the_time(org, internal):
    [enrolment] = services.enrolment_create(
        actor=org.supervisor.user, session_id=internal.pk, employee_ids=[org.agent.pk]
    )
    with pytest.raises(NotFoundError):
        services.enrolment_cancel(actor=org.other_team.user, enrolment_id=enrolment.pk)
    services.enrolment_cancel(actor=org.agent.user, enrolment_id=enrolment.pk)
    assert Enrolment.objects.get().status == EnrolmentStatus.CANCELLED
    assert not OffPhoneActivity.objects.exists()
    # enrolled again later: the same row comes back
    services.enrolment_create(actor=org.supervisor.user, session_id=internal.pk, employee_ids=[org.agent.pk])
    assert Enrolment.objects.get().status == EnrolmentStatus.ENROLLED and OffPhoneActivity.objects.count() == 1


def test_no_enrolment_or_cancellation_once_started(org, internal):
    [enrolment] = services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[org.agent.pk])
    _started(internal)
    with pytest.raises(ApplicationError) as late:
        services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[org.peer.pk])
    assert late.value.code == "enrolment_closed"
    with pytest.raises(ApplicationError):
        services.enrolment_cancel(actor=org.agent.user, enrolment_id=enrolment.pk)


def test_cancelling_a_session_frees_the_time_and_notifies(org, internal):
    services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[org.agent.pk, org.peer.pk])
    with pytest.raises(PermissionDeniedError):
        services.session_cancel(actor=org.supervisor.user, session_id=internal.pk)
    services.session_cancel(actor=internal.trainer, session_id=internal.pk, reason="讲师生病")
    assert not OffPhoneActivity.objects.exists()
    assert set(
        Notification.objects.filter(kind="training.session_cancelled").values_list("recipient_id", flat=True)
    ) == {
        org.agent.user_id,
        org.peer.user_id,
    }


def test_moving_a_session_moves_the_blocked_time(org, internal, day):
    services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[org.agent.pk])
    services.session_update(actor=org.hr.user, session_id=internal.pk, starts_at=at(day, 14), ends_at=at(day, 16))
    assert OffPhoneActivity.objects.get().starts_at == at(day, 14)


# --- attendance and scores -----------------------------------------------------------------------


def test_trainer_marks_and_scores_and_the_record_follows(org, internal):
    [enrolment] = services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[org.agent.pk])
    with pytest.raises(ApplicationError) as early:
        services.session_attendance_mark(actor=internal.trainer, enrolment_id=enrolment.pk, mark="present")
    assert early.value.code == "session_not_started"
    _started(internal)
    services.session_attendance_mark(actor=internal.trainer, enrolment_id=enrolment.pk, mark="present")
    record = TrainingRecord.objects.get(employee=org.agent)
    assert (record.source, record.source_key, record.result) == ("session", f"session:{internal.pk}", "attended")
    services.session_score_set(actor=internal.trainer, enrolment_id=enrolment.pk, score=Decimal("60"))
    record.refresh_from_db()
    assert (record.result, record.score, record.pass_mark) == ("passed", Decimal("60.00"), Decimal("60.00"))
    assert record.certificate_no


def test_absent_gives_an_absent_record_and_no_score(org, internal):
    [enrolment] = services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[org.agent.pk])
    _started(internal)
    services.session_attendance_mark(actor=org.hr.user, enrolment_id=enrolment.pk, mark="absent")
    assert TrainingRecord.objects.get().result == "absent"
    with pytest.raises(ApplicationError) as refused:
        services.session_score_set(actor=org.hr.user, enrolment_id=enrolment.pk, score=Decimal("80"))
    assert refused.value.code == "not_attended"


def test_below_the_pass_mark_fails_and_bad_scores_are_refused(org, internal):
    [enrolment] = services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[org.agent.pk])
    _started(internal)
    services.session_attendance_mark(actor=internal.trainer, enrolment_id=enrolment.pk, mark="late")
    services.session_score_set(actor=internal.trainer, enrolment_id=enrolment.pk, score=Decimal("59.99"))
    assert TrainingRecord.objects.get().result == "failed"
    for bad in (Decimal("-1"), Decimal("100.5"), None):
        with pytest.raises(ApplicationError):
            services.session_score_set(actor=internal.trainer, enrolment_id=enrolment.pk, score=bad)
    assert Enrolment.objects.get().score == Decimal("59.99")


def test_only_the_sessions_trainer_or_hr_marks(org, trainer, internal):
    other_trainer_session = session_for(course("other"), trainer=org.hr.user)
    [mine] = services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[org.agent.pk])
    [theirs] = services.enrolment_create(
        actor=org.hr.user, session_id=other_trainer_session.pk, employee_ids=[org.agent.pk]
    )
    _started(internal)
    _started(other_trainer_session)
    for user in (org.supervisor.user, org.agent.user):
        with pytest.raises(NotFoundError):
            services.session_attendance_mark(actor=user, enrolment_id=mine.pk, mark="present")
    with pytest.raises(NotFoundError):  # the trainer marks only the sessions they give
        services.session_attendance_mark(actor=trainer.user, enrolment_id=theirs.pk, mark="present")
    assert not TrainingRecord.objects.exists()


def test_a_trainer_cannot_mark_their_own_enrolment(org, trainer, internal):
    [own] = services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[trainer.pk])
    _started(internal)
    with pytest.raises(PermissionDeniedError) as refused:
        services.session_attendance_mark(actor=trainer.user, enrolment_id=own.pk, mark="present")
    assert refused.value.code == "own_record"
    assert Enrolment.objects.get().attendance == "" and not TrainingRecord.objects.exists()


# --- satisfaction -------------------------------------------------------------------------------


def test_survey_once_by_participants_who_attended(org, internal):
    [enrolment] = services.enrolment_create(actor=org.hr.user, session_id=internal.pk, employee_ids=[org.agent.pk])
    with pytest.raises(ApplicationError) as not_yet:
        services.satisfaction_submit(actor=org.agent.user, enrolment_id=enrolment.pk, rating=5)
    assert not_yet.value.code == "not_attended"
    _started(internal)
    services.session_attendance_mark(actor=internal.trainer, enrolment_id=enrolment.pk, mark="present")
    with pytest.raises(NotFoundError):  # only for oneself
        services.satisfaction_submit(actor=org.supervisor.user, enrolment_id=enrolment.pk, rating=5)
    with pytest.raises(ApplicationError):
        services.satisfaction_submit(actor=org.agent.user, enrolment_id=enrolment.pk, rating=6)
    services.satisfaction_submit(actor=org.agent.user, enrolment_id=enrolment.pk, rating=4, comment="<b>好</b>")
    with pytest.raises(ApplicationError) as again:
        services.satisfaction_submit(actor=org.agent.user, enrolment_id=enrolment.pk, rating=1)
    assert again.value.code == "already_answered"
    assert SatisfactionResponse.objects.get().rating == 4
