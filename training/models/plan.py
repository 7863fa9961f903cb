"""The annual training plan (TRN-1): one plan per year, versioned.

A plan is drawn up as a draft (version 1, not yet published: its items may be changed freely);
publishing puts version 1 in force. From then on every adjustment creates a new version with its
reason, who and when, copying the items of the version it replaces and applying the change: the
replaced version stays as it was (the history page compares them). The version in force is the
latest published one. ``PlanItem.lineage`` is shared by the same item across versions, so the
effect analysis (TRN-3) and the sessions can follow an item whatever version they look at.
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from training.models.audience import Audience
from training.models.courses import Course, DeliveryMode, TopicArea

__all__ = ["NeedSource", "PlanItem", "PlanVersion", "TrainingPlan"]


class NeedSource(models.TextChoices):
    """Where the need a plan item answers comes from (TRN-1)."""

    APPRAISAL = "appraisal", _("Appraisal indicator")
    NEW_HIRES = "new_hires", _("New hires")
    POLICY = "policy", _("Policy change")
    CONDUCT = "conduct", _("Conduct code")
    COMPLAINTS = "complaints", _("Complaints")
    OTHER = "other", _("Other")


class TrainingPlan(models.Model):
    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000) & Q(year__lte=2100), name="training_plan_year_range"),
        ]

    def __str__(self):
        return f"{self.year} {self.title}"


class PlanVersion(models.Model):
    """One version of a plan. ``published_at`` empty: the draft (only version 1 may be one)."""

    plan = models.ForeignKey(TrainingPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    reason = models.TextField(_("reason for the adjustment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("in force since"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="training_plan_version_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="training_plan_version_positive"),
            # Only the first version is ever a draft; an adjustment is in force when it is made.
            models.CheckConstraint(
                condition=Q(number=1) | Q(published_at__isnull=False), name="training_plan_version_draft_first"
            ),
            models.CheckConstraint(
                condition=Q(number=1) | ~Q(reason=""), name="training_plan_version_adjustment_reason"
            ),
        ]

    def __str__(self):
        return f"{self.plan.year} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class PlanItem(Audience):
    version = models.ForeignKey(
        PlanVersion, verbose_name=_("plan version"), on_delete=models.CASCADE, related_name="items"
    )
    lineage = models.UUIDField(
        _("item"), default=uuid.uuid4, help_text=_("The same item across the plan's versions (TRN-1, TRN-3).")
    )
    title = models.CharField(_("title"), max_length=200)
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    month = models.PositiveSmallIntegerField(
        _("month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    topic_area = models.CharField(_("topic area"), max_length=20, choices=TopicArea.choices)
    delivery_mode = models.CharField(_("delivery mode"), max_length=10, choices=DeliveryMode.choices)
    planned_hours = models.DecimalField(
        _("planned hours"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    budget = models.DecimalField(
        _("budget"), max_digits=12, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    need = models.TextField(_("need it answers"), max_length=2000)
    need_source = models.CharField(_("need source"), max_length=12, choices=NeedSource.choices)
    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the course does not exist yet."),
    )
    indicator_code = models.CharField(
        _("related appraisal indicator"),
        max_length=40,
        blank=True,
        help_text=_("The indicator whose change the effect analysis follows (TRN-3)."),
    )

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["version", "quarter", "month", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "lineage"], name="training_plan_item_once_per_version"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="training_plan_item_quarter"),
            models.CheckConstraint(
                condition=Q(month__isnull=True)
                | (Q(month__gte=1, month__lte=3, quarter=1))
                | (Q(month__gte=4, month__lte=6, quarter=2))
                | (Q(month__gte=7, month__lte=9, quarter=3))
                | (Q(month__gte=10, month__lte=12, quarter=4)),
                name="training_plan_item_month_in_quarter",
            ),
            models.CheckConstraint(condition=Q(planned_hours__gt=0), name="training_plan_item_hours_positive"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="training_plan_item_budget_not_negative"),
        ]
        indexes = [models.Index(fields=["lineage"], name="training_plan_item_lineage_idx")]

    def __str__(self):
        return self.title
