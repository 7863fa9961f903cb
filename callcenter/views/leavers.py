"""Pages of leavers (GEN-2, COC-8): the upcoming leavers, setting a leaving, the exit checklist
(tick, untick, hand customer work over, cancel). Thin: parse, call one service, render."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from callcenter import selectors, services
from callcenter.forms import ExitChecklistFilterForm, ExitHandOverForm, ExitItemTickForm, LeaveScheduleForm
from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role

PAGE_SIZE = 25
LEAVER_READERS = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)


@role_required(*LEAVER_READERS)
def leaver_list(request):
    filters = ExitChecklistFilterForm(request.GET or None)
    checklists = selectors.exit_checklist_list(user=request.user, filters=filters.filters())
    return render(
        request,
        "callcenter/leavers/list.html",
        {"filter_form": filters, "page_obj": paginate(request, checklists, PAGE_SIZE), "nav_active": "leavers"},
    )


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def leave_schedule(request, pk: int):
    employee = selectors.employee_get(user=request.user, pk=pk)
    form = LeaveScheduleForm(request.POST or None)
    if form_submit(
        request,
        form,
        lambda data: services.employee_leave_schedule(actor=request.user, employee_id=employee.pk, **data),
        success=lambda checklist: (
            _("%(name)s's last working day is set; the exit checklist is open.") % {"name": checklist.employee.name}
        ),
    ):
        return redirect("callcenter:exit_checklist", form.result.pk)
    return render(
        request,
        "callcenter/leavers/schedule.html",
        {"employee": employee, "form": form, "nav_active": "leavers"},
        status=form_status(form),
    )


@login_only
def exit_checklist(request, pk: int):
    checklist = selectors.exit_checklist_get(user=request.user, pk=pk)
    owner_roles = selectors.exit_owner_roles(user=request.user, employee=checklist.employee)
    can_hand_over = "supervisor" in owner_roles and checklist.status != "cancelled"
    return render(
        request,
        "callcenter/leavers/checklist.html",
        {
            "checklist": checklist,
            "items": list(checklist.items.all()),
            "owner_roles": owner_roles,
            "hand_over": selectors.exit_checklist_hand_over(checklist=checklist) if can_hand_over else [],
            "can_hand_over": can_hand_over,
            "final_month_verified": selectors.exit_final_month_verified(checklist=checklist),
            "tick_form": ExitItemTickForm(),
            "nav_active": "leavers",
        },
    )


@login_only
@require_POST
def exit_item_tick(request, pk: int, item_id: int):
    form = ExitItemTickForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long (at most 500 characters)."))
        return redirect("callcenter:exit_checklist", pk)
    action_run(
        request,
        lambda: services.exit_item_tick(actor=request.user, item_id=item_id, note=form.cleaned_data["note"]),
        success=_("Item ticked."),
    )
    return redirect("callcenter:exit_checklist", pk)


@login_only
@require_POST
def exit_item_untick(request, pk: int, item_id: int):
    action_run(
        request,
        lambda: services.exit_item_untick(actor=request.user, item_id=item_id),
        success=_("Item unticked."),
    )
    return redirect("callcenter:exit_checklist", pk)


@login_only
@require_POST
def exit_hand_over(request, pk: int):
    form = ExitHandOverForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        action_run(
            request,
            lambda: services.exit_hand_over(
                actor=request.user, checklist_id=pk, provider=data["provider"], to_employee_id=data["colleague"]
            ),
            success=lambda moved: _("%(count)s records handed over (COC-8).") % {"count": moved},
        )
    else:
        messages.error(request, _("Choose the colleague who takes the customer work over (COC-8)."))
    return redirect("callcenter:exit_checklist", pk)


@role_required(Role.HR)
@require_POST
def leave_cancel(request, pk: int):
    action_run(
        request,
        lambda: services.employee_leave_cancel(actor=request.user, checklist_id=pk),
        success=_("The leaving is cancelled; the employee stays."),
    )
    return redirect("callcenter:exit_checklist", pk)


urlpatterns = [
    path("leavers/", leaver_list, name="leaver_list"),
    path("employees/<int:pk>/leave/", leave_schedule, name="leave_schedule"),
    path("leavers/<int:pk>/", exit_checklist, name="exit_checklist"),
    path("leavers/<int:pk>/items/<int:item_id>/tick/", exit_item_tick, name="exit_item_tick"),
    path("leavers/<int:pk>/items/<int:item_id>/untick/", exit_item_untick, name="exit_item_untick"),
    path("leavers/<int:pk>/hand-over/", exit_hand_over, name="exit_hand_over"),
    path("leavers/<int:pk>/cancel/", leave_cancel, name="leave_cancel"),
]
