"""Attendance pages about punches (ATT-2): the agent's own clock (phone first), the supervisor's
live team board and the proxy-punching report."""

import datetime
import uuid

from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from attendance import selectors, services
from attendance.forms import ProxyPunchFilterForm
from callcenter.pages import action_run
from callcenter.permissions import login_only, role_required
from callcenter.request_context import current_client_ip
from callcenter.roles import Role
from callcenter.selectors import employee_of

BOARD_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)


# --- The clock ------------------------------------------------------------------------------------


def _punch_message(result) -> str:
    punch, created = result
    at = timezone.localtime(punch.punched_at).strftime("%H:%M:%S")
    if created:
        return _("Punch recorded at %(time)s.") % {"time": at}
    return _("This punch was already recorded at %(time)s.") % {"time": at}


@login_only
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def clock(request):
    """The button posts with htmx and gets the status partial back, the outcome in it; without
    script the post redirects and the outcome is a message on the next page."""
    if request.method == "POST":
        action_run(
            request,
            lambda: services.punch_record(
                actor=request.user,
                idempotency_key=request.POST.get("idempotency_key", ""),
                ip=current_client_ip(),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ),
            success=_punch_message,
        )
        if not request.htmx:
            return redirect("attendance:clock")
    me = employee_of(request.user)
    context = {
        "me": me,
        "status": selectors.clock_status(employee=me) if me is not None and me.is_active else None,
        # A fresh key per render: a double click, a second tab or a retry sends the same key (ATT-2).
        "idempotency_key": uuid.uuid4().hex,
        "nav_active": "clock",
    }
    template = "attendance/punches/clock.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#clock-status"
    return render(request, template, context)


# --- The team board and proxy punching --------------------------------------------------------------


@role_required(*BOARD_ROLES)
@vary_on_headers("HX-Request")
def board(request):
    template = "attendance/punches/board.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#board-body"
    return render(request, template, {"board": selectors.team_board(user=request.user), "nav_active": "board"})


def _day_start(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@role_required(*BOARD_ROLES)
def proxy_punches(request):
    form = ProxyPunchFilterForm(request.GET or {})
    suspects = []
    if form.is_valid():
        data = form.cleaned_data
        suspects = selectors.proxy_punch_suspects(
            user=request.user,
            since=_day_start(data["date_from"]),
            until=_day_start(data["date_to"] + datetime.timedelta(days=1)),
            window_minutes=data["window_minutes"],
        )
    return render(
        request,
        "attendance/punches/board.html",
        {"page": "proxy", "form": form, "suspects": suspects, "nav_active": "board"},
    )


urlpatterns = [
    path("clock/", clock, name="clock"),
    path("board/", board, name="board"),
    path("proxy-punches/", proxy_punches, name="proxy_punches"),
]
