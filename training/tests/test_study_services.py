"""Self-study services (TRN-2, TRN-3, SEC-3): material checked by content, progress, the question
bank, attempts (draw, time limit kept by the server, attempt count), scoring and the record."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from callcenter.errors import ApplicationError, NotFoundError
from datasecurity.models import AuditEvent
from training import selectors, services
from training.errors import TrainingErrorCode
from training.models import (
    AttemptAnswer,
    AttemptStatus,
    MaterialProgress,
    QuestionKind,
    QuestionOption,
    RecordResult,
    RecordSource,
    StudyAttempt,
    TrainingRecord,
)
from training.rules import GRACE_SECONDS
from training.tests.factories import StudyCourseFactory, question_bank

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def course(db):
    course = StudyCourseFactory(code="security-awareness", question_count=5, pass_mark=Decimal("60"))
    question_bank(course, 8)
    return course


def key(attempt) -> dict:
    """The right options of each drawn question, read from the bank (as the test's own oracle)."""
    ids = [item["q"] for item in attempt.draw]
    out = {qid: [] for qid in ids}
    for qid, oid in QuestionOption.objects.filter(question_id__in=ids, correct=True).values_list("question_id", "pk"):
        out[qid].append(oid)
    return out


def wrong(attempt) -> dict:
    out = {}
    right = key(attempt)
    for item in attempt.draw:
        out[item["q"]] = [next(o for o in item["o"] if o not in right[item["q"]])]
    return out


# --- Material ------------------------------------------------------------------------------------------


def test_material_pdf_stored_privately_and_audited(org, trainer, course, private_root):
    material = services.course_material_add(
        actor=trainer.user,
        course_id=course.pk,
        title="手册",
        upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
    )
    assert material.content_type == "application/pdf"
    assert (private_root / material.path).read_bytes() == PDF
    assert material.path.startswith("training/")
    assert AuditEvent.objects.filter(action="training_material.add").count() == 1


def test_material_video_by_content(org, course, private_root):
    material = services.course_material_add(
        actor=org.hr.user, course_id=course.pk, title="视频", upload=SimpleUploadedFile("v.mp4", MP4, "video/mp4")
    )
    assert material.content_type == "video/mp4"
    assert material.original_name == "v.mp4"


@pytest.mark.parametrize(
    ("name", "data", "declared", "code"),
    [
        ("fake.pdf", EXE, "application/pdf", TrainingErrorCode.MATERIAL_TYPE),  # an EXE named .pdf
        ("empty.pdf", b"", "application/pdf", TrainingErrorCode.MATERIAL_EMPTY),
        ("a.png", PDF, "image/png", TrainingErrorCode.MATERIAL_TYPE_MISMATCH),
        ("v.webm", MP4, "video/webm", TrainingErrorCode.MATERIAL_TYPE_MISMATCH),
    ],
)
def test_material_refused_by_content_nothing_stored(org, course, private_root, name, data, declared, code):
    with pytest.raises(ApplicationError) as exc:
        services.course_material_add(
            actor=org.hr.user, course_id=course.pk, title="x", upload=SimpleUploadedFile(name, data, declared)
        )
    assert exc.value.code == code
    assert not course.materials.exists()
    assert not list(private_root.rglob("*.*")) if private_root.exists() else True


def test_material_too_large(org, course, private_root, monkeypatch):
    monkeypatch.setattr(services.study, "MATERIAL_MAX_BYTES", 20)
    with pytest.raises(ApplicationError) as exc:
        services.course_material_add(
            actor=org.hr.user, course_id=course.pk, title="x", upload=SimpleUploadedFile("a.pdf", PDF * 2)
        )
    assert exc.value.code == TrainingErrorCode.MATERIAL_TOO_LARGE


def test_material_only_for_managers(org, course, private_root):
    with pytest.raises(ApplicationError) as exc:
        services.course_material_add(actor=org.agent.user, course_id=course.pk, title="x", url="https://example.com/")
    assert exc.value.code == TrainingErrorCode.NOT_ALLOWED
    with pytest.raises(ApplicationError) as exc:
        services.course_material_add(actor=org.hr.user, course_id=course.pk, title="x", url="javascript:alert(1)")
    assert exc.value.code == TrainingErrorCode.INVALID_INPUT


def test_material_order_and_progress(org, course, private_root):
    a = services.course_material_add(actor=org.hr.user, course_id=course.pk, title="A", url="https://a.example/")
    b = services.course_material_add(actor=org.hr.user, course_id=course.pk, title="B", url="https://b.example/")
    services.course_material_move(actor=org.hr.user, material_id=b.pk, direction="up")
    assert [m.title for m in selectors.course_material_list(user=org.agent.user, course=course)] == ["B", "A"]
    services.course_material_open(actor=org.agent.user, material_id=a.pk)
    progress = MaterialProgress.objects.get(material=a, employee=org.agent)
    first = progress.opened_at
    assert first is not None and progress.completed_at is None
    services.course_material_open(actor=org.agent.user, material_id=a.pk)
    progress.refresh_from_db()
    assert progress.opened_at == first  # the first opening is kept
    services.material_progress_complete(actor=org.agent.user, material_id=a.pk)
    progress.refresh_from_db()
    assert progress.completed_at is not None
    services.course_material_remove(actor=org.hr.user, material_id=b.pk)
    assert [m.title for m in selectors.course_material_list(user=org.agent.user, course=course)] == ["A"]


# --- Question bank ---------------------------------------------------------------------------------------


def test_question_create_update_and_refusals(org, trainer, course):
    question = services.question_create(
        actor=trainer.user,
        course_id=course.pk,
        kind=QuestionKind.MULTIPLE,
        text="哪些属于敏感个人信息？",
        explanation="身份证号和银行卡号都是。",
        options=[{"text": "身份证号", "correct": True}, {"text": "银行卡号", "correct": True}, {"text": "工号"}],
    )
    assert list(question.options.values_list("correct", flat=True)) == [True, True, False]
    option_ids = list(question.options.values_list("pk", flat=True))
    services.question_update(
        actor=trainer.user,
        question_id=question.pk,
        kind=QuestionKind.SINGLE,
        text="哪项属于敏感个人信息？",
        options=[{"text": "身份证号", "correct": True}, {"text": "工号", "correct": False}],
    )
    assert list(question.options.values_list("pk", flat=True)) == option_ids[:2]  # kept in place
    for kind, options in [
        (QuestionKind.SINGLE, [{"text": "a", "correct": True}, {"text": "b", "correct": True}]),
        (QuestionKind.TRUE_FALSE, [{"text": "对", "correct": True}]),
        ("essay", [{"text": "a", "correct": True}, {"text": "b"}]),
    ]:
        with pytest.raises(ApplicationError) as exc:
            services.question_create(actor=trainer.user, course_id=course.pk, kind=kind, text="q", options=options)
        assert exc.value.code == TrainingErrorCode.QUESTION_INVALID
    with pytest.raises(ApplicationError) as exc:
        services.question_create(
            actor=org.agent.user, course_id=course.pk, kind="single", text="q", options=[{"text": "a"}]
        )
    assert exc.value.code == TrainingErrorCode.NOT_ALLOWED


# --- Attempts ----------------------------------------------------------------------------------------------


def test_start_draws_question_count_active_questions(org, course):
    first_q = course.questions.order_by("pk").first()
    services.question_set_active(actor=org.hr.user, question_id=first_q.pk, active=False)
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    assert attempt.number == 1 and attempt.status == AttemptStatus.OPEN
    assert len(attempt.draw) == 5
    assert first_q.pk not in [item["q"] for item in attempt.draw]
    assert attempt.deadline == attempt.started_at + datetime.timedelta(minutes=30)
    # Starting again while it runs gives the same attempt back.
    assert services.study_attempt_start(actor=org.agent.user, course_id=course.pk).pk == attempt.pk


def test_bank_too_short_refused(org):
    course = StudyCourseFactory(question_count=10)
    question_bank(course, 3)
    with pytest.raises(ApplicationError) as exc:
        services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    assert exc.value.code == TrainingErrorCode.QUESTION_BANK_SHORT


def test_submit_scores_writes_the_record_and_completes_material(org, course, private_root):
    material = services.course_material_add(actor=org.hr.user, course_id=course.pk, title="A", url="https://a.example/")
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    attempt = services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers=key(attempt))
    assert attempt.status == AttemptStatus.SUBMITTED
    assert attempt.score == Decimal("100.00") and attempt.passed
    record = TrainingRecord.objects.get(employee=org.agent)
    year = timezone.localdate().year
    assert record.source == RecordSource.ONLINE
    assert record.source_key == f"course:{course.pk}:{year}"
    assert record.result == RecordResult.PASSED and record.score == Decimal("100.00") and record.attempts == 1
    assert record.certificate_no
    assert MaterialProgress.objects.get(material=material, employee=org.agent).completed_at is not None
    # A second submission of the same attempt is refused.
    with pytest.raises(ApplicationError) as exc:
        services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers={})
    assert exc.value.code == TrainingErrorCode.ATTEMPT_CLOSED
    # Passed: no further attempt.
    with pytest.raises(ApplicationError) as exc:
        services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    assert exc.value.code == TrainingErrorCode.ATTEMPT_CLOSED


def test_fail_then_pass_keeps_best_score_and_counts_attempts(org, course):
    first = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    first = services.study_attempt_submit(actor=org.agent.user, attempt_id=first.pk, answers=wrong(first))
    assert first.score == Decimal("0.00") and first.passed is False
    record = TrainingRecord.objects.get(employee=org.agent)
    assert record.result == RecordResult.FAILED and record.attempts == 1
    second = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    answers = key(second)
    # 3 of 5 right: 60.00, exactly the pass mark.
    for qid in list(answers)[:2]:
        answers[qid] = wrong(second)[qid]
    second = services.study_attempt_submit(actor=org.agent.user, attempt_id=second.pk, answers=answers)
    assert second.score == Decimal("60.00") and second.passed is True
    record.refresh_from_db()
    assert record.result == RecordResult.PASSED and record.score == Decimal("60.00") and record.attempts == 2


def test_max_attempts_enforced(org, course):
    course.max_attempts = 2
    course.save()
    for _ in range(2):
        attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
        services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers=wrong(attempt))
    with pytest.raises(ApplicationError) as exc:
        services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    assert exc.value.code == TrainingErrorCode.ATTEMPT_LIMIT
    assert StudyAttempt.objects.filter(employee=org.agent).count() == 2


def test_late_submission_scored_with_what_was_saved_before_the_deadline(org, course):
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    right = key(attempt)
    first_q = attempt.draw[0]["q"]
    services.study_attempt_answer(
        actor=org.agent.user, attempt_id=attempt.pk, question_id=first_q, option_ids=right[first_q]
    )
    # The time limit passes (plus the grace): the server's stored deadline is what counts.
    StudyAttempt.objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - datetime.timedelta(seconds=GRACE_SECONDS + 1)
    )
    with pytest.raises(ApplicationError) as exc:
        services.study_attempt_answer(
            actor=org.agent.user, attempt_id=attempt.pk, question_id=attempt.draw[1]["q"], option_ids=[]
        )
    assert exc.value.code == TrainingErrorCode.ATTEMPT_TOO_LATE
    attempt = services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers=right)
    assert attempt.late is True and attempt.status == AttemptStatus.EXPIRED
    assert attempt.score == Decimal("20.00")  # 1 of 5: only the answer saved in time
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 1


def test_submission_within_the_grace_counts(org, course):
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    StudyAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - datetime.timedelta(seconds=2))
    attempt = services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers=key(attempt))
    assert attempt.late is False and attempt.score == Decimal("100.00")


def test_expired_open_attempt_closed_when_starting_again(org, course):
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    StudyAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=5))
    second = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    assert second.number == 2
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED and attempt.score == Decimal("0.00")


def test_answers_only_to_own_attempt_and_drawn_options(org, course):
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    qid = attempt.draw[0]["q"]
    with pytest.raises(NotFoundError):
        services.study_attempt_answer(actor=org.peer.user, attempt_id=attempt.pk, question_id=qid, option_ids=[])
    with pytest.raises(NotFoundError):
        services.study_attempt_submit(actor=org.hr.user, attempt_id=attempt.pk, answers={})
    foreign = QuestionOption.objects.exclude(question_id=qid).first().pk
    for bad in ([foreign], ["x"], [None]):
        with pytest.raises(ApplicationError) as exc:
            services.study_attempt_answer(actor=org.agent.user, attempt_id=attempt.pk, question_id=qid, option_ids=bad)
        assert exc.value.code == TrainingErrorCode.INVALID_INPUT
    not_drawn = course.questions.exclude(pk__in=[i["q"] for i in attempt.draw]).first()
    with pytest.raises(ApplicationError):
        services.study_attempt_answer(
            actor=org.agent.user, attempt_id=attempt.pk, question_id=not_drawn.pk, option_ids=[]
        )
    assert not AttemptAnswer.objects.exists()


def test_course_not_online_has_no_assessment(org):
    course = StudyCourseFactory(delivery_mode="internal")
    question_bank(course, 5)
    with pytest.raises(NotFoundError):  # not open to the learner as self-study at all
        services.study_attempt_start(actor=org.agent.user, course_id=course.pk)


def test_a_yearly_course_starts_again_next_year_sec3(org, course):
    """SEC-3: the awareness course is taken every year; attempts count per year, one record a year."""
    course.max_attempts = 1
    course.save()
    attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers=key(attempt))
    with pytest.raises(ApplicationError):
        services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    this_year = timezone.localdate().year
    # Last year's attempt and record (as they stand after a year has passed).
    StudyAttempt.objects.filter(pk=attempt.pk).update(year=this_year - 1)
    TrainingRecord.objects.filter(employee=org.agent).update(source_key=f"course:{course.pk}:{this_year - 1}")
    again = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
    assert again.number == 1 and again.year == this_year
    services.study_attempt_submit(actor=org.agent.user, attempt_id=again.pk, answers=wrong(again))
    keys = set(TrainingRecord.objects.filter(employee=org.agent).values_list("source_key", "result"))
    assert keys == {
        (f"course:{course.pk}:{this_year - 1}", RecordResult.PASSED),
        (f"course:{course.pk}:{this_year}", RecordResult.FAILED),
    }


def test_submit_queries_do_not_grow_with_the_number_of_questions(org, django_assert_max_num_queries):
    counts = []
    for n in (5, 20):
        course = StudyCourseFactory(question_count=n)
        question_bank(course, n)
        attempt = services.study_attempt_start(actor=org.agent.user, course_id=course.pk)
        with django_assert_max_num_queries(25) as ctx:
            services.study_attempt_submit(actor=org.agent.user, attempt_id=attempt.pk, answers=key(attempt))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
