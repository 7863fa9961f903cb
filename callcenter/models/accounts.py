"""Accounts: the login of every employee (GEN-2) and the account policy (SEC-2)."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callcenter.models.policies import VersionedPolicy, register_policy

__all__ = [
    "AccountPolicy",
    "User",
]


class User(AbstractUser):
    """A login. Every employee has one (GEN-2); leavers are deactivated, never deleted (GEN-1)."""

    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=True,
        help_text=_("Forced password change at next login (SEC-2)."),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    # Read with the user row (no query): company HR is every HR user without it.
    hr_remit_limited = models.BooleanField(
        _("HR remit limited to departments"),
        default=False,
        help_text=_(
            "An HR assistant: HR only for the departments of their access grants in force, never the "
            "whole company (SEC-2). Set by their first department grant; lifted by company HR."
        ),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


@register_policy
class AccountPolicy(VersionedPolicy):
    """Account and password rules (SEC-2)."""

    password_max_age_days = models.PositiveIntegerField(
        _("password maximum age (days)"),
        default=90,
        validators=[MinValueValidator(1)],
        help_text=_("Users must change their password after this many days (SEC-2)."),
    )

    articles = {"password_max_age_days": "SEC-2"}

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("account policy")
        verbose_name_plural = _("account policies")
        constraints = [
            models.CheckConstraint(condition=Q(password_max_age_days__gte=1), name="account_policy_max_age_positive")
        ]
