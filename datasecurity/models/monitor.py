"""Security monitoring (SEC-3): the auditor's security page reads maintained aggregates, never
the whole trail.

- :class:`SecurityMonitorState` (one row) is the job's watermark: the last audit event it read;
- :class:`SecurityWatchedEvent` is one row per watched audit event (failed sign-ins, denials,
  exports, contact reveals, policy changes, sign-ins), with its category, actor, local hour and
  sensitive records: the page's lists read it by category through small indexes;
- :class:`SecurityHourlyCount` is the count per hour and category (the charts and totals);
- :class:`SecurityAlert` is an unusual bulk read (more sensitive records in a clock hour than
  ``bulk_read_alert_per_hour``), one per user and hour, acknowledged by an auditor with a note.

All are written by the job only (``security_monitor_scan``), incrementally by event id, so their
totals equal counting the events themselves (``datasecurity/tests/test_monitor_scan.py``).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter.models import VersionedPolicy, register_policy

__all__ = [
    "SecurityAlert",
    "SecurityAlertKind",
    "SecurityAlertState",
    "SecurityHourlyCount",
    "SecurityMonitorState",
    "SecurityMonitoringPolicy",
    "SecurityWatchedEvent",
]


@register_policy
class SecurityMonitoringPolicy(VersionedPolicy):
    """What the security page calls unusual (SEC-3)."""

    description = _(
        "What the security page calls unusual (SEC-3): bulk reads of sensitive records, working hours, "
        "how many permission denials of one user are recorded per hour."
    )

    bulk_read_alert_per_hour = models.PositiveIntegerField(
        _("bulk read alert (sensitive records per user per hour)"),
        default=200,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A user who reads more customer contact details or exported rows than this in one clock hour "
            "alerts the security auditors, once per hour."
        ),
    )
    working_hours_start = models.PositiveSmallIntegerField(
        _("working hours start (hour)"),
        default=7,
        validators=[MaxValueValidator(23)],
        help_text=_(
            "Local time (the site's time zone). Sign-ins and sensitive reads before it are after-hours access."
        ),
    )
    working_hours_end = models.PositiveSmallIntegerField(
        _("working hours end (hour)"),
        default=22,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("Local time; from this hour on, sign-ins and sensitive reads are after-hours access."),
    )
    denials_recorded_per_hour = models.PositiveIntegerField(
        _("permission denials recorded per user per hour"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "Beyond this, one more event says the denials go on and the rest of the hour is not recorded one by "
            "one, so a scanner cannot flood the audit trail."
        ),
    )

    articles = {
        "bulk_read_alert_per_hour": "SEC-3",
        "working_hours_start": "SEC-3",
        "working_hours_end": "SEC-3",
        "denials_recorded_per_hour": "SEC-3",
    }

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("security monitoring policy")
        verbose_name_plural = _("security monitoring policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(working_hours_start__lt=F("working_hours_end")) & Q(working_hours_end__lte=24),
                name="security_policy_working_hours",
            ),
            models.CheckConstraint(condition=Q(bulk_read_alert_per_hour__gte=1), name="security_policy_bulk_min_1"),
            models.CheckConstraint(
                condition=Q(denials_recorded_per_hour__gte=1) & Q(denials_recorded_per_hour__lte=1000),
                name="security_policy_denials_range",
            ),
        ]


class SecurityMonitorState(models.Model):
    """Single row (pk=1): how far the monitoring job has read the audit trail."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("security monitoring state")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="security_monitor_state_single_row")]

    def __str__(self):
        return f"security monitor up to event #{self.last_event_id}"


class SecurityWatchedEvent(models.Model):
    """An audit event the security page watches, classified once by the job. ``event`` is the
    audit event itself (no database constraint: the retention of the trail deletes events, and
    the job then drops their rows)."""

    event = models.OneToOneField(
        "datasecurity.AuditEvent",
        verbose_name=_("audit event"),
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    category = models.CharField(_("category"), max_length=20)
    occurred_at = models.DateTimeField(_("time (UTC)"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    records = models.PositiveBigIntegerField(_("sensitive records read"), default=0)
    # A sign-in or sensitive read outside the working hours of the policy in force that day.
    after_hours = models.BooleanField(_("after hours"), default=False)

    class Meta:
        verbose_name = _("watched security event")
        verbose_name_plural = _("watched security events")
        ordering = ["-occurred_at", "-event_id"]
        indexes = [
            # Each list is a category (or after-hours) in a period, newest first: one index range.
            models.Index(fields=["category", "-occurred_at"], name="security_watched_cat_idx"),
            models.Index(fields=["-occurred_at"], name="security_watched_time_idx"),
            models.Index(fields=["-occurred_at"], name="security_watched_after_idx", condition=Q(after_hours=True)),
            # The bulk-read check: the reads of one clock hour.
            models.Index(fields=["occurred_at"], name="security_watched_reads_idx", condition=Q(records__gt=0)),
        ]

    def __str__(self):
        return f"{self.category} #{self.event_id}"


class SecurityHourlyCount(models.Model):
    """Watched events per clock hour (UTC start, with its local date for the charts) and category
    (``after_hours`` too), with the sensitive records they read."""

    hour = models.DateTimeField(_("hour (UTC)"))
    local_date = models.DateField(_("local date"))
    category = models.CharField(_("category"), max_length=20)
    events = models.PositiveBigIntegerField(_("events"), default=0)
    records = models.PositiveBigIntegerField(_("sensitive records read"), default=0)

    class Meta:
        verbose_name = _("security events per hour")
        verbose_name_plural = _("security events per hour")
        ordering = ["hour", "category"]
        indexes = [models.Index(fields=["local_date", "category"], name="security_hourly_date_idx")]
        constraints = [
            models.UniqueConstraint(fields=["hour", "category"], name="security_hourly_one_per_hour"),
        ]

    def __str__(self):
        return f"{self.hour:%Y-%m-%d %H}:00 {self.category} {self.events}"


class SecurityAlertKind(models.TextChoices):
    BULK_READ = "bulk_read", _("Unusual bulk read")


class SecurityAlertState(models.TextChoices):
    OPEN = "open", pgettext_lazy("security alert state", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")


class SecurityAlert(models.Model):
    """Something unusual about one user in one clock hour (SEC-3). One per kind, user and hour
    (a database constraint), so the job may run again and again; the auditors are told once."""

    kind = models.CharField(_("kind"), max_length=20, choices=SecurityAlertKind.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user concerned"), on_delete=models.PROTECT, related_name="+"
    )
    window_start = models.DateTimeField(_("hour from"))
    window_end = models.DateTimeField(_("hour to"))
    count = models.PositiveBigIntegerField(_("sensitive records read"))
    events = models.PositiveIntegerField(_("events"))
    threshold = models.PositiveIntegerField(_("alert threshold"))
    first_event_id = models.BigIntegerField(_("first event"))
    last_event_id = models.BigIntegerField(_("last event"))
    first_at = models.DateTimeField(_("first event at"))
    last_at = models.DateTimeField(_("last event at"))
    state = models.CharField(
        _("state"), max_length=20, choices=SecurityAlertState.choices, default=SecurityAlertState.OPEN
    )
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("security alert")
        verbose_name_plural = _("security alerts")
        ordering = ["-window_start", "-id"]
        indexes = [models.Index(fields=["state", "-window_start"], name="security_alert_state_idx")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "window_start"], name="security_alert_once_per_hour"),
            models.CheckConstraint(condition=Q(window_end__gt=F("window_start")), name="security_alert_window"),
            models.CheckConstraint(
                condition=(
                    Q(state="open", acknowledged_by__isnull=True, acknowledged_at__isnull=True)
                    | (
                        Q(state="acknowledged", acknowledged_by__isnull=False, acknowledged_at__isnull=False)
                        & ~Q(note="")
                    )
                ),
                name="security_alert_acknowledged_with_note",
            ),
            # Nobody acknowledges an alert about themselves (separation of duties).
            models.CheckConstraint(
                condition=Q(acknowledged_by__isnull=True) | ~Q(acknowledged_by=F("subject")),
                name="security_alert_not_own",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_id} {self.window_start:%Y-%m-%d %H}:00"
