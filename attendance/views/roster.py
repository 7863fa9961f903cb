"""Attendance pages: roster and shift types (ATT-1). Thin: parse, check, call, render."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from attendance import selectors, services
from attendance.forms import RosterAssignForm, RosterCellForm, ShiftTypeForm
from callcenter import inputs
from callcenter.pages import action_run, form_status, form_submit
from callcenter.permissions import role_required
from callcenter.roles import Role, has_role

ROSTER_VIEW_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)
# The grid's narrow weekday under each day's number, so a whole month fits 1366 px (Monday first).
WEEKDAY_NARROW = [
    pgettext_lazy("roster weekday, narrow", "Mo"),
    pgettext_lazy("roster weekday, narrow", "Tu"),
    pgettext_lazy("roster weekday, narrow", "We"),
    pgettext_lazy("roster weekday, narrow", "Th"),
    pgettext_lazy("roster weekday, narrow", "Fr"),
    pgettext_lazy("roster weekday, narrow", "Sa"),
    pgettext_lazy("roster weekday, narrow", "Su"),
]


def _month_end(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def _roster_context(request, *, team_pk, month: datetime.date, form=None) -> dict:
    user = request.user
    teams = list(selectors.roster_team_list(user=user))
    team = None
    if team_pk:
        team = next((t for t in teams if str(t.pk) == str(team_pk)), None)
        if team is None:
            raise Http404(_("Team not found."))
    elif teams:
        team = teams[0]
    context = {
        "teams": teams,
        "team": team,
        "month": month,
        "prev_month": (month - datetime.timedelta(days=1)).replace(day=1),
        "next_month": _month_end(month) + datetime.timedelta(days=1),
        "grid": None,
        "can_assign": has_role(user, *services.ROSTER_WRITE_ROLES),
    }
    if team is None:
        return context
    grid = selectors.roster_grid(user=user, team=team, date_from=month, date_to=_month_end(month))
    locked = set(grid["locked_months"])
    # The cells with their day, editable one by one by those who may roster, outside locked months.
    for row in grid["rows"]:
        row["slots"] = [
            {"day": day, "entry": entry, "editable": context["can_assign"] and day.date.replace(day=1) not in locked}
            for day, entry in zip(grid["days"], row["cells"], strict=True)
        ]
    grid["headers"] = [{"day": day, "weekday": WEEKDAY_NARROW[day.date.weekday()]} for day in grid["days"]]
    context["grid"] = grid
    if context["can_assign"]:
        members = selectors.roster_grid_employees(user=user, team=team)
        if form is None:
            # ATT-1: the pattern offers the team's usual shift (else the default one) Monday to
            # Friday and rest at the weekend, instead of seven rest days to change one by one.
            usual = selectors.roster_usual_shift(team=team, default_code=services.ROSTER_DEFAULT_SHIFT)
            weekdays = {f"weekday_{weekday}": usual.pk for weekday in range(5)} if usual else {}
            form = RosterAssignForm(
                members=members,
                shifts=selectors.shift_type_list(),
                initial={"team": team.pk, "date_from": month, "date_to": _month_end(month), **weekdays},
            )
        context["form"] = form
    return context


@role_required(*ROSTER_VIEW_ROLES)
@vary_on_headers("HX-Request")
def roster(request):
    month = inputs.query_month(request, timezone.localdate())
    context = _roster_context(request, team_pk=request.GET.get("team"), month=month)
    template = "attendance/roster/roster.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#roster-grid"
    return render(request, template, context)


def _assigned(result: dict) -> str:
    return _(
        "Roster saved: %(created)d new, %(updated)d replaced, %(kept)d existing entries kept "
        "(%(holidays)d holiday days, %(makeup)d make-up workdays)."
    ) % {
        "created": result["created"],
        "updated": result["updated"],
        "kept": result["kept"],
        "holidays": result["holidays"],
        "makeup": result["makeup_days"],
    }


@role_required(*services.ROSTER_WRITE_ROLES)
@require_POST
def roster_assign(request):
    month = inputs.query_month(request, timezone.localdate(), data=request.POST)
    team_pk = inputs.safe_id(request.POST.get("team"))
    if team_pk is None:
        raise Http404(_("Team not found."))
    team = selectors.roster_team_get(user=request.user, pk=team_pk)
    form = RosterAssignForm(
        request.POST,
        members=selectors.roster_grid_employees(user=request.user, team=team),
        shifts=selectors.shift_type_list(),
    )
    if form_submit(
        request,
        form,
        lambda data: services.roster_assign(
            actor=request.user,
            employee_ids=form.chosen_employee_ids(),
            date_from=data["date_from"],
            date_to=data["date_to"],
            pattern=form.pattern(),
            overwrite=data["overwrite"],
        ),
        success=_assigned,
    ):
        query = urlencode({"team": team.pk, "month": form.cleaned_data["date_from"].strftime("%Y-%m")})
        return redirect(f"{reverse('attendance:roster')}?{query}")
    context = _roster_context(request, team_pk=team.pk, month=month, form=form)
    return render(request, "attendance/roster/roster.html", context, status=400)


def _cell_context(request, *, employee_id: int, work_date: datetime.date) -> dict:
    cell = selectors.roster_cell_get(user=request.user, employee_id=employee_id, work_date=work_date)
    cell["editable"] = not cell["locked"]
    return {"slot": cell, "employee": cell["employee"], "shifts": selectors.shift_type_list()}


@role_required(*services.ROSTER_WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def roster_cell(request, employee_id: int, day: str):
    """One cell of the grid (ATT-1), through htmx: GET ``?edit=1`` gives its editor, GET the cell,
    POST saves it (``roster_entry_set``: remit, locks, audit) and answers the updated cell with
    the message out of band. Without htmx the POST goes back to the grid."""
    work_date = inputs.safe_date(day)
    if work_date is None:
        raise Http404(_("Day not found."))
    editing = request.method == "GET" and request.GET.get("edit") == "1"
    if request.method == "POST":
        form = RosterCellForm(request.POST, shifts=selectors.shift_type_list())
        saved = form.is_valid() and action_run(
            request,
            lambda: services.roster_entry_set(
                actor=request.user, employee_id=employee_id, work_date=work_date, **form.entry_arguments()
            ),
            success=lambda entry: _("Roster of %(date)s saved.") % {"date": entry.work_date.isoformat()},
        )
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        if not request.htmx:
            cell = selectors.roster_cell_get(user=request.user, employee_id=employee_id, work_date=work_date)
            query = urlencode({"team": cell["employee"].team_id or "", "month": work_date.strftime("%Y-%m")})
            return redirect(f"{reverse('attendance:roster')}?{query}")
        editing = not saved
    context = _cell_context(request, employee_id=employee_id, work_date=work_date)
    context["editing"] = editing
    return render(request, "attendance/roster/roster.html#roster-cell-response", context)


@role_required(*services.SHIFT_TYPE_WRITE_ROLES)
@require_http_methods(["GET", "POST"])
def shift_types(request):
    form = ShiftTypeForm(request.POST or None)
    if form_submit(
        request,
        form,
        lambda data: services.shift_type_create(actor=request.user, **data),
        success=lambda shift: _("Shift type %(code)s saved.") % {"code": shift.code},
    ):
        return redirect("attendance:shift_types")
    return render(
        request,
        "attendance/roster/shift_types.html",
        {"form": form, "shift_types": selectors.shift_type_list(filters={"include_inactive": True})},
        status=form_status(form),
    )


urlpatterns = [
    path("roster/", roster, name="roster"),
    path("roster/assign/", roster_assign, name="roster_assign"),
    path("roster/cell/<int:employee_id>/<str:day>/", roster_cell, name="roster_cell"),
    path("shifts/", shift_types, name="shift_types"),
]
