"""Attendance pages: the agent's own clock (ATT-2), phone first."""

import uuid

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.decorators.vary import vary_on_headers

from attendance import selectors, services
from callcenter.errors import ApplicationError
from callcenter.permissions import login_only
from callcenter.request_context import current_client_ip
from callcenter.selectors import employee_of


def _punch_message(punch, created: bool) -> str:
    at = timezone.localtime(punch.punched_at).strftime("%H:%M:%S")
    if created:
        return _("Punch recorded at %(time)s.") % {"time": at}
    return _("This punch was already recorded at %(time)s.") % {"time": at}


@login_only
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def clock(request):
    me = employee_of(request.user)
    notice = error = None
    if request.method == "POST":
        if me is None:
            error = _("Your account has no employee record, so you cannot clock in. Please contact HR.")
        else:
            try:
                punch, created = services.punch_record(
                    actor=request.user,
                    employee=me,
                    idempotency_key=request.POST.get("idempotency_key", ""),
                    ip=current_client_ip(),
                    user_agent=request.META.get("HTTP_USER_AGENT", ""),
                )
            except ApplicationError as exc:
                error = str(exc.message)
            else:
                notice = _punch_message(punch, created)
        if not request.htmx:
            if error:
                messages.error(request, error)
            else:
                messages.success(request, notice)
            return redirect("attendance:clock")
    context = {
        "me": me,
        "status": selectors.clock_status(employee=me) if me is not None and me.is_active else None,
        # A fresh key per render: a double click, a second tab or a retry sends the same key (ATT-2).
        "idempotency_key": uuid.uuid4().hex,
        "notice": notice,
        "error": error,
        "nav_active": "clock",
    }
    template = "attendance/clock.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#clock-status"
    return render(request, template, context)


urlpatterns = [path("clock/", clock, name="clock")]
