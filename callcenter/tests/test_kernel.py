"""The kernel every app builds on: page helpers, refusals left unhandled, the API's paginated lists
and error codes in the schema, the menu from what apps register, and the choice selectors."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import Http404
from django.test import override_settings
from django.urls import include, path, reverse
from openpyxl import load_workbook

from callcenter import selectors
from callcenter.errors import ERROR_CODE_ENUMS, ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.exports import csv_bytes, xlsx_bytes
from callcenter.navigation import NAVIGATION, NavEntry, everyone, has_any_role, navigation_for, navigation_register
from callcenter.pages import action_run, form_status, form_submit
from callcenter.permissions import public
from callcenter.roles import Role
from callcenter.tests.factories import TeamFactory

# --- Page helpers ---------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField()


def _refuse_reason(data):
    raise ApplicationError("Too short.", code=CoreErrorCode.INVALID, field="reason")


def _refuse_form(data):
    raise ApplicationError("Not now.", code=CoreErrorCode.INVALID)


def _hidden(data=None):
    raise NotFoundError("Gone.")


def test_form_submit_calls_the_service_and_says_so(rf):
    # given a valid POST, when the service succeeds, then True, the result is kept and a message shown
    request = _with_messages(rf.post("/", {"reason": "x"}))
    form = ReasonForm(request.POST)
    assert form_submit(request, form, lambda data: data["reason"].upper(), success=lambda r: f"done {r}")
    assert form.result == "X" and [str(m) for m in get_messages(request)] == ["done X"]


@pytest.mark.parametrize(
    ("action", "field", "message"), [(_refuse_reason, "reason", "Too short."), (_refuse_form, None, "Not now.")]
)
def test_form_submit_puts_a_refusal_on_its_field_or_the_form(rf, action, field, message):
    request = _with_messages(rf.post("/", {"reason": "x"}))
    form = ReasonForm(request.POST)
    assert not form_submit(request, form, action, success="never")
    assert form.errors[field or "__all__"] == [message] and form_status(form) == 400


def test_form_submit_does_nothing_on_get_or_invalid_input(rf):
    called = []
    for request in (rf.get("/"), rf.post("/", {})):
        form = ReasonForm(request.POST or None)
        assert not form_submit(_with_messages(request), form, called.append)
    assert called == []


def test_a_hidden_record_is_a_404_in_both_helpers(rf):
    request = _with_messages(rf.post("/", {"reason": "x"}))
    with pytest.raises(Http404):
        form_submit(request, ReasonForm(request.POST), _hidden)
    with pytest.raises(Http404):
        action_run(request, _hidden)


def test_action_run_shows_the_refusal_as_an_error(rf):
    request = _with_messages(rf.post("/"))
    assert not action_run(request, lambda: _refuse_form(None), success="never")
    assert [(m.level_tag, str(m)) for m in get_messages(request)] == [("error", "Not now.")]


def _with_messages(request):
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


# --- Refusals a page left unhandled ----------------------------------------------------------------


@public
def _raises_refusal(request):
    raise ApplicationError("The month is locked.", code=CoreErrorCode.INVALID)


@public
def _raises_not_found(request):
    raise NotFoundError("Gone.")


@public
def _raises_forbidden(request):
    raise PermissionDeniedError("Not yours.")


urlpatterns = [
    path("refusal/", _raises_refusal),
    path("hidden/", _raises_not_found),
    path("forbidden/", _raises_forbidden),
    path("", include("callcenter.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "status", "text"),
    [("/refusal/", 400, "The month is locked."), ("/hidden/", 404, ""), ("/forbidden/", 403, "")],
)
def test_a_refusal_escaping_a_page_is_the_users_error_not_a_500(client, url, status, text):
    response = client.get(url)
    assert response.status_code == status
    assert text in response.content.decode()


# --- API: paginated lists and error codes in the schema ---------------------------------------------


def test_the_schema_describes_the_paginated_envelope_and_every_apps_error_codes(client, org):
    client.force_login(org.hr.user)
    schema = json.loads(client.get(reverse("api:schema"), {"format": "json"}).content)
    components = schema["components"]["schemas"]
    # the list's envelope, not a bare array
    envelope = components["PaginatedDirectoryPayOutputList"]["properties"]
    assert {"count", "next", "previous", "results"} <= set(envelope)
    # one Error component per app, listing that app's declared codes and the core's
    for enum in ERROR_CODE_ENUMS:
        name = f"{enum.app_label().capitalize()}Error"
        assert name in components, name
        codes = set(components[name]["properties"]["code"]["enum"])
        assert {str(c) for c in enum} <= codes and "not_found" in codes
    # and an endpoint's 4xx answers point at its app's component
    operation = schema["paths"]["/api/v1/employees/"]["get"]
    assert operation["responses"]["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/CallcenterError")


def test_an_api_refusal_answers_detail_and_its_declared_code(client, org):
    client.force_login(org.agent.user)
    response = client.get(reverse("api:callcenter:employee_detail", args=[org.other_dept.pk]))
    assert response.status_code == 404 and response.json()["code"] == "not_found"


# --- The menu ------------------------------------------------------------------------------------


def test_the_menu_is_what_the_apps_registered_in_order_and_by_role(org):
    keys = [item["key"] for item in navigation_for(org.hr.user)]
    assert keys[0] == "dashboard" and keys[-1] == "api"
    assert {"leave_requests", "performance_setup", "policies", "complaint_statistics"} <= set(keys)
    assert "audit" not in keys  # the auditor's entry
    assert [item["key"] for item in navigation_for(org.auditor.user)].count("audit") == 1
    # every entry opens: its URL resolves
    assert all(item["url"].startswith("/") for item in navigation_for(org.hr.user))


def test_a_new_app_adds_its_entry_without_the_core_knowing_it(org):
    try:
        navigation_register(NavEntry("kernel_test", "Test", "callcenter:dashboard", "star", 5, has_any_role(Role.HR)))
        assert "kernel_test" in [i["key"] for i in navigation_for(org.hr.user)]
        assert "kernel_test" not in [i["key"] for i in navigation_for(org.agent.user)]
        # registering the key again replaces it (AppConfig.ready() may run twice)
        navigation_register(NavEntry("kernel_test", "Test", "callcenter:dashboard", "star", 5, everyone))
        assert "kernel_test" in [i["key"] for i in navigation_for(org.agent.user)]
    finally:
        NAVIGATION.pop("kernel_test", None)


# --- Choice selectors: one answer to "which teams may this user pick" ----------------------------------


def test_team_choices_follow_the_users_remit(org):
    empty = TeamFactory(department=org.dept_b, code="B9", name="空组")
    codes = lambda user, **kw: [t.code for t in selectors.team_choices(user=user, **kw)]  # noqa: E731
    assert codes(org.supervisor.user) == ["A1"]
    assert codes(org.manager.user) == ["A1", "A2"]
    # company-wide reach sees every team, the empty one included
    assert codes(org.hr.user) == ["A1", "A2", "B1", empty.code]
    # a module may grant its own roles company-wide reading (the complaint team for complaints)
    assert codes(org.handler.user) == ["B1"]
    assert codes(org.handler.user, company_wide_roles=(Role.COMPLAINT_HANDLER,)) == ["A1", "A2", "B1", "B9"]


def test_employee_and_department_choices_follow_the_same_rule(org):
    team_a1 = {org.agent, org.peer, org.supervisor, org.manager, org.leader}
    assert set(selectors.employee_choices(user=org.supervisor.user)) == team_a1
    assert [d.code for d in selectors.department_choices(user=org.supervisor.user)] == ["A"]
    assert [d.code for d in selectors.department_choices(user=org.hr.user)] == ["A", "B"]
    assert list(selectors.employees_with_role(Role.COMPLAINT_HANDLER)) == [org.handler]


# --- Exports: formula injection is neutralised in text, numbers stay numbers -------------------------


def test_csv_and_xlsx_escape_formula_text_and_leave_numbers_alone():
    # given text that a spreadsheet would run as a formula, numbers (negative ones too) and plain text
    row = ["=SUM(A1)", "+1+cmd", "-2+3", "@cmd", "\tx", Decimal("-120.00"), -5, "-120.00", "+3", "plain", None]
    # when it is written as CSV and XLSX
    csv_row = list(csv.reader(io.StringIO(csv_bytes(headers=["h"] * len(row), rows=[row]).decode("utf-8-sig"))))[1]
    sheet = load_workbook(io.BytesIO(xlsx_bytes(headers=["h"] * len(row), rows=[row]))).active
    xlsx_row = next(sheet.iter_rows(min_row=2, values_only=True))
    # then the formulas are text, and the numbers are numbers as they were
    escaped = ["'=SUM(A1)", "'+1+cmd", "'-2+3", "'@cmd", "'\tx"]
    assert csv_row == [*escaped, "-120.00", "-5", "-120.00", "+3", "plain", ""]
    assert list(xlsx_row) == [*escaped, -120, -5, "-120.00", "+3", "plain", None]
