"""Reads of delivery (TRN-2): sessions, who is enrolled, the roster clash a supervisor sees before
confirming an enrolment, the trainer's attendance sheet and the satisfaction of a session.

Visibility: sessions are not personal data, so HR, trainers, supervisors, department managers and
company leaders read every session; an agent reads the sessions of open courses and those they are
enrolled in. Enrolments (who, marks, scores) are personal: HR and the session's trainer read all of
them, others what their remit covers (own; team; department).
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db.models import Avg, Case, Count, F, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.selectors import roster_shift_overlaps
from callcenter.errors import NotFoundError
from callcenter.models import Employee, EmploymentStatus, User
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_of, employees_visible_to, filter_by_employee
from training.errors import TrainingErrorCode
from training.models import Enrolment, EnrolmentStatus, SatisfactionResponse, SessionStatus, TrainingSession
from training.rules import seats_left

__all__ = [
    "ENROL_MAX_PEOPLE",
    "SESSION_READ_ALL_ROLES",
    "enrolment_candidates",
    "enrolment_get",
    "enrolment_preview",
    "session_attendance_sheet",
    "session_enrolments",
    "session_get",
    "session_list",
    "session_manage_allowed",
    "session_mark_allowed",
    "session_satisfaction",
    "session_trainer_choices",
]

SESSION_READ_ALL_ROLES = (Role.HR, Role.TRAINER, Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER)
# Largest number of people one enrolment request covers (a whole team at once).
ENROL_MAX_PEOPLE = 200


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def session_manage_allowed(user, session: TrainingSession) -> bool:
    """HR manages every session; a trainer those they give or created (TRN-2)."""
    if has_role(user, Role.HR):
        return True
    return has_role(user, Role.TRAINER) and user.pk in (session.trainer_id, session.created_by_id)


def session_mark_allowed(user, session: TrainingSession) -> bool:
    """The session's trainer or HR take the attendance and enter the scores (TRN-2)."""
    return has_role(user, Role.HR) or (has_role(user, Role.TRAINER) and session.trainer_id == user.pk)


def _base() -> QuerySet[TrainingSession]:
    return TrainingSession.objects.select_related("course", "trainer__employee").annotate(
        enrolled_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED))
    )


def session_list(*, user, filters: dict | None = None) -> QuerySet[TrainingSession]:
    """Sessions ``user`` may read, upcoming first (soonest first), then the past ones (latest
    first). Filters: ``month`` (first day, in Asia/Shanghai), ``course``, ``trainer`` (a user id),
    ``upcoming``, ``include_cancelled``. One query."""
    filters = filters or {}
    now = timezone.now()
    qs = _base()
    if not has_role(user, *SESSION_READ_ALL_ROLES):
        me = employee_of(user)
        mine = Q(pk__in=Enrolment.objects.filter(employee=me).values("session_id")) if me else Q(pk__in=[])
        qs = qs.filter(Q(course__active=True, course__open_enrolment=True) | mine)
    if month := filters.get("month"):
        start = datetime.datetime.combine(month.replace(day=1), datetime.time.min, tzinfo=_tz())
        end = datetime.datetime.combine(
            (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1), datetime.time.min, tzinfo=_tz()
        )
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    if course := filters.get("course"):
        qs = qs.filter(course_id=course)
    if trainer := filters.get("trainer"):
        qs = qs.filter(trainer_id=trainer)
    if filters.get("upcoming"):
        qs = qs.filter(ends_at__gt=now)
    if not filters.get("include_cancelled", True):
        qs = qs.exclude(status=SessionStatus.CANCELLED)
    return qs.annotate(
        past=Case(When(ends_at__gt=now, then=0), default=1),
        upcoming_start=Case(When(ends_at__gt=now, then=F("starts_at")), default=None),
    ).order_by("past", "upcoming_start", "-starts_at", "-pk")


def session_get(*, user, pk) -> TrainingSession:
    session = session_list(user=user, filters={}).filter(pk=pk).first()
    if session is None:
        raise NotFoundError(_("Session not found."), code=TrainingErrorCode.SESSION_NOT_FOUND)
    session.seats_left = seats_left(session.capacity, session.enrolled_count)
    return session


def session_enrolments(*, user, session: TrainingSession, include_cancelled: bool = False) -> QuerySet[Enrolment]:
    """Who is enrolled in ``session`` that ``user`` may see: HR and the session's trainer see all;
    others their remit (own, team, department). One query."""
    qs = Enrolment.objects.filter(session=session).select_related("employee__team", "satisfaction")
    if not include_cancelled:
        qs = qs.filter(status=EnrolmentStatus.ENROLLED)
    if not (has_role(user, Role.HR) or session.trainer_id == user.pk):
        qs = filter_by_employee(qs, user)
    return qs.order_by("employee__employee_no")


def session_attendance_sheet(*, user, pk) -> tuple[TrainingSession, list[Enrolment]]:
    """The trainer's attendance page (TRN-2): the session and its enrollees, for the session's
    trainer or HR only (NotFoundError for others: no leak). Bounded: the session, the enrollees."""
    session = session_get(user=user, pk=pk)
    if not session_mark_allowed(user, session):
        raise NotFoundError(_("Session not found."), code=TrainingErrorCode.SESSION_NOT_FOUND)
    enrolments = list(
        Enrolment.objects.filter(session=session, status=EnrolmentStatus.ENROLLED)
        .select_related("employee__team")
        .order_by("employee__employee_no")
    )
    return session, enrolments


def enrolment_get(*, user, pk) -> Enrolment:
    """One enrolment ``user`` may see (own, remit, HR, the session's trainer), or NotFoundError."""
    enrolment = Enrolment.objects.select_related("session__course", "employee", "satisfaction").filter(pk=pk).first()
    if enrolment is not None and not (
        has_role(user, Role.HR)
        or enrolment.session.trainer_id == user.pk
        or employees_visible_to(user).filter(pk=enrolment.employee_id).exists()
    ):
        enrolment = None
    if enrolment is None:
        raise NotFoundError(_("Enrolment not found."), code=TrainingErrorCode.ENROLMENT_NOT_FOUND)
    return enrolment


def enrolment_candidates(*, user, session: TrainingSession) -> QuerySet[Employee]:
    """Whom ``user`` may enrol in ``session`` (TRN-2): HR anyone in their remit, supervisors and
    department managers the people of their remit, and anyone themselves when the course is open
    for self-enrolment. Active employees, by number."""
    me = employee_of(user)
    q = Q(pk__in=[])
    if has_role(user, Role.HR, Role.SUPERVISOR, Role.DEPARTMENT_MANAGER):
        remit = employees_visible_to(user)
        if not has_role(user, Role.HR) and me is not None:
            remit = remit.exclude(pk=me.pk)
        q |= Q(pk__in=remit.values("pk"))
    if me is not None and session.course.open_enrolment and session.course.active:
        q |= Q(pk=me.pk)
    return (
        Employee.objects.filter(q, status=EmploymentStatus.ACTIVE)
        .select_related("team")
        .only("pk", "employee_no", "name", "team__name", "team__code")
        .order_by("employee_no")
    )


def enrolment_preview(*, user, session: TrainingSession, employee_ids) -> list[dict]:
    """The confirm step of an enrolment (TRN-2): for each person ``user`` may enrol, the roster
    shift the session overlaps (read from attendance's roster) and whether they are already
    enrolled. People ``user`` may not enrol are left out. Three queries."""
    ids = list(dict.fromkeys(employee_ids))[:ENROL_MAX_PEOPLE]
    people = list(enrolment_candidates(user=user, session=session).filter(pk__in=ids))
    clashes = roster_shift_overlaps(
        employee_ids=[p.pk for p in people], starts_at=session.starts_at, ends_at=session.ends_at
    )
    enrolled = set(
        Enrolment.objects.filter(
            session=session, employee_id__in=[p.pk for p in people], status=EnrolmentStatus.ENROLLED
        ).values_list("employee_id", flat=True)
    )
    return [{"employee": p, "clash": clashes.get(p.pk, ""), "already": p.pk in enrolled} for p in people]


def session_satisfaction(*, session: TrainingSession) -> dict:
    """The session's satisfaction survey (TRN-2): the average (1..5, one decimal) and the count."""
    figures = SatisfactionResponse.objects.filter(enrolment__session=session).aggregate(
        average=Avg("rating"), count=Count("pk")
    )
    average = figures["average"]
    return {"average": round(float(average), 1) if average is not None else None, "count": figures["count"]}


def session_trainer_choices() -> QuerySet[User]:
    """Who may give a session: active users with the trainer role, or HR (TRN-2)."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[Role.TRAINER, Role.HR])
        .select_related("employee")
        .distinct()
        .order_by("username")
    )
