"""Writes about accounts: password change, language (SEC-2)."""

from axes.utils import reset as axes_reset
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.models import (
    User,
)
from datasecurity.services import audit_record

__all__ = [
    "sessions_expired_clear",
    "user_language_set",
    "user_password_change",
]


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
    Token.objects.filter(user=user).delete()
    axes_reset(username=user.get_username())
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
