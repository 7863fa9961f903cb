"""Pages of transfers and changes (issue 13, GEN-2): HR's transfer and pay change forms from the
employee page, the cancel button of a scheduled change, and the employment timeline (a page, and
its fragment in the employee page). Thin: parse, call one service or selector, render."""

from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter import selectors, services
from callcenter.duties import is_own_record
from callcenter.forms import EmploymentEventCancelForm, PayChangeForm, TransferForm
from callcenter.pages import action_run, form_status, form_submit, paginate, redirect_back
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role, has_role

HISTORY_PAGE_SIZE = 10


def _applied_or_scheduled(event) -> str:
    if event.status == "scheduled":
        return _("Scheduled for %(date)s: it applies on that day.") % {"date": event.effective_on.isoformat()}
    return _("Recorded and applied.")


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def employee_transfer(request, pk: int):
    user = request.user
    employee = selectors.employee_get(user=user, pk=pk)
    form = TransferForm(
        request.POST or None,
        initial={
            "department": employee.department_id,
            "team": employee.team_id,
            "position": employee.position_id,
            "effective_on": timezone.localdate(),
        },
        departments=selectors.transfer_department_choices(user=user),
        teams=selectors.transfer_team_choices(user=user),
        positions=selectors.position_list(),
    )
    if form_submit(
        request,
        form,
        lambda data: services.employee_transfer(actor=user, employee_id=employee.pk, **form.service_arguments()),
        success=_applied_or_scheduled,
    ):
        return redirect("callcenter:employee_detail", employee.pk)
    return render(
        request,
        "callcenter/changes/transfer.html",
        {
            "employee": employee,
            "form": form,
            "chain": selectors.approval_chain(employee),
            "is_own": _own(user, employee),
        },
        status=form_status(form),
    )


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def employee_pay_change(request, pk: int):
    user = request.user
    employee = selectors.employee_get(user=user, pk=pk)
    form = PayChangeForm(
        request.POST or None,
        initial={
            "monthly_base_pay": employee.monthly_base_pay,
            "bonus_base": employee.bonus_base,
            "effective_on": timezone.localdate(),
        },
    )
    if form_submit(
        request,
        form,
        lambda data: services.employee_pay_change(actor=user, employee_id=employee.pk, **form.service_arguments()),
        success=_applied_or_scheduled,
    ):
        return redirect("callcenter:employee_detail", employee.pk)
    return render(
        request,
        "callcenter/changes/pay.html",
        {"employee": employee, "form": form, "is_own": _own(user, employee)},
        status=form_status(form),
    )


@role_required(Role.HR)
@require_POST
def employment_event_cancel(request, pk: int):
    form = EmploymentEventCancelForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    action_run(
        request,
        lambda: services.employment_event_cancel(actor=request.user, event_id=pk, reason=reason),
        success=_("The scheduled change has been cancelled."),
    )
    return redirect_back(request, "callcenter:employee_list")


@login_only
@vary_on_headers("HX-Request")
def employee_history(request, pk: int):
    user = request.user
    employee, events, pay_visible = selectors.employment_timeline(user=user, employee_id=pk)
    page = paginate(request, events, HISTORY_PAGE_SIZE)
    template = "callcenter/changes/history.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#timeline"
    return render(
        request,
        template,
        {
            "employee": employee,
            "page_obj": page,
            "rows": selectors.employment_events_describe(page.object_list, pay_visible=pay_visible),
            "pay_visible": pay_visible,
            "can_manage": has_role(user, Role.HR) and not _own(user, employee),
        },
    )


def _own(user, employee) -> bool:
    return is_own_record(actor=user, employee_id=employee.pk)


urlpatterns = [
    path("employees/<int:pk>/transfer/", employee_transfer, name="employee_transfer"),
    path("employees/<int:pk>/pay/", employee_pay_change, name="employee_pay_change"),
    path("employees/<int:pk>/history/", employee_history, name="employee_history"),
    path("employment-events/<int:pk>/cancel/", employment_event_cancel, name="employment_event_cancel"),
]
