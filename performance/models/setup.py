"""Indicators and the per-post templates (PRF-1).

An indicator belongs to one of the four groups of PRF-1 and is scored by people (self and
superior, on its scale) or filled automatically from data (call-center metrics, attendance,
complaint satisfaction). A post (岗位) has one active template of indicators whose weights sum to
100 (the sum is checked by the service, under a lock; each weight is within 0..100 in the database).
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from callcenter.models import BilingualNamed, Position

__all__ = [
    "METRIC_SOURCES",
    "PERCENT_VALIDATORS",
    "AppraisalTemplate",
    "AutoSource",
    "Indicator",
    "IndicatorGroup",
    "ScoringMethod",
    "TemplateIndicator",
]

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class IndicatorGroup(models.TextChoices):
    """The four groups of PRF-1."""

    RESULTS = "results", _("Work results")
    ATTITUDE = "attitude", _("Work attitude")
    TEAMWORK = "teamwork", _("Teamwork")
    SATISFACTION = "satisfaction", _("Customer satisfaction")


class ScoringMethod(models.TextChoices):
    MANUAL = "manual", _("Scored by people (self and superior)")
    AUTOMATIC = "automatic", _("Filled automatically from data")


class AutoSource(models.TextChoices):
    """Where an automatic indicator's value comes from, and how it becomes a score (rules.py)."""

    CALLS_ANSWERED = "calls_answered", _("Calls answered (metrics import)")
    RESOLUTION_RATE = "resolution_rate", _("Share of calls resolved (metrics import)")
    AVG_HANDLE_TIME = "avg_handle_time", _("Average handling time (metrics import)")
    QA_ACCURACY = "qa_accuracy", _("Business accuracy, QA (metrics import)")
    ATTENDANCE = "attendance", _("Attendance: lateness and absenteeism")
    COMPLAINT_SATISFACTION = "complaint_satisfaction", _("Complaint follow-up satisfaction")
    # Issue 16 (TRN-3): read from training.selectors.training_indicator_inputs.
    TRAINING = "training", _("Training: the month's assessment scores, minus missed mandatory courses")


# Automatic sources read from the metrics import: they need a target (the value that earns 100 points).
METRIC_SOURCES = (
    AutoSource.CALLS_ANSWERED,
    AutoSource.RESOLUTION_RATE,
    AutoSource.AVG_HANDLE_TIME,
    AutoSource.QA_ACCURACY,
)


class Indicator(BilingualNamed, models.Model):
    code = models.CharField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9_]+$", _("Use lowercase letters, digits and underscores."))],
    )
    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("how it is scored (Chinese)"), blank=True)
    description_en = models.TextField(_("how it is scored (English)"), blank=True)
    group = models.CharField(_("group"), max_length=20, choices=IndicatorGroup.choices)
    method = models.CharField(_("scoring"), max_length=20, choices=ScoringMethod.choices)
    scale_max = models.PositiveSmallIntegerField(
        _("scale (0 to)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("People score on 0..this value; it is converted to 0..100 for the weighted total."),
    )
    auto_source = models.CharField(_("data source"), max_length=30, choices=AutoSource.choices, blank=True)
    target = models.DecimalField(
        _("target"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "Automatic indicators from metrics: the value that earns 100 points (e.g. 1,500 calls a month, "
            "90% resolved, 300 seconds handling time, 98% QA accuracy)."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["group", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(method="manual") & Q(auto_source="")) | (Q(method="automatic") & ~Q(auto_source="")),
                name="indicator_source_matches_method",
                violation_error_message=_("An automatic indicator needs a data source; a manual one has none."),
            ),
            models.CheckConstraint(
                condition=~Q(auto_source__in=[str(source) for source in METRIC_SOURCES]) | Q(target__isnull=False),
                name="indicator_metric_has_target",
                violation_error_message=_("An indicator read from the metrics import needs a target."),
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.code})"

    @property
    def display_description(self) -> str:
        """How it is scored in the reader's language (Chinese when there is no English text)."""
        lang = translation.get_language() or ""
        return self.description if lang.startswith("zh") or not self.description_en else self.description_en


class AppraisalTemplate(models.Model):
    """The indicators of one post (岗位) with their weights (PRF-1). One active template per post;
    changing it affects cycles opened afterwards (open appraisals keep their own copy)."""

    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="appraisal_templates"
    )
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("appraisal template")
        verbose_name_plural = _("appraisal templates")
        ordering = ["position__code", "-active", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["position"], condition=Q(active=True), name="appraisal_template_one_active_per_position"
            ),
        ]

    def __str__(self):
        return self.name


class TemplateIndicator(models.Model):
    template = models.ForeignKey(
        AppraisalTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("template indicator")
        verbose_name_plural = _("template indicators")
        ordering = ["template", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "indicator"], name="template_indicator_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0) & Q(weight__lte=100), name="template_weight_range"),
        ]

    def __str__(self):
        return f"{self.template_id}: {self.indicator_id} {self.weight}%"
