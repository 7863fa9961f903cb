"""Attempts under real parallel connections (TRN-2): two starts cannot exceed the number of
attempts, two submissions of one attempt score it once; the database refuses what the lock missed."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent
from training import services
from training.errors import TrainingErrorCode
from training.models import StudyAttempt, TrainingRecord
from training.tests.factories import StudyCourseFactory, question_bank

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def course(org):
    course = StudyCourseFactory(question_count=4, max_attempts=2)
    question_bank(course, 6)
    return course


def test_two_parallel_starts_make_one_attempt(org, course):
    start = lambda: services.study_attempt_start(actor=org.agent.user, course_id=course.pk).pk  # noqa: E731
    outcomes = run_parallel([start, start], results=True)
    assert len(outcomes) == 2 and outcomes[0] == outcomes[1]
    assert StudyAttempt.objects.filter(employee=org.agent).count() == 1


def test_parallel_starts_at_the_last_attempt_cannot_exceed_the_count(org, course):
    first = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    services.study_attempt_submit(actor=org.agent.user, attempt_id=first.pk, answers={})
    start = lambda: services.study_attempt_start(actor=org.agent.user, course_id=course.pk).number  # noqa: E731
    outcomes = run_parallel([start, start, start], results=True)
    assert outcomes == [2, 2, 2]
    assert StudyAttempt.objects.filter(employee=org.agent).count() == 2
    second = StudyAttempt.objects.get(employee=org.agent, number=2)
    services.study_attempt_submit(actor=org.agent.user, attempt_id=second.pk, answers={})
    outcomes = run_parallel([lambda: services.study_attempt_start(actor=org.agent.user, course_id=course.pk)] * 2)
    assert outcomes == [TrainingErrorCode.ATTEMPT_LIMIT, TrainingErrorCode.ATTEMPT_LIMIT]


def test_two_parallel_submissions_score_once(org, course):
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    submit = lambda: services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers={})  # noqa: E731
    outcomes = run_parallel([submit, submit])
    assert outcomes == sorted(["ok", TrainingErrorCode.ATTEMPT_CLOSED])
    assert AuditEvent.objects.filter(action="training_attempt.submit").count() == 1
    assert TrainingRecord.objects.get(employee=org.agent).attempts == 1


def test_database_refuses_attempts_beyond_the_count_and_two_open(org, course):
    now = timezone.now()
    fields = {
        "course": course,
        "employee": org.agent,
        "max_attempts": 2,
        "year": now.year,
        "deadline": now + datetime.timedelta(minutes=30),
        "pass_mark": course.pass_mark,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyAttempt.objects.create(number=3, **fields)
    StudyAttempt.objects.create(number=1, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyAttempt.objects.create(number=2, **fields)  # a second open attempt
    with pytest.raises(IntegrityError), transaction.atomic():
        StudyAttempt.objects.create(number=1, status="submitted", submitted_at=now, **fields)
