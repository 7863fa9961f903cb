"""Hiring one person (GEN-1, GEN-2, LV-3): the hire page and endpoint, the one-time password and
the forced change at the first login (SEC-2), the default roster from the hire date (ATT-1),
rehiring a leaver into the same record, onboarding items, the role matrix and bad input."""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from callcenter import providers, services
from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.models import Employee, EmploymentEvent, Position, User
from callcenter.roles import Role
from callcenter.tests import factories as f
from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-new-Passw0rd!"
ROLES = ["agent", "peer", "supervisor", "other_team", "manager", "leader", "other_dept", "hr", "handler", "auditor"]


def _client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
        client.force_login(user)
    return client


def _next_monday(weeks: int = 1) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(7 - today.weekday()) + 7 * (weeks - 1))


def _form(org, **overrides) -> dict:
    data = {
        "employee_no": "E90001",
        "name": "孙悦",
        "department": org.dept_a.pk,
        "team": org.a1.pk,
        "position": Position.objects.get(code="AGENT").pk,
        "hire_date": _next_monday().isoformat(),
        "first_employed_on": "2019-07-01",
        "monthly_base_pay": "5200.00",
        "bonus_base": "1200.00",
        "email": "sunyue@example.com",
        "mobile": "13800000000",
        "roles": [Role.AGENT],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _api_body(org, **overrides) -> dict:
    form = _form(org)
    body = {
        "employee_no": form["employee_no"],
        "name": form["name"],
        "department_id": form["department"],
        "team_id": form["team"],
        "position_id": form["position"],
        "hire_date": form["hire_date"],
        "first_employed_on": form["first_employed_on"],
        "monthly_base_pay": form["monthly_base_pay"],
        "bonus_base": form["bonus_base"],
        "email": form["email"],
        "mobile": form["mobile"],
        "roles": form["roles"],
    }
    body.update(overrides)
    return body


def _hire(org, actor=None, **overrides):
    form = _form(org, **overrides)
    return services.employee_hire(
        actor=(actor or org.hr).user,
        employee_no=form["employee_no"],
        name=form["name"],
        department_id=form["department"],
        team_id=form.get("team"),
        position_id=form["position"],
        hire_date=datetime.date.fromisoformat(form["hire_date"]),
        first_employed_on=(
            datetime.date.fromisoformat(form["first_employed_on"]) if form.get("first_employed_on") else None
        ),
        monthly_base_pay=Decimal(form["monthly_base_pay"]),
        bonus_base=Decimal(form["bonus_base"]),
        email=form.get("email", ""),
        mobile=form.get("mobile", ""),
        roles=form.get("roles", [Role.AGENT]),
    )


# --- The hire page (GEN-1) ----------------------------------------------------------------------


def test_hr_hires_on_the_page_and_sees_the_one_time_password_once(org):
    """GEN-1: HR hires; the result page (rendered by the POST, not cached) shows the username
    (the employee number) and a one-time password that logs in; the password is not stored in
    clear nor in the audit trail; the hire is one EmploymentEvent(kind=hire)."""
    client = _client(org.hr.user)
    response = client.post(reverse("callcenter:hire"), _form(org))
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "no-store" in response["Cache-Control"]
    employee = Employee.objects.get(employee_no="E90001")
    password = response.context["result"].one_time_password
    assert password in response.content.decode() and len(password) == 16
    user = employee.user
    assert user.username == "E90001" and user.must_change_password and user.check_password(password)
    assert password not in user.password
    assert (employee.team, employee.department, employee.mobile) == (org.a1, org.dept_a, "13800000000")
    assert employee.first_employed_on == datetime.date(2019, 7, 1)
    assert list(user.groups.values_list("name", flat=True)) == [Role.AGENT]
    event = EmploymentEvent.objects.get(employee=employee)
    assert (event.kind, event.status, event.recorded_by) == ("hire", "applied", org.hr.user)
    assert event.changes["monthly_base_pay"] == [None, "5200.00"]
    audit = AuditEvent.objects.get(action="employee.hire", object_id=str(employee.pk))
    assert password not in json.dumps(audit.changes) and audit.actor == org.hr.user
    assert AuditEvent.objects.filter(action="staff_import.commit").count() == 0


def test_the_hire_form_shows_the_supervisor_that_follows_from_the_team(org):
    """LV-4: the direct supervisor is the team's supervisor; the team's choice names them."""
    response = _client(org.hr.user).get(reverse("callcenter:hire"))
    assert response.status_code == 200
    assert "supervisor: 李娜" in response.content.decode()


def test_first_login_with_the_one_time_password_forces_a_new_password(org):
    """SEC-2: the new employee logs in with the one-time password, is sent to the password page
    whatever they open, and works normally after choosing their own."""
    result = _hire(org)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("callcenter:login"), {"username": "E90001", "password": result.one_time_password})
    assert response.status_code == 302
    response = client.get(reverse("callcenter:dashboard"))
    assert response.status_code == 302 and response["Location"] == reverse("callcenter:password_change")
    response = client.post(
        reverse("callcenter:password_change"),
        {"old_password": result.one_time_password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get(username="E90001")
    assert not user.must_change_password and user.check_password(NEW_PASSWORD)
    assert client.get(reverse("callcenter:dashboard")).status_code == 200


# --- Rehire (GEN-2): one record ------------------------------------------------------------------


def test_rehiring_a_leaver_keeps_one_record_and_history(org):
    """GEN-2: the leaver's number rehires the same Employee: active again, left_on cleared, the
    login re-enabled with a new one-time password (forced change), EmploymentEvent(kind=rehire);
    the earlier events stay on the same record."""
    left_on = timezone.localdate() - datetime.timedelta(days=30)
    services.employee_deactivate(actor=org.hr.user, employee_id=org.agent.pk, left_on=left_on)
    count = Employee.objects.count()
    result = _hire(org, employee_no=org.agent.employee_no, name="张伟", team=org.a2.pk)
    assert result.rehired and result.employee.pk == org.agent.pk and Employee.objects.count() == count
    employee = Employee.objects.select_related("user").get(pk=org.agent.pk)
    assert (employee.status, employee.left_on, employee.team) == ("active", None, org.a2)
    assert employee.user.is_active and employee.user.must_change_password
    assert employee.user.check_password(result.one_time_password)
    event = EmploymentEvent.objects.get(employee=employee, kind="rehire")
    assert event.changes["status"] == ["left", "active"]
    assert event.changes["team"] == [org.a1.pk, org.a2.pk]
    audit = AuditEvent.objects.get(action="employee.rehire")
    assert result.one_time_password not in json.dumps(audit.changes)


@pytest.mark.parametrize(
    ("days_after_leaving", "accepted"),
    [(-1, False), (0, False), (1, True)],
)
def test_a_rehire_is_dated_after_the_leaving_day(org, days_after_leaving, accepted):
    """GEN-2 boundary: the hire date must be after the leaving date."""
    left_on = timezone.localdate() - datetime.timedelta(days=10)
    services.employee_deactivate(actor=org.hr.user, employee_id=org.agent.pk, left_on=left_on)
    hire_date = (left_on + datetime.timedelta(days=days_after_leaving)).isoformat()
    if accepted:
        assert _hire(org, employee_no=org.agent.employee_no, hire_date=hire_date).rehired
    else:
        with pytest.raises(ApplicationError) as exc:
            _hire(org, employee_no=org.agent.employee_no, hire_date=hire_date)
        assert exc.value.code == "invalid_date"
        assert Employee.objects.get(pk=org.agent.pk).status == "left"


def test_the_number_of_an_employed_person_is_refused(org):
    with pytest.raises(ApplicationError) as exc:
        _hire(org, employee_no=org.peer.employee_no)
    assert exc.value.code == "employee_no_taken"
    assert not EmploymentEvent.objects.exists()


def test_hr_cannot_hire_over_their_own_record(org):
    """SEC-2: HR posting their own employee number is refused as own_record, nothing written."""
    events = AuditEvent.objects.count()
    with pytest.raises(PermissionDeniedError) as exc:
        _hire(org, employee_no=org.hr.employee_no)
    assert exc.value.code == "own_record" and AuditEvent.objects.count() == events
    response = _client(org.hr.user).post(
        reverse("api:callcenter:hire"), _api_body(org, employee_no=org.hr.employee_no), content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "own_record"


# --- Role matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLES)
def test_only_hr_opens_the_hire_and_import_pages_and_endpoints(org, who):
    """GEN-1: HR hires; a supervisor, manager, leader, agent, handler or auditor cannot (403),
    by page or API, and nothing is written."""
    client = _client(getattr(org, who).user)
    expected = 200 if who == "hr" else 403
    assert client.get(reverse("callcenter:hire")).status_code == expected
    assert client.get(reverse("callcenter:staff_import")).status_code == expected
    posted = client.post(reverse("callcenter:hire"), _form(org))
    api = client.post(reverse("api:callcenter:hire"), _api_body(org), content_type="application/json")
    if who == "hr":
        assert posted.status_code == 200 and api.status_code == 400  # the second hire: number taken
        assert api.json()["code"] == "employee_no_taken"
    else:
        assert posted.status_code == 403 and api.status_code == 403
        assert not Employee.objects.filter(employee_no="E90001").exists()


def test_anonymous_is_sent_to_login_and_the_api_answers_401(org):
    client = Client()
    assert client.get(reverse("callcenter:hire")).status_code == 302
    assert client.post(reverse("api:callcenter:hire"), {}, content_type="application/json").status_code in (401, 403)


def test_an_hr_assistant_hires_only_into_their_departments(org):
    """HR remit: an HR assistant limited to department B cannot hire into department A."""
    user = f.UserFactory(username="hr2", roles=[Role.HR])
    assistant = f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b)
    f.access_grant(
        grantee=assistant.user,
        obj=org.dept_b,
        kind="department",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=30),
        granted_by=org.hr.user,
    )
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        _hire(org, actor=assistant)
    assert "outside your HR remit" in str(exc.value.message)
    assert _hire(org, actor=assistant, department=org.dept_b.pk, team=org.b1.pk).employee.department == org.dept_b


def test_the_menu_offers_hiring_to_hr_only(org):
    hr_page = _client(org.hr.user).get(reverse("callcenter:dashboard")).content.decode()
    supervisor_page = _client(org.supervisor.user).get(reverse("callcenter:dashboard")).content.decode()
    assert reverse("callcenter:hire") in hr_page and reverse("callcenter:staff_import") in hr_page
    assert reverse("callcenter:hire") not in supervisor_page


# --- The API --------------------------------------------------------------------------------------


def test_api_hire_returns_the_one_time_password_once_and_ignores_extra_fields(org):
    """Mass assignment: status, is_superuser, user_id, left_on in the body are ignored."""
    body = _api_body(org, status="left", left_on="2020-01-01", is_superuser=True, user_id=org.hr.user_id, id=1)
    response = _client(org.hr.user).post(reverse("api:callcenter:hire"), body, content_type="application/json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["Cache-Control"] == "no-store"
    assert data["username"] == "E90001" and not data["rehired"] and data["onboarding"] == []
    employee = Employee.objects.select_related("user").get(pk=data["id"])
    assert employee.status == "active" and employee.left_on is None
    assert not employee.user.is_superuser and employee.user_id != org.hr.user_id
    assert employee.user.check_password(data["one_time_password"])


# --- Bad input: a clear message, nothing written --------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"employee_no": "E 1"}, "employee_no"),
        ({"employee_no": "E" * 21}, "employee_no"),
        ({"team": "a2"}, "team"),  # replaced by team of another department below
        ({"first_employed_on": "2099-01-01"}, "first_employed_on"),
        ({"hire_date": "9999-12-31"}, "hire_date"),
        ({"monthly_base_pay": "-1"}, "monthly_base_pay"),
        ({"bonus_base": "100000000.00"}, "bonus_base"),
        ({"email": "not-an-address"}, "email"),
        ({"mobile": "call me"}, "mobile"),
        ({"roles": ["boss"]}, "roles"),
        ({"roles": [Role.SECURITY_AUDITOR]}, "roles"),
        ({"department": 999999}, "department"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(org, overrides, field):
    if overrides.get("team") == "a2":
        overrides = {"department": org.dept_b.pk, "team": org.a1.pk}
        field = "team"
    client = _client(org.hr.user)
    events = AuditEvent.objects.count()
    response = client.post(reverse("callcenter:hire"), _form(org, **overrides))
    assert response.status_code == 400
    assert response.context["form"].errors, field
    assert field in response.context["form"].errors or response.context["form"].non_field_errors()
    assert not Employee.objects.filter(employee_no="E90001").exists() and AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    "overrides",
    [
        {"hire_date": "9999-12-31"},
        {"department_id": "99999999999999999999999"},
        {"team_id": 0},
        {"team_id": 999999},
        {"monthly_base_pay": "abc"},
        {"roles": "agent"},
        {"roles": [Role.SECURITY_AUDITOR]},
        {"first_employed_on": "2099-01-01"},
        {"name": "x" * 101},
    ],
)
def test_api_bad_input_is_a_400_never_a_500(org, overrides):
    response = _client(org.hr.user).post(
        reverse("api:callcenter:hire"), _api_body(org, **overrides), content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not Employee.objects.filter(employee_no="E90001").exists()


def test_the_hire_page_reads_in_a_bounded_number_of_queries(org, django_assert_max_num_queries):
    for _n in range(20):
        f.TeamFactory(department=org.dept_b, supervisor=org.hr)
    client = _client(org.hr.user)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("callcenter:hire")).status_code == 200


# --- Onboarding items (registered by the modules that own them) -----------------------------------


def test_onboarding_items_show_only_when_a_module_registers_them(org):
    """Nothing registers today: no card. A registered item (the code of conduct, say) shows on
    the hire result and on the employee's page, with its article and whether it is done."""
    client = _client(org.hr.user)
    response = client.post(reverse("callcenter:hire"), _form(org))
    assert 'id="onboarding-items"' not in response.content.decode()
    providers.onboarding_item_register(
        providers.OnboardingItem(
            key="coc", label="Acknowledge the code of conduct", article="COC-1", done=lambda employee: False
        )
    )
    try:
        response = client.post(reverse("callcenter:hire"), _form(org, employee_no="E90002"))
        page = response.content.decode()
        assert 'id="onboarding-coc"' in page and "COC-1" in page
        employee = Employee.objects.get(employee_no="E90002")
        detail = client.get(reverse("callcenter:employee_detail", args=[employee.pk])).content.decode()
        assert "Acknowledge the code of conduct" in detail
    finally:
        providers.onboarding_item_register(None, key="coc")


# --- Concurrency: two HR users at once record one ------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_hr_users_hiring_the_same_number_at_once_hire_one(org):
    """Given two HR users hiring E90001 at the same moment on separate connections, then one
    hire is made and the other refused (employee_no_taken): one record, one login, one event."""
    colleague = f.EmployeeFactory(user=f.UserFactory(username="hr2", roles=[Role.HR]), team=org.b1)
    outcomes = run_parallel([lambda: _hire(org), lambda: _hire(org, actor=colleague)])
    assert outcomes == ["employee_no_taken", "ok"]
    assert Employee.objects.filter(employee_no="E90001").count() == 1
    assert User.objects.filter(username="E90001").count() == 1
    assert EmploymentEvent.objects.filter(kind="hire").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_rehires_of_the_same_leaver_at_once_record_one(org):
    services.employee_deactivate(
        actor=org.hr.user, employee_id=org.agent.pk, left_on=timezone.localdate() - datetime.timedelta(days=5)
    )
    colleague = f.EmployeeFactory(user=f.UserFactory(username="hr2", roles=[Role.HR]), team=org.b1)
    number = org.agent.employee_no
    outcomes = run_parallel(
        [lambda: _hire(org, employee_no=number), lambda: _hire(org, actor=colleague, employee_no=number)]
    )
    assert outcomes == ["employee_no_taken", "ok"]
    assert EmploymentEvent.objects.filter(employee=org.agent, kind="rehire").count() == 1


@pytest.mark.parametrize(
    ("first_employed_on", "accepted"),
    [("1996-03-01", True), ("1950-01-01", True), ("1949-12-31", False)],
)
def test_lv3_a_long_career_starts_before_2000_on_the_page_and_the_api(org, first_employed_on, accepted):
    """LV-3 counts cumulative working years from the date first employed: a long-serving hire's
    goes back before 2000 (to 1950); earlier is refused with the range, nothing written."""
    page = _client(org.hr.user).post(reverse("callcenter:hire"), _form(org, first_employed_on=first_employed_on))
    api = _client(org.hr.user).post(
        reverse("api:callcenter:hire"),
        _api_body(org, employee_no="E90002", first_employed_on=first_employed_on),
        content_type="application/json",
    )
    hired = set(
        Employee.objects.filter(employee_no__in=["E90001", "E90002"]).values_list("first_employed_on", flat=True)
    )
    if accepted:
        assert page.status_code == 200 and api.status_code == 201, (page.status_code, api.content[:500])
        assert hired == {datetime.date.fromisoformat(first_employed_on)}
    else:
        assert "between 1950-01-01 and 2099-12-31" in page.content.decode()
        assert api.status_code == 400 and "first_employed_on" in api.content.decode()
        assert hired == set()


def test_a_new_hire_is_found_in_the_directory_by_pinyin_initials(org):
    """GEN-1: someone just hired (or imported) is found at once in the directory by the initials
    of their name (孙悦 ← "sy"): the hire writes the search key the directory reads."""
    _client(org.hr.user).post(reverse("callcenter:hire"), _form(org))
    employee = Employee.objects.get(employee_no="E90001")
    assert employee.name_initials == "sy"
    page = _client(org.hr.user).get(reverse("callcenter:employee_list"), {"q": "sy"})
    assert "E90001" in page.content.decode()
