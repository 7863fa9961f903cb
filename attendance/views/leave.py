"""Attendance pages: leave (请假, ATT-3 / LV-1..LV-5). Thin: parse, check, call one service or
selector, render.

Agents: my leave, a new request with a live quote (days, balance, route — all before submitting),
the request page. Approvers: the inbox with team coverage, bulk decisions and delegation; the
team calendar. HR: all requests, leave types, balances. Certificates are served only to people
who may see their request, as attachments, and every download is audited (medical data).
"""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from attendance import rules, selectors, services
from attendance.errors import AttendanceErrorCode
from attendance.forms import (
    ApprovalDelegationForm,
    LeaveBalanceFilterForm,
    LeaveBalanceGrantForm,
    LeaveBalanceSetForm,
    LeaveBulkDecisionForm,
    LeaveCertificateForm,
    LeaveDecisionForm,
    LeaveQuoteForm,
    LeaveRequestFilterForm,
    LeaveRequestForm,
    LeaveRevokeForm,
    LeaveTypeForm,
)
from attendance.models import ApprovalTier, LeaveStatus, StepStatus
from callcenter import inputs
from callcenter.errors import ApplicationError
from callcenter.exports import private_file_response
from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role, has_role
from callcenter.selectors import department_choices, employee_choices, employee_of, team_choices

APPROVER_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER)
CALENDAR_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)
# HR sees every request; supervisors, managers and leaders the requests of their area
# (the selector restricts the rows, the role only opens the page).
REQUEST_LIST_ROLES = (Role.HR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.SUPERVISOR)
PAGE_SIZE = 20
LIST_PAGE_SIZE = 50
# The inbox shows 25 requests a page (each a card with its coverage table): with 200 waiting,
# all at once rendered in ~400 ms, 50 a page in ~150 ms (docs/benchmarks.md, "Leave").
INBOX_PAGE_SIZE = 25


# --- Helpers (presentation only) ------------------------------------------------------------------


def _tabs(user) -> list[dict]:
    """The leave pages this user may open, for the sub-navigation of every leave page."""
    tabs = []
    if employee_of(user) is not None:
        tabs.append({"key": "mine", "url": reverse("attendance:leave"), "label": _("My leave")})
        tabs.append({"key": "inbox", "url": reverse("attendance:leave_inbox"), "label": _("Inbox")})
    if has_role(user, *CALENDAR_ROLES):
        tabs.append({"key": "calendar", "url": reverse("attendance:leave_calendar"), "label": _("Team calendar")})
    if has_role(user, *REQUEST_LIST_ROLES):
        tabs.append({"key": "requests", "url": reverse("attendance:leave_requests"), "label": _("All requests")})
    if has_role(user, Role.HR):
        tabs.append({"key": "types", "url": reverse("attendance:leave_types"), "label": _("Leave types")})
        tabs.append({"key": "balances", "url": reverse("attendance:leave_balances"), "label": _("Balances")})
    return tabs


def _page_context(request, tab: str, nav: str = "leave") -> dict:
    return {"leave_tabs": _tabs(request.user), "leave_tab": tab, "nav_active": nav}


# Two letters keep a month of days on one screen (the calendar's column heads).
WEEKDAY_SHORT = [
    pgettext_lazy("weekday, two letters", "Mo"),
    pgettext_lazy("weekday, two letters", "Tu"),
    pgettext_lazy("weekday, two letters", "We"),
    pgettext_lazy("weekday, two letters", "Th"),
    pgettext_lazy("weekday, two letters", "Fr"),
    pgettext_lazy("weekday, two letters", "Sa"),
    pgettext_lazy("weekday, two letters", "Su"),
]

# Lazy: evaluated when a page renders, in the reader's language (not once at import).
PART_LABELS = {
    "full": gettext_lazy("whole day"),
    "morning": gettext_lazy("morning"),
    "afternoon": gettext_lazy("afternoon"),
}


def _breakdown(items: list[dict]) -> list[dict]:
    return [
        {
            "date": datetime.date.fromisoformat(item["date"]),
            "part": item.get("part"),
            "part_label": PART_LABELS.get(item.get("part"), item.get("part", "")),
            "counted": item.get("counted"),
            "text": rules.explain_day(item),
        }
        for item in items
    ]


def _route_text(explanation: dict) -> str:
    """Why the request goes to whom (LV-4), from the stored or quoted explanation."""
    if not explanation:
        return ""
    tier = explanation.get("tier")
    text = _(
        "%(days)s days: the team supervisor decides up to %(supervisor_max)s days, the department manager up to "
        "%(manager_max)s days, longer requests the company leader in charge; this one needs the %(tier)s."
    ) % {
        "days": explanation.get("days"),
        "supervisor_max": explanation.get("supervisor_max"),
        "manager_max": explanation.get("manager_max"),
        "tier": ApprovalTier(tier).label.lower() if tier in ApprovalTier.values else tier,
    }
    if explanation.get("direct"):
        return text + " " + _("Only the deciding authority approves (policy switch).")
    return text + " " + _("The request climbs the reporting line up to the deciding authority.")


def _limit_text(limit, explanation: dict) -> str:
    if limit is None:
        return ""
    return _("At most %(limit)s days per request (%(article)s).") % {
        "limit": limit,
        "article": explanation.get("article", "LV-3"),
    }


def _stored_route_rows(leave) -> list[dict]:
    """The route stored on a request (names fixed at submission), with the current step marked."""
    rows = []
    for n, step in enumerate((leave.route or {}).get("steps", [])):
        tier = step.get("tier")
        rows.append(
            {
                "tier_label": ApprovalTier(tier).label if tier in ApprovalTier.values else tier,
                "name": step.get("approver_name", ""),
                "decides": step.get("decides", False),
                "current": leave.status == LeaveStatus.PENDING and n == leave.current_step,
                "done": leave.status == LeaveStatus.APPROVED
                or (leave.status == LeaveStatus.PENDING and n < leave.current_step),
            }
        )
    return rows


# --- Agent: my leave, new request, the quote ---------------------------------------------------------


@login_only
def leave_my(request):
    user = request.user
    me = employee_of(user)
    context = _page_context(request, "mine")
    if me is None:
        return render(request, "attendance/leave/my.html", {**context, "no_employee": True})
    page = paginate(request, selectors.leave_request_list(user=user, filters={"mine": True}), PAGE_SIZE)
    for leave in page.object_list:
        leave.route_rows = _stored_route_rows(leave)
    year = timezone.localdate().year
    balances = selectors.leave_balance_summary(user=user, year=year)
    context.update({"page_obj": page, "balances": balances, "year": year})
    return render(request, "attendance/leave/my.html", context)


def _quote_context(form) -> dict:
    """The live quote for a bound form: days day by day, balance after, limit, route, problems."""
    quote, error = form.quote()
    if quote is None:
        return {"quote": None, **({"quote_error": error} if error else {})}
    return {
        "quote": quote,
        "quote_breakdown": _breakdown(quote.breakdown),
        "quote_route": quote.route_rows(),
        "quote_route_text": _route_text(quote.route_explanation),
        "quote_limit_text": _limit_text(quote.limit, quote.limit_explanation),
    }


def _sent(leave) -> str:
    return _("Your request has been sent: %(days)s days, first to %(approver)s.") % {
        "days": leave.days,
        "approver": (leave.route.get("steps") or [{}])[0].get("approver_name", ""),
    }


@login_only
@require_http_methods(["GET", "POST"])
def leave_new(request):
    user = request.user
    me = employee_of(user)
    context = _page_context(request, "mine")
    if me is None:
        return render(request, "attendance/leave/new.html", {**context, "no_employee": True})
    form = LeaveRequestForm(request.POST or None, request.FILES or None, employee=me)
    if form_submit(
        request,
        form,
        lambda data: services.leave_request_submit(actor=user, **form.submit_arguments()),
        success=_sent,
    ):
        return redirect("attendance:leave_detail", pk=form.result.pk)
    context.update({"form": form, **_quote_context(form)})
    return render(request, "attendance/leave/new.html", context, status=form_status(form))


@login_only
@require_GET
def leave_quote(request):
    """htmx partial of the new-request page: how the request would count, before submitting."""
    me = employee_of(request.user)
    form = LeaveQuoteForm(request.GET, employee=me)
    context = {"no_employee": me is None, **_quote_context(form)}
    return render(request, "attendance/leave/new.html#leave-quote", context)


# --- The request page and its actions -----------------------------------------------------------------


@login_only
def leave_detail(request, pk: int):
    leave = selectors.leave_request_get(user=request.user, pk=pk)
    return render(request, "attendance/leave/detail.html", _detail_context(request, leave))


def _detail_context(request, leave) -> dict:
    """The request page's context: the page itself, and its panel after an htmx action."""
    user = request.user
    steps = list(leave.steps.all())
    me = employee_of(user)
    can_act = selectors.leave_request_can_act(user=user, request=leave, steps=steps)
    current = next((s for s in steps if s.status == StepStatus.PENDING), None)
    is_requester = me is not None and me.pk == leave.employee_id
    stored_limit = (leave.route or {}).get("limit") or {}
    context = _page_context(request, "mine" if is_requester else "inbox" if can_act else "requests")
    context.update(
        {
            "leave": leave,
            "steps": steps,
            "certificates": list(leave.certificates.all()),
            "breakdown": _breakdown(leave.breakdown or []),
            "route_text": _route_text(leave.route or {}),
            "limit_text": _limit_text(stored_limit.get("limit"), stored_limit),
            "can_act": can_act,
            "on_behalf_of": current.approver if can_act and current and current.approver_id != me.pk else None,
            "coverage": selectors.leave_coverage([leave]).get(leave.pk, []) if can_act else [],
            "is_requester": is_requester,
            "can_withdraw": is_requester and leave.status == LeaveStatus.PENDING,
            "can_add_certificate": is_requester and leave.status in (LeaveStatus.PENDING, LeaveStatus.APPROVED),
            "can_revoke": has_role(user, Role.HR) and not is_requester and leave.status == LeaveStatus.APPROVED,
            "decision_form": LeaveDecisionForm(),
            "revoke_form": LeaveRevokeForm(),
            "certificate_form": LeaveCertificateForm(),
        }
    )
    return context


def _panel_answer(request, pk: int, done: bool):
    """An action of the request page through htmx (withdraw, add a certificate): the request's
    panel (its status, the steps, the certificates and the actions left) replaced in place, the
    header's status and the message out of band. A refusal swaps nothing but the message (what
    was chosen stays). Without htmx: back to the request page, the message on it."""
    if not request.htmx:
        return _after_action(request, pk)
    if not done:
        response = render(request, "includes/messages_oob.html")
        response["HX-Reswap"] = "none"
        return response
    leave = selectors.leave_request_get(user=request.user, pk=pk)
    return render(request, "attendance/leave/detail.html#leave-panel-answer", _detail_context(request, leave))


def _after_action(request, pk: int):
    """Back where the action started: the inbox, or the request page."""
    if request.POST.get("next") == "inbox":
        return redirect("attendance:leave_inbox")
    return redirect("attendance:leave_detail", pk=pk)


def _run(request, action, *, success) -> tuple[bool, object]:
    """:func:`callcenter.pages.action_run` that also hands back the service's result."""
    outcome = {}

    def call():
        outcome["result"] = action()
        return outcome["result"]

    return action_run(request, call, success=success), outcome.get("result")


def _inbox_decided(request, pk: int, done: bool, decided):
    """An inbox decision through htmx (LV-4): the request's card replaced by its outcome, the count
    and the message out of band. A refusal swaps nothing but the message (the card stays, with
    what was typed). Without htmx: back to the inbox page."""
    if not (request.htmx and request.POST.get("next") == "inbox"):
        return _after_action(request, pk)
    context = {"leave": decided, "inbox_count": selectors.leave_inbox(user=request.user).count()}
    response = render(request, "attendance/leave/inbox.html#inbox-decided", {**context, "done": done})
    if not done:
        response["HX-Reswap"] = "none"
    return response


def _comment(request) -> str:
    form = LeaveDecisionForm(request.POST)
    return form.cleaned_data["comment"] if form.is_valid() else ""


def _approved(decided) -> str:
    if decided.status == LeaveStatus.APPROVED:
        return _("Approved: %(name)s, %(days)s days.") % {"name": decided.employee.name, "days": decided.days}
    return _("Approved at your step: %(name)s's request goes to the next approver (LV-4).") % {
        "name": decided.employee.name
    }


@login_only
@require_POST
def leave_approve(request, pk: int):
    done, decided = _run(
        request,
        lambda: services.leave_request_approve(actor=request.user, leave_request_id=pk, comment=_comment(request)),
        success=_approved,
    )
    return _inbox_decided(request, pk, done, decided)


@login_only
@require_POST
def leave_reject(request, pk: int):
    done, decided = _run(
        request,
        lambda: services.leave_request_reject(actor=request.user, leave_request_id=pk, comment=_comment(request)),
        success=lambda decided: _("Rejected: %(name)s's request.") % {"name": decided.employee.name},
    )
    return _inbox_decided(request, pk, done, decided)


@login_only
@require_POST
def leave_withdraw(request, pk: int):
    """LV-4: the requester withdraws a pending request; through htmx the page's panel answers in
    place (:func:`_panel_answer`)."""
    done = action_run(
        request,
        lambda: services.leave_request_withdraw(actor=request.user, leave_request_id=pk),
        success=_("Your request has been withdrawn."),
    )
    return _panel_answer(request, pk, done)


@role_required(Role.HR)
@require_POST
def leave_revoke(request, pk: int):
    form = LeaveRevokeForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
    action_run(
        request,
        lambda: services.leave_request_revoke(actor=request.user, leave_request_id=pk, reason=reason),
        success=_("The leave has been revoked; the days are back in the balance and attendance is recomputed."),
    )
    return _after_action(request, pk)


@login_only
@require_POST
def leave_certificate_add(request, pk: int):
    form = LeaveCertificateForm(request.POST, request.FILES)

    def add():
        if not form.is_valid():
            raise ApplicationError(_("Choose a file to upload."), code=AttendanceErrorCode.CERTIFICATE_MISSING)
        return services.leave_certificate_add(
            actor=request.user, leave_request_id=pk, upload=form.cleaned_data["certificate"]
        )

    done = action_run(
        request,
        add,
        success=lambda certificate: _("Certificate %(name)s added.") % {"name": certificate.original_name},
    )
    return _panel_answer(request, pk, done)


@login_only
@require_GET
def leave_certificate_download(request, pk: int):
    """A certificate (LV-2), only for people who may see its request; audited (medical data)."""
    certificate, handle = services.leave_certificate_open(actor=request.user, certificate_id=pk)
    return private_file_response(handle, filename=certificate.original_name, content_type=certificate.content_type)


# --- Approver: inbox, bulk decisions, delegation, calendar --------------------------------------------


@login_only
def leave_inbox(request):
    """The requests to decide. The delegation panel loads on its own (htmx), so this page's
    queries stay fixed however many requests and delegations there are."""
    page = paginate(request, selectors.leave_inbox(user=request.user), INBOX_PAGE_SIZE)
    context = {
        **_page_context(request, "inbox", nav="leave_inbox"),
        "page_obj": page,
        "rows": selectors.leave_inbox_rows(user=request.user, requests=page.object_list),
        "decision_form": LeaveDecisionForm(),
    }
    return render(request, "attendance/leave/inbox.html", context)


def _delegations_context(request, form=None) -> dict:
    user = request.user
    me = employee_of(user)
    can_delegate = me is not None and has_role(user, *APPROVER_ROLES)
    if can_delegate and form is None:
        form = ApprovalDelegationForm(me=me)
    today = timezone.localdate()
    delegations = []
    for delegation in selectors.approval_delegation_list(user=user)[:50]:
        delegation.state = (
            "cancelled"
            if delegation.cancelled_at
            else "ended"
            if delegation.end_date < today
            else "upcoming"
            if delegation.start_date > today
            else "active"
        )
        delegation.can_cancel = delegation.state in ("active", "upcoming") and (
            (me is not None and delegation.delegator_id == me.pk) or has_role(user, Role.HR)
        )
        delegations.append(delegation)
    return {
        **_page_context(request, "inbox", nav="leave_inbox"),
        "delegation_form": form if can_delegate else None,
        "delegations": delegations,
    }


def _delegated(delegation) -> str:
    return _("%(name)s approves your leave requests from %(start)s to %(end)s.") % {
        "name": delegation.delegate.name,
        "start": delegation.start_date,
        "end": delegation.end_date,
    }


@login_only
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def leave_delegations(request):
    """Delegate my approvals (LV-4) and the delegations I gave or hold. The inbox loads the
    panel with htmx; without script it is a page of its own."""
    user = request.user
    if request.method == "GET":
        template = "attendance/leave/delegations.html"
        if request.htmx and not request.htmx.history_restore_request:
            template += "#delegations-panel"
        return render(request, template, _delegations_context(request))
    me = employee_of(user)
    if me is None or not has_role(user, *APPROVER_ROLES):
        messages.error(request, _("Only approvers can delegate their approvals."))
        return redirect("attendance:leave_inbox")
    form = ApprovalDelegationForm(request.POST, me=me)
    if form_submit(
        request,
        form,
        lambda data: services.approval_delegation_create(
            actor=user,
            delegate_id=data["delegate"].pk,
            start_date=data["start_date"],
            end_date=data["end_date"],
            reason=data["reason"],
        ),
        success=_delegated,
    ):
        return redirect("attendance:leave_inbox")
    return render(request, "attendance/leave/delegations.html", _delegations_context(request, form=form), status=400)


@login_only
@require_POST
def leave_decide(request):
    """Several requests at once, one comment; each is decided on its own (one refusal leaves the
    others decided) and each outcome is reported."""
    form = LeaveBulkDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("attendance:leave_inbox")
    data = form.cleaned_data
    outcome: dict[int, str] = {}

    def decide():
        outcome.update(
            services.leave_requests_decide(
                actor=request.user, leave_request_ids=data["ids"], action=data["action"], comment=data["comment"]
            )
        )

    if not action_run(request, decide):
        return redirect("attendance:leave_inbox")
    decided = {
        leave.pk: leave for leave in selectors.leave_request_list(user=request.user, filters={"ids": list(outcome)})
    }
    for pk, error in outcome.items():
        leave = decided.get(pk)
        label = (
            _("%(name)s, %(start)s – %(end)s")
            % {"name": leave.employee.name, "start": leave.start_date.isoformat(), "end": leave.end_date.isoformat()}
            if leave
            else f"#{pk}"
        )
        if error:
            messages.error(request, _("%(request)s: %(error)s") % {"request": label, "error": error})
        elif data["action"] == "reject":
            messages.success(request, _("%(request)s: rejected.") % {"request": label})
        elif leave is not None and leave.status == LeaveStatus.PENDING:
            messages.success(
                request, _("%(request)s: approved at your step, now with the next approver.") % {"request": label}
            )
        else:
            messages.success(request, _("%(request)s: approved.") % {"request": label})
    return redirect("attendance:leave_inbox")


@login_only
@require_POST
def delegation_cancel(request, pk: int):
    action_run(
        request,
        lambda: services.approval_delegation_cancel(actor=request.user, delegation_id=pk),
        success=_("The delegation has been cancelled."),
    )
    return redirect("attendance:leave_inbox")


@role_required(*CALENDAR_ROLES)
@vary_on_headers("HX-Request")
def leave_calendar(request):
    user = request.user
    teams = list(team_choices(user=user))
    team_pk = inputs.safe_id(request.GET.get("team"))
    if request.GET.get("team") and team_pk not in {t.pk for t in teams}:
        raise Http404(_("Team not found."))
    team = next((t for t in teams if t.pk == team_pk), teams[0] if teams else None)
    month = inputs.query_month(request, timezone.localdate())
    context = {
        **_page_context(request, "calendar", nav="leave_calendar"),
        "teams": teams,
        "team": team,
        "month": month,
        "prev_month": (month - datetime.timedelta(days=1)).replace(day=1),
        "next_month": (month + datetime.timedelta(days=32)).replace(day=1),
        "grid": None,
    }
    if team is not None:
        grid = selectors.leave_calendar(user=user, team_id=team.pk, month=month)
        days = grid["days"]
        context["grid"] = grid
        context["columns"] = [
            {"day": day, "off": off, "weekday": WEEKDAY_SHORT[day.date.weekday()]}
            for day, off in zip(days, grid["off_per_day"], strict=True)
        ]
        context["rows"] = [
            {
                "employee": row["employee"],
                "cells": [{"day": day, "cell": cell} for day, cell in zip(days, row["cells"], strict=True)],
            }
            for row in grid["rows"]
        ]
    template = "attendance/leave/calendar.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#leave-calendar-grid"
    return render(request, template, context)


# --- HR (and managers for their area): requests, types, balances ---------------------------------------


@role_required(*REQUEST_LIST_ROLES)
@vary_on_headers("HX-Request")
def leave_requests(request):
    user = request.user
    form = LeaveRequestFilterForm(
        request.GET or None, teams=list(team_choices(user=user)), departments=list(department_choices(user=user))
    )
    filters = form.filters() if form.is_bound else {}
    page = paginate(request, selectors.leave_request_list(user=user, filters=filters), LIST_PAGE_SIZE)
    for leave in page.object_list:
        leave.route_rows = _stored_route_rows(leave)
    context = {**_page_context(request, "requests", nav="leave_requests"), "form": form, "page_obj": page}
    template = "attendance/leave/requests.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#leave-results"
    return render(request, template, context)


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
def leave_types(request, pk: int | None = None):
    instance = selectors.leave_type_get(pk=pk) if pk is not None else None
    form = LeaveTypeForm(request.POST or None, instance=instance)
    if form_submit(
        request,
        form,
        lambda data: services.leave_type_save(actor=request.user, leave_type_id=pk, data=data),
        success=lambda saved: _("Leave type %(name)s saved.") % {"name": saved.display_name},
    ):
        return redirect("attendance:leave_types")
    context = {
        **_page_context(request, "types", nav="leave_requests"),
        "types": list(selectors.leave_type_list(active_only=False)),
        "form": form,
        "editing": instance,
    }
    return render(request, "attendance/leave/types.html", context, status=form_status(form))


def _balance_set_form(request, data=None) -> LeaveBalanceSetForm:
    employees = employee_choices(user=request.user, active_only=False)
    if data is not None:
        return LeaveBalanceSetForm(data, employees=employees)
    initial = {k: request.GET[k] for k in ("employee_no", "year") if request.GET.get(k)}
    return LeaveBalanceSetForm(initial=initial, employees=employees, type_code=request.GET.get("set_type"))


def _balances_context(request, set_form=None) -> dict:
    user = request.user
    params = request.GET.copy()
    if "year" not in params:
        params["year"] = str(timezone.localdate().year)
    filter_form = LeaveBalanceFilterForm(params)
    filters = filter_form.filters()
    page = paginate(request, selectors.leave_balance_list(user=user, filters=filters), LIST_PAGE_SIZE)
    rows = [{"balance": b, "explanation": rules.explain_grant(b.detail or {})} for b in page.object_list]
    return {
        **_page_context(request, "balances", nav="leave_requests"),
        "filter_form": filter_form,
        "page_obj": page,
        "rows": rows,
        "set_form": set_form or _balance_set_form(request),
        "grant_form": LeaveBalanceGrantForm(initial={"year": filters.get("year") or timezone.localdate().year}),
    }


@role_required(Role.HR)
def leave_balances(request):
    return render(request, "attendance/leave/balances.html", _balances_context(request))


def _balance_saved(balance) -> str:
    return _("%(name)s: %(type)s %(year)s set to %(days)s days.") % {
        "name": balance.employee.name,
        "type": balance.leave_type.display_name,
        "year": balance.year,
        "days": balance.entitled_days,
    }


@role_required(Role.HR)
@require_POST
def leave_balance_set(request):
    form = _balance_set_form(request, request.POST)
    if form_submit(
        request,
        form,
        lambda data: services.leave_balance_set(
            actor=request.user,
            employee_id=data["employee_no"].pk,
            leave_type_id=data["leave_type"].pk,
            year=data["year"],
            entitled_days=data["entitled_days"],
            reason=data["reason"],
        ),
        success=_balance_saved,
    ):
        query = urlencode({"year": form.result.year, "q": form.result.employee.employee_no})
        return redirect(f"{reverse('attendance:leave_balances')}?{query}")
    return render(request, "attendance/leave/balances.html", _balances_context(request, set_form=form), status=400)


@role_required(Role.HR)
@require_POST
def leave_balance_grant(request):
    form = LeaveBalanceGrantForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a year between 2000 and 2100."))
        return redirect("attendance:leave_balances")
    year = form.cleaned_data["year"]
    action_run(
        request,
        lambda: services.leave_balance_grant_annual(year=year, actor=request.user),
        success=lambda result: (
            _(
                "Annual leave %(year)s granted to %(count)d employees; existing balances were kept, "
                "%(raised)d raised for a milestone of cumulative work reached during the year (LV-3)."
            )
            % {"year": year, "count": result["granted"], "raised": result["raised"]}
        ),
    )
    return redirect(f"{reverse('attendance:leave_balances')}?{urlencode({'year': year})}")


urlpatterns = [
    path("leave/", leave_my, name="leave"),
    path("leave/new/", leave_new, name="leave_new"),
    path("leave/quote/", leave_quote, name="leave_quote"),
    path("leave/inbox/", leave_inbox, name="leave_inbox"),
    path("leave/inbox/decide/", leave_decide, name="leave_decide"),
    path("leave/delegations/", leave_delegations, name="leave_delegations"),
    path("leave/delegations/<int:pk>/cancel/", delegation_cancel, name="leave_delegation_cancel"),
    path("leave/calendar/", leave_calendar, name="leave_calendar"),
    path("leave/requests/", leave_requests, name="leave_requests"),
    path("leave/types/", leave_types, name="leave_types"),
    path("leave/types/<int:pk>/", leave_types, name="leave_type_edit"),
    path("leave/balances/", leave_balances, name="leave_balances"),
    path("leave/balances/set/", leave_balance_set, name="leave_balance_set"),
    path("leave/balances/grant/", leave_balance_grant, name="leave_balance_grant"),
    path("leave/certificates/<int:pk>/", leave_certificate_download, name="leave_certificate"),
    path("leave/<int:pk>/", leave_detail, name="leave_detail"),
    path("leave/<int:pk>/approve/", leave_approve, name="leave_approve"),
    path("leave/<int:pk>/reject/", leave_reject, name="leave_reject"),
    path("leave/<int:pk>/withdraw/", leave_withdraw, name="leave_withdraw"),
    path("leave/<int:pk>/revoke/", leave_revoke, name="leave_revoke"),
    path("leave/<int:pk>/certificates/", leave_certificate_add, name="leave_certificate_add"),
]
