"""The appraisal policy and the monthly cycle (PRF-2).

The policy (a versioned policy, ``/policies/``) holds the blanks of PRF-2..PRF-4; a cycle keeps a
snapshot of the policy in force at its month end, so a later change never rewrites a month (the
cycle's opening, refresh and reminders read it, and so do the appraisals' scores and the bonus
sheet, which takes its own snapshot).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter.models import VersionedPolicy, register_policy
from performance.models.setup import PERCENT_VALIDATORS

__all__ = ["AppraisalCycle", "AppraisalPolicy", "CycleStatus"]


@register_policy
class AppraisalPolicy(VersionedPolicy):
    """The blanks of PRF-2..PRF-4: weights of the two evaluations, deadlines, score bands and
    their bonus coefficients, and how attendance turns into an indicator score."""

    description = _(
        "The blanks of PRF-2..PRF-4: weights of the two evaluations, deadlines, score bands and their "
        "bonus coefficients, and how attendance turns into an indicator score."
    )

    self_weight = models.PositiveSmallIntegerField(
        _("self-evaluation weight (%)"), default=30, validators=[MaxValueValidator(100)]
    )
    superior_weight = models.PositiveSmallIntegerField(
        _("superior's evaluation weight (%)"), default=70, validators=[MaxValueValidator(100)]
    )
    self_evaluation_days = models.PositiveSmallIntegerField(
        _("self-evaluation due (days after month end)"), default=5, validators=[MinValueValidator(1)]
    )
    superior_evaluation_days = models.PositiveSmallIntegerField(
        _("superior's evaluation due (days after month end)"), default=10, validators=[MinValueValidator(1)]
    )
    reminder_days_before = models.PositiveSmallIntegerField(_("remind this many days before a deadline"), default=2)
    band_excellent_min = models.DecimalField(
        _("band A from score"), max_digits=5, decimal_places=2, default=Decimal("90"), validators=PERCENT_VALIDATORS
    )
    band_excellent_coefficient = models.DecimalField(
        _("band A bonus coefficient"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.20"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    band_good_min = models.DecimalField(
        _("band B from score"), max_digits=5, decimal_places=2, default=Decimal("80"), validators=PERCENT_VALIDATORS
    )
    band_good_coefficient = models.DecimalField(
        _("band B bonus coefficient"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    band_fair_min = models.DecimalField(
        _("band C from score"), max_digits=5, decimal_places=2, default=Decimal("70"), validators=PERCENT_VALIDATORS
    )
    band_fair_coefficient = models.DecimalField(
        _("band C bonus coefficient"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    band_pass_min = models.DecimalField(
        _("band D from score"), max_digits=5, decimal_places=2, default=Decimal("60"), validators=PERCENT_VALIDATORS
    )
    band_pass_coefficient = models.DecimalField(
        _("band D bonus coefficient"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    band_fail_coefficient = models.DecimalField(
        _("below band D: bonus coefficient"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    attendance_points_per_lateness = models.DecimalField(
        _("attendance indicator: points off per lateness or early leave"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=PERCENT_VALIDATORS,
    )
    attendance_points_per_absence_day = models.DecimalField(
        _("attendance indicator: points off per day of absenteeism"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("20"),
        validators=PERCENT_VALIDATORS,
    )

    articles = {
        "self_weight": "PRF-3",
        "superior_weight": "PRF-3",
        "self_evaluation_days": "PRF-2",
        "superior_evaluation_days": "PRF-2",
        "reminder_days_before": "PRF-2",
        "band_excellent_min": "PRF-4",
        "band_excellent_coefficient": "PRF-4",
        "band_good_min": "PRF-4",
        "band_good_coefficient": "PRF-4",
        "band_fair_min": "PRF-4",
        "band_fair_coefficient": "PRF-4",
        "band_pass_min": "PRF-4",
        "band_pass_coefficient": "PRF-4",
        "band_fail_coefficient": "PRF-4",
        "attendance_points_per_lateness": "PRF-1",
        "attendance_points_per_absence_day": "PRF-1",
    }

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("appraisal policy")
        verbose_name_plural = _("appraisal policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(self_weight__lte=100) & Q(superior_weight=100 - F("self_weight")),
                name="appraisal_policy_weights_sum_100",
                violation_error_message=_("The self-evaluation and superior's weights must add up to 100 (PRF-3)."),
            ),
            models.CheckConstraint(
                condition=Q(superior_evaluation_days__gte=F("self_evaluation_days")),
                name="appraisal_policy_superior_after_self",
                violation_error_message=_(
                    "The superior's evaluation cannot be due before the self-evaluation (PRF-3)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(band_excellent_min__gt=F("band_good_min"))
                & Q(band_good_min__gt=F("band_fair_min"))
                & Q(band_fair_min__gt=F("band_pass_min")),
                name="appraisal_policy_bands_descending",
                violation_error_message=_("Score bands must go down from A to D (PRF-4)."),
            ),
        ]


class CycleStatus(models.TextChoices):
    OPENING = "opening", _("Opening")
    OPEN = "open", pgettext_lazy("appraisal cycle status", "Open")
    LOCKED = "locked", _("Locked")


class AppraisalCycle(models.Model):
    """One month's appraisal round (PRF-2). Opened by the month-end job; HR locks it."""

    month = models.DateField(_("month"), unique=True, help_text=_("First day of the month appraised."))
    status = models.CharField(_("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.OPENING)
    policy = models.ForeignKey(
        AppraisalPolicy,
        verbose_name=_("policy version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the regulation's defaults were in force."),
    )
    policy_snapshot = models.JSONField(_("policy in force"), default=dict, blank=True)
    self_deadline = models.DateField(_("self-evaluation due"))
    superior_deadline = models.DateField(_("superior's evaluation due"))
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: opened by the month-end job."),
    )
    employees_expected = models.PositiveIntegerField(_("employees to appraise"), default=0)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # HR's "refresh automatic indicators" runs in the worker: queued → done, with its counts.
    refresh_queued_at = models.DateTimeField(_("refresh queued at"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("automatic indicators refreshed at"), null=True, blank=True)
    refresh_counts = models.JSONField(_("last refresh"), default=dict, blank=True)

    class Meta:
        verbose_name = _("appraisal cycle")
        verbose_name_plural = _("appraisal cycles")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="appraisal_cycle_month_first_day"),
            models.CheckConstraint(
                condition=Q(status="locked", locked_at__isnull=False)
                | (~Q(status="locked") & Q(locked_at__isnull=True)),
                name="appraisal_cycle_locked_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}"

    @property
    def refresh_pending(self) -> bool:
        """A refresh was queued and has not finished since."""
        return self.refresh_queued_at is not None and (
            self.refreshed_at is None or self.refreshed_at < self.refresh_queued_at
        )
