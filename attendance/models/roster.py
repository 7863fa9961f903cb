"""Shift types and the roster (ATT-1).

Invariants held by the database: one roster entry per employee and day; a work day has a shift,
a rest day or holiday has none.
"""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee

__all__ = ["DayKind", "OffPhoneActivity", "OffPhoneKind", "RosterEntry", "ShiftType"]


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


# --- Off-phone activities (issue 16, sessions part) --------------------------------------------------


class OffPhoneKind(models.TextChoices):
    """Why a rostered employee is off the phone for a while; the label is the board's state."""

    TRAINING = "training", _("In training")
    MEETING = "meeting", _("In a meeting")
    COACHING = "coaching", _("In coaching")


class OffPhoneActivity(models.Model):
    """Rostered time spent off the phone on the company's business (training, meetings,
    coaching): the live board shows the employee as in that activity, not absent or late, and the
    day's result does not count lateness for a shift start inside it (ATT-1, ATT-4).

    Written by other apps through ``attendance.services.off_phone_activity_set`` / ``_clear``;
    ``source_key`` (one per employee) names what set it (``training:session:<id>``), so its owner
    can replace or remove its own without knowing about the others'.
    """

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    kind = models.CharField(_("kind"), max_length=10, choices=OffPhoneKind.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    source_key = models.CharField(_("source key"), max_length=60)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("off-phone activity")
        verbose_name_plural = _("off-phone activities")
        ordering = ["starts_at", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "source_key"], name="off_phone_once_per_source"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="off_phone_ends_after_start"),
        ]
        indexes = [models.Index(fields=["employee", "starts_at"], name="off_phone_employee_start_idx")]

    def __str__(self):
        return f"{self.employee_id} {self.kind} {self.starts_at:%Y-%m-%d %H:%M}"
