"""Two-factor login (SEC-2, SEC-3): who must use a second factor, and how long a browser may be
trusted to skip it.

The devices themselves are django-otp's: a ``TOTPDevice`` (an authenticator app, RFC 6238) and a
``StaticDevice`` holding the single-use recovery codes. This module holds only the policy: which
roles must sign in with a code (administrators — ``is_staff`` accounts — always must, whatever
the policy says) and the trusted-device period.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from callcenter.models import VersionedPolicy, register_policy
from callcenter.roles import Role

__all__ = ["TWOFA_ROLE_FIELDS", "TWOFA_TRUST_MAX_DAYS", "TwoFactorPolicy"]

# The longest trust a browser can be given: a year (a lost laptop must not stay trusted for ever).
TWOFA_TRUST_MAX_DAYS = 365

# role -> the policy's field that says whether holders of that role must use a second factor.
TWOFA_ROLE_FIELDS = {
    Role.HR: "required_for_hr",
    Role.SECURITY_AUDITOR: "required_for_security_auditor",
    Role.COMPANY_LEADER: "required_for_company_leader",
    Role.COMPLAINT_HANDLER: "required_for_complaint_handler",
    Role.DEPARTMENT_MANAGER: "required_for_department_manager",
    Role.SUPERVISOR: "required_for_supervisor",
    Role.AGENT: "required_for_agent",
}


@register_policy
class TwoFactorPolicy(VersionedPolicy):
    """Who must sign in with a second factor (SEC-2: access by role, no overreach; SEC-3:
    protection against theft of a password) and the trusted-device period. Administrators
    (``is_staff``) always must; the roles below are HR's choice, by default the roles that read
    HR or customer data company-wide."""

    description = _(
        "Who must sign in with a code from an authenticator app after the password (SEC-2, SEC-3), "
        "and for how many days a browser may be trusted to skip it. Administrators always must."
    )

    required_for_hr = models.BooleanField(_("required for HR"), default=True)
    required_for_security_auditor = models.BooleanField(_("required for security auditors"), default=True)
    required_for_company_leader = models.BooleanField(_("required for company leaders"), default=True)
    required_for_complaint_handler = models.BooleanField(
        _("required for the complaint team"),
        default=True,
        help_text=_("Complaint handlers read customers' contact details."),
    )
    required_for_department_manager = models.BooleanField(_("required for department managers"), default=False)
    required_for_supervisor = models.BooleanField(_("required for team supervisors"), default=False)
    required_for_agent = models.BooleanField(_("required for agents"), default=False)
    trusted_device_days = models.PositiveSmallIntegerField(
        _("trusted device period (days)"),
        default=30,
        validators=[MaxValueValidator(TWOFA_TRUST_MAX_DAYS)],
        help_text=_(
            "A user may tick “trust this device” when entering a code: that browser then skips the "
            "code for this many days. 0 turns trusted devices off."
        ),
    )

    articles = {
        "required_for_hr": "SEC-2",
        "required_for_security_auditor": "SEC-2",
        "required_for_company_leader": "SEC-2",
        "required_for_complaint_handler": "SEC-2",
        "required_for_department_manager": "SEC-2",
        "required_for_supervisor": "SEC-2",
        "required_for_agent": "SEC-2",
        "trusted_device_days": "SEC-3",
    }

    class Meta(VersionedPolicy.Meta):
        verbose_name = _("two-factor login policy")
        verbose_name_plural = _("two-factor login policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(trusted_device_days__lte=TWOFA_TRUST_MAX_DAYS), name="twofa_policy_trust_max_days"
            )
        ]

    def required_roles(self) -> frozenset[str]:
        """The roles whose holders must use a second factor under this version."""
        return frozenset(role for role, field in TWOFA_ROLE_FIELDS.items() if getattr(self, field))
