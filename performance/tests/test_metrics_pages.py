"""Metrics pages and API (PRF-1 work results): HR imports (upload with row errors on the page,
API push by session or token), imports list and detail; the month view by visibility (agent:
own; supervisor: team; manager: department; HR: all); call volumes for CMP-4; role matrix, query
counts, mass assignment."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from callcenter.providers import call_volumes_by_month, call_volumes_by_team
from callcenter.services import api_token_create
from callcenter.tests.factories import EmployeeFactory
from datasecurity.models import AuditEvent
from performance import selectors, services
from performance.models import AgentDailyMetric, MetricImport
from performance.rules import metrics as metric_rules
from performance.tests.factories import ZH_HEADERS, csv_bytes, last_month_day, metric_days, metric_row, push_row

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


def upload(client, data, name="metrics.csv"):
    return client.post(reverse("performance:metric_imports"), {"file": SimpleUploadedFile(name, data, "text/csv")})


@pytest.fixture
def month():
    return last_month_day(1)


@pytest.fixture
def figures(org, month):
    """Last month: the agent and the peer (team A1) and other_team (A2) and other_dept (B1)."""
    metric_days(org.agent, month, days=10, answered=100, resolved=90, handle_seconds=300, qa="98.00", by=org.hr.user)
    metric_days(org.peer, month, days=10, answered=50, resolved=25, handle_seconds=200, qa=None, by=org.hr.user)
    metric_days(org.other_team, month, days=5, answered=80, resolved=80, handle_seconds=250, by=org.hr.user)
    record = metric_days(org.other_dept, month, days=5, answered=60, resolved=30, handle_seconds=240, by=org.hr.user)
    return record


# --- Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_import_pages_are_hr_only(client, org, figures, who):
    login(client, org, who)
    for url in (
        reverse("performance:metric_imports"),
        reverse("performance:metric_import_template"),
        reverse("performance:metric_import_detail", args=[figures.pk]),
    ):
        assert client.get(url).status_code == (200 if who == "hr" else 403), url


@pytest.mark.parametrize("who", ROLES)
def test_import_api_is_hr_only(org, figures, month, who):
    """Given each role, when it lists imports or pushes rows, then only HR may; nothing is
    written by the others."""
    api = APIClient()
    api.force_authenticate(getattr(org, who).user)
    expected = 200 if who == "hr" else 403
    assert api.get(reverse("api:performance:metric_import_list")).status_code == expected
    assert api.get(reverse("api:performance:metric_import_detail", args=[figures.pk])).status_code == expected
    before = MetricImport.objects.count()
    response = api.post(
        reverse("api:performance:metric_import_list"),
        {"rows": [push_row(org.agent, month.replace(day=20))]},
        format="json",
    )
    assert response.status_code == (201 if who == "hr" else 403)
    assert MetricImport.objects.count() == before + (1 if who == "hr" else 0)


def test_upload_by_supervisor_is_refused_and_writes_nothing(client, org, month):
    login(client, org, "supervisor")
    response = upload(client, csv_bytes([metric_row(org.agent, month)]))
    assert response.status_code == 403
    assert not AgentDailyMetric.objects.exists()


# --- Upload page -----------------------------------------------------------------------------------


def test_upload_good_gb18030_file(client, org, month):
    """Given HR and a GB18030 file with Chinese headers, when uploaded, then it is imported and
    the import page shows the counts."""
    login(client, org, "hr")
    data = csv_bytes(
        [metric_row(org.agent, month), metric_row(org.peer, month)], headers=ZH_HEADERS, encoding="gb18030"
    )
    response = upload(client, data)
    assert response.status_code == 302
    record = MetricImport.objects.get()
    assert response["Location"] == reverse("performance:metric_import_detail", args=[record.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="stat-rows">2<' in html and record.checksum in html


def test_upload_bad_file_lists_row_errors_and_writes_nothing(client, org, month):
    """Given a file with 120 unknown employees and one negative figure, when uploaded, then 400,
    the page says 121 errors, lists the first 100 with row and column, and nothing is written."""
    login(client, org, "hr")
    rows = [[f"GHOST{i}", month.isoformat(), 1, 1, 1, ""] for i in range(120)]
    rows.insert(0, [org.agent.employee_no, month.isoformat(), -3, 0, 10, ""])
    response = upload(client, csv_bytes(rows))
    assert response.status_code == 400
    html = response.content.decode()
    assert "121 errors. Nothing was imported." in html
    assert "The first 100 are listed." in html
    assert html.count('<tr><td class="nowrap">') == 100
    assert "Calls answered cannot be negative." in html
    assert not AgentDailyMetric.objects.exists() and not MetricImport.objects.exists()


def test_upload_too_large_is_refused_on_the_page(client, org, month, monkeypatch):
    monkeypatch.setattr(metric_rules, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr("performance.forms.metrics.MAX_FILE_BYTES", 100)
    login(client, org, "hr")
    response = upload(client, csv_bytes([metric_row(org.agent, month)] * 10))
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert not AgentDailyMetric.objects.exists()


def test_reupload_says_same_file_and_replaces(client, org, month):
    login(client, org, "hr")
    data = csv_bytes([metric_row(org.agent, month)])
    upload(client, data)
    response = upload(client, data)
    followed = client.get(response["Location"])
    text = " ".join(str(m) for m in followed.context["messages"])
    assert "0 new days, 1 replaced" in text and "The same file was imported before" in text
    assert AgentDailyMetric.objects.count() == 1


def test_template_download_has_chinese_headers_and_bom(client, org):
    login(client, org, "hr")
    response = client.get(reverse("performance:metric_import_template"))
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert "工号,日期,接听量,解决量" in response.content.decode("utf-8-sig")


def test_import_list_query_count(client, org, month, django_assert_max_num_queries):
    for n in range(30):
        services.metric_import_push(actor=org.hr.user, rows=[push_row(org.agent, month, answered=n + 1, resolved=1)])
    login(client, org, "hr")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("performance:metric_imports"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 30 and len(response.context["page_obj"]) == 25


# --- API push ---------------------------------------------------------------------------------------


def test_push_with_token_ignores_imported_by_and_id(org, month):
    """Given an HR token, when rows are pushed with ``imported_by``/``id``/``source`` keys, then
    they are ignored: the importer is the caller; re-pushing replaces."""
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(actor=org.hr.user, name='import script')[1]}")
    body = {
        "rows": [push_row(org.agent, month), push_row(org.peer, month, qa=None)],
        "imported_by": org.agent.user.pk,
        "id": 777,
        "source": "csv",
    }
    response = api.post(reverse("api:performance:metric_import_list"), body, format="json")
    assert response.status_code == 201, response.json()
    record = MetricImport.objects.get()
    assert record.imported_by == org.hr.user and record.pk != 777 and record.source == "api"
    assert response.json()["created"] == 2
    again = api.post(reverse("api:performance:metric_import_list"), body, format="json")
    assert again.json()["replaced"] == 2 and AgentDailyMetric.objects.count() == 2


def test_push_bad_rows_400_with_row_errors(org, month):
    api = APIClient()
    api.force_authenticate(org.hr.user)
    rows = [push_row(org.agent, month), push_row(org.agent, month), push_row(org.peer, month, qa="101")]
    response = api.post(
        reverse("api:performance:metric_import_list"), {"rows": rows}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rows_invalid" and body["error_count"] == 2
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "date"), (3, "qa_accuracy")]
    assert not AgentDailyMetric.objects.exists()


@pytest.mark.parametrize("body", [{}, {"rows": []}, {"rows": "x"}, {"rows": [1]}])
def test_push_wrong_envelope_is_400(org, body):
    api = APIClient()
    api.force_authenticate(org.hr.user)
    response = api.post(reverse("api:performance:metric_import_list"), body, format="json")
    assert response.status_code == 400
    assert not MetricImport.objects.exists()


def test_push_is_audited_once(org, month):
    api = APIClient()
    api.force_authenticate(org.hr.user)
    rows = [push_row(org.agent, month.replace(day=d)) for d in range(1, 21)]
    before = AuditEvent.objects.filter(action="metric_import.create").count()
    api.post(reverse("api:performance:metric_import_list"), {"rows": rows}, format="json")
    assert AuditEvent.objects.filter(action="metric_import.create").count() == before + 1


# --- Month view by visibility ------------------------------------------------------------------------


SEES = {
    "agent": {"agent"},
    "supervisor": {"agent", "peer"},
    "manager": {"agent", "peer", "other_team"},
    "hr": {"agent", "peer", "other_team", "other_dept"},
    "other_team": {"other_team"},
    "handler": set(),
}


@pytest.mark.parametrize("who", list(SEES))
def test_month_view_shows_only_visible_agents(client, org, figures, month, who):
    """Given figures for agents of teams A1, A2 and B1, when each role opens the month view (and
    the API), then they see exactly the agents the visibility rule gives them."""
    login(client, org, who)
    response = client.get(reverse("performance:metric_month") + f"?month={month:%Y-%m}")
    assert response.status_code == 200
    shown = {r.employee_no for r in response.context["data"].rows}
    expected = {getattr(org, name).employee_no for name in SEES[who]}
    assert shown == expected
    api = APIClient()
    api.force_authenticate(getattr(org, who).user)
    body = api.get(reverse("api:performance:metric_month") + f"?month={month:%Y-%m}").json()
    assert {r["employee_no"] for r in body["results"]} == expected


def test_month_totals_are_call_weighted(org, figures, month):
    """Given the agent (10 days × 100 calls, 300 s, QA 98) and the peer (10 × 50 calls, 200 s,
    no QA), then team A1's handling time is call-weighted (266.67 s) and its QA comes from the
    days that have one (98)."""
    data = selectors.metric_month(user=org.supervisor.user, month=month)
    agent = next(r for r in data.rows if r.employee_id == org.agent.pk).totals
    assert (agent.calls_answered, agent.calls_resolved, agent.resolution_rate) == (1000, 900, Decimal("90.00"))
    team = data.teams[0].totals
    assert team.calls_answered == 1500 and team.avg_handle_seconds == Decimal("266.67")
    assert team.qa_accuracy == Decimal("98.00") and team.resolution_rate == Decimal("76.67")


def test_supervisor_cannot_open_another_teams_agent(client, org, figures, month):
    login(client, org, "supervisor")
    url = reverse("performance:metric_month") + f"?month={month:%Y-%m}&employee="
    assert client.get(url + str(org.other_team.pk)).status_code == 404
    own = client.get(url + str(org.peer.pk))
    assert own.status_code == 200 and len(own.context["days"]) == 10


def test_supervisor_team_filter_cannot_reach_other_teams(client, org, figures, month):
    login(client, org, "supervisor")
    response = client.get(reverse("performance:metric_month") + f"?month={month:%Y-%m}&team={org.b1.pk}")
    assert org.other_dept.employee_no not in {r.employee_no for r in response.context["data"].rows}


def test_agent_sees_own_days(client, org, figures, month):
    login(client, org, "agent", language="zh-hans")
    response = client.get(reverse("performance:metric_month") + f"?month={month:%Y-%m}")
    assert response.context["employee"] == org.agent and len(response.context["days"]) == 10


def test_month_view_bad_month_falls_back(client, org, figures):
    login(client, org, "hr")
    assert client.get(reverse("performance:metric_month") + "?month=garbage&team=x&page=zz").status_code == 200


def test_month_view_query_count_for_many_agents(client, org, month, django_assert_max_num_queries):
    """Given 60 agents with figures, when HR opens the month view, then a fixed number of queries."""
    for _n in range(60):
        metric_days(EmployeeFactory(team=org.a1, department=org.dept_a), month, days=3, by=org.hr.user)
    login(client, org, "hr")
    with django_assert_max_num_queries(14):
        response = client.get(reverse("performance:metric_month") + f"?month={month:%Y-%m}")
    assert response.context["page_obj"].paginator.count == 60


# --- Call volumes for the complaint rate (CMP-4) ------------------------------------------------------


def test_call_volumes_per_month_and_team_one_query_each(org, figures, month, django_assert_num_queries):
    """Given last month's figures, then the volumes per month and per (month, team) add up, one
    query each, and reach the complaints statistics through the core provider."""
    date_from, date_to = month, month + datetime.timedelta(days=40)
    with django_assert_num_queries(1):
        volumes = selectors.metric_call_volumes(date_from=date_from, date_to=date_to)
    total = 10 * 100 + 10 * 50 + 5 * 80 + 5 * 60
    assert volumes == {month: total}
    with django_assert_num_queries(1):
        by_team = selectors.metric_call_volumes_by_team(date_from=date_from, date_to=date_to)
    assert by_team == {(month, org.a1.pk): 1500, (month, org.a2.pk): 400, (month, org.b1.pk): 300}
    assert call_volumes_by_month(date_from=date_from, date_to=date_to) == volumes
    assert call_volumes_by_team(date_from=date_from, date_to=date_to) == by_team


def test_push_over_the_body_limit_is_a_json_413(org, month, settings):
    """Given a body larger than DATA_UPLOAD_MAX_MEMORY_SIZE, when pushed, then a JSON 413 says to
    push fewer days, and nothing is written."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = APIClient()
    api.force_authenticate(org.hr.user)
    rows = [push_row(org.agent, month.replace(day=d)) for d in range(1, 21)]
    response = api.post(reverse("api:performance:metric_import_list"), {"rows": rows}, format="json")
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"
    assert not MetricImport.objects.exists()
