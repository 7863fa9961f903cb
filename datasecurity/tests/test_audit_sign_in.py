"""Failed sign-ins and lockouts reach the audit trail, and the security auditor sees them (SEC-2, SEC-3).

Recorded through ``audit_sign_in_failure_record`` / ``audit_lockout_record``, called by the
receivers of Django's ``user_login_failed`` and django-axes' ``user_locked_out`` signals: the
username tried, the client IP and the reason; never the password.
"""

import json

import pytest
from django.urls import reverse

from callcenter.tests.factories import TEST_PASSWORD
from datasecurity.models import AuditEvent
from datasecurity.selectors import audit_chain_verify

SECRET_TRY = "Hunter2-not-the-password"


def _login(client, username, password, ip="10.1.2.3"):
    return client.post(reverse("callcenter:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def _failures():
    return list(AuditEvent.objects.filter(action="auth.login_failed").order_by("id"))


def test_a_wrong_password_is_recorded_with_username_ip_and_reason_never_the_password(client, org):
    assert _login(client, "agent", SECRET_TRY).status_code == 200
    (event,) = _failures()
    assert event.changes["username"] == "agent"
    assert event.changes["reason"] == "wrong_password"
    assert event.ip == "10.1.2.3"
    assert event.object_type == "callcenter.user" and event.object_id == str(org.agent.user.pk)
    assert event.actor is None and event.actor_label == "anonymous"
    stored = json.dumps([event.changes, event.object_repr, event.actor_label])
    assert SECRET_TRY not in stored and "*****" not in stored
    assert audit_chain_verify().ok


def test_an_unknown_username_and_an_inactive_account_are_told_apart(client, org):
    _login(client, "nobody-here", SECRET_TRY)
    org.peer.user.is_active = False
    org.peer.user.save()
    _login(client, "peer", TEST_PASSWORD)
    unknown, inactive = _failures()
    assert (unknown.changes["reason"], unknown.object_id, unknown.object_repr) == ("unknown_user", "", "nobody-here")
    assert inactive.changes["reason"] == "inactive_account"


def test_the_lockout_is_recorded_once_and_attempts_while_locked_say_so(client, org, settings):
    # given failures up to the limit; then the last one locks the account
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "agent", SECRET_TRY)
    lockouts = AuditEvent.objects.filter(action="auth.lockout")
    assert lockouts.count() == 1
    lockout = lockouts.get()
    assert lockout.changes["username"] == "agent" and lockout.changes["failures"] == settings.AXES_FAILURE_LIMIT
    assert lockout.object_id == str(org.agent.user.pk) and lockout.ip == "10.1.2.3"
    # when the right password follows while locked; then it is refused and recorded as such
    assert _login(client, "agent", TEST_PASSWORD).status_code == 429
    assert _failures()[-1].changes["reason"] == "account_locked"
    assert lockouts.count() == 1
    assert len(_failures()) == settings.AXES_FAILURE_LIMIT + 1
    assert TEST_PASSWORD not in json.dumps([e.changes for e in AuditEvent.objects.all()])


def test_the_auditor_filters_sign_in_failures_and_lockouts_on_the_page(client, org, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "agent", SECRET_TRY)
    _login(client, "ghost", SECRET_TRY)
    client.logout()
    client.force_login(org.auditor.user)
    page = client.get(reverse("datasecurity:audit_event_list"), {"category": "sign_in"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-action="auth.login_failed"') == settings.AXES_FAILURE_LIMIT + 1
    assert html.count('data-action="auth.lockout"') == 1
    assert "ghost" in html and "10.1.2.3" in html
    assert SECRET_TRY not in html
    # the tab is linked from the page, and the other events are not in it
    everything = client.get(reverse("datasecurity:audit_event_list")).content.decode()
    assert "category=sign_in" in everything


def test_the_auditor_filters_sign_in_failures_in_the_api(client, org):
    _login(client, "ghost", SECRET_TRY)
    client.force_login(org.auditor.user)
    response = client.get(reverse("api:datasecurity:audit_event_list"), {"category": "sign_in"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["action"] for r in results] == ["auth.login_failed"]
    assert results[0]["changes"]["username"] == "ghost"
    bad = client.get(reverse("api:datasecurity:audit_event_list"), {"category": "nonsense"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_category"


@pytest.mark.parametrize("who", ["agent", "hr", "supervisor"])
def test_only_the_auditor_sees_sign_in_failures(client, org, who):
    _login(client, "ghost", SECRET_TRY)
    client.force_login(getattr(org, who).user)
    assert client.get(reverse("datasecurity:audit_event_list"), {"category": "sign_in"}).status_code == 403
    assert client.get(reverse("api:datasecurity:audit_event_list"), {"category": "sign_in"}).status_code == 403
