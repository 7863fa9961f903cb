"""Reads about accounts: password age and the forced change, API tokens (SEC-2)."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import NotFoundError
from callcenter.models import (
    AccountPolicy,
    ApiToken,
)
from callcenter.roles import Role, has_role
from callcenter.selectors.policies import policy_in_force

__all__ = [
    "API_TOKEN_STATUSES",
    "api_token_get",
    "api_token_lifetime_days",
    "api_token_list",
    "api_token_may_manage",
    "api_tokens_manage_all",
    "password_change_required",
    "password_expires_on",
]

API_TOKEN_STATUSES = ("active", "expired", "revoked")


def password_expires_on(user) -> datetime.date | None:
    if user.password_changed_at is None:
        return None
    policy = policy_in_force(AccountPolicy)
    return timezone.localdate(user.password_changed_at) + datetime.timedelta(days=policy.password_max_age_days)


def password_change_required(*, user, session=None) -> str | None:
    """Why ``user`` must change their password now (SEC-2), or None.

    The age check runs once a day per session (cached in the session), so it costs a query per
    day, not per request.
    """
    if user.must_change_password or user.password_changed_at is None:
        return _("Please choose your own password before you continue (SEC-2).")
    today = timezone.localdate().isoformat()
    if session is not None and session.get("password_checked_on") == today:
        return None
    policy = policy_in_force(AccountPolicy)
    age = timezone.now() - user.password_changed_at
    if age > datetime.timedelta(days=policy.password_max_age_days):
        return _("Your password is older than %(days)d days (SEC-2). Please choose a new one.") % {
            "days": policy.password_max_age_days
        }
    if session is not None:
        session["password_checked_on"] = today
    return None


def api_token_lifetime_days() -> int:
    """The longest (and default) life of a new API token today: the account policy's (SEC-2)."""
    return policy_in_force(AccountPolicy).api_token_max_age_days


def api_tokens_manage_all(user) -> bool:
    """HR and administrators list and revoke everyone's API tokens (SEC-2)."""
    return bool(getattr(user, "is_active", False) and (has_role(user, Role.HR) or getattr(user, "is_staff", False)))


def api_token_may_manage(*, user, token: ApiToken) -> bool:
    return token.user_id == getattr(user, "pk", None) or api_tokens_manage_all(user)


def api_token_list(*, user, filters: dict | None = None) -> QuerySet[ApiToken]:
    """API tokens, newest first: ``user``'s own; everyone's with ``filters["everyone"]`` for HR and
    administrators (others still get their own). ``status`` (active, expired, revoked) and ``q``
    (user name, employee name or token name) narrow it."""
    filters = filters or {}
    qs = ApiToken.objects.select_related("user", "user__employee")
    if not (filters.get("everyone") and api_tokens_manage_all(user)):
        qs = qs.filter(user_id=getattr(user, "pk", None))
    now = timezone.now()
    status = filters.get("status")
    if status == "active":
        qs = qs.filter(revoked_at__isnull=True, expires_at__gt=now)
    elif status == "expired":
        qs = qs.filter(revoked_at__isnull=True, expires_at__lte=now)
    elif status == "revoked":
        qs = qs.filter(revoked_at__isnull=False)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(user__username__icontains=q) | Q(user__employee__name__icontains=q) | Q(name__icontains=q))
    return qs.order_by("-created_at", "-pk")


def api_token_get(*, user, pk: int) -> ApiToken:
    token = ApiToken.objects.select_related("user").filter(pk=pk).first()
    if token is None or not api_token_may_manage(user=user, token=token):
        raise NotFoundError(_("No such API token."))
    return token
