"""The effect of training (TRN-3): HR's conclusions on a course or a plan item.

The figures (attendance, scores, satisfaction, the change in the related appraisal indicator) are
computed when read (``training.selectors.effect``); what is stored is the conclusion HR draws from
them, kept as a history: a new review never replaces an earlier one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.models.courses import Course
from training.models.plan import TrainingPlan

__all__ = ["EffectReview"]


class EffectReview(models.Model):
    """A conclusion about a course, or about a plan item (its lineage, within its plan)."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey(
        TrainingPlan, verbose_name=_("plan"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lineage = models.UUIDField(_("plan item"), null=True, blank=True)
    conclusion = models.TextField(_("conclusion"), max_length=4000)
    reviewed_on = models.DateField(_("date"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("effect review")
        verbose_name_plural = _("effect reviews")
        ordering = ["-reviewed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(course__isnull=False) & Q(plan__isnull=True) & Q(lineage__isnull=True))
                | (Q(course__isnull=True) & Q(plan__isnull=False) & Q(lineage__isnull=False)),
                name="training_effect_review_subject",
            ),
        ]
        indexes = [models.Index(fields=["lineage"], name="training_effect_lineage_idx")]

    def __str__(self):
        return f"{self.reviewed_on}: {self.conclusion[:40]}"
