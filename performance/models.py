"""Monthly performance appraisal and the bonus sheet (PRF-1..PRF-4).

- PRF-1: indicators in four groups; per post (岗位) a template of indicators whose weights sum
  to 100. An indicator is scored by people (self and superior, on its scale) or filled
  automatically from data (call-center metrics, attendance, complaint satisfaction).
- PRF-2: one cycle per month, opened at month end by a Celery job.
- PRF-3: self-evaluation → superior's evaluation → combined score (``self_weight`` /
  ``superior_weight`` of the policy) → feedback interview with an improvement plan.
- PRF-4: the bonus sheet: bonus base × the coefficient of the score band, minus that month's
  attendance fines and absenteeism deductions, plus rewards / minus fines.

Invariants held by the database:
- one appraisal per employee and month; one item per appraisal and indicator; scores within the
  item's scale; weights within 0..100 (their sum of 100 is checked by the service, under a lock);
- one metric row per employee and day (re-imports replace it); resolved calls ≤ answered calls;
- one bonus sheet version per month and number, and at most one current (not superseded) sheet
  per month; one line per sheet and employee.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from callcenter.models import BilingualNamed, Department, Employee, Position, Team, VersionedPolicy, register_policy

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


@register_policy
class AppraisalPolicy(VersionedPolicy):
    """The blanks of PRF-2..PRF-4: weights of the two evaluations, deadlines, score bands and
    their bonus coefficients, and how attendance turns into an indicator score."""

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


# --- Indicators and templates (PRF-1) --------------------------------------------------------


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
                condition=~Q(auto_source__in=["calls_answered", "resolution_rate", "avg_handle_time", "qa_accuracy"])
                | Q(target__isnull=False),
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


# --- Call-center metrics (PRF-1 work results) ------------------------------------------------


class MetricSource(models.TextChoices):
    CSV = "csv", _("CSV upload")
    API = "api", _("API push")


class MetricImport(models.Model):
    """One accepted import (a file or an API push): who, when, what it replaced."""

    source = models.CharField(_("source"), max_length=10, choices=MetricSource.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new days"), default=0)
    replaced = models.PositiveIntegerField(_("replaced days"), default=0)
    date_from = models.DateField(_("first day"), null=True, blank=True)
    date_to = models.DateField(_("last day"), null=True, blank=True)

    class Meta:
        verbose_name = _("metrics import")
        verbose_name_plural = _("metrics imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return f"{self.get_source_display()} {self.imported_at:%Y-%m-%d %H:%M}"


class AgentDailyMetric(models.Model):
    """One agent's day from the telephony/ACD system. Re-importing the day replaces the row."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    calls_answered = models.PositiveIntegerField(_("calls answered"))
    calls_resolved = models.PositiveIntegerField(_("calls resolved"))
    avg_handle_seconds = models.PositiveIntegerField(_("average handling time (seconds)"))
    qa_accuracy = models.DecimalField(
        _("business accuracy, QA (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    source_import = models.ForeignKey(
        MetricImport, verbose_name=_("import"), on_delete=models.PROTECT, related_name="metrics"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("agent daily metric")
        verbose_name_plural = _("agent daily metrics")
        ordering = ["-day", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "day"], name="agent_metric_one_per_day"),
            models.CheckConstraint(
                condition=Q(calls_resolved__lte=F("calls_answered")), name="agent_metric_resolved_le_answered"
            ),
            models.CheckConstraint(
                condition=Q(qa_accuracy__isnull=True) | (Q(qa_accuracy__gte=0) & Q(qa_accuracy__lte=100)),
                name="agent_metric_qa_percent",
            ),
        ]
        indexes = [models.Index(fields=["day", "employee"], name="agent_metric_day_idx")]

    def __str__(self):
        return f"{self.employee_id} {self.day}"


class TeamDailyCallVolume(models.Model):
    """Calls answered per team and day: a roll-up of ``AgentDailyMetric`` kept by the metrics
    import in the same transaction (``metric_call_volumes_rebuild``), so the complaint rate per
    1,000 calls (CMP-4) reads a few hundred rows a day instead of every agent's day. The team is
    the agent's team when the day was imported; agents without a team count under no team."""

    day = models.DateField(_("day"))
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    calls_answered = models.PositiveBigIntegerField(_("calls answered"))

    class Meta:
        verbose_name = _("team daily call volume")
        verbose_name_plural = _("team daily call volumes")
        ordering = ["-day", "team_id"]
        # One row per team and day, and one for the agents without a team (two partial unique
        # indexes: portable, where NULLS NOT DISTINCT is PostgreSQL-only).
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team"], condition=Q(team__isnull=False), name="team_call_volume_one_per_day"
            ),
            models.UniqueConstraint(
                fields=["day"], condition=Q(team__isnull=True), name="team_call_volume_one_teamless_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.team_id}: {self.calls_answered}"


# --- Cycles and appraisals (PRF-2, PRF-3) -----------------------------------------------------


class CycleStatus(models.TextChoices):
    OPENING = "opening", _("Opening")
    OPEN = "open", _("Open")
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


class AppraisalStatus(models.TextChoices):
    SELF = "self", _("Awaiting self-evaluation")
    SUPERIOR = "superior", _("Awaiting the superior's evaluation")
    INTERVIEW = "interview", _("Awaiting the feedback interview")
    COMPLETED = "completed", _("Completed")
    LOCKED = "locked", _("Locked")


class ScoreBand(models.TextChoices):
    """PRF-4 score bands (thresholds and coefficients from the policy)."""

    A = "A", _("A (excellent)")
    B = "B", _("B (good)")
    C = "C", _("C (fair)")
    D = "D", _("D (pass)")
    E = "E", _("E (below standard)")


class Appraisal(models.Model):
    """One employee's month. Org placement and the evaluator are copied at opening, so a later
    transfer does not move a past appraisal to another team."""

    cycle = models.ForeignKey(
        AppraisalCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="appraisals"
    )
    month = models.DateField(_("month"))
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.ForeignKey(Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="+")
    template = models.ForeignKey(
        AppraisalTemplate, verbose_name=_("template"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evaluator = models.ForeignKey(
        Employee,
        verbose_name=_("evaluating superior"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=AppraisalStatus.choices, default=AppraisalStatus.SELF)
    self_summary = models.TextField(_("self-evaluation summary"), blank=True)
    self_submitted_at = models.DateTimeField(_("self-evaluation submitted at"), null=True, blank=True)
    superior_summary = models.TextField(_("superior's summary"), blank=True)
    superior_submitted_at = models.DateTimeField(_("superior's evaluation submitted at"), null=True, blank=True)
    superior_by = models.ForeignKey(
        Employee, verbose_name=_("evaluated by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    self_score = models.DecimalField(_("self-evaluation score"), max_digits=5, decimal_places=2, null=True, blank=True)
    superior_score = models.DecimalField(_("superior's score"), max_digits=5, decimal_places=2, null=True, blank=True)
    auto_score = models.DecimalField(
        _("automatic indicators score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    total_score = models.DecimalField(_("combined score"), max_digits=5, decimal_places=2, null=True, blank=True)
    band = models.CharField(_("band"), max_length=1, choices=ScoreBand.choices, blank=True)
    explanation = models.JSONField(_("how the score was reached"), default=list, blank=True)
    returned_reason = models.TextField(_("sent back because"), blank=True)
    returned_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("appraisal")
        verbose_name_plural = _("appraisals")
        ordering = ["-month", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "month"], name="appraisal_one_per_employee_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="appraisal_month_first_day"),
            models.CheckConstraint(
                condition=Q(total_score__isnull=True) | (Q(total_score__gte=0) & Q(total_score__lte=100)),
                name="appraisal_total_score_range",
            ),
            models.CheckConstraint(
                condition=Q(status="locked", locked_at__isnull=False)
                | (~Q(status="locked") & Q(locked_at__isnull=True)),
                name="appraisal_locked_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["cycle", "team", "status"], name="appraisal_cycle_team_idx"),
            models.Index(fields=["evaluator", "status"], name="appraisal_evaluator_idx"),
        ]

    def __str__(self):
        return f"{self.employee_id} {self.month:%Y-%m}"

    @property
    def is_locked(self) -> bool:
        return self.status == AppraisalStatus.LOCKED


class AppraisalItem(models.Model):
    """One indicator of one appraisal, copied from the template at opening (weight, scale)."""

    appraisal = models.ForeignKey(
        Appraisal, verbose_name=_("appraisal"), on_delete=models.CASCADE, related_name="items"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("group"), max_length=20, choices=IndicatorGroup.choices)
    method = models.CharField(_("scoring"), max_length=20, choices=ScoringMethod.choices)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    scale_max = models.PositiveSmallIntegerField(_("scale (0 to)"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    self_score = models.DecimalField(_("self score"), max_digits=6, decimal_places=2, null=True, blank=True)
    self_comment = models.TextField(_("self comment"), blank=True)
    superior_score = models.DecimalField(_("superior's score"), max_digits=6, decimal_places=2, null=True, blank=True)
    superior_comment = models.TextField(_("superior's comment"), blank=True)
    auto_value = models.DecimalField(_("measured value"), max_digits=12, decimal_places=2, null=True, blank=True)
    auto_score = models.DecimalField(_("automatic score"), max_digits=5, decimal_places=2, null=True, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)

    class Meta:
        verbose_name = _("appraisal item")
        verbose_name_plural = _("appraisal items")
        ordering = ["appraisal", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appraisal", "indicator"], name="appraisal_item_unique"),
            models.CheckConstraint(
                condition=Q(self_score__isnull=True) | (Q(self_score__gte=0) & Q(self_score__lte=F("scale_max"))),
                name="appraisal_item_self_score_range",
            ),
            models.CheckConstraint(
                condition=Q(superior_score__isnull=True)
                | (Q(superior_score__gte=0) & Q(superior_score__lte=F("scale_max"))),
                name="appraisal_item_superior_score_range",
            ),
            models.CheckConstraint(
                condition=Q(auto_score__isnull=True) | (Q(auto_score__gte=0) & Q(auto_score__lte=100)),
                name="appraisal_item_auto_score_range",
            ),
        ]

    def __str__(self):
        return f"{self.appraisal_id}: {self.indicator_id}"


class FeedbackInterview(models.Model):
    """The superior's talk with the employee after the evaluation (PRF-3)."""

    appraisal = models.OneToOneField(
        Appraisal, verbose_name=_("appraisal"), on_delete=models.PROTECT, related_name="interview"
    )
    held_on = models.DateField(_("held on"))
    strengths = models.TextField(_("strengths"))
    problems = models.TextField(_("problems"))
    employee_comment = models.TextField(_("employee's comment"), blank=True)
    recorded_by = models.ForeignKey(Employee, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback interview")
        verbose_name_plural = _("feedback interviews")

    def __str__(self):
        return f"{self.appraisal_id} {self.held_on}"


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ImprovementAction(models.Model):
    """One agreed action of the improvement plan (PRF-3); open actions show again in the next
    month's appraisal until they are reviewed."""

    appraisal = models.ForeignKey(
        Appraisal, verbose_name=_("agreed in appraisal"), on_delete=models.PROTECT, related_name="actions"
    )
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    action = models.TextField(_("action"))
    owner = models.ForeignKey(Employee, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_in = models.ForeignKey(
        Appraisal,
        verbose_name=_("reviewed in appraisal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewed_actions",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["employee", "status"], name="improvement_employee_idx")]

    def __str__(self):
        return f"{self.employee_id}: {self.action[:40]}"


# --- Bonus sheet (PRF-4) ----------------------------------------------------------------------


class BonusSheetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved and locked")
    SUPERSEDED = "superseded", _("Superseded by a correction")


class BonusSheet(models.Model):
    """One version of a month's bonus sheet. Approved = locked; a correction is a new version and
    the old one is kept, marked superseded."""

    month = models.DateField(_("month"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=BonusSheetStatus.choices, default=BonusSheetStatus.DRAFT
    )
    cycle = models.ForeignKey(
        AppraisalCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="bonus_sheets"
    )
    policy = models.ForeignKey(
        AppraisalPolicy,
        verbose_name=_("policy version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    policy_snapshot = models.JSONField(_("policy in force"), default=dict, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"), default=0)
    total_base = models.DecimalField(_("total bonus base"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    total_amount = models.DecimalField(_("total payable"), max_digits=14, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        verbose_name = _("bonus sheet")
        verbose_name_plural = _("bonus sheets")
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="bonus_sheet_month_version"),
            models.UniqueConstraint(
                fields=["month"], condition=~Q(status="superseded"), name="bonus_sheet_one_current_per_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="bonus_sheet_month_first_day"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="bonus_sheet_approved_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status != BonusSheetStatus.DRAFT


class BonusLine(models.Model):
    """One employee's line. Names are copied so an approved sheet reads the same years later."""

    sheet = models.ForeignKey(BonusSheet, verbose_name=_("bonus sheet"), on_delete=models.CASCADE, related_name="lines")
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    appraisal = models.ForeignKey(
        Appraisal, verbose_name=_("appraisal"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employee_no = models.CharField(_("employee number"), max_length=20)
    employee_name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    department_name = models.CharField(_("department"), max_length=100)
    team_name = models.CharField(_("team"), max_length=100, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    band = models.CharField(_("band"), max_length=1, choices=ScoreBand.choices, blank=True)
    coefficient = models.DecimalField(_("coefficient"), max_digits=4, decimal_places=2)
    bonus_base = models.DecimalField(_("bonus base"), max_digits=10, decimal_places=2)
    performance_amount = models.DecimalField(_("performance bonus"), max_digits=12, decimal_places=2)
    attendance_fines = models.DecimalField(_("attendance fines"), max_digits=10, decimal_places=2, default=Decimal("0"))
    absenteeism_deduction = models.DecimalField(
        _("absenteeism deduction"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    rewards = models.DecimalField(_("rewards"), max_digits=10, decimal_places=2, default=Decimal("0"))
    penalties = models.DecimalField(_("fines (discipline)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("payable"), max_digits=12, decimal_places=2)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)

    class Meta:
        verbose_name = _("bonus line")
        verbose_name_plural = _("bonus lines")
        ordering = ["sheet", "department_name", "employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "employee"], name="bonus_line_one_per_employee"),
            models.CheckConstraint(
                condition=Q(bonus_base__gte=0)
                & Q(coefficient__gte=0)
                & Q(attendance_fines__gte=0)
                & Q(absenteeism_deduction__gte=0)
                & Q(rewards__gte=0)
                & Q(penalties__gte=0),
                name="bonus_line_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    total=F("performance_amount")
                    - F("attendance_fines")
                    - F("absenteeism_deduction")
                    + F("rewards")
                    - F("penalties")
                ),
                name="bonus_line_total_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.sheet_id}: {self.employee_no} {self.total}"


class FileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class FileStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class BonusSheetFile(models.Model):
    """A generated export of a bonus sheet, kept with its checksum (served to HR and leaders)."""

    sheet = models.ForeignKey(BonusSheet, verbose_name=_("bonus sheet"), on_delete=models.PROTECT, related_name="files")
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=FileStatus.choices, default=FileStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    stored_name = models.CharField(_("stored file"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bonus sheet file")
        verbose_name_plural = _("bonus sheet files")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="bonus_file_progress_percent"),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(sha256="") & ~Q(stored_name="")),
                name="bonus_file_done_has_checksum",
            ),
        ]

    def __str__(self):
        return f"{self.sheet_id} {self.file_format} {self.status}"
