"""Reads of the two-factor login (SEC-2, SEC-3): whether a user must use a second factor, their
devices, what the login's gate decides for a session, the enrolment's QR code, and the API tokens
of the accounts that must use 2FA (for administrators and security auditors to review)."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.models import ApiToken, User
from callcenter.roles import Role, has_role, user_roles
from callcenter.selectors import policy_in_force
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.models import TwoFactorPolicy
from datasecurity.rules.twofa import TOTP_KEY_BYTES, TwoFactorRequirement, trust_cookie_read, twofa_requirement

__all__ = [
    "TWOFA_SESSION_KEY",
    "TwoFactorGate",
    "TwoFactorSetup",
    "TwoFactorStatus",
    "twofa_administrator_get",
    "twofa_devices",
    "twofa_gate",
    "twofa_policy",
    "twofa_required",
    "twofa_session_state",
    "twofa_setup_info",
    "twofa_status",
    "twofa_token_list",
    "twofa_tokens_may_review",
]

# The session's record that its user passed (or need not pass) the second step: "<state>:<user id>".
TWOFA_SESSION_KEY = "twofa"


def twofa_policy(on=None) -> TwoFactorPolicy:
    """The two-factor policy in force (SEC-2, SEC-3)."""
    return policy_in_force(TwoFactorPolicy, on)


def twofa_required(user, policy: TwoFactorPolicy | None = None) -> TwoFactorRequirement:
    """Whether ``user`` must sign in with a second factor, and why: administrators always, holders
    of a role the policy lists (SEC-2)."""
    policy = policy or twofa_policy()
    return twofa_requirement(
        user_roles=user_roles(user),
        is_staff=bool(getattr(user, "is_staff", False)),
        policy_roles=policy.required_roles(),
    )


def twofa_devices(user) -> tuple[TOTPDevice | None, StaticDevice | None]:
    """The user's confirmed authenticator device and recovery-code device (either may be None)."""
    totp = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").first()
    static = StaticDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").first()
    return totp, static


@dataclass(frozen=True)
class TwoFactorStatus:
    enrolled: bool
    requirement: TwoFactorRequirement
    recovery_codes_left: int
    enrolled_at: object  # datetime or None
    last_used_at: object  # datetime or None
    trusted_device_days: int

    @property
    def required(self) -> bool:
        return self.requirement.required

    @property
    def may_remove(self) -> bool:
        return self.enrolled and not self.requirement.required


def twofa_status(*, user) -> TwoFactorStatus:
    """The user's own two-factor state, for their page and the status endpoint (4 queries)."""
    policy = twofa_policy()
    totp, static = twofa_devices(user)
    return TwoFactorStatus(
        enrolled=totp is not None,
        requirement=twofa_required(user, policy),
        recovery_codes_left=static.token_set.count() if static is not None else 0,
        enrolled_at=totp.created_at if totp is not None else None,
        last_used_at=totp.last_used_at if totp is not None else None,
        trusted_device_days=policy.trusted_device_days,
    )


def twofa_session_state(session, user) -> str:
    """What the session says about the second step for ``user``: ``verified`` (a code was given,
    or a trusted device), ``exempt`` (no device, not required) or ``""`` (not decided yet)."""
    value = session.get(TWOFA_SESSION_KEY, "") if session is not None else ""
    state, _sep, user_id = str(value).partition(":")
    return state if user_id == str(getattr(user, "pk", "")) else ""


@dataclass(frozen=True)
class TwoFactorGate:
    """The login gate's decision for a session that has not passed it yet."""

    state: str  # "verified" (trusted device), "exempt", "verify" (ask for a code), "enrol" (must set up)
    device_id: int | None = None

    @property
    def passes(self) -> bool:
        return self.state in {"verified", "exempt"}


def twofa_gate(*, user, trust_cookie: str = "") -> TwoFactorGate:
    """SEC-2: a user with an authenticator device gives a code (unless this browser is a trusted
    device, SEC-3); a user who must use 2FA and has none sets it up first; anyone else passes."""
    totp = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("-pk").only("pk").first()
    policy = twofa_policy()
    if totp is not None:
        trusted = trust_cookie_read(
            trust_cookie,
            user_id=user.pk,
            device_id=totp.pk,
            auth_hash=user.get_session_auth_hash(),
            max_age_days=policy.trusted_device_days,
        )
        return TwoFactorGate("verified" if trusted else "verify", totp.pk)
    if twofa_required(user, policy).required:
        return TwoFactorGate("enrol")
    return TwoFactorGate("exempt")


@dataclass(frozen=True)
class TwoFactorSetup:
    secret: str  # base32, grouped by four for typing
    uri: str  # otpauth://totp/…
    qr_data_uri: str  # the QR code as an SVG data: URI (CSP img-src allows data:), no external resource


def twofa_setup_info(*, user, key: str) -> TwoFactorSetup:
    """The enrolment's QR code and typed secret for the pending ``key`` (hex): an ``otpauth://``
    URI naming the site (``OTP_TOTP_ISSUER``) and the user, drawn as an inline SVG (segno)."""
    try:
        raw = binascii.unhexlify(key)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ApplicationError(
            _("The set-up has expired: start again."), code=DataSecurityErrorCode.TWOFA_SETUP_EXPIRED
        ) from exc
    if len(raw) != TOTP_KEY_BYTES:
        raise ApplicationError(
            _("The set-up has expired: start again."), code=DataSecurityErrorCode.TWOFA_SETUP_EXPIRED
        )
    secret = base64.b32encode(raw).decode().rstrip("=")
    issuer = str(settings.OTP_TOTP_ISSUER).replace(":", "")
    label = quote(f"{issuer}:{user.get_username()}")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": 6, "period": 30})
    uri = f"otpauth://totp/{label}?{query}"
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title=_("QR code for your authenticator app")
    )
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    # A data: URI in an <img>: the template escapes it like any value (no markup marked safe).
    qr_data_uri = "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()
    return TwoFactorSetup(secret=grouped, uri=uri, qr_data_uri=qr_data_uri)


# --- The API tokens of the accounts that must use 2FA (SEC-2, SEC-3) ---------------------------


def twofa_tokens_may_review(user) -> bool:
    """Administrators and security auditors review (and revoke) the API tokens of the 2FA roles:
    a token skips the second step, so it is watched instead."""
    return bool(
        getattr(user, "is_active", False)
        and (getattr(user, "is_staff", False) or has_role(user, Role.SECURITY_AUDITOR))
    )


def twofa_token_list(*, user, filters: dict | None = None) -> QuerySet[ApiToken]:
    """The API tokens of every account that must use 2FA today (administrators, and holders of the
    roles the policy lists), newest first, with their owner; ``status`` (active, expired, revoked)
    and ``q`` (username, employee name, token name) narrow it. Reviewers only."""
    if not twofa_tokens_may_review(user):
        raise PermissionDeniedError(_("Only administrators and security auditors review these API tokens (SEC-2)."))
    filters = filters or {}
    roles = twofa_policy().required_roles()
    holders = Q(user__is_staff=True) | Q(user__groups__name__in=sorted(roles))
    qs = ApiToken.objects.filter(pk__in=ApiToken.objects.filter(holders).values("pk")).select_related(
        "user", "user__employee"
    )
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


def twofa_administrator_get(*, username: str) -> User:
    """The active administrator named ``username`` (the actor of a reset from the command line)."""
    user = User.objects.filter(username=username, is_active=True, is_staff=True).first()
    if user is None:
        raise PermissionDeniedError(_("No active administrator of that name."))
    return user
