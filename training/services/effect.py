"""HR's conclusion on the effect of a course or a plan item (TRN-3): kept as a history, audited."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.roles import has_role
from datasecurity.services import audit_record
from training.errors import TrainingErrorCode
from training.models import Course, EffectReview, PlanItem
from training.selectors.effect import EFFECT_REVIEW_ROLES

__all__ = ["effect_review_record"]


@transaction.atomic
def effect_review_record(
    *,
    actor,
    conclusion: str,
    reviewed_on: datetime.date | None = None,
    course_id: int | None = None,
    plan_id: int | None = None,
    lineage=None,
) -> EffectReview:
    """Record HR's conclusion on a course (``course_id``) or a plan item (``plan_id`` + ``lineage``)."""
    if not has_role(actor, *EFFECT_REVIEW_ROLES):
        raise PermissionDeniedError(
            _("Only HR records the conclusion of an effect analysis (TRN-3)."), code=TrainingErrorCode.NOT_ALLOWED
        )
    conclusion = (conclusion or "").strip()
    if len(conclusion) < 5 or len(conclusion) > 4000:
        raise ApplicationError(
            _("Write the conclusion (5 to 4,000 characters)."), code=TrainingErrorCode.INVALID_INPUT, field="conclusion"
        )
    today = timezone.localdate()
    reviewed_on = reviewed_on or today
    if reviewed_on > today:
        raise ApplicationError(
            _("A conclusion cannot be dated in the future."), code=TrainingErrorCode.INVALID_INPUT, field="reviewed_on"
        )
    review = EffectReview(conclusion=conclusion, reviewed_on=reviewed_on, reviewed_by=actor)
    if course_id is not None and plan_id is None:
        course = Course.objects.filter(pk=course_id).first()
        if course is None:
            raise ApplicationError(_("No such course."), code=TrainingErrorCode.EFFECT_SUBJECT_NOT_FOUND, status=404)
        review.course = course
        subject = {"course": course.code}
    elif plan_id is not None and lineage is not None and course_id is None:
        item = (
            PlanItem.objects.filter(version__plan_id=plan_id, lineage=lineage).select_related("version__plan").first()
        )
        if item is None:
            raise ApplicationError(
                _("No such item in this plan."), code=TrainingErrorCode.EFFECT_SUBJECT_NOT_FOUND, status=404
            )
        review.plan = item.version.plan
        review.lineage = item.lineage
        subject = {"plan": item.version.plan.year, "lineage": str(item.lineage), "item": item.title}
    else:
        raise ApplicationError(_("Name a course, or a plan item."), code=TrainingErrorCode.INVALID_INPUT)
    review.save()
    audit_record(
        actor=actor,
        action="training_effect.review",
        obj=review,
        changes={**subject, "reviewed_on": reviewed_on.isoformat(), "conclusion": conclusion[:200]},
    )
    return review
