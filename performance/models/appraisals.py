"""One employee's month (PRF-3): the appraisal, its items, the feedback interview and the
improvement actions.

Invariants held by the database: one appraisal per employee and month; one item per appraisal and
indicator; scores within the item's scale; a locked appraisal has its lock time (and a trigger,
migration 0004, refuses any change of a locked appraisal or its items).
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter.models import Department, Employee, Position, Team
from performance.models.cycles import AppraisalCycle
from performance.models.setup import AppraisalTemplate, Indicator, IndicatorGroup, ScoringMethod

__all__ = [
    "ActionStatus",
    "Appraisal",
    "AppraisalItem",
    "AppraisalStatus",
    "FeedbackInterview",
    "ImprovementAction",
    "ScoreBand",
]


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
    OPEN = "open", pgettext_lazy("improvement action status", "Open")
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
