"""CSRF (SECURITY.md class 7) module by module, with the test client's CSRF checks ON.

``tests/test_csrf.py`` walks every route of the URLconf; this file proves the walk reaches every
module, and that in each module with a state-changing form a real form of that module (one that
writes a row) is refused without its token, writing nothing, and goes through with it, so the
refusal is CSRF's and not the view's. The data-security module has no state-changing form or
endpoint (its audit page and API only read): the walk proves its routes refuse a state change.
"""

import pytest
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from attendance.models import Punch
from callcenter.models import ApiToken
from complaints.models import Complaint
from performance.models import Indicator
from tests.test_csrf import ROUTES, THIRD_PARTY_PREFIXES, _walk

MODULES = ["callcenter", "datasecurity", "attendance", "performance", "complaints"]


@pytest.mark.parametrize("module", MODULES)
def test_the_csrf_walk_reaches_every_module(module):
    """Given the routes tests/test_csrf.py walks, then each module has pages in them (and its API
    too, where it has one): a module's new form is covered the day it is added."""
    walked = set(ROUTES)
    of_module = [
        route
        for route, view in _walk(get_resolver().url_patterns)
        if not route.startswith(THIRD_PARTY_PREFIXES) and view.__module__.split(".")[0] == module
    ]
    assert of_module and set(of_module) <= walked
    assert any(route.startswith("api/") for route in of_module)
    assert any(not route.startswith("api/") for route in of_module)


def _intake(org):
    return {
        "customer_name": "王先生",
        "phone": "138 1234 5678",
        "email": "wang.customer@example.com",
        "matter": "等待时间过长",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "category": "",
        "urgency": "normal",
        "concerned_team": org.a1.pk,
        "concerned_employees": [org.agent.pk],
    }


# module -> (who, url name, form data, the rows the form writes)
FORMS = {
    "callcenter": ("agent", "callcenter:api_token_list", lambda org: {"name": "csrf", "lifetime_days": ""}, ApiToken),
    "attendance": ("agent", "attendance:clock", lambda org: {"idempotency_key": "csrf-check-1"}, Punch),
    "performance": (
        "hr",
        "performance:indicator_create",
        lambda org: {
            "code": "csrf_check",
            "name": "礼貌用语",
            "name_en": "Courtesy",
            "group": "attitude",
            "method": "manual",
            "scale_max": "10",
            "active": "on",
        },
        Indicator,
    ),
    "complaints": ("agent", "complaints:new", _intake, Complaint),
}


@pytest.mark.parametrize("module", list(FORMS))
def test_a_modules_form_needs_its_csrf_token(org, module):
    """Given a logged-in browser session of a role that may use the module's form, with CSRF
    checks on, when the form is posted without its token, then 403 and no row is written; when
    the same form is posted with the token of the page, then it goes through and writes one."""
    who, name, data, model = FORMS[module]
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(getattr(org, who).user)
    url = reverse(name)
    assert client.get(url).status_code == 200
    token = client.cookies["csrftoken"].value
    before = model.objects.count()
    refused = client.post(url, data(org))
    assert refused.status_code == 403 and model.objects.count() == before
    accepted = client.post(url, {**data(org), "csrfmiddlewaretoken": token})
    assert accepted.status_code in (200, 302), accepted.content.decode()[:500]
    assert model.objects.count() == before + 1
