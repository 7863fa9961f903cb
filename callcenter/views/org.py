"""Pages of the org: the employees of one's remit."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.vary import vary_on_headers

from callcenter import selectors
from callcenter.forms import EmployeeFilterForm
from callcenter.pages import paginate
from callcenter.permissions import login_only
from callcenter.selectors import employee_of


@login_only
@vary_on_headers("HX-Request")
def employee_list(request):
    user = request.user
    form = EmployeeFilterForm(
        request.GET or None,
        departments=selectors.department_choices(user=user),
        teams=selectors.team_choices(user=user),
    )
    employees = selectors.employee_list(user=user, filters=form.filters() if form.is_bound else None)
    page = paginate(request, employees, 25)
    template = "callcenter/org/employee_list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#employee-table"
    return render(request, template, {"form": form, "page_obj": page})


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
            "exit_checklist": exit_checklist,
            "can_set_leaving": "hr" in owner_roles and employee.is_active and exit_checklist is None,
        },
    )


urlpatterns = [
    path("employees/", employee_list, name="employee_list"),
    path("employees/<int:pk>/", employee_detail, name="employee_detail"),
]
