"""Rules of the two-factor login (SEC-2, SEC-3), without the database: who must use a second
factor, what a typed code looks like, and the signed trusted-device cookie.

The trusted-device cookie is bound to the user, to their authenticator device and to their
password (Django's session auth hash, which changes with the password): removing the device,
enrolling a new one or changing the password ends every trust given before. It is signed with the
site's secret and dated, so its age is checked against the policy in force when it is read (a
policy that shortens the period, or sets it to 0, ends older trust at once).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.core import signing

from callcenter.roles import Role

__all__ = [
    "RECOVERY_CODE_COUNT",
    "TOTP_KEY_BYTES",
    "TRUST_COOKIE_SALT",
    "TwoFactorRequirement",
    "code_kind",
    "code_normalise",
    "recovery_code_new",
    "totp_key_new",
    "trust_cookie_read",
    "trust_cookie_value",
    "twofa_requirement",
]

# SEC-2: ten single-use recovery codes, shown once.
RECOVERY_CODE_COUNT = 10
# RFC 4226 recommends 160-bit HMAC-SHA1 keys (django-otp's default key length).
TOTP_KEY_BYTES = 20
TRUST_COOKIE_SALT = "datasecurity.twofa.trust"

_TOTP_CODE = re.compile(r"\d{6}")
_RECOVERY_CODE = re.compile(r"[a-z2-7]{8}")


@dataclass(frozen=True)
class TwoFactorRequirement:
    """Whether a user must use a second factor, and why (the roles, or being an administrator)."""

    required: bool
    administrator: bool
    roles: tuple[str, ...]  # the user's roles that the policy lists

    def reason_roles(self) -> list[str]:
        return [str(Role(role).label) for role in self.roles]


def twofa_requirement(
    *, user_roles: frozenset[str], is_staff: bool, policy_roles: frozenset[str]
) -> TwoFactorRequirement:
    """SEC-2: administrators always; otherwise the holders of a role the policy lists."""
    roles = tuple(sorted(user_roles & policy_roles))
    return TwoFactorRequirement(required=bool(is_staff or roles), administrator=bool(is_staff), roles=roles)


def code_normalise(code: str) -> str:
    """What the user typed, without spaces and dashes, lower case (recovery codes are shown as
    ``abcd-efgh``; authenticator apps show ``123 456``)."""
    return re.sub(r"[\s-]", "", str(code or "")).lower()[:32]


def code_kind(code: str) -> str:
    """``totp`` (six digits), ``recovery`` (eight base-32 letters) or ``""`` (neither)."""
    if _TOTP_CODE.fullmatch(code):
        return "totp"
    if _RECOVERY_CODE.fullmatch(code):
        return "recovery"
    return ""


def totp_key_new() -> str:
    """A new TOTP secret, hex (django-otp's ``TOTPDevice.key`` format)."""
    return secrets.token_hex(TOTP_KEY_BYTES)


def recovery_code_new() -> str:
    """A single-use recovery code: eight base-32 letters (40 bits), stored as typed (django-otp's
    ``StaticToken``), shown as ``abcd-efgh``."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(secrets.choice(alphabet) for _ in range(8))


def trust_cookie_value(*, user_id: int, device_id: int, auth_hash: str) -> str:
    """The signed, dated value of the trusted-device cookie."""
    return signing.dumps({"u": user_id, "d": device_id, "h": auth_hash[:32]}, salt=TRUST_COOKIE_SALT, compress=True)


def trust_cookie_read(value: str, *, user_id: int, device_id: int, auth_hash: str, max_age_days: int) -> bool:
    """True when ``value`` is a cookie this site gave to this user, for this device and this
    password, less than ``max_age_days`` ago (SEC-3). 0 days trusts nothing."""
    if not value or max_age_days <= 0:
        return False
    try:
        data = signing.loads(value, salt=TRUST_COOKIE_SALT, max_age=max_age_days * 24 * 3600)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return False
    return data == {"u": user_id, "d": device_id, "h": auth_hash[:32]}
