"""Pages of the org: the directory (the employees of one's remit), the org chart, and the org
editors' pages for departments, teams and positions (issue 13). Thin: parse, call one selector or
service, render."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from callcenter import selectors, services
from callcenter.exports import file_response
from callcenter.forms import DepartmentForm, EmployeeFilterForm, PositionForm, TeamForm
from callcenter.pages import form_status, form_submit, paginate
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role
from callcenter.selectors import employee_of

PAGE_SIZE = 25


def _filter_form(request):
    user = request.user
    return EmployeeFilterForm(
        request.GET or None,
        departments=selectors.department_choices(user=user),
        teams=selectors.team_choices(user=user),
        positions=selectors.position_list(),
    )


@login_only
@vary_on_headers("HX-Request")
def employee_list(request):
    """The directory: search by name (Chinese or pinyin initials), number; filters; export."""
    user = request.user
    form = _filter_form(request)
    employees = selectors.directory_list(user=user, filters=form.filters() if form.is_bound else None)
    page = paginate(request, employees, PAGE_SIZE)
    template = "callcenter/org/employee_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#employee-table"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {
            "form": form,
            "page_obj": page,
            "show_pay": selectors.directory_shows_pay(user),
            "export_query": query.urlencode(),
        },
    )


@login_only
@require_GET
def employee_export(request, fmt: str):
    """The directory as CSV or XLSX, with the page's filters (audited)."""
    form = _filter_form(request)
    export = services.directory_export(actor=request.user, filters=form.filters() if form.is_bound else None, fmt=fmt)
    return file_response(export)


@login_only
def employee_detail(request, pk: int):
    employee = selectors.employee_get(user=request.user, pk=pk)
    # GEN-2: "left on … (reason)", the exit checklist, and HR's way to set a leaving.
    exit_checklist = selectors.exit_checklist_of(employee=employee)
    owner_roles = selectors.exit_owner_roles(user=request.user, employee=employee)
    return render(
        request,
        "callcenter/org/employee_detail.html",
        {
            "employee": employee,
            "chain": selectors.approval_chain(employee),
            "is_me": employee == employee_of(request.user),
            # Pay: HR and the employee only (issue 13), never their supervisor or manager.
            "pay_visible": selectors.employee_pay_visible(user=request.user, employee=employee),
            "onboarding": selectors.onboarding_item_list(employee=employee),
            "exit_checklist": exit_checklist,
            "can_set_leaving": "hr" in owner_roles and employee.is_active and exit_checklist is None,
        },
    )


@login_only
@require_GET
def org_chart(request):
    """Departments → teams → supervisor and headcount, with the members the reader may see."""
    return render(
        request,
        "callcenter/org/chart.html",
        {
            "chart": selectors.org_chart(user=request.user),
            "reads_all": selectors.org_chart_reads_all(request.user),
            "can_edit": selectors.org_editor(request.user),
            "nav_active": "org_chart",
        },
    )


# --- The org editors' pages (company HR and administrators) ----------------------------------------


def _editor(request):
    """Company HR and superusers: an HR assistant limited to departments does not edit the org."""
    if not selectors.org_editor(request.user):
        raise PermissionDenied
    return request.user


@role_required(Role.HR)
@require_GET
def org_manage(request):
    _editor(request)
    return render(
        request,
        "callcenter/org/manage.html",
        {
            "departments": selectors.org_department_records(),
            "teams": selectors.org_team_records(),
            "positions": selectors.position_list(),
            "nav_active": "org_manage",
        },
    )


def _employee_choices(user):
    return selectors.employee_choices(user=user).select_related(None).only("pk", "name", "employee_no")


def _department_form(request, department):
    initial = {}
    if department is not None:
        initial = {
            "code": department.code,
            "name": department.name,
            "parent": department.parent_id,
            "manager": department.manager_id,
            "leader_in_charge": department.leader_in_charge_id,
        }
    return DepartmentForm(
        request.POST or None,
        initial=initial,
        departments=selectors.department_choices(user=request.user),
        employees=_employee_choices(request.user),
    )


def _team_form(request, team):
    initial = {}
    if team is not None:
        initial = {
            "code": team.code,
            "name": team.name,
            "department": team.department_id,
            "supervisor": team.supervisor_id,
            "confirm_no_supervisor": team.supervisor_id is None,
        }
    return TeamForm(
        request.POST or None,
        initial=initial,
        departments=selectors.department_choices(user=request.user),
        employees=_employee_choices(request.user),
    )


def _position_form(request, position):
    initial = {}
    if position is not None:
        initial = {"code": position.code, "name": position.name, "description": position.description}
    return PositionForm(request.POST or None, initial=initial)


_KINDS = {
    "department": (
        selectors.org_department_get,
        _department_form,
        lambda actor, pk, form: services.department_save(actor=actor, department_id=pk, **form.service_kwargs()),
    ),
    "team": (
        selectors.org_team_get,
        _team_form,
        lambda actor, pk, form: services.team_save(actor=actor, team_id=pk, **form.service_kwargs()),
    ),
    "position": (
        selectors.org_position_get,
        _position_form,
        lambda actor, pk, form: services.position_save(actor=actor, position_id=pk, **form.service_kwargs()),
    ),
}


def _record_page(request, kind: str, pk: int | None):
    actor = _editor(request)
    get, make_form, save = _KINDS[kind]
    record = get(pk=pk) if pk is not None else None
    form = make_form(request, record)
    if form_submit(
        request,
        form,
        lambda data: save(actor, pk, form),
        success=lambda saved: _("%(code)s %(name)s saved.") % {"code": saved.code, "name": saved.name},
    ):
        return redirect("callcenter:org_manage")
    return render(
        request,
        "callcenter/org/record_form.html",
        {"form": form, "kind": kind, "record": record, "nav_active": "org_manage"},
        status=form_status(form),
    )


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def department_new(request):
    return _record_page(request, "department", None)


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def department_edit(request, pk: int):
    return _record_page(request, "department", pk)


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def team_new(request):
    return _record_page(request, "team", None)


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def team_edit(request, pk: int):
    return _record_page(request, "team", pk)


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def position_new(request):
    return _record_page(request, "position", None)


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def position_edit(request, pk: int):
    return _record_page(request, "position", pk)


urlpatterns = [
    path("employees/", employee_list, name="employee_list"),
    path("employees/export/<str:fmt>/", employee_export, name="employee_export"),
    path("employees/<int:pk>/", employee_detail, name="employee_detail"),
    path("org/", org_chart, name="org_chart"),
    path("org/manage/", org_manage, name="org_manage"),
    path("org/departments/new/", department_new, name="department_new"),
    path("org/departments/<int:pk>/", department_edit, name="department_edit"),
    path("org/teams/new/", team_new, name="team_new"),
    path("org/teams/<int:pk>/", team_edit, name="team_edit"),
    path("org/positions/new/", position_new, name="position_new"),
    path("org/positions/<int:pk>/", position_edit, name="position_edit"),
]
