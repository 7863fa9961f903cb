"""Reads of the audit retention (SEC-2): the archives for the security auditor, a copy's check
in a backup location, and the verification of the archives: each one alone (both copies'
SHA-256, the signature, the chain inside) and all together (archive N ends where archive N+1
begins; the newest deleted archive ends where the live chain begins)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.core.files.storage import storages
from django.db.models import QuerySet, Sum

from callcenter.errors import NotFoundError, PermissionDeniedError
from callcenter.selectors import job_run_last, policy_in_force
from datasecurity.models import AuditArchive, AuditArchiveStatus, AuditEvent, AuditPolicy
from datasecurity.rules.files import file_sha256
from datasecurity.rules.retention import archive_read
from datasecurity.selectors import can_read_audit

__all__ = [
    "ARCHIVE_LOCATIONS",
    "AUDIT_RETENTION_JOB",
    "ArchiveCheck",
    "audit_archive_check",
    "audit_archive_copy_check",
    "audit_archive_filename",
    "audit_archive_get",
    "audit_archive_list",
    "audit_archives_verify",
    "audit_retention_overview",
]

# Both backup locations of SEC-1 (settings.STORAGES): every archive is in each.
ARCHIVE_LOCATIONS = ("backup_local", "backup_remote")
AUDIT_RETENTION_JOB = "audit-retention"


def _require_auditor(user) -> None:
    if not can_read_audit(user):
        raise PermissionDeniedError("Only the security auditor reads the audit archives.")


def audit_archive_list(*, user) -> QuerySet[AuditArchive]:
    """Every archive, newest range first (the page and the API paginate it)."""
    _require_auditor(user)
    return AuditArchive.objects.order_by("-first_event_id")


def audit_archive_get(*, user, pk: int) -> AuditArchive:
    _require_auditor(user)
    archive = AuditArchive.objects.filter(pk=pk).first()
    if archive is None:
        raise NotFoundError("Audit archive not found.")
    return archive


def audit_archive_filename(archive: AuditArchive) -> str:
    return archive.stored_name.rsplit("/", 1)[-1]


def audit_retention_overview(*, user) -> dict:
    """The head of the archives page: the retention in force (SEC-2), the latest run of the
    job and the archives' totals (three queries)."""
    _require_auditor(user)
    totals = AuditArchive.objects.aggregate(events=Sum("event_count"), size=Sum("size"))
    return {
        "retention_days": max(policy_in_force(AuditPolicy).audit_retention_days, 180),
        "last_run": job_run_last(job=AUDIT_RETENTION_JOB),
        "events": totals["events"] or 0,
        "size": totals["size"] or 0,
    }


def audit_archive_copy_check(
    archive: AuditArchive | None, location: str, *, name: str = "", sha256: str = ""
) -> tuple[str, str]:
    """Check the copy of an archive in one location: ``("", "")`` when it is there with the
    recorded SHA-256, else (``unreachable`` | ``missing`` | ``altered``, what to say)."""
    name = name or archive.stored_name
    sha256 = sha256 or archive.sha256
    try:
        storage = storages[location]
        if not storage.exists(name):
            return "missing", f"missing from location {location}"
        with storage.open(name, "rb") as handle:
            found = file_sha256(handle)
    except Exception as exc:  # noqa: BLE001 - any storage failure (OS, SFTP, S3) means the same here
        return "unreachable", f"location {location} cannot be read ({type(exc).__name__}: {exc})"
    if found != sha256:
        return "altered", f"the copy in location {location} differs from its SHA-256 (altered or damaged)"
    return "", ""


@dataclass
class ArchiveCheck:
    """One archive's verification: ``problems`` (evidence altered or missing) and ``notes``
    (a location unreachable now); the chain values read from the file itself."""

    archive: AuditArchive
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    first_prev_hash: str = ""
    last_hash: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        a = self.archive
        return f"archive {a.stored_name} (events {a.first_event_id}–{a.last_event_id})"


def audit_archive_check(archive: AuditArchive) -> ArchiveCheck:
    """Both copies against the recorded SHA-256 (when reachable), then the content of one intact
    copy: every event's hash, the chain inside, the footer against the events and the record,
    the signature."""
    check = ArchiveCheck(archive, first_prev_hash=archive.first_prev_hash, last_hash=archive.last_hash)
    intact = []
    for location in archive.locations:
        kind, message = audit_archive_copy_check(archive, location)
        if kind == "unreachable":
            check.notes.append(f"{check.label}: {message}")
        elif kind:
            check.problems.append(f"{check.label}: {message}")
        else:
            intact.append(location)
    if not intact:
        if not check.problems:
            check.notes.append(f"{check.label}: no copy reachable, content not verified")
        return check
    with storages[intact[0]].open(archive.stored_name, "rb") as handle:
        reading = archive_read(handle)
    check.problems.extend(f"{check.label}: {problem}" for problem in reading.problems)
    check.first_prev_hash, check.last_hash = reading.first_prev_hash, reading.last_hash
    recorded = {
        "first_event_id": archive.first_event_id,
        "last_event_id": archive.last_event_id,
        "event_count": archive.event_count,
        "first_prev_hash": archive.first_prev_hash,
        "last_hash": archive.last_hash,
        "signature": archive.signature,
    }
    footer = reading.footer or {}
    for key, value in recorded.items():
        if reading.footer is not None and footer.get(key) != value:
            check.problems.append(f"{check.label}: the record's {key} differs from the file's")
    return check


def audit_archives_verify(*, head) -> tuple[list[ArchiveCheck], list[str]]:
    """Every archive checked (:func:`audit_archive_check`) and the links between them: each
    archive begins where the one before ended, and the newest archive whose events are deleted
    ends where the live chain begins (the head's anchor). An archive removed with its record
    breaks a link, named by its neighbours. Returns (checks, problems of the links)."""
    archives = list(AuditArchive.objects.order_by("first_event_id"))
    checks = [audit_archive_check(archive) for archive in archives]
    problems = []
    for before, after in itertools.pairwise(checks):
        if before.last_hash != after.first_prev_hash:
            problems.append(
                f"{after.label} does not continue {before.label}: an archive between them is missing or altered"
            )
    deleted = [c for c in checks if c.archive.status == AuditArchiveStatus.DELETED]
    if deleted and head is not None:
        newest = deleted[-1]
        following = [c for c in checks if c.archive.status == AuditArchiveStatus.VERIFIED]
        if not following and newest.last_hash != head.anchor_hash:
            problems.append(
                f"the live chain does not begin where {newest.label} ends: events between them are missing "
                "or the archive is altered"
            )
    for check in checks:
        if check.archive.status != AuditArchiveStatus.VERIFIED:
            continue
        live = AuditEvent.objects.filter(pk=check.archive.last_event_id).values_list("hash", flat=True).first()
        if live is not None and live != check.last_hash:
            problems.append(f"{check.label}: its last event differs from the live chain's")
    return checks, problems
