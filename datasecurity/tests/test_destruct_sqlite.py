"""The destruction journey (SEC-4) on the `make run` database (SQLite, eager Celery), over HTTP:
HR opens the schedule and requests, the auditor approves, the job masks and deletes at once, the
register lists the record and its certificate downloads. Marked ``sqlite``: it runs in the
SQLite child run (conftest.py); a page that answered 500 there only would fail here."""

import pytest
from django.test import Client
from django.urls import reverse

from complaints.models import ComplaintAttachment
from datasecurity.models import DestructionRecord, DestructionRequest
from datasecurity.tests.factories.destruct import closed_complaint, evidence

pytestmark = pytest.mark.sqlite


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hr_requests_the_auditor_approves_and_the_register_shows_it_on_sqlite(sqlite_db, org, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    complaint = closed_complaint(org, 1, closed_days_ago=4 * 365)
    attachment = evidence(org, complaint)
    stored = settings.PRIVATE_MEDIA_ROOT / attachment.path
    assert stored.exists()
    hr, auditor = _client(org.hr.user), _client(org.auditor.user)

    assert hr.get(reverse("datasecurity:retention_schedule")).status_code == 200
    assert (
        hr.post(reverse("datasecurity:retention_schedule"), {"category": "complaint_contacts", "days": "x"}).status_code
        == 400
    )
    response = hr.post(reverse("datasecurity:destruction_request_list"), {"reason": "保留期已满"})
    assert response.status_code == 302, response.content[:500]
    request = DestructionRequest.objects.get()
    assert auditor.get(reverse("datasecurity:destruction_inbox")).status_code == 200
    assert auditor.post(reverse("datasecurity:destruction_request_approve", args=[request.pk])).status_code == 302

    request.refresh_from_db()
    complaint.refresh_from_db()
    assert request.status == "done"
    assert "*" in complaint.phone and not stored.exists() and not ComplaintAttachment.objects.exists()
    records = list(DestructionRecord.objects.values_list("category", "quantity"))
    assert sorted(records) == [("complaint_contacts", 1), ("complaint_evidence", 1)]
    assert auditor.get(reverse("datasecurity:destruction_register")).status_code == 200
    record = DestructionRecord.objects.order_by("pk").first()
    pdf = auditor.get(reverse("datasecurity:destruction_certificate", args=[record.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
