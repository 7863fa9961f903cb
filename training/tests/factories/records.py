"""Courses, records and mandatory courses for the records and compliance tests (TRN-3)."""

import datetime
from decimal import Decimal

from training.models import (
    AudienceKind,
    Course,
    DeadlineKind,
    MandatoryCourse,
    RecordResult,
    RecordSource,
    TopicArea,
    TrainingRecord,
)

__all__ = ["course", "mandatory", "record"]

_counter = {"n": 0}


def course(code: str | None = None, *, title: str = "服务规范", topic=TopicArea.SERVICE, **kwargs) -> Course:
    _counter["n"] += 1
    return Course.objects.create(
        code=code or f"c{_counter['n']}",
        title=title,
        topic_area=topic,
        delivery_mode=kwargs.pop("delivery_mode", "internal"),
        hours=kwargs.pop("hours", Decimal("2.0")),
        **kwargs,
    )


def record(
    employee,
    course_: Course,
    *,
    day: datetime.date,
    result=RecordResult.PASSED,
    score: Decimal | None = Decimal("80"),
    key: str | None = None,
    session=None,
) -> TrainingRecord:
    """A record written directly (the tests' arrangement; the services write through
    ``training_record_write``)."""
    _counter["n"] += 1
    return TrainingRecord.objects.create(
        employee=employee,
        course=course_,
        session=session,
        source=RecordSource.SESSION,
        source_key=key or f"test:{_counter['n']}",
        completed_on=day,
        hours=course_.hours,
        score=score,
        pass_mark=Decimal("60"),
        result=result,
        attempts=1,
        certificate_no=f"TRN-T-{_counter['n']:07d}" if result == RecordResult.PASSED else None,
    )


def mandatory(
    course_: Course, *, kind=DeadlineKind.YEARLY, audience=AudienceKind.EVERYONE, **kwargs
) -> MandatoryCourse:
    if kind == DeadlineKind.YEARLY:
        kwargs.setdefault("yearly_month", 6)
        kwargs.setdefault("yearly_day", 30)
    kwargs.setdefault("applies_from", datetime.date(2000, 1, 1))
    return MandatoryCourse.objects.create(course=course_, deadline_kind=kind, audience_kind=audience, **kwargs)
