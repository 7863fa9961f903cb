"""Audit trail (SEC-2, SEC-3): append-only, hash-chained events.

Invariants:
- rows are only ever inserted; on PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE
  (the retention path alone may delete, see ``audit_retention_purge`` later);
- each event carries ``prev_hash`` (the previous event's ``hash``) and its own ``hash``, an
  HMAC-SHA256 over its content and ``prev_hash``; :class:`AuditChainHead` holds the last hash and
  the count, so an edited, removed or appended-behind-our-back row is detected by
  ``manage.py audit_verify``.
"""

from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models import VersionedPolicy, register_policy

__all__ = [
    "GENESIS_HASH",
    "AuditChainHead",
    "AuditEvent",
    "AuditExport",
    "AuditExportFormat",
    "AuditExportStatus",
    "AuditPolicy",
    "object_type_label",
]

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("time (UTC)"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time_idx"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_repr}"

    @property
    def object_type_label(self) -> str:
        """The kind of object in the reader's language ("employee", not "callcenter.employee")."""
        return str(object_type_label(self.object_type))

    @property
    def actor_name(self) -> str:
        """The actor's full name when they are an employee (select ``actor__employee``), else ""."""
        employee = getattr(self.actor, "employee", None) if self.actor_id else None
        return employee.name if employee is not None else ""

    def change_rows(self):
        """(field, old, new, is_pair) for display: ``[old, new]`` lists are change pairs."""
        rows = []
        for key, value in (self.changes or {}).items():
            if isinstance(value, list) and len(value) == 2:
                rows.append((key, value[0], value[1], True))
            else:
                rows.append((key, None, value, False))
        return rows


@cache
def object_type_label(object_type: str):
    """The verbose name of the model an event's ``object_type`` names, or the text itself."""
    try:
        return apps.get_model(object_type)._meta.verbose_name
    except (LookupError, ValueError):
        return object_type


class AuditChainHead(models.Model):
    """Single row (pk=1): the end of the chain. Locked by every append, so appends are serial."""

    last_event_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    event_count = models.BigIntegerField(default=0)
    # prev_hash expected of the oldest remaining event (moves forward when retention purges).
    anchor_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="audit_chain_head_single_row")]

    def __str__(self):
        return f"audit chain head: {self.event_count} events, last #{self.last_event_id}"


@register_policy
class AuditPolicy(VersionedPolicy):
    """How long audit records are kept (SEC-2)."""

    description = _("How long audit records are kept (SEC-2).")

    audit_retention_days = models.PositiveIntegerField(
        _("audit record retention (days)"),
        default=180,
        validators=[MinValueValidator(180)],
        help_text=_("China's Cybersecurity Law asks for at least six months of logs, so never less than 180."),
    )

    articles = {"audit_retention_days": "SEC-2"}

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("audit policy")
        verbose_name_plural = _("audit policies")
        constraints = [
            models.CheckConstraint(condition=Q(audit_retention_days__gte=180), name="audit_policy_retention_min_180")
        ]


class AuditExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class AuditExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Writing")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class AuditExport(models.Model):
    """An export of the trail too large to hand over at once (SEC-2), written by a Celery task in
    chunks into private storage, with its progress, size and SHA-256. The selection is the
    filters plus ``last_event_id`` (the newest event when it was requested), so the file holds
    exactly the events that matched then. Any security auditor may download it (auditors share
    the work); every request and download is an audit event."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    file_format = models.CharField(_("format"), max_length=4, choices=AuditExportFormat.choices)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    last_event_id = models.BigIntegerField(_("newest event included"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=AuditExportStatus.choices, default=AuditExportStatus.QUEUED
    )
    rows_total = models.PositiveBigIntegerField(_("events to write"), default=0)
    rows_written = models.PositiveBigIntegerField(_("events written"), default=0)
    stored_name = models.CharField(_("stored file"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit trail export")
        verbose_name_plural = _("audit trail exports")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="audit_export_requester_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(rows_written__lte=models.F("rows_total")), name="audit_export_rows"),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(sha256="") & ~Q(stored_name="")),
                name="audit_export_done_has_checksum",
            ),
        ]

    def __str__(self):
        return f"audit export {self.pk} {self.file_format} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == AuditExportStatus.DONE:
            return 100
        return min(99, self.rows_written * 100 // self.rows_total) if self.rows_total else 0


from datasecurity.models.backup import *  # noqa: E402,F403
from datasecurity.models.destruct import *  # noqa: E402,F403
from datasecurity.models.monitor import *  # noqa: E402,F403
from datasecurity.models.retention import *  # noqa: E402,F403
from datasecurity.models.twofa import *  # noqa: E402,F403
