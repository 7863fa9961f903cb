"""The certificate of completion (TRN-3): a PDF with the CJK font embedded, user text escaped,
nothing fetched, audited downloads for the owner, their reporting line and HR only."""

import datetime
import io
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from datasecurity.models import AuditEvent
from training import exports
from training.models import RecordResult
from training.tests.factories.records import course, record

DAY = timezone.localdate() - datetime.timedelta(days=5)


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for ref in page["/Resources"].get_object().get("/Font", {}).values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def passed(org):
    return record(
        org.agent, course("cert-1", title="数据安全意识培训", hours=Decimal("1.5")), day=DAY, score=Decimal("92")
    )


def test_certificate_pdf_has_the_cjk_font_and_the_facts_trn3(client, org, passed):
    client.force_login(org.agent.user)
    response = client.get(reverse("training:certificate", args=[passed.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "NotoSansCJKSC" in {f.split("+")[-1].replace("-", "") for f in _fonts(reader)}, _fonts(reader)
    for fact in (
        passed.certificate_no,
        "张伟",
        org.agent.employee_no,
        "数据安全意识培训",
        "1.5",
        "92",
        f"{DAY:%Y-%m-%d}",
    ):
        assert fact in text, fact
    event = AuditEvent.objects.get(action="training_record.certificate")
    assert event.changes["certificate_no"] == passed.certificate_no


def test_certificate_escapes_a_script_title_and_fetches_nothing(org):
    c = course("cert-xss", title='<script>alert(1)</script><img src="http://evil.example/x.png">')
    rec = record(org.agent, c, day=DAY)
    html = exports.certificate_html(rec)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<img" not in html
    fetcher = exports.NoFetchFetcher()
    data = exports.certificate_pdf(rec, fetcher=fetcher)
    assert fetcher.requested == []
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "<script>alert(1)</script>" in text  # printed as text


def test_the_fetcher_refuses_every_url():
    fetcher = exports.NoFetchFetcher()
    for url in ("file:///etc/passwd", "http://example.com/a.css", "data:text/plain,hi"):
        with pytest.raises(exports.CertificateURLRefusedError):
            fetcher.fetch(url)
    assert len(fetcher.requested) == 3


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("agent", 200),
        ("supervisor", 200),
        ("manager", 200),
        ("leader", 200),
        ("hr", 200),
        ("peer", 404),
        ("other_dept", 404),
    ],
)
def test_who_may_download_a_certificate_trn3(client, org, passed, who, status):
    client.force_login(getattr(org, who).user)
    assert client.get(reverse("api:training:certificate", args=[passed.pk])).status_code == status
    assert AuditEvent.objects.filter(action="training_record.certificate").count() == (1 if status == 200 else 0)


def test_a_failed_record_has_no_certificate(client, org):
    rec = record(org.agent, course("cert-2"), day=DAY, result=RecordResult.FAILED, score=Decimal("40"))
    client.force_login(org.agent.user)
    assert client.get(reverse("training:certificate", args=[rec.pk])).status_code == 404


def test_web_processes_do_not_load_weasyprint_for_training():
    code = (
        "import sys, django; django.setup(); from django.urls import resolve; resolve('/');"
        "import training.services, training.views.urls, training.api.urls;"
        "print('weasyprint' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "callcenter.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
