"""Recording audit events (SEC-2, SEC-3), and keeping the trail whole.

``audit_record`` is the one writer every service calls: it appends an event inside the caller's
transaction, so the event and the change it describes commit or roll back together.

Keeping the trail whole (nobody trims it unnoticed):

- ``audit_retention_purge`` (``services/retention.py``): the only deletion, of archived events,
  through the database function the operator's set-up installs (``audit_db_roles_apply``; the
  application's role itself may not delete);
- ``audit_checkpoint_write``: the chain head, signed, in a write-once directory the database user
  cannot reach (``AUDIT_CHECKPOINT_DIR``), which ``audit_chain_verify`` compares with the chain;
- ``audit_sign_in_failure_record`` / ``audit_lockout_record``: failed sign-ins and lockouts, from
  the receivers of Django's and django-axes' signals (``datasecurity/apps.py``).

It depends on Django and the core app's kernel (:mod:`callcenter.request_context`,
:mod:`callcenter.errors`) only, never on the domain apps, so the core app may call it too
(docs/architecture.md, "the audit exception"). ``model_changes`` and ``snapshot`` (from
:mod:`datasecurity.rules.audit`) build the ``changes`` of an event and are offered here with it.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.exports import ExportFile, csv_file, xlsx_file
from callcenter.request_context import current_client_ip
from datasecurity.append_only import audit_db_roles_sql
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.models import GENESIS_HASH, AuditChainHead, AuditEvent
from datasecurity.rules.audit import (
    AuditCheckpoint,
    checkpoint_document,
    checkpoint_from_document,
    event_hash,
    model_changes,
    sanitize_changes,
    sign_in_failure_reason,
    snapshot,
)
from datasecurity.selectors import (
    AUDIT_EXPORT_MAX_ROWS,
    audit_checkpoint_newest_file,
    audit_event_list,
    audit_events_describe,
    can_read_audit,
)

__all__ = [
    "AUDIT_EXPORT_FILTERS",
    "audit_chain_verify_request",
    "audit_checkpoint_write",
    "audit_db_roles_apply",
    "audit_export",
    "audit_lockout_record",
    "audit_record",
    "audit_record_many",
    "audit_sign_in_failure_record",
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
    actor_label: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    ``action`` is ``"<entity>.<verb>"`` (``employee.create``, ``policy.version_create``,
    ``customer_contact.read``). ``changes`` maps a field to ``[old, new]`` (a two-item list is
    always a change pair) or to a scalar fact. Never pass secrets or full contact data:
    ``changes`` is sanitised anyway. ``actor_label`` names an actor without an account
    (``anonymous`` for a failed sign-in); the default is ``system``.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_repr = object_repr or str(obj)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic(savepoint=False):
        # The head row lock serialises appends (PostgreSQL and SQLite alike) and is held until
        # the caller's transaction ends, so the chain never forks.
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            occurred_at=timezone.now(),
            actor=actor_obj,
            actor_label=(actor_obj.get_username() if actor_obj else actor_label or "system")[:150],
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


def audit_record_many(*, actor, entries: list[dict], ip: str | None = None) -> list[AuditEvent]:
    """Append several events of one actor at once (a staff import: one event per person), inside
    the caller's transaction: the same chain as ``audit_record`` called once per entry, in order,
    but one head lock, batched inserts and one head update. Each entry takes ``audit_record``'s
    keywords ``action``, ``obj`` (or ``object_type``/``object_id``/``object_repr``) and ``changes``."""
    if not entries:
        return []
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    actor_label = (actor_obj.get_username() if actor_obj else "system")[:150]
    ip = ip or current_client_ip()
    with transaction.atomic(savepoint=False):
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        previous = head.last_hash
        events = []
        for entry in entries:
            obj = entry.get("obj")
            event = AuditEvent(
                occurred_at=timezone.now(),
                actor=actor_obj,
                actor_label=actor_label,
                action=str(entry["action"])[:100],
                object_type=str(entry.get("object_type") or (obj._meta.label_lower if obj is not None else ""))[:100],
                object_id=str(entry.get("object_id") or (obj.pk if obj is not None else ""))[:64],
                object_repr=str(entry.get("object_repr") or (str(obj) if obj is not None else ""))[:200],
                ip=ip,
                changes=sanitize_changes(entry.get("changes")),
                prev_hash=previous,
            )
            event.hash = previous = event_hash(event)
            events.append(event)
        # One INSERT per batch assigns the ids in the list's order, so the chain (read by id)
        # follows the list.
        AuditEvent.objects.bulk_create(events, batch_size=1000)
        head.last_event_id = events[-1].pk
        head.last_hash = previous
        head.event_count += len(events)
        head.save(update_fields=["last_event_id", "last_hash", "event_count"])
    return events


# --- The auditor's export and verification on request (SEC-2, SEC-3) -------------------------

# The filters an export takes from the page (the same as the list's), recorded with the export.
AUDIT_EXPORT_FILTERS = ("category", "action", "actor", "object_type", "object_id", "since", "until")


def _export_filters(filters) -> dict:
    used = {key: str(filters.get(key) or "").strip()[:150] for key in AUDIT_EXPORT_FILTERS}
    return {key: value for key, value in used.items() if value}


def _export_format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise ApplicationError(
            _("Choose CSV or XLSX."), code=DataSecurityErrorCode.EXPORT_FORMAT, field="format", status=400
        )


def _export_headers() -> list[str]:
    """The columns of an export (immediate or background), times local with the zone named."""
    zone = timezone.get_current_timezone_name()
    return [
        "#",
        _("Time (%(zone)s)") % {"zone": zone},
        _("Actor"),
        _("Username"),
        _("Action"),
        _("Action code"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("IP address"),
        _("Changes"),
        _("Hash"),
    ]


def _export_row(event: AuditEvent) -> list:
    return [
        event.pk,
        timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S"),
        event.actor_name or event.actor_label,
        event.actor_label,
        event.action_text,
        event.action,
        event.object_type_label,
        event.object_id,
        event.object_repr,
        event.ip or "",
        json.dumps(event.changes, ensure_ascii=False, sort_keys=True) if event.changes else "",
        event.hash,
    ]


@transaction.atomic
def audit_export(*, actor, filters: dict, fmt: str) -> ExportFile:
    """The events the auditor's filters select, as CSV or XLSX (at most ``AUDIT_EXPORT_MAX_ROWS``,
    else refused with a message asking for narrower filters), read through the auditor's
    selector; the export itself is an audit event in the same transaction (SEC-2: exports of
    the trail are traced like any other). Times are local, with the zone in the heading."""
    _export_format(fmt)
    used = _export_filters(filters)
    events = audit_event_list(user=actor, filters=used)
    rows = audit_events_describe(events[: AUDIT_EXPORT_MAX_ROWS + 1])
    if len(rows) > AUDIT_EXPORT_MAX_ROWS:
        raise ApplicationError(
            _(
                "More than %(max)s events match: narrow the filters (a shorter date range, one module "
                "or one action) and export again."
            )
            % {"max": f"{AUDIT_EXPORT_MAX_ROWS:,}"},
            code=DataSecurityErrorCode.EXPORT_TOO_LARGE,
            status=400,
        )
    headers = _export_headers()
    table = [_export_row(event) for event in rows]
    audit_record(
        actor=actor,
        action="audit.export",
        object_type=AuditEvent._meta.label_lower,
        changes={"format": fmt, "rows": len(table), "filters": used},
    )
    filename = f"audit-trail-{timezone.localtime():%Y%m%d-%H%M%S}"
    if fmt == "xlsx":
        return xlsx_file(filename=filename, headers=headers, rows=table, sheet_title=_("Audit trail"))
    return csv_file(filename=filename, headers=headers, rows=table)


@transaction.atomic
def audit_chain_verify_request(*, actor) -> None:
    """The auditor asks for the chain to be verified now (SEC-3): the request is an audit event,
    and the verification runs in the background after commit (it reads the whole trail); its
    outcome is a run of the ``audit-chain-verify`` job, shown on the auditor's page."""
    if not can_read_audit(actor):
        raise PermissionDeniedError(_("Only the security auditor verifies the audit chain."))
    audit_record(actor=actor, action="audit.verify_request", object_type=AuditEvent._meta.label_lower)
    from datasecurity.tasks import audit_chain_verify_requested as verify_task  # noqa: PLC0415 - enqueue: tasks import services

    verify_task.delay_on_commit()


# Retention (SEC-2: archived, then deleted): datasecurity/services/retention.py.


# --- Checkpoints: the head, signed, outside the database --------------------------------------


def _checkpoint_name(document: dict) -> str:
    stamp = datetime.datetime.fromisoformat(document["created_at"]).strftime("%Y%m%dT%H%M%S%fZ")
    return f"audit-checkpoint-{stamp}-{document['last_event_id']}.json"


def _write_once(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``, read-only; never replace an existing file. Written under a
    temporary name and linked into place, so a crash leaves no half-written checkpoint."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    try:
        os.fchmod(fd, 0o444)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(temporary, path)  # FileExistsError when the name is taken: nothing is overwritten
    finally:
        temporary.unlink()


def audit_checkpoint_write() -> AuditCheckpoint | None:
    """Write a signed checkpoint of the chain head (event count, last event and hash, anchor,
    time; HMAC with the audit chain key) as a new read-only file in ``AUDIT_CHECKPOINT_DIR``.
    None when the head has not moved since the newest checkpoint (the job is idempotent)."""
    head = AuditChainHead.objects.filter(pk=1).first()
    state = {
        "event_count": head.event_count if head else 0,
        "last_event_id": head.last_event_id if head else 0,
        "last_hash": head.last_hash if head else GENESIS_HASH,
        "anchor_hash": head.anchor_hash if head else GENESIS_HASH,
    }
    newest = audit_checkpoint_newest_file()
    if (
        newest is not None
        and newest.signed
        and state
        == {
            "event_count": newest.event_count,
            "last_event_id": newest.last_event_id,
            "last_hash": newest.last_hash,
            "anchor_hash": newest.anchor_hash,
        }
    ):
        return None
    created_at = timezone.now()
    document = checkpoint_document(created_at=created_at, **state)
    directory = Path(settings.AUDIT_CHECKPOINT_DIR) / f"{created_at:%Y}" / f"{created_at:%m}"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / _checkpoint_name(document)
    _write_once(path, (json.dumps(document, sort_keys=True, indent=1) + "\n").encode())
    return checkpoint_from_document(document, path)


# --- The database roles (operators: manage.py audit_db_roles) ---------------------------------


@transaction.atomic
def audit_db_roles_apply(*, app_role: str) -> None:
    """Apply the audit table's role set-up for ``app_role`` on this PostgreSQL database (the
    connection must be a superuser's). Idempotent; see ``audit_db_roles_sql``."""
    if connection.vendor != "postgresql":
        raise ApplicationError(_("Database roles exist on PostgreSQL only."))
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
        cursor.execute(audit_db_roles_sql(app_role=app_role, schema=schema, transaction=False))


# --- Sign-in failures and lockouts (SEC-2) ----------------------------------------------------


def _failure_limit() -> int | None:
    limit = getattr(settings, "AXES_FAILURE_LIMIT", None)
    return limit if isinstance(limit, int) else None


def _account(username: str):
    user_model = get_user_model()
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    return user_model, user


@transaction.atomic
def audit_sign_in_failure_record(*, username: str, locked_out: bool = False, failures: int | None = None) -> AuditEvent:
    """Record a failed sign-in: the username tried, the client IP and why (never the password).
    ``locked_out`` and ``failures`` are django-axes' verdict on the attempt."""
    username = str(username or "")[:150]
    user_model, user = _account(username)
    reason = sign_in_failure_reason(
        user_exists=user is not None,
        user_active=bool(user and user.is_active),
        locked_out=locked_out,
        failures=failures,
        limit=_failure_limit(),
    )
    changes = {"username": username, "reason": reason}
    if failures is not None:
        changes["failures"] = failures
    return audit_record(
        actor=None,
        actor_label="anonymous",
        action="auth.login_failed",
        object_type=user_model._meta.label_lower,
        object_id=user.pk if user else "",
        object_repr=username,
        changes=changes,
    )


@transaction.atomic
def audit_lockout_record(*, username: str, failures: int | None = None) -> AuditEvent | None:
    """Record that an account was locked after repeated failures, once per lockout: axes signals
    again at every attempt while locked, which ``audit_sign_in_failure_record`` records already."""
    limit = _failure_limit()
    if failures is None or (limit is not None and failures != limit):
        return None
    username = str(username or "")[:150]
    user_model, user = _account(username)
    return audit_record(
        actor=None,
        actor_label="anonymous",
        action="auth.lockout",
        object_type=user_model._meta.label_lower,
        object_id=user.pk if user else "",
        object_repr=username,
        changes={
            "username": username,
            "failures": failures,
            "locked_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            if isinstance(getattr(settings, "AXES_COOLOFF_TIME", None), datetime.timedelta)
            else None,
        },
    )
