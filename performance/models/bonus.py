"""The monthly bonus sheet (PRF-4): versions, lines and generated files.

Invariants held by the database: one sheet version per month and number, and at most one current
(not superseded) sheet per month; one line per sheet and employee, whose total adds up (in whole
cents, so that SQLite's floats add up too); approved sheets and their lines are read-only
(migration 0003); money leaves only with two people: the approver is neither the preparer (a
check) nor anyone who changed the version (migration 0008's trigger reads
:class:`BonusSheetChange`).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.db_constraints import cents
from callcenter.models import Department, Employee
from performance.models.appraisals import Appraisal, ScoreBand
from performance.models.cycles import AppraisalCycle, AppraisalPolicy

__all__ = [
    "BonusChangeKind",
    "BonusLine",
    "BonusSheet",
    "BonusSheetChange",
    "BonusSheetFile",
    "BonusSheetStatus",
    "FileFormat",
    "FileStatus",
]


class BonusSheetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved and locked")
    SUPERSEDED = "superseded", _("Superseded by a correction")


class BonusSheet(models.Model):
    """One version of a month's bonus sheet. Approved = locked; a correction is a new version and
    the old one is kept, marked superseded."""

    month = models.DateField(_("month"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=BonusSheetStatus.choices, default=BonusSheetStatus.DRAFT
    )
    cycle = models.ForeignKey(
        AppraisalCycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="bonus_sheets"
    )
    policy = models.ForeignKey(
        AppraisalPolicy,
        verbose_name=_("policy version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    policy_snapshot = models.JSONField(_("policy in force"), default=dict, blank=True)
    supersedes = models.OneToOneField(
        "self",
        verbose_name=_("corrects version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    # Set only by migration 0008 on sheets approved by their own preparer before the two-person
    # rule (SEC-2); kept as they were (approved sheets are read-only), never set afterwards.
    legacy_self_approval = models.BooleanField(
        _("approved by its preparer before the two-person rule"), default=False, editable=False
    )
    employees = models.PositiveIntegerField(_("employees"), default=0)
    total_base = models.DecimalField(_("total bonus base"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    total_amount = models.DecimalField(_("total payable"), max_digits=14, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        verbose_name = _("bonus sheet")
        verbose_name_plural = _("bonus sheets")
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="bonus_sheet_month_version"),
            models.UniqueConstraint(
                fields=["month"], condition=~Q(status="superseded"), name="bonus_sheet_one_current_per_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="bonus_sheet_month_first_day"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="bonus_sheet_approved_has_time",
            ),
            # SEC-2: money leaves only with two people.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")) | Q(legacy_self_approval=True),
                name="bonus_sheet_approver_not_preparer",
            ),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} v{self.version}"

    @property
    def is_locked(self) -> bool:
        return self.status != BonusSheetStatus.DRAFT


class BonusChangeKind(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    RECOMPUTED = "recomputed", _("Recomputed")
    ADJUSTED = "adjusted", _("Reward or fine added")
    ADJUSTMENT_REMOVED = "adjustment_removed", _("Reward or fine removed")
    CORRECTED = "corrected", _("Prepared as a correction")
    CARRIED = "carried", _("Reward or fine carried over from the corrected version")


class BonusSheetChange(models.Model):
    """Who changed one version of a sheet, and how (SEC-2: whoever prepared or changed a version
    does not approve it). Written by every service that changes a sheet, in its transaction:
    prepare, recompute, adjust, remove an adjustment, correct (the new version's preparer, and
    whoever decided an adjustment carried into it)."""

    sheet = models.ForeignKey(
        BonusSheet, verbose_name=_("bonus sheet"), on_delete=models.CASCADE, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("change"), max_length=20, choices=BonusChangeKind.choices)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("bonus sheet change")
        verbose_name_plural = _("bonus sheet changes")
        ordering = ["sheet", "changed_at", "id"]
        indexes = [models.Index(fields=["sheet", "changed_by"], name="bonus_change_sheet_by_idx")]

    def __str__(self):
        return f"{self.sheet_id} {self.kind} {self.changed_by_id}"


class BonusLine(models.Model):
    """One employee's line. Names are copied so an approved sheet reads the same years later."""

    sheet = models.ForeignKey(BonusSheet, verbose_name=_("bonus sheet"), on_delete=models.CASCADE, related_name="lines")
    employee = models.ForeignKey(Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="+")
    appraisal = models.ForeignKey(
        Appraisal, verbose_name=_("appraisal"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    employee_no = models.CharField(_("employee number"), max_length=20)
    employee_name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    department_name = models.CharField(_("department"), max_length=100)
    team_name = models.CharField(_("team"), max_length=100, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    band = models.CharField(_("band"), max_length=1, choices=ScoreBand.choices, blank=True)
    coefficient = models.DecimalField(_("coefficient"), max_digits=4, decimal_places=2)
    bonus_base = models.DecimalField(_("bonus base"), max_digits=10, decimal_places=2)
    performance_amount = models.DecimalField(_("performance bonus"), max_digits=12, decimal_places=2)
    attendance_fines = models.DecimalField(_("attendance fines"), max_digits=10, decimal_places=2, default=Decimal("0"))
    absenteeism_deduction = models.DecimalField(
        _("absenteeism deduction"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    rewards = models.DecimalField(_("rewards"), max_digits=10, decimal_places=2, default=Decimal("0"))
    penalties = models.DecimalField(_("fines (discipline)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(_("payable"), max_digits=12, decimal_places=2)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)

    class Meta:
        verbose_name = _("bonus line")
        verbose_name_plural = _("bonus lines")
        ordering = ["sheet", "department_name", "employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "employee"], name="bonus_line_one_per_employee"),
            models.CheckConstraint(
                condition=Q(bonus_base__gte=0)
                & Q(coefficient__gte=0)
                & Q(attendance_fines__gte=0)
                & Q(absenteeism_deduction__gte=0)
                & Q(rewards__gte=0)
                & Q(penalties__gte=0),
                name="bonus_line_amounts_non_negative",
            ),
            # In whole cents (fen): exact on PostgreSQL, and on SQLite, which adds floats
            # (850 - 40 - 289.66 != 520.34 there); see callcenter.db_constraints.cents.
            models.CheckConstraint(
                condition=Exact(
                    cents("total"),
                    cents("performance_amount")
                    - cents("attendance_fines")
                    - cents("absenteeism_deduction")
                    + cents("rewards")
                    - cents("penalties"),
                ),
                name="bonus_line_total_adds_up",
            ),
        ]

    def __str__(self):
        return f"{self.sheet_id}: {self.employee_no} {self.total}"


class FileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"


class FileStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Generating")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class BonusSheetFile(models.Model):
    """A generated export of a bonus sheet, kept with its checksum (served to HR and leaders)."""

    sheet = models.ForeignKey(BonusSheet, verbose_name=_("bonus sheet"), on_delete=models.PROTECT, related_name="files")
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    status = models.CharField(_("status"), max_length=10, choices=FileStatus.choices, default=FileStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    stored_name = models.CharField(_("stored file"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bonus sheet file")
        verbose_name_plural = _("bonus sheet files")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="bonus_file_progress_percent"),
            models.CheckConstraint(
                condition=~Q(status="done") | (~Q(sha256="") & ~Q(stored_name="")),
                name="bonus_file_done_has_checksum",
            ),
        ]

    def __str__(self):
        return f"{self.sheet_id} {self.file_format} {self.status}"
