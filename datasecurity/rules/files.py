"""What a private upload may be (SEC-2, SEC-3): PDF, JPEG or PNG, decided by the file's first
bytes, never by its name."""

from __future__ import annotations

__all__ = [
    "ALLOWED",
    "DECLARED_ALIASES",
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
