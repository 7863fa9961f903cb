"""The certificate of destruction (SEC-4) as PDF: WeasyPrint, A4 portrait, Noto Sans CJK SC, in
the active language (Chinese by default, English for a reader who reads English).

Security (SEC-3), as for the bonus sheet PDF (``performance/exports/bonus.py``): WeasyPrint reads
``file://`` URLs and local paths by default, so the fetcher below refuses every URL and stops the
rendering when anything is asked for; ``base_url`` is empty, so no relative URL resolves; the
stylesheet is inlined; user text reaches the HTML only through Django's autoescaping.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from datasecurity.models import DestructionMethod, DestructionRecord

__all__ = ["NothingFetcher", "RefusedURLError", "destruction_certificate_html", "destruction_certificate_pdf"]


class RefusedURLError(PermissionError):
    """The certificate asked for a resource it may not load."""


class NothingFetcher(URLFetcher):
    """Serves nothing: the certificate loads no resource at all (fonts come from fontconfig).
    ``requested`` records every URL asked for (tests prove it stays empty for user text)."""

    def __init__(self):
        super().__init__(fail_on_errors=True, allowed_protocols=("file",))
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        raise RefusedURLError(f"the certificate of destruction may not load {url[:200]}")


def _person(user) -> str:
    if user is None:
        return ""
    employee = getattr(user, "employee", None)
    name = employee.name if employee is not None else ""
    return f"{name} ({user.get_username()})" if name else user.get_username()


def destruction_certificate_html(*, record: DestructionRecord, category_label: str) -> str:
    """The certificate's printable HTML in the active language (select the record with its
    ``responsible``, ``approver`` and their employees)."""
    request = record.request
    context = {
        "record": record,
        "company": settings.COMPANY_NAME,
        "category_label": category_label,
        "method_label": DestructionMethod(record.method).label if record.method in DestructionMethod.values else "",
        "destroyed_at": timezone.localtime(record.destroyed_at),
        "responsible": _person(record.responsible) or record.responsible_label,
        "approver": _person(record.approver),
        "request": request,
        "details": record.details or {},
        "language": translation.get_language() or settings.LANGUAGE_CODE,
        "issued_at": timezone.localtime(),
    }
    return render_to_string("datasecurity/destruct/certificate_pdf.html", context)


def destruction_certificate_pdf(
    *, record: DestructionRecord, category_label: str, fetcher: URLFetcher | None = None
) -> bytes:
    html = destruction_certificate_html(record=record, category_label=category_label)
    return HTML(string=html, base_url=None, url_fetcher=fetcher or NothingFetcher()).write_pdf()
