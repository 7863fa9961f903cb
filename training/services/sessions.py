"""Writes of delivery and assessment after a session (TRN-2): sessions, enrolment (capacity held
under the session's row lock, the roster clash stored as the enrolling person saw it), the
trainer's attendance and scores (written to the training records through the one writer,
``training_record_write``), and the participants' satisfaction survey.

An enrolment blocks the person's roster time through attendance's generic off-phone activity
(``training:session:<id>``), in the same transaction: the live board shows them "in training",
not absent or late, and the day's result counts lateness against the time left on the phone.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.services import off_phone_activity_clear, off_phone_activity_set
from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_of
from callcenter.services import notification_send
from datasecurity.services import audit_record, model_changes, snapshot
from training.errors import TrainingErrorCode
from training.models import (
    AttendanceMark,
    Course,
    DeliveryMode,
    Enrolment,
    EnrolmentStatus,
    RecordSource,
    SatisfactionResponse,
    SessionStatus,
    TrainingSession,
)
from training.rules import attendance_open, enrolment_cancellable, mark_result, rating_valid, score_valid
from training.selectors.sessions import (
    ENROL_MAX_PEOPLE,
    enrolment_candidates,
    enrolment_preview,
    session_manage_allowed,
    session_mark_allowed,
    session_trainer_choices,
)
from training.services.records import training_record_write

__all__ = [
    "SESSION_FIELDS",
    "enrolment_cancel",
    "enrolment_create",
    "satisfaction_submit",
    "session_attendance_mark",
    "session_cancel",
    "session_create",
    "session_score_set",
    "session_update",
]

SESSION_FIELDS = ["starts_at", "ends_at", "place", "online_link", "trainer", "provider", "capacity"]


def _activity_key(session_id: int) -> str:
    """The off-phone activity's source key of a session (attendance, ATT-1)."""
    return f"training:session:{session_id}"


def _record_key(session_id: int) -> str:
    """The training record's source key of a session (TRN-3)."""
    return f"session:{session_id}"


def _lock_session(session_id: int) -> TrainingSession:
    session = TrainingSession.objects.select_for_update().select_related("course").filter(pk=session_id).first()
    if session is None:
        raise NotFoundError(_("Session not found."), code=TrainingErrorCode.SESSION_NOT_FOUND)
    return session


def _check_manage(actor, session: TrainingSession) -> None:
    if not session_manage_allowed(actor, session):
        raise PermissionDeniedError(_("Only HR and the session's trainer manage a session (TRN-2)."))


def _validate(session: TrainingSession) -> None:
    session.place = (session.place or "").strip()
    session.provider = (session.provider or "").strip()
    session.online_link = (session.online_link or "").strip()
    if session.starts_at is None or session.ends_at is None or session.ends_at <= session.starts_at:
        raise ApplicationError(
            _("A session ends after it starts."), code=TrainingErrorCode.INVALID_INPUT, field="ends_at"
        )
    if not session.capacity or session.capacity < 1:
        raise ApplicationError(
            _("A session has at least one seat."), code=TrainingErrorCode.INVALID_INPUT, field="capacity"
        )
    if not session.place and not session.online_link:
        raise ApplicationError(
            _("Give the place or the online link of the session."), code=TrainingErrorCode.INVALID_INPUT, field="place"
        )
    if session.online_link and not session.online_link.startswith(("https://", "http://")):
        raise ApplicationError(
            _("The online link is a web address (https://…)."),
            code=TrainingErrorCode.INVALID_INPUT,
            field="online_link",
        )
    if session.trainer_id is None and not session.provider:
        raise ApplicationError(
            _("A session is given by a trainer or an external provider (TRN-2)."),
            code=TrainingErrorCode.TRAINER_INVALID,
            field="trainer",
        )
    if session.trainer_id is not None and not session_trainer_choices().filter(pk=session.trainer_id).exists():
        raise ApplicationError(
            _("The trainer must be a user with the trainer role, or HR."),
            code=TrainingErrorCode.TRAINER_INVALID,
            field="trainer",
        )


def _activity_label(session: TrainingSession) -> str:
    return f"{session.course.code} {session.course.title}"[:200]


@transaction.atomic
def session_create(
    *,
    actor,
    course_id: int,
    starts_at,
    ends_at,
    capacity: int,
    place: str = "",
    online_link: str = "",
    trainer_id: int | None = None,
    provider: str = "",
) -> TrainingSession:
    """A session of a course (TRN-2), by HR or a trainer."""
    if not has_role(actor, Role.HR, Role.TRAINER):
        raise PermissionDeniedError(_("Only HR and trainers schedule sessions (TRN-2)."))
    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        raise NotFoundError(_("Course not found."), code=TrainingErrorCode.COURSE_NOT_FOUND)
    if not course.active:
        raise ApplicationError(_("This course is no longer active."), code=TrainingErrorCode.COURSE_INACTIVE)
    session = TrainingSession(
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        place=place,
        online_link=online_link,
        trainer_id=trainer_id,
        provider=provider or (course.provider if course.delivery_mode == DeliveryMode.EXTERNAL else ""),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _validate(session)
    session.save()
    audit_record(
        actor=actor,
        action="training_session.create",
        obj=session,
        changes={"course": course.code, **model_changes(session, None, SESSION_FIELDS)},
    )
    return session


@transaction.atomic
def session_update(*, actor, session_id: int, **fields) -> TrainingSession:
    """Change a session's time, place, trainer or capacity (TRN-2). A new time moves the
    enrollees' blocked roster time with it; the capacity cannot go below who is enrolled."""
    session = _lock_session(session_id)
    _check_manage(actor, session)
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("This session was cancelled."), code=TrainingErrorCode.SESSION_CANCELLED, status=409)
    unknown = set(fields) - {"starts_at", "ends_at", "place", "online_link", "trainer_id", "provider", "capacity"}
    if unknown:
        raise ApplicationError(_("Unknown session fields."), code=TrainingErrorCode.INVALID_INPUT)
    before = snapshot(session, SESSION_FIELDS)
    for field, value in fields.items():
        if value is not None or field == "trainer_id":
            setattr(session, field, value)
    _validate(session)
    enrolled = list(session.enrolments.filter(status=EnrolmentStatus.ENROLLED).values_list("employee_id", flat=True))
    if session.capacity < len(enrolled):
        raise ApplicationError(
            _("%(count)d people are enrolled: the capacity cannot be lower.") % {"count": len(enrolled)},
            code=TrainingErrorCode.INVALID_INPUT,
            field="capacity",
        )
    session.save()
    changes = model_changes(session, before, SESSION_FIELDS)
    if "starts_at" in changes or "ends_at" in changes:
        for employee_id in enrolled:
            off_phone_activity_set(
                actor=actor,
                employee_id=employee_id,
                source_key=_activity_key(session.pk),
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                kind="training",
                label=_activity_label(session),
            )
    if changes:
        audit_record(actor=actor, action="training_session.update", obj=session, changes=changes)
    return session


@transaction.atomic
def session_cancel(*, actor, session_id: int, reason: str = "") -> TrainingSession:
    """Cancel a session that has not ended (TRN-2): the enrollees' blocked time is freed and they
    are notified, in the same transaction."""
    session = _lock_session(session_id)
    _check_manage(actor, session)
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("This session was cancelled."), code=TrainingErrorCode.SESSION_CANCELLED, status=409)
    if session.ends_at <= timezone.now():
        raise ApplicationError(
            _("A session that has ended cannot be cancelled."), code=TrainingErrorCode.ENROLMENT_CLOSED, status=409
        )
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status"])
    enrollees = list(
        session.enrolments.filter(status=EnrolmentStatus.ENROLLED)
        .select_related("employee")
        .values_list("employee_id", "employee__user_id")
    )
    off_phone_activity_clear(actor=actor, source_key=_activity_key(session.pk))
    start = timezone.localtime(session.starts_at)
    notification_send(
        recipients=[user_id for _employee, user_id in enrollees if user_id],
        kind="training.session_cancelled",
        title=gettext_lazy("Training cancelled: %(course)s on %(start)s"),
        body=gettext_lazy(
            "The session you were enrolled in has been cancelled; your time is back on the roster. %(reason)s"
        ),
        params={"course": session.course.title, "start": f"{start:%Y-%m-%d %H:%M}", "reason": reason[:500]},
        url=f"/training/sessions/{session.pk}/",
    )
    audit_record(
        actor=actor,
        action="training_session.cancel",
        obj=session,
        changes={
            "status": [SessionStatus.SCHEDULED, SessionStatus.CANCELLED],
            "enrollees": len(enrollees),
            "reason": reason[:500],
        },
    )
    return session


@transaction.atomic
def enrolment_create(*, actor, session_id: int, employee_ids) -> list[Enrolment]:
    """Enrol ``employee_ids`` in a session (TRN-2): HR anyone, supervisors their team, anyone
    themselves in an open course. Under the session's row lock: the seats are counted and two
    enrolments for the last seat cannot both pass. Each enrolment keeps the roster shift the
    session overlaps (``roster_clash``, read again here: what the confirm step showed) and blocks
    the person's time as an off-phone activity ("in training" on the board)."""
    session = _lock_session(session_id)
    if session.status == SessionStatus.CANCELLED:
        raise ApplicationError(_("This session was cancelled."), code=TrainingErrorCode.SESSION_CANCELLED, status=409)
    if not enrolment_cancellable(session.starts_at, timezone.now()):
        raise ApplicationError(
            _("The session has started: enrolment is closed."), code=TrainingErrorCode.ENROLMENT_CLOSED, status=409
        )
    ids = list(dict.fromkeys(int(i) for i in employee_ids))
    if not ids:
        raise ApplicationError(_("Choose who to enrol."), code=TrainingErrorCode.INVALID_INPUT, field="employees")
    if len(ids) > ENROL_MAX_PEOPLE:
        raise ApplicationError(
            _("At most %(count)d people at once.") % {"count": ENROL_MAX_PEOPLE}, code=TrainingErrorCode.INVALID_INPUT
        )
    allowed = set(enrolment_candidates(user=actor, session=session).filter(pk__in=ids).values_list("pk", flat=True))
    if set(ids) - allowed:
        raise PermissionDeniedError(
            _("You may enrol yourself in open courses, and supervisors their team; HR enrols anyone (TRN-2)."),
            code=TrainingErrorCode.NOT_ALLOWED,
        )
    rows = {row["employee"].pk: row for row in enrolment_preview(user=actor, session=session, employee_ids=ids)}
    already = [row["employee"].name for row in rows.values() if row["already"]]
    if already:
        raise ApplicationError(
            _("Already enrolled: %(names)s.") % {"names": ", ".join(already)},
            code=TrainingErrorCode.ALREADY_ENROLLED,
            status=409,
        )
    taken = session.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    if taken + len(ids) > session.capacity:
        raise ApplicationError(
            _("Not enough seats: %(left)d left, %(asked)d asked (TRN-2).")
            % {"left": max(0, session.capacity - taken), "asked": len(ids)},
            code=TrainingErrorCode.SESSION_FULL,
            status=409,
        )
    now = timezone.now()
    enrolments = []
    cancelled = {e.employee_id: e for e in session.enrolments.filter(employee_id__in=ids)}
    for employee_id in ids:
        clash = rows[employee_id]["clash"]
        enrolment = cancelled.get(employee_id) or Enrolment(session=session, employee_id=employee_id)
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.enrolled_by = actor if getattr(actor, "is_authenticated", False) else None
        enrolment.enrolled_at = now
        enrolment.roster_clash = clash
        try:
            with transaction.atomic():
                enrolment.save()
        except IntegrityError as exc:  # one enrolment per person and session (the database says so)
            raise ApplicationError(_("Already enrolled."), code=TrainingErrorCode.ALREADY_ENROLLED, status=409) from exc
        off_phone_activity_set(
            actor=actor,
            employee_id=employee_id,
            source_key=_activity_key(session.pk),
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            kind="training",
            label=_activity_label(session),
        )
        audit_record(
            actor=actor,
            action="enrolment.create",
            obj=enrolment,
            changes={
                "session": session.pk,
                "course": session.course.code,
                "employee": employee_id,
                "roster_clash": clash,
            },
        )
        enrolments.append(enrolment)
    return enrolments


@transaction.atomic
def enrolment_cancel(*, actor, enrolment_id: int) -> Enrolment:
    """Cancel an enrolment before the session starts (TRN-2): by the person, by whoever may enrol
    them, or by the session's trainer or HR. The blocked roster time is freed."""
    enrolment = Enrolment.objects.select_for_update().select_related("session__course").filter(pk=enrolment_id).first()
    if enrolment is None:
        raise NotFoundError(_("Enrolment not found."), code=TrainingErrorCode.ENROLMENT_NOT_FOUND)
    session = enrolment.session
    me = employee_of(actor)
    may = (
        (me is not None and me.pk == enrolment.employee_id)
        or session_manage_allowed(actor, session)
        or enrolment_candidates(user=actor, session=session).filter(pk=enrolment.employee_id).exists()
    )
    if not may:
        raise NotFoundError(_("Enrolment not found."), code=TrainingErrorCode.ENROLMENT_NOT_FOUND)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ApplicationError(
            _("This enrolment is already cancelled."), code=TrainingErrorCode.ENROLMENT_CLOSED, status=409
        )
    if not enrolment_cancellable(session.starts_at, timezone.now()):
        raise ApplicationError(
            _("The session has started: the enrolment can no longer be cancelled."),
            code=TrainingErrorCode.ENROLMENT_CLOSED,
            status=409,
        )
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.save(update_fields=["status"])
    off_phone_activity_clear(actor=actor, source_key=_activity_key(session.pk), employee_ids=[enrolment.employee_id])
    audit_record(
        actor=actor,
        action="enrolment.cancel",
        obj=enrolment,
        changes={"status": [EnrolmentStatus.ENROLLED, EnrolmentStatus.CANCELLED], "session": session.pk},
    )
    return enrolment


def _lock_enrolment_for_marking(actor, enrolment_id: int, action: str) -> Enrolment:
    enrolment = Enrolment.objects.select_for_update().select_related("session__course").filter(pk=enrolment_id).first()
    if enrolment is None or not session_mark_allowed(actor, enrolment.session):
        raise NotFoundError(_("Enrolment not found."), code=TrainingErrorCode.ENROLMENT_NOT_FOUND)
    refuse_own_record(actor=actor, employee_id=enrolment.employee_id, action=action)
    if enrolment.status != EnrolmentStatus.ENROLLED or enrolment.session.status == SessionStatus.CANCELLED:
        raise ApplicationError(
            _("This enrolment or its session was cancelled."), code=TrainingErrorCode.SESSION_CANCELLED, status=409
        )
    if not attendance_open(enrolment.session.starts_at, timezone.now()):
        raise ApplicationError(
            _("The attendance is taken from an hour before the session starts."),
            code=TrainingErrorCode.SESSION_NOT_STARTED,
            status=409,
        )
    return enrolment


def _record(actor, enrolment: Enrolment):
    session, course = enrolment.session, enrolment.session.course
    result = mark_result(enrolment.attendance, enrolment.score, course.pass_mark)
    return training_record_write(
        actor=actor,
        employee_id=enrolment.employee_id,
        course=course,
        source=RecordSource.SESSION,
        source_key=_record_key(session.pk),
        completed_on=timezone.localtime(session.starts_at).date(),
        hours=course.hours if result != "absent" else Decimal("0"),
        result=result,
        score=enrolment.score if result != "absent" else None,
        pass_mark=course.pass_mark,
        attempts=1 if enrolment.score is not None else 0,
        session=session,
    )


@privileged_service("training.session_attendance_mark", label=gettext_lazy("take the attendance of a training session"))
@transaction.atomic
def session_attendance_mark(*, actor, enrolment_id: int, mark: str) -> Enrolment:
    """The trainer (or HR) marks an enrollee present, late or absent (TRN-2), and the training
    record follows (source ``session``: attended, or absent). Nobody marks their own enrolment."""
    if mark not in AttendanceMark.values:
        raise ApplicationError(_("Mark present, late or absent."), code=TrainingErrorCode.INVALID_INPUT, field="mark")
    enrolment = _lock_enrolment_for_marking(actor, enrolment_id, "training.session_attendance_mark")
    before = enrolment.attendance
    enrolment.attendance = mark
    enrolment.attendance_marked_by = actor if getattr(actor, "is_authenticated", False) else None
    if mark == AttendanceMark.ABSENT:
        enrolment.score = None
    enrolment.save(update_fields=["attendance", "attendance_marked_by", "score"])
    session = enrolment.session
    if session.status == SessionStatus.SCHEDULED:
        session.status = SessionStatus.HELD
        session.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="enrolment.attendance_mark",
        obj=enrolment,
        changes={"attendance": [before or None, mark], "session": session.pk},
    )
    _record(actor, enrolment)
    return enrolment


@privileged_service("training.session_score_set", label=gettext_lazy("enter a training score"))
@transaction.atomic
def session_score_set(*, actor, enrolment_id: int, score) -> Enrolment:
    """The trainer (or HR) enters a participant's score, 0..100 (TRN-2): the record becomes
    passed or failed against the course's pass mark (exactly the mark passes). Only for someone
    marked present or late; nobody scores their own enrolment."""
    if score is None or not score_valid(score):
        raise ApplicationError(_("A score is from 0 to 100."), code=TrainingErrorCode.INVALID_INPUT, field="score")
    enrolment = _lock_enrolment_for_marking(actor, enrolment_id, "training.session_score_set")
    if enrolment.attendance not in (AttendanceMark.PRESENT, AttendanceMark.LATE):
        raise ApplicationError(
            _("Mark the participant present or late before entering a score."),
            code=TrainingErrorCode.NOT_ATTENDED,
            status=409,
        )
    before = str(enrolment.score) if enrolment.score is not None else None
    enrolment.score = Decimal(score).quantize(Decimal("0.01"))
    enrolment.save(update_fields=["score"])
    audit_record(
        actor=actor,
        action="enrolment.score_set",
        obj=enrolment,
        changes={"score": [before, str(enrolment.score)], "pass_mark": str(enrolment.session.course.pass_mark)},
    )
    _record(actor, enrolment)
    return enrolment


@transaction.atomic
def satisfaction_submit(*, actor, enrolment_id: int, rating: int, comment: str = "") -> SatisfactionResponse:
    """A participant's satisfaction with a session they attended (TRN-2): 1..5 and a comment,
    once. Only the participant answers for themselves."""
    me = employee_of(actor)
    enrolment = Enrolment.objects.select_for_update().select_related("session").filter(pk=enrolment_id).first()
    if enrolment is None or me is None or enrolment.employee_id != me.pk:
        raise NotFoundError(_("Enrolment not found."), code=TrainingErrorCode.ENROLMENT_NOT_FOUND)
    if not rating_valid(rating):
        raise ApplicationError(_("Rate from 1 to 5."), code=TrainingErrorCode.INVALID_INPUT, field="rating")
    if enrolment.attendance not in (AttendanceMark.PRESENT, AttendanceMark.LATE):
        raise ApplicationError(
            _("Only participants who attended answer the survey."), code=TrainingErrorCode.NOT_ATTENDED, status=409
        )
    if SatisfactionResponse.objects.filter(enrolment=enrolment).exists():
        raise ApplicationError(
            _("You have already answered this survey."), code=TrainingErrorCode.ALREADY_ANSWERED, status=409
        )
    response = SatisfactionResponse.objects.create(
        enrolment=enrolment, rating=rating, comment=(comment or "").strip()[:2000]
    )
    audit_record(
        actor=actor,
        action="satisfaction.submit",
        obj=response,
        changes={"session": enrolment.session_id, "rating": rating},
    )
    return response
