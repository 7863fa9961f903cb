"""What a private upload may be (SEC-2, SEC-3): PDF, JPEG or PNG, decided by the file's first
bytes, never by its name."""

from __future__ import annotations

import hashlib

__all__ = [
    "ALLOWED",
    "DECLARED_ALIASES",
    "file_sha256",
    "sniff",
]

# content type -> (magic prefix, stored extension)
ALLOWED = {
    "application/pdf": (b"%PDF-", "pdf"),
    "image/jpeg": (b"\xff\xd8\xff", "jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
}

# What browsers send for the same files.
DECLARED_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/x-pdf": "application/pdf"}


def sniff(head: bytes) -> str | None:
    for content_type, (magic, _ext) in ALLOWED.items():
        if head.startswith(magic):
            return content_type
    return None


def file_sha256(handle) -> str:
    """The SHA-256 of an open binary file from where it stands, read 1 MiB at a time (stored
    exports, backup copies and audit archives are checked against their recorded digest)."""
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()
