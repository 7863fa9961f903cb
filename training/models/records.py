"""Training records (TRN-3): every employee's completed (or failed) training, with its time,
content, hours, score and result; a passed record carries a certificate number.

Written only through ``training.services.training_record_write`` from the session (trainer's
attendance and score) and self-study (a submitted attempt) areas, and from HR's entry of an
external course. ``source_key`` names what produced the record (``session:<id>``,
``course:<id>:<year>`` …); the database keeps one record per employee and key, so a retake updates
it instead of adding a second.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee
from training.models.courses import Course
from training.models.sessions import TrainingSession

__all__ = ["RecordResult", "RecordSource", "TrainingRecord"]


class RecordSource(models.TextChoices):
    SESSION = "session", _("Session")
    ONLINE = "online", _("Online self-study")
    EXTERNAL = "external", _("External, entered by HR")


class RecordResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    ATTENDED = "attended", _("Attended, not assessed yet")
    ABSENT = "absent", _("Absent")


class TrainingRecord(models.Model):
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="records")
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=RecordSource.choices)
    source_key = models.CharField(_("source key"), max_length=60)
    completed_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=Decimal("0"))
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    pass_mark = models.DecimalField(_("pass mark"), max_digits=5, decimal_places=2, null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=RecordResult.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    certificate_no = models.CharField(_("certificate number"), max_length=30, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "source_key"], name="training_record_once_per_source"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="training_record_score_range",
            ),
            models.CheckConstraint(condition=Q(hours__gte=0), name="training_record_hours_not_negative"),
            models.CheckConstraint(
                condition=Q(certificate_no__isnull=True) | Q(result="passed"),
                name="training_record_certificate_only_passed",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "-completed_on"], name="training_record_emp_idx"),
            models.Index(fields=["course", "completed_on"], name="training_record_course_idx"),
            models.Index(fields=["completed_on"], name="training_record_date_idx"),
        ]

    def __str__(self):
        return f"{self.employee} · {self.course.code} · {self.completed_on}"
