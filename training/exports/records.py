"""The certificate of completion of a passed training record as a PDF (TRN-3): WeasyPrint, Noto
Sans CJK SC, A4 portrait. Rendered by :func:`training.services.training_certificate_export`,
which imports this module only when it renders (WeasyPrint costs a web process 0.65 s and 40 MB it
otherwise never needs) and audits the download.

Security (SEC-3), the bonus PDF's rules: WeasyPrint reads ``file://`` URLs and local paths by
default, so the fetcher below refuses every URL (the certificate loads nothing: its stylesheet is
inline and the font is the system's), and ``base_url`` is empty so no relative URL resolves. The
course title, the employee's name and every other user text reach the HTML only through Django's
autoescaping: a ``<script>`` title is printed as text.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from training.models import TrainingRecord

__all__ = ["CertificateURLRefusedError", "NoFetchFetcher", "certificate_html", "certificate_pdf"]


class CertificateURLRefusedError(PermissionError):
    """The certificate asked for a resource; it may load none."""


class NoFetchFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that refuses everything (http(s), file:, data:, ...), stopping the
    rendering instead of leaving a silent gap; ``requested`` records what was asked for (the tests
    prove it stays empty whatever the user text)."""

    def __init__(self):
        super().__init__(fail_on_errors=True, allowed_protocols=())
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        raise CertificateURLRefusedError(f"the training certificate may not load {str(url)[:200]}")

    def __call__(self, url, *args, **kwargs):  # older WeasyPrint versions call the fetcher
        return self.fetch(url)


def certificate_html(record: TrainingRecord) -> str:
    """The certificate's printable HTML, in the active language."""
    return render_to_string(
        "training/records/certificate_pdf.html",
        {"record": record, "employee": record.employee, "course": record.course, "issued_on": timezone.localdate()},
    )


def certificate_pdf(record: TrainingRecord, *, fetcher: URLFetcher | None = None) -> bytes:
    """The certificate of ``record`` (a passed record with its number) as PDF bytes."""
    fetcher = fetcher or NoFetchFetcher()
    return HTML(string=certificate_html(record), base_url=None, url_fetcher=fetcher).write_pdf()
