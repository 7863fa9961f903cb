"""The directory (issue 13): the people of one's remit, searched by name in Chinese characters or
pinyin initials (张伟 ← ``zw``), by employee number, and filtered by department, team, position and
status (active, left, all: leavers stay searchable, GEN-1/GEN-2).

Visibility is :func:`callcenter.selectors.org.employees_visible_to`, as everywhere (SEC-2). Pay is
never part of the directory except for HR (:func:`directory_shows_pay`): for anyone else the pay
columns are not even read.

The search uses the prefix indexes of ``Employee`` (``name_initials`` and ``employee_no`` with
``varchar_pattern_ops``); a Chinese substring is a ``LIKE '%…%'`` over the visible rows, which at
7,000 people stays well under the bar (docs/people-org.md, ``manage.py bench directory``).
"""

from django.db.models import Q, QuerySet

from callcenter.models import Employee, EmploymentStatus, pinyin_initials
from callcenter.roles import Role, has_role
from callcenter.selectors.org import employees_visible_to

__all__ = [
    "DIRECTORY_STATUSES",
    "PAY_FIELDS",
    "directory_list",
    "directory_query_q",
    "directory_shows_pay",
]

DIRECTORY_STATUSES = ("active", "left", "all")
PAY_FIELDS = ("monthly_base_pay", "bonus_base")
QUERY_MAX_LENGTH = 100


def directory_shows_pay(user) -> bool:
    """Pay (base pay, bonus base) appears in the directory and its exports for HR only (SEC-2);
    an employee reads their own on their record page."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active) and (
        user.is_superuser or has_role(user, Role.HR)
    )


def directory_query_q(text: str) -> Q | None:
    """What a search box text matches: ``None`` for an empty text.

    - Latin letters and digits: an employee number starting with it (``E0012``, ``e0012``), pinyin
      initials starting with it (``zw`` finds 张伟, 张伟明, 赵伟), or a Latin name containing it;
    - Chinese characters: a name containing them (``伟`` finds 张伟); mixed with Latin letters
      (``张w``), also the initials of the whole text (``zw``).
    """
    text = " ".join((text or "").split())[:QUERY_MAX_LENGTH]
    if not text:
        return None
    compact = text.replace(" ", "")
    if text.isascii():
        q = Q(name__icontains=text) | Q(employee_no__startswith=compact) | Q(employee_no__startswith=compact.upper())
        if compact.isalpha():
            q |= Q(name_initials__startswith=compact.lower())
        return q
    q = Q(name__contains=text)
    if any(ch.isascii() and ch.isalpha() for ch in compact) and (initials := pinyin_initials(compact)):
        q |= Q(name_initials__startswith=initials)
    return q


def directory_list(*, user, filters: dict | None = None) -> QuerySet[Employee]:
    """The employees ``user`` may see that match ``filters``: ``q`` (see :func:`directory_query_q`),
    ``department``, ``team``, ``position`` (ids) and ``status`` (``active`` by default, ``left``,
    ``all``). Ordered by employee number; one query per page plus its count."""
    filters = filters or {}
    qs = employees_visible_to(user).select_related("department", "team", "position")
    if not directory_shows_pay(user):
        qs = qs.defer(*PAY_FIELDS)
    if (q := directory_query_q(filters.get("q") or "")) is not None:
        qs = qs.filter(q)
    for name in ("department", "team", "position"):
        if value := filters.get(name):
            qs = qs.filter(**{f"{name}_id": value})
    status = filters.get("status") or EmploymentStatus.ACTIVE
    if status in EmploymentStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("employee_no")
