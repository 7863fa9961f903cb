"""Reads of self-study (TRN-2, SEC-3): the online courses a learner may take, their material and
the learner's progress, the question bank (HR and trainers), attempts and the attempt sheet.

Visibility: HR and trainers manage every course's material and bank and see every attempt;
supervisors and managers see their people's attempts (scores, never an open attempt's sheet);
an agent sees their own. A learner sees an active online course, or an active course of a session
they are enrolled in. The sheet of an open attempt never carries the correct options or the
explanations: ``attempt_sheet(reveal=False)`` builds dicts without those keys.
"""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_of, filter_by_employee
from training.errors import TrainingErrorCode
from training.models import (
    AttemptAnswer,
    AttemptStatus,
    Course,
    CourseMaterial,
    DeliveryMode,
    Enrolment,
    MaterialProgress,
    Question,
    QuestionOption,
    StudyAttempt,
)

__all__ = [
    "STUDY_MANAGER_ROLES",
    "attempt_sheet",
    "course_material_get",
    "course_material_list",
    "is_study_manager",
    "learner_progress",
    "question_get",
    "question_list",
    "study_attempt_get",
    "study_attempt_list",
    "study_course_get",
    "study_course_list",
    "study_course_summary",
]

STUDY_MANAGER_ROLES = (Role.HR, Role.TRAINER)


def is_study_manager(user) -> bool:
    """HR and in-house trainers keep the material and the question bank (TRN-2)."""
    return has_role(user, *STUDY_MANAGER_ROLES)


def _learner_courses(user) -> QuerySet[Course]:
    employee = employee_of(user)
    online = Q(delivery_mode=DeliveryMode.ONLINE)
    if employee is None:
        return Course.objects.filter(active=True, delivery_mode=DeliveryMode.ONLINE)
    enrolled = Enrolment.objects.filter(employee=employee).values("session__course_id")
    return Course.objects.filter(Q(active=True) & (online | Q(pk__in=enrolled)))


def study_course_list(*, user, filters: dict | None = None) -> QuerySet[Course]:
    """The online courses open to ``user`` (the Self-study page), with their counts; ``q``
    filters the code or title. HR and trainers also see inactive ones with ``all``."""
    filters = filters or {}
    if is_study_manager(user) and filters.get("all"):
        qs = Course.objects.filter(delivery_mode=DeliveryMode.ONLINE)
    else:
        qs = Course.objects.filter(active=True, delivery_mode=DeliveryMode.ONLINE)
    if q := (filters.get("q") or "").replace("\x00", "").strip():
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q))
    return qs.annotate(
        material_count=Count("materials", filter=Q(materials__active=True), distinct=True),
        question_total=Count("questions", filter=Q(questions__active=True), distinct=True),
    ).order_by("code")


def study_course_get(*, user, pk: int) -> Course:
    """A course ``user`` may study (or manage); 404 otherwise."""
    qs = Course.objects.all() if is_study_manager(user) else _learner_courses(user)
    course = qs.filter(pk=pk).first()
    if course is None:
        raise NotFoundError(_("Course not found."), code=TrainingErrorCode.COURSE_NOT_FOUND)
    return course


def course_material_list(*, user, course: Course) -> list[CourseMaterial]:
    """The course's material in its order (learners: the active ones). One query."""
    qs = CourseMaterial.objects.filter(course=course)
    if not is_study_manager(user):
        qs = qs.filter(active=True)
    return list(qs.order_by("position", "pk"))


def course_material_get(*, user, pk: int) -> CourseMaterial:
    material = CourseMaterial.objects.select_related("course").filter(pk=pk).first()
    if material is None or (not material.active and not is_study_manager(user)):
        raise NotFoundError(_("Material not found."), code=TrainingErrorCode.MATERIAL_NOT_FOUND)
    study_course_get(user=user, pk=material.course_id)
    return material


def learner_progress(*, employee, materials: list[CourseMaterial]) -> dict[int, MaterialProgress]:
    """``{material id: progress}`` of one learner for the given materials. One query."""
    if employee is None or not materials:
        return {}
    rows = MaterialProgress.objects.filter(employee=employee, material__in=[m.pk for m in materials])
    return {row.material_id: row for row in rows}


def study_course_summary(*, user, course: Course) -> dict:
    """What the learner's course block shows: materials with progress, this year's attempts (a
    yearly course starts again each year), the best score."""
    employee = employee_of(user)
    materials = course_material_list(user=user, course=course)
    if not is_study_manager(user):
        materials = [m for m in materials if m.active]
    progress = learner_progress(employee=employee, materials=materials)
    year = timezone.localdate().year
    attempts = (
        list(StudyAttempt.objects.filter(course=course, employee=employee, year=year).order_by("-number"))
        if employee is not None
        else []
    )
    closed = [a for a in attempts if a.status != AttemptStatus.OPEN]
    scores = [a.score for a in closed if a.score is not None]
    rows = [{"material": m, "progress": progress.get(m.pk)} for m in materials]
    return {
        "course": course,
        "materials": rows,
        "completed": sum(1 for r in rows if r["progress"] and r["progress"].completed_at),
        "attempts": attempts,
        "open_attempt": next((a for a in attempts if a.status == AttemptStatus.OPEN), None),
        "attempts_used": len(attempts),
        "attempts_left": max(0, course.max_attempts - len(attempts)),
        "best_score": max(scores) if scores else None,
        "passed": any(a.passed for a in closed),
        "question_total": Question.objects.filter(course=course, active=True).count(),
        "is_employee": employee is not None,
        "is_manager": is_study_manager(user),
    }


def question_list(*, user, course: Course, filters: dict | None = None) -> QuerySet[Question]:
    """The course's question bank (HR and trainers only), options prefetched."""
    if not is_study_manager(user):
        raise NotFoundError(_("Course not found."), code=TrainingErrorCode.COURSE_NOT_FOUND)
    filters = filters or {}
    qs = Question.objects.filter(course=course).prefetch_related("options")
    if filters.get("active") is not None:
        qs = qs.filter(active=filters["active"])
    if q := (filters.get("q") or "").replace("\x00", "").strip():
        qs = qs.filter(text__icontains=q)
    return qs.order_by("pk")


def question_get(*, user, pk: int) -> Question:
    question = (
        Question.objects.select_related("course").prefetch_related("options").filter(pk=pk).first()
        if is_study_manager(user)
        else None
    )
    if question is None:
        raise NotFoundError(_("Question not found."), code=TrainingErrorCode.QUESTION_NOT_FOUND)
    return question


def _attempts_visible(user) -> QuerySet[StudyAttempt]:
    qs = StudyAttempt.objects.select_related("course", "employee")
    if is_study_manager(user):
        return qs
    return filter_by_employee(qs, user)


def study_attempt_list(*, user, filters: dict | None = None) -> QuerySet[StudyAttempt]:
    """Attempts ``user`` may see: ``mine``, ``course`` and ``status`` filter them."""
    filters = filters or {}
    qs = _attempts_visible(user)
    if filters.get("mine"):
        qs = qs.filter(employee=employee_of(user))
    if filters.get("course"):
        qs = qs.filter(course_id=filters["course"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return qs.order_by("-started_at", "-pk")


def study_attempt_get(*, user, pk: int, own: bool = False) -> StudyAttempt:
    """An attempt ``user`` may see (``own``: only their own, as the sheet needs); 404 otherwise.
    An open attempt is visible to its learner only: nobody reads over their shoulder."""
    qs = _attempts_visible(user)
    employee = employee_of(user)
    attempt = qs.filter(pk=pk).first()
    mine = attempt is not None and employee is not None and attempt.employee_id == employee.pk
    if attempt is None or (own and not mine) or (attempt.status == AttemptStatus.OPEN and not mine):
        raise NotFoundError(_("Attempt not found."), code=TrainingErrorCode.ATTEMPT_NOT_FOUND)
    return attempt


def attempt_sheet(attempt: StudyAttempt, *, reveal: bool) -> list[dict]:
    """The drawn questions in their order with their options in the order shown and what the
    learner chose. With ``reveal`` (a closed attempt only) each question also carries its
    correct options, whether the answer was right and the explanation. Three queries whatever
    the number of questions."""
    reveal = reveal and attempt.status != AttemptStatus.OPEN
    ids = [item["q"] for item in attempt.draw]
    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=ids).prefetch_related(
            Prefetch("options", queryset=QuestionOption.objects.order_by("position", "pk"))
        )
    }
    answers = {a.question_id: a for a in AttemptAnswer.objects.filter(attempt=attempt)}
    sheet = []
    for index, item in enumerate(attempt.draw, start=1):
        question = questions.get(item["q"])
        if question is None:
            continue
        by_id = {o.pk: o for o in question.options.all()}
        answer = answers.get(question.pk)
        chosen = set(answer.chosen) if answer else set()
        options = []
        for oid in item["o"]:
            option = by_id.get(oid)
            if option is None:
                continue
            row = {"id": option.pk, "text": option.text, "chosen": option.pk in chosen}
            if reveal:
                row["correct"] = option.correct
            options.append(row)
        row = {"number": index, "id": question.pk, "kind": question.kind, "text": question.text, "options": options}
        if reveal:
            row["right"] = bool(answer and answer.correct)
            row["explanation"] = question.explanation
        sheet.append(row)
    return sheet
