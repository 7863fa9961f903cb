"""Mandatory courses and their reminders (TRN-1, TRN-3, SEC-3).

HR marks a course mandatory for an audience with a deadline: N days after hire (new hires, the
induction; by default the training policy's ``new_hire_days``), every year by a month-day (SEC-3's
data-security awareness course: every year for everyone), or a fixed date. Whether an employee has
satisfied it, is due or overdue is computed by ``training.rules.compliance`` from their passed
training records; the daily reminder job writes one :class:`TrainingReminder` per employee,
mandatory course, deadline and stage, so a rerun never sends a reminder twice.
"""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee
from training.models.audience import Audience
from training.models.courses import Course

__all__ = ["DeadlineKind", "MandatoryCourse", "ReminderStage", "TrainingReminder"]


class DeadlineKind(models.TextChoices):
    AFTER_HIRE = "after_hire", _("Days after hire")
    YEARLY = "yearly", _("Every year by a date")
    FIXED = "fixed", _("By a fixed date")


def _today() -> datetime.date:
    return timezone.localdate()


class MandatoryCourse(Audience):
    """A course an audience must pass by a deadline (TRN-1, TRN-3; SEC-3's yearly awareness course)."""

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="mandatory")
    deadline_kind = models.CharField(_("deadline"), max_length=12, choices=DeadlineKind.choices)
    days_after_hire = models.PositiveSmallIntegerField(
        _("days after hire"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Empty: the training policy's days for new hires (TRN-1)."),
    )
    yearly_month = models.PositiveSmallIntegerField(
        _("month of the yearly deadline"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    yearly_day = models.PositiveSmallIntegerField(
        _("day of the yearly deadline"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    fixed_date = models.DateField(_("fixed deadline"), null=True, blank=True)
    applies_from = models.DateField(
        _("applies from"),
        default=_today,
        help_text=_("For new hires: those hired on or after this date must take it (TRN-1)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("mandatory course")
        verbose_name_plural = _("mandatory courses")
        ordering = ["course__code", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(deadline_kind="yearly") | (Q(yearly_month__isnull=False) & Q(yearly_day__isnull=False)),
                name="training_mandatory_yearly_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(deadline_kind="fixed") | Q(fixed_date__isnull=False),
                name="training_mandatory_fixed_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.course.code} ({self.get_deadline_kind_display()})"


class ReminderStage(models.TextChoices):
    BEFORE = "before", _("Before the deadline")
    DUE = "due", _("On the deadline")
    OVERDUE = "overdue", _("After the deadline")


class TrainingReminder(models.Model):
    """One reminder sent: per employee, mandatory course, deadline and stage, once (TRN-3)."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    mandatory = models.ForeignKey(
        MandatoryCourse, verbose_name=_("mandatory course"), on_delete=models.CASCADE, related_name="reminders"
    )
    deadline = models.DateField(_("deadline"))
    stage = models.CharField(_("stage"), max_length=10, choices=ReminderStage.choices)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("training reminder")
        verbose_name_plural = _("training reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "mandatory", "deadline", "stage"], name="training_reminder_once_per_stage"
            ),
        ]
        indexes = [models.Index(fields=["mandatory", "deadline"], name="training_reminder_mc_idx")]

    def __str__(self):
        return f"{self.employee} · {self.mandatory_id} · {self.deadline} · {self.stage}"
