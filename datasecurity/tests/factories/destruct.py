"""Data that falls due for destruction (SEC-4), written straight to the tables with exact ages
(the services stamp "now"): closed complaints with contacts and evidence files, leave
certificates, telephony metrics."""

from __future__ import annotations

import datetime
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from attendance.models import LeaveCertificate, LeaveRequest, LeaveStatus
from attendance.tests.factories import leave_type
from complaints.models import Complaint, ComplaintAttachment, ComplaintStatus
from datasecurity.services import private_storage
from performance.models import AgentDailyMetric, MetricImport

__all__ = ["PDF", "agent_metrics", "closed_complaint", "days_ago", "evidence", "leave_certificate"]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_spans = itertools.count(1)


def days_ago(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def closed_complaint(org, n: int, *, closed_days_ago: float, status=ComplaintStatus.CLOSED, **kw) -> Complaint:
    """A complaint closed ``closed_days_ago`` days ago, with a phone and an e-mail address."""
    closed_at = days_ago(closed_days_ago)
    received = closed_at - datetime.timedelta(days=3)
    return Complaint.objects.create(
        reference=f"TS-DESTRUCT-{n}",
        customer_name=f"客户{n}",
        phone=kw.pop("phone", "13812345678"),
        email=kw.pop("email", f"kehu{n}@example.com"),
        matter="投诉内容",
        received_at=received,
        channel="phone",
        recorded_by=org.handler.user,
        first_response_due=received + datetime.timedelta(hours=24),
        resolution_due=received + datetime.timedelta(hours=120),
        status=status,
        closed_at=closed_at if status == ComplaintStatus.CLOSED else None,
        **kw,
    )


def evidence(org, complaint: Complaint, name: str = "通话截图.pdf") -> ComplaintAttachment:
    """An evidence file of ``complaint``, really stored in private storage."""
    path = private_storage().save(f"complaints/test/{complaint.pk}-{name}", ContentFile(PDF))
    return ComplaintAttachment.objects.create(
        complaint=complaint,
        path=path,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=org.handler.user,
    )


def leave_certificate(org, employee, *, uploaded_days_ago: float, status=LeaveStatus.APPROVED) -> LeaveCertificate:
    """A hospital certificate uploaded ``uploaded_days_ago`` days ago with a sick-leave request."""
    uploaded_at = days_ago(uploaded_days_ago)
    day = timezone.localtime(uploaded_at).date()
    span = next(_spans) * 10
    request = LeaveRequest.objects.create(
        employee=employee,
        leave_type=leave_type("sick"),
        start_date=day,
        end_date=day,
        span_start=span,
        span_end=span + 2,
        days=1,
        status=status,
        submitted_at=uploaded_at,
        decided_at=None if status == LeaveStatus.PENDING else uploaded_at,
    )
    path = private_storage().save(f"leave/test/{request.pk}.pdf", ContentFile(PDF))
    return LeaveCertificate.objects.create(
        request=request,
        path=path,
        original_name="诊断证明.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=employee.user,
        uploaded_at=uploaded_at,
    )


def agent_metrics(org, employee, days: list[datetime.date]) -> list[AgentDailyMetric]:
    source = MetricImport.objects.create(source="csv", imported_by=org.hr.user, rows=len(days))
    return AgentDailyMetric.objects.bulk_create(
        [
            AgentDailyMetric(
                employee=employee,
                day=day,
                calls_answered=80,
                calls_resolved=70,
                avg_handle_seconds=280,
                source_import=source,
            )
            for day in days
        ]
    )
