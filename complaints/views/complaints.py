"""Complaint pages (CMP-1..CMP-3, SEC-2), mounted at /complaints/. Thin: parse, check, call one
service or selector, render.

Everyone records complaints (CMP-1) and sees the queue the selector gives them (their own, their
team's or area's; the complaint team, leaders and HR all of them). The complaint team works a
complaint on its page: assign, log contacts and evidence, plan, resolve, follow up, pause the
clock; a company leader may close it with a reason (CMP-3). Contact details are masked
everywhere; the complaint team and leaders reveal them one complaint at a time, audited (SEC-2).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from callcenter.exports import private_file_response
from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_of
from complaints import selectors, services
from complaints.forms import (
    ComplaintAssignForm,
    ComplaintConcernedForm,
    ComplaintFilterForm,
    ComplaintFollowUpForm,
    ComplaintLogForm,
    ComplaintPlanForm,
    ComplaintReasonForm,
    ComplaintRecordForm,
    ComplaintResolveForm,
)
from complaints.models import ComplaintStatus, Urgency

PAGE_SIZE = 25
HANDLER_ROLES = services.HANDLER_ROLES


# --- Helpers (presentation only) ------------------------------------------------------------------


def _due(due, done_at, paused_since, now) -> dict:
    """A deadline as the pages show it: met, paused, how long left, or how long overdue."""
    if done_at is not None:
        return {"at": due, "state": "met", "done_at": done_at, "late": done_at > due}
    if paused_since is not None:
        return {"at": due, "state": "paused"}
    if now > due:
        return {"at": due, "state": "overdue", "text": _("overdue by %(time)s") % {"time": timesince(due, now)}}
    return {"at": due, "state": "open", "text": _("%(time)s left") % {"time": timeuntil(due, now)}}


def _decorate(complaint, now) -> None:
    """Masked contact and SLA state for one complaint in a list or page (SEC-2, CMP-1/2)."""
    complaint.masked = selectors.complaint_masked_contact(complaint)
    closed = complaint.status == ComplaintStatus.CLOSED
    complaint.first_due = _due(
        complaint.first_response_due,
        complaint.first_responded_at or (complaint.closed_at if closed else None),
        complaint.paused_since,
        now,
    )
    complaint.resolution_due_info = _due(
        complaint.resolution_due,
        complaint.resolved_at or (complaint.closed_at if closed else None),
        complaint.paused_since,
        now,
    )
    complaint.is_overdue = "overdue" in (complaint.first_due["state"], complaint.resolution_due_info["state"])
    complaint.is_urgent = complaint.urgency == Urgency.URGENT
    complaint.paused_minutes = complaint.paused_seconds // 60


def _may_record(user) -> bool:
    return employee_of(user) is not None or has_role(user, *HANDLER_ROLES)


# --- Intake (CMP-1) -----------------------------------------------------------------------------------


@login_only
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    if not _may_record(request.user):
        raise PermissionDenied
    form = ComplaintRecordForm(request.POST or None, user=request.user)
    if form_submit(
        request,
        form,
        lambda data: services.complaint_record(actor=request.user, **form.record_arguments()),
        success=lambda complaint: _("Complaint %(reference)s recorded.") % {"reference": complaint.reference},
    ):
        return redirect("complaints:detail", pk=form.result.pk)
    context = {"form": form, "nav_active": "complaint_new"}
    return render(request, "complaints/complaints/new.html", context, status=form_status(form))


# --- The queue -------------------------------------------------------------------------------------------


@login_only
def complaint_queue(request):
    user = request.user
    form = ComplaintFilterForm(request.GET or None, user=user)
    filters = form.filters() if form.is_bound else {}
    page = paginate(request, selectors.complaint_list(user=user, filters=filters), PAGE_SIZE)
    now = timezone.now()
    for complaint in page.object_list:
        _decorate(complaint, now)
    context = {
        "form": form,
        "page_obj": page,
        "nav_active": "complaints",
        "can_record": _may_record(user),
    }
    template = "complaints/complaints/queue.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#complaint-results"
    return render(request, template, context)


# --- The complaint page --------------------------------------------------------------------------------


def _detail_context(request, pk: int, bound: dict | None = None) -> dict:
    """The complaint page's context; ``bound`` replaces the blank forms by the ones just posted
    (an htmx answer to a refused action keeps what was typed)."""
    user = request.user
    complaint = selectors.complaint_get(user=user, complaint_id=pk)
    _decorate(complaint, timezone.now())
    events, follow_ups = selectors.complaint_timeline(complaint=complaint)
    is_handler = has_role(user, *HANDLER_ROLES)
    is_open = complaint.status != ComplaintStatus.CLOSED
    context = {
        "complaint": complaint,
        "events": events,
        "plans": list(complaint.plans.all()),
        "attachments": list(complaint.attachments.all()),
        "follow_ups": follow_ups,
        "concerned": list(complaint.concerned_employees.all()),
        "can_reveal": selectors.complaint_can_reveal_contact(user=user),
        "is_handler": is_handler and is_open,
        # A closed complaint's clock is stopped (CMP-1/2): neither pause nor resume is offered.
        "can_resume": is_handler and is_open and complaint.paused_since is not None,
        "can_close": has_role(user, Role.COMPANY_LEADER) and is_open,
        "nav_active": "complaints",
    }
    if context["is_handler"]:
        context.update(
            {
                "assign_form": ComplaintAssignForm(initial={"owner": complaint.owner_id}),
                "concerned_form": ComplaintConcernedForm(
                    user=user,
                    auto_id="id_concerned_%s",
                    initial={
                        "concerned_team": complaint.concerned_team_id,
                        "concerned_employees": [e.pk for e in context["concerned"]],
                    },
                ),
                "log_form": ComplaintLogForm(auto_id="id_log_%s"),
                "plan_form": ComplaintPlanForm(user=user),
                "resolve_form": ComplaintResolveForm(auto_id="id_resolve_%s", initial={"cause": complaint.cause}),
                "cause_suggestions": selectors.complaint_cause_suggestions(),
                "follow_up_form": ComplaintFollowUpForm(),
                "pause_form": ComplaintReasonForm(auto_id="id_pause_%s"),
            }
        )
    if context["can_close"]:
        context["close_form"] = ComplaintReasonForm(auto_id="id_close_%s")
    for key, form in (bound or {}).items():
        if key in context:
            context[key] = form
    return context


@login_only
def complaint_detail(request, pk: int):
    return render(request, "complaints/complaints/detail.html", _detail_context(request, pk))


@role_required(*selectors.CONTACT_REVEAL_ROLES)
@require_POST
def complaint_contact(request, pk: int):
    """htmx: the full phone and e-mail of one complaint, for the roles that need them; audited by
    the service (SEC-2). Never cached."""
    contact = services.complaint_contact_reveal(actor=request.user, complaint_id=pk)
    response = render(request, "complaints/complaints/detail.html#contact-revealed", {"contact": contact})
    response["Cache-Control"] = "private, no-store"
    return response


def _act(request, pk: int, form, action, *, success, form_key: str = ""):
    """One action from the complaint page: the form's errors become messages, else one service
    call (a refusal becomes a message, a complaint the user may not see a 404). Through htmx the
    answer is the page's body as it is now, the message out of band (a refused form keeps what
    was typed, under ``form_key``); without htmx, back to the page."""
    done = False
    if form.is_valid():
        done = action_run(request, lambda: action(form.cleaned_data), success=success)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    if not request.htmx:
        return redirect("complaints:detail", pk=pk)
    bound = {form_key: form} if form_key and not done else None
    return render(request, "complaints/complaints/detail.html#complaint-response", _detail_context(request, pk, bound))


@role_required(*HANDLER_ROLES)
@require_POST
def complaint_attach(request, pk: int):
    """Evidence file (CMP-2): checked by content by the service, stored privately."""
    action_run(
        request,
        lambda: services.complaint_attach(
            actor=request.user,
            complaint_id=pk,
            upload=request.FILES.get("file"),
            text=(request.POST.get("text") or "")[:4000],
        ),
        success=lambda attachment: _("Evidence %(name)s attached.") % {"name": attachment.original_name},
    )
    return redirect("complaints:detail", pk=pk)


@login_only
@require_GET
def complaint_attachment_download(request, pk: int):
    """An evidence file, only for people who may see its complaint; every read is audited."""
    attachment, handle = services.complaint_attachment_open(actor=request.user, attachment_id=pk)
    return private_file_response(handle, filename=attachment.original_name, content_type=attachment.content_type)


@role_required(*HANDLER_ROLES)
@require_POST
def complaint_assign(request, pk: int):
    return _act(
        request,
        pk,
        ComplaintAssignForm(request.POST),
        lambda data: services.complaint_assign(actor=request.user, complaint_id=pk, owner_id=data["owner"].pk),
        success=lambda complaint: _("%(name)s owns the complaint now.") % {"name": complaint.owner.name},
    )


@role_required(*HANDLER_ROLES)
@require_POST
def complaint_concerned(request, pk: int):
    """The agents and team the investigation found concerned (CMP-2), replacing those of intake."""
    form = ComplaintConcernedForm(request.POST, user=request.user, auto_id="id_concerned_%s")
    return _act(
        request,
        pk,
        form,
        lambda data: services.complaint_concerned_set(actor=request.user, complaint_id=pk, **form.service_arguments()),
        success=_("The agents and the team concerned are saved; the statistics count the complaint against them."),
        form_key="concerned_form",
    )


@role_required(*HANDLER_ROLES)
@require_POST
def complaint_log(request, pk: int):
    return _act(
        request,
        pk,
        ComplaintLogForm(request.POST, auto_id="id_log_%s"),
        lambda data: services.complaint_log(
            actor=request.user,
            complaint_id=pk,
            kind=data["kind"],
            text=data["text"],
            call_reference=data["call_reference"],
        ),
        success=lambda event: _("Recorded: %(kind)s.") % {"kind": event.get_kind_display()},
        form_key="log_form",
    )


@role_required(*HANDLER_ROLES)
@require_POST
def complaint_plan(request, pk: int):
    return _act(
        request,
        pk,
        ComplaintPlanForm(request.POST, user=request.user),
        lambda data: services.complaint_plan(
            actor=request.user,
            complaint_id=pk,
            description=data["description"],
            responsible_id=data["responsible"].pk,
            deadline=data["deadline"],
        ),
        success=lambda plan: _("Plan version %(version)s saved.") % {"version": plan.version},
        form_key="plan_form",
    )


@role_required(*HANDLER_ROLES)
@require_POST
def complaint_resolve(request, pk: int):
    return _act(
        request,
        pk,
        ComplaintResolveForm(request.POST, auto_id="id_resolve_%s"),
        lambda data: services.complaint_resolve(
            actor=request.user, complaint_id=pk, text=data["text"], cause=data["cause"]
        ),
        success=_("The complaint is resolved; the follow-up visit comes next (CMP-3)."),
        form_key="resolve_form",
    )


def _follow_up_outcome(follow_up) -> str:
    if follow_up.complaint.status == ComplaintStatus.CLOSED:
        return _("The customer is satisfied: the complaint is closed.")
    return _("The customer is not satisfied: the complaint is reopened and needs a new plan (CMP-3).")


@role_required(*HANDLER_ROLES)
@require_POST
def complaint_follow_up(request, pk: int):
    return _act(
        request,
        pk,
        ComplaintFollowUpForm(request.POST),
        lambda data: services.complaint_follow_up(
            actor=request.user, complaint_id=pk, satisfaction=data["satisfaction"], comment=data["comment"]
        ),
        success=_follow_up_outcome,
    )


@role_required(*HANDLER_ROLES)
@require_POST
def complaint_pause(request, pk: int):
    return _act(
        request,
        pk,
        ComplaintReasonForm(request.POST, auto_id="id_pause_%s"),
        lambda data: services.complaint_pause(actor=request.user, complaint_id=pk, reason=data["reason"]),
        success=_("The clock is paused."),
        form_key="pause_form",
    )


@role_required(*HANDLER_ROLES)
@require_POST
def complaint_resume(request, pk: int):
    return _act(
        request,
        pk,
        forms.Form(request.POST),
        lambda data: services.complaint_resume(actor=request.user, complaint_id=pk),
        success=_("The clock runs again; the open deadlines moved by the time it was paused."),
    )


@role_required(Role.COMPANY_LEADER)
@require_POST
def complaint_close(request, pk: int):
    return _act(
        request,
        pk,
        ComplaintReasonForm(request.POST, auto_id="id_close_%s"),
        lambda data: services.complaint_close(actor=request.user, complaint_id=pk, reason=data["reason"]),
        success=_("The complaint is closed."),
        form_key="close_form",
    )


urlpatterns = [
    path("", complaint_queue, name="queue"),
    path("new/", complaint_new, name="new"),
    path("<int:pk>/", complaint_detail, name="detail"),
    path("<int:pk>/contact/", complaint_contact, name="contact"),
    path("<int:pk>/assign/", complaint_assign, name="assign"),
    path("<int:pk>/attachments/", complaint_attach, name="attach"),
    path("attachments/<int:pk>/", complaint_attachment_download, name="attachment"),
    path("<int:pk>/concerned/", complaint_concerned, name="concerned"),
    path("<int:pk>/log/", complaint_log, name="log"),
    path("<int:pk>/plan/", complaint_plan, name="plan"),
    path("<int:pk>/resolve/", complaint_resolve, name="resolve"),
    path("<int:pk>/follow-up/", complaint_follow_up, name="follow_up"),
    path("<int:pk>/pause/", complaint_pause, name="pause"),
    path("<int:pk>/resume/", complaint_resume, name="resume"),
    path("<int:pk>/close/", complaint_close, name="close"),
]
