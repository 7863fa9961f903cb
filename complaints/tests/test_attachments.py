"""Evidence files (CMP-2): checked by content, stored privately, served only to those who may
see the complaint, every read audited; names shown as text (no stored XSS)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from callcenter.errors import ApplicationError, PermissionDeniedError
from complaints import services
from complaints.models import ComplaintAttachment, ComplaintEvent, EventKind
from datasecurity.models import AuditEvent

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 64
XSS_NAME = "<img src=x onerror=alert(1)>.pdf"


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def complaint(org):
    return services.complaint_record(
        actor=org.agent.user, customer_name="王先生", phone="13812345678", matter="态度问题", channel="phone"
    )


def upload(name="录音截图.pdf", data=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_attach_records_evidence_and_audits(org, complaint, settings):
    attachment = services.complaint_attach(
        actor=org.handler.user, complaint_id=complaint.pk, upload=upload(), text="通话截图"
    )
    assert (settings.PRIVATE_MEDIA_ROOT / attachment.path).read_bytes().startswith(b"%PDF-")
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.EVIDENCE).count() == 1
    assert AuditEvent.objects.filter(action="complaint.attach").count() == 1


@pytest.mark.parametrize(
    ("file", "code"),
    [
        (lambda: upload(name="证据.pdf", data=EXE), "attachment_type"),
        (lambda: upload(content_type="image/png"), "attachment_type_mismatch"),
    ],
)
def test_bad_files_refused_and_nothing_kept(org, complaint, settings, file, code):
    with pytest.raises(ApplicationError) as exc:
        services.complaint_attach(actor=org.handler.user, complaint_id=complaint.pk, upload=file())
    assert exc.value.code == code
    assert not ComplaintAttachment.objects.exists()
    root = settings.PRIVATE_MEDIA_ROOT
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_only_the_team_attaches(org, complaint):
    with pytest.raises(PermissionDeniedError):
        services.complaint_attach(actor=org.agent.user, complaint_id=complaint.pk, upload=upload())


def test_download_matrix_and_audit(client, org, complaint):
    attachment = services.complaint_attach(actor=org.handler.user, complaint_id=complaint.pk, upload=upload(XSS_NAME))
    url = reverse("complaints:attachment", args=[attachment.pk])
    for who, expected in (("handler", 200), ("agent", 200), ("leader", 200), ("other_dept", 404), ("auditor", 404)):
        client.force_login(getattr(org, who).user)
        response = client.get(url)
        assert response.status_code == expected, who
        if expected == 200:
            assert response["X-Content-Type-Options"] == "nosniff"
            assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="complaint.attachment_view").count() == 3
    api = APIClient()
    api.force_authenticate(org.other_dept.user)
    assert api.get(f"/api/v1/complaints/attachments/{attachment.pk}/").status_code == 404


def test_file_name_shows_as_text(client, org, complaint):
    services.complaint_attach(actor=org.handler.user, complaint_id=complaint.pk, upload=upload(XSS_NAME))
    client.force_login(org.handler.user)
    html = client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
    assert "<img src=x onerror" not in html


def test_page_and_api_upload(client, org, complaint):
    client.force_login(org.handler.user)
    response = client.post(reverse("complaints:attach", args=[complaint.pk]), {"file": upload(), "text": "截图"})
    assert response.status_code == 302 and ComplaintAttachment.objects.count() == 1
    api = APIClient()
    api.force_authenticate(org.handler.user)
    response = api.post(
        f"/api/v1/complaints/{complaint.pk}/attachments/", {"file": upload(name="b.pdf")}, format="multipart"
    )
    assert response.status_code == 201 and ComplaintAttachment.objects.count() == 2
    bad = api.post(f"/api/v1/complaints/{complaint.pk}/attachments/", {"file": upload(data=EXE)}, format="multipart")
    assert bad.status_code == 400 and bad.json()["code"] == "attachment_type"
