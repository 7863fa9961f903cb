"""The audit trail's pure rules (SEC-2, SEC-3): what never enters an event (secrets), what enters
it masked (contact details), the HMAC-SHA256 chain hash of an event, the signed checkpoint that
anchors the chain head outside the database, and why a sign-in failed."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import models

__all__ = [
    "AUDIT_CATEGORIES",
    "CHAIN_BROKEN",
    "CHECKPOINT_FORMAT",
    "SIGN_IN_ACTIONS",
    "VERIFY_STALLED_AFTER",
    "AuditCheckpoint",
    "chain_key",
    "checkpoint_document",
    "checkpoint_from_document",
    "checkpoint_problems",
    "compute_hash",
    "event_hash",
    "mask_value",
    "model_changes",
    "sanitize_changes",
    "sign_in_failure_reason",
    "snapshot",
    "verify_outcome",
]

# The events of a failed sign-in and of a lockout (SEC-2), and the auditor's filters by category.
SIGN_IN_ACTIONS = ("auth.login_failed", "auth.lockout")
AUDIT_CATEGORIES = {"sign_in": SIGN_IN_ACTIONS}

# A verification of the chain (SEC-3) that found it broken says so first in its run's detail (the
# nightly job's failure reads "RuntimeError: audit chain broken: a; b", the auditor's request
# "audit chain broken:" and a problem per line). Any other failure is an error of the check itself.
CHAIN_BROKEN = "audit chain broken"
# A verification still waiting or running after this long has stopped (a worker that died, a lost
# task): a full walk of five million events takes 4-7 minutes (docs/benchmarks.md).
VERIFY_STALLED_AFTER = datetime.timedelta(minutes=30)


def verify_outcome(*, failed: bool, detail: str) -> tuple[str, list[str]]:
    """What a finished verification run says (SEC-3): ``("intact", [])``, ``("broken", problems,
    first broken link first)`` or ``("error", [what stopped it])``."""
    if not failed:
        return "intact", []
    text = (detail or "").strip()
    message = text.split(": ", 1)[1] if text.startswith("RuntimeError: ") else text
    if message.startswith(CHAIN_BROKEN):
        rest = message[len(CHAIN_BROKEN) :].lstrip(":").strip()
        separator = "\n" if "\n" in rest else "; "
        return "broken", [line.strip() for line in rest.split(separator) if line.strip()]
    return "error", [text] if text else []


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


# --- Checkpoints: the chain head, signed, kept where the database user cannot rewrite it -------

CHECKPOINT_FORMAT = "callcenter-audit-checkpoint/1"
_CHECKPOINT_FIELDS = ("format", "created_at", "event_count", "last_event_id", "last_hash", "anchor_hash")


@dataclass(frozen=True)
class AuditCheckpoint:
    """One checkpoint file: the head of the chain at ``created_at``. ``signed`` is False for a
    file whose signature does not fit its content (forged or damaged) or that cannot be read."""

    path: Path | None
    created_at: datetime.datetime | None
    event_count: int
    last_event_id: int
    last_hash: str
    anchor_hash: str
    signed: bool
    error: str = ""


def _checkpoint_signature(document: dict) -> str:
    payload = json.dumps({k: document.get(k) for k in _CHECKPOINT_FIELDS}, sort_keys=True, separators=(",", ":"))
    # Its own prefix: a checkpoint signature can never be taken for an event hash, or the reverse.
    return hmac.new(chain_key(), b"audit-checkpoint\0" + payload.encode(), hashlib.sha256).hexdigest()


def checkpoint_document(
    *, created_at: datetime.datetime, event_count: int, last_event_id: int, last_hash: str, anchor_hash: str
) -> dict:
    """The JSON document of a checkpoint, signed with the audit chain key (HMAC-SHA256)."""
    document = {
        "format": CHECKPOINT_FORMAT,
        "created_at": created_at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "event_count": event_count,
        "last_event_id": last_event_id,
        "last_hash": last_hash,
        "anchor_hash": anchor_hash,
    }
    document["signature"] = _checkpoint_signature(document)
    return document


def checkpoint_from_document(document, path: Path | None = None) -> AuditCheckpoint:
    """Read a checkpoint document; anything malformed or unsigned comes back with ``signed=False``."""
    try:
        if not isinstance(document, dict) or document.get("format") != CHECKPOINT_FORMAT:
            raise ValueError("not an audit checkpoint")
        signature = str(document.get("signature", ""))
        signed = hmac.compare_digest(signature, _checkpoint_signature(document))
        return AuditCheckpoint(
            path=path,
            created_at=datetime.datetime.fromisoformat(document["created_at"]),
            event_count=int(document["event_count"]),
            last_event_id=int(document["last_event_id"]),
            last_hash=str(document["last_hash"]),
            anchor_hash=str(document["anchor_hash"]),
            signed=signed,
            error="" if signed else "signature does not match",
        )
    except (KeyError, TypeError, ValueError) as exc:
        return AuditCheckpoint(path, None, 0, 0, "", "", signed=False, error=str(exc) or type(exc).__name__)


def checkpoint_problems(
    checkpoint: AuditCheckpoint,
    *,
    head_last_event_id: int,
    head_event_count: int,
    head_anchor_hash: str,
    hash_of_checkpoint_event: str | None,
    events_up_to_checkpoint: int,
) -> list[str]:
    """What the live chain contradicts in a (signed) checkpoint: the event it ends at must still
    be there, unchanged, at or behind the head, with as many events before it as it counted
    (fewer only when the retention has moved the anchor since)."""
    when = f"{checkpoint.created_at:%Y-%m-%d %H:%M:%S} UTC" if checkpoint.created_at else "?"
    at = f"the checkpoint of {when} ({checkpoint.event_count} events, last event {checkpoint.last_event_id})"
    problems = []
    if checkpoint.last_event_id:
        if hash_of_checkpoint_event is None:
            problems.append(
                f"event {checkpoint.last_event_id}: recorded by {at} but missing from the chain "
                "(events removed after the checkpoint)"
            )
        elif hash_of_checkpoint_event != checkpoint.last_hash:
            problems.append(f"event {checkpoint.last_event_id}: differs from {at} (rewritten)")
    if head_last_event_id < checkpoint.last_event_id:
        problems.append(
            f"the chain head (last event {head_last_event_id}, {head_event_count} events) is behind {at}: "
            "events removed and the head rewritten"
        )
    purged_since = head_anchor_hash != checkpoint.anchor_hash
    if events_up_to_checkpoint > checkpoint.event_count or (
        not purged_since and events_up_to_checkpoint != checkpoint.event_count
    ):
        problems.append(
            f"{events_up_to_checkpoint} events up to event {checkpoint.last_event_id} in the chain, but {at} "
            f"counted {checkpoint.event_count}"
        )
    return problems


# --- Sign-in failures ------------------------------------------------------------------------


def sign_in_failure_reason(
    *, user_exists: bool, user_active: bool, locked_out: bool, failures: int | None, limit: int | None
) -> str:
    """Why a sign-in failed, for the auditor (SEC-2). django-axes counts the failures of a
    username: the attempt that reaches the limit was a wrong password that locked the account;
    an attempt after it (or one axes refused without counting) met a locked account."""
    if locked_out and (failures is None or limit is None or failures > limit):
        return "account_locked"
    if not user_exists:
        return "unknown_user"
    if not user_active:
        return "inactive_account"
    return "wrong_password"
