"""Backups and restore drills (SEC-1).

- :class:`BackupPlan`: one row (pk=1), the administrator's plan: schedule, how many to keep, the
  responsible person. Every change is an audit event. Defaults exist without any editing.
- :class:`BackupRun`: one backup (a dump of the database and a tar of the uploaded files, in one
  encrypted bundle written to both locations and read back). At most one is queued or running
  (a database constraint).
- :class:`RestoreDrill`: one real restore of a backup taken from the *remote* location into a
  scratch database, with each check's outcome. "Proven restorable" means a passed drill.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "BACKUP_KEEP_MIN",
    "BackupMethod",
    "BackupPlan",
    "BackupRun",
    "BackupRunStatus",
    "BackupSchedule",
    "BackupTrigger",
    "RestoreDrill",
    "RestoreDrillResult",
]

# SEC-1: a backup is verified before an older one goes, so at least two are kept.
BACKUP_KEEP_MIN = 2


class BackupSchedule(models.TextChoices):
    DAILY = "daily", _("Daily at a set time")
    INTERVAL = "interval", _("Every N hours")


class BackupMethod(models.TextChoices):
    PG_DUMP = "pg_dump", _("PostgreSQL pg_dump (custom format)")
    SQLITE_BACKUP = "sqlite_backup", _("SQLite online backup API")


class BackupTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", _("Started on the page")
    API = "api", _("Started through the API")
    COMMAND = "command", _("Management command")


class BackupPlan(models.Model):
    """The backup plan (SEC-1): when, how many to keep and who answers for it. One row (pk=1)."""

    schedule = models.CharField(
        _("schedule"), max_length=10, choices=BackupSchedule.choices, default=BackupSchedule.DAILY
    )
    daily_at = models.TimeField(
        _("daily at (local time)"), default=datetime.time(2, 30), help_text=_("Used when the schedule is daily.")
    )
    interval_hours = models.PositiveSmallIntegerField(
        _("every (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_("Used when the schedule is every N hours."),
    )
    keep_count = models.PositiveSmallIntegerField(
        _("backups kept"),
        default=7,
        validators=[MinValueValidator(BACKUP_KEEP_MIN), MaxValueValidator(365)],
        help_text=_("Older backups are deleted from both locations; never the last one proven by a restore."),
    )
    responsible = models.ForeignKey(
        "callcenter.Employee",
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last changed"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    articles = {"schedule": "SEC-1", "keep_count": "SEC-1", "responsible": "SEC-1"}

    class Meta:
        verbose_name = _("backup plan")
        verbose_name_plural = _("backup plans")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="backup_plan_single_row"),
            models.CheckConstraint(condition=Q(keep_count__gte=BACKUP_KEEP_MIN), name="backup_plan_keep_min_2"),
            models.CheckConstraint(
                condition=Q(interval_hours__gte=1, interval_hours__lte=168), name="backup_plan_interval_hours"
            ),
        ]

    def __str__(self):
        return "backup plan"

    @property
    def interval(self) -> datetime.timedelta:
        if self.schedule == BackupSchedule.DAILY:
            return datetime.timedelta(days=1)
        return datetime.timedelta(hours=self.interval_hours)


class BackupRunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class BackupRun(models.Model):
    """One backup: the bundle's name, size and SHA-256, each location's copy and result."""

    plan = models.ForeignKey(BackupPlan, on_delete=models.PROTECT, related_name="runs", verbose_name=_("plan"))
    trigger = models.CharField(_("started by"), max_length=10, choices=BackupTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(_("method"), max_length=15, choices=BackupMethod.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=BackupRunStatus.choices, default=BackupRunStatus.QUEUED
    )
    step = models.CharField(_("step"), max_length=100, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    name = models.CharField(_("bundle"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    database_size = models.PositiveBigIntegerField(_("database dump (bytes)"), default=0)
    files_count = models.PositiveIntegerField(_("files"), default=0)
    files_size = models.PositiveBigIntegerField(_("files (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    key_id = models.CharField(_("key id"), max_length=16, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict, blank=True)
    # [{"storage": "backup_local", "label": "...", "ok": bool, "sha256": "...", "error": "..."}]
    locations = models.JSONField(_("locations"), default=list, blank=True)
    # seconds per step {"database": 12.3, "files": 0.4, ...}: what the benchmark and the page report
    timings = models.JSONField(_("seconds per step"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    pruned_at = models.DateTimeField(_("deleted from the locations at"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "-requested_at"], name="backup_run_status_idx")]
        constraints = [
            # One backup at a time: two runs would dump and prune over each other.
            models.UniqueConstraint(
                fields=["plan"], condition=Q(status__in=["queued", "running"]), name="backup_run_one_active"
            ),
            models.CheckConstraint(
                condition=~Q(status="succeeded") | (~Q(sha256="") & ~Q(name="") & Q(finished_at__isnull=False)),
                name="backup_run_succeeded_has_checksum",
            ),
        ]

    def __str__(self):
        return f"backup {self.pk} {self.status} {self.name}"

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def active(self) -> bool:
        return self.status in (BackupRunStatus.QUEUED, BackupRunStatus.RUNNING)


class RestoreDrillResult(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    PASSED = "passed", _("Restorable")
    FAILED = "failed", _("Failed")


class RestoreDrill(models.Model):
    """A real restore of one backup, from the remote location, into a scratch database (SEC-1)."""

    backup = models.ForeignKey(BackupRun, on_delete=models.PROTECT, related_name="drills", verbose_name=_("backup"))
    trigger = models.CharField(_("started by"), max_length=10, choices=BackupTrigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    result = models.CharField(
        _("result"), max_length=10, choices=RestoreDrillResult.choices, default=RestoreDrillResult.QUEUED
    )
    step = models.CharField(_("step"), max_length=100, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    location = models.CharField(_("restored from"), max_length=300, blank=True)
    scratch_database = models.CharField(_("scratch database"), max_length=100, blank=True)
    # [{"code": "checksum", "ok": bool, "detail": "..."}], in the order they ran
    checks = models.JSONField(_("checks"), default=list, blank=True)
    timings = models.JSONField(_("seconds per step"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("restore drill")
        verbose_name_plural = _("restore drills")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["backup", "result"], name="restore_drill_backup_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["backup"], condition=Q(result__in=["queued", "running"]), name="restore_drill_one_active"
            ),
        ]

    def __str__(self):
        return f"restore drill {self.pk} of backup {self.backup_id}: {self.result}"

    @property
    def duration(self) -> datetime.timedelta | None:
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def active(self) -> bool:
        return self.result in (RestoreDrillResult.QUEUED, RestoreDrillResult.RUNNING)
