"""Writes about accounts: password change, language, roles (SEC-2)."""

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from callcenter.duties import actor_employee_id, privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError
from callcenter.models import (
    User,
)
from callcenter.roles import Role
from callcenter.selectors.accounts import role_change_refusal
from datasecurity.services import audit_record

__all__ = [
    "sessions_expired_clear",
    "user_language_set",
    "user_password_change",
    "user_role_assign",
    "user_role_remove",
]


@transaction.atomic
def user_password_change(*, user: User, new_password: str, actor=None) -> User:
    """Set a new password: validators apply, other sessions and API tokens end (SEC-2)."""
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
    Token.objects.filter(user=user).delete()
    audit_record(actor=actor or user, action="user.password_change", obj=user, changes={"password": "changed"})
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
