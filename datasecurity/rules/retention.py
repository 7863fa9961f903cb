"""The audit archive's file format (SEC-2), pure functions: no database, no storage.

An archive is gzip-compressed JSON lines: one line per audit event exactly as stored (every
field, ``prev_hash`` and ``hash`` included, the time in UTC to the microsecond), in chain order,
then one footer line: the chain checkpoint of the archive (first and last event id, count, the
first event's ``prev_hash``, the last event's ``hash``, the times of the oldest and newest event)
and its signature, an HMAC-SHA256 with the audit chain key (the key of the signed checkpoints,
``rules/audit.py``) over the event lines and the footer's fields. A reader can check the archive
alone: every event's hash, the chain inside it, the footer against the lines, the signature.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import hmac
import json
import zlib
from dataclasses import dataclass, field

from datasecurity.rules.audit import chain_key, compute_hash

__all__ = [
    "ARCHIVE_EVENT_FIELDS",
    "ARCHIVE_FORMAT",
    "ArchiveReading",
    "ArchiveSigner",
    "archive_line",
    "archive_read",
]

ARCHIVE_FORMAT = "callcenter-audit-archive/1"
# The columns of AuditEvent, in the order the service reads them (values_list).
ARCHIVE_EVENT_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "changes",
    "prev_hash",
    "hash",
)
_FOOTER_FIELDS = (
    "format",
    "first_event_id",
    "last_event_id",
    "event_count",
    "first_prev_hash",
    "last_hash",
    "first_occurred_at",
    "last_occurred_at",
)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def archive_line(row: tuple) -> bytes:
    """One event (a row of :data:`ARCHIVE_EVENT_FIELDS`) as a JSON line."""
    event = dict(zip(ARCHIVE_EVENT_FIELDS, row, strict=True))
    event["occurred_at"] = _utc(event["occurred_at"])
    return (json.dumps(event, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def _footer_payload(footer: dict) -> bytes:
    return json.dumps({k: footer.get(k) for k in _FOOTER_FIELDS}, sort_keys=True, separators=(",", ":")).encode()


class ArchiveSigner:
    """The archive's HMAC, fed line by line while the file is written (or read)."""

    def __init__(self):
        # Its own prefix: an archive signature is never taken for a checkpoint's or an event's.
        self._mac = hmac.new(chain_key(), b"audit-archive\0", hashlib.sha256)

    def update(self, line: bytes) -> None:
        self._mac.update(line)

    def sign(self, footer: dict) -> str:
        mac = self._mac.copy()
        mac.update(b"\0" + _footer_payload(footer))
        return mac.hexdigest()

    def footer_line(self, **fields) -> tuple[dict, bytes]:
        footer = {"format": ARCHIVE_FORMAT, **fields}
        for key in ("first_occurred_at", "last_occurred_at"):
            if isinstance(footer.get(key), datetime.datetime):
                footer[key] = _utc(footer[key])
        footer["signature"] = self.sign(footer)
        return footer, (json.dumps(footer, sort_keys=True, separators=(",", ":")) + "\n").encode()


@dataclass
class ArchiveReading:
    """What an archive file holds and what is wrong with it (``problems`` empty: intact)."""

    event_count: int = 0
    first_event_id: int | None = None
    last_event_id: int | None = None
    first_prev_hash: str = ""
    last_hash: str = ""
    footer: dict | None = None
    signed: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _event_hash(event: dict) -> str:
    return compute_hash(
        prev_hash=event["prev_hash"],
        occurred_at=datetime.datetime.fromisoformat(event["occurred_at"]),
        actor_id=event["actor_id"],
        actor_label=event["actor_label"],
        action=event["action"],
        object_type=event["object_type"],
        object_id=event["object_id"],
        object_repr=event["object_repr"],
        ip=event["ip"],
        changes=event["changes"],
    )


def archive_read(handle, *, max_problems: int = 20) -> ArchiveReading:
    """Read an archive from an open binary handle (streamed: one line at a time) and check it:
    each event's hash, the chain inside, the footer against the lines, the signature."""
    reading = ArchiveReading()
    signer = ArchiveSigner()
    previous_hash = None
    pending = None  # the latest line: the footer when the file ends
    try:
        with gzip.GzipFile(fileobj=handle, mode="rb") as lines:
            for line in lines:
                if pending is not None:
                    _read_event(reading, signer, pending, previous_hash)
                    previous_hash = reading.last_hash
                    if len(reading.problems) >= max_problems:
                        reading.problems.append("… too many problems, stopped")
                        return reading
                pending = line
    except (OSError, EOFError, zlib.error) as exc:
        reading.problems.append(f"not a readable gzip file ({type(exc).__name__}: {exc})")
        return reading
    _read_footer(reading, signer, pending)
    return reading


def _read_event(reading: ArchiveReading, signer: ArchiveSigner, line: bytes, previous_hash: str | None) -> None:
    signer.update(line)
    try:
        event = json.loads(line)
        event_id = int(event["id"])
        if previous_hash is not None and event["prev_hash"] != previous_hash:
            reading.problems.append(f"event {event_id}: previous event missing or altered (chain broken)")
        if _event_hash(event) != event["hash"]:
            reading.problems.append(f"event {event_id}: content does not match its hash (edited)")
    except (ValueError, KeyError, TypeError) as exc:
        reading.problems.append(f"line {reading.event_count + 1}: not an audit event ({type(exc).__name__})")
        reading.event_count += 1
        return
    if reading.first_event_id is None:
        reading.first_event_id = event_id
        reading.first_prev_hash = event["prev_hash"]
    elif event_id <= (reading.last_event_id or 0):
        reading.problems.append(f"event {event_id}: out of order")
    reading.last_event_id = event_id
    reading.last_hash = event["hash"]
    reading.event_count += 1


def _read_footer(reading: ArchiveReading, signer: ArchiveSigner, line: bytes | None) -> None:
    try:
        footer = json.loads(line) if line is not None else None
    except ValueError:
        footer = None
    if not isinstance(footer, dict) or footer.get("format") != ARCHIVE_FORMAT:
        reading.problems.append("the footer (checkpoint and signature) is missing: the file is cut short")
        return
    reading.footer = footer
    reading.signed = hmac.compare_digest(str(footer.get("signature", "")), signer.sign(footer))
    if not reading.signed:
        reading.problems.append("the signature does not fit the content (altered, or not made with the audit key)")
    found = {
        "first_event_id": reading.first_event_id,
        "last_event_id": reading.last_event_id,
        "event_count": reading.event_count,
        "first_prev_hash": reading.first_prev_hash,
        "last_hash": reading.last_hash,
    }
    for key, value in found.items():
        if footer.get(key) != value:
            reading.problems.append(f"the footer's {key} ({footer.get(key)}) differs from the events ({value})")
