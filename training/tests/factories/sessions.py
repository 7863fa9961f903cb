"""Factories of the courses and sessions tests (TRN-2)."""

import datetime
import zoneinfo
from decimal import Decimal

from django.utils import timezone

from training.models import Course, DeliveryMode, Enrolment, TopicArea, TrainingSession

__all__ = ["SHANGHAI", "at", "course", "session_for"]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of ``day`` in Beijing time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def course(code="service-basics", *, title="服务规范", open_enrolment=False, mark="60", **fields) -> Course:
    defaults = {
        "title": title,
        "topic_area": TopicArea.SERVICE,
        "delivery_mode": DeliveryMode.INTERNAL,
        "hours": Decimal("2.0"),
        "pass_mark": Decimal(mark),
        "open_enrolment": open_enrolment,
    }
    defaults.update(fields)
    return Course.objects.create(code=code, **defaults)


def session_for(
    the_course: Course,
    *,
    trainer=None,
    starts_at=None,
    hours: int = 2,
    capacity: int = 10,
    enrol=(),
) -> TrainingSession:
    """A session of ``the_course`` (default: tomorrow 10:00–12:00 Beijing time) given by the user
    ``trainer``; ``enrol``: employees enrolled directly (rows only, no off-phone activity)."""
    starts_at = starts_at or at(timezone.localdate() + datetime.timedelta(days=1), 10)
    session = TrainingSession.objects.create(
        course=the_course,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        place="培训室 A",
        trainer=trainer,
        provider="" if trainer else "外部机构",
        capacity=capacity,
    )
    Enrolment.objects.bulk_create([Enrolment(session=session, employee=e) for e in enrol])
    return session
