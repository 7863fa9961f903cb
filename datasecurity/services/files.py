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
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, ErrorCode, NotFoundError
from datasecurity.rules.files import ALLOWED, DECLARED_ALIASES, file_sha256, sniff

__all__ = [
    "UploadErrorCodes",
    "file_sha256",
    "private_open_audited",
    "private_storage",
    "upload_check",
    "upload_store",
]


def private_storage() -> FileSystemStorage:
    """The storage of private files (read per call, so a changed setting takes effect)."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


@dataclass(frozen=True)
class UploadErrorCodes:
    """The codes a caller's refusals carry (declared in the caller's ``errors.py``: a leave
    certificate that is too large is ``certificate_too_large``, a complaint attachment
    ``attachment_too_large``)."""

    too_large: ErrorCode
    empty: ErrorCode
    type: ErrorCode
    type_mismatch: ErrorCode


def upload_check(upload, *, max_bytes: int, codes: UploadErrorCodes, name: str = "file") -> dict:
    """Validate an uploaded file; returns its facts or raises ApplicationError with one of
    ``codes``. Reads it once. ``name`` stands for a file that came without one."""
    limit = max_bytes
    name = (getattr(upload, "name", "") or name)[-200:]
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ApplicationError(
            _("%(name)s is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"name": name, "size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)},
            code=codes.too_large,
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(
            _("%(name)s is too large; the limit is %(limit)s MB.") % {"name": name, "limit": round(limit / 1048576, 1)},
            code=codes.too_large,
        )
    if not data:
        raise ApplicationError(_("%(name)s is empty.") % {"name": name}, code=codes.empty)
    actual = sniff(data[:16])
    if actual is None:
        raise ApplicationError(
            _("%(name)s is not a PDF, JPEG or PNG file (checked by its content, not its name).") % {"name": name},
            code=codes.type,
        )
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    declared = DECLARED_ALIASES.get(declared, declared)
    if declared and declared != "application/octet-stream" and declared != actual:
        raise ApplicationError(
            _("%(name)s says it is %(declared)s but its content is %(actual)s; please upload the original file.")
            % {"name": name, "declared": declared, "actual": actual},
            code=codes.type_mismatch,
        )
    return {
        "data": data,
        "content_type": actual,
        "extension": ALLOWED[actual][1],
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "original_name": get_valid_filename(name)[:200] or "file",
    }


def upload_store(*, checked: dict, prefix: str) -> str:
    """Write the checked bytes under a random name below ``prefix``; returns the storage path."""

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
