"""Daily attendance, its policy and the monthly verification (ATT-2, ATT-4, ATT-5).

Invariants held by the database: one daily record per employee and day; one verification per
team and month, dated on the month's first day.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models.roster import ShiftType
from callcenter.models import Employee, Team, VersionedPolicy, register_policy

__all__ = ["AttendancePolicy", "DailyAttendance", "DayStatus", "MonthVerification"]


@register_policy
class AttendancePolicy(VersionedPolicy):
    """Lateness, early leave and absenteeism rules (ATT-4, ATT-5)."""

    description = _("Lateness, early leave and absenteeism rules (ATT-4, ATT-5).")

    late_grace_minutes = models.PositiveSmallIntegerField(
        _("grace period (minutes)"),
        default=0,
        validators=[MaxValueValidator(120)],
        help_text=_("Lateness or early leave up to this many minutes is not counted."),
    )
    late_minor_max_minutes = models.PositiveSmallIntegerField(
        _("minor lateness limit (minutes)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(480)],
        help_text=_("Late or early by at most this many minutes: a fine; more: half a day of absenteeism."),
    )
    late_fine_amount = models.DecimalField(
        _("fine per minor lateness (CNY)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    late_count_for_absence_day = models.PositiveSmallIntegerField(
        _("occurrences per month for one day of absenteeism"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("Every N-th lateness or early leave in a month counts as one more day of absenteeism."),
    )
    late_count_replaces_fines = models.BooleanField(
        _("the absenteeism day replaces the fines"),
        default=False,
        help_text=_("Off: the day of absenteeism comes in addition to the per-occurrence fines."),
    )
    absence_day_pay_multiple = models.DecimalField(
        _("deduction per absenteeism day (x daily pay)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    monthly_pay_days = models.DecimalField(
        _("pay days per month"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("21.75"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("Daily pay = monthly base pay / this number (China's statutory 21.75)."),
    )

    articles = {
        "late_grace_minutes": "ATT-4",
        "late_minor_max_minutes": "ATT-4",
        "late_fine_amount": "ATT-4",
        "late_count_for_absence_day": "ATT-4",
        "late_count_replaces_fines": "ATT-4",
        "absence_day_pay_multiple": "ATT-5",
        "monthly_pay_days": "ATT-5",
    }

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("attendance policy")
        verbose_name_plural = _("attendance policies")
        constraints = [
            models.CheckConstraint(condition=Q(late_minor_max_minutes__gte=1), name="att_policy_minor_max_positive"),
            models.CheckConstraint(condition=Q(late_fine_amount__gte=0), name="att_policy_fine_non_negative"),
            models.CheckConstraint(condition=Q(late_count_for_absence_day__gte=1), name="att_policy_count_positive"),
            models.CheckConstraint(
                condition=Q(absence_day_pay_multiple__gte=0), name="att_policy_multiple_non_negative"
            ),
            models.CheckConstraint(condition=Q(monthly_pay_days__gte=1), name="att_policy_pay_days_positive"),
        ]


class DayStatus(models.TextChoices):
    NORMAL = "normal", _("Normal")
    LATE = "late", _("Late")
    EARLY_LEAVE = "early_leave", _("Early leave")
    LATE_AND_EARLY = "late_and_early", _("Late and early leave")
    MISSING_PUNCH = "missing_punch", _("Missing punch")
    HALF_DAY_ABSENT = "half_day_absent", _("Half-day absenteeism")
    ABSENT = "absent", _("Absent (absenteeism)")
    ON_LEAVE = "on_leave", _("On leave")
    REST = "rest", _("Rest day")
    UNSCHEDULED = "unscheduled", _("Not scheduled")


class DailyAttendance(models.Model):
    """An employee's computed attendance for one day against the roster (nightly job).

    ``explanation`` lists the rules applied (article codes) and the punches used, so every
    consequence can be shown to the employee."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    work_date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=20, choices=DayStatus.choices)
    shift = models.ForeignKey(ShiftType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    scheduled_start = models.DateTimeField(null=True, blank=True)
    scheduled_end = models.DateTimeField(null=True, blank=True)
    first_in = models.DateTimeField(_("first punch"), null=True, blank=True)
    last_out = models.DateTimeField(_("last punch"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("late (minutes)"), default=0)
    early_minutes = models.PositiveIntegerField(_("early leave (minutes)"), default=0)
    scheduled_minutes = models.PositiveIntegerField(_("scheduled (minutes)"), default=0)
    worked_minutes = models.PositiveIntegerField(_("worked (minutes)"), default=0)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily attendance")
        verbose_name_plural = _("daily attendance")
        ordering = ["-work_date", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "work_date"], name="daily_one_record_per_employee_day"),
        ]
        indexes = [models.Index(fields=["work_date", "status"], name="daily_date_status_idx")]

    def __str__(self):
        return f"{self.employee_id} {self.work_date} {self.status}"


class MonthVerification(models.Model):
    """A supervisor's sign-off of the team's month (ATT-2 "定期检查和核对"); locks the month."""

    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("First day of the month."))
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("monthly verification")
        verbose_name_plural = _("monthly verifications")
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="verification_one_per_team_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="verification_month_first_day"),
        ]

    def __str__(self):
        return f"{self.team_id} {self.month:%Y-%m}"
