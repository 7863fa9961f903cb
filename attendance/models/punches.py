"""Time clocks and punches (ATT-2).

Invariants held by the database:
- one punch per idempotency key, and per (device, device's own punch id);
- punches are append-only (ATT-2): a PostgreSQL trigger refuses UPDATE/DELETE; a forgotten
  punch is fixed by an approved correction, which adds a new punch marked as such.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee

__all__ = ["Device", "Punch", "PunchSource"]


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
