"""Reads of the data-security app: the audit trail is for the security auditor (read-only)."""

from django.db.models import QuerySet

from callcenter.errors import PermissionDeniedError
from callcenter.forms import safe_date
from callcenter.roles import Role, has_role

from .models import AuditChainHead, AuditEvent


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
