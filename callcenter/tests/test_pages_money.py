"""Money on the pages: one filter, ``{% load money %}`` ``{{ amount|money }}`` — ¥, thousands
separators, two decimals, the same in both languages (floatformat's separators follow the
reader's locale settings; an amount must not change its look with the language)."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from callcenter.templatetags.money import money_text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12345.6"), "¥12,345.60"),
        (Decimal("1234567.891"), "¥1,234,567.89"),
        (Decimal("0.005"), "¥0.01"),  # half up to the fen, as the amounts are stored
        (Decimal("-20"), "-¥20.00"),
        (0, "¥0.00"),
        (1500, "¥1,500.00"),
        ("980.5", "¥980.50"),
        (None, "—"),
        ("", "—"),
        ("n/a", "n/a"),
    ],
)
def test_money_text(value, shown):
    assert money_text(value) == shown


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_filter_is_the_same_in_both_languages(language):
    with translation.override(language):
        html = Template("{% load money %}{{ amount|money }}").render(Context({"amount": Decimal("98765.4")}))
    assert html == "¥98,765.40"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_employee_sees_their_own_pay_in_the_same_money_format(org, language):
    # given the agent's base pay and bonus base; when the agent opens their own employee page
    org.agent.monthly_base_pay, org.agent.bonus_base = Decimal("8500.00"), Decimal("12345.60")
    org.agent.save(update_fields=["monthly_base_pay", "bonus_base"])
    user = org.agent.user
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    html = client.get(reverse("callcenter:employee_detail", args=[org.agent.pk])).content.decode()
    # then both amounts read as on the bonus pages
    assert 'id="monthly-base-pay">¥8,500.00<' in html and 'id="bonus-base">¥12,345.60<' in html
