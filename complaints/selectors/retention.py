"""What the complaints app has due for destruction (SEC-4), read for the retention schedule and
a destruction request (registered in ``complaints/apps.py``): the customer contacts of complaints
closed before a cutoff, and the evidence files of those complaints."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint, ComplaintAttachment, ComplaintStatus
from datasecurity.selectors import DueSummary

__all__ = [
    "complaint_contacts_due",
    "complaint_contacts_due_queryset",
    "complaint_evidence_due",
    "complaint_evidence_due_queryset",
]

# A masked contact carries asterisks (138****1234, z***@example.com); a stored one never does
# (phones and e-mails are normalised when recorded), so "not yet anonymised" needs no new column.
_NOT_MASKED = (~Q(phone="") & ~Q(phone__contains="*")) | (~Q(email="") & ~Q(email__contains="*"))


def complaint_contacts_due_queryset(cutoff: datetime.datetime) -> QuerySet[Complaint]:
    """Closed before ``cutoff``, with a contact that is not masked yet, oldest closing first."""
    return Complaint.objects.filter(_NOT_MASKED, status=ComplaintStatus.CLOSED, closed_at__lt=cutoff).order_by(
        "closed_at", "id"
    )


def complaint_contacts_due(cutoff: datetime.datetime) -> DueSummary:
    due = complaint_contacts_due_queryset(cutoff)
    return DueSummary(
        quantity=due.count(),
        description=_("customer phone numbers and e-mail addresses of closed complaints"),
        samples=tuple(due.values_list("reference", flat=True)[:5]),
    )


def complaint_evidence_due_queryset(cutoff: datetime.datetime) -> QuerySet[ComplaintAttachment]:
    """Evidence files of complaints closed before ``cutoff``, oldest closing first."""
    return ComplaintAttachment.objects.filter(
        complaint__status=ComplaintStatus.CLOSED, complaint__closed_at__lt=cutoff
    ).order_by("complaint__closed_at", "id")


def complaint_evidence_due(cutoff: datetime.datetime) -> DueSummary:
    due = complaint_evidence_due_queryset(cutoff)
    return DueSummary(
        quantity=due.count(),
        description=_("evidence files of closed complaints"),
        samples=tuple(f"{ref} · {name}" for ref, name in due.values_list("complaint__reference", "original_name")[:5]),
    )
