"""Issue 14, "finding things": the bar holds one menu per module (Attendance, Leave, Appraisal,
Complaints, People, Organisation, Security, Admin), built from what each app registers; the
module of the page shown is highlighted (aria-current); agents see no API link."""

import re

import pytest
from django.urls import reverse

from callcenter.navigation import NAV_GROUPS, NAVIGATION, NavEntry, everyone, navigation_for, navigation_menu
from callcenter.navigation import navigation_register as register
from callcenter.tests import factories as f


def _bar(client, user, url=None) -> str:
    client.force_login(user)
    response = client.get(url or reverse("callcenter:dashboard"))
    assert response.status_code == 200
    return response.content.decode().split('id="main-menu"')[1].split("</ul>\n            <div")[0]


def test_hr_gets_module_menus_instead_of_a_flat_row(org):
    """HR's 26 entries land in at most 10 places on the bar (issue 16 adds Training), each app's
    entries in its module."""
    """HR's entries land in at most 10 places on the bar (issue 16 added the Training menu), each
    app's entries in its module."""
    items = navigation_for(org.hr.user)
    menus = navigation_menu(items)
    assert len(items) >= 20 and len(menus) <= 10
    by_key = {menu["key"]: menu["keys"] for menu in menus}
    assert menus[0]["key"] == "dashboard"
    assert {"board", "roster", "attendance_summary"} <= set(by_key["attendance"])
    assert {"leave_requests", "leave_calendar"} <= set(by_key["leave"])
    assert {"performance_cycles", "performance_bonus"} <= set(by_key["appraisal"])
    assert {"employees", "hire", "staff_import", "leavers"} <= set(by_key["people"])
    assert {"roles", "access_grants"} <= set(by_key["security"])
    assert {"training_plan", "training_effect"} <= set(by_key["training"])
    assert [m["key"] for m in menus[1:]] == sorted(
        (m["key"] for m in menus[1:]), key=lambda k: NAV_GROUPS[k].order
    )  # the core's order of the modules


def test_every_registered_entry_but_the_dashboard_names_a_module():
    assert {key for key, entry in NAVIGATION.items() if not entry.group} == {"dashboard"}


@pytest.mark.parametrize(
    "who,sees_api", [("agent", False), ("supervisor", False), ("hr", True), ("handler", True), ("auditor", True)]
)
def test_the_api_link_is_for_those_who_integrate_or_audit(client, org, who, sees_api):
    html = _bar(client, getattr(org, who).user)
    assert ('data-nav-key="api"' in html) is sees_api


def test_a_module_with_several_entries_is_a_keyboard_dropdown(client, org):
    """A Bootstrap dropdown on a <button> (Enter, Space and the arrow keys), labelled, its entries
    keeping their data-nav-key; a module with one entry is a plain link."""
    html = _bar(client, org.hr.user)
    assert re.search(
        r'<button type="button" id="nav-group-attendance" data-bs-toggle="dropdown" aria-expanded="false"', html
    )
    assert 'aria-labelledby="nav-group-attendance"' in html
    agent = _bar(client, org.agent.user)
    assert 'id="nav-group-leave"' not in agent  # the agent's one leave entry is a link
    assert re.search(
        r'<li class="nav-item" data-nav-group="leave">\s*<a href="/attendance/leave/" data-nav-key="leave"', agent
    )


def test_the_current_module_is_highlighted(client, org):
    """The roster page: the Attendance menu carries aria-current, its Roster entry is the page."""
    html = _bar(client, org.hr.user, reverse("attendance:roster"))
    toggle = re.search(r'<button[^>]*id="nav-group-attendance"[^>]*>', html.replace("\n", " ")).group(0)
    assert 'aria-current="true"' in toggle and "active" in toggle
    assert re.search(r'data-nav-key="roster"\s+class="dropdown-item active" aria-current="page"', html)
    other = re.search(r'<button[^>]*id="nav-group-people"[^>]*>', html.replace("\n", " ")).group(0)
    assert "aria-current" not in other
    assert html.count('aria-current="page"') == 1


def test_the_dashboard_is_current_only_on_its_own_url(client, org):
    html = _bar(client, org.agent.user)
    assert re.search(r'data-nav-key="dashboard"\s+class="nav-link active" aria-current="page"', html)
    html = _bar(client, org.agent.user, reverse("attendance:clock"))
    assert not re.search(r'data-nav-key="dashboard"\s+class="nav-link active"', html)


def test_an_app_puts_its_entry_into_a_module_the_core_defines(org):
    try:
        register(NavEntry("menu_test", "Test", "callcenter:dashboard", "star", 5, everyone, group="people"))
        menus = {m["key"]: m["keys"] for m in navigation_menu(navigation_for(org.agent.user))}
        assert "menu_test" in menus["people"]
        with pytest.raises(ValueError, match="Unknown menu group"):
            NavEntry("menu_bad", "Bad", "callcenter:dashboard", "star", 5, everyone, group="nowhere")
    finally:
        NAVIGATION.pop("menu_test", None)


def test_no_template_comment_leaks_into_the_bar(client, org):
    """A multi-line {# #} is not a Django comment: it would print on every page."""
    client.force_login(org.hr.user)
    html = client.get(reverse("callcenter:dashboard")).content.decode()
    assert "{#" not in html and "#}" not in html and "{%" not in html


def test_a_login_without_roles_still_gets_a_working_bar(client, db):
    user = f.UserFactory(username="plain", roles=[])
    html = _bar(client, user)
    assert 'data-nav-key="dashboard"' in html and 'data-nav-key="api"' not in html
