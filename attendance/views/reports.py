"""Attendance pages: my month, the team's monthly summary (ATT-4/5), verification, exports."""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attendance import selectors, services
from attendance.rules import explain
from callcenter.errors import ApplicationError
from callcenter.exports import csv_file, file_response, xlsx_file
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role
from callcenter.selectors import employee_of, team_list
from datasecurity.services import audit_record

SUMMARY_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)


def _month(request, default: datetime.date) -> datetime.date:
    """``?month=YYYY-MM``; anything else falls back to ``default`` (never a 500)."""
    return _parse_month(request.GET.get("month"), default.replace(day=1))


def _neighbours(month: datetime.date) -> dict:
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    return {"month": month, "previous_month": previous, "next_month": following}


def _lines(summary):
    return [{"line": line, "text": explain({"rule": line.rule, **line.detail})} for line in summary.result.lines]


def _days(summary):
    return [{"day": day, "texts": [explain(item) for item in day.explanation]} for day in summary.days]


@login_only
def my_month(request):
    me = employee_of(request.user)
    if me is None:
        return render(request, "attendance/my_month.html", {"no_employee": True})
    month = _month(request, timezone.localdate())
    summary = selectors.monthly_summary(user=request.user, employee_id=me.pk, month=month)
    context = {"summary": summary, "lines": _lines(summary), "days": _days(summary), **_neighbours(month)}
    return render(request, "attendance/my_month.html", context)


@role_required(*SUMMARY_ROLES)
def summary(request):
    user = request.user
    month = _month(request, (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)))
    teams = list(team_list(user=user))
    team_id = _int(request.GET.get("team"))
    if team_id and team_id not in {t.pk for t in teams}:
        team_id = None
    page = Paginator(selectors.summary_employees(user=user, team_id=team_id), 50).get_page(request.GET.get("page"))
    rows = selectors.monthly_summary_list(user=user, month=month, employees=list(page.object_list))
    team = next((t for t in teams if t.pk == team_id), None)
    can_verify = bool(team and team.supervisor_id and team.supervisor.user_id == user.pk)
    verified = rows[0].verified if rows and team else None
    context = {
        "rows": rows,
        "page_obj": page,
        "teams": teams,
        "team": team,
        "can_verify": can_verify and verified is None,
        "verified": verified,
        **_neighbours(month),
    }
    return render(request, "attendance/summary.html", context)


@role_required(*SUMMARY_ROLES)
def employee_month(request, employee_id: int):
    month = _month(request, timezone.localdate())
    try:
        summary_ = selectors.monthly_summary(user=request.user, employee_id=employee_id, month=month)
    except ApplicationError as exc:
        raise Http404(str(exc.message)) from exc
    context = {"summary": summary_, "lines": _lines(summary_), "days": _days(summary_), **_neighbours(month)}
    return render(request, "attendance/my_month.html", context)


@role_required(Role.SUPERVISOR)
@require_POST
def month_verify(request):
    month = _parse_month(request.POST.get("month"), None)
    if month is None:
        messages.error(request, _("Choose a month to verify."))
        return redirect("attendance:summary")
    team = next((t for t in team_list(user=request.user) if t.pk == _int(request.POST.get("team"))), None)
    if team is None:
        raise Http404
    try:
        services.month_verify(actor=request.user, team=team, month=month)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The month has been verified and is now locked (ATT-2)."))
    return redirect(f"{reverse('attendance:summary')}?team={team.pk}&month={month:%Y-%m}")


@role_required(*SUMMARY_ROLES)
def summary_export(request, fmt: str):
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    user = request.user
    month = _month(request, (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)))
    team_ids = {t.pk for t in team_list(user=user)}
    team_id = _int(request.GET.get("team"))
    team_id = team_id if team_id in team_ids else None
    rows = selectors.monthly_summary_list(user=user, month=month, team_id=team_id)
    headers = [
        _("Employee number"),
        _("Name"),
        _("Team"),
        _("Lateness / early leave"),
        _("Fines (CNY)"),
        _("Absenteeism days"),
        _("Deduction (CNY)"),
        _("Missing punches"),
        _("Days on approved leave"),
        _("Schedule adherence %"),
    ]
    data = [
        [
            r.employee.employee_no,
            r.employee.name,
            r.employee.team.name if r.employee.team else "",
            r.result.occurrences,
            r.result.fines,
            r.result.absence_days,
            r.result.deduction,
            r.result.missing_punches,
            r.result.leave_days,
            r.result.adherence,
        ]
        for r in rows
    ]
    with transaction.atomic():
        audit_record(
            actor=user,
            action="attendance.summary_export",
            object_type="attendance.monthlysummary",
            object_id=f"{month:%Y-%m}",
            changes={"format": fmt, "rows": len(data), "team": team_id},
        )
    filename = f"attendance-{month:%Y-%m}"
    if fmt == "csv":
        return file_response(csv_file(filename=filename, headers=headers, rows=data))
    return file_response(
        xlsx_file(
            filename=filename,
            headers=headers,
            rows=[[float(v) if hasattr(v, "as_tuple") else v for v in row] for row in data],
            sheet_title=f"{month:%Y-%m}",
        )
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _parse_month(value, default):
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return default


urlpatterns = [
    path("me/", my_month, name="my_month"),
    path("summary/", summary, name="summary"),
    path("summary/<int:employee_id>/", employee_month, name="employee_month"),
    path("summary/export.<str:fmt>", summary_export, name="summary_export"),
    path("verify/", month_verify, name="month_verify"),
]
