"""Reads of the course catalogue (TRN-1, TRN-2): every employee reads the active courses; HR and
trainers, who write the catalogue, read the inactive ones too."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.roles import Role, has_role
from training.errors import TrainingErrorCode
from training.models import Course, SessionStatus

__all__ = ["COURSE_WRITE_ROLES", "course_get", "course_list", "course_write_allowed"]

COURSE_WRITE_ROLES = (Role.HR, Role.TRAINER)


def course_write_allowed(user) -> bool:
    """HR and in-house trainers write the catalogue (TRN-1, TRN-2)."""
    return has_role(user, *COURSE_WRITE_ROLES)


def course_list(*, user, filters: dict | None = None) -> QuerySet[Course]:
    """The catalogue ``user`` may read, filtered by ``topic_area``, ``delivery_mode``, ``active``
    (HR and trainers; others see the active courses only) and ``q`` (code or title). One query,
    with the number of upcoming sessions."""
    filters = filters or {}
    qs = Course.objects.all()
    if not course_write_allowed(user):
        qs = qs.filter(active=True)
    elif filters.get("active") in (True, False):
        qs = qs.filter(active=filters["active"])
    if topic := filters.get("topic_area"):
        qs = qs.filter(topic_area=topic)
    if mode := filters.get("delivery_mode"):
        qs = qs.filter(delivery_mode=mode)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q))
    return qs.annotate(session_count=Count("sessions", filter=~Q(sessions__status=SessionStatus.CANCELLED))).order_by(
        "code"
    )


def course_get(*, user, pk) -> Course:
    """One course of the catalogue ``user`` may read, or NotFoundError."""
    course = course_list(user=user, filters={}).filter(pk=pk).first()
    if course is None:
        raise NotFoundError(_("Course not found."), code=TrainingErrorCode.COURSE_NOT_FOUND)
    return course
