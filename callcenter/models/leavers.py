"""Leavers (GEN-2, COC-8): the exit checklist of an employee whose last working day is set.

HR (or, later, a dismissal decision of the discipline module) sets the last working day and the
reason; the checklist's items each have an owner role (the supervisor of the leaver's team, or
HR) who ticks them. On the day after the last working day the job ``people-leavers-deactivate``
ends the account (GEN-1: deactivate, never delete) and the checklist is *left*.

Invariants held by the database: one scheduled checklist per employee; one item of each kind per
checklist; a ticked item names when; a left or cancelled checklist names when.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callcenter.models.org import Employee
from callcenter.models.people import EmploymentEvent

__all__ = [
    "EXIT_ITEM_OWNERS",
    "ExitChecklist",
    "ExitChecklistItem",
    "ExitChecklistStatus",
    "ExitItemKind",
    "ExitItemOwner",
    "LeaveReason",
]


class LeaveReason(models.TextChoices):
    RESIGNATION = "resignation", _("Resignation")
    CONTRACT_END = "contract_end", _("End of contract")
    DISMISSAL = "dismissal", _("Dismissal")
    OTHER = "other", _("Other")


class ExitChecklistStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Leaving scheduled")
    LEFT = "left", _("Left")
    CANCELLED = "cancelled", _("Cancelled")


class ExitItemKind(models.TextChoices):
    # COC-8: customer data handed over: open complaints and call-backs reassigned.
    CUSTOMER_DATA = "customer_data", _("Customer data handed over: open complaints and call-backs reassigned (COC-8)")
    FILES = "files", _("Customer files and documents returned (COC-8)")
    EQUIPMENT = "equipment", _("Equipment returned (COC-7)")
    ATTENDANCE = "attendance", _("Final attendance month verified (ATT-5)")
    BONUS = "bonus", _("Final bonus line settled (PRF-4)")
    ACCESS = "access", _("Access ended (done by the deactivation, GEN-2)")


class ExitItemOwner(models.TextChoices):
    SUPERVISOR = "supervisor", _("Team supervisor")
    HR = "hr", _("HR")


# Who ticks each item, in the order the checklist shows them.
EXIT_ITEM_OWNERS: dict[str, str] = {
    ExitItemKind.CUSTOMER_DATA: ExitItemOwner.SUPERVISOR,
    ExitItemKind.FILES: ExitItemOwner.SUPERVISOR,
    ExitItemKind.EQUIPMENT: ExitItemOwner.SUPERVISOR,
    ExitItemKind.ATTENDANCE: ExitItemOwner.SUPERVISOR,
    ExitItemKind.BONUS: ExitItemOwner.HR,
    ExitItemKind.ACCESS: ExitItemOwner.HR,
}


class ExitChecklist(models.Model):
    """One leaving of one employee: its last working day, reason and items."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="exit_checklists"
    )
    last_working_day = models.DateField(_("last working day"))
    reason = models.CharField(_("reason"), max_length=20, choices=LeaveReason.choices)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExitChecklistStatus.choices, default=ExitChecklistStatus.SCHEDULED
    )
    event = models.ForeignKey(
        EmploymentEvent,
        verbose_name=_("employment event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)
    left_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("exit checklist")
        verbose_name_plural = _("exit checklists")
        ordering = ["last_working_day", "pk"]
        constraints = [
            # Two HR users setting the same person's leaving at once record one.
            models.UniqueConstraint(
                fields=["employee"], condition=Q(status="scheduled"), name="exit_checklist_one_scheduled"
            ),
            models.CheckConstraint(
                condition=~Q(status="left") | Q(left_at__isnull=False), name="exit_checklist_left_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="exit_checklist_cancelled_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_working_day"], name="exit_checklist_due_idx")]

    def __str__(self):
        return f"{self.employee} {self.last_working_day}"

    @property
    def items_done(self) -> int:
        """Ticked items (reads the prefetched items)."""
        return sum(1 for item in self.items.all() if item.done_at is not None)


class ExitChecklistItem(models.Model):
    """One thing to settle before (or after) the leaver goes, ticked by its owner role."""

    checklist = models.ForeignKey(
        ExitChecklist, verbose_name=_("exit checklist"), on_delete=models.PROTECT, related_name="items"
    )
    kind = models.CharField(_("item"), max_length=20, choices=ExitItemKind.choices)
    owner_role = models.CharField(_("owner"), max_length=10, choices=ExitItemOwner.choices)
    done_at = models.DateTimeField(_("ticked at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ticked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty on a ticked item: done by the deactivation job."),
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("exit checklist item")
        verbose_name_plural = _("exit checklist items")
        ordering = ["checklist_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "kind"], name="exit_item_one_per_kind"),
            models.CheckConstraint(
                condition=Q(done_by__isnull=True) | Q(done_at__isnull=False), name="exit_item_done_by_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.checklist_id} {self.kind}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
