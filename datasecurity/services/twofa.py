"""Writes of the two-factor login (SEC-2, SEC-3): enrolment, the login's second step, recovery
codes, removal, and the revocation of the API tokens of the 2FA roles. Every one is audited.

The devices are django-otp's (``TOTPDevice``, ``StaticDevice``) and so is the throttling of wrong
codes (each failure doubles the wait before the next try: 1 s, 2 s, 4 s …). A wrong code is a
refusal *and* a record: the failure (the throttle's count and the audit event) is committed before
the refusal is raised, so it is never rolled back with it.
"""

from __future__ import annotations

import binascii
import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

# The module, not its names: the core's services import this package (to audit), so they are
# still being imported when this module is.
import callcenter.services
from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.models import ApiToken, User
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.rules.twofa import (
    RECOVERY_CODE_COUNT,
    TOTP_KEY_BYTES,
    code_kind,
    code_normalise,
    recovery_code_new,
)
from datasecurity.selectors.twofa import twofa_policy, twofa_required, twofa_tokens_may_review
from datasecurity.services.audit import audit_record

__all__ = [
    "TwoFactorCheck",
    "twofa_api_token_revoke",
    "twofa_enrol",
    "twofa_recovery_codes_regenerate",
    "twofa_remove",
    "twofa_reset",
    "twofa_trusted_device_record",
    "twofa_verify",
]

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery codes"


@dataclass(frozen=True)
class TwoFactorCheck:
    """A code that was accepted: which device, which kind, how many recovery codes are left."""

    device_id: int
    kind: str  # "totp" or "recovery"
    recovery_codes_left: int


def _user_locked(actor) -> User:
    user = User.objects.select_for_update().filter(pk=getattr(actor, "pk", None), is_active=True).first()
    if user is None:
        raise PermissionDeniedError(_("This account is deactivated."))
    return user


def _invalid_code() -> ApplicationError:
    return ApplicationError(
        _(
            "This code is not right. Type the 6-digit code your authenticator app shows now, "
            "or one of your recovery codes."
        ),
        code=DataSecurityErrorCode.TWOFA_CODE_INVALID,
        field="code",
    )


def _throttled(until) -> ApplicationError:
    seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    return ApplicationError(
        _("Too many wrong codes (SEC-3): wait %(seconds)d seconds, then try again.") % {"seconds": seconds},
        code=DataSecurityErrorCode.TWOFA_THROTTLED,
        status=429,
        field="code",
    )


def _recovery_codes_new(device: StaticDevice) -> list[str]:
    device.token_set.all().delete()
    codes = [recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _check(user: User, code: str, *, allow_recovery: bool) -> tuple[TwoFactorCheck | None, ApplicationError | None]:
    """Try ``code`` against the user's devices (locked). Returns the accepted check, or the refusal
    to raise once the failure is recorded. Wrong codes of either kind count on the authenticator
    device's throttle, so alternating kinds does not buy more tries."""
    totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
    if totp is None:
        return None, ApplicationError(
            _("You have not set up two-factor login yet."), code=DataSecurityErrorCode.TWOFA_NOT_ENROLLED
        )
    allowed, why = totp.verify_is_allowed()
    if not allowed:
        return None, _throttled(why["locked_until"])
    static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("-pk").first()
    code = code_normalise(code)
    kind = code_kind(code)
    if kind == "totp" and totp.verify_token(code):
        left = static.token_set.count() if static is not None else 0
        return TwoFactorCheck(totp.pk, "totp", left), None
    if kind == "recovery" and allow_recovery and static is not None:
        allowed, why = static.verify_is_allowed()
        if not allowed:
            return None, _throttled(why["locked_until"])
        if static.verify_token(code):
            totp.throttle_reset()
            return TwoFactorCheck(totp.pk, "recovery", static.token_set.count()), None
    if kind != "totp":
        totp.throttle_increment()  # verify_token counted the wrong six digits already
    return None, _invalid_code()


def _record_failure(user: User, purpose: str, error: ApplicationError) -> None:
    audit_record(
        actor=user,
        action="twofa.code_rejected",
        obj=user,
        changes={"purpose": purpose, "reason": str(error.code)},
    )


def _checked(actor, code: str, *, purpose: str, allow_recovery: bool = True) -> tuple[User, TwoFactorCheck]:
    """Check a code in its own transaction (committed, failure included), then raise or return."""
    with transaction.atomic():
        user = _user_locked(actor)
        check, error = _check(user, code, allow_recovery=allow_recovery)
        if error is not None and error.code != DataSecurityErrorCode.TWOFA_NOT_ENROLLED:
            _record_failure(user, purpose, error)
    if error is not None:
        raise error
    return user, check


def twofa_verify(*, actor, code: str) -> TwoFactorCheck:
    """The login's second step (SEC-2): a code from the authenticator app, or a recovery code,
    which is then used up. A wrong code is audited and throttled (django-otp: the wait doubles
    after each failure); the right one is audited with the kind of code used."""
    user, check = _checked(actor, code, purpose="sign_in")
    with transaction.atomic():
        audit_record(
            actor=user,
            action="twofa.sign_in",
            obj=user,
            changes={"kind": check.kind, "recovery_codes_left": check.recovery_codes_left},
        )
    return check


@transaction.atomic
def twofa_trusted_device_record(*, actor, device_id: int) -> None:
    """Audit a sign-in whose second step a trusted device skipped (SEC-3: the cookie given when
    the user ticked "trust this device")."""
    audit_record(actor=actor, action="twofa.trusted_device", obj=actor, changes={"device": device_id})


def twofa_enrol(*, actor, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Set up two-factor login (SEC-2): ``key`` is the secret the user scanned (hex, kept in their
    session while they set it up), ``code`` what their app shows now. Creates the authenticator
    device and ten recovery codes, returned once and never shown again."""
    try:
        raw = binascii.unhexlify(key or "")
    except (binascii.Error, ValueError) as exc:
        raise ApplicationError(
            _("The set-up has expired: start again."), code=DataSecurityErrorCode.TWOFA_SETUP_EXPIRED
        ) from exc
    if len(raw) != TOTP_KEY_BYTES:
        raise ApplicationError(
            _("The set-up has expired: start again."), code=DataSecurityErrorCode.TWOFA_SETUP_EXPIRED
        )
    with transaction.atomic():
        user = _user_locked(actor)
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ApplicationError(
                _("Two-factor login is already set up on your account."),
                code=DataSecurityErrorCode.TWOFA_ALREADY_ENROLLED,
                status=409,
            )
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
        normalised = code_normalise(code)
        # An unsaved device checks the code; nothing is written when it is wrong (no device yet
        # to throttle: the set-up page asks again, and only this user's session holds the key).
        if code_kind(normalised) != "totp" or not _totp_matches(device, normalised):
            raise ApplicationError(
                _("This code does not match: check the time on your phone and type the code your app shows now."),
                code=DataSecurityErrorCode.TWOFA_CODE_INVALID,
                field="code",
            )
        device.save()
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        StaticDevice.objects.filter(user=user).delete()
        static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = _recovery_codes_new(static)
        audit_record(
            actor=user,
            action="twofa.enrol",
            obj=user,
            changes={"device": device.pk, "recovery_codes": len(codes)},
        )
    return device, codes


def _totp_matches(device: TOTPDevice, code: str) -> bool:
    """django-otp's check on an unsaved device (no throttle row yet): sets ``last_t`` so the
    enrolment code cannot be replayed at the login."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp()
    if totp.verify(int(code), device.tolerance, device.last_t + 1):
        device.last_t = totp.t()
        device.drift = totp.drift
        return True
    return False


def twofa_recovery_codes_regenerate(*, actor, code: str) -> list[str]:
    """Ten new recovery codes for the user (confirmed with a code from the authenticator app);
    the old ones stop working."""
    user, _check_result = _checked(actor, code, purpose="recovery_codes", allow_recovery=False)
    with transaction.atomic():
        user = _user_locked(user)
        StaticDevice.objects.filter(user=user).delete()
        static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        codes = _recovery_codes_new(static)
        audit_record(
            actor=user, action="twofa.recovery_codes_regenerate", obj=user, changes={"recovery_codes": len(codes)}
        )
    return codes


def twofa_remove(*, actor, code: str) -> None:
    """Turn two-factor login off (confirmed with a code), only for a user whose roles do not
    require it (SEC-2); the trusted devices end with the device."""
    with transaction.atomic():
        user = _user_locked(actor)
        requirement = twofa_required(user, twofa_policy())
        if requirement.required:
            raise PermissionDeniedError(
                _("Your role requires two-factor login (SEC-2): it cannot be turned off."),
                code=DataSecurityErrorCode.TWOFA_REQUIRED,
            )
    user, _check_result = _checked(actor, code, purpose="remove")
    with transaction.atomic():
        user = _user_locked(user)
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        StaticDevice.objects.filter(user=user).delete()
        audit_record(actor=user, action="twofa.remove", obj=user, changes={"devices_removed": removed})


@transaction.atomic
def twofa_reset(*, actor, username: str) -> int:
    """An administrator ends another user's two-factor devices (a lost phone and lost recovery
    codes): at their next login the user sets 2FA up again, or signs in with the password alone
    if their roles do not require it (SEC-2). Never one's own (an administrator who lost theirs
    asks another); audited. Returns how many devices were removed."""
    if not (getattr(actor, "is_active", False) and getattr(actor, "is_staff", False)):
        raise PermissionDeniedError(_("Only an administrator resets someone's two-factor login."))
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        raise ApplicationError(_("No such account."), code=DataSecurityErrorCode.TWOFA_NOT_ENROLLED)
    if user.pk == actor.pk:
        raise PermissionDeniedError(_("You cannot reset your own two-factor login (SEC-2): ask another administrator."))
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    StaticDevice.objects.filter(user=user).delete()
    if not removed:
        raise ApplicationError(
            _("This account has no two-factor login to reset."), code=DataSecurityErrorCode.TWOFA_NOT_ENROLLED
        )
    audit_record(actor=actor, action="twofa.reset", obj=user, changes={"devices_removed": removed})
    return removed


@transaction.atomic
def twofa_api_token_revoke(*, actor, token_id: int) -> ApiToken:
    """Revoke an API token from the review page of the 2FA roles' tokens (SEC-2, SEC-3): an
    administrator or a security auditor revokes the token of an account that must use 2FA (a
    token skips the second step); anyone revokes their own. Audited by the core's service."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id).first()
    reviewer = twofa_tokens_may_review(actor)

    def may_manage(*, user, token: ApiToken) -> bool:
        if token.user_id == getattr(user, "pk", None):
            return True
        return reviewer and twofa_required(token.user, twofa_policy()).required

    if token is not None and not may_manage(user=actor, token=token):
        token = None
    return callcenter.services.api_token_revoke(
        actor=actor, token_id=token.pk if token is not None else 0, may_manage=may_manage
    )
