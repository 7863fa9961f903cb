"""Courses (TRN-1, TRN-2): what is taught, how, and how long it takes; the training policy.

A course is the unit every other area points at: plan items plan it, sessions deliver it
(internal trainer or external provider), self-study serves its material and question bank, records
remember who completed it and with which score.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import VersionedPolicy, register_policy

__all__ = ["Course", "DeliveryMode", "TopicArea", "TrainingPolicy"]


class TopicArea(models.TextChoices):
    """TRN-1's four areas, and data security for SEC-3's awareness course."""

    BUSINESS = "business", _("Business knowledge")
    COMMUNICATION = "communication", _("Communication skills")
    SERVICE = "service", _("Service norms")
    SYSTEMS = "systems", _("System operation")
    SECURITY = "security", _("Data security")


class DeliveryMode(models.TextChoices):
    """TRN-2's three ways of delivering a course."""

    INTERNAL = "internal", _("Internal trainer")
    EXTERNAL = "external", _("External provider")
    ONLINE = "online", _("Online self-study")


@register_policy
class TrainingPolicy(VersionedPolicy):
    """Defaults for new courses and the training indicator of the appraisal (TRN-2, TRN-3)."""

    description = _("Defaults for new courses, and how training counts in the monthly appraisal (TRN-2, TRN-3).")

    default_pass_mark = models.DecimalField(
        _("default pass mark"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("A score at or above this passes a course's assessment, unless the course sets its own."),
    )
    default_max_attempts = models.PositiveSmallIntegerField(
        _("default number of attempts"), default=3, validators=[MinValueValidator(1)]
    )
    default_time_limit_minutes = models.PositiveSmallIntegerField(
        _("default time limit of an online assessment (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    new_hire_days = models.PositiveSmallIntegerField(
        _("new hires complete their induction within (days)"), default=30, validators=[MinValueValidator(1)]
    )
    missed_mandatory_deduction = models.DecimalField(
        _("appraisal deduction for a mandatory course missed by its deadline (points)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("remind learners this many days before a deadline"), default=7, validators=[MinValueValidator(1)]
    )

    articles = {
        "default_pass_mark": "TRN-2",
        "default_max_attempts": "TRN-2",
        "default_time_limit_minutes": "TRN-2",
        "new_hire_days": "TRN-1",
        "missed_mandatory_deduction": "TRN-3",
        "reminder_days_before": "TRN-2",
    }

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("training policy")
        verbose_name_plural = _("training policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(default_pass_mark__gte=0) & Q(default_pass_mark__lte=100),
                name="training_policy_pass_mark_range",
            ),
            models.CheckConstraint(
                condition=Q(missed_mandatory_deduction__gte=0) & Q(missed_mandatory_deduction__lte=100),
                name="training_policy_deduction_range",
            ),
        ]


class Course(models.Model):
    """One course: taught by an internal trainer, an external provider, or online (self-study).

    ``pass_mark``, ``max_attempts`` and ``time_limit_minutes`` govern its assessment (TRN-2);
    ``question_count`` is how many questions an online attempt draws from its bank.
    """

    code = models.SlugField(_("code"), max_length=30, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    topic_area = models.CharField(_("topic area"), max_length=20, choices=TopicArea.choices)
    delivery_mode = models.CharField(_("delivery mode"), max_length=10, choices=DeliveryMode.choices)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.5"))]
    )
    provider = models.CharField(_("external provider"), max_length=200, blank=True)
    pass_mark = models.DecimalField(
        _("pass mark"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    max_attempts = models.PositiveSmallIntegerField(_("attempts allowed"), default=3, validators=[MinValueValidator(1)])
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"), default=30, validators=[MinValueValidator(1)]
    )
    question_count = models.PositiveSmallIntegerField(
        _("questions per attempt"), default=10, validators=[MinValueValidator(1)]
    )
    open_enrolment = models.BooleanField(
        _("open for self-enrolment"), default=False, help_text=_("Employees may enrol themselves in its sessions.")
    )
    induction = models.BooleanField(
        _("part of the new-hire induction"),
        default=False,
        help_text=_("New hires complete it within the policy's days."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_course_hours_positive"),
            models.CheckConstraint(
                condition=Q(pass_mark__gte=0) & Q(pass_mark__lte=100), name="training_course_pass_mark_range"
            ),
            models.CheckConstraint(condition=Q(max_attempts__gte=1), name="training_course_attempts_positive"),
            models.CheckConstraint(condition=Q(time_limit_minutes__gte=1), name="training_course_time_limit_positive"),
            models.CheckConstraint(condition=Q(question_count__gte=1), name="training_course_questions_positive"),
        ]
        indexes = [models.Index(fields=["active", "topic_area"], name="training_course_active_idx")]

    def __str__(self):
        return f"{self.code} {self.title}"
