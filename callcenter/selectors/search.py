"""The global search (issue 14, "finding things"): one box in the menu bar, grouped results.

Each module registers a :class:`callcenter.providers.SearchProvider` (the core its people; the
complaints app complaints by number; attendance leave requests by number or person) and filters
through its own selectors, so every reader finds only what their remit shows them (SEC-2): an
agent themselves and their own requests, a supervisor their team, HR everyone, the complaint
team the complaints. Each group shows at most :data:`SEARCH_GROUP_LIMIT` hits and a link to the
module's list filtered by the same text; no hit carries a customer's contact details, so the
search reveals nothing that needs an audit event of its own."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.models import EmploymentStatus
from callcenter.providers import SearchHit, search_providers
from callcenter.selectors.directory import directory_list

__all__ = [
    "SEARCH_GROUP_LIMIT",
    "SEARCH_MAX_LENGTH",
    "SEARCH_MIN_LENGTH",
    "global_search",
    "people_search",
    "search_query_clean",
]

SEARCH_MIN_LENGTH = 2
SEARCH_MAX_LENGTH = 50
SEARCH_GROUP_LIMIT = 5


def search_query_clean(text: str | None) -> str:
    """The query as searched (spaces collapsed), or an ApplicationError saying what to type: at
    least :data:`SEARCH_MIN_LENGTH` characters (one Chinese character is a name's part too
    common to list), at most :data:`SEARCH_MAX_LENGTH`, no control characters."""
    query = " ".join((text or "").split())
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in query):
        raise ApplicationError(
            _("The search text contains characters that cannot be searched."), code=CoreErrorCode.INVALID, field="q"
        )
    if len(query) < SEARCH_MIN_LENGTH:
        raise ApplicationError(
            _("Type at least %(min)d characters to search.") % {"min": SEARCH_MIN_LENGTH},
            code=CoreErrorCode.INVALID,
            field="q",
        )
    if len(query) > SEARCH_MAX_LENGTH:
        raise ApplicationError(
            _("Type at most %(max)d characters to search.") % {"max": SEARCH_MAX_LENGTH},
            code=CoreErrorCode.INVALID,
            field="q",
        )
    return query


def global_search(*, user, text: str | None) -> dict:
    """``{"query", "groups": [{"key", "label", "hits", "more", "more_url"}]}`` over every
    registered provider that answers this reader; a group without hits is kept (it says "none").
    Raises ApplicationError for a query too short, too long or unsearchable. One or two queries
    per provider."""
    query = search_query_clean(text)
    groups = []
    for provider in search_providers():
        answer = provider.search(user=user, query=query, limit=SEARCH_GROUP_LIMIT)
        if answer is None:
            continue
        hits, more_url = answer
        groups.append(
            {
                "key": provider.key,
                "label": provider.label,
                "hits": hits[:SEARCH_GROUP_LIMIT],
                "more": len(hits) > SEARCH_GROUP_LIMIT,
                "more_url": more_url,
            }
        )
    return {"query": query, "groups": groups}


def people_search(*, user, query: str, limit: int) -> tuple[list[SearchHit], str]:
    """People of the reader's remit by Chinese name, pinyin initials (``zw`` → 张伟) or employee
    number, leavers included (the directory's search, :func:`directory_list`). One query."""
    rows = list(directory_list(user=user, filters={"q": query, "status": "all"})[: limit + 1])
    hits = [
        SearchHit(
            title=employee.name,
            detail=" · ".join(
                part
                for part in (
                    employee.employee_no,
                    employee.team.name if employee.team_id else employee.department.name,
                    employee.position.name,
                    "" if employee.status == EmploymentStatus.ACTIVE else str(employee.get_status_display()),
                )
                if part
            ),
            url=reverse("callcenter:employee_detail", args=[employee.pk]),
        )
        for employee in rows
    ]
    return hits, reverse("callcenter:employee_list") + "?" + urlencode({"q": query, "status": "all"})
