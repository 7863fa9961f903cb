"""Permission denials and sign-ins reach the audit trail (SEC-3): a 403 to a signed-in user is
recorded (page or API), bounded per user and hour so a scanner cannot flood the trail; a CSRF
refusal and an anonymous visitor are not denials; an interactive sign-in is recorded, a session
opened by tooling is not."""

import pytest
from django.test import Client
from django.urls import reverse

from callcenter.tests.factories import TEST_PASSWORD
from datasecurity.models import AuditEvent, SecurityMonitoringPolicy

pytestmark = pytest.mark.django_db


def _denials(user=None):
    qs = AuditEvent.objects.filter(action__startswith="security.permission_denied").order_by("id")
    return list(qs.filter(actor=user) if user else qs)


def test_a_page_refused_to_a_signed_in_user_is_recorded(client, org):
    client.force_login(org.agent.user)
    assert client.get("/security/", REMOTE_ADDR="10.9.8.7").status_code == 403
    (event,) = _denials()
    assert event.action == "security.permission_denied" and event.actor == org.agent.user
    assert event.changes == {"method": "GET", "path": "/security/", "api": False, "denials_this_hour": 1}
    assert event.object_repr == "GET /security/" and event.ip == "10.9.8.7"


def test_an_api_call_refused_is_recorded(client, org):
    client.force_login(org.hr.user)
    assert client.get("/api/v1/security/alerts/").status_code == 403
    (event,) = _denials()
    assert event.actor == org.hr.user and event.changes["api"] is True


def test_what_is_not_a_denial_is_not_recorded(org):
    # an anonymous visitor goes to the login page; an allowed page is allowed
    assert Client().get("/security/").status_code == 302
    auditor = Client()
    auditor.force_login(org.auditor.user)
    assert auditor.get("/security/").status_code == 200
    # a request refused for its missing CSRF token never reached its view
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(org.agent.user)
    assert csrf.post(reverse("datasecurity:security_alert_acknowledge", args=[1]), {"note": "x"}).status_code == 403
    assert csrf.post("/api/v1/security/alerts/1/acknowledge/", {"note": "x"}).status_code == 403
    assert _denials() == []


def test_denials_are_bounded_per_user_and_hour(client, org):
    # given a policy recording 3 denials per user and hour
    SecurityMonitoringPolicy.objects.create(effective_from="2000-01-02", denials_recorded_per_hour=3)
    client.force_login(org.agent.user)
    # when a scanner is refused 8 times
    for i in range(8):
        assert client.get(f"/security/alerts/{i + 1}/").status_code == 403
    # then 3 denials are recorded, then one event saying they go on, then nothing
    events = _denials(org.agent.user)
    assert [e.action for e in events] == ["security.permission_denied"] * 3 + ["security.permission_denied_bound"]
    assert events[-1].changes["recorded_per_hour"] == 3 and events[-1].changes["denials_this_hour"] == 4
    # and another user's denials are counted apart
    other = Client()
    other.force_login(org.peer.user)
    other.get("/security/")
    assert len(_denials(org.peer.user)) == 1


def test_an_interactive_sign_in_is_recorded_a_tooling_session_is_not(client, org):
    Client().force_login(org.agent.user)
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    response = client.post(reverse("callcenter:login"), {"username": "agent", "password": TEST_PASSWORD})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == org.agent.user and event.object_repr == "agent"
