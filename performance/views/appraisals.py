"""Performance pages: the evaluation workflow (PRF-3), mounted at /performance/. Thin: parse,
check, call one service or selector, render.

- ``/performance/`` — my appraisal: the current month's (if any), the open improvement actions,
  the history with a chart of the monthly combined scores;
- ``/performance/appraisals/<pk>/`` — one appraisal: items grouped by PRF-1 group with weights,
  the forms the reader's role and the status allow (self, superior, HR send back), the
  explanation of every number, the interview and improvement plan;
- ``/performance/appraisals/<pk>/interview/`` — the feedback interview form (the superior);
- ``/performance/team/`` — the appraisals a supervisor / manager / leader / HR may see, by month
  and status, with progress counts.
Everyone logged in may open the pages; the selectors decide whose appraisals they see (404
otherwise) and the services who may change what (a clear error otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from callcenter.pages import form_submit, paginate, refusal_status
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role, has_role
from callcenter.selectors import team_choices
from performance import selectors, services
from performance.forms import (
    AppraisalInterviewForm,
    AppraisalScoresForm,
    AppraisalSendBackForm,
    AppraisalTeamFilterForm,
    scores_initial,
)
from performance.models import AppraisalStatus, FeedbackInterview

PAGE_SIZE = 25
TEAM_ROLES = (Role.SUPERVISOR, Role.DEPARTMENT_MANAGER, Role.COMPANY_LEADER, Role.HR)


def _tabs(user) -> list[dict]:
    tabs = [{"key": "mine", "url": reverse("performance:my_appraisal"), "label": _("My appraisal")}]
    if has_role(user, *TEAM_ROLES):
        tabs.append({"key": "team", "url": reverse("performance:team_appraisals"), "label": _("Team appraisals")})
    return tabs


def _base(request, tab: str) -> dict:
    return {"appraisal_tabs": _tabs(request.user), "appraisal_tab": tab, "nav_active": "performance"}


# --- My appraisal ----------------------------------------------------------------------------------


@login_only
def my_appraisal(request):
    mine = selectors.appraisal_mine(user=request.user)
    context = {
        **_base(request, "mine"),
        **mine,
        "chart": selectors.appraisal_history_chart(mine["history"]),
    }
    return render(request, "performance/appraisals/mine.html", context)


# --- One appraisal -----------------------------------------------------------------------------------


def _detail_context(request, appraisal, *, self_form=None, superior_form=None, send_back_form=None) -> dict:
    user = request.user
    access = selectors.appraisal_access(user=user, appraisal=appraisal)
    items = appraisal.item_list
    if access.can_self and self_form is None:
        self_form = AppraisalScoresForm(
            items=items, side="self", initial=scores_initial(items, "self", appraisal.self_summary)
        )
    if access.can_superior and superior_form is None:
        superior_form = AppraisalScoresForm(
            items=items, side="superior", initial=scores_initial(items, "superior", appraisal.superior_summary)
        )
    if access.send_back_stages and send_back_form is None:
        send_back_form = AppraisalSendBackForm(stages=access.send_back_stages)
    # One editing form per reader: the employee edits the self side, the evaluator the superior side.
    editing_form = self_form or superior_form
    if editing_form is not None:
        editing_form.bind_items()
    try:
        interview = appraisal.interview
    except FeedbackInterview.DoesNotExist:
        interview = None
    return {
        **_base(request, "team" if not access.is_employee else "mine"),
        "appraisal": appraisal,
        "access": access,
        "groups": selectors.appraisal_item_groups(appraisal, access),
        "explanation": selectors.appraisal_explanation_lines(appraisal)
        if appraisal.total_score is not None or access.show_self
        else [],
        "self_form": self_form,
        "superior_form": superior_form,
        "editing": "self" if self_form is not None else "superior" if superior_form is not None else "",
        "send_back_form": send_back_form,
        "interview": interview,
        "actions": list(appraisal.actions.all()),
        "previous_actions": selectors.open_actions_before(employee_id=appraisal.employee_id, month=appraisal.month),
        "policy": appraisal.cycle.policy_snapshot or {},
        "today": timezone.localdate(),
    }


@login_only
def appraisal_detail(request, pk: int):
    appraisal = selectors.appraisal_get(user=request.user, pk=pk)
    return render(request, "performance/appraisals/detail.html", _detail_context(request, appraisal))


def _scores_post(request, pk: int, side: str):
    appraisal = selectors.appraisal_get(user=request.user, pk=pk)
    form = AppraisalScoresForm(request.POST, items=appraisal.item_list, side=side)
    submit = request.POST.get("action") == "submit"
    service = services.appraisal_self_save if side == "self" else services.appraisal_superior_save

    def save(data):
        return service(
            actor=request.user,
            appraisal_id=appraisal.pk,
            items=form.service_items(),
            summary=data.get("summary", ""),
            submit=submit,
        )

    if form_submit(request, form, save, success=_("Submitted.") if submit else _("Draft saved.")):
        return redirect("performance:appraisal_detail", pk=appraisal.pk)
    refusal = getattr(form, "refusal", None)
    if refusal is not None:
        # Refused (incomplete): the page comes back with everything typed, each gap marked.
        form.mark_missing(refusal.extra.get("missing_items", []))
    forms = {"self_form": form} if side == "self" else {"superior_form": form}
    context = _detail_context(request, appraisal, **forms)
    return render(request, "performance/appraisals/detail.html", context, status=refusal_status(form))


@login_only
@require_POST
def appraisal_self(request, pk: int):
    return _scores_post(request, pk, "self")


@login_only
@require_POST
def appraisal_superior(request, pk: int):
    return _scores_post(request, pk, "superior")


@role_required(Role.HR)
@require_POST
def appraisal_send_back(request, pk: int):
    appraisal = selectors.appraisal_get(user=request.user, pk=pk)
    form = AppraisalSendBackForm(request.POST)
    if form_submit(
        request,
        form,
        lambda data: services.appraisal_send_back(
            actor=request.user, appraisal_id=appraisal.pk, reason=data["reason"], stage=data["stage"]
        ),
        success=_("The appraisal was sent back; the person concerned has been notified."),
    ):
        return redirect("performance:appraisal_detail", pk=appraisal.pk)
    context = _detail_context(request, appraisal, send_back_form=form)
    return render(request, "performance/appraisals/detail.html", context, status=refusal_status(form))


@login_only
@require_http_methods(["GET", "POST"])
def appraisal_interview(request, pk: int):
    appraisal = selectors.appraisal_get(user=request.user, pk=pk)
    access = selectors.appraisal_access(user=request.user, appraisal=appraisal)
    if not access.is_evaluator:
        raise PermissionDenied(_("Only the evaluating superior of this appraisal may do this (PRF-3)."))
    if not access.can_interview:
        messages.error(
            request,
            _("The feedback interview is recorded after the superior's evaluation, before the month is locked."),
        )
        return redirect("performance:appraisal_detail", pk=appraisal.pk)
    previous = selectors.open_actions_before(employee_id=appraisal.employee_id, month=appraisal.month)
    owners = [appraisal.employee, request.user.employee]
    form = AppraisalInterviewForm(
        request.POST or None,
        owners=owners,
        previous_actions=previous,
        initial={"held_on": timezone.localdate()},
    )
    if form_submit(
        request,
        form,
        lambda _data: services.appraisal_interview_record(
            actor=request.user, appraisal_id=appraisal.pk, **form.service_arguments()
        ),
        success=_("Interview recorded; the appraisal is completed."),
    ):
        return redirect("performance:appraisal_detail", pk=appraisal.pk)
    form.bind_rows()
    context = {**_base(request, "team"), "appraisal": appraisal, "form": form, "previous_actions": previous}
    return render(request, "performance/appraisals/interview.html", context, status=refusal_status(form))


# --- Team appraisals ----------------------------------------------------------------------------------


@role_required(*TEAM_ROLES)
def team_appraisals(request):
    user = request.user
    months = selectors.appraisal_cycle_months()
    form = AppraisalTeamFilterForm(request.GET or None, months=months, teams=list(team_choices(user=user)))
    filters = form.filters(default_month=months[0] if months else None)
    if filters["month"] is None:
        filters.pop("month")
    page = paginate(request, selectors.appraisal_list(user=user, filters=filters), PAGE_SIZE)
    counts = selectors.appraisal_status_counts(user=user, filters=filters)
    context = {
        **_base(request, "team"),
        "form": form,
        "page_obj": page,
        "counts": counts,
        "progress": [(value, label, counts[value]) for value, label in AppraisalStatus.choices],
        "month": filters.get("month"),
    }
    return render(request, "performance/appraisals/team.html", context)


urlpatterns = [
    path("", my_appraisal, name="my_appraisal"),
    path("team/", team_appraisals, name="team_appraisals"),
    path("appraisals/<int:pk>/", appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/self/", appraisal_self, name="appraisal_self"),
    path("appraisals/<int:pk>/superior/", appraisal_superior, name="appraisal_superior"),
    path("appraisals/<int:pk>/interview/", appraisal_interview, name="appraisal_interview"),
    path("appraisals/<int:pk>/send-back/", appraisal_send_back, name="appraisal_send_back"),
]
