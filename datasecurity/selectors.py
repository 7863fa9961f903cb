"""Reads of the data-security app: the audit trail is for the security auditor (read-only)."""

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import QuerySet

from callcenter.errors import PermissionDeniedError
from callcenter.inputs import safe_date
from callcenter.roles import Role, has_role
from datasecurity.models import GENESIS_HASH, AuditChainHead, AuditEvent
from datasecurity.rules.audit import event_hash

__all__ = [
    "ChainReport",
    "audit_chain_head",
    "audit_chain_verify",
    "audit_connection_is_postgres",
    "audit_event_list",
    "can_read_audit",
]


def can_read_audit(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and has_role(user, Role.SECURITY_AUDITOR))


def audit_event_list(*, user, filters: dict | None = None) -> QuerySet[AuditEvent]:
    if not can_read_audit(user):
        raise PermissionDeniedError("Only the security auditor reads the audit trail.")
    filters = filters or {}
    qs = AuditEvent.objects.all()
    if action := (filters.get("action") or "").strip():
        qs = qs.filter(action__startswith=action)
    if actor := (filters.get("actor") or "").strip():
        qs = qs.filter(actor_label__icontains=actor)
    if object_type := (filters.get("object_type") or "").strip():
        qs = qs.filter(object_type=object_type)
    if object_id := (filters.get("object_id") or "").strip():
        qs = qs.filter(object_id=object_id)
    if (since := safe_date(filters.get("since") or "")) is not None:
        qs = qs.filter(occurred_at__date__gte=since)
    if (until := safe_date(filters.get("until") or "")) is not None:
        qs = qs.filter(occurred_at__date__lte=until)
    return qs.order_by("-id")


def audit_chain_head() -> AuditChainHead | None:
    return AuditChainHead.objects.filter(pk=1).first()


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_chain_verify(*, max_problems: int = 50) -> ChainReport:
    """Walk the chain in insertion order and report every break (edited, removed, forged)."""
    report = ChainReport()
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_prev = head.anchor_hash if head else GENESIS_HASH
    last_id = 0
    fields = [
        "id",
        "prev_hash",
        "hash",
        "occurred_at",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "ip",
        "changes",
    ]
    for event in AuditEvent.objects.order_by("id").only(*fields).iterator(chunk_size=5000):
        report.checked += 1
        last_id = event.pk
        if event.prev_hash != expected_prev:
            report.problems.append(f"event {event.pk}: previous event missing or altered (chain broken)")
        if event_hash(event) != event.hash:
            report.problems.append(f"event {event.pk}: content does not match its hash (edited)")
        expected_prev = event.hash
        if len(report.problems) >= max_problems:
            report.problems.append("… too many problems, stopped")
            return report
    if head is None:
        if report.checked:
            report.problems.append("chain head missing")
        return report
    if head.last_hash != expected_prev or head.last_event_id != last_id:
        report.problems.append(
            f"chain ends at event {last_id} but the head records event {head.last_event_id} (events removed)"
        )
    if head.event_count != report.checked:
        report.problems.append(f"head counts {head.event_count} events, found {report.checked}")
    return report


def audit_connection_is_postgres() -> bool:
    return connection.vendor == "postgresql"
