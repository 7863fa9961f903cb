"""Writes about accounts: password change, language, roles, API tokens (SEC-2)."""

import datetime
import hashlib
import secrets

from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import actor_employee_id, privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.models import (
    ApiToken,
    ApiTokenRevokedReason,
    User,
)
from callcenter.roles import Role
from callcenter.selectors.accounts import api_token_lifetime_days, api_token_may_manage, role_change_refusal
from datasecurity.services import audit_record

__all__ = [
    "API_TOKEN_ACTIVE_LIMIT",
    "api_token_authenticate",
    "api_token_create",
    "api_token_key_hash",
    "api_token_revoke",
    "sessions_expired_clear",
    "user_api_tokens_end",
    "user_language_set",
    "user_password_change",
    "user_role_assign",
    "user_role_remove",
]

# Live tokens one account may hold at once: one per tool, not one per request.
API_TOKEN_ACTIVE_LIMIT = 10
# The last use is noted at most this often (a write per request would serialise a busy client).
_LAST_USED_PRECISION = datetime.timedelta(minutes=1)


@transaction.atomic
def user_password_change(*, user: User, new_password: str, actor=None) -> User:
    """Set a new password: validators apply, other sessions and API tokens end, and the failed
    attempts against the account are forgotten, as after a successful login (SEC-2)."""
    try:
        password_validation.validate_password(new_password, user=user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code=CoreErrorCode.WEAK_PASSWORD) from exc
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.check_password(new_password):
        raise ApplicationError(
            _("The new password must differ from the current one."), code=CoreErrorCode.PASSWORD_REUSED
        )
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    ended = user_api_tokens_end(user=user, reason=ApiTokenRevokedReason.PASSWORD_CHANGE)
    axes_reset(username=user.get_username())
    audit_record(
        actor=actor or user,
        action="user.password_change",
        obj=user,
        changes={"password": "changed", "api_tokens_ended": ended},
    )
    return user


@transaction.atomic
def user_language_set(*, user: User, language: str) -> User:
    valid = dict(User._meta.get_field("preferred_language").choices)
    if language not in valid:
        raise ApplicationError(_("Unknown language."), code=CoreErrorCode.INVALID_LANGUAGE)
    if user.preferred_language != language:
        old = user.preferred_language
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        audit_record(actor=user, action="user.language_set", obj=user, changes={"preferred_language": [old, language]})
    return user


def sessions_expired_clear() -> int:
    """Delete expired sessions (the ``sessions-clear`` job; idempotent). Returns how many."""
    deleted, _counts = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


def _role_change(*, actor, user_id: int, role: str, assign: bool) -> User:
    """Give or take one role (a group, ``callcenter.roles``), audited in the same transaction.
    HR and administrators only, never on one's own account, the auditor's role by an
    administrator only (``role_change_refusal``); a deactivated account gets no new role."""
    if role not in Role.values:
        raise ApplicationError(_("Unknown role."), code=CoreErrorCode.INVALID_ROLE, field="role")
    refusal = role_change_refusal(actor=actor, target_id=user_id, role=role)
    if refusal is not None:
        raise refusal
    user = User.objects.select_for_update(of=("self",)).select_related("employee").filter(pk=user_id).first()
    if user is None:
        raise NotFoundError(_("Account not found."))
    # Separation of duties (SEC-2): the account's employee record is the actor's own record too;
    # role_change_refusal above already refused one's own account by its login.
    refuse_own_record(
        actor=actor,
        action="callcenter.user_role_assign" if assign else "callcenter.user_role_remove",
        employee_id=actor_employee_id(user),
    )
    before = sorted(user.groups.values_list("name", flat=True))
    label = Role(role).label
    if assign and role in before:
        raise ApplicationError(
            _("%(user)s already holds the role %(role)s.") % {"user": user.get_username(), "role": label},
            code=CoreErrorCode.ROLE_UNCHANGED,
        )
    if not assign and role not in before:
        raise ApplicationError(
            _("%(user)s does not hold the role %(role)s.") % {"user": user.get_username(), "role": label},
            code=CoreErrorCode.ROLE_UNCHANGED,
        )
    if assign and not user.is_active:
        raise ApplicationError(_("A deactivated account gets no new role."), code=CoreErrorCode.USER_INACTIVE)
    group, _created = Group.objects.get_or_create(name=role)
    if assign:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    after = sorted(user.groups.values_list("name", flat=True))
    audit_record(
        actor=actor,
        action="user.role_assign" if assign else "user.role_remove",
        obj=user,
        changes={"role": str(role), "roles": [before, after]},
    )
    return user


@privileged_service("callcenter.user_role_assign", label=gettext_lazy("give a role"))
@transaction.atomic
def user_role_assign(*, actor, user_id: int, role: str) -> User:
    """Give ``role`` to the account ``user_id`` (SEC-2; see ``_role_change``)."""
    return _role_change(actor=actor, user_id=user_id, role=role, assign=True)


@privileged_service("callcenter.user_role_remove", label=gettext_lazy("take a role"))
@transaction.atomic
def user_role_remove(*, actor, user_id: int, role: str) -> User:
    """Take ``role`` from the account ``user_id`` (SEC-2; see ``_role_change``)."""
    return _role_change(actor=actor, user_id=user_id, role=role, assign=False)


def api_token_key_hash(key: str) -> str:
    """What is stored of a key: its SHA-256 (a random 240-bit key needs no slow hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _refuse_inactive(actor) -> None:
    if not getattr(actor, "is_active", False):
        raise PermissionDeniedError(
            _("This account is deactivated: it cannot manage API tokens."), code=CoreErrorCode.ACCOUNT_INACTIVE
        )


@transaction.atomic
def api_token_create(*, actor: User, name: str, lifetime_days: int | None = None) -> tuple[ApiToken, str]:
    """A new API token of ``actor``'s own; returns it and its key, which is never shown again.

    It lives ``lifetime_days`` (at most, and by default, the account policy's
    ``api_token_max_age_days``: SEC-2)."""
    user = User.objects.select_for_update().filter(pk=getattr(actor, "pk", None)).first()
    _refuse_inactive(user)
    name = (name or "").strip()
    if not name or len(name) > ApiToken._meta.get_field("name").max_length:
        raise ApplicationError(
            _("Give the token a name of at most 100 characters, e.g. the tool that uses it."),
            code=CoreErrorCode.INVALID,
            field="name",
        )
    limit = api_token_lifetime_days()
    days = limit if lifetime_days is None else lifetime_days
    if not 1 <= days <= limit:
        raise ApplicationError(
            _("A token lives from 1 to %(limit)d days (the account policy, SEC-2).") % {"limit": limit},
            code=CoreErrorCode.TOKEN_LIFETIME,
            field="lifetime_days",
        )
    now = timezone.now()
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=now).count()
    if live >= API_TOKEN_ACTIVE_LIMIT:
        raise ApplicationError(
            _("You already have %(count)d active tokens: revoke one you no longer use first.") % {"count": live},
            code=CoreErrorCode.TOKEN_LIMIT_REACHED,
        )
    key = secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_prefix=key[:8],
        key_hash=api_token_key_hash(key),
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    audit_record(
        actor=user,
        action="api_token.create",
        obj=token,
        changes={
            "user": user.get_username(),
            "name": name,
            "key_prefix": token.key_prefix,
            "expires_at": token.expires_at,
        },
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int, may_manage=None) -> ApiToken:
    """Revoke a token: its owner, HR or an administrator may (SEC-2); anyone else sees no such
    token. A revoked token stays in the lists, marked. ``may_manage(user=, token=)`` replaces
    who may, for an app above with its own rule (datasecurity's review of the API tokens of the
    accounts that must use two-factor login, where security auditors revoke them too)."""
    _refuse_inactive(actor)
    may_manage = may_manage or api_token_may_manage
    token = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
    if token is None or not may_manage(user=actor, token=token):
        raise NotFoundError(_("No such API token."))
    if token.revoked_at is not None:
        raise ApplicationError(
            _("This token has already been revoked."), code=CoreErrorCode.TOKEN_ALREADY_REVOKED, status=409
        )
    token.revoked_at = timezone.now()
    token.revoked_reason = (
        ApiTokenRevokedReason.OWNER if token.user_id == actor.pk else ApiTokenRevokedReason.ADMINISTRATOR
    )
    token.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        actor=actor,
        action="api_token.revoke",
        obj=token,
        changes={
            "user": token.user.get_username(),
            "name": token.name,
            "key_prefix": token.key_prefix,
            "reason": token.revoked_reason,
        },
    )
    return token


def user_api_tokens_end(*, user: User, reason: ApiTokenRevokedReason) -> int:
    """Revoke every live token of ``user`` (a password change, a deactivation: SEC-2); returns how
    many. The caller audits its own event with the count, in its transaction."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


def api_token_authenticate(*, key: str) -> ApiToken:
    """The live token holding ``key``, with its user (active); its last use is noted. Anything
    else is 401: an unknown, revoked or expired key, or a deactivated account."""
    invalid = ApplicationError(_("Invalid token."), code=CoreErrorCode.TOKEN_INVALID, status=401)
    if not key or not isinstance(key, str) or len(key) > 200:
        raise invalid
    token = ApiToken.objects.select_related("user").filter(key_hash=api_token_key_hash(key)).first()
    now = timezone.now()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        raise invalid
    if token.expires_at <= now:
        raise ApplicationError(
            _("This API token has expired: create a new one on your API tokens page."),
            code=CoreErrorCode.TOKEN_INVALID,
            status=401,
        )
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
