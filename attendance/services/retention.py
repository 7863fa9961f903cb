"""Destruction of leave certificates no longer needed (SEC-4), called by the destruction job of
``datasecurity`` through the category registered in ``attendance/apps.py``: at most ``limit``
files, each audited on its leave request in the same transaction; the rows go now, the files
from private storage once the transaction commits (files are not transactional)."""

from __future__ import annotations

import datetime

from django.db import transaction

from attendance.models import LeaveCertificate
from attendance.selectors.retention import leave_certificates_due_queryset
from datasecurity.services import DestructionMethod, audit_record_many, private_storage

__all__ = ["leave_certificates_destroy"]


@transaction.atomic
def leave_certificates_destroy(*, cutoff: datetime.datetime, method: str, limit: int) -> int:
    if method != DestructionMethod.FILE_DELETE:
        raise ValueError(f"leave certificates are destroyed by {DestructionMethod.FILE_DELETE}, not {method}")
    ids = list(leave_certificates_due_queryset(cutoff).values_list("pk", flat=True)[:limit])
    certificates = list(
        LeaveCertificate.objects.select_for_update().select_related("request").filter(pk__in=ids).order_by("pk")
    )
    if not certificates:
        return 0
    paths = [c.path for c in certificates]
    audit_record_many(
        actor=None,
        entries=[
            {
                "action": "leave_certificate.destroy",
                "obj": c.request,
                "changes": {"certificate": c.pk, "sha256": c.sha256, "size": c.size, "article": "SEC-4"},
            }
            for c in certificates
        ],
    )
    LeaveCertificate.objects.filter(pk__in=[c.pk for c in certificates]).delete()
    transaction.on_commit(lambda: _delete_files(paths))
    return len(certificates)


def _delete_files(paths: list[str]) -> None:
    storage = private_storage()
    for path in paths:
        storage.delete(path)
