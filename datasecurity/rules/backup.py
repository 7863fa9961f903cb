"""Pure rules of the backups (SEC-1): the encrypted bundle's format, the key, when a backup is due,
what pruning keeps and how a restored copy is compared with its manifest.

The bundle at rest ("CCBK" format, version 1)::

    header  = b"CCBK" | version (1 byte) | key id (8 bytes) | nonce prefix (8 bytes) | chunk size (4 bytes, big-endian)
    records = [ last flag (1 byte) | ciphertext length (4 bytes) | AES-256-GCM ciphertext+tag ] ...

Each record's nonce is the nonce prefix and the record's number (4 bytes); its associated data is
the header, the record's number and its last flag, so a record cannot be moved, dropped, cut off
after (the last one says it is last) or paired with another header without the tag failing.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "BUNDLE_CHUNK_SIZE",
    "BUNDLE_MAGIC",
    "BUNDLE_VERSION",
    "BundleError",
    "BundleWriter",
    "DecryptingReader",
    "backup_due",
    "backup_key_derive",
    "backup_key_id",
    "backup_key_parse",
    "bundle_header_read",
    "manifest_compare_counts",
    "manifest_compare_migrations",
    "prune_candidates",
]

BUNDLE_MAGIC = b"CCBK"
BUNDLE_VERSION = 1
BUNDLE_CHUNK_SIZE = 1024 * 1024
_HEADER = struct.Struct(">4sB8s8sI")
_RECORD = struct.Struct(">BI")
_TAG = 16


class BundleError(Exception):
    """The bundle cannot be read: wrong format, another key, or altered bytes."""


def backup_key_parse(text: str) -> bytes:
    """``BACKUP_ENCRYPTION_KEY``: URL-safe base64 of 32 bytes (AES-256). ValueError otherwise."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode() + b"=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("BACKUP_ENCRYPTION_KEY is not URL-safe base64") from exc
    if len(key) != 32:
        raise ValueError(f"BACKUP_ENCRYPTION_KEY must be 32 bytes (AES-256), got {len(key)}")
    return key


def backup_key_derive(secret_key: str) -> bytes:
    """The key of a non-production installation without ``BACKUP_ENCRYPTION_KEY``: HKDF-SHA256 of
    ``SECRET_KEY`` (so `make run` backs up without set-up; production must set its own key)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"callcenter backup key v1").derive(
        secret_key.encode()
    )


def backup_key_id(key: bytes) -> bytes:
    """8 bytes naming the key (not revealing it): a bundle says which key it needs."""
    return hashlib.sha256(b"callcenter backup key id\x00" + key).digest()[:8]


def _nonce(prefix: bytes, number: int) -> bytes:
    return prefix + struct.pack(">I", number)


def _aad(header: bytes, number: int, last: int) -> bytes:
    return header + struct.pack(">IB", number, last)


class BundleWriter:
    """A write-only file object that encrypts what is written into the bundle format on ``handle``
    (records of ``chunk_size`` bytes), with the SHA-256 and size of the bytes written. ``close()``
    writes the last record (call it once; the handle stays open)."""

    def __init__(self, handle, key: bytes, *, chunk_size: int = BUNDLE_CHUNK_SIZE):
        self._handle = handle
        self._aead = AESGCM(key)
        self._prefix = os.urandom(8)
        self._chunk_size = chunk_size
        self._header = _HEADER.pack(BUNDLE_MAGIC, BUNDLE_VERSION, backup_key_id(key), self._prefix, chunk_size)
        self._number = 0
        self._pending = bytearray()
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.closed = False
        self._out(self._header)

    def _out(self, data: bytes) -> None:
        self._handle.write(data)
        self.sha256.update(data)
        self.size += len(data)

    def _record(self, data: bytes, last: int) -> None:
        sealed = self._aead.encrypt(
            _nonce(self._prefix, self._number), bytes(data), _aad(self._header, self._number, last)
        )
        self._out(_RECORD.pack(last, len(sealed)) + sealed)
        self._number += 1

    def write(self, data) -> int:
        self._pending += data
        while len(self._pending) > self._chunk_size:
            self._record(self._pending[: self._chunk_size], 0)
            del self._pending[: self._chunk_size]
        return len(data)

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._record(self._pending, 1)
            self._pending = bytearray()
            self.closed = True


def bundle_header_read(handle) -> tuple[bytes, bytes, bytes, int]:
    """(header bytes, key id, nonce prefix, chunk size) of an open bundle; BundleError if not one."""
    header = handle.read(_HEADER.size)
    if len(header) != _HEADER.size:
        raise BundleError("not a backup bundle (too short)")
    magic, version, key_id, prefix, chunk_size = _HEADER.unpack(header)
    if magic != BUNDLE_MAGIC:
        raise BundleError("not a backup bundle (no CCBK header)")
    if version != BUNDLE_VERSION:
        raise BundleError(f"bundle format version {version} is not supported (this version reads {BUNDLE_VERSION})")
    return header, key_id, prefix, chunk_size


class DecryptingReader:
    """A read-only file object over a bundle: ``read(n)`` returns plaintext, each record checked
    by its tag; a wrong key, an altered byte or a cut-off bundle raises BundleError."""

    def __init__(self, handle, key: bytes):
        self._handle = handle
        self._header, key_id, self._prefix, self._chunk_size = bundle_header_read(handle)
        if key_id != backup_key_id(key):
            raise BundleError(
                f"the bundle was encrypted with key {key_id.hex()}, the key in BACKUP_ENCRYPTION_KEY is "
                f"{backup_key_id(key).hex()} (wrong key)"
            )
        self._aead = AESGCM(key)
        self._number = 0
        self._buffer = b""
        self._done = False

    def _next_record(self) -> None:
        head = self._handle.read(_RECORD.size)
        if len(head) != _RECORD.size:
            raise BundleError("the bundle is cut off (no last record)")
        last, length = _RECORD.unpack(head)
        if last not in (0, 1) or length > self._chunk_size + _TAG:
            raise BundleError(f"record {self._number} is damaged")
        sealed = self._handle.read(length)
        if len(sealed) != length:
            raise BundleError("the bundle is cut off (short record)")
        try:
            plain = self._aead.decrypt(
                _nonce(self._prefix, self._number), sealed, _aad(self._header, self._number, last)
            )
        except InvalidTag as exc:
            raise BundleError(f"record {self._number} fails its authentication tag (altered bytes)") from exc
        self._number += 1
        self._buffer += plain
        self._done = bool(last)

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._buffer) < size):
            self._next_record()
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def readable(self) -> bool:
        return True


def backup_due(
    *,
    now: datetime.datetime,
    schedule: str,
    daily_at: datetime.time,
    interval_hours: int,
    last_requested_at: datetime.datetime | None,
) -> bool:
    """Is a backup due (SEC-1 interval)? ``now`` is aware, local time of the installation.

    Daily: once the day's time has passed and nothing was started since it. Every N hours: N hours
    after the last one started. A failed attempt counts as the slot's attempt (its alert asks an
    administrator to act; the schedule does not hammer a broken location every 15 minutes)."""
    if schedule == "daily":
        slot = now.replace(hour=daily_at.hour, minute=daily_at.minute, second=0, microsecond=0)
        if now < slot:
            slot -= datetime.timedelta(days=1)
        return last_requested_at is None or last_requested_at < slot
    if last_requested_at is None:
        return True
    return now - last_requested_at >= datetime.timedelta(hours=interval_hours)


def prune_candidates(backups: list[tuple[int, bool]], *, keep: int) -> list[int]:
    """Which backups to delete: ``backups`` are (id, proven restorable) of the succeeded backups
    still stored, newest first. The newest ``keep`` stay, and the newest proven one always stays
    (it is the one we know we can restore), whatever its age."""
    last_proven = next((pk for pk, proven in backups if proven), None)
    return [pk for pk, _proven in backups[keep:] if pk != last_proven]


def manifest_compare_counts(expected: dict[str, int], found: dict[str, int]) -> list[str]:
    """The tables whose row counts differ between the manifest and the restored copy."""
    problems = []
    for table in sorted(set(expected) | set(found)):
        if table not in found:
            problems.append(f"{table}: missing in the restored copy")
        elif table not in expected:
            problems.append(f"{table}: not in the manifest")
        elif int(expected[table]) != int(found[table]):
            problems.append(f"{table}: {found[table]} rows restored, manifest says {expected[table]}")
    return problems


def manifest_compare_migrations(expected: list[str], found: list[str]) -> list[str]:
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    return [f"migration missing: {name}" for name in missing] + [f"migration not in manifest: {name}" for name in extra]
