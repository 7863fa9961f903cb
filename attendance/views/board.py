"""Attendance pages: the supervisor's live team board and the proxy-punching report (ATT-2)."""

import datetime

from django import forms
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.vary import vary_on_headers

from attendance import selectors
from callcenter.permissions import role_required
from callcenter.roles import Role

BOARD_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)


@role_required(*BOARD_ROLES)
@vary_on_headers("HX-Request")
def board(request):
    template = "attendance/board.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#board-body"
    return render(request, template, {"board": selectors.team_board(user=request.user), "nav_active": "board"})


DATE_ATTRS = {"type": "date"}
ISO = "%Y-%m-%d"


class ProxyPunchFilterForm(forms.Form):
    # ISO: <input type="date"> accepts nothing else (the locale format 2026/12/06 shows empty).
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(DATE_ATTRS, format=ISO))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(DATE_ATTRS, format=ISO))
    window_minutes = forms.IntegerField(label=_("Window (minutes)"), min_value=1, max_value=30, required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["date_to"] = data.get("date_to") or today
        data["date_from"] = data.get("date_from") or data["date_to"] - datetime.timedelta(days=6)
        data["window_minutes"] = data.get("window_minutes") or 2
        if data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        if (data["date_to"] - data["date_from"]).days > 30:
            raise forms.ValidationError(_("Choose at most 31 days."))
        return data


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
        "attendance/board.html",
        {"page": "proxy", "form": form, "suspects": suspects, "nav_active": "board"},
    )


urlpatterns = [
    path("board/", board, name="board"),
    path("proxy-punches/", proxy_punches, name="proxy_punches"),
]
