"""Archives of the audit trail (SEC-2): the events past the retention, written as a signed,
gzip-compressed JSON-lines file to both backup locations, read back and compared, and only then
deleted from the database (``datasecurity.services.audit_retention_purge``).

Invariants (database constraints, and the retention function of ``append_only.py``, which deletes
only the events of a row of this table in state ``verified``):
- an archive covers one contiguous stretch of the chain, ``first_event_id`` to ``last_event_id``,
  and no two archives start or end at the same event;
- a verified or deleted archive has its SHA-256 and its signature; a deleted one its time.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["AuditArchive", "AuditArchiveStatus"]


class AuditArchiveStatus(models.TextChoices):
    # Written to both locations and read back: the events are still in the database.
    VERIFIED = "verified", _("Archived, events not yet deleted")
    # The events of the range are gone from the database: the archive is their only copy.
    DELETED = "deleted", _("Archived, events deleted")


class AuditArchive(models.Model):
    """One archive file of audit events (SEC-2). The same file (``stored_name``) lies in every
    location of ``locations`` (names of ``settings.STORAGES``), each copy read back and checked
    against ``sha256`` before any event was deleted. ``first_prev_hash`` and ``last_hash`` chain
    the archives into each other and into the live chain (``audit_verify``). The facts of the
    destruction (SEC-4: what, how many, when, how, who) are ``event_count``, ``deleted_at``,
    ``method`` and ``responsible``."""

    first_event_id = models.BigIntegerField(_("first event"), unique=True)
    last_event_id = models.BigIntegerField(_("last event"), unique=True)
    event_count = models.PositiveBigIntegerField(_("events"))
    first_occurred_at = models.DateTimeField(_("oldest event at"))
    last_occurred_at = models.DateTimeField(_("newest event at"))
    first_prev_hash = models.CharField(_("previous hash of the first event"), max_length=64)
    last_hash = models.CharField(_("hash of the last event"), max_length=64)
    signature = models.CharField(_("signature (HMAC-SHA256)"), max_length=64)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    stored_name = models.CharField(_("stored file"), max_length=255)
    locations = models.JSONField(_("locations"), default=list)
    retention_days = models.PositiveIntegerField(_("retention (days)"))
    status = models.CharField(_("status"), max_length=10, choices=AuditArchiveStatus.choices)
    created_at = models.DateTimeField(_("archived at"), default=timezone.now, db_index=True)
    deleted_at = models.DateTimeField(_("events deleted at"), null=True, blank=True)
    deleted_count = models.PositiveBigIntegerField(_("events deleted"), default=0)
    # SEC-4's destruction record (written at the merge from these facts): how and by whom.
    method = models.CharField(_("method"), max_length=100, default="archived then deleted")
    responsible = models.CharField(_("responsible"), max_length=150, default="audit-retention")
    # The latest verification of this archive (audit_verify, nightly or asked for).
    verified_at = models.DateTimeField(_("last verified at"), null=True, blank=True)
    verify_ok = models.BooleanField(_("intact"), null=True, blank=True)
    verify_detail = models.TextField(_("verification detail"), blank=True)

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["-first_event_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_event_id__gte=models.F("first_event_id")), name="audit_archive_range"
            ),
            models.CheckConstraint(condition=Q(event_count__gt=0), name="audit_archive_not_empty"),
            models.CheckConstraint(
                condition=~Q(sha256="") & ~Q(signature="") & ~Q(stored_name=""), name="audit_archive_checksums"
            ),
            models.CheckConstraint(
                condition=Q(status="verified", deleted_at__isnull=True) | Q(status="deleted", deleted_at__isnull=False),
                name="audit_archive_deleted_at",
            ),
            models.CheckConstraint(condition=Q(retention_days__gte=180), name="audit_archive_retention_min_180"),
        ]

    def __str__(self):
        return f"audit archive {self.first_event_id}–{self.last_event_id} ({self.event_count} events)"
