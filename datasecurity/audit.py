"""Recording and verifying audit events (SEC-2, SEC-3).

``audit_record`` is the one helper every service calls: it appends an event inside the caller's
transaction, so the event and the change it describes commit or roll back together.

This module depends on Django and :mod:`callcenter.request_context` only, never on the domain
models, so the core app may call it too (docs/architecture.md, "the audit exception").
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from callcenter.request_context import current_client_ip

from .models import GENESIS_HASH, AuditChainHead, AuditEvent

# Keys whose values never enter the audit trail (secrets) or enter it masked (contact details).
_SECRET_KEY_RE = re.compile(r"(^|_)(password|passwd|token|secret|api_key|credentials?)$", re.IGNORECASE)
_CONTACT_KEY_RE = re.compile(r"phone|mobile|contact|email|id_card|address", re.IGNORECASE)


def mask_value(value) -> str:
    """Keep enough to recognise a value, never the whole of it: 13812345678 -> 138****5678."""
    text = str(value)
    if len(text) <= 4:
        return "*" * len(text)
    keep = max(1, len(text) // 4)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def sanitize_changes(changes: dict | None) -> dict:
    """JSON-native, secrets removed, contact details masked (recursively)."""

    def clean(key, value):
        if isinstance(key, str) and _SECRET_KEY_RE.search(key):
            return "[redacted]"
        if isinstance(value, dict):
            return {str(k): clean(k, v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(key, v) for v in value]
        if isinstance(key, str) and _CONTACT_KEY_RE.search(key) and value not in (None, ""):
            return mask_value(value)
        return value

    cleaned = clean("", changes or {})
    return json.loads(json.dumps(cleaned, default=str, ensure_ascii=False))


def model_changes(instance: models.Model, before: dict | None, fields: list[str]) -> dict:
    """{field: [old, new]} for the fields that changed (``before`` None means created)."""
    result = {}
    for name in fields:
        new = getattr(instance, name)
        if isinstance(new, models.Model):
            new = new.pk
        if before is None:
            result[name] = [None, new]
        elif before.get(name) != new:
            result[name] = [before.get(name), new]
    return result


def snapshot(instance: models.Model, fields: list[str]) -> dict:
    values = {}
    for name in fields:
        value = getattr(instance, name)
        values[name] = value.pk if isinstance(value, models.Model) else value
    return values


def _key() -> bytes:
    return (getattr(settings, "AUDIT_CHAIN_KEY", "") or settings.SECRET_KEY).encode()


def compute_hash(
    *,
    prev_hash: str,
    occurred_at: datetime.datetime,
    actor_id,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    ip,
    changes: dict,
) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "t": occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
            "actor": actor_id,
            "actor_label": actor_label,
            "action": action,
            "type": object_type,
            "id": object_id,
            "repr": object_repr,
            "ip": ip,
            "changes": changes,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(_key(), payload.encode(), hashlib.sha256).hexdigest()


def _event_hash(event) -> str:
    return compute_hash(
        prev_hash=event.prev_hash,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        ip=event.ip,
        changes=event.changes,
    )


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    ``action`` is ``"<entity>.<verb>"`` (``employee.create``, ``policy.version_create``,
    ``customer_contact.read``). ``changes`` maps a field to ``[old, new]`` (a two-item list is
    always a change pair) or to a scalar fact. Never pass secrets or full contact data:
    ``changes`` is sanitised anyway.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic(savepoint=False):
        # The head row lock serialises appends (PostgreSQL and SQLite alike) and is held until
        # the caller's transaction ends, so the chain never forks.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor_obj,
            actor_label=(actor_obj.get_username() if actor_obj else "system")[:150],
            action=action[:100],
            object_type=str(object_type)[:100],
            object_id=str(object_id)[:64],
            object_repr=str(object_repr)[:200],
            ip=ip or current_client_ip(),
            changes=sanitize_changes(changes),
            prev_hash=head.last_hash,
        )
        event.hash = _event_hash(event)
        event.save(force_insert=True)
        head.last_event_id = event.pk
        head.last_hash = event.hash
        head.event_count += 1
        head.save(update_fields=["last_event_id", "last_hash", "event_count"])
    return event


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
        if _event_hash(event) != event.hash:
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
