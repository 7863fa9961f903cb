"""Attendance pages about the computed days: my month, the team's monthly summary (ATT-4, ATT-5),
the month's verification (ATT-2) and the summary export."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance import selectors, services
from attendance.rules import days_figure, explain
from callcenter import inputs
from callcenter.exports import file_response
from callcenter.pages import action_run, paginate
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role
from callcenter.selectors import employee_of

SUMMARY_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)
SUMMARY_PAGE_SIZE = 50


def _last_month() -> datetime.date:
    return timezone.localdate().replace(day=1) - datetime.timedelta(days=1)


def _neighbours(month: datetime.date) -> dict:
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return {"month": month, "previous_month": previous, "next_month": following}


def _month_context(summary, month: datetime.date) -> dict:
    return {
        "summary": summary,
        "lines": [
            {"line": line, "text": explain({"rule": line.rule, **line.detail}), "days": days_figure(line.absence_days)}
            for line in summary.result.lines
        ],
        "days": [{"day": day, "texts": [explain(item) for item in day.explanation]} for day in summary.days],
        **_neighbours(month),
    }


@login_only
def my_month(request):
    me = employee_of(request.user)
    if me is None:
        return render(request, "attendance/daily/month.html", {"no_employee": True})
    month = inputs.query_month(request, timezone.localdate())
    summary = selectors.monthly_summary(user=request.user, employee_id=me.pk, month=month)
    return render(request, "attendance/daily/month.html", _month_context(summary, month))


@role_required(*SUMMARY_ROLES)
def summary(request):
    user = request.user
    month = inputs.query_month(request, _last_month())
    teams = list(selectors.summary_teams(user=user))
    team_id = inputs.safe_id(request.GET.get("team"))
    team = next((t for t in teams if t.pk == team_id), None)
    page = paginate(
        request, selectors.summary_employees(user=user, team_id=team.pk if team else None), SUMMARY_PAGE_SIZE
    )
    rows = selectors.monthly_summary_list(user=user, month=month, employees=list(page.object_list))
    verified = rows[0].verified if rows and team else None
    context = {
        "rows": rows,
        "page_obj": page,
        "teams": teams,
        "team": team,
        "can_verify": verified is None and selectors.month_verify_allowed(user=user, team_id=team_id if team else None),
        "verified": verified,
        **_neighbours(month),
    }
    return render(request, "attendance/daily/summary.html", context)


@role_required(*SUMMARY_ROLES)
def employee_month(request, employee_id: int):
    month = inputs.query_month(request, timezone.localdate())
    summary_ = selectors.monthly_summary(user=request.user, employee_id=employee_id, month=month)
    return render(request, "attendance/daily/month.html", _month_context(summary_, month))


@role_required(Role.SUPERVISOR)
@require_POST
def month_verify(request):
    month = inputs.safe_month(request.POST.get("month"))
    team_id = inputs.safe_id(request.POST.get("team"))
    if month is None:
        messages.error(request, _("Choose a month to verify."))
        return redirect("attendance:summary")
    action_run(
        request,
        lambda: services.month_verify(actor=request.user, team_id=team_id, month=month),
        success=_("The month has been verified and is now locked (ATT-2)."),
    )
    return redirect(f"{reverse('attendance:summary')}?team={team_id}&month={month:%Y-%m}")


@role_required(*SUMMARY_ROLES)
def summary_export(request, fmt: str):
    month = inputs.safe_month(request.GET.get("month")) or _last_month().replace(day=1)
    team_id = inputs.safe_id(request.GET.get("team"))
    export = services.monthly_summary_export(actor=request.user, month=month, team_id=team_id, fmt=fmt)
    return file_response(export)


urlpatterns = [
    path("me/", my_month, name="my_month"),
    path("summary/", summary, name="summary"),
    path("summary/<int:employee_id>/", employee_month, name="employee_month"),
    path("summary/export.<str:fmt>", summary_export, name="summary_export"),
    path("verify/", month_verify, name="month_verify"),
]
