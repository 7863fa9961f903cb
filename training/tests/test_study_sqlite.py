"""The self-study journey on SQLite, the `make run` database (TRN-2, TRN-3): HR adds questions on
the page, the agent takes the assessment on the page and passes, the record is written; two
parallel submissions still score once (SQLite's IMMEDIATE transactions serialise the writers
where PostgreSQL's row lock does)."""

import pytest
from django.test import Client
from django.urls import reverse

from callcenter.tests.parallel import run_parallel
from training import services
from training.errors import TrainingErrorCode
from training.models import AttemptStatus, Question, QuestionOption, RecordResult, StudyAttempt, TrainingRecord
from training.tests.factories import StudyCourseFactory

pytestmark = pytest.mark.sqlite


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hr_adds_questions_agent_passes_record_written(sqlite_db, org, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    course = StudyCourseFactory(code="security-awareness", question_count=3, pass_mark=60)
    hr = client_of(org.hr.user)
    for i in range(4):
        response = hr.post(
            reverse("training:study_question_new", args=[course.pk]),
            {
                "kind": "single",
                "text": f"问题 {i}",
                "option_1": "对的",
                "correct_1": "on",
                "option_2": "错的",
                "active": "on",
            },
        )
        assert response.status_code == 302
    assert Question.objects.filter(course=course).count() == 4
    agent = client_of(org.agent.user)
    assert agent.get(reverse("training:study")).status_code == 200
    assert agent.post(reverse("training:study_attempt_start", args=[course.pk])).status_code == 302
    attempt = StudyAttempt.objects.get(employee=org.agent)
    page = agent.get(reverse("training:study_attempt", args=[attempt.pk]))
    assert page.status_code == 200 and "对的" in page.content.decode()
    right = dict(QuestionOption.objects.filter(question__course=course, correct=True).values_list("question_id", "pk"))
    first = attempt.draw[0]["q"]
    saved = agent.post(
        reverse("training:study_attempt_answer", args=[attempt.pk]),
        {"question": first, f"q{first}": right[first]},
        headers={"hx-request": "true"},
    )
    assert saved.status_code == 204
    answers = {f"q{item['q']}": right[item["q"]] for item in attempt.draw[1:]}
    assert agent.post(reverse("training:study_attempt_submit", args=[attempt.pk]), answers).status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.passed and attempt.score == 100
    record = TrainingRecord.objects.get(employee=org.agent, course=course)
    assert record.result == RecordResult.PASSED and record.source == "online" and record.attempts == 1
    result = agent.get(reverse("training:study_attempt", args=[attempt.pk]))
    assert result.status_code == 200 and 'id="result-score"' in result.content.decode()


def test_parallel_submissions_score_once_on_sqlite(sqlite_db, org):
    course = StudyCourseFactory(question_count=2)
    for i in range(2):
        question = Question.objects.create(course=course, kind="true_false", text=f"Q{i}")
        QuestionOption.objects.create(question=question, text="对", correct=True, position=1)
        QuestionOption.objects.create(question=question, text="错", correct=False, position=2)
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    submit = lambda: services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers={})  # noqa: E731
    assert run_parallel([submit, submit]) == sorted(["ok", TrainingErrorCode.ATTEMPT_CLOSED])
    assert TrainingRecord.objects.get(employee=org.agent).attempts == 1
