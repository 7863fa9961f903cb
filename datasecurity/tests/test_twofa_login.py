"""Two-factor login (SEC-2, SEC-3), end to end over HTTP: enrolment with the QR secret, the login's
second step with an app code or a recovery code (used once), the trusted device for N days then
not, throttled and audited wrong codes, and the gate that no URL and no API endpoint can skip.

Marked ``twofa``: here a sign-in does not count as having passed the second step (conftest.py).
Codes are computed as the user's phone would, with django-otp's own ``totp`` from the device key.
"""

import base64
import binascii
import re
import time

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from callcenter.models import ApiToken
from callcenter.roles import Role
from callcenter.services import api_token_create, user_password_change
from callcenter.tests import factories as f
from callcenter.tests.factories import TEST_PASSWORD, reads_english
from datasecurity.models import AuditEvent, TwoFactorPolicy
from datasecurity.services import twofa_enrol
from datasecurity.views.twofa import SETUP_KEY

pytestmark = [pytest.mark.twofa, pytest.mark.django_db]

KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex


def code_for(key_hex: str, *, drift: int = 0) -> str:
    """What the authenticator app shows (``drift`` steps of 30 s later)."""
    return f"{totp(binascii.unhexlify(key_hex), drift=drift):06d}"


def sign_in(client, user, password=TEST_PASSWORD):
    return client.post(reverse("callcenter:login"), {"username": user.get_username(), "password": password})


def enrolled(user, key=KEY) -> list[str]:
    """The user has set up 2FA with ``key`` (through the service, as the page does)."""
    _device, codes = twofa_enrol(actor=user, key=key, code=code_for(key))
    return codes


def next_code(key=KEY) -> str:
    """A code the device has not seen yet: the enrolment used this 30 s step's code."""
    device = TOTPDevice.objects.get(key=key)
    step = int(time.time()) // 30
    return code_for(key, drift=max(1, device.last_t + 1 - step))


# --- Enrolment -----------------------------------------------------------------------------------


def test_required_user_enrols_end_to_end_then_reaches_the_site(client, org):
    """Given HR (a role the default policy lists) without a device, when they sign in, then every
    page sends them to the set-up; they scan the secret, confirm with a code, get ten recovery
    codes once (downloadable), and only then reach the dashboard."""
    reads_english(org.hr)
    user = org.hr.user
    response = sign_in(client, user)
    assert response.status_code == 302
    dashboard = client.get(reverse("callcenter:dashboard"))
    assert dashboard.status_code == 302 and dashboard.url.startswith(reverse("datasecurity:twofa_setup"))

    page = client.get(reverse("datasecurity:twofa_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html and "SEC-2" in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    key = client.session[SETUP_KEY]
    secret = re.search(r'id="twofa-secret">([^<]+)<', html).group(1).replace(" ", "")
    assert base64.b32decode(secret + "=" * (-len(secret) % 8)) == binascii.unhexlify(key)

    bad = "000000" if code_for(key) != "000000" else "111111"
    wrong = client.post(reverse("datasecurity:twofa_setup"), {"code": bad})
    assert wrong.status_code == 400 and not TOTPDevice.objects.filter(user=user).exists()

    done = client.post(reverse("datasecurity:twofa_setup"), {"code": code_for(key)})
    assert done.status_code == 200
    codes = re.findall(r"<li class=\"col\">([a-z2-7]{4}-[a-z2-7]{4})</li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    download = client.get(reverse("datasecurity:twofa_recovery_codes_download"))
    assert download.status_code == 200 and download["Content-Type"].startswith("text/plain")
    assert all(code in download.content.decode() for code in codes)

    assert client.get(reverse("callcenter:dashboard")).status_code == 200
    # shown once: leaving the page forgets them
    assert client.get(reverse("datasecurity:twofa_manage")).status_code == 200
    assert client.get(reverse("datasecurity:twofa_recovery_codes_download")).status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.key == key
    assert AuditEvent.objects.filter(action="twofa.enrol", object_id=str(user.pk)).count() == 1


def test_the_enrolment_code_cannot_be_replayed_at_the_login(client, org):
    user = org.hr.user
    enrolled(user)
    sign_in(client, user)
    response = client.post(reverse("datasecurity:twofa_verify"), {"code": code_for(KEY)})
    assert response.status_code == 400


# --- The second step ------------------------------------------------------------------------------


def test_login_with_an_app_code(client, org):
    reads_english(org.hr)
    user = org.hr.user
    enrolled(user)
    sign_in(client, user)
    target = reverse("datasecurity:twofa_manage")
    gate = client.get(target)
    assert gate.status_code == 302
    assert gate.url == reverse("datasecurity:twofa_verify") + "?next=" + target.replace("/", "%2F")
    page = client.get(gate.url)
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    response = client.post(reverse("datasecurity:twofa_verify"), {"code": next_code(), "next": target})
    assert response.status_code == 302 and response.url == target
    assert client.get(reverse("callcenter:dashboard")).status_code == 200
    assert settings.TWOFA_TRUST_COOKIE_NAME not in response.cookies  # not asked to trust
    assert AuditEvent.objects.filter(action="twofa.sign_in", object_id=str(user.pk)).count() == 1


def test_a_recovery_code_works_once(client, org):
    user = org.auditor.user
    reads_english(org.auditor)
    codes = enrolled(user)
    sign_in(client, user)
    shown = f"{codes[0][:4]}-{codes[0][4:]}".upper()  # as printed, typed in capitals
    response = client.post(reverse("datasecurity:twofa_verify"), {"code": shown})
    assert response.status_code == 302
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.post(reverse("callcenter:logout"))

    sign_in(client, user)
    again = client.post(reverse("datasecurity:twofa_verify"), {"code": codes[0]})
    assert again.status_code == 400 and "not right" in again.content.decode()
    assert client.get(reverse("callcenter:dashboard")).status_code == 302


def test_wrong_codes_are_throttled_and_audited(client, org):
    """django-otp's throttle: after a wrong code the next try waits 1 s, then 2 s, 4 s …"""
    reads_english(org.hr)
    user = org.hr.user
    enrolled(user)
    sign_in(client, user)
    right = next_code()
    wrong = "000000" if right != "000000" else "111111"
    first = client.post(reverse("datasecurity:twofa_verify"), {"code": wrong})
    assert first.status_code == 400
    throttled = client.post(reverse("datasecurity:twofa_verify"), {"code": right})
    assert throttled.status_code == 429 and "Too many wrong codes" in throttled.content.decode()
    assert client.get(reverse("callcenter:dashboard")).status_code == 302
    device = TOTPDevice.objects.get(user=user)
    assert device.throttling_failure_count == 1  # a refused try while waiting does not add to the wait
    rejected = AuditEvent.objects.filter(action="twofa.code_rejected", object_id=str(user.pk))
    assert rejected.count() == 2
    assert {e.changes["reason"] for e in rejected} == {"twofa_code_invalid", "twofa_throttled"}
    # once the wait is over (moved back here rather than sleeping), the right code opens the session
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=device.throttling_failure_timestamp.replace(year=2000)
    )
    assert client.post(reverse("datasecurity:twofa_verify"), {"code": right}).status_code == 302


def test_password_lockout_still_applies_before_the_second_step(client, org):
    """django-axes works as before: wrong passwords lock the account; the code page is never reached."""
    user = org.hr.user
    enrolled(user)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, user, password="wrong-password")
    locked = sign_in(client, user)
    assert locked.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


# --- Trusted device (SEC-3) -----------------------------------------------------------------------


def test_trusted_device_skips_the_second_step_for_n_days_then_not(client, org, monkeypatch):
    TwoFactorPolicy.objects.create(effective_from="2000-01-01", trusted_device_days=7)
    user = org.hr.user
    enrolled(user)
    sign_in(client, user)
    response = client.post(reverse("datasecurity:twofa_verify"), {"code": next_code(), "trust": "on"})
    cookie = response.cookies[settings.TWOFA_TRUST_COOKIE_NAME]
    assert cookie["httponly"] and cookie["max-age"] == 7 * 24 * 3600 and cookie["samesite"] == "Lax"
    client.post(reverse("callcenter:logout"))

    # a day later: straight in
    sign_in(client, user)
    assert client.get(reverse("callcenter:dashboard")).status_code == 200
    assert AuditEvent.objects.filter(action="twofa.trusted_device", object_id=str(user.pk)).count() == 1
    client.post(reverse("callcenter:logout"))

    # eight days later (the clock the signature is dated by): asked again
    now = time.time()
    monkeypatch.setattr("django.core.signing.time.time", lambda: now + 8 * 24 * 3600)
    sign_in(client, user)
    assert client.get(reverse("callcenter:dashboard")).url.startswith(reverse("datasecurity:twofa_verify"))


def test_trust_ends_with_a_password_change_or_a_new_device(client, org):
    user = org.hr.user
    enrolled(user)
    sign_in(client, user)
    client.post(reverse("datasecurity:twofa_verify"), {"code": next_code(), "trust": "on"})
    client.post(reverse("callcenter:logout"))
    user_password_change(user=user, new_password="Another-Long-Pass-99")
    sign_in(client, user, password="Another-Long-Pass-99")
    assert client.get(reverse("callcenter:dashboard")).url.startswith(reverse("datasecurity:twofa_verify"))


def test_policy_zero_days_offers_no_trust(client, org):
    TwoFactorPolicy.objects.create(effective_from="2000-01-01", trusted_device_days=0)
    user = org.hr.user
    enrolled(user)
    sign_in(client, user)
    page = client.get(reverse("datasecurity:twofa_verify"))
    assert 'name="trust"' not in page.content.decode()
    response = client.post(reverse("datasecurity:twofa_verify"), {"code": next_code(), "trust": "on"})
    assert response.status_code == 302 and settings.TWOFA_TRUST_COOKIE_NAME not in response.cookies


# --- Who must, who may -----------------------------------------------------------------------------


@pytest.mark.parametrize("attribute", ["agent", "supervisor", "manager"])
def test_a_user_whose_role_does_not_require_it_may_skip(client, org, attribute):
    user = getattr(org, attribute).user
    sign_in(client, user)
    assert client.get(reverse("callcenter:dashboard")).status_code == 200
    assert client.get(reverse("datasecurity:twofa_setup")).status_code == 200  # optional, offered


@pytest.mark.parametrize("attribute", ["hr", "auditor", "leader", "handler"])
def test_the_default_policy_requires_it_of_hr_auditors_leaders_and_the_complaint_team(client, org, attribute):
    sign_in(client, getattr(org, attribute).user)
    assert client.get(reverse("callcenter:dashboard")).url.startswith(reverse("datasecurity:twofa_setup"))


def test_administrators_always_must_whatever_the_policy(client, org):
    TwoFactorPolicy.objects.create(
        effective_from="2000-01-01",
        required_for_hr=False,
        required_for_security_auditor=False,
        required_for_company_leader=False,
        required_for_complaint_handler=False,
    )
    admin = f.UserFactory(username="root", is_staff=True)
    sign_in(client, admin)
    assert client.get(reverse("callcenter:dashboard")).url.startswith(reverse("datasecurity:twofa_setup"))
    other = type(client)()
    sign_in(other, org.hr.user)  # HR is no longer listed
    assert other.get(reverse("callcenter:dashboard")).status_code == 200


def test_an_optional_user_turns_it_on_and_off_a_required_one_cannot(client, org):
    reads_english(org.agent, org.hr)
    agent = org.agent.user
    enrolled(agent)
    sign_in(client, agent)
    client.post(reverse("datasecurity:twofa_verify"), {"code": next_code()})
    response = client.post(reverse("datasecurity:twofa_remove"), {"code": next_code()})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert AuditEvent.objects.filter(action="twofa.remove", object_id=str(agent.pk)).count() == 1

    hr_client = type(client)()
    key = "00112233445566778899aabbccddeeff00112233"
    enrolled(org.hr.user, key)
    sign_in(hr_client, org.hr.user)
    hr_client.post(reverse("datasecurity:twofa_verify"), {"code": next_code(key)})
    page = hr_client.get(reverse("datasecurity:twofa_manage"))
    assert "cannot be turned off" in page.content.decode()
    refused = hr_client.post(reverse("datasecurity:twofa_remove"), {"code": next_code(key)}, follow=True)
    assert "cannot be turned off" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=org.hr.user).exists()


def test_recovery_codes_are_regenerated_with_a_code(client, org):
    reads_english(org.hr)
    user = org.hr.user
    old = enrolled(user)
    sign_in(client, user)
    client.post(reverse("datasecurity:twofa_verify"), {"code": old[0]})
    response = client.post(reverse("datasecurity:twofa_recovery_codes_regenerate"), {"code": next_code()})
    assert response.status_code == 200
    new = {t.token for t in StaticToken.objects.filter(device__user=user)}
    assert len(new) == 10 and not new & set(old)
    assert AuditEvent.objects.filter(action="twofa.recovery_codes_regenerate").count() == 1


# --- Nothing skips the gate ------------------------------------------------------------------------


def _routes_without_arguments():
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if "<" not in route and "(?P" not in route and not route.startswith("^"):
                    yield "/" + route.lstrip("^").rstrip("$")

    return sorted(set(walk(get_resolver().url_patterns)))


EXEMPT = {"/accounts/logout/", "/i18n/language/", "/healthz", "/accounts/twofa/verify/", "/accounts/twofa/setup/"}


def test_a_required_user_without_a_device_reaches_no_other_url_and_no_api_endpoint(client, org):
    """Every page (GET and POST) redirects to the set-up; every API endpoint answers 403 JSON."""
    user = org.hr.user
    sign_in(client, user)
    routes = [r for r in _routes_without_arguments() if r not in EXEMPT]
    assert len(routes) > 50
    leaks = []
    for route in routes:
        for method in ("get", "post"):
            response = getattr(client, method)(route)
            if route.startswith("/api/"):
                ok = response.status_code == 403 and response.json()["code"] == "twofa_enrolment_required"
            else:
                ok = response.status_code == 302 and response.url.startswith(reverse("datasecurity:twofa_setup"))
            if not ok:
                leaks.append((method, route, response.status_code))
    assert not leaks


def test_a_session_waiting_for_its_code_is_refused_by_the_api_but_a_token_is_not(client, org):
    user = org.hr.user
    enrolled(user)
    _token, key = api_token_create(actor=user, name="report script")
    sign_in(client, user)
    refused = client.get(reverse("api:datasecurity:twofa_status"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "twofa_verification_required" and "SEC-2" in refused.json()["detail"]
    machine = type(client)()
    answer = machine.get(reverse("api:datasecurity:twofa_status"), headers={"Authorization": f"Token {key}"})
    assert answer.status_code == 200 and answer.json()["enrolled"] is True and answer.json()["required"] is True
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_status_endpoint_describes_the_current_user(client, org):
    sign_in(client, org.agent.user)
    body = client.get(reverse("api:datasecurity:twofa_status")).json()
    assert body["enrolled"] is False and body["required"] is False and body["may_remove"] is False
    assert body["trusted_device_days"] == 30 and body["required_roles"] == []
    schema = client.get(reverse("api:schema"), headers={"Accept": "application/json"})
    assert "/api/v1/twofa/status/" in schema.content.decode()


def test_leader_role_required_reason_names_the_role(client, org):
    reads_english(org.leader)
    sign_in(client, org.leader.user)
    page = client.get(reverse("datasecurity:twofa_setup"))
    assert "Company leader" in page.content.decode() and "SEC-2" in page.content.decode()
    assert Role.COMPANY_LEADER in TwoFactorPolicy().required_roles()
