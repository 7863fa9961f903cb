"""The API tokens of the two-factor roles (SEC-2, SEC-3): a token opens the API without the second
step, so administrators and security auditors review them on one page (and endpoint) and revoke
them, audited; everyone else is refused; a user revokes their own. And the gate's cost: a session
that passed costs no query in the middleware (the decision is cached in the session)."""

from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import CommandError, call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from callcenter.models import ApiToken
from callcenter.services import api_token_create
from callcenter.tests import factories as f
from datasecurity.middleware import TwoFactorMiddleware
from datasecurity.models import AuditEvent, TwoFactorPolicy
from datasecurity.rules.twofa import trust_cookie_value
from datasecurity.selectors import TWOFA_SESSION_KEY, twofa_token_list
from datasecurity.tests.test_twofa_login import KEY, code_for, enrolled

pytestmark = pytest.mark.django_db

ROLE_USERS = ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor"]
PAGE = "datasecurity:twofa_token_list"
API = "api:datasecurity:twofa_token_list"


@pytest.fixture
def tokens(org):
    """An API token of HR (a 2FA role), of an agent (not), of an administrator."""
    admin = f.UserFactory(username="root", is_staff=True)
    return {
        "hr": api_token_create(actor=org.hr.user, name="HR export script")[0],
        "agent": api_token_create(actor=org.agent.user, name="agent tool")[0],
        "admin": api_token_create(actor=admin, name="monitoring")[0],
        "admin_user": admin,
    }


@pytest.mark.parametrize("who", [*ROLE_USERS, "admin", "anonymous"])
def test_review_page_and_endpoint_role_matrix(client, org, tokens, who):
    """Given the tokens, when each role opens the page and the endpoint, then administrators and
    auditors get 200, everyone else 403 (anonymous: the login page / 403)."""
    if who == "admin":
        client.force_login(tokens["admin_user"])
    elif who != "anonymous":
        client.force_login(getattr(org, who).user)
    allowed = who in {"admin", "auditor"}
    page = client.get(reverse(PAGE))
    api = client.get(reverse(API))
    if who == "anonymous":
        assert page.status_code == 302 and reverse("callcenter:login") in page.url
        assert api.status_code in (401, 403)
    elif allowed:
        assert page.status_code == 200 and api.status_code == 200
    else:
        assert page.status_code == 403 and api.status_code == 403


def test_the_list_holds_the_tokens_of_the_2fa_roles_only(client, org, tokens):
    client.force_login(org.auditor.user)
    body = client.get(reverse(API)).json()
    names = {row["name"] for row in body["results"]}
    assert names == {"HR export script", "monitoring"}
    page = client.get(reverse(PAGE)).content.decode()
    assert "HR export script" in page and "agent tool" not in page and "SEC-2" in page
    # the policy decides: HR no longer listed → their token leaves the review
    TwoFactorPolicy.objects.create(effective_from="2000-01-01", required_for_hr=False)
    assert {t.name for t in twofa_token_list(user=org.auditor.user)} == {"monitoring"}


def test_the_list_answers_in_bounded_queries(client, org, tokens, django_assert_max_num_queries):
    for n in range(30):
        api_token_create(actor=f.UserFactory(username=f"hr{n}", roles=["hr"]), name=f"t{n}")
    client.force_login(org.auditor.user)
    client.get(reverse(PAGE))
    with django_assert_max_num_queries(12):
        assert client.get(reverse(PAGE)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse(API)).status_code == 200


def test_an_auditor_revokes_a_2fa_role_token_audited(client, org, tokens):
    client.force_login(org.auditor.user)
    token = tokens["hr"]
    response = client.post(reverse("datasecurity:twofa_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoke", object_id=str(token.pk))
    assert event.actor_id == org.auditor.user.pk


def test_an_auditor_cannot_revoke_a_token_outside_the_2fa_roles(client, org, tokens):
    client.force_login(org.auditor.user)
    token = tokens["agent"]
    assert client.post(reverse("api:datasecurity:twofa_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("who", ["agent", "supervisor", "hr", "leader", "handler"])
def test_others_cannot_revoke_someone_elses_token(client, org, tokens, who):
    client.force_login(getattr(org, who).user)
    target = tokens["admin"]
    assert client.post(reverse("api:datasecurity:twofa_token_revoke", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assert target.revoked_at is None


def test_a_user_revokes_their_own(client, org, tokens):
    client.force_login(org.agent.user)
    response = client.post(reverse("api:datasecurity:twofa_token_revoke", args=[tokens["agent"].pk]))
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert ApiToken.objects.get(pk=tokens["agent"].pk).revoked_reason == "owner"


# --- The gate's cost per request -------------------------------------------------------------------


def _request(user, session, cookies=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = session
    request.COOKIES.update(cookies or {})
    return request


@pytest.mark.twofa
def test_a_passed_session_costs_no_query_in_the_middleware(org, django_assert_max_num_queries):
    user = org.hr.user
    session = SessionStore()
    session[TWOFA_SESSION_KEY] = f"verified:{user.pk}"
    middleware = TwoFactorMiddleware(lambda request: HttpResponse("ok"))
    with django_assert_max_num_queries(0):
        for _ in range(5):
            assert middleware(_request(user, session)).status_code == 200


@pytest.mark.twofa
def test_a_trusted_device_is_checked_once_then_cached_in_the_session(org, django_assert_max_num_queries):
    """First request of a session with a trusted-device cookie: device, policy, roles, and the
    audited skip; every later request: none."""
    user = org.hr.user
    enrolled(user)
    device_id = user.totpdevice_set.get().pk
    cookie = trust_cookie_value(user_id=user.pk, device_id=device_id, auth_hash=user.get_session_auth_hash())
    session = SessionStore()
    middleware = TwoFactorMiddleware(lambda request: HttpResponse("ok"))
    with django_assert_max_num_queries(12):
        assert middleware(_request(user, session, {"twofa_trust": cookie})).status_code == 200
    assert session[TWOFA_SESSION_KEY] == f"verified:{user.pk}"
    with django_assert_max_num_queries(0):
        assert middleware(_request(user, session, {"twofa_trust": cookie})).status_code == 200


@pytest.mark.twofa
def test_a_session_of_another_user_does_not_pass(org):
    """The cached decision names its user: a session marked for someone else decides again."""
    session = SessionStore()
    session[TWOFA_SESSION_KEY] = f"verified:{org.agent.user.pk}"
    middleware = TwoFactorMiddleware(lambda request: HttpResponse("ok"))
    response = middleware(_request(org.hr.user, session))
    assert response.status_code == 302 and response.url.startswith(reverse("datasecurity:twofa_setup"))


@pytest.mark.twofa
def test_a_forged_or_foreign_trust_cookie_is_ignored(org):
    user = org.hr.user
    enrolled(user)
    device_id = user.totpdevice_set.get().pk
    other = trust_cookie_value(user_id=org.agent.user.pk, device_id=device_id, auth_hash=user.get_session_auth_hash())
    middleware = TwoFactorMiddleware(lambda request: HttpResponse("ok"))
    for cookie in (other, other[:-2] + "xx", "garbage"):
        response = middleware(_request(user, SessionStore(), {"twofa_trust": cookie}))
        assert response.status_code == 302 and response.url.startswith(reverse("datasecurity:twofa_verify"))
    assert code_for(KEY).isdigit()


# --- Reset of a lost second factor (SEC-2) -----------------------------------------------------------


@translation.override("en")  # the refusals read in English
def test_an_administrator_resets_a_lost_device_audited_never_their_own(org):
    admin = f.UserFactory(username="root2", is_staff=True)
    enrolled(org.hr.user)
    out = StringIO()
    call_command("twofa_reset", org.hr.user.username, by=admin.username, stdout=out)
    assert "1 two-factor device" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=org.hr.user).exists()
    assert AuditEvent.objects.filter(action="twofa.reset", actor=admin, object_id=str(org.hr.user.pk)).count() == 1
    enrolled(admin, "00112233445566778899aabbccddeeff00112233")
    with pytest.raises(CommandError, match="your own"):
        call_command("twofa_reset", admin.username, by=admin.username, stdout=StringIO())
    with pytest.raises(CommandError, match="administrator"):
        call_command("twofa_reset", admin.username, by=org.hr.user.username, stdout=StringIO())
    assert TOTPDevice.objects.filter(user=admin).exists()


def test_the_admin_shows_devices_read_only_without_their_secret(client, org):
    admin = f.UserFactory(username="root3", is_staff=True, is_superuser=True)
    enrolled(org.hr.user)
    client.force_login(admin)
    device = TOTPDevice.objects.get(user=org.hr.user)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.key not in page.content.decode()
    assert (
        client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}).status_code == 403
    )
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
