"""Two-factor login in the demo (SEC-2, SEC-3), so a visitor of ``make run`` can try every login:

- the demo's two-factor policy lists **no role** (a version after the defaults, its note saying
  why): the demo logins of HR, the auditor, the leader and the complaint team sign in with the
  password alone, and each may set 2FA up from the user menu to try it;
- administrators always need a second factor (the product's rule, not the policy's), so the demo
  ``admin`` is enrolled with the known key ``settings.DEMO_TOTP_KEY``: ``manage.py demo_logins``
  prints its secret (to add to an authenticator app) and the code valid now. Its recovery codes
  are those the seed prints. It also gets an API token (its key discarded), so the review of the
  two-factor roles' tokens has a row to show.

A real installation keeps the defaults (HR, auditors, leaders, the complaint team): nothing here
runs outside ``seed_demo``.
"""

from __future__ import annotations

import binascii
import datetime

from django.conf import settings
from django.utils import timezone
from django_otp.oath import TOTP

from callcenter.demo import register_demo_seeder
from callcenter.models import ApiToken, User
from callcenter.services import api_token_create
from datasecurity.models import TWOFA_ROLE_FIELDS, TwoFactorPolicy
from datasecurity.services import twofa_enrol

__all__ = ["DEMO_POLICY_NOTE", "demo_totp_code", "seed_twofa"]

DEMO_POLICY_NOTE = (
    "Demo: two-factor login optional for every role, so each demo login can be tried (administrators always)"
)


def demo_totp_code(key_hex: str, drift: int = 0) -> str:
    """The code of the demo authenticator at Django's clock (the one the login checks codes by)."""
    code = TOTP(binascii.unhexlify(key_hex), drift=drift)
    code.time = timezone.now().timestamp()
    return f"{code.token():06d}"


@register_demo_seeder(order=5)
def seed_twofa(rng, employees, months: int, stdout) -> dict:
    created = 0
    if not TwoFactorPolicy.objects.filter(note=DEMO_POLICY_NOTE).exists():
        # The day after the defaults' version (2000-01-01): in force from the start of the demo.
        TwoFactorPolicy.objects.update_or_create(
            effective_from=datetime.date(2000, 1, 2),
            defaults={"note": DEMO_POLICY_NOTE, **dict.fromkeys(TWOFA_ROLE_FIELDS.values(), False)},
        )
        created = 1
    admin = User.objects.filter(username="admin", is_staff=True).first()
    enrolled = 0
    if admin is not None and not admin.totpdevice_set.filter(confirmed=True).exists():
        key = settings.DEMO_TOTP_KEY
        # Enrolled with the previous 30 s step's code (within django-otp's tolerance of one step),
        # so the code `demo_logins` prints right after the seed has not been used yet.
        _device, codes = twofa_enrol(actor=admin, key=key, code=demo_totp_code(key, drift=-1))
        enrolled = 1
        stdout.write(
            "Demo admin: two-factor login set up (see `manage.py demo_logins`); recovery codes: "
            + ", ".join(codes[:3])
            + " …\n"
        )
    tokens = 0
    if admin is not None and not ApiToken.objects.filter(user=admin).exists():
        # Something for the review of the two-factor roles' API tokens (the key is not kept).
        api_token_create(actor=admin, name="monitoring script (demo)")
        tokens = 1
    return {"twofa_demo_policy": created, "twofa_admin_enrolled": enrolled, "twofa_admin_tokens": tokens}
