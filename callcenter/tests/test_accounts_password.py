"""The forced password change on every way into the API, and the attempt limit of the password
change page (SEC-2)."""

import datetime

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework.views import APIView

from callcenter import services
from callcenter.api.authentication import SessionAuthentication, TokenAuthentication
from callcenter.models import AccountPolicy
from callcenter.tests.factories import TEST_PASSWORD
from callcenter.tests.test_access_declared import _walk
from datasecurity.models import AuditEvent

NEW_PASSWORD = "Brand-new-Passw0rd!"


def _force_change(user, reason):
    if reason == "first_login":
        user.must_change_password = True
    else:
        AccountPolicy.objects.create(effective_from=datetime.date(2000, 1, 1), password_max_age_days=30)
        user.password_changed_at = timezone.now() - datetime.timedelta(days=31)
    user.save()


def _token_client(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {services.api_token_create(actor=user, name='script')[1]}")
    return api


@pytest.mark.parametrize("reason", ["first_login", "expired"])
def test_token_callers_get_the_forced_password_change(org, reason):
    # given an agent with an API token, who must change their password
    api = _token_client(org.agent.user)
    _force_change(org.agent.user, reason)
    # when they read or write through the API with the token
    reads = api.get(reverse("api:callcenter:me"))
    writes = api.post(reverse("api:attendance:punch_me"), {"idempotency_key": "k1"}, format="json")
    # then both are refused as session users are, and nothing is written
    for response in (reads, writes):
        assert response.status_code == 403
        assert response.json()["code"] == "password_change_required"
        assert set(response.json()) == {"detail", "code"}
    assert not AuditEvent.objects.filter(action="punch.record").exists()


@pytest.mark.parametrize("reason", ["first_login", "expired"])
def test_session_api_callers_get_the_forced_password_change(client, org, reason):
    _force_change(org.agent.user, reason)
    client.force_login(org.agent.user)
    response = client.get(reverse("api:callcenter:me"))
    assert response.status_code == 403 and response.json()["code"] == "password_change_required"


def test_every_endpoint_authenticates_users_only_through_the_enforcing_classes():
    """A view that named DRF's own session or token class would skip the forced change: the
    API's users authenticate through ours, and the other classes are machines' (no user)."""
    machines = {"attendance.api.punches.DeviceAuthentication", "complaints.api.complaints.IntegrationAuthentication"}
    allowed = {f"{c.__module__}.{c.__qualname__}" for c in (SessionAuthentication, TokenAuthentication)}
    found = set()
    for route, callback in _walk(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if view_class is None or not issubclass(view_class, APIView):
            continue
        classes = callback.initkwargs.get("authentication_classes") or view_class.authentication_classes
        found |= {f"{c.__module__}.{c.__qualname__}" for c in classes}
        assert {f"{c.__module__}.{c.__qualname__}" for c in classes} <= allowed | machines, route
    assert allowed <= found


def test_token_callers_with_a_current_password_pass(org):
    api = _token_client(org.agent.user)
    assert api.get(reverse("api:callcenter:me")).status_code == 200


def _change(client, old, new=NEW_PASSWORD):
    return client.post(
        reverse("callcenter:password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_current_password_guesses_are_limited_and_the_lockout_ends_the_session(client, org, settings):
    # given a logged-in session (perhaps stolen) guessing the current password
    client.force_login(org.agent.user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _change(client, "wrong-guess-1").status_code == 400
    # when the guesses reach the login's limit
    locked = _change(client, "wrong-guess-1")
    # then the account is locked as after failed logins, and the session is over
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("callcenter:dashboard")).status_code == 302
    # and the right password does not open the login either until the cool-off
    login = client.post(reverse("callcenter:login"), {"username": "agent", "password": TEST_PASSWORD})
    assert login.status_code == 429
    org.agent.user.refresh_from_db()
    assert org.agent.user.check_password(TEST_PASSWORD)


def test_failed_logins_and_password_page_guesses_count_together(client, org, settings):
    # given a session, and then failed logins elsewhere one short of the limit
    client.force_login(org.agent.user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        Client().post(reverse("callcenter:login"), {"username": "agent", "password": "wrong"})
    # when the session guesses once more on the password page, then that is the last failure
    assert _change(client, "wrong-guess-2").status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_locked_account_cannot_change_its_password_with_the_right_one(client, org, settings):
    client.force_login(org.agent.user)  # a session opened before the lockout
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("callcenter:login"), {"username": "agent", "password": "wrong"})
    assert _change(client, TEST_PASSWORD).status_code == 429
    org.agent.user.refresh_from_db()
    assert org.agent.user.check_password(TEST_PASSWORD)


def test_the_right_current_password_changes_it_and_clears_the_failures(client, org, settings):
    client.force_login(org.agent.user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _change(client, "wrong-guess-3")
    assert _change(client, TEST_PASSWORD).status_code == 302
    # the earlier failures are forgotten, as after a successful login (AXES_RESET_ON_SUCCESS)
    client.post(reverse("callcenter:logout"))
    assert client.post(reverse("callcenter:login"), {"username": "agent", "password": "typo"}).status_code == 200
    assert client.post(reverse("callcenter:login"), {"username": "agent", "password": NEW_PASSWORD}).status_code == 302
