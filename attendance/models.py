"""Attendance (ATT-1, ATT-2, ATT-4, ATT-5): shifts, rosters, punches, corrections, daily records.

Invariants held by the database:
- one roster entry per employee and day; one daily record per employee and day;
- one punch per idempotency key, and per (device, device's own punch id);
- punches are append-only (ATT-2): a PostgreSQL trigger refuses UPDATE/DELETE; a forgotten
  punch is fixed by an approved correction, which adds a new punch marked as such.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee, Team, VersionedPolicy, register_policy


@register_policy
class AttendancePolicy(VersionedPolicy):
    """Lateness, early leave and absenteeism rules (ATT-4, ATT-5)."""

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


class ShiftType(models.Model):
    """A shift (ATT-1). ``end_time`` <= ``start_time`` means it ends the next day (overnight);
    an overnight shift belongs to the day it starts."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), default=0)
    min_staff = models.PositiveSmallIntegerField(
        _("minimum staffing per team"),
        default=0,
        help_text=_("Approving leave that leaves a team with fewer people on this shift shows a warning (0: none)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shift type")
        verbose_name_plural = _("shift types")
        ordering = ["start_time", "code"]

    def __str__(self):
        return f"{self.name} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def overnight(self) -> bool:
        return self.end_time <= self.start_time

    @property
    def duration_minutes(self) -> int:
        start = self.start_time.hour * 60 + self.start_time.minute
        end = self.end_time.hour * 60 + self.end_time.minute
        if end <= start:
            end += 24 * 60
        return end - start

    @property
    def paid_minutes(self) -> int:
        return max(0, self.duration_minutes - self.break_minutes)


class DayKind(models.TextChoices):
    WORK = "work", _("Work")
    REST = "rest", _("Rest day")
    HOLIDAY = "holiday", _("Statutory holiday")


class RosterEntry(models.Model):
    """The scheduled shift of one employee on one day, or a rest day / holiday (ATT-1)."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    work_date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices, default=DayKind.WORK)
    shift = models.ForeignKey(
        ShiftType, verbose_name=_("shift"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["work_date", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "work_date"], name="roster_one_entry_per_employee_day"),
            models.CheckConstraint(
                condition=Q(kind="work", shift__isnull=False) | (~Q(kind="work") & Q(shift__isnull=True)),
                name="roster_work_days_have_a_shift",
            ),
        ]
        indexes = [models.Index(fields=["work_date", "employee"], name="roster_date_employee_idx")]

    def __str__(self):
        return f"{self.employee_id} {self.work_date} {self.kind}"


class Device(models.Model):
    """A time clock or kiosk that pushes punches through the API with its token (ATT-2)."""

    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("time clock")
        verbose_name_plural = _("time clocks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PunchSource(models.TextChoices):
    WEB = "web", _("Web / phone")
    DEVICE = "device", _("Time clock")
    CORRECTION = "correction", _("Approved correction")


class Punch(models.Model):
    """One clock-in/out record. Append-only (ATT-2). ``punched_at`` comes from the server (or an
    authenticated device), never from a form."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    punched_at = models.DateTimeField(_("time"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    source = models.CharField(_("source"), max_length=12, choices=PunchSource.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    device = models.ForeignKey(
        Device, verbose_name=_("time clock"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    device_punch_id = models.CharField(_("device punch id"), max_length=100, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    correction = models.OneToOneField(
        "PunchCorrection", on_delete=models.PROTECT, null=True, blank=True, related_name="punch"
    )

    class Meta:
        verbose_name = _("punch")
        verbose_name_plural = _("punches")
        ordering = ["-punched_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "device_punch_id"],
                condition=Q(device__isnull=False),
                name="punch_one_per_device_punch_id",
            ),
            models.CheckConstraint(
                condition=Q(source="device", device__isnull=False) | (~Q(source="device") & Q(device__isnull=True)),
                name="punch_device_source_has_device",
            ),
            models.CheckConstraint(
                condition=Q(source="correction", correction__isnull=False)
                | (~Q(source="correction") & Q(correction__isnull=True)),
                name="punch_correction_source_has_correction",
            ),
        ]
        indexes = [models.Index(fields=["employee", "punched_at"], name="punch_employee_time_idx")]

    def __str__(self):
        return f"{self.employee_id} {self.punched_at:%Y-%m-%d %H:%M:%S} {self.source}"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class PunchCorrection(models.Model):
    """A request to add a forgotten punch (补卡), decided by the supervisor (ATT-2)."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    work_date = models.DateField(_("date"))
    requested_time = models.DateTimeField(_("requested punch time"))
    reason = models.TextField(_("reason"), max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("punch correction")
        verbose_name_plural = _("punch corrections")
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True) | ~Q(status="pending"),
                name="correction_pending_is_undecided",
            ),
        ]
        indexes = [models.Index(fields=["status", "employee"], name="correction_status_emp_idx")]

    def __str__(self):
        return f"{self.employee_id} {self.work_date} {self.status}"


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


# Leave (ATT-3, LV-*) lives in its own module; imported here so Django registers the models.
from attendance.leave_models import *  # noqa: E402, F403
