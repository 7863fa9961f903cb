"""Leave certificates (LV-2): checked by content and stored privately, by the shared upload
checks of :mod:`datasecurity.uploads` (PDF, JPEG or PNG by their first bytes; the declared type
must agree; at most ``LEAVE_CERTIFICATE_MAX_BYTES``; random names under ``PRIVATE_MEDIA_ROOT``)."""

from django.conf import settings

from attendance.errors import AttendanceErrorCode
from datasecurity.rules import sniff
from datasecurity.services import UploadErrorCodes, private_storage, upload_check, upload_store

CERTIFICATE_CODES = UploadErrorCodes(
    too_large=AttendanceErrorCode.CERTIFICATE_TOO_LARGE,
    empty=AttendanceErrorCode.CERTIFICATE_EMPTY,
    type=AttendanceErrorCode.CERTIFICATE_TYPE,
    type_mismatch=AttendanceErrorCode.CERTIFICATE_TYPE_MISMATCH,
)

__all__ = ["certificate_check", "certificate_store", "private_storage", "sniff"]


def certificate_check(upload) -> dict:
    return upload_check(
        upload, max_bytes=settings.LEAVE_CERTIFICATE_MAX_BYTES, codes=CERTIFICATE_CODES, name="certificate"
    )


def certificate_store(*, checked: dict) -> str:
    return upload_store(checked=checked, prefix="leave")
