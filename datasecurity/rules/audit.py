"""The audit trail's pure rules (SEC-2, SEC-3): what never enters an event (secrets), what enters
it masked (contact details), and the HMAC-SHA256 chain hash of an event."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re

from django.conf import settings
from django.db import models

__all__ = [
    "chain_key",
    "compute_hash",
    "event_hash",
    "mask_value",
    "model_changes",
    "sanitize_changes",
    "snapshot",
]

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


def chain_key() -> bytes:
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
    return hmac.new(chain_key(), payload.encode(), hashlib.sha256).hexdigest()


def event_hash(event) -> str:
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
