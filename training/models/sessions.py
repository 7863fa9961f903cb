"""Delivery (TRN-2): sessions of a course at a time and a place (or an online link), given by an
in-house trainer or an external provider; who is enrolled, whether they came, their score, and
what they thought of it.

Invariants held by the database: a session ends after it starts; capacity ≥ 1; one enrolment per
session and employee; a score is 0..100; one satisfaction answer per enrolment, 1..5.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee
from training.models.courses import Course

__all__ = [
    "AttendanceMark",
    "Enrolment",
    "EnrolmentStatus",
    "SatisfactionResponse",
    "SessionStatus",
    "TrainingSession",
]


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class TrainingSession(models.Model):
    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), max_length=500, blank=True)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The in-house trainer who takes the attendance and enters the scores."),
    )
    provider = models.CharField(_("external provider"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="training_session_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="training_session_capacity_positive"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="training_session_start_idx")]

    def __str__(self):
        return f"{self.course.code} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Enrolled")
    CANCELLED = "cancelled", _("Cancelled")


class AttendanceMark(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")


class Enrolment(models.Model):
    session = models.ForeignKey(
        TrainingSession, verbose_name=_("session"), on_delete=models.PROTECT, related_name="enrolments"
    )
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("enrolled by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    # The roster shift the session overlaps, as the enrolling person saw it (TRN-2: the supervisor
    # sees the clash before confirming); empty when there was none.
    roster_clash = models.CharField(_("roster clash"), max_length=200, blank=True)
    attendance = models.CharField(_("attendance"), max_length=10, choices=AttendanceMark.choices, blank=True)
    attendance_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendance taken by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["session", "employee__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["session", "employee"], name="training_enrolment_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="training_enrolment_score_range",
            ),
        ]
        indexes = [models.Index(fields=["employee", "status"], name="training_enrolment_emp_idx")]

    def __str__(self):
        return f"{self.session} · {self.employee}"


class SatisfactionResponse(models.Model):
    """A participant's short survey after a session (TRN-2): 1..5 and a comment."""

    enrolment = models.OneToOneField(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="satisfaction"
    )
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="training_satisfaction_rating_range"
            ),
        ]

    def __str__(self):
        return f"{self.enrolment} · {self.rating}"
