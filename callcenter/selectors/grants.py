"""Reads of access grants: which grants are in force for a user, and the grant page's lists.

"In force" asks two things at once, in one query: a grant whose days include today and that
nobody ended early, *and* the django-guardian object permission it carries (assigned by the
``access-grants-sync`` job when it starts). So an expired or ended grant shows nothing even if
the job has not yet removed its permission, and a permission given by hand, with no grant behind
it, shows nothing either.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.utils import get_user_obj_perms_model

from callcenter.errors import NotFoundError
from callcenter.models import AccessGrant, GrantKind, GrantState, User
from callcenter.roles import Role, has_role

__all__ = [
    "GRANT_FILTER_STATES",
    "TEAM_COVER_ROLES",
    "GrantsInForce",
    "access_grant_get",
    "access_grant_grantee_choices",
    "access_grant_in_force_q",
    "access_grant_list",
    "access_grants_can_manage",
    "grants_in_force",
    "hr_remit_limit_list",
    "hr_remit_limited",
    "is_company_hr",
    "team_coverers",
]

# Who may be given a team to cover: someone who approves in the reporting lines already (a
# supervisor of another team, a manager, a leader), so every supervisor page opens for them.
TEAM_COVER_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER)

GRANT_FILTER_STATES = ("current", "in_force", "scheduled", "ended", "all")


@dataclass(frozen=True)
class GrantsInForce:
    """Object ids a user holds through grants in force today, by kind."""

    teams: frozenset[int] = frozenset()
    departments: frozenset[int] = frozenset()
    complaints: frozenset[int] = frozenset()


_NONE = GrantsInForce()


def access_grant_in_force_q(day: datetime.date) -> Q:
    """Grants whose days include ``day`` and that nobody ended early."""
    return Q(revoked_at__isnull=True, starts_on__lte=day, ends_on__gte=day)


def _permission_held() -> Exists:
    """The grantee holds the grant's object permission (django-guardian)."""
    return Exists(
        get_user_obj_perms_model().objects.filter(
            user_id=OuterRef("grantee_id"),
            permission_id=OuterRef("permission_id"),
            content_type_id=OuterRef("content_type_id"),
            object_pk=OuterRef("object_pk"),
        )
    )


def grants_in_force(user, *, fresh: bool = False) -> GrantsInForce:
    """What ``user`` holds through grants today: one query, cached on the user object for the
    request (``fresh``: read again, as decisions do). None for company HR and superusers, who
    see everything anyway."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or is_company_hr(user):
        return _NONE
    today = timezone.localdate()
    cached = getattr(user, "_grants_in_force_cache", None)
    if not fresh and cached is not None and cached[0] == today:
        return cached[1]
    ids: dict[str, set[int]] = {kind: set() for kind in GrantKind.values}
    rows = (
        AccessGrant.objects.filter(access_grant_in_force_q(today), grantee_id=user.pk)
        .filter(_permission_held())
        .values_list("kind", "object_pk")
    )
    for kind, object_pk in rows:
        if object_pk.isdigit():
            ids[kind].add(int(object_pk))
    found = GrantsInForce(
        teams=frozenset(ids[GrantKind.TEAM]),
        departments=frozenset(ids[GrantKind.DEPARTMENT]),
        complaints=frozenset(ids[GrantKind.COMPLAINT]),
    )
    user._grants_in_force_cache = (today, found)
    return found


def hr_remit_limited(user) -> bool:
    """Is ``user`` an HR user limited to the departments of their grants (an HR assistant)?
    Read from the user row: no query."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and not user.is_superuser
        and bool(getattr(user, "hr_remit_limited", False))
        and has_role(user, Role.HR)
    )


def is_company_hr(user) -> bool:
    """HR for the whole company: a superuser, or an active HR user not limited to departments."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return has_role(user, Role.HR) and not getattr(user, "hr_remit_limited", False)


def access_grants_can_manage(user) -> bool:
    """Grants are given, ended and read by company HR and superusers (never a limited assistant:
    they could widen their own remit through a colleague's grant)."""
    return is_company_hr(user)


def team_coverers(*, team_id: int) -> QuerySet[User]:
    """Users covering ``team_id`` today (grant in force and its permission held): they are told
    of a request waiting at the supervisor's step."""
    today = timezone.localdate()
    grants = (
        AccessGrant.objects.filter(access_grant_in_force_q(today), kind=GrantKind.TEAM, object_pk=str(team_id))
        .filter(_permission_held())
        .values("grantee_id")
    )
    return User.objects.filter(pk__in=grants, is_active=True)


# --- The grant page ---------------------------------------------------------------------------------


def access_grant_list(*, user, filters: dict | None = None) -> QuerySet[AccessGrant]:
    """Every grant (its history included) for company HR; nothing for anyone else. Filters:
    ``state`` (``current``: in force or scheduled, ``in_force``, ``scheduled``, ``ended``,
    ``all``), ``kind``, ``grantee`` (user id),
    ``q`` (the grantee's name or login, or the object)."""
    if not access_grants_can_manage(user):
        return AccessGrant.objects.none()
    filters = filters or {}
    today = timezone.localdate()
    qs = AccessGrant.objects.select_related("grantee__employee", "granted_by", "revoked_by").annotate(
        # What the page shows, by the dates (not by the job's pace).
        shown_state=Case(
            When(Q(revoked_at__isnull=False) | Q(ends_on__lt=today), then=Value(GrantState.ENDED)),
            When(starts_on__gt=today, then=Value(GrantState.SCHEDULED)),
            default=Value(GrantState.ACTIVE),
        )
    )
    state = filters.get("state") or "all"
    if state == "current":
        qs = qs.filter(revoked_at__isnull=True, ends_on__gte=today)
    elif state == "in_force":
        qs = qs.filter(access_grant_in_force_q(today))
    elif state == "scheduled":
        qs = qs.filter(revoked_at__isnull=True, starts_on__gt=today)
    elif state == "ended":
        qs = qs.filter(Q(revoked_at__isnull=False) | Q(ends_on__lt=today))
    if (kind := filters.get("kind")) in GrantKind.values:
        qs = qs.filter(kind=kind)
    if grantee := filters.get("grantee"):
        qs = qs.filter(grantee_id=grantee)
    if text := (filters.get("q") or "").strip():
        qs = qs.filter(
            Q(grantee__username__icontains=text)
            | Q(grantee__employee__name__icontains=text)
            | Q(object_label__icontains=text)
        )
    return qs.order_by("-granted_at", "-pk")


def access_grant_get(*, user, pk) -> AccessGrant:
    grant = access_grant_list(user=user).filter(pk=pk).first()
    if grant is None:
        raise NotFoundError(_("Access grant not found."))
    return grant


def access_grant_grantee_choices() -> QuerySet[User]:
    """Whom a grant may name: active logins (an auditor may have no employee record)."""
    return User.objects.filter(is_active=True).select_related("employee").order_by("username")


def hr_remit_limit_list(*, user) -> QuerySet[User]:
    """The HR users limited to departments (HR assistants), for company HR."""
    if not access_grants_can_manage(user):
        return User.objects.none()
    return User.objects.filter(hr_remit_limited=True).select_related("employee").order_by("username")
