"""Audit retention with signed archives (SEC-2): the events older than the retention in force are
written to an archive in both backup locations, each copy read back and compared, and only then
deleted from the database, one archive at a time.

``audit_retention_purge`` is the daily job's service (``manage.py audit_retention``):

1. the retention in force (``AuditPolicy.audit_retention_days``, never fewer than 180 days) gives
   the cutoff; the events before the first event younger than it (never the newest event) are due;
2. archives recorded by an interrupted run (``verified``, events not yet deleted) are checked
   again in both locations and their events deleted: nothing is archived twice;
3. the due events are streamed by id (keyset chunks, bounded memory) into a gzip'd JSON-lines
   archive of at most :data:`ARCHIVE_MAX_EVENTS` events with a signed footer
   (``rules/retention.py``), written to ``storages["backup_local"]`` and
   ``storages["backup_remote"]``, each copy read back and its SHA-256 compared; the
   :class:`AuditArchive` row is committed; then, in one transaction, the database function
   ``datasecurity_audit_purge(p_upto)`` deletes exactly that archive's events (it refuses
   anything else) and the deletion is audited. Repeated until no event is due.

A failed write, read-back or location deletes nothing, fails the run and alerts the
administrators and the security auditors (in the app and by e-mail). Two runs at once: the
second finds the first's lock and returns at once (PostgreSQL advisory lock).
"""

from __future__ import annotations

import datetime
import gzip
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import storages
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.roles import Role
from datasecurity.append_only import AUDIT_PURGE_FUNCTION, AUDIT_RETENTION_FLOOR_DAYS
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.models import AuditArchive, AuditArchiveStatus, AuditChainHead, AuditEvent, AuditPolicy
from datasecurity.rules.destruct import JOB_CATEGORY_AUDIT_EVENTS, JOB_CATEGORY_LABELS, DestructionMethod
from datasecurity.rules.retention import ARCHIVE_EVENT_FIELDS, ArchiveSigner, archive_line
from datasecurity.selectors import can_read_audit
from datasecurity.selectors.retention import ARCHIVE_LOCATIONS, audit_archive_copy_check
from datasecurity.services.audit import audit_record
from datasecurity.services.destruct import destruction_record_write
from datasecurity.services.files import file_sha256

__all__ = [
    "ARCHIVE_CONTENT_TYPE",
    "ARCHIVE_MAX_EVENTS",
    "RetentionResult",
    "audit_archive_open",
    "audit_archive_verification_save",
    "audit_retention_purge",
]

# One archive holds at most this many events (a large backlog becomes several archives, each
# archived then deleted on its own): about 100 MB of gzip, a few minutes of work.
ARCHIVE_MAX_EVENTS = 1_000_000
# Events read per query while an archive is written (keyset pagination by id).
ARCHIVE_CHUNK = 5_000
# pg_try_advisory_lock's key: one retention run at a time on a database.
_RUN_LOCK_KEY = 0x5EC2_A7C1
ARCHIVE_CONTENT_TYPE = "application/gzip"


@dataclass
class RetentionResult:
    """What a retention run did (or, ``dry_run``, would do). ``purged``: events deleted;
    ``archived``: events written to new archives; ``archives``: the archives completed."""

    purged: int
    purged_before: datetime.datetime
    retention_days: int
    archived: int = 0
    archives: list[AuditArchive] = field(default_factory=list)
    due: int = 0
    pending_archives: int = 0
    dry_run: bool = False
    busy: bool = False

    def summary(self) -> str:
        """The run's line on the health page and in the command's output."""
        cutoff = f"{self.purged_before:%Y-%m-%d %H:%M} UTC"
        if self.busy:
            return "another retention run is in progress: nothing done"
        if self.dry_run:
            return (
                f"dry run: {self.due} events older than {self.retention_days} days (before {cutoff}) would be "
                f"archived and deleted; {self.pending_archives} archive(s) wait for their events to be deleted"
            )
        names = ", ".join(a.stored_name for a in self.archives) or "none"
        return (
            f"{self.archived} events archived, {self.purged} deleted (retention {self.retention_days} days, "
            f"before {cutoff}; SEC-2); archives: {names}"
        )


def _retention_in_force() -> tuple[int, datetime.datetime]:
    """The days of the policy in force (never below the floor, as the database function reads
    them) and the cutoff: events older than it are due."""
    policy = AuditPolicy.objects.filter(effective_from__lte=timezone.localdate()).order_by("-effective_from").first()
    days = max(policy.audit_retention_days if policy else AUDIT_RETENTION_FLOOR_DAYS, AUDIT_RETENTION_FLOOR_DAYS)
    return days, timezone.now() - datetime.timedelta(days=days)


def _boundary(cutoff: datetime.datetime) -> int:
    """The first event kept: the oldest event younger than the cutoff, and never beyond the
    newest event (it anchors the head and the checkpoints). 0 when the trail is empty."""
    head = AuditChainHead.objects.filter(pk=1).values_list("last_event_id", flat=True).first()
    if not head:
        return 0
    first_kept = AuditEvent.objects.filter(occurred_at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
    return min(first_kept or head, head)


def _not_set_up() -> ApplicationError:
    return ApplicationError(
        _(
            "The audit retention cannot run: the database set-up of the audit trail is missing or older than "
            "the archives. An operator runs `manage.py audit_db_roles --apply` (docs/operations.md)."
        ),
        code=DataSecurityErrorCode.RETENTION_NOT_SET_UP,
    )


def _require_set_up() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure(%s)", [f"{AUDIT_PURGE_FUNCTION}(bigint)"])
        if cursor.fetchone()[0] is None:
            raise _not_set_up()


@contextmanager
def _run_lock() -> Iterator[bool]:
    """One run at a time (PostgreSQL: a session advisory lock, released when the run ends or its
    connection drops, so a killed run never blocks the next). SQLite (`make run`): one process."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_RUN_LOCK_KEY])
        got = cursor.fetchone()[0]
    try:
        yield got
    finally:
        if got:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_RUN_LOCK_KEY])


def audit_retention_purge(
    *, actor=None, dry_run: bool = False, max_events: int | None = None, notify: bool = True
) -> RetentionResult:
    """Archive, then delete, the audit events older than the retention in force (SEC-2; see the
    module's description). Idempotent: run again, it archives nothing twice and deletes nothing
    twice. Each archive's deletion is audited (``audit.retention_purge``). A failure deletes
    nothing of the archive concerned, alerts (``notify``) and raises :class:`ApplicationError`."""
    days, cutoff = _retention_in_force()
    _require_set_up()
    max_events = max(1, max_events or ARCHIVE_MAX_EVENTS)
    result = RetentionResult(purged=0, purged_before=cutoff, retention_days=days, dry_run=dry_run)
    with _run_lock() as got:
        if not got:
            result.busy = True
            return result
        boundary = _boundary(cutoff)
        pending = list(AuditArchive.objects.filter(status=AuditArchiveStatus.VERIFIED).order_by("first_event_id"))
        if dry_run:
            result.due = AuditEvent.objects.filter(id__lt=boundary).count()
            result.pending_archives = len(pending)
            return result
        try:
            # An interrupted run's archives first: checked again, then only their events deleted.
            for archive in pending:
                if archive.last_event_id >= boundary:
                    # The retention grew since: these events are kept for now, and so is
                    # everything after them (archives never overlap).
                    return result
                for location in archive.locations:
                    kind, problem = audit_archive_copy_check(archive, location)
                    if kind:
                        raise _archive_failed(archive.stored_name, problem)
                result.purged += _archived_events_delete(archive=archive, actor=actor)
                result.archives.append(archive)
            while True:
                first = AuditEvent.objects.filter(id__lt=boundary).order_by("id").values_list("id", flat=True).first()
                if first is None:
                    break
                archive = _archive_write(first_id=first, boundary=boundary, days=days, max_events=max_events)
                result.archived += archive.event_count
                result.purged += _archived_events_delete(archive=archive, actor=actor)
                result.archives.append(archive)
        except ApplicationError as exc:
            if notify:
                _alert(str(exc.message))
            raise
    return result


def _archive_failed(name: str, problem: str) -> ApplicationError:
    return ApplicationError(
        _("Audit archive %(name)s: %(problem)s. Nothing was deleted (SEC-2).") % {"name": name, "problem": problem},
        code=DataSecurityErrorCode.RETENTION_ARCHIVE_FAILED,
    )


def _stored_name(first_id: int, last_id: int, first_at: datetime.datetime) -> str:
    return f"audit-archives/{first_at:%Y}/audit-events-{first_id:012d}-{last_id:012d}.jsonl.gz"


def _archive_write(*, first_id: int, boundary: int, days: int, max_events: int) -> AuditArchive:
    """Stream the events from ``first_id`` (at most ``max_events``, all before ``boundary``) into
    a signed archive in a temporary file, copy it to every location, read each copy back and
    compare its SHA-256, then record the archive (committed: an interrupted run resumes from it)."""
    with tempfile.TemporaryFile(prefix="audit-archive-") as raw:
        signer = ArchiveSigner()
        count, last_id = 0, first_id - 1
        first_row = last_row = None
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0) as archive_file:
            while count < max_events:
                rows = list(
                    AuditEvent.objects.filter(id__gt=last_id, id__lt=boundary)
                    .order_by("id")
                    .values_list(*ARCHIVE_EVENT_FIELDS)[: min(ARCHIVE_CHUNK, max_events - count)]
                )
                if not rows:
                    break
                for row in rows:
                    line = archive_line(row)
                    archive_file.write(line)
                    signer.update(line)
                first_row = first_row or rows[0]
                last_row = rows[-1]
                last_id = last_row[0]
                count += len(rows)
            fields = dict(
                first_event_id=first_row[0],
                last_event_id=last_row[0],
                event_count=count,
                first_prev_hash=first_row[10],
                last_hash=last_row[11],
                first_occurred_at=first_row[1],
                last_occurred_at=last_row[1],
            )
            footer, footer_line = signer.footer_line(**fields)
            archive_file.write(footer_line)
        size = raw.tell()
        raw.seek(0)
        sha256 = file_sha256(raw)
        name = _stored_name(first_row[0], last_row[0], first_row[1])
        for location in ARCHIVE_LOCATIONS:
            raw.seek(0)
            _copy_to(location, name, raw)
        for location in ARCHIVE_LOCATIONS:
            kind, problem = audit_archive_copy_check(None, location, name=name, sha256=sha256)
            if kind:
                raise _archive_failed(name, problem)
    with transaction.atomic():
        return AuditArchive.objects.create(
            **fields,
            signature=footer["signature"],
            sha256=sha256,
            size=size,
            stored_name=name,
            locations=list(ARCHIVE_LOCATIONS),
            retention_days=days,
            status=AuditArchiveStatus.VERIFIED,
        )


def _copy_to(location: str, name: str, raw) -> None:
    """Write the archive under ``name`` in one location, replacing a copy left by a run that
    stopped before recording it (no archive row: never verified, never relied on)."""
    try:
        storage = storages[location]
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, File(raw, name=name.rsplit("/", 1)[-1]))
    # Any storage failure (OS, SFTP, S3) stops the run the same way.
    except Exception as exc:
        raise _archive_failed(
            name, _("location %(location)s cannot be written (%(error)s)") % {"location": location, "error": exc}
        ) from exc
    if saved != name:
        stored = _("location %(location)s stored it as %(saved)s") % {"location": location, "saved": saved}
        raise _archive_failed(name, stored)


def _archived_events_delete(*, archive: AuditArchive, actor) -> int:
    """Delete exactly the events of ``archive`` (one transaction: the database function on
    PostgreSQL, the same rule here on SQLite), mark it deleted and audit the deletion."""
    with transaction.atomic():
        archive = AuditArchive.objects.select_for_update().get(pk=archive.pk)
        if archive.status == AuditArchiveStatus.DELETED:
            return 0
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    # A constant name, the bound as a parameter: datasecurity/append_only.py.
                    cursor.execute(f"SELECT purged FROM {AUDIT_PURGE_FUNCTION}(%s)", [archive.last_event_id])  # noqa: S608
                    (purged,) = cursor.fetchone()
            except DatabaseError as exc:
                if "archive" in str(exc) or "retention" in str(exc):
                    raise ApplicationError(
                        _("The database refused to delete the events of audit archive %(name)s: %(reason)s")
                        % {"name": archive.stored_name, "reason": str(exc).splitlines()[0]},
                        code=DataSecurityErrorCode.RETENTION_DELETE_REFUSED,
                    ) from exc
                raise _not_set_up() from exc
        else:
            purged = _archived_events_delete_here(archive)
        archive.status = AuditArchiveStatus.DELETED
        archive.deleted_at = timezone.now()
        archive.deleted_count = purged
        archive.save(update_fields=["status", "deleted_at", "deleted_count"])
        audit_record(
            actor=actor,
            action="audit.retention_purge",
            obj=archive,
            changes={
                "purged": purged,
                "first_event_id": archive.first_event_id,
                "last_event_id": archive.last_event_id,
                "archive": archive.stored_name,
                "sha256": archive.sha256,
                "retention_days": archive.retention_days,
                "method": archive.method,
            },
        )
        # SEC-4: the register holds every destruction, the retention's too (same transaction).
        destruction_record_write(
            category=JOB_CATEGORY_AUDIT_EVENTS,
            name=str(JOB_CATEGORY_LABELS[JOB_CATEGORY_AUDIT_EVENTS]),
            quantity=purged,
            method=DestructionMethod.ARCHIVE_DELETE,
            responsible=actor,
            responsible_label="" if actor else str(_("The daily audit retention job (policy in force)")),
            details={
                "archive": archive.stored_name,
                "first_event_id": archive.first_event_id,
                "last_event_id": archive.last_event_id,
                "sha256": archive.sha256,
                "retention_days": archive.retention_days,
            },
        )
    return purged


def _archived_events_delete_here(archive: AuditArchive) -> int:
    """The database function's rule, for SQLite (no roles, no trigger there)."""
    days, cutoff = _retention_in_force()
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        return 0
    if archive.last_event_id >= _boundary(cutoff):
        raise ApplicationError(
            _("Audit events up to %(id)s are not all older than the retention of %(days)s days (SEC-2).")
            % {"id": archive.last_event_id, "days": days},
            code=DataSecurityErrorCode.RETENTION_DELETE_REFUSED,
        )
    events = AuditEvent.objects.filter(id__lte=archive.last_event_id)
    first = events.order_by("id").values_list("id", flat=True).first()
    if first is None:
        return 0
    if first < archive.first_event_id:
        raise ApplicationError(
            _("Audit event %(id)s is older than archive %(name)s: nothing is deleted unarchived (SEC-2).")
            % {"id": first, "name": archive.stored_name},
            code=DataSecurityErrorCode.RETENTION_DELETE_REFUSED,
        )
    purged, _counts = events.delete()
    if purged != archive.event_count:
        raise ApplicationError(
            _("Audit archive %(name)s holds %(count)s events, %(found)s found: nothing deleted (SEC-2).")
            % {"name": archive.stored_name, "count": archive.event_count, "found": purged},
            code=DataSecurityErrorCode.RETENTION_DELETE_REFUSED,
        )
    head.anchor_hash = AuditEvent.objects.order_by("id").values_list("prev_hash", flat=True).first()
    head.event_count -= purged
    head.save(update_fields=["anchor_hash", "event_count"])
    return purged


def _alert(problem: str) -> None:
    """Tell the administrators and the security auditors, in the app and by e-mail."""
    # Here, not at the top: the core's services import this package (the audit exception).
    from callcenter.services.notifications import notification_send  # noqa: PLC0415

    recipients = (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(groups__name=Role.SECURITY_AUDITOR), is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )
    with transaction.atomic():
        notification_send(
            recipients=list(recipients),
            kind="audit.retention_failed",
            title=gettext_lazy("Audit retention failed: nothing was deleted (SEC-2)"),
            body=gettext_lazy(
                "The audit retention stopped before deleting any event of the archive concerned: %(problem)s "
                "Check both backup locations, then run `manage.py audit_retention` again."
            ),
            params={"problem": problem},
            url=reverse("datasecurity:audit_archive_list"),
        )


# --- The auditor's download and the verification's outcome ----------------------------------


def audit_archive_open(*, actor, archive_id: int):
    """Open an archive for a security auditor: the first copy whose SHA-256 matches the record
    (a changed or missing copy is skipped); every download is audited
    (``audit.archive_download``). Returns (archive, open binary handle)."""
    if not can_read_audit(actor):
        raise PermissionDeniedError(_("Only the security auditor reads the audit archives."))
    archive = AuditArchive.objects.filter(pk=archive_id).first()
    if archive is None:
        raise NotFoundError(_("Audit archive not found."))
    for location in archive.locations:
        if audit_archive_copy_check(archive, location)[0]:
            continue
        try:
            handle = storages[location].open(archive.stored_name, "rb")
        except Exception:  # noqa: BLE001, S112 - an unreachable location: try the other copy
            continue
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="audit.archive_download",
                obj=archive,
                changes={"location": location, "sha256": archive.sha256},
            )
        return archive, handle
    raise ApplicationError(
        _("No intact copy of this archive can be read now: both locations are missing, altered or unreachable."),
        code=DataSecurityErrorCode.ARCHIVE_UNAVAILABLE,
        status=409,
    )


def audit_archive_verification_save(*, checks, verified_at: datetime.datetime | None = None) -> int:
    """Record on each archive the outcome of its latest verification (``audit_verify``,
    ``ChainReport.archives``) for the auditor's page. Returns how many were updated."""
    verified_at = verified_at or timezone.now()
    updated = []
    for check in checks:
        archive = check.archive
        archive.verified_at = verified_at
        archive.verify_ok = check.ok
        archive.verify_detail = "\n".join([*check.problems, *check.notes])[:4000]
        updated.append(archive)
    with transaction.atomic():
        AuditArchive.objects.bulk_update(updated, ["verified_at", "verify_ok", "verify_detail"], batch_size=500)
    return len(updated)
