"""Call-center metrics (PRF-1 work results): the imports, one row per agent and day, and the
calls answered per team and day.

Invariants held by the database: one metric row per employee and day (re-imports replace it);
resolved calls ≤ answered calls; QA accuracy within 0..100 %.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import Employee, Team
from performance.models.setup import PERCENT_VALIDATORS

__all__ = ["AgentDailyMetric", "MetricImport", "MetricSource", "TeamDailyCallVolume"]


class MetricSource(models.TextChoices):
    CSV = "csv", _("CSV upload")
    API = "api", _("API push")


class MetricImport(models.Model):
    """One accepted import (a file or an API push): who, when, what it replaced."""

    source = models.CharField(_("source"), max_length=10, choices=MetricSource.choices)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new days"), default=0)
    replaced = models.PositiveIntegerField(_("replaced days"), default=0)
    date_from = models.DateField(_("first day"), null=True, blank=True)
    date_to = models.DateField(_("last day"), null=True, blank=True)

    class Meta:
        verbose_name = _("metrics import")
        verbose_name_plural = _("metrics imports")
        ordering = ["-imported_at", "-id"]

    def __str__(self):
        return f"{self.get_source_display()} {self.imported_at:%Y-%m-%d %H:%M}"


class AgentDailyMetric(models.Model):
    """One agent's day from the telephony/ACD system. Re-importing the day replaces the row."""

    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    calls_answered = models.PositiveIntegerField(_("calls answered"))
    calls_resolved = models.PositiveIntegerField(_("calls resolved"))
    avg_handle_seconds = models.PositiveIntegerField(_("average handling time (seconds)"))
    qa_accuracy = models.DecimalField(
        _("business accuracy, QA (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_VALIDATORS,
    )
    source_import = models.ForeignKey(
        MetricImport, verbose_name=_("import"), on_delete=models.PROTECT, related_name="metrics"
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("agent daily metric")
        verbose_name_plural = _("agent daily metrics")
        ordering = ["-day", "employee_id"]
        constraints = [
            models.UniqueConstraint(fields=["employee", "day"], name="agent_metric_one_per_day"),
            models.CheckConstraint(
                condition=Q(calls_resolved__lte=F("calls_answered")), name="agent_metric_resolved_le_answered"
            ),
            models.CheckConstraint(
                condition=Q(qa_accuracy__isnull=True) | (Q(qa_accuracy__gte=0) & Q(qa_accuracy__lte=100)),
                name="agent_metric_qa_percent",
            ),
        ]
        indexes = [models.Index(fields=["day", "employee"], name="agent_metric_day_idx")]

    def __str__(self):
        return f"{self.employee_id} {self.day}"


class TeamDailyCallVolume(models.Model):
    """Calls answered per team and day: a roll-up of ``AgentDailyMetric`` kept by the metrics
    import in the same transaction (``metric_call_volumes_rebuild``), so the complaint rate per
    1,000 calls (CMP-4) reads a few hundred rows a day instead of every agent's day. The team is
    the agent's team when the day was imported; agents without a team count under no team."""

    day = models.DateField(_("day"))
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    calls_answered = models.PositiveBigIntegerField(_("calls answered"))

    class Meta:
        verbose_name = _("team daily call volume")
        verbose_name_plural = _("team daily call volumes")
        ordering = ["-day", "team_id"]
        # One row per team and day, and one for the agents without a team (two partial unique
        # indexes: portable, where NULLS NOT DISTINCT is PostgreSQL-only).
        constraints = [
            models.UniqueConstraint(
                fields=["day", "team"], condition=Q(team__isnull=False), name="team_call_volume_one_per_day"
            ),
            models.UniqueConstraint(
                fields=["day"], condition=Q(team__isnull=True), name="team_call_volume_one_teamless_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.team_id}: {self.calls_answered}"
