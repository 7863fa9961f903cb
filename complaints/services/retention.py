"""Destruction of complaint data no longer needed (SEC-4), called by the destruction job of
``datasecurity`` through the categories registered in ``complaints/apps.py``; each call destroys
at most ``limit`` items, audits each one in the same transaction and returns how many it destroyed.

- ``complaint_contacts_anonymise``: the customer's phone and e-mail of a closed complaint are
  replaced by their masks (138****1234, z***@example.com): the complaint, its timeline and its
  statistics stay, the contact details go;
- ``complaint_evidence_destroy``: evidence files of closed complaints are removed from private
  storage (after commit: files are not transactional) and their rows deleted.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from complaints import rules
from complaints.models import Complaint, ComplaintAttachment
from complaints.selectors.retention import complaint_contacts_due_queryset, complaint_evidence_due_queryset
from datasecurity.services import DestructionMethod, audit_record_many, private_storage

__all__ = ["complaint_contacts_anonymise", "complaint_evidence_destroy"]


def _refuse_method(method: str, expected: str) -> None:
    if method != expected:
        raise ValueError(f"complaint data of this category is destroyed by {expected}, not {method}")


@transaction.atomic
def complaint_contacts_anonymise(*, cutoff: datetime.datetime, method: str, limit: int) -> int:
    """Mask the contacts of up to ``limit`` complaints closed before ``cutoff`` (SEC-4)."""
    _refuse_method(method, DestructionMethod.ANONYMISE)
    ids = list(complaint_contacts_due_queryset(cutoff).values_list("pk", flat=True)[:limit])
    complaints = list(Complaint.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for complaint in complaints:
        complaint.phone = rules.mask_phone(complaint.phone)
        complaint.email = rules.mask_email(complaint.email)
    Complaint.objects.bulk_update(complaints, ["phone", "email"])
    audit_record_many(
        actor=None,
        entries=[
            {
                "action": "complaint.contact_anonymise",
                "obj": complaint,
                "changes": {"masked": "phone, e-mail", "article": "SEC-4"},
            }
            for complaint in complaints
        ],
    )
    return len(complaints)


@transaction.atomic
def complaint_evidence_destroy(*, cutoff: datetime.datetime, method: str, limit: int) -> int:
    """Delete up to ``limit`` evidence files of complaints closed before ``cutoff`` (SEC-4): the
    rows now, the files from storage once the transaction commits."""
    _refuse_method(method, DestructionMethod.FILE_DELETE)
    ids = list(complaint_evidence_due_queryset(cutoff).values_list("pk", flat=True)[:limit])
    attachments = list(
        ComplaintAttachment.objects.select_for_update().select_related("complaint").filter(pk__in=ids).order_by("pk")
    )
    if not attachments:
        return 0
    paths = [a.path for a in attachments]
    audit_record_many(
        actor=None,
        entries=[
            {
                "action": "complaint.attachment_destroy",
                "obj": a.complaint,
                "changes": {"attachment": a.pk, "sha256": a.sha256, "size": a.size, "article": "SEC-4"},
            }
            for a in attachments
        ],
    )
    ComplaintAttachment.objects.filter(pk__in=[a.pk for a in attachments]).delete()
    transaction.on_commit(lambda: _delete_files(paths))
    return len(attachments)


def _delete_files(paths: list[str]) -> None:
    storage = private_storage()
    for path in paths:
        storage.delete(path)
