"""Indicator and template pages and API (PRF-1): HR only (role matrix), forms show the service's
refusals (sum named), the editor round-trips, query counts bounded, fields HR does not own are
ignored (mass assignment)."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from callcenter.services import api_token_create
from callcenter.tests.factories import PositionFactory
from performance import services
from performance.models import AppraisalTemplate, Indicator
from performance.tests.factories import auto_indicator, manual_indicator

ROLES = ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor"]


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def login(client, org, who, language="en"):
    user = getattr(org, who).user
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


@pytest.fixture
def position(db):
    return PositionFactory(code="AGENT", name="话务员")


@pytest.fixture
def setup(org, position):
    a = manual_indicator("p_initiative")
    b = auto_indicator("p_calls", "calls_answered", target=1500)
    template = services.appraisal_template_create(
        actor=org.hr.user,
        position_id=position.pk,
        name="话务员模板",
        items=[{"indicator": a.pk, "weight": "40"}, {"indicator": b.pk, "weight": "60"}],
    )
    return {"a": a, "b": b, "template": template}


def page_urls(setup):
    return [
        reverse("performance:indicator_list"),
        reverse("performance:indicator_create"),
        reverse("performance:indicator_edit", args=[setup["a"].pk]),
        reverse("performance:template_list"),
        reverse("performance:template_create"),
        reverse("performance:template_edit", args=[setup["template"].pk]),
    ]


def api_urls(setup):
    return [
        reverse("api:performance:indicator_list"),
        reverse("api:performance:indicator_detail", args=[setup["a"].pk]),
        reverse("api:performance:template_list"),
        reverse("api:performance:template_detail", args=[setup["template"].pk]),
    ]


# --- Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_pages_are_hr_only(client, org, setup, who):
    """Given each role, when it opens every setup page, then HR gets 200 and everyone else 403."""
    login(client, org, who)
    for url in page_urls(setup):
        assert client.get(url).status_code == (200 if who == "hr" else 403), url


@pytest.mark.parametrize("who", ROLES)
def test_api_is_hr_only(org, setup, who):
    api = APIClient()
    api.force_authenticate(getattr(org, who).user)
    for url in api_urls(setup):
        assert api.get(url).status_code == (200 if who == "hr" else 403), url
    response = api.post(
        reverse("api:performance:indicator_list"),
        {"code": "x_api", "name": "x", "group": "results", "method": "manual"},
        format="json",
    )
    assert response.status_code == (201 if who == "hr" else 403)


def test_posts_by_non_hr_change_nothing(client, org, setup):
    """Given a supervisor, when they post to the editor and the indicator form, then 403 and the
    template and indicator are unchanged."""
    login(client, org, "supervisor")
    url = reverse("performance:template_edit", args=[setup["template"].pk])
    assert client.post(url, {"indicator": [setup["a"].pk], "weight": ["100"]}).status_code == 403
    url = reverse("performance:indicator_edit", args=[setup["a"].pk])
    assert (
        client.post(url, {"name": "hacked", "group": "results", "method": "manual", "scale_max": 100}).status_code
        == 403
    )
    assert setup["template"].items.count() == 2
    assert Indicator.objects.get(pk=setup["a"].pk).name != "hacked"


def test_anonymous_is_sent_to_login(client, setup):
    response = client.get(reverse("performance:indicator_list"))
    assert response.status_code == 302 and "login" in response["Location"]
    assert APIClient().get(reverse("api:performance:indicator_list")).status_code in (401, 403)


# --- Indicator pages --------------------------------------------------------------------------------


def test_indicator_list_groups_and_query_count(client, org, setup, django_assert_max_num_queries):
    """Given the defaults and 30 more indicators, when HR opens the list, then the four PRF-1
    groups show (in Chinese by default) within a fixed number of queries."""
    for n in range(30):
        manual_indicator(f"bulk_{n}", group="teamwork")
    login(client, org, "hr", language="zh-hans")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("performance:indicator_list"))
    html = response.content.decode()
    assert 'id="indicator-group-results"' in html and 'id="indicator-group-satisfaction"' in html
    assert "bulk_29" in html and "PRF-1" in html


def test_create_indicator_page(client, org):
    login(client, org, "hr")
    response = client.post(
        reverse("performance:indicator_create"),
        {
            "code": "courtesy",
            "name": "礼貌用语",
            "name_en": "Courtesy",
            "group": "attitude",
            "method": "manual",
            "scale_max": "10",
            "active": "on",
            "id": "999",
            "created_at": "2000-01-01T00:00:00Z",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(code="courtesy")
    assert indicator.pk != 999 and indicator.created_at.year != 2000 and indicator.scale_max == 10


def test_create_indicator_shows_service_refusal(client, org):
    """Given an automatic metric indicator without a target, when posted, then the page shows the
    service's message (400) and nothing is created."""
    login(client, org, "hr")
    response = client.post(
        reverse("performance:indicator_create"),
        {
            "code": "calls2",
            "name": "接听2",
            "group": "results",
            "method": "automatic",
            "auto_source": "calls_answered",
            "scale_max": 100,
        },
    )
    assert response.status_code == 400
    assert "needs a positive target" in response.content.decode()
    assert not Indicator.objects.filter(code="calls2").exists()


def test_edit_keeps_the_code(client, org, setup):
    """Given an indicator, when HR posts its form with another code, then the code is unchanged."""
    login(client, org, "hr")
    response = client.post(
        reverse("performance:indicator_edit", args=[setup["a"].pk]),
        {"code": "changed", "name": "主动性", "group": "attitude", "method": "manual", "scale_max": 5, "active": "on"},
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(pk=setup["a"].pk)
    assert indicator.code == "p_initiative" and indicator.name == "主动性" and indicator.scale_max == 5


def test_hr_writes_the_description_in_both_languages(client, org, setup):
    """When HR gives an indicator a Chinese and an English description on its form, then both are
    stored, the edit form shows them again, and the list shows the reader's language."""
    login(client, org, "hr")
    url = reverse("performance:indicator_edit", args=[setup["a"].pk])
    data = {"name": "主动性", "group": "attitude", "method": "manual", "scale_max": 100, "active": "on"}
    data |= {"description": "主动发现问题", "description_en": "Spots problems first"}
    assert client.post(url, data).status_code == 302
    indicator = Indicator.objects.get(pk=setup["a"].pk)
    assert (indicator.description, indicator.description_en) == ("主动发现问题", "Spots problems first")
    form = client.get(url).content.decode()
    assert "主动发现问题" in form and "Spots problems first" in form
    listing = client.get(reverse("performance:indicator_list")).content.decode()
    assert "Spots problems first" in listing  # the test client reads English


def test_deactivate_in_use_shows_message(client, org, setup):
    login(client, org, "hr")
    response = client.post(reverse("performance:indicator_deactivate", args=[setup["a"].pk]), follow=True)
    assert "remove it from them first" in response.content.decode()
    assert Indicator.objects.get(pk=setup["a"].pk).active


def test_install_defaults_button(client, org):
    Indicator.objects.filter(code="participation").delete()
    login(client, org, "hr")
    response = client.post(reverse("performance:indicator_defaults"), follow=True)
    assert response.status_code == 200
    assert Indicator.objects.filter(code="participation").exists()


# --- Template pages ---------------------------------------------------------------------------------


def test_template_list_shows_sum_split_and_missing_posts(client, org, setup, django_assert_max_num_queries):
    """Given one post with a template and 20 without, when HR opens the list, then the sum, the
    group bar and the warning show, within a fixed number of queries."""
    for n in range(20):
        PositionFactory(code=f"Q{n:02d}", name=f"岗位{n}")
    login(client, org, "hr")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("performance:template_list"))
    html = response.content.decode()
    assert "话务员模板" in html and 'id="template-missing"' in html
    # the bar widths are classes, not style attributes (Content-Security-Policy)
    assert "progress-stacked" in html and "progress app-w-40" in html and "progress app-w-60" in html


def test_editor_refuses_99_99_and_names_the_sum(client, org, setup):
    """Given the editor, when HR posts weights adding to 99.99, then 400 with the sum named and
    the old items unchanged; 100 is saved."""
    login(client, org, "hr")
    url = reverse("performance:template_edit", args=[setup["template"].pk])
    response = client.post(
        url, {"name": "v2", "indicator": [setup["a"].pk, setup["b"].pk, ""], "weight": ["39.99", "60", ""]}
    )
    assert response.status_code == 400
    assert "The weights add up to 99.99" in response.content.decode()
    assert sorted(setup["template"].items.values_list("weight", flat=True)) == [Decimal("40"), Decimal("60")]
    response = client.post(
        url, {"name": "v2", "indicator": [setup["b"].pk, setup["a"].pk, ""], "weight": ["70", "30", ""]}
    )
    assert response.status_code == 302
    assert list(setup["template"].items.order_by("order").values_list("indicator__code", "weight")) == [
        ("p_calls", Decimal("70")),
        ("p_initiative", Decimal("30")),
    ]


def test_new_template_page_replaces_active(client, org, setup, position):
    """Given a post with a template, when HR saves a new one on the page, then one is active and
    the old one is kept as history (its page is read-only)."""
    login(client, org, "hr")
    page = client.get(reverse("performance:template_create") + f"?position={position.pk}")
    assert page.status_code == 200 and "keep their own copy" in page.content.decode()
    response = client.post(
        reverse("performance:template_create"),
        {"position": position.pk, "name": "v2", "indicator": [setup["a"].pk], "weight": ["100"], "active": "false"},
    )
    assert response.status_code == 302
    active = AppraisalTemplate.objects.get(position=position, active=True)
    assert active.name == "v2"
    old = client.get(reverse("performance:template_edit", args=[setup["template"].pk]))
    assert 'id="template-readonly"' in old.content.decode()


def test_editor_duplicate_is_refused(client, org, setup):
    login(client, org, "hr")
    url = reverse("performance:template_edit", args=[setup["template"].pk])
    response = client.post(url, {"indicator": [setup["a"].pk, setup["a"].pk], "weight": ["50", "50"]})
    assert response.status_code == 400 and "appears twice" in response.content.decode()


def test_editor_position_cannot_be_moved(client, org, setup):
    """The post of an existing template is fixed (a disabled field is never read from input)."""
    other = PositionFactory(code="QA", name="质检员")
    login(client, org, "hr")
    url = reverse("performance:template_edit", args=[setup["template"].pk])
    client.post(url, {"position": other.pk, "indicator": [setup["a"].pk], "weight": ["100"]})
    assert AppraisalTemplate.objects.get(pk=setup["template"].pk).position_id != other.pk


# --- API --------------------------------------------------------------------------------------------


@pytest.fixture
def hr_api(org):
    api = APIClient()
    _token, key = api_token_create(actor=org.hr.user, name="setup script")
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}", HTTP_ACCEPT_LANGUAGE="en")
    return api


def test_api_indicator_create_update_ignores_code_and_extra_fields(hr_api):
    response = hr_api.post(
        reverse("api:performance:indicator_list"),
        {
            "code": "api_one",
            "name": "接口",
            "group": "results",
            "method": "automatic",
            "auto_source": "qa_accuracy",
            "target": "98",
            "id": 4242,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id"] != 4242 and body["target"] == "98.00"
    response = hr_api.patch(
        reverse("api:performance:indicator_detail", args=[body["id"]]), {"code": "other", "target": "95"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["code"] == "api_one" and response.json()["target"] == "95.00"


def test_api_template_create_sum_error_and_replace(hr_api, org, setup, position):
    url = reverse("api:performance:template_list")
    bad = hr_api.post(
        url,
        {
            "position": position.pk,
            "items": [{"indicator": setup["a"].pk, "weight": "50"}, {"indicator": setup["b"].pk, "weight": "50.01"}],
        },
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "weights_sum" and "100.01" in bad.json()["detail"]
    good = hr_api.post(
        url,
        {
            "position": position.pk,
            "name": "api",
            "active": False,
            "items": [{"indicator": setup["b"].pk, "weight": "100"}],
        },
        format="json",
    )
    assert good.status_code == 201
    body = good.json()
    assert (
        body["active"] is True and body["weight_sum"] == "100.00" and body["weight_by_group"] == {"results": "100.00"}
    )
    assert AppraisalTemplate.objects.filter(position=position, active=True).count() == 1
    put = hr_api.put(
        reverse("api:performance:template_detail", args=[body["id"]]),
        {"items": [{"indicator": setup["a"].pk, "weight": "20"}, {"indicator": setup["b"].pk, "weight": "80"}]},
        format="json",
    )
    assert put.status_code == 200 and len(put.json()["items"]) == 2


def test_api_template_list_query_count(hr_api, org, setup, django_assert_max_num_queries):
    for n in range(10):
        services.appraisal_template_create(
            actor=org.hr.user,
            position_id=PositionFactory(code=f"R{n}", name=f"岗{n}").pk,
            name=f"t{n}",
            items=[{"indicator": setup["a"].pk, "weight": "100"}],
        )
    with django_assert_max_num_queries(10):
        response = hr_api.get(reverse("api:performance:template_list"))
    assert response.json()["count"] == 11


def test_api_unknown_indicator_is_404(hr_api):
    assert hr_api.get(reverse("api:performance:indicator_detail", args=[999999])).status_code == 404
    assert hr_api.get(reverse("api:performance:template_detail", args=[999999])).status_code == 404
