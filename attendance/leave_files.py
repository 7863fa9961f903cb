"""Leave certificates (LV-2): checked by content and stored privately, by the shared upload
checks of :mod:`datasecurity.uploads` (PDF, JPEG or PNG by their first bytes; the declared type
must agree; at most ``LEAVE_CERTIFICATE_MAX_BYTES``; random names under ``PRIVATE_MEDIA_ROOT``)."""

from django.conf import settings

from datasecurity.uploads import private_storage, sniff, upload_check, upload_store

__all__ = ["certificate_check", "certificate_store", "private_storage", "sniff"]


def certificate_check(upload) -> dict:
    return upload_check(upload, max_bytes=settings.LEAVE_CERTIFICATE_MAX_BYTES, code_prefix="certificate")


def certificate_store(*, checked: dict) -> str:
    return upload_store(checked=checked, prefix="leave")
