"""Recording audit events (SEC-2, SEC-3).

``audit_record`` is the one writer every service calls: it appends an event inside the caller's
transaction, so the event and the change it describes commit or roll back together.

It depends on Django and the core app's kernel (:mod:`callcenter.request_context`) only, never on
the domain apps, so the core app may call it too (docs/architecture.md, "the audit exception").
``model_changes`` and ``snapshot`` (from :mod:`datasecurity.rules.audit`) build the ``changes``
of an event and are offered here with it.
"""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from callcenter.request_context import current_client_ip
from datasecurity.models import AuditChainHead, AuditEvent
from datasecurity.rules.audit import event_hash, model_changes, sanitize_changes, snapshot

__all__ = [
    "audit_record",
    "model_changes",
    "snapshot",
]


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
        event.hash = event_hash(event)
        event.save(force_insert=True)
        head.last_event_id = event.pk
        head.last_hash = event.hash
        head.event_count += 1
        head.save(update_fields=["last_event_id", "last_hash", "event_count"])
    return event
