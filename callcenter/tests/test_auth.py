"""Authentication and sessions (SEC-2): lockout, forced change, rotation, deactivation."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter import services
from callcenter.models import AccountPolicy
from callcenter.tests.factories import TEST_PASSWORD
from datasecurity.models import AuditEvent

NEW_PASSWORD = "Brand-new-Passw0rd!"


def _login(client, username, password=TEST_PASSWORD):
    return client.post(reverse("callcenter:login"), {"username": username, "password": password})


def test_login_rotates_the_session_key(client, org):
    client.get(reverse("callcenter:login"))
    client.session.save()
    before = client.session.session_key
    response = _login(client, "agent")
    assert response.status_code == 302
    assert client.session.session_key != before


def test_lockout_after_repeated_failures(client, org, settings):
    # given wrong passwords up to the limit; then the last failure locks the account
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "agent", "wrong-password").status_code == 200
    assert _login(client, "agent", "wrong-password").status_code == 429
    # when the right password follows; then the account stays locked
    response = _login(client, "agent")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # and another account is not affected (a call-center floor shares one IP)
    assert _login(client, "peer").status_code == 302


def test_first_login_forces_password_change(client, org):
    user = org.agent.user
    user.must_change_password = True
    user.save()
    _login(client, "agent")
    response = client.get(reverse("callcenter:dashboard"))
    assert response.status_code == 302 and response.url == reverse("callcenter:password_change")
    # the API says so too, as JSON
    api = client.get(reverse("api:callcenter:me"))
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    # when the user changes it; then they reach the dashboard
    response = client.post(
        reverse("callcenter:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302 and response.url == reverse("callcenter:dashboard")
    assert client.get(reverse("callcenter:dashboard")).status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password
    assert AuditEvent.objects.filter(action="user.password_change", object_id=str(user.pk)).exists()


def test_expired_password_forces_change_per_policy(client, org):
    # given a 30-day policy in force and a password changed 31 days ago (SEC-2)
    AccountPolicy.objects.create(effective_from=datetime.date(2000, 1, 1), password_max_age_days=30)
    user = org.agent.user
    user.password_changed_at = timezone.now() - datetime.timedelta(days=31)
    user.save()
    client.force_login(user)
    response = client.get(reverse("callcenter:dashboard"))
    assert response.status_code == 302 and response.url == reverse("callcenter:password_change")
    page = client.get(reverse("callcenter:password_change"))
    assert "30" in page.content.decode()


def test_password_age_exactly_at_limit_is_allowed(client, org):
    AccountPolicy.objects.create(effective_from=datetime.date(2000, 1, 1), password_max_age_days=30)
    user = org.agent.user
    user.password_changed_at = timezone.now() - datetime.timedelta(days=30) + datetime.timedelta(minutes=1)
    user.save()
    client.force_login(user)
    assert client.get(reverse("callcenter:dashboard")).status_code == 200


def test_weak_password_refused_and_nothing_changes(client, org):
    client.force_login(org.agent.user)
    response = client.post(
        reverse("callcenter:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 400  # the form again, with the refusal (as every page answers one)
    org.agent.user.refresh_from_db()
    assert org.agent.user.check_password(TEST_PASSWORD)


def test_deactivated_users_session_and_token_end(client, org):
    # given the agent logged in with a session and an API token
    _login(client, "agent")
    token, key = services.api_token_create(actor=org.agent.user, name="script")
    assert client.get(reverse("callcenter:dashboard")).status_code == 200
    # when HR deactivates the employee
    services.employee_deactivate(actor=org.hr.user, employee_id=org.agent.pk, left_on=timezone.localdate())
    # then the session is gone, the page asks for a login and the token is refused
    assert client.get(reverse("callcenter:dashboard")).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_reason == "deactivation"

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    refused = api.get(reverse("api:callcenter:me"))
    assert refused.status_code in (401, 403) and refused.json()["code"] == "authentication_failed"
    assert not any(s.get_decoded().get("_auth_user_id") == str(org.agent.user.pk) for s in Session.objects.all())
    event = AuditEvent.objects.get(action="employee.deactivate")
    assert event.changes["sessions_ended"] == 1
    assert event.changes["api_tokens_ended"] == 1
    # and the history is kept (GEN-1)
    org.agent.refresh_from_db()
    assert org.agent.status == "left"


def test_password_change_ends_other_sessions(client, org):
    other = Client()
    other.force_login(org.agent.user)
    client.force_login(org.agent.user)
    client.post(
        reverse("callcenter:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert client.get(reverse("callcenter:dashboard")).status_code == 200
    assert other.get(reverse("callcenter:dashboard")).status_code == 302


def test_language_switch_is_kept_per_user(client, org):
    client.force_login(org.agent.user)
    assert 'lang="zh-hans"' in client.get(reverse("callcenter:dashboard")).content.decode()
    response = client.post(reverse("callcenter:language_set"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    org.agent.user.refresh_from_db()
    assert org.agent.user.preferred_language == "en"
    # on another device (fresh client, no cookie) the choice follows the user

    other = Client()
    other.force_login(org.agent.user)
    assert 'lang="en"' in other.get(reverse("callcenter:dashboard")).content.decode()


def test_language_switch_refuses_bad_input_and_open_redirect(client, org):
    client.force_login(org.agent.user)
    response = client.post(reverse("callcenter:language_set"), {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"
    org.agent.user.refresh_from_db()
    assert org.agent.user.preferred_language == "zh-hans"


def test_logout_requires_post(client, org):
    client.force_login(org.agent.user)
    assert client.get(reverse("callcenter:logout")).status_code == 405
    assert client.post(reverse("callcenter:logout")).status_code == 302
    assert client.get(reverse("callcenter:dashboard")).status_code == 302


@pytest.mark.parametrize("path", ["/", "/employees/", "/policies/", "/audit/", "/ops/health/"])
def test_anonymous_users_are_sent_to_login(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith(reverse("callcenter:login"))


def test_api_anonymous_gets_json_401_or_403(client, db):
    response = client.get(reverse("api:callcenter:employee_list"))
    assert response.status_code in (401, 403)
    assert set(response.json()) >= {"detail", "code"}
