"""Writes of the course catalogue (TRN-1, TRN-2): HR and in-house trainers create and edit
courses; a new course takes its assessment defaults from the training policy in force."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.selectors import policy_in_force
from datasecurity.services import audit_record, model_changes, snapshot
from training.errors import TrainingErrorCode
from training.models import Course, DeliveryMode, TrainingPolicy
from training.selectors.courses import course_write_allowed

__all__ = ["COURSE_FIELDS", "course_create", "course_update"]

COURSE_FIELDS = [
    "code",
    "title",
    "description",
    "topic_area",
    "delivery_mode",
    "hours",
    "provider",
    "pass_mark",
    "max_attempts",
    "time_limit_minutes",
    "question_count",
    "open_enrolment",
    "induction",
    "active",
]
_POLICY_DEFAULTS = {
    "pass_mark": "default_pass_mark",
    "max_attempts": "default_max_attempts",
    "time_limit_minutes": "default_time_limit_minutes",
}


def _check_actor(actor) -> None:
    if not course_write_allowed(actor):
        raise PermissionDeniedError(_("Only HR and trainers edit the course catalogue (TRN-2)."))


def _validate_and_save(course: Course) -> None:
    course.code = (course.code or "").strip().lower()
    course.title = (course.title or "").strip()
    course.provider = (course.provider or "").strip()
    if not course.code or not course.title:
        raise ApplicationError(_("A course needs a code and a title."), code=TrainingErrorCode.INVALID_INPUT)
    if course.delivery_mode == DeliveryMode.EXTERNAL and not course.provider:
        raise ApplicationError(
            _("An external course names its provider (TRN-2)."), code=TrainingErrorCode.INVALID_INPUT, field="provider"
        )
    try:
        course.full_clean(exclude=["created_by"], validate_unique=False)
    except ValidationError as exc:  # the first message, on its field
        errors = getattr(exc, "message_dict", {}) or {}
        field, messages = next(iter(errors.items()), (None, [str(exc)]))
        raise ApplicationError(messages[0], code=TrainingErrorCode.INVALID_INPUT, field=field) from exc
    try:
        with transaction.atomic():
            course.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("A course with the code %(code)s already exists.") % {"code": course.code},
            code=TrainingErrorCode.COURSE_CODE_TAKEN,
            field="code",
        ) from exc


@transaction.atomic
def course_create(*, actor, code: str, title: str, topic_area: str, delivery_mode: str, hours, **fields) -> Course:
    """A new course in the catalogue (TRN-1, TRN-2). Pass mark, attempts and time limit left out
    take the training policy's defaults in force today."""
    _check_actor(actor)
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown course fields."), code=TrainingErrorCode.INVALID_INPUT)
    policy = policy_in_force(TrainingPolicy, timezone.localdate())
    for field, default in _POLICY_DEFAULTS.items():
        if fields.get(field) is None:
            fields[field] = getattr(policy, default)
    fields = {k: v for k, v in fields.items() if v is not None}
    course = Course(
        code=code,
        title=title,
        topic_area=topic_area,
        delivery_mode=delivery_mode,
        hours=hours,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _validate_and_save(course)
    audit_record(actor=actor, action="course.create", obj=course, changes=model_changes(course, None, COURSE_FIELDS))
    return course


@transaction.atomic
def course_update(*, actor, course_id: int, **fields) -> Course:
    """Change a course (TRN-2). Records already written keep their own copy of hours, score and
    pass mark: a change applies to what comes next."""
    _check_actor(actor)
    course = Course.objects.select_for_update().filter(pk=course_id).first()
    if course is None:
        raise NotFoundError(_("Course not found."), code=TrainingErrorCode.COURSE_NOT_FOUND)
    unknown = set(fields) - set(COURSE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown course fields."), code=TrainingErrorCode.INVALID_INPUT)
    before = snapshot(course, COURSE_FIELDS)
    for field, value in fields.items():
        if value is not None:
            setattr(course, field, value)
    _validate_and_save(course)
    changes = model_changes(course, before, COURSE_FIELDS)
    if changes:
        audit_record(actor=actor, action="course.update", obj=course, changes=changes)
    return course
