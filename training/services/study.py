"""Writes of self-study (TRN-2, TRN-3, SEC-3): course material, learners' progress, the question
bank, and online assessment attempts (start, save an answer, submit) with their training record.

Decisions (docs/training.md, "Self-study and online assessments"):

- The server keeps the time: the deadline is stored at start; an answer saved after the deadline
  plus ``GRACE_SECONDS`` is refused, and a submission after it is scored with the answers saved
  before the deadline (it is marked late; what it carries is not taken). An open attempt past its
  deadline is closed the same way when its learner comes back or starts again.
- The number of attempts is kept under a lock of the learner's row and by the database
  (``number`` ≤ the ``max_attempts`` copied at start, unique per learner and course; one open
  attempt at a time). A submission locks the attempt: a second one finds it closed.
- The record (``training_record_write``, source ``online``, key ``course:<id>:<year>``) carries the
  best score of the year's attempts and the attempts used; a pass stands (the writer keeps it).
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.errors import ApplicationError, NotFoundError
from callcenter.models import Employee
from callcenter.selectors import employee_of
from datasecurity.services import (
    UploadErrorCodes,
    audit_record,
    private_open_audited,
    private_storage,
    upload_check,
    upload_store,
)
from training.errors import TrainingErrorCode
from training.models import (
    AttemptAnswer,
    AttemptStatus,
    Course,
    CourseMaterial,
    DeliveryMode,
    MaterialKind,
    MaterialProgress,
    Question,
    QuestionKind,
    QuestionOption,
    RecordResult,
    RecordSource,
    StudyAttempt,
)
from training.rules import (
    MATERIAL_VIDEO_TYPES,
    answer_correct,
    attempt_deadline,
    draw_questions,
    question_problem,
    score_passes,
    score_percent,
    submission_late,
    video_sniff,
)
from training.selectors import course_material_get, is_study_manager, study_course_get
from training.services.records import training_record_write

__all__ = [
    "course_material_add",
    "course_material_move",
    "course_material_open",
    "course_material_remove",
    "material_progress_complete",
    "question_create",
    "question_set_active",
    "question_update",
    "study_attempt_answer",
    "study_attempt_start",
    "study_attempt_submit",
]

MATERIAL_MAX_BYTES = getattr(settings, "TRAINING_MATERIAL_MAX_BYTES", 20 * 1024 * 1024)
MATERIAL_VIDEO_MAX_BYTES = getattr(settings, "TRAINING_MATERIAL_VIDEO_MAX_BYTES", 200 * 1024 * 1024)
OPTIONS_MAX = 8

_MATERIAL_CODES = UploadErrorCodes(
    too_large=TrainingErrorCode.MATERIAL_TOO_LARGE,
    empty=TrainingErrorCode.MATERIAL_EMPTY,
    type=TrainingErrorCode.MATERIAL_TYPE,
    type_mismatch=TrainingErrorCode.MATERIAL_TYPE_MISMATCH,
)

_QUESTION_PROBLEMS = {
    "too_few_options": gettext_lazy("A question needs at least two options, each with a text."),
    "true_false_two": gettext_lazy("A true/false question has exactly two options."),
    "one_correct": gettext_lazy("Flag exactly one correct option."),
    "some_correct": gettext_lazy("Flag at least one correct option."),
}


# --- Helpers ----------------------------------------------------------------------------------------


def _require_manager(actor) -> None:
    if not is_study_manager(actor):
        raise ApplicationError(
            _("Only HR and trainers keep course material and question banks (TRN-2)."),
            code=TrainingErrorCode.NOT_ALLOWED,
            status=403,
        )


def _course(actor, course_id) -> Course:
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise NotFoundError(_("Course not found."), code=TrainingErrorCode.COURSE_NOT_FOUND)
    return course


def _learner(actor) -> Employee:
    employee = employee_of(actor)
    if employee is None:
        raise ApplicationError(
            _("Only employees take online assessments."), code=TrainingErrorCode.NOT_ALLOWED, status=403
        )
    return employee


def _text(value, *, field: str, label, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(
            _("Enter %(label)s.") % {"label": label}, code=TrainingErrorCode.INVALID_INPUT, field=field
        )
    if len(value) > max_length:
        raise ApplicationError(
            _("%(label)s is too long (at most %(max)s characters).") % {"label": label, "max": max_length},
            code=TrainingErrorCode.INVALID_INPUT,
            field=field,
        )
    return value


# --- Material ---------------------------------------------------------------------------------------


def _video_check(upload) -> dict | None:
    """Facts of an MP4/WebM upload checked by content, or None when it is not a video."""
    upload.seek(0)
    head = upload.read(16)
    actual = video_sniff(head)
    if actual is None:
        upload.seek(0)
        return None
    name = (getattr(upload, "name", "") or "video")[-200:]
    size = getattr(upload, "size", None)
    limit = MATERIAL_VIDEO_MAX_BYTES
    if size is not None and size > limit:
        raise ApplicationError(
            _("%(name)s is too large; the limit is %(limit)s MB.") % {"name": name, "limit": limit // 1048576},
            code=TrainingErrorCode.MATERIAL_TOO_LARGE,
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(
            _("%(name)s is too large; the limit is %(limit)s MB.") % {"name": name, "limit": limit // 1048576},
            code=TrainingErrorCode.MATERIAL_TOO_LARGE,
        )
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream" and declared != actual:
        raise ApplicationError(
            _("%(name)s says it is %(declared)s but its content is %(actual)s; please upload the original file.")
            % {"name": name, "declared": declared, "actual": actual},
            code=TrainingErrorCode.MATERIAL_TYPE_MISMATCH,
        )
    return {
        "data": data,
        "content_type": actual,
        "extension": MATERIAL_VIDEO_TYPES[actual],
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "original_name": get_valid_filename(name)[:200] or "video",
    }


def course_material_add(*, actor, course_id: int, title: str, upload=None, url: str = "") -> CourseMaterial:
    """Attach a file (PDF, MP4/WebM video, PNG/JPEG image, checked by content) or a link to a
    course, at the end of its order (HR, trainers; TRN-2). The file is stored privately."""
    _require_manager(actor)
    title = _text(title, field="title", label=_("the title"), max_length=200)
    url = (url or "").strip()
    if bool(upload) == bool(url):
        raise ApplicationError(
            _("Attach either a file or a link."), code=TrainingErrorCode.MATERIAL_MISSING, field="file"
        )
    if url:
        if not url.startswith(("https://", "http://")) or len(url) > 500:
            raise ApplicationError(
                _("The link must be an http(s) address."), code=TrainingErrorCode.INVALID_INPUT, field="url"
            )
        return _material_create(actor=actor, course_id=course_id, title=title, facts=None, url=url, path="")
    facts = _video_check(upload) or upload_check(
        upload, max_bytes=MATERIAL_MAX_BYTES, codes=_MATERIAL_CODES, name="material"
    )
    path = upload_store(checked=facts, prefix="training")
    try:
        return _material_create(actor=actor, course_id=course_id, title=title, facts=facts, url="", path=path)
    except BaseException:
        private_storage().delete(path)
        raise


@transaction.atomic
def _material_create(*, actor, course_id, title, facts, url, path) -> CourseMaterial:
    course = Course.objects.select_for_update().filter(pk=course_id).first()
    if course is None:
        raise NotFoundError(_("Course not found."), code=TrainingErrorCode.COURSE_NOT_FOUND)
    last = CourseMaterial.objects.filter(course=course).aggregate(p=Max("position"))["p"]
    material = CourseMaterial.objects.create(
        course=course,
        title=title,
        kind=MaterialKind.FILE if facts else MaterialKind.LINK,
        url=url,
        path=path,
        original_name=facts["original_name"] if facts else "",
        content_type=facts["content_type"] if facts else "",
        size=facts["size"] if facts else 0,
        sha256=facts["sha256"] if facts else "",
        position=(last or 0) + 1,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="training_material.add",
        obj=material,
        changes={"course": course.code, "title": title, "kind": material.kind, "sha256": material.sha256 or None},
    )
    return material


@transaction.atomic
def course_material_move(*, actor, material_id: int, direction: str) -> CourseMaterial:
    """Move a material one place up or down in its course's order (swaps with its neighbour)."""
    _require_manager(actor)
    material = CourseMaterial.objects.select_for_update().filter(pk=material_id).first()
    if material is None:
        raise NotFoundError(_("Material not found."), code=TrainingErrorCode.MATERIAL_NOT_FOUND)
    if direction not in ("up", "down"):
        raise ApplicationError(_("Move it up or down."), code=TrainingErrorCode.INVALID_INPUT)
    siblings = list(
        CourseMaterial.objects.select_for_update().filter(course_id=material.course_id).order_by("position", "pk")
    )
    index = next(i for i, m in enumerate(siblings) if m.pk == material.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, row in enumerate(siblings, start=1):
            row.position = position
        CourseMaterial.objects.bulk_update(siblings, ["position"])
        audit_record(actor=actor, action="training_material.move", obj=material, changes={"direction": direction})
    material.refresh_from_db()
    return material


@transaction.atomic
def course_material_remove(*, actor, material_id: int) -> CourseMaterial:
    """Withdraw a material from learners (kept, inactive: progress refers to it)."""
    _require_manager(actor)
    material = CourseMaterial.objects.select_for_update().filter(pk=material_id).first()
    if material is None:
        raise NotFoundError(_("Material not found."), code=TrainingErrorCode.MATERIAL_NOT_FOUND)
    material.active = False
    material.save(update_fields=["active"])
    audit_record(actor=actor, action="training_material.remove", obj=material, changes={"title": material.title})
    return material


def _progress_open(employee_id: int, material: CourseMaterial) -> None:
    progress, _created = MaterialProgress.objects.get_or_create(material=material, employee_id=employee_id)
    if progress.opened_at is None:
        MaterialProgress.objects.filter(pk=progress.pk, opened_at__isnull=True).update(opened_at=timezone.now())


def course_material_open(*, actor, material_id: int):
    """A material for reading: ``(material, handle)`` for a file (the read is audited, SEC-2),
    ``(material, None)`` for a link. The learner's first opening is remembered (progress)."""
    material = course_material_get(user=actor, pk=material_id)
    employee = employee_of(actor)
    if material.kind == MaterialKind.LINK:
        if employee is not None:
            with transaction.atomic():
                _progress_open(employee.pk, material)
        return material, None

    def audit():
        changes = {"course": material.course.code}
        audit_record(actor=actor, action="training_material.view", obj=material, changes=changes)
        if employee is not None:
            _progress_open(employee.pk, material)

    handle = private_open_audited(material.path, audit=audit, not_found_message=_("Material not found."))
    return material, handle


@transaction.atomic
def material_progress_complete(*, actor, material_id: int) -> MaterialProgress:
    """The learner marks a material done (their own progress only)."""
    employee = _learner(actor)
    material = course_material_get(user=actor, pk=material_id)
    progress, _created = MaterialProgress.objects.select_for_update().get_or_create(
        material=material, employee=employee
    )
    now = timezone.now()
    progress.opened_at = progress.opened_at or now
    progress.completed_at = progress.completed_at or now
    progress.save(update_fields=["opened_at", "completed_at"])
    return progress


# --- Question bank ----------------------------------------------------------------------------------


def _options_clean(kind: str, options) -> list[tuple[str, bool]]:
    if kind not in QuestionKind.values:
        raise ApplicationError(_("Choose the kind of question."), code=TrainingErrorCode.QUESTION_INVALID, field="kind")
    cleaned = []
    for item in options or []:
        text = (item.get("text") or "").strip() if isinstance(item, dict) else ""
        if not text and not (isinstance(item, dict) and item.get("correct")):
            continue  # an empty row of the form
        if len(text) > 500:
            raise ApplicationError(
                _("An option is at most 500 characters."), code=TrainingErrorCode.QUESTION_INVALID, field="options"
            )
        cleaned.append((text, bool(item.get("correct"))))
    if len(cleaned) > OPTIONS_MAX:
        raise ApplicationError(
            _("A question has at most %(max)s options.") % {"max": OPTIONS_MAX},
            code=TrainingErrorCode.QUESTION_INVALID,
            field="options",
        )
    problem = question_problem(kind, cleaned)
    if problem:
        raise ApplicationError(
            str(_QUESTION_PROBLEMS[problem]), code=TrainingErrorCode.QUESTION_INVALID, field="options"
        )
    return cleaned


def _options_write(question: Question, cleaned: list[tuple[str, bool]]) -> None:
    """The options in place by position (ids drawn by open attempts keep pointing at them)."""
    existing = list(question.options.order_by("position", "pk"))
    for position, (text, correct) in enumerate(cleaned, start=1):
        if position <= len(existing):
            option = existing[position - 1]
            option.text, option.correct, option.position = text, correct, position
            option.save(update_fields=["text", "correct", "position"])
        else:
            QuestionOption.objects.create(question=question, text=text, correct=correct, position=position)
    extra = [o.pk for o in existing[len(cleaned) :]]
    if extra:
        QuestionOption.objects.filter(pk__in=extra).delete()


@transaction.atomic
def question_create(
    *, actor, course_id: int, kind: str, text: str, options, explanation: str = "", active: bool = True
) -> Question:
    """Add a question to a course's bank (HR, trainers; TRN-2): options with the correct ones flagged."""
    _require_manager(actor)
    course = _course(actor, course_id)
    text = _text(text, field="text", label=_("the question"), max_length=2000)
    explanation = _text(explanation, field="explanation", label=_("the explanation"), max_length=4000, required=False)
    cleaned = _options_clean(kind, options)
    question = Question.objects.create(
        course=course, kind=kind, text=text, explanation=explanation, active=bool(active), created_by=actor
    )
    _options_write(question, cleaned)
    audit_record(
        actor=actor, action="training_question.create", obj=question, changes={"course": course.code, "kind": kind}
    )
    return question


@transaction.atomic
def question_update(
    *, actor, question_id: int, kind: str, text: str, options, explanation: str = "", active: bool = True
) -> Question:
    _require_manager(actor)
    question = Question.objects.select_for_update().select_related("course").filter(pk=question_id).first()
    if question is None:
        raise NotFoundError(_("Question not found."), code=TrainingErrorCode.QUESTION_NOT_FOUND)
    text = _text(text, field="text", label=_("the question"), max_length=2000)
    explanation = _text(explanation, field="explanation", label=_("the explanation"), max_length=4000, required=False)
    cleaned = _options_clean(kind, options)
    question.kind, question.text, question.explanation, question.active = kind, text, explanation, bool(active)
    question.updated_at = timezone.now()
    question.save()
    _options_write(question, cleaned)
    audit_record(actor=actor, action="training_question.update", obj=question, changes={"course": question.course.code})
    return question


@transaction.atomic
def question_set_active(*, actor, question_id: int, active: bool) -> Question:
    """Take a question out of (or back into) the draw; answered questions are never deleted."""
    _require_manager(actor)
    question = Question.objects.select_for_update().filter(pk=question_id).first()
    if question is None:
        raise NotFoundError(_("Question not found."), code=TrainingErrorCode.QUESTION_NOT_FOUND)
    question.active = bool(active)
    question.updated_at = timezone.now()
    question.save(update_fields=["active", "updated_at"])
    audit_record(actor=actor, action="training_question.update", obj=question, changes={"active": question.active})
    return question


# --- Attempts ---------------------------------------------------------------------------------------


def _close(
    attempt: StudyAttempt, *, actor, now: datetime.datetime, late: bool, carried: list | None = None
) -> StudyAttempt:
    """Score a locked open attempt with its saved answers (and those ``carried`` by an in-time
    submission, ``[(question id, [option ids])]``), close it and write the record. A constant
    number of queries whatever the number of questions: the answers are written in two bulk
    statements, the key read in one."""
    course = attempt.course
    ids = [item["q"] for item in attempt.draw]
    kinds: dict[int, str] = {}
    correct: dict[int, set] = {qid: set() for qid in ids}
    for qid, oid, right, kind in QuestionOption.objects.filter(question_id__in=ids).values_list(
        "question_id", "pk", "correct", "question__kind"
    ):
        kinds[qid] = kind
        if right:
            correct[qid].add(oid)
    saved = {a.question_id: a for a in AttemptAnswer.objects.filter(attempt=attempt)}
    new = []
    for question_id, chosen in carried or []:
        if question_id in saved:
            saved[question_id].chosen = chosen
            saved[question_id].saved_at = now
        else:
            new.append(AttemptAnswer(attempt=attempt, question_id=question_id, chosen=chosen, saved_at=now))
    right = 0
    for answer in [*saved.values(), *new]:
        qid = answer.question_id
        answer.correct = answer_correct(kinds.get(qid, ""), answer.chosen, correct.get(qid, ()))
        right += answer.correct
    if saved:
        AttemptAnswer.objects.bulk_update(list(saved.values()), ["chosen", "saved_at", "correct"])
    if new:
        AttemptAnswer.objects.bulk_create(new)
    attempt.score = score_percent(right, len(ids))
    attempt.passed = score_passes(attempt.score, attempt.pass_mark)
    attempt.status = AttemptStatus.EXPIRED if late else AttemptStatus.SUBMITTED
    attempt.late = late
    attempt.submitted_at = now
    attempt.save(update_fields=["score", "passed", "status", "late", "submitted_at"])
    _record_write(attempt, actor=actor)
    if attempt.passed:
        _materials_complete(attempt, now)
    audit_record(
        actor=actor,
        action="training_attempt.submit",
        obj=attempt,
        changes={"course": course.code, "score": str(attempt.score), "passed": attempt.passed, "late": late},
    )
    return attempt


def _record_write(attempt: StudyAttempt, *, actor) -> None:
    """TRN-3: one record per learner, course and year of the attempt; the best score of that year's
    attempts, the attempts used that year; a pass stands."""
    year = attempt.year
    of_year = StudyAttempt.objects.filter(course_id=attempt.course_id, employee_id=attempt.employee_id, year=year)
    totals = of_year.aggregate(best=Max("score", filter=~Q(status=AttemptStatus.OPEN)), used=Count("pk"))
    best, used = totals["best"], totals["used"]
    course = attempt.course
    training_record_write(
        actor=actor,
        employee_id=attempt.employee_id,
        course=course,
        source=RecordSource.ONLINE,
        source_key=f"course:{course.pk}:{year}",
        completed_on=timezone.localdate(attempt.submitted_at),
        hours=course.hours,
        result=RecordResult.PASSED if score_passes(best, attempt.pass_mark) else RecordResult.FAILED,
        score=best,
        pass_mark=attempt.pass_mark,
        attempts=used,
    )


def _materials_complete(attempt: StudyAttempt, now) -> None:
    """A passed assessment completes the course's material for its learner."""
    ids = list(CourseMaterial.objects.filter(course_id=attempt.course_id, active=True).values_list("pk", flat=True))
    if not ids:
        return
    MaterialProgress.objects.bulk_create(
        [MaterialProgress(material_id=mid, employee_id=attempt.employee_id) for mid in ids], ignore_conflicts=True
    )
    mine = MaterialProgress.objects.filter(employee_id=attempt.employee_id, material_id__in=ids)
    mine.filter(completed_at__isnull=True).update(completed_at=now)
    mine.filter(opened_at__isnull=True).update(opened_at=now)


def study_attempt_start(*, actor, course_id: int) -> StudyAttempt:
    """Start an attempt (TRN-2): the course's ``question_count`` active questions drawn at random,
    options shuffled, the deadline stored. The open attempt is returned again while it runs; one
    past its deadline is closed first (scored with what was saved). Refused past ``max_attempts``."""
    try:
        return _attempt_start(actor=actor, course_id=course_id)
    except IntegrityError as exc:  # the database's guard: a parallel start got there first
        raise ApplicationError(
            _("You have used every attempt at this assessment."), code=TrainingErrorCode.ATTEMPT_LIMIT
        ) from exc


@transaction.atomic
def _attempt_start(*, actor, course_id: int) -> StudyAttempt:
    employee = _learner(actor)
    course = study_course_get(user=actor, pk=course_id)
    if not course.active:
        raise ApplicationError(_("This course is not active."), code=TrainingErrorCode.COURSE_INACTIVE)
    if course.delivery_mode != DeliveryMode.ONLINE:
        raise ApplicationError(
            _("Only online courses have an online assessment."), code=TrainingErrorCode.COURSE_NOT_ONLINE
        )
    # The learner's row is the lock: two starts of the same person wait for each other.
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    now = timezone.now()
    year = timezone.localdate(now).year
    current = StudyAttempt.objects.filter(course=course, employee=employee, status=AttemptStatus.OPEN).first()
    if current is not None:
        if not submission_late(now, current.deadline):
            return current
        current = StudyAttempt.objects.select_for_update().select_related("course").get(pk=current.pk)
        _close(current, actor=actor, now=now, late=True)
    # Counted per year: the yearly awareness course (SEC-3) starts again on 1 January.
    attempts = list(StudyAttempt.objects.filter(course=course, employee=employee, year=year).order_by("number"))
    used = max((a.number for a in attempts), default=0)
    if used >= course.max_attempts:
        raise ApplicationError(
            _("You have used every attempt at this assessment (%(max)s).") % {"max": course.max_attempts},
            code=TrainingErrorCode.ATTEMPT_LIMIT,
        )
    if any(a.passed for a in attempts if a.status != AttemptStatus.OPEN):
        raise ApplicationError(_("You have passed this assessment already."), code=TrainingErrorCode.ATTEMPT_CLOSED)
    bank: dict[int, list[int]] = {}
    for qid, oid in QuestionOption.objects.filter(question__course=course, question__active=True).values_list(
        "question_id", "pk"
    ):
        bank.setdefault(qid, []).append(oid)
    if len(bank) < course.question_count:
        raise ApplicationError(
            _("The question bank of this course is not ready yet (%(have)s of %(need)s questions).")
            % {"have": len(bank), "need": course.question_count},
            code=TrainingErrorCode.QUESTION_BANK_SHORT,
        )
    attempt = StudyAttempt.objects.create(
        course=course,
        employee=employee,
        year=year,
        number=used + 1,
        max_attempts=course.max_attempts,
        draw=draw_questions(bank, course.question_count),
        started_at=now,
        deadline=attempt_deadline(now, course.time_limit_minutes),
        pass_mark=course.pass_mark,
    )
    changes = {"course": course.code, "number": attempt.number}
    audit_record(actor=actor, action="training_attempt.start", obj=attempt, changes=changes)
    return attempt


def _own_open(actor, attempt_id: int) -> StudyAttempt:
    employee = _learner(actor)
    attempt = (
        StudyAttempt.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(pk=attempt_id, employee=employee)
        .first()
    )
    if attempt is None:
        raise NotFoundError(_("Attempt not found."), code=TrainingErrorCode.ATTEMPT_NOT_FOUND)
    if attempt.status != AttemptStatus.OPEN:
        raise ApplicationError(_("This attempt has been submitted already."), code=TrainingErrorCode.ATTEMPT_CLOSED)
    return attempt


def _answer_clean(attempt: StudyAttempt, question_id, option_ids) -> tuple[int, list[int]]:
    item = next((i for i in attempt.draw if i["q"] == question_id), None)
    if item is None:
        raise ApplicationError(_("This question is not part of the attempt."), code=TrainingErrorCode.INVALID_INPUT)
    chosen = []
    for value in option_ids or []:
        try:
            oid = int(value)
        except (TypeError, ValueError):
            oid = None
        if oid not in item["o"]:
            raise ApplicationError(_("Choose among the question's options."), code=TrainingErrorCode.INVALID_INPUT)
        if oid not in chosen:
            chosen.append(oid)
    return question_id, sorted(chosen)


def _answer_save(attempt: StudyAttempt, question_id: int, chosen: list[int], now) -> None:
    AttemptAnswer.objects.update_or_create(
        attempt=attempt, question_id=question_id, defaults={"chosen": chosen, "saved_at": now}
    )


@transaction.atomic
def study_attempt_answer(*, actor, attempt_id: int, question_id: int, option_ids) -> StudyAttempt:
    """Save one answer of one's own open attempt as one goes. Refused after the deadline (plus
    the grace): the server's clock decides."""
    attempt = _own_open(actor, attempt_id)
    now = timezone.now()
    if submission_late(now, attempt.deadline):
        raise ApplicationError(
            _("The time is up: the answer was not saved. Submit to see your score."),
            code=TrainingErrorCode.ATTEMPT_TOO_LATE,
        )
    question_id, chosen = _answer_clean(attempt, question_id, option_ids)
    _answer_save(attempt, question_id, chosen, now)
    return attempt


@transaction.atomic
def study_attempt_submit(*, actor, attempt_id: int, answers: dict | None = None) -> StudyAttempt:
    """Submit one's own open attempt with the answers it carries (``{question id: [option ids]}``)
    and score it (TRN-2). After the deadline plus the grace, the answers it carries are not taken:
    it is scored with what was saved before, and marked late. A second submission is refused."""
    attempt = _own_open(actor, attempt_id)
    now = timezone.now()
    late = submission_late(now, attempt.deadline)
    carried = None if late else [_answer_clean(attempt, qid, oids) for qid, oids in (answers or {}).items()]
    return _close(attempt, actor=actor, now=now, late=late, carried=carried)
