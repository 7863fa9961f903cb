"""Appraisal API (PRF-3): the workflow through the endpoints, mass assignment ignored or refused,
forbidden steps answered with status + code and nothing changed, a role × endpoint × own/other
team matrix, drafts of the other side never leaked, bounded queries and the OpenAPI schema."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from callcenter.tests.factories import EmployeeFactory
from performance import services
from performance.models import Appraisal, AppraisalCycle, AppraisalItem
from performance.tests.factories import MONTH, appraisal_for, manual_items, scores

ROLE_USERS = [
    "agent",
    "peer",
    "supervisor",
    "manager",
    "leader",
    "hr",
    "handler",
    "auditor",
    "other_team",
    "other_dept",
]
SEES_AGENT = {"agent", "supervisor", "manager", "leader", "hr"}


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def url(name, appraisal=None):
    return reverse(name, args=[appraisal.pk] if appraisal is not None else [])


def body(appraisal, value, *, submit=False, **extra):
    return {
        "items": [{"item_id": i.pk, "score": value, "comment": "说明"} for i in manual_items(appraisal)],
        "summary": "小结",
        "submit": submit,
        **extra,
    }


def submitted(org, appraisal, *, superior=True):
    services.appraisal_self_save(
        actor=org.agent.user, appraisal_id=appraisal.pk, items=scores(appraisal, "80"), submit=True
    )
    if superior:
        services.appraisal_superior_save(
            actor=org.supervisor.user, appraisal_id=appraisal.pk, items=scores(appraisal, "90"), submit=True
        )
    return appraisal


# --- The workflow --------------------------------------------------------------------------------------------------


def test_whole_workflow_through_the_api(org):
    appraisal = appraisal_for(org.agent)
    agent, supervisor = api_for(org.agent.user), api_for(org.supervisor.user)
    mine = agent.get(url("api:performance:my_appraisals")).json()
    assert [a["id"] for a in mine["results"]] == [appraisal.pk]

    response = agent.post(
        url("api:performance:appraisal_self", appraisal), body(appraisal, "80", submit=True), format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "superior" and response.json()["self_score"] == "80.00"

    response = supervisor.post(
        url("api:performance:appraisal_superior", appraisal), body(appraisal, "90", submit=True), format="json"
    )
    data = response.json()
    assert (data["status"], data["total_score"], data["band"]) == ("interview", "89.10", "B")
    assert (data["self_weight"], data["superior_weight"]) == (30, 70)
    assert any("89.10" in line for line in data["explanation"])
    auto = next(i for i in data["items"] if i["method"] == "automatic")
    assert auto["explanation"] and auto["auto_score"] == "90.00"

    response = supervisor.post(
        url("api:performance:appraisal_interview", appraisal),
        {
            "held_on": "2025-06-12",
            "strengths": "业务熟练",
            "problems": "通话时长偏长",
            "actions": [{"action": "学习知识库", "owner_id": org.agent.pk, "due_on": "2025-06-30"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "completed" and data["interview"]["strengths"] == "业务熟练"
    assert data["actions"][0]["action"] == "学习知识库"

    june = appraisal_for(org.agent, datetime.date(2025, 6, 1))
    carried = agent.get(url("api:performance:appraisal_detail", june)).json()["previous_open_actions"]
    assert [a["action"] for a in carried] == ["学习知识库"]


# --- Mass assignment -------------------------------------------------------------------------------------------------


def test_agent_cannot_set_superior_fields_through_the_self_endpoint(org):
    """Given the agent's appraisal, when the agent posts superior scores, a total, a status and an
    evaluator along with their self-evaluation, then only the self fields are written."""
    appraisal = appraisal_for(org.agent)
    payload = body(appraisal, "80", status="completed", total_score="100", evaluator=org.agent.pk)
    payload["superior_score"] = "100"
    payload["superior_summary"] = "我很好"
    for row in payload["items"]:
        row["superior_score"] = "100"
        row["superior_comment"] = "完美"
        row["auto_score"] = "100"
    response = api_for(org.agent.user).post(url("api:performance:appraisal_self", appraisal), payload, format="json")
    assert response.status_code == 200
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert (a.status, a.total_score, a.evaluator, a.superior_summary) == ("self", None, org.supervisor, "")
    assert not AppraisalItem.objects.filter(appraisal=a, superior_score__isnull=False).exists()
    assert set(AppraisalItem.objects.filter(appraisal=a, method="automatic").values_list("auto_score", flat=True)) == {
        Decimal("90.00")
    }
    assert set(AppraisalItem.objects.filter(appraisal=a, method="manual").values_list("self_score", flat=True)) == {
        Decimal("80.00")
    }


def test_agent_cannot_use_the_superior_endpoint_on_their_own_appraisal(org):
    appraisal = submitted(org, appraisal_for(org.agent), superior=False)
    response = api_for(org.agent.user).post(
        url("api:performance:appraisal_superior", appraisal), body(appraisal, "100", submit=True), format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "own_record"  # SEC-2; was own_appraisal
    assert Appraisal.objects.get(pk=appraisal.pk).status == "superior"


def test_automatic_items_are_read_only_through_the_api(org):
    appraisal = appraisal_for(org.agent)
    auto = appraisal.items.filter(method="automatic").first()
    response = api_for(org.agent.user).post(
        url("api:performance:appraisal_self", appraisal),
        {"items": [{"item_id": auto.pk, "score": "100"}]},
        format="json",
    )
    assert response.status_code == 400 and response.json()["code"] == "item_automatic"


# --- Refusals: status + code, nothing changed -------------------------------------------------------------------------


def test_refusals_have_status_and_code(org):
    future = timezone.localdate() + datetime.timedelta(days=5)
    AppraisalCycle.objects.create(month=MONTH, status="open", self_deadline=future, superior_deadline=future)
    appraisal = appraisal_for(org.agent)
    agent, supervisor = api_for(org.agent.user), api_for(org.supervisor.user)

    r = agent.post(url("api:performance:appraisal_self", appraisal), {"submit": True}, format="json")
    assert (r.status_code, r.json()["code"]) == (400, "incomplete")
    r = agent.post(url("api:performance:appraisal_self", appraisal), body(appraisal, "1.234"), format="json")
    assert (r.status_code, r.json()["code"]) == (400, "invalid")  # the serializer: two decimal places
    r = agent.post(url("api:performance:appraisal_self", appraisal), body(appraisal, "101"), format="json")
    assert (r.status_code, r.json()["code"]) == (400, "score_invalid")
    r = supervisor.post(url("api:performance:appraisal_superior", appraisal), body(appraisal, "90"), format="json")
    assert (r.status_code, r.json()["code"]) == (409, "self_pending")
    r = supervisor.post(
        url("api:performance:appraisal_interview", appraisal),
        {"held_on": "2025-06-12", "strengths": "好", "problems": "无"},
        format="json",
    )
    assert (r.status_code, r.json()["code"]) == (409, "interview_not_ready")
    r = api_for(org.hr.user).post(
        url("api:performance:appraisal_send_back", appraisal), {"stage": "self", "reason": "x"}, format="json"
    )
    assert (r.status_code, r.json()["code"]) == (409, "send_back_invalid")
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert a.status == "self" and not a.items.filter(self_score__isnull=False).exists()


def test_locked_cycle_refuses_every_write(org):
    appraisal = submitted(org, appraisal_for(org.agent))
    AppraisalCycle.objects.filter(pk=appraisal.cycle_id).update(status="locked", locked_at=timezone.now())
    r = api_for(org.supervisor.user).post(
        url("api:performance:appraisal_interview", appraisal),
        {"held_on": "2025-06-12", "strengths": "好", "problems": "无"},
        format="json",
    )
    assert (r.status_code, r.json()["code"]) == (409, "locked")
    r = api_for(org.hr.user).post(
        url("api:performance:appraisal_send_back", appraisal), {"stage": "superior", "reason": "x"}, format="json"
    )
    assert (r.status_code, r.json()["code"]) == (409, "locked")
    detail = api_for(org.agent.user).get(url("api:performance:appraisal_detail", appraisal)).json()
    assert detail["locked"] and detail["access"]["locked"] and not detail["access"]["can_self"]


# --- Role × endpoint × own/other team ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLE_USERS)
def test_detail_matrix(org, who):
    appraisal = appraisal_for(org.agent)
    response = api_for(getattr(org, who).user).get(url("api:performance:appraisal_detail", appraisal))
    assert response.status_code == (200 if who in SEES_AGENT else 404)


@pytest.mark.parametrize("who", ROLE_USERS)
def test_superior_endpoint_matrix(org, who):
    """Only the evaluator evaluates; those who cannot see the appraisal get 404, the others 403."""
    appraisal = submitted(org, appraisal_for(org.agent), superior=False)
    response = api_for(getattr(org, who).user).post(
        url("api:performance:appraisal_superior", appraisal), body(appraisal, "90"), format="json"
    )
    expected = 200 if who == "supervisor" else 403 if who in SEES_AGENT else 404
    assert response.status_code == expected


@pytest.mark.parametrize("who", ROLE_USERS)
def test_self_endpoint_matrix(org, who):
    appraisal = appraisal_for(org.agent)
    response = api_for(getattr(org, who).user).post(
        url("api:performance:appraisal_self", appraisal), body(appraisal, "90"), format="json"
    )
    expected = 200 if who == "agent" else 403 if who in SEES_AGENT else 404
    assert response.status_code == expected


@pytest.mark.parametrize("who", ROLE_USERS)
def test_send_back_endpoint_matrix(org, who):
    appraisal = submitted(org, appraisal_for(org.agent), superior=False)
    response = api_for(getattr(org, who).user).post(
        url("api:performance:appraisal_send_back", appraisal), {"stage": "self", "reason": "请补充"}, format="json"
    )
    assert response.status_code == (200 if who == "hr" else 403)


@pytest.mark.parametrize("who", ROLE_USERS)
def test_list_matrix(org, who):
    ids = {appraisal_for(getattr(org, name)).pk: name for name in ("agent", "other_team", "other_dept")}
    response = api_for(getattr(org, who).user).get(url("api:performance:appraisal_list"))
    shown = {ids[a["id"]] for a in response.json()["results"] if a["id"] in ids}
    expected = {
        "agent": {"agent"},
        "other_team": {"other_team"},
        "other_dept": {"other_dept"},
        "supervisor": {"agent"},
        "manager": {"agent", "other_team"},
        "leader": {"agent", "other_team"},
        "hr": {"agent", "other_team", "other_dept"},
    }.get(who, set())
    assert shown == expected


def test_other_side_drafts_are_not_leaked(org):
    """The supervisor does not see the agent's unsubmitted self draft; the agent does not see
    the supervisor's unsubmitted scores."""
    appraisal = appraisal_for(org.agent)
    services.appraisal_self_save(actor=org.agent.user, appraisal_id=appraisal.pk, items=scores(appraisal, "77"))
    data = api_for(org.supervisor.user).get(url("api:performance:appraisal_detail", appraisal)).json()
    assert all(i["self_score"] is None for i in data["items"])
    submitted(org, appraisal, superior=False)
    services.appraisal_superior_save(
        actor=org.supervisor.user, appraisal_id=appraisal.pk, items=scores(appraisal, "42")
    )
    data = api_for(org.agent.user).get(url("api:performance:appraisal_detail", appraisal)).json()
    assert all(i["superior_score"] is None for i in data["items"]) and data["superior_score"] is None


# --- Queries and schema ----------------------------------------------------------------------------------------


def test_list_queries_are_bounded(org, django_assert_max_num_queries):
    api = api_for(org.hr.user)
    for _ in range(3):
        appraisal_for(EmployeeFactory(team=org.a1, department=org.dept_a))
    api.get(url("api:performance:appraisal_list"))  # the role cache of the user object warms up
    with django_assert_max_num_queries(10) as few:
        api.get(url("api:performance:appraisal_list"))
    for _ in range(20):
        appraisal_for(EmployeeFactory(team=org.a2, department=org.dept_a))
    with django_assert_max_num_queries(10) as many:
        api.get(url("api:performance:appraisal_list"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_my_appraisals_queries_are_bounded(org, django_assert_max_num_queries):
    api = api_for(org.agent.user)
    month = MONTH
    for _ in range(12):
        appraisal_for(org.agent, month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    with django_assert_max_num_queries(8):
        response = api.get(url("api:performance:my_appraisals"))
    assert response.json()["count"] == 12


def test_openapi_schema_lists_the_appraisal_endpoints(org):
    schema = api_for(org.agent.user).get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/v1/performance/appraisals/",
        "/api/v1/performance/appraisals/mine/",
        "/api/v1/performance/appraisals/{id}/",
        "/api/v1/performance/appraisals/{id}/self/",
        "/api/v1/performance/appraisals/{id}/superior/",
        "/api/v1/performance/appraisals/{id}/interview/",
        "/api/v1/performance/appraisals/{id}/send-back/",
    ):
        assert path in paths, path
    self_input = schema["components"]["schemas"]["ScoresInputRequest"]["properties"]
    assert set(self_input) == {"items", "summary", "submit"}
    assert set(schema["components"]["schemas"]["ItemScoreInputRequest"]["properties"]) == {
        "item_id",
        "score",
        "comment",
    }
    assert "PRF-3" in paths["/api/v1/performance/appraisals/{id}/self/"]["post"]["summary"]
