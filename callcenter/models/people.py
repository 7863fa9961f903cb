"""People's employment history (GEN-1, GEN-2): every hire, transfer, change of post or pay, leaving
and rehiring is one event with its effective date, kept for as long as the employee record.

A change dated in the future is *scheduled*: the daily job applies it on its date (the
employee's row then changes, and the reporting line, visibility and approvals follow). A change
dated today or earlier is applied at once. The events are the history page and the audit's
business view; the audit trail (datasecurity) records who wrote each of them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter.models.org import Employee

__all__ = [
    "EmploymentEvent",
    "EmploymentEventKind",
    "EmploymentEventStatus",
]


class EmploymentEventKind(models.TextChoices):
    HIRE = "hire", _("Hired")
    TRANSFER = "transfer", _("Transfer (department, team or position)")
    PAY = "pay", _("Pay change")
    CHANGE = "change", _("Other change")
    LEAVE = "leave", _("Left")
    REHIRE = "rehire", _("Rehired")


class EmploymentEventStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("employment event", "Scheduled")
    APPLIED = "applied", pgettext_lazy("employment event", "Applied")
    CANCELLED = "cancelled", pgettext_lazy("employment event", "Cancelled")


class EmploymentEvent(models.Model):
    """One step of an employee's employment. ``changes`` maps each field to ``[before, after]``
    (JSON values: ids for the org, strings for dates and amounts); ``before`` is filled when the
    event is applied."""

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="employment_events"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EmploymentEventKind.choices)
    effective_on = models.DateField(_("effective from"))
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EmploymentEventStatus.choices, default=EmploymentEventStatus.APPLIED
    )
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: recorded by a job or an import without a person."),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("employment event")
        verbose_name_plural = _("employment events")
        ordering = ["-effective_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="applied", applied_at__isnull=False) | ~Q(status="applied"),
                name="employment_event_applied_has_time",
            ),
            # One pending change of a kind per employee and date: two HR users scheduling the same
            # transfer at once record one.
            models.UniqueConstraint(
                fields=["employee", "kind", "effective_on"],
                condition=Q(status="scheduled"),
                name="employment_event_one_scheduled_per_kind_and_date",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "-effective_on"], name="employment_event_emp_idx"),
            models.Index(fields=["status", "effective_on"], name="employment_event_due_idx"),
        ]

    def __str__(self):
        return f"{self.employee} {self.get_kind_display()} {self.effective_on}"
