"""What the attendance app has due for destruction (SEC-4), read for the retention schedule and a
destruction request (registered in ``attendance/apps.py``): leave certificates (LV-2, hospital
certificates: health data) uploaded before a cutoff, of requests no longer waiting for a decision."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from attendance.models import LeaveCertificate, LeaveStatus
from datasecurity.selectors import DueSummary

__all__ = ["leave_certificates_due", "leave_certificates_due_queryset"]


def leave_certificates_due_queryset(cutoff: datetime.datetime) -> QuerySet[LeaveCertificate]:
    """Uploaded before ``cutoff``, of a decided request (a pending one still needs its proof)."""
    return (
        LeaveCertificate.objects.filter(uploaded_at__lt=cutoff)
        .exclude(request__status=LeaveStatus.PENDING)
        .order_by("uploaded_at", "id")
    )


def leave_certificates_due(cutoff: datetime.datetime) -> DueSummary:
    due = leave_certificates_due_queryset(cutoff)
    return DueSummary(
        quantity=due.count(),
        description=_("hospital certificates and other leave documents"),
        samples=tuple(
            f"#{request_id} · {name}" for request_id, name in due.values_list("request_id", "original_name")[:5]
        ),
    )
