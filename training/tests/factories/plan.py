"""Factories of the plan and effect tests (TRN-1, TRN-3): plans and items made through the
services (the only writers), courses, sessions and enrolments as rows."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from training import services
from training.models import Course, Enrolment, TrainingSession

_codes = itertools.count(1)


def item_data(**overrides) -> dict:
    data = {
        "title": "沟通技巧",
        "month": None,
        "quarter": 2,
        "topic_area": "communication",
        "delivery_mode": "internal",
        "planned_hours": Decimal("4"),
        "budget": Decimal("1000.00"),
        "need": "投诉原因：语气生硬",
        "need_source": "complaints",
        "course_id": None,
        "indicator_code": "",
        "audience_kind": "everyone",
    }
    data.update(overrides)
    return data


def plan_with_items(actor, *, year: int = 2026, items: int = 2, publish: bool = False):
    plan = services.plan_create(actor=actor, year=year, title=f"{year} 培训计划")
    made = [
        services.plan_item_add(actor=actor, plan_id=plan.pk, **item_data(title=f"项目{n}", quarter=n % 4 + 1))
        for n in range(items)
    ]
    if publish:
        services.plan_publish(actor=actor, plan_id=plan.pk)
    return plan, made


def course(**overrides) -> Course:
    values = {
        "code": f"C{next(_codes):04d}",
        "title": "沟通技巧",
        "topic_area": "communication",
        "delivery_mode": "internal",
        "hours": Decimal("4"),
    }
    values.update(overrides)
    return Course.objects.create(**values)


def session(course: Course, *, starts: datetime.datetime | None = None, **overrides) -> TrainingSession:
    starts = starts or timezone.now() - datetime.timedelta(days=30)
    return TrainingSession.objects.create(
        course=course, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2), capacity=30, **overrides
    )


def enrol(session: TrainingSession, employee, *, attendance: str = "present", score=None) -> Enrolment:
    return Enrolment.objects.create(session=session, employee=employee, attendance=attendance, score=score)
