"""Destruction of data no longer needed (SEC-4): the retention schedule, the destruction requests
and the destruction register.

Invariants held by the database:
- one retention period per category, within the SEC-4 bounds;
- a request runs only once it is approved by somebody other than its requester: a request that is
  approved, running, done or failed has an approver who is not the requester, and only those
  states have a start time (``destruction_request_runs_only_approved``); a rejected one has its
  decider and a reason;
- the register (:class:`DestructionRecord`) is append-only: on PostgreSQL a trigger refuses
  UPDATE, DELETE and TRUNCATE (migration 0005, ``datasecurity/append_only.py``).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = [
    "RETENTION_MAX_DAYS",
    "RETENTION_MIN_DAYS",
    "DestructionMethod",
    "DestructionRecord",
    "DestructionRequest",
    "DestructionRequestItem",
    "DestructionRequestStatus",
    "RetentionPeriod",
]


# SEC-4 bounds of every retention period: at least 30 days (nothing is destroyed the month it is
# made), at most 30 years (beyond that a period is a typo, not a decision).
RETENTION_MIN_DAYS = 30
RETENTION_MAX_DAYS = 10_950


class DestructionMethod(models.TextChoices):
    """How data is destroyed (SEC-4: by an approved method); the record names it."""

    ANONYMISE = "anonymise", _("Anonymised (replaced by its mask)")
    FILE_DELETE = "file_delete", _("Files deleted from storage")
    ROW_DELETE = "row_delete", _("Rows deleted from the database")
    # SEC-2's retention: the audit events, archived (signed, both locations, read back), then deleted.
    ARCHIVE_DELETE = "archive_delete", _("Archived (signed, in both locations), then deleted")


class RetentionPeriod(models.Model):
    """How long one category of data is kept before it is due for destruction (SEC-4); HR edits it,
    every change is audited. A category without a row keeps its registered default."""

    category = models.CharField(_("data category"), max_length=50, unique=True)
    days = models.PositiveIntegerField(_("kept for (days)"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")
        ordering = ["category"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=RETENTION_MIN_DAYS) & Q(days__lte=RETENTION_MAX_DAYS),
                name="retention_period_days_bounds",
            )
        ]

    def __str__(self):
        return f"{self.category}: {self.days}"


class DestructionRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved, queued")
    REJECTED = "rejected", _("Rejected")
    RUNNING = "running", _("Destroying")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# The states a request reaches only after its approval.
APPROVED_STATES = ("approved", "running", "done", "failed")


class DestructionRequest(models.Model):
    """HR's request to destroy what is due (SEC-4): the due quantities are computed when it is made
    and frozen in its items; an auditor or a company leader who is not the requester approves or
    rejects it; a Celery job carries out an approved request, with its progress."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    reason = models.TextField(_("reason"), max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=DestructionRequestStatus.choices, default=DestructionRequestStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=1000, blank=True)
    items_total = models.PositiveIntegerField(_("items to destroy"), default=0)
    items_done = models.PositiveIntegerField(_("items destroyed"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("destruction request")
        verbose_name_plural = _("destruction requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "-requested_at"], name="destruction_request_status_idx")]
        constraints = [
            # SEC-4: never run before an approval by somebody other than the requester.
            models.CheckConstraint(
                condition=~Q(status__in=APPROVED_STATES)
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False) & ~Q(decided_by=F("requested_by"))),
                name="destruction_request_approved_by_other",
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True) | Q(status__in=APPROVED_STATES),
                name="destruction_request_runs_only_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected")
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False) & ~Q(decision_note="")),
                name="destruction_request_rejected_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(items_done__lte=F("items_total")), name="destruction_request_progress_bounded"
            ),
        ]

    def __str__(self):
        return f"destruction request {self.pk} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == DestructionRequestStatus.DONE:
            return 100
        return min(99, self.items_done * 100 // self.items_total) if self.items_total else 0

    @property
    def is_busy(self) -> bool:
        return self.status in (DestructionRequestStatus.APPROVED, DestructionRequestStatus.RUNNING)


class DestructionRequestItem(models.Model):
    """One category of a request, frozen when the request was made: what was due (quantity before
    ``cutoff``, with the period in force then) and, once run, how much was destroyed."""

    request = models.ForeignKey(DestructionRequest, on_delete=models.PROTECT, related_name="items")
    category = models.CharField(_("data category"), max_length=50)
    method = models.CharField(_("method"), max_length=20, choices=DestructionMethod.choices)
    retention_days = models.PositiveIntegerField(_("kept for (days)"))
    cutoff = models.DateTimeField(_("older than"))
    quantity = models.PositiveIntegerField(_("quantity due"))
    description = models.CharField(_("description"), max_length=300, blank=True)
    samples = models.JSONField(_("examples"), default=list, blank=True)
    destroyed = models.PositiveIntegerField(_("quantity destroyed"), default=0)

    class Meta:
        verbose_name = _("destruction request item")
        verbose_name_plural = _("destruction request items")
        ordering = ["request_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "category"], name="destruction_item_one_per_category"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="destruction_item_something_due"),
            models.CheckConstraint(condition=Q(destroyed__lte=F("quantity")), name="destruction_item_within_approved"),
        ]

    def __str__(self):
        return f"{self.request_id} {self.category} {self.quantity}"


class DestructionRecord(models.Model):
    """The destruction register (SEC-4): name (category), quantity, time, method, responsible person
    and approver of one destruction, kept for audit. Append-only: PostgreSQL refuses UPDATE and
    DELETE (migration 0005). Other jobs (audit retention, backup pruning) write theirs too, through
    ``datasecurity.services.destruction_record_write``."""

    category = models.CharField(_("data category"), max_length=50, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    quantity = models.PositiveBigIntegerField(_("quantity"))
    method = models.CharField(_("method"), max_length=20, choices=DestructionMethod.choices)
    destroyed_at = models.DateTimeField(_("destroyed at"), default=timezone.now, db_index=True)
    # The person who asked; empty for a scheduled job (audit retention, backup pruning), which the
    # record names in ``responsible_label`` and which the plan or policy in force decided.
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    responsible_label = models.CharField(_("responsible (job)"), max_length=150, blank=True)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    request = models.ForeignKey(
        DestructionRequest,
        verbose_name=_("request"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("destruction record")
        verbose_name_plural = _("destruction records")
        ordering = ["-destroyed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "category"],
                condition=Q(request__isnull=False),
                name="destruction_record_one_per_request_category",
            ),
        ]

    def __str__(self):
        return f"{self.serial} {self.category} {self.quantity}"

    @property
    def serial(self) -> str:
        """The certificate's serial number: SEC4-<year>-<number>, from the row's own id."""
        return f"SEC4-{timezone.localtime(self.destroyed_at):%Y}-{self.pk:06d}"
