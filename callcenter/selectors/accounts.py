"""Reads about accounts: password age and the forced change (SEC-2)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.models import (
    AccountPolicy,
)
from callcenter.selectors.policies import policy_in_force

__all__ = [
    "password_change_required",
    "password_expires_on",
]


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
