"""Cycle API (PRF-2): role × endpoint matrix, the department scope of the figures, open / refresh
/ remind / lock with their refusals as status + code, unknown fields ignored, bounded queries and
the OpenAPI schema."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from callcenter.models import User
from callcenter.tests.factories import EmployeeFactory
from performance import services
from performance.models import AppraisalCycle, CycleStatus
from performance.tests.factories import MONTH, agent_template

ROLE_USERS = [
    *("agent", "peer", "supervisor", "manager", "leader"),
    *("hr", "handler", "auditor", "other_team", "other_dept"),
]
READERS = {"manager", "leader", "hr"}


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def cycle(org):
    agent_template(org)
    cycle, _created = services.appraisal_cycle_open(month=MONTH)
    return cycle


def url(name, cycle=None):
    return reverse(name, args=[cycle.pk] if cycle is not None else [])


@pytest.mark.parametrize("who", ROLE_USERS)
def test_api_role_matrix(org, cycle, who):
    """Given an opened cycle, when each role calls every endpoint, then readers (HR, leader,
    manager) may read, only HR may act, everyone else gets 403 and nothing changes."""
    api = api_for(getattr(org, who).user)
    read = 200 if who in READERS else 403
    assert api.get(url("api:performance:cycle_list")).status_code == read
    assert api.get(url("api:performance:cycle_detail", cycle)).status_code == read
    assert api.get(url("api:performance:cycle_missing", cycle)).status_code == read
    act = 200 if who == "hr" else 403
    opened = api.post(url("api:performance:cycle_open"), {"month": "2025-04", "confirm_overdue": True}, format="json")
    assert opened.status_code == act
    assert api.post(url("api:performance:cycle_refresh", cycle)).status_code == act
    assert api.post(url("api:performance:cycle_remind", cycle)).status_code == act
    response = api.post(url("api:performance:cycle_lock", cycle), {"force": True}, format="json")
    assert response.status_code == act
    cycle.refresh_from_db()
    assert (cycle.status == CycleStatus.LOCKED) == (who == "hr")


def test_detail_counts_only_the_readers_remit(org, cycle):
    """Given 10 appraisals (6 in department A), when the manager of A and HR read the detail,
    then each sees the counts of their remit."""
    manager = api_for(org.manager.user).get(url("api:performance:cycle_detail", cycle)).json()
    hr = api_for(org.hr.user).get(url("api:performance:cycle_detail", cycle)).json()
    assert manager["progress"]["total"] == 6 and hr["progress"]["total"] == 10
    assert hr["progress"]["by_status"]["self"] == 10 and hr["progress"]["pending"] == 10
    assert hr["without_evaluator_count"] == 4 and manager["without_evaluator_count"] == 0
    assert hr["self_weight"] == 30 and hr["superior_weight"] == 70
    assert {row["name"] for row in manager["distribution"]} == {org.a1.name, org.a2.name}
    assert hr["month"] == "2025-05-01" and hr["self_deadline"] == "2025-06-05"


def test_missing_filters_and_bad_filters(org, cycle):
    api = api_for(org.hr.user)
    page = api.get(url("api:performance:cycle_missing", cycle), {"team": org.a2.pk, "stage": "self"}).json()
    assert [row["employee_id"] for row in page["results"]] == [org.other_team.pk]
    assert page["results"][0]["department_manager_name"] == org.manager.name
    bad = api.get(url("api:performance:cycle_missing", cycle), {"stage": "nonsense"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_open_refusals_and_idempotence(org):
    """Given HR, when a month is opened twice, then the second call creates nothing; a month
    not ended or a malformed one is a clear 400; unknown fields are ignored."""
    agent_template(org)
    api = api_for(org.hr.user)
    # 2025-04's self-evaluation deadline is long gone: opening it asks first, saying how many (PRF-2)
    asked = api.post(url("api:performance:cycle_open"), {"month": "2025-04"}, format="json")
    assert asked.status_code == 400 and asked.json()["code"] == "overdue_unconfirmed"
    assert asked.json()["overdue"] == 10 and not AppraisalCycle.objects.exists()
    confirmed = {"month": "2025-04", "status": "locked", "confirm_overdue": True}
    first = api.post(url("api:performance:cycle_open"), confirmed, format="json")
    assert first.status_code == 200 and first.json()["created"] == 10
    assert first.json()["cycle"]["status"] == "open"
    again = api.post(url("api:performance:cycle_open"), {"month": "2025-04-17"}, format="json")
    assert again.json()["created"] == 0
    future = api.post(url("api:performance:cycle_open"), {"month": "2099-01"}, format="json")
    assert future.status_code == 400 and future.json()["code"] == "month_not_ended"
    # Past the months anyone may enter (callcenter.inputs: 2000-01 .. 2099-12): the field says so.
    far = api.post(url("api:performance:cycle_open"), {"month": "2999-01"}, format="json")
    assert far.status_code == 400 and far.json()["code"] == "invalid" and set(far.json()["errors"]) == {"month"}
    assert api.post(url("api:performance:cycle_open"), {"month": "May"}, format="json").status_code == 400
    assert AppraisalCycle.objects.count() == 1


def test_lock_refused_with_counts_then_forced(org, cycle):
    api = api_for(org.hr.user)
    refused = api.post(url("api:performance:cycle_lock", cycle), {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "incomplete" and refused.json()["unfinished"]["self"] == 10
    locked = api.post(url("api:performance:cycle_lock", cycle), {"force": True}, format="json")
    assert locked.status_code == 200 and locked.json()["status"] == "locked"
    again = api.post(url("api:performance:cycle_lock", cycle), {"force": True}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_locked"
    refresh = api.post(url("api:performance:cycle_refresh", cycle))
    assert refresh.status_code == 409 and refresh.json()["code"] == "cycle_locked"
    assert api.get(url("api:performance:cycle_detail", cycle)).json()["progress"]["by_status"]["locked"] == 10


def test_unknown_cycle_is_404(org):
    api = api_for(org.hr.user)
    assert api.get(reverse("api:performance:cycle_detail", args=[999])).status_code == 404
    assert api.post(reverse("api:performance:cycle_lock", args=[999])).status_code == 404


def test_api_queries_are_bounded(org, cycle, django_assert_max_num_queries):
    def api():  # a freshly loaded user per request, as in production (no warm role cache)
        return api_for(User.objects.get(pk=org.hr.user_id))

    with django_assert_max_num_queries(20) as few:
        api().get(url("api:performance:cycle_detail", cycle))
    for _ in range(30):
        EmployeeFactory(team=org.a2, department=org.dept_a, position=org.agent.position)
    services.appraisal_cycle_refresh_auto(actor=org.hr.user, cycle_id=cycle.pk)
    with django_assert_max_num_queries(20) as many:
        api().get(url("api:performance:cycle_detail", cycle))
    assert len(many.captured_queries) == len(few.captured_queries)
    with django_assert_max_num_queries(12):
        page = api().get(url("api:performance:cycle_missing", cycle)).json()
    assert page["count"] == 40
    for month in (datetime.date(2025, m, 1) for m in (1, 2, 3)):
        services.appraisal_cycle_open(month=month)
    with django_assert_max_num_queries(10):
        assert api().get(url("api:performance:cycle_list")).json()["count"] == 4


def test_openapi_schema_lists_the_cycle_endpoints(org):
    schema = api_for(org.hr.user).get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for suffix in ("cycles/", "cycles/open/", "cycles/{id}/", "cycles/{id}/missing/", "cycles/{id}/lock/"):
        assert f"/api/v1/performance/{suffix}" in paths, suffix
    assert set(schema["components"]["schemas"]["CycleLockInputRequest"]["properties"]) == {"force"}
    assert set(schema["components"]["schemas"]["CycleOpenInputRequest"]["properties"]) == {"month", "confirm_overdue"}
