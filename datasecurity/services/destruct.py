"""Destruction of data no longer needed (SEC-4): "by an approved method, with a record of name,
quantity, time, method and responsible person, kept for audit".

- ``destruction_category_register``: the domain apps register the categories they own (complaint
  contacts and evidence, leave certificates, telephony metrics; later backups and audit archives)
  from their ``AppConfig.ready()``; datasecurity knows none of them (``datasecurity.rules.destruct``).
- ``retention_period_set``: HR sets how long a category is kept (bounded, audited).
- ``destruction_request_create``: HR or an administrator asks to destroy what is due now; the
  quantities, cutoffs and periods are computed then and frozen in the request (audited).
- ``destruction_request_approve`` / ``_reject``: a security auditor or a company leader who is not
  the requester decides (separation of duties; the database refuses a request approved by its
  requester or started before approval). Approval queues the job after commit.
- ``destruction_request_execute``: the job. Destroys each category in batches through the owning
  app's service (audited there), at most the approved quantity, saving progress after each batch,
  then writes the destruction record of each category.
- ``destruction_record_write``: the one writer of the append-only register; other jobs (audit
  retention, backup pruning) write their records through it too.
- ``destruction_certificate``: the PDF certificate of a record (audited).
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import actor_employee_id, privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.exports import ExportFile
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.models import (
    DestructionMethod,
    DestructionRecord,
    DestructionRequest,
    DestructionRequestItem,
    DestructionRequestStatus,
    RetentionPeriod,
)
from datasecurity.rules.destruct import (
    DestructionCategory,
    DueSummary,
    destruction_category,
    destruction_category_register,
    retention_days_problem,
)
from datasecurity.selectors.destruct import (
    DESTRUCTION_REQUEST_STALLED_AFTER,
    can_approve_destruction,
    can_read_destruction_register,
    can_request_destruction,
    destruction_due,
    destruction_record_get,
)
from datasecurity.services.audit import audit_record

__all__ = [
    "DESTRUCTION_BATCH",
    "DestructionCategory",
    "DestructionMethod",
    "DueSummary",
    "destruction_category_register",
    "destruction_certificate",
    "destruction_record_write",
    "destruction_request_approve",
    "destruction_request_create",
    "destruction_request_execute",
    "destruction_request_reject",
    "destruction_requests_resume",
    "retention_period_set",
]

logger = logging.getLogger(__name__)

# Items destroyed per batch (one transaction each, progress saved after each).
DESTRUCTION_BATCH = 500
_TEXT_MAX = 1000


def _reason(text, *, field: str, missing) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(missing, code=DataSecurityErrorCode.DESTRUCTION_REASON_REQUIRED, field=field)
    if len(text) > _TEXT_MAX:
        raise ApplicationError(
            _("The reason is at most %(max)s characters.") % {"max": _TEXT_MAX},
            code=DataSecurityErrorCode.DESTRUCTION_REASON_REQUIRED,
            field=field,
        )
    return text


def _stored_name(category: DestructionCategory) -> str:
    """The category's name as the register keeps it: in the site's language, fixed at writing."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(category.label)[:200]


@transaction.atomic
def retention_period_set(*, actor, category: str, days) -> RetentionPeriod:
    """HR (or an administrator) sets how long ``category`` is kept before it is due (SEC-4);
    bounded; the change is audited with the old and new period."""
    if not can_request_destruction(actor):
        raise PermissionDeniedError(_("Only HR and administrators set the retention schedule (SEC-4)."))
    found = destruction_category(category or "")
    if found is None:
        raise ApplicationError(
            _("Unknown data category."), code=DataSecurityErrorCode.INVALID_CATEGORY, field="category"
        )
    problem = retention_days_problem(days, min_days=found.min_days)
    if problem:
        raise ApplicationError(problem, code=DataSecurityErrorCode.RETENTION_DAYS_INVALID, field="days")
    days = int(days)
    period = RetentionPeriod.objects.select_for_update().filter(category=found.code).first()
    old = period.days if period is not None else found.default_days
    if period is None:
        period = RetentionPeriod(category=found.code, days=days, updated_by=actor, updated_at=timezone.now())
        period.save(force_insert=True)
    else:
        period.days, period.updated_by, period.updated_at = days, actor, timezone.now()
        period.save(update_fields=["days", "updated_by", "updated_at"])
    audit_record(
        actor=actor,
        action="retention.period_set",
        obj=period,
        object_repr=_stored_name(found),
        changes={"days": [old, days], "article": "SEC-4"},
    )
    return period


@transaction.atomic
def destruction_request_create(*, actor, reason: str) -> DestructionRequest:
    """Ask to destroy what is due now (SEC-4): per category, the quantity older than its retention
    period (the period in force now), frozen in the request with the cutoff. Refused when nothing
    is due. Audited; an auditor or a company leader decides next."""
    if not can_request_destruction(actor):
        raise PermissionDeniedError(_("Only HR and administrators request a destruction (SEC-4)."))
    reason = _reason(reason, field="reason", missing=_("Say why this data is no longer needed (SEC-4)."))
    rows = [row for row in destruction_due(user=actor) if row.due is not None and row.due.quantity > 0]
    if not rows:
        raise ApplicationError(
            _("Nothing is due for destruction: every category is within its retention period (SEC-4)."),
            code=DataSecurityErrorCode.DESTRUCTION_NOTHING_DUE,
        )
    request = DestructionRequest.objects.create(
        requested_by=actor,
        reason=reason,
        items_total=sum(row.due.quantity for row in rows),
    )
    DestructionRequestItem.objects.bulk_create(
        [
            DestructionRequestItem(
                request=request,
                category=row.code,
                method=row.category.method,
                retention_days=row.days,
                cutoff=row.cutoff,
                quantity=row.due.quantity,
                description=str(row.due.description)[:300],
                samples=[str(s)[:100] for s in row.due.samples[:5]],
            )
            for row in rows
        ]
    )
    audit_record(
        actor=actor,
        action="destruction.request_create",
        obj=request,
        changes={
            "reason": reason,
            "due": [{"category": row.code, "quantity": row.due.quantity} for row in rows],
            "article": "SEC-4",
        },
    )
    return request


def _lock(request_id) -> DestructionRequest:
    request = (
        DestructionRequest.objects.select_for_update(of=("self",))
        .select_related("requested_by", "requested_by__employee")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise NotFoundError(_("Destruction request not found."))
    return request


def _decide(*, actor, request_id, action: str) -> DestructionRequest:
    if not can_approve_destruction(actor):
        raise PermissionDeniedError(_("Only security auditors and company leaders approve destructions (SEC-4)."))
    request = _lock(request_id)
    refuse_own_record(actor=actor, employee_id=actor_employee_id(request.requested_by), action=action)
    if request.requested_by_id == actor.pk:
        # An administrator without an employee record: the same rule, said for this request.
        raise PermissionDeniedError(
            _("You cannot decide your own destruction request: another person approves it (SEC-4)."),
            code=DataSecurityErrorCode.DESTRUCTION_OWN_REQUEST,
        )
    if request.status != DestructionRequestStatus.PENDING:
        raise ApplicationError(
            _("This request has been decided already (%(status)s).") % {"status": request.get_status_display()},
            code=DataSecurityErrorCode.DESTRUCTION_STATE,
            status=409,
        )
    return request


@privileged_service(
    "datasecurity.destruction_request_approve", label=gettext_lazy("approve a destruction of data (SEC-4)")
)
@transaction.atomic
def destruction_request_approve(*, actor, request_id: int) -> DestructionRequest:
    """Approve a pending request (SEC-4): a security auditor or a company leader, never its
    requester. The job that destroys the data runs after commit."""
    request = _decide(actor=actor, request_id=request_id, action="datasecurity.destruction_request_approve")
    request.status = DestructionRequestStatus.APPROVED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="destruction.request_approve",
        obj=request,
        changes={"status": [DestructionRequestStatus.PENDING, DestructionRequestStatus.APPROVED], "article": "SEC-4"},
    )
    from datasecurity.tasks import destruction_request_run  # noqa: PLC0415 - enqueue: tasks import services

    destruction_request_run.delay_on_commit(request.pk)
    return request


@privileged_service(
    "datasecurity.destruction_request_reject", label=gettext_lazy("reject a destruction of data (SEC-4)")
)
@transaction.atomic
def destruction_request_reject(*, actor, request_id: int, reason: str) -> DestructionRequest:
    """Reject a pending request with a reason (SEC-4); nothing is destroyed."""
    request = _decide(actor=actor, request_id=request_id, action="datasecurity.destruction_request_reject")
    reason = _reason(reason, field="reason", missing=_("Say why the destruction is rejected."))
    request.status = DestructionRequestStatus.REJECTED
    request.decided_by, request.decided_at, request.decision_note = actor, timezone.now(), reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="destruction.request_reject",
        obj=request,
        changes={
            "status": [DestructionRequestStatus.PENDING, DestructionRequestStatus.REJECTED],
            "reason": reason,
            "article": "SEC-4",
        },
    )
    return request


@transaction.atomic
def destruction_record_write(
    *,
    category: str,
    name: str,
    quantity: int,
    method: str,
    responsible,
    approver=None,
    request: DestructionRequest | None = None,
    details: dict | None = None,
    responsible_label: str = "",
) -> DestructionRecord:
    """Append one record to the destruction register (SEC-4): name (category), quantity, time,
    method, responsible person and approver; audited. The register is append-only."""
    if method not in DestructionMethod.values:
        raise ApplicationError(_("Unknown destruction method."), code=DataSecurityErrorCode.INVALID_CATEGORY)
    if quantity < 0:
        raise ApplicationError(
            _("A destroyed quantity is never negative."), code=DataSecurityErrorCode.INVALID_CATEGORY
        )
    record = DestructionRecord(
        category=category[:50],
        name=(name or category)[:200],
        quantity=quantity,
        method=method,
        destroyed_at=timezone.now(),
        responsible=responsible,
        responsible_label=(responsible_label or "")[:150],
        approver=approver,
        request=request,
        details=details or {},
    )
    record.save(force_insert=True)
    audit_record(
        actor=None,
        action="destruction.record_write",
        obj=record,
        object_repr=record.serial,
        changes={
            "category": category,
            "quantity": quantity,
            "method": method,
            "responsible": responsible.get_username() if responsible else responsible_label,
            "approver": approver.get_username() if approver else "",
            "request": request.pk if request else None,
            "article": "SEC-4",
        },
    )
    return record


def _start(request_id) -> DestructionRequest | None:
    """Lock the request and mark it running; None when there is nothing (more) to do."""
    with transaction.atomic():
        request = _lock(request_id)
        if request.status == DestructionRequestStatus.DONE:
            return None
        if request.status not in (DestructionRequestStatus.APPROVED, DestructionRequestStatus.RUNNING):
            # SEC-4: never before the approval (the database refuses a start time too).
            raise ApplicationError(
                _("This destruction has not been approved: it cannot run (SEC-4)."),
                code=DataSecurityErrorCode.DESTRUCTION_NOT_APPROVED,
                status=409,
            )
        now = timezone.now()
        first = request.started_at is None
        request.status = DestructionRequestStatus.RUNNING
        request.started_at = request.started_at or now
        request.progress_at = now
        request.save(update_fields=["status", "started_at", "progress_at"])
        if first:
            audit_record(actor=None, action="destruction.execute_start", obj=request, changes={"article": "SEC-4"})
    return request


def _batch(request_id: int, item_id: int) -> int:
    """One batch of one item, in one transaction with its progress; how many were destroyed."""
    with transaction.atomic():
        request = _lock(request_id)
        item = DestructionRequestItem.objects.select_for_update().get(pk=item_id)
        remaining = item.quantity - item.destroyed
        category = destruction_category(item.category)
        if remaining <= 0:
            return 0
        if category is None:
            raise RuntimeError(f"data category {item.category!r} is not registered")
        done = int(category.execute(cutoff=item.cutoff, method=item.method, limit=min(DESTRUCTION_BATCH, remaining)))
        done = max(0, min(done, remaining))
        if done:
            item.destroyed += done
            item.save(update_fields=["destroyed"])
            request.items_done = min(request.items_total, request.items_done + done)
            request.progress_at = timezone.now()
            request.save(update_fields=["items_done", "progress_at"])
        return done


def _record(request_id: int, item_id: int) -> None:
    with transaction.atomic():
        request = _lock(request_id)
        item = DestructionRequestItem.objects.get(pk=item_id)
        if not item.destroyed or DestructionRecord.objects.filter(request=request, category=item.category).exists():
            return
        category = destruction_category(item.category)
        destruction_record_write(
            category=item.category,
            name=_stored_name(category) if category else item.category,
            quantity=item.destroyed,
            method=item.method,
            responsible=request.requested_by,
            approver=request.decided_by,
            request=request,
            details={
                "article": "SEC-4",
                "retention_days": item.retention_days,
                "older_than": item.cutoff.isoformat(),
                "quantity_approved": item.quantity,
            },
        )


def destruction_request_execute(*, request_id: int) -> DestructionRequest:
    """The job (SEC-4): carry out an approved request. Each category is destroyed in batches of
    ``DESTRUCTION_BATCH`` through its owner's service, never more than the approved quantity, with
    progress saved after each batch; then the category's destruction record is written. Run again
    after a crash, it continues where it stopped (done batches and written records are kept).
    A failure marks the request failed with the error (audited); what was destroyed stays recorded."""
    request = _start(request_id)
    if request is None:
        return DestructionRequest.objects.get(pk=request_id)
    items = list(DestructionRequestItem.objects.filter(request_id=request_id).order_by("id"))
    try:
        for item in items:
            while _batch(request_id, item.pk):
                pass
            _record(request_id, item.pk)
    except Exception as exc:
        logger.exception("destruction request %s failed", request_id)
        with transaction.atomic():
            request = _lock(request_id)
            # What was destroyed before the failure is recorded, so the register is whole.
            for item in DestructionRequestItem.objects.filter(request=request, destroyed__gt=0):
                _record(request_id, item.pk)
            request.status = DestructionRequestStatus.FAILED
            request.error = f"{type(exc).__name__}: {exc}"[:2000]
            request.finished_at = timezone.now()
            request.save(update_fields=["status", "error", "finished_at"])
            audit_record(
                actor=None,
                action="destruction.execute_fail",
                obj=request,
                changes={"error": request.error[:500], "destroyed": request.items_done, "article": "SEC-4"},
            )
        return request
    with transaction.atomic():
        request = _lock(request_id)
        request.status = DestructionRequestStatus.DONE
        request.finished_at = timezone.now()
        request.save(update_fields=["status", "finished_at"])
        audit_record(
            actor=None,
            action="destruction.execute_done",
            obj=request,
            changes={"destroyed": request.items_done, "approved": request.items_total, "article": "SEC-4"},
        )
    return request


def destruction_requests_resume(*, now=None) -> list[int]:
    """The periodic safety net of the job (SEC-4): an approved request whose task was lost (not
    started 10 minutes after its approval) or a running one that stalled (no progress for 30
    minutes) is carried out again here; the batches lock the request, so a worker still running
    it and this run never destroy the same items twice. Returns the ids run."""
    now = now or timezone.now()
    lost = DestructionRequest.objects.filter(
        status=DestructionRequestStatus.APPROVED, decided_at__lt=now - datetime.timedelta(minutes=10)
    )
    stalled = DestructionRequest.objects.filter(
        status=DestructionRequestStatus.RUNNING, progress_at__lt=now - DESTRUCTION_REQUEST_STALLED_AFTER
    )
    ids = sorted({*lost.values_list("pk", flat=True), *stalled.values_list("pk", flat=True)})
    for request_id in ids:
        destruction_request_execute(request_id=request_id)
    return ids


def destruction_certificate(*, actor, record_id: int) -> ExportFile:
    """The certificate of destruction of one record as PDF (SEC-4), in the reader's language (the
    active one); the security auditor's; every download is audited."""
    if not can_read_destruction_register(actor):
        raise PermissionDeniedError(_("Only the security auditor reads the destruction register (SEC-4)."))
    record = destruction_record_get(user=actor, pk=record_id)
    from datasecurity.exports import destruct as exports  # noqa: PLC0415 - heavy library loaded only where a PDF is rendered

    data = exports.destruction_certificate_pdf(record=record, category_label=_category_label(record))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="destruction.certificate_download",
            obj=record,
            object_repr=record.serial,
            changes={"article": "SEC-4"},
        )
    return ExportFile(data, f"destruction-certificate-{record.serial}.pdf", "application/pdf")


def _category_label(record: DestructionRecord) -> str:
    category = destruction_category(record.category)
    return str(category.label) if category is not None else record.name
