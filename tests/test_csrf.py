"""CSRF (SECURITY.md class 7) with the test client's CSRF checks ON: every state-changing request
of a logged-in browser session — every page and every API endpoint, walked from the URLconf, so a
new one is covered the day it is added — is refused without the token and nothing is written; the
same form with the token goes through."""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from datasecurity.models import AuditEvent

THIRD_PARTY_PREFIXES = ("admin/",)
# Converters in routes -> a value that resolves (CSRF is checked before the view runs).
SAMPLE = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-4000-8000-000000000000"}


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _path(route: str) -> str:
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE.get(m.group(1) or "str", "x"), route)


ROUTES = [route for route, _view in _walk(get_resolver().url_patterns) if not route.startswith(THIRD_PARTY_PREFIXES)]


@pytest.fixture
def csrf_client(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.hr.user)
    return client


@pytest.mark.parametrize("route", ROUTES)
def test_a_state_change_without_the_csrf_token_is_refused(csrf_client, route):
    # given HR's logged-in browser session and no CSRF token
    before = AuditEvent.objects.count()
    for method in ("post", "put", "patch", "delete"):
        # when a state-changing request reaches the URL
        response = getattr(csrf_client, method)(_path(route), data={}, content_type="application/x-www-form-urlencoded")
        # then it is refused before the view acts: 403 (CSRF) where the session is accepted, 401
        # where only a machine credential is (a time clock's batch), 405 where the method is not
        assert response.status_code in (401, 403, 405), f"{method.upper()} {route}: {response.status_code}"
        if response.status_code == 403 and "json" in response.get("Content-Type", ""):
            assert "CSRF" in response.json()["detail"], f"{method.upper()} {route}: {response.json()}"
    # and nothing was written
    assert AuditEvent.objects.count() == before


def test_the_same_form_with_its_token_goes_through(csrf_client, org):
    # given the notifications page read with the CSRF cookie
    page = csrf_client.get(reverse("callcenter:notification_list"))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else csrf_client.cookies["csrftoken"].value
    # when "mark all read" is posted with and without the token
    refused = csrf_client.post(reverse("callcenter:notification_read_all"))
    accepted = csrf_client.post(reverse("callcenter:notification_read_all"), {"csrfmiddlewaretoken": token})
    # then only the one with the token reaches the view
    assert refused.status_code == 403 and accepted.status_code == 302


def test_the_api_with_the_session_needs_the_header_token(csrf_client):
    csrf_client.get(reverse("callcenter:dashboard"))
    token = csrf_client.cookies["csrftoken"].value
    url = reverse("api:callcenter:notification_read")
    assert csrf_client.post(url, {}, content_type="application/json").status_code == 403
    assert csrf_client.post(url, {}, content_type="application/json", headers={"X-CSRFToken": token}).status_code == 200
