"""The directory (issue 13): search by name in Chinese characters or pinyin initials (张伟 ← "zw"),
by employee number; filters by department, team, position and status (leavers stay searchable,
GEN-2); each person sees only their remit and pay only for HR (SEC-2); bounded queries."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from callcenter import selectors, services
from callcenter.models import Employee, pinyin_initials
from callcenter.tests import factories as f

pytestmark = pytest.mark.django_db

# The org fixture's names: agent 张伟, peer 王芳, supervisor 李娜, other_team 刘洋, manager 陈静,
# leader 杨磊, other_dept 赵敏, hr 黄丽, handler 周强, auditor 吴婷.


@pytest.mark.parametrize(
    "name, initials",
    [
        ("张伟", "zw"),
        ("欧阳娜娜", "oynn"),
        ("曾小贤", "zxx"),  # 曾 as a surname is zēng
        ("单田芳", "stf"),  # 单 as a surname is shàn
        ("Anna Li", "al"),
        ("王 芳", "wf"),
        ("李A", "la"),
        ("", ""),
        ("123", ""),
    ],
)
def test_pinyin_initials(name, initials):
    assert pinyin_initials(name) == initials


def test_the_initials_follow_the_name_whoever_saves_it(org):
    assert Employee.objects.get(pk=org.agent.pk).name_initials == "zw"
    services.employee_update(actor=org.hr.user, employee_id=org.agent.pk, name="欧阳娜娜")
    assert Employee.objects.get(pk=org.agent.pk).name_initials == "oynn"
    org.peer.name = "曾小贤"
    org.peer.save(update_fields=["name"])
    assert Employee.objects.get(pk=org.peer.pk).name_initials == "zxx"


def _search(user, **filters) -> set[str]:
    return {e.user.username for e in selectors.directory_list(user=user, filters=filters).select_related("user")}


SEARCHES = [
    ("zw", {"agent"}),
    ("ZW", {"agent"}),
    (" zw ", {"agent"}),
    ("z", {"agent", "other_dept", "handler"}),  # 张伟 赵敏 周强
    ("w", {"peer", "auditor"}),  # 王芳 吴婷
    ("zwx", set()),  # longer than any name's initials
    ("张", {"agent"}),
    ("伟", {"agent"}),  # a Chinese substring
    ("张伟", {"agent"}),
    ("张w", {"agent"}),  # characters and initials mixed
    ("黄丽", {"hr"}),
    ("不存在", set()),
    ("", {"agent", "peer", "supervisor", "other_team", "manager", "leader", "other_dept", "hr", "handler", "auditor"}),
]


@pytest.mark.parametrize("q, expected", SEARCHES)
def test_search_by_name_or_pinyin_initials(org, q, expected):
    assert _search(org.hr.user, q=q) == expected


@pytest.mark.parametrize("case", [str, str.lower])
def test_search_by_employee_number_prefix(org, case):
    Employee.objects.filter(pk=org.agent.pk).update(employee_no="CC1001")
    Employee.objects.filter(pk=org.peer.pk).update(employee_no="CC1002")
    Employee.objects.filter(pk=org.other_dept.pk).update(employee_no="CC2001")
    assert _search(org.hr.user, q=case("CC100")) == {"agent", "peer"}
    assert _search(org.hr.user, q=case("CC1001")) == {"agent"}
    assert _search(org.hr.user, q=case("CC2")) == {"other_dept"}
    assert _search(org.hr.user, q="1001") == set()  # a prefix, not a substring


def test_filters_department_team_position_status(org):
    qa = f.PositionFactory(code="QA", name="质检员")
    Employee.objects.filter(pk=org.peer.pk).update(position=qa)
    services.employee_deactivate(actor=org.hr.user, employee_id=org.other_team.pk, left_on=datetime.date.today())
    hr = org.hr.user
    assert _search(hr, department=org.dept_b.pk) == {"other_dept", "hr", "handler", "auditor"}
    assert _search(hr, team=org.a1.pk, q="w") == {"peer"}
    assert _search(hr, position=qa.pk) == {"peer"}
    assert _search(hr, team=org.a2.pk) == set()  # its one member left
    assert _search(hr, team=org.a2.pk, status="left") == {"other_team"}
    assert _search(hr, q="ly", status="all") == {"other_team"}  # GEN-2: leavers stay searchable
    assert _search(hr, q="ly") == set()


# reader → whom an empty search finds (the remit, SEC-2)
REMIT = [
    ("agent", {"agent"}),
    ("supervisor", {"agent", "peer", "supervisor", "manager", "leader"}),
    ("manager", {"agent", "peer", "supervisor", "manager", "leader", "other_team"}),
    ("other_dept", {"other_dept"}),
]


@pytest.mark.parametrize("reader, expected", REMIT)
def test_each_person_finds_only_their_remit(org, reader, expected):
    user = getattr(org, reader).user
    assert _search(user) == expected
    assert _search(user, q="zm") <= expected  # 赵敏 (department B) only for whom may see her
    assert ("other_dept" in _search(user, q="zm")) == ("other_dept" in expected)


def _client(user) -> Client:
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "reader, shows_pay",
    [("agent", False), ("supervisor", False), ("manager", False), ("leader", False), ("hr", True)],
)
def test_pay_is_shown_in_the_directory_to_hr_only(org, reader, shows_pay):
    client = _client(getattr(org, reader).user)
    body = client.get(reverse("callcenter:employee_list")).content.decode()
    assert ("Monthly base pay" in body) == shows_pay
    assert ("¥5,000.00" in body) == shows_pay
    rows = client.get(reverse("api:callcenter:employee_list")).json()["results"]
    assert rows
    assert all(("monthly_base_pay" in row) == shows_pay for row in rows)
    assert all(("bonus_base" in row) == shows_pay for row in rows)


def test_the_page_searches_with_the_same_rules(org):
    client = _client(org.supervisor.user)
    body = client.get(reverse("callcenter:employee_list"), {"q": "zw"}).content.decode()
    assert "张伟" in body and "王芳" not in body
    body = client.get(reverse("callcenter:employee_list"), {"q": "zm"}).content.decode()
    assert "赵敏" not in body  # outside the supervisor's remit
    partial = client.get(reverse("callcenter:employee_list"), {"q": "wf"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert "王芳" in partial.content.decode()
    assert "<html" not in partial.content.decode()


def test_the_api_searches_and_filters(org):
    client = _client(org.hr.user)
    url = reverse("api:callcenter:employee_list")
    names = [row["name"] for row in client.get(url, {"q": "z"}).json()["results"]]
    assert sorted(names) == sorted(["张伟", "赵敏", "周强"])
    rows = client.get(url, {"team": org.b1.pk, "q": "hl"}).json()["results"]
    assert [row["name"] for row in rows] == ["黄丽"]
    assert rows[0]["position_id"] == org.hr.position_id


@pytest.mark.parametrize(
    "query",
    [
        {"q": "x" * 101},
        {"team": "abc"},
        {"position": "99999999999999999999"},
        {"department": "-1"},
        {"status": "everyone"},
    ],
)
def test_bad_api_filters_are_a_400(org, query):
    response = _client(org.hr.user).get(reverse("api:callcenter:employee_list"), query)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [{"q": "x" * 101}, {"team": "abc"}, {"position": "99999999999999999999"}, {"status": "everyone"}, {"page": "999"}],
)
def test_bad_page_filters_never_fail(org, query):
    response = _client(org.hr.user).get(reverse("callcenter:employee_list"), query)
    assert response.status_code == 200


def test_the_directory_queries_are_bounded(org, django_assert_max_num_queries):
    for team in (org.a1, org.b1):
        f.EmployeeFactory.create_batch(20, team=team, department=team.department)
    # The filters' choices and the list each ask the remit (two queries each) for a non-HR reader:
    # constant, whatever the number of employees.
    for reader, page_max, api_max in (("hr", 14, 8), ("manager", 22, 10), ("agent", 22, 10)):
        client = _client(getattr(org, reader).user)
        with django_assert_max_num_queries(page_max):
            assert client.get(reverse("callcenter:employee_list"), {"q": "z", "status": "all"}).status_code == 200
        with django_assert_max_num_queries(api_max):
            assert client.get(reverse("api:callcenter:employee_list"), {"q": "e"}).status_code == 200
