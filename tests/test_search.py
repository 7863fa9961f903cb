"""Issue 14, "finding things": the global search finds people (name, pinyin initials, number),
complaints by number and leave requests by number or person, each within the reader's remit
(SEC-2): an agent themselves and their own requests, a supervisor their team, HR everyone, the
complaint team the complaints. Bounded results and queries, validated input with translated
messages, no customer contact details in the results."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendance import services as attendance_services
from attendance.tests.factories import annual_balance, leave_type, next_monday, roster_weeks
from callcenter.providers import SearchHit, SearchProvider, search_provider_register
from callcenter.selectors import SEARCH_GROUP_LIMIT, global_search
from callcenter.tests import factories as f
from complaints.tests.factories import complaint_recorded

SEARCH = "/search/"
API = "/api/v1/search/"


def _groups(client, user, q) -> dict[str, str]:
    """{group key: its HTML} of the search page."""
    client.force_login(user)
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == 200, response.content.decode()[:300]
    html = response.content.decode()
    parts = html.split('data-search-group="')[1:]
    return {part.split('"', 1)[0]: part.split("</section>")[0] for part in parts}


def _titles(group_html: str) -> list[str]:
    return re.findall(r"data-search-hit>([^<]+)<", group_html)


def test_url_names():
    assert reverse("callcenter:search") == SEARCH and reverse("api:callcenter:search") == API


@pytest.mark.parametrize(
    "who,query,found,hidden",
    [
        # pinyin initials (王芳 → wf), Chinese name part, employee number
        ("agent", "zw", ["张伟"], []),
        ("agent", "wf", [], ["王芳"]),  # an agent finds only themselves
        ("supervisor", "wf", ["王芳"], []),  # their team
        ("supervisor", "赵敏", [], ["赵敏"]),  # another department
        ("manager", "ly", ["刘洋"], []),  # their department's other team
        ("hr", "赵敏", ["赵敏"], []),  # everyone
        ("hr", "zm", ["赵敏"], []),
    ],
)
def test_people_by_name_initials_within_the_remit(client, org, who, query, found, hidden):
    people = _groups(client, getattr(org, who).user, query)["people"]
    titles = _titles(people)
    assert all(name in titles for name in found), titles
    assert not any(name in titles for name in hidden), titles


def test_people_by_employee_number(client, org):
    people = _groups(client, org.hr.user, org.other_dept.employee_no)["people"]
    assert _titles(people) == ["赵敏"]
    assert reverse("callcenter:employee_detail", args=[org.other_dept.pk]) in people


def test_complaints_by_number_for_the_complaint_team_not_for_an_unconcerned_agent(client, org):
    """CMP-1: the handler finds the complaint by its number; the agent of another department,
    who did not record it, does not; no customer contact detail (nor name) is shown."""
    complaint = complaint_recorded(org)
    handler = _groups(client, org.handler.user, complaint.reference)
    assert _titles(handler["complaints"]) == [complaint.reference]
    assert reverse("complaints:detail", args=[complaint.pk]) in handler["complaints"]
    client.force_login(org.handler.user)
    page = client.get(SEARCH, {"q": complaint.reference.lower()}).content.decode()
    for secret in ("138", "5678", "王先生", complaint.phone):
        assert secret not in page.split('id="search-results"')[1]
    assert _titles(_groups(client, org.other_dept.user, complaint.reference)["complaints"]) == []


@pytest.fixture
def requests_(org):
    """One pending annual-leave request of the agent and one of ``peer`` (team A1)."""
    monday = next_monday()
    roster_weeks([org.agent, org.peer], monday, 7)
    made = {}
    for who in ("agent", "peer"):
        employee = getattr(org, who)
        for year in {monday.year, datetime.date.today().year}:
            annual_balance(employee, year, entitled="5")
        made[who] = attendance_services.leave_request_submit(
            actor=employee.user, leave_type_id=leave_type("annual").pk, start_date=monday, end_date=monday
        )
    return made


def test_leave_requests_by_number_and_person_within_the_remit(client, org, requests_):
    """LV-4's visibility: the agent finds their own request by #number, not their colleague's;
    the supervisor their team members', by name or initials; HR by number; the agent of another
    department neither."""
    mine, theirs = requests_["agent"], requests_["peer"]
    assert _titles(_groups(client, org.agent.user, f"#{mine.pk}")["leave"]) == [f"#{mine.pk} 张伟"]
    assert _titles(_groups(client, org.agent.user, f"#{theirs.pk}")["leave"]) == []
    assert _titles(_groups(client, org.agent.user, "王芳")["leave"]) == []
    assert _titles(_groups(client, org.supervisor.user, "张伟")["leave"]) == [f"#{mine.pk} 张伟"]
    assert _titles(_groups(client, org.supervisor.user, "wf")["leave"]) == [f"#{theirs.pk} 王芳"]
    assert f"#{theirs.pk} 王芳" in _titles(_groups(client, org.hr.user, f"#{theirs.pk}")["leave"])
    assert _titles(_groups(client, org.other_dept.user, "zw")["leave"]) == []
    assert _titles(_groups(client, org.other_dept.user, f"#{mine.pk}")["leave"]) == []


@pytest.mark.parametrize(
    "query,message",
    [
        ("", "Type at least 2 characters to search."),
        ("张", "Type at least 2 characters to search."),
        ("x" * 51, "Type at most 50 characters to search."),
        ("ab\x07cd", "The search text contains characters that cannot be searched."),
        ("ab\x00cd", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_a_clear_400_on_the_page_and_the_api(client, org, query, message):
    org.hr.user.preferred_language = "en"
    org.hr.user.save(update_fields=["preferred_language"])
    client.force_login(org.hr.user)
    page = client.get(SEARCH, {"q": query})
    assert page.status_code == 400 and message in page.content.decode()
    api = client.get(API, {"q": query})
    assert api.status_code == 400 and api.json()["code"] in ("invalid", "validation_error")


def test_the_page_without_a_query_shows_the_box_only(client, org):
    client.force_login(org.agent.user)
    response = client.get(SEARCH)
    assert response.status_code == 200 and 'id="search-results"' not in response.content.decode()
    assert client.get(API).json() == {"query": "", "groups": []}


def test_anonymous_is_sent_to_login_and_the_api_refuses(client, db):
    assert client.get(SEARCH, {"q": "zw"}).status_code == 302
    assert client.get(API, {"q": "zw"}).status_code in (401, 403)


def test_api_answers_the_same_groups(client, org, requests_):
    client.force_login(org.supervisor.user)
    data = client.get(API, {"q": "张伟"}).json()
    groups = {group["key"]: group for group in data["groups"]}
    assert data["query"] == "张伟"
    assert [hit["title"] for hit in groups["people"]["hits"]] == ["张伟"]
    assert groups["leave"]["hits"][0]["url"] == reverse("attendance:leave_detail", args=[requests_["agent"].pk])
    assert {"people", "complaints", "leave"} <= set(groups)


def test_results_are_bounded_with_a_more_link_and_queries_do_not_grow(client, org, django_assert_max_num_queries):
    """At most SEARCH_GROUP_LIMIT hits per group and a link to the filtered directory; the same
    number of queries with 3 or 20 matching people."""
    for n in range(3):
        f.EmployeeFactory(team=org.b1, department=org.dept_b, name=f"张山{chr(0x4E00 + n)}")

    def count() -> int:
        client.force_login(org.hr.user)
        client.get(SEARCH, {"q": "张"})  # warm the session
        with CaptureQueriesContext(connection) as context:
            assert client.get(SEARCH, {"q": "zs"}).status_code == 200
        return len(context)

    before = count()
    for n in range(17):
        f.EmployeeFactory(team=org.b1, department=org.dept_b, name=f"张{chr(0x5C71 + n)}")
    assert count() == before
    with django_assert_max_num_queries(25):
        client.get(SEARCH, {"q": "zs"})
    people = _groups(client, org.hr.user, "zs")["people"]
    assert len(_titles(people)) == SEARCH_GROUP_LIMIT
    assert 'data-search-more="people"' in people and f"{reverse('callcenter:employee_list')}?q=zs" in people


def test_a_module_registers_its_provider_and_may_stay_silent(org):
    """The registry: a provider answering None for this reader adds no group."""
    try:
        search_provider_register(
            SearchProvider("t_none", "None", lambda *, user, query, limit: None, order=1),
        )
        search_provider_register(
            SearchProvider("t_one", "One", lambda *, user, query, limit: ([SearchHit("x", "y", "/")], ""), order=2)
        )
        keys = [group["key"] for group in global_search(user=org.agent.user, text="zw")["groups"]]
        assert "t_none" not in keys and keys[0] == "t_one"
    finally:
        search_provider_register(None, key="t_none")
        search_provider_register(None, key="t_one")


def test_the_menu_bar_has_the_search_box(client, org):
    client.force_login(org.agent.user)
    html = client.get(reverse("callcenter:dashboard")).content.decode()
    assert re.search(r'<form method="get" action="/search/"[^>]*role="search" id="nav-search"', html)
    assert 'for="nav-search-q"' in html


def test_the_groups_are_named_in_chinese_by_what_they_hold(client, org):
    """The people group reads 人员 (the people found), not 人数 (a head count: the same English word
    "People" means that in the org editor's column, hence the message context)."""
    groups = _groups(client, org.hr.user, "zw")
    assert re.search(r">\s*人员\s*<", groups["people"]) and "人数" not in groups["people"]
