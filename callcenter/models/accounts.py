"""Accounts: the login of every employee (GEN-2), their API tokens and the account policy (SEC-2)."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from callcenter.models.policies import VersionedPolicy, register_policy

__all__ = [
    "AccountPolicy",
    "ApiToken",
    "ApiTokenRevokedReason",
    "User",
]


# The longest lifetime the account policy may give an API token: a year (SEC-2).
API_TOKEN_MAX_AGE_LIMIT_DAYS = 365


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

    description = _("Account and password rules (SEC-2).")

    password_max_age_days = models.PositiveIntegerField(
        _("password maximum age (days)"),
        default=90,
        validators=[MinValueValidator(1)],
        help_text=_("Users must change their password after this many days (SEC-2)."),
    )
    api_token_max_age_days = models.PositiveIntegerField(
        _("API token lifetime (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(API_TOKEN_MAX_AGE_LIMIT_DAYS)],
        help_text=_(
            "A new API token expires after this many days; its owner may choose a shorter life (SEC-2, "
            "like the periodic password change)."
        ),
    )

    articles = {"password_max_age_days": "SEC-2", "api_token_max_age_days": "SEC-2"}

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("account policy")
        verbose_name_plural = _("account policies")
        constraints = [
            models.CheckConstraint(condition=Q(password_max_age_days__gte=1), name="account_policy_max_age_positive"),
            models.CheckConstraint(
                condition=Q(api_token_max_age_days__gte=1, api_token_max_age_days__lte=API_TOKEN_MAX_AGE_LIMIT_DAYS),
                name="account_policy_token_age_range",
            ),
        ]


class ApiTokenRevokedReason(models.TextChoices):
    OWNER = "owner", _("revoked by its owner")
    ADMINISTRATOR = "administrator", _("revoked by HR or an administrator")
    PASSWORD_CHANGE = "password_change", _("ended by a password change")
    DEACTIVATION = "deactivation", _("ended by the account's deactivation")


class ApiToken(models.Model):
    """A user's key for the API (``Authorization: Token <key>``), SEC-2.

    Only the key's SHA-256 is stored (like time clocks' and complaint integrations' tokens); the
    key itself is shown once, when its owner creates it. The first characters (``key_prefix``)
    let the owner recognise it in the list. A token works until it expires (the account policy's
    lifetime) or is revoked: by its owner, by HR or an administrator, or with every other token of
    the account by a password change or a deactivation. Rows are kept (revoked, never deleted) so
    the list shows what existed; every creation and revocation is audited.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. the tool using it."))
    key_prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_reason = models.CharField(
        _("revoked because"), max_length=20, choices=ApiTokenRevokedReason.choices, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_live")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="api_token_expires_after_creation"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_reason="")
                | Q(revoked_at__isnull=False) & ~Q(revoked_reason=""),
                name="api_token_revocation_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def status(self) -> str:
        """``active``, ``expired`` or ``revoked`` now."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= timezone.now() else "active"
