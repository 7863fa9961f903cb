"""Words with more than one meaning show the right Chinese word in the right place, and the
policy pages are Chinese on Chinese pages (descriptions and the installation's version note).

These tests read the compiled zh-Hans catalog: they pass once the entries with their contexts
(msgctxt) are in locale/zh_Hans (merged from the translations file of this change)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendance.tests.factories import annual_balance
from callcenter import services
from callcenter.models import POLICY_DEFAULTS_NOTE, AccountPolicy


def zh_client(org, who) -> Client:
    user = getattr(org, who).user
    user.preferred_language = "zh-hans"
    user.save(update_fields=["preferred_language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_the_cycle_open_button_says_open_the_cycle_not_unresolved(org):
    # given HR on the cycle list in Chinese; then the open button says 开启 (not a complaint's 未结案)
    html = zh_client(org, "hr").get(reverse("performance:cycle_list")).content.decode()
    button = re.search(r'id="cycle-open-submit">(.*?)</button>', html, re.S).group(1)
    assert "开启" in button and "未结案" not in button


def test_leave_balance_left_is_days_remaining_not_an_employee_who_left(org):
    # given the agent's annual balance; when the agent reads it in Chinese, then the label is 剩余
    annual_balance(org.agent, timezone.localdate().year, entitled="5")
    html = zh_client(org, "agent").get(reverse("attendance:leave")).content.decode()
    card = html[html.index('data-balance-type="annual"') :]
    labels = re.findall(r'<dt class="fw-normal text-body-secondary">(.*?)</dt>', card)[:4]
    assert labels[-1] == "剩余" and "已离职" not in labels


def test_leave_balances_page_left_column_is_days_remaining(org):
    annual_balance(org.agent, timezone.localdate().year, entitled="5")
    html = zh_client(org, "hr").get(reverse("attendance:leave_balances")).content.decode()
    assert '<th scope="col" class="text-end">剩余</th>' in html and "已离职" not in html


def test_indicator_list_name_header_is_a_things_name(org):
    # given the default indicators; then the name column says 名称 (姓名 is a person's name)
    html = zh_client(org, "hr").get(reverse("performance:indicator_list")).content.decode()
    assert '<th scope="col">名称</th>' in html and '<th scope="col">姓名</th>' not in html


@pytest.mark.parametrize("label", ["callcenter.accountpolicy", "performance.appraisalpolicy"])
def test_policy_description_is_chinese_on_chinese_pages(org, label):
    client = zh_client(org, "hr")
    listing = client.get(reverse("callcenter:policy_list")).content.decode()
    detail = client.get(reverse("callcenter:policy_detail", args=[label])).content.decode()
    # then no English docstring shows, the translated description does
    assert "Account and password rules" not in listing and "账号与密码规则" in listing
    assert "The blanks of PRF-2" not in listing
    if label == "performance.appraisalpolicy":
        assert "自评与上级评分的权重" in detail


def test_regulation_defaults_note_is_translated_when_shown(org):
    # given the installation's defaults stored with their note (a msgid, not prose)
    services.policy_defaults_install(effective_from=datetime.date(2000, 1, 1))
    version = AccountPolicy.objects.get()
    assert version.note == POLICY_DEFAULTS_NOTE
    client = zh_client(org, "hr")
    listing = client.get(reverse("callcenter:policy_list")).content.decode()
    detail = client.get(reverse("callcenter:policy_detail", args=["callcenter.accountpolicy"])).content.decode()
    # then both pages say 制度默认值, never the English note
    assert "制度默认值" in listing and "制度默认值" in detail
    assert "Regulation defaults" not in listing and "Regulation defaults" not in detail


def test_a_note_typed_by_hr_is_shown_as_typed(org):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    services.policy_version_create(
        actor=org.hr.user,
        model=AccountPolicy,
        effective_from=tomorrow,
        values={"password_max_age_days": 60},
        note="按集团通知调整",
    )
    version = AccountPolicy.objects.get(effective_from=tomorrow)
    assert version.note_display == "按集团通知调整" and Decimal(version.password_max_age_days) == 60
