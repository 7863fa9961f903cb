"""Private uploads (SEC-2, SEC-3): checked by content, stored outside the public media path.

Used by leave certificates (LV-2) and complaint evidence (CMP-2).

- The type is decided by the file's first bytes (PDF ``%PDF-``, JPEG ``FF D8 FF``, PNG
  ``89 50 4E 47 0D 0A 1A 0A``), never by its name; the browser's declared content type must agree
  with what the content is (a PDF sent as ``image/png`` is refused), and the extension we store
  comes from the content.
- Files larger than the caller's limit are refused before anything is written.
- Files live under ``PRIVATE_MEDIA_ROOT`` (outside the public media path) with a random name; the
  original name is kept only as text for display.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Callable
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.http import FileResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, NotFoundError

# content type -> (magic prefix, stored extension)
ALLOWED = {
    "application/pdf": (b"%PDF-", "pdf"),
    "image/jpeg": (b"\xff\xd8\xff", "jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", "png"),
}
# What browsers send for the same files.
DECLARED_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/x-pdf": "application/pdf"}


def private_storage() -> FileSystemStorage:
    """The storage of private files (read per call, so a changed setting takes effect)."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def sniff(head: bytes) -> str | None:
    for content_type, (magic, _ext) in ALLOWED.items():
        if head.startswith(magic):
            return content_type
    return None


def upload_check(upload, *, max_bytes: int, code_prefix: str = "upload") -> dict:
    """Validate an uploaded file; returns its facts or raises ApplicationError. Reads it once.
    Error codes are ``<code_prefix>_too_large``, ``_empty``, ``_type``, ``_type_mismatch``."""
    limit = max_bytes
    name = (getattr(upload, "name", "") or code_prefix)[-200:]
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ApplicationError(
            _("%(name)s is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": name, "size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)},
            code=f"{code_prefix}_too_large",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(
            _("%(name)s is too large; the limit is %(limit)s MB.") % {"name": name, "limit": round(limit / 1048576, 1)},
            code=f"{code_prefix}_too_large",
        )
    if not data:
        raise ApplicationError(_("%(name)s is empty.") % {"name": name}, code=f"{code_prefix}_empty")
    actual = sniff(data[:16])
    if actual is None:
        raise ApplicationError(
            _("%(name)s is not a PDF, JPEG or PNG file (checked by its content, not its name).") % {"name": name},
            code=f"{code_prefix}_type",
        )
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    declared = DECLARED_ALIASES.get(declared, declared)
    if declared and declared != "application/octet-stream" and declared != actual:
        raise ApplicationError(
            _("%(name)s says it is %(declared)s but its content is %(actual)s; please upload the original file.")
            % {"name": name, "declared": declared, "actual": actual},
            code=f"{code_prefix}_type_mismatch",
        )
    return {
        "data": data,
        "content_type": actual,
        "extension": ALLOWED[actual][1],
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "original_name": get_valid_filename(name)[:200] or code_prefix,
    }


def upload_store(*, checked: dict, prefix: str) -> str:
    """Write the checked bytes under a random name below ``prefix``; returns the storage path."""
    from django.core.files.base import ContentFile

    today = datetime.date.today()
    path = f"{prefix}/{today:%Y/%m}/{secrets.token_hex(16)}.{checked['extension']}"
    return private_storage().save(path, ContentFile(checked["data"]))


def private_open_audited(path: str, *, audit: Callable[[], None], not_found_message) -> BinaryIO:
    """Open a private file for reading and record the read with ``audit()`` in its own
    transaction (SEC-2: every read of sensitive files is audited). NotFoundError when the file
    is gone; the file is closed again if the audit fails."""
    try:
        handle = private_storage().open(path, "rb")
    except (OSError, SuspiciousFileOperation) as exc:
        raise NotFoundError(not_found_message) from exc
    try:
        with transaction.atomic():
            audit()
    except BaseException:
        handle.close()
        raise
    return handle


def private_file_response(handle, *, filename: str, content_type: str) -> FileResponse:
    """A private file as a download: an attachment, never sniffed, never cached, sandboxed."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
