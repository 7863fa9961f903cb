"""Complaints in the global search (issue 14), registered in :mod:`complaints.apps` as a
``callcenter.providers.SearchProvider``: by complaint number (TS…), over the complaints the reader
may see (:func:`complaint_list`'s visibility, SEC-2). A hit names the number, category, status and
date — never the customer's contact details, nor their name."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from callcenter.providers import SearchHit
from complaints.selectors.complaints import complaint_list

__all__ = ["complaint_search"]


def complaint_search(*, user, query: str, limit: int) -> tuple[list[SearchHit], str]:
    """Complaints whose number starts with ``query`` (case-insensitive). One query."""
    text = query.replace(" ", "")
    rows = list(complaint_list(user=user).filter(reference__istartswith=text)[: limit + 1])
    hits = [
        SearchHit(
            title=complaint.reference,
            detail=" · ".join(
                part
                for part in (
                    complaint.category.name if complaint.category_id else "",
                    str(complaint.get_status_display()),
                    f"{timezone.localtime(complaint.received_at):%Y-%m-%d}",
                )
                if part
            ),
            url=reverse("complaints:detail", args=[complaint.pk]),
        )
        for complaint in rows
    ]
    return hits, reverse("complaints:queue") + "?" + urlencode({"q": text})
