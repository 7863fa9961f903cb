"""Reads about accounts: password age and the forced change, who holds which role, API tokens
(SEC-2)."""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.models import (
    AccountPolicy,
    ApiToken,
    User,
)
from callcenter.roles import Role, has_role
from callcenter.selectors.policies import policy_in_force

__all__ = [
    "API_TOKEN_STATUSES",
    "ROLES_ADMIN_ONLY",
    "RoleOption",
    "api_token_get",
    "api_token_lifetime_days",
    "api_token_list",
    "api_token_may_manage",
    "api_tokens_manage_all",
    "can_assign_roles",
    "password_change_required",
    "password_expires_on",
    "role_change_refusal",
    "user_role_get",
    "user_role_list",
    "user_role_options",
]

# HR does not choose who audits HR: the security auditor's role is an administrator's to give.
ROLES_ADMIN_ONLY = frozenset({Role.SECURITY_AUDITOR})


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


# --- Roles: who holds which, and who may change them (SEC-2) ---------------------------------


def can_assign_roles(user) -> bool:
    """HR and administrators (superusers) assign roles."""
    return bool(getattr(user, "is_authenticated", False) and has_role(user, Role.HR))


def role_change_refusal(*, actor, target_id: int, role: str) -> PermissionDeniedError | None:
    """Why ``actor`` may not give or take ``role`` on the account ``target_id``, or None (the one
    rule for the page's buttons and for the services)."""
    if not can_assign_roles(actor):
        return PermissionDeniedError(_("Only HR and administrators assign roles."))
    if actor.pk == target_id:
        return PermissionDeniedError(
            _("You cannot change the roles of your own account (SEC-2): ask a colleague or an administrator."),
            code=CoreErrorCode.OWN_RECORD,
        )
    if role in ROLES_ADMIN_ONLY and not actor.is_superuser:
        return PermissionDeniedError(
            _("Only an administrator gives or removes the security auditor's role: HR does not choose who audits HR."),
            code=CoreErrorCode.ROLE_ADMIN_ONLY,
        )
    return None


def _require_role_admin(user) -> None:
    if not can_assign_roles(user):
        raise PermissionDeniedError(_("Only HR and administrators assign roles."))


def user_role_list(*, user, filters: dict | None = None) -> QuerySet[User]:
    """Every account with its roles (HR and administrators), by username; ``q`` searches the
    username and the employee's name and number, ``role`` keeps the holders of one role."""
    _require_role_admin(user)
    filters = filters or {}
    qs = User.objects.select_related("employee").prefetch_related("groups")
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(
            Q(username__icontains=q) | Q(employee__name__icontains=q) | Q(employee__employee_no__icontains=q)
        )
    if (role := filters.get("role")) in Role.values:
        qs = qs.filter(groups__name=role)
    return qs.order_by("username")


def user_role_get(*, user, pk) -> User:
    _require_role_admin(user)
    target = User.objects.select_related("employee").prefetch_related("groups").filter(pk=pk).first()
    if target is None:
        raise NotFoundError(_("Account not found."))
    return target


@dataclass(frozen=True)
class RoleOption:
    role: str
    label: str
    held: bool
    refusal: str  # why this user may not change it here; empty when they may


def user_role_options(*, user, target: User) -> list[RoleOption]:
    """Each role, whether ``target`` holds it, and whether ``user`` may give or take it."""
    held = {group.name for group in target.groups.all()}
    options = []
    for role, label in Role.choices:
        refusal = role_change_refusal(actor=user, target_id=target.pk, role=role)
        why = str(refusal.message) if refusal else ""
        if not why and role not in held and not target.is_active:
            why = _("A deactivated account gets no new role.")
        options.append(RoleOption(role, str(label), role in held, why))
    return options


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
