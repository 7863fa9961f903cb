"""Leave requests in the global search (issue 14), registered in :mod:`attendance.apps` as a
``callcenter.providers.SearchProvider``: by request number (``#123`` or ``123``) or by the
person (name, pinyin initials, employee number), over the requests the reader may see
(:func:`leave_request_list`'s visibility: an agent their own, a supervisor their team's, HR
everyone's, SEC-2)."""

from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from attendance.selectors.leave import leave_request_list
from callcenter.providers import SearchHit
from callcenter.roles import Role, has_role

__all__ = ["leave_request_search"]

# Who opens the requests list (attendance.views.leave.REQUEST_LIST_ROLES): the "more" link.
_LIST_ROLES = (Role.HR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.SUPERVISOR)
_MAX_ID = 2**31 - 1


def leave_request_search(*, user, query: str, limit: int) -> tuple[list[SearchHit], str]:
    """Requests by number or person, newest first. One query."""
    text = query.strip()
    number = text.removeprefix("#").strip()
    match = Q(employee__name__icontains=text) | Q(employee__employee_no__istartswith=text.replace(" ", ""))
    if text.isascii() and text.replace(" ", "").isalpha():
        match |= Q(employee__name_initials__startswith=text.replace(" ", "").lower())
    if number.isdigit() and int(number) <= _MAX_ID:
        match |= Q(pk=int(number))
    rows = list(leave_request_list(user=user).filter(match)[: limit + 1])
    hits = [
        SearchHit(
            title=f"#{leave.pk} {leave.employee.name}",
            detail=" · ".join(
                (
                    str(leave.leave_type),
                    f"{leave.start_date:%Y-%m-%d}–{leave.end_date:%Y-%m-%d}",
                    str(leave.get_status_display()),
                )
            ),
            url=reverse("attendance:leave_detail", args=[leave.pk]),
        )
        for leave in rows
    ]
    if has_role(user, *_LIST_ROLES):
        more = reverse("attendance:leave_requests") + "?" + urlencode({"q": text})
    else:
        more = reverse("attendance:leave")
    return hits, more
