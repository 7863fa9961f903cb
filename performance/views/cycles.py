"""Performance pages: the monthly cycles (PRF-2), mounted at /performance/. Thin: parse, check,
call one service or selector, render.

- ``/performance/cycles/`` — every month's cycle with its status and progress; HR opens a month;
- ``/performance/cycles/<pk>/`` — HR's review of a month: progress by stage, who is missing
  (filter by step, department, team; paginated), employees without a template or an evaluator,
  bands A–E per team with the average score (chart + table); HR's buttons: refresh the automatic
  indicators, send reminders now, lock (with force);
- ``/performance/cycles/<pk>/opening/`` — the progress card of a month being opened, polled by the
  review page (htmx) until the Celery task has created every appraisal, then the page reloads;
- ``/performance/cycles/<pk>/refreshing/`` — the same for HR's refresh of the automatic indicators;
- POST ``cycles/open/``, ``cycles/<pk>/refresh/``, ``cycles/<pk>/remind/``, ``cycles/<pk>/lock/``
  — HR only.

Readers: HR; company leaders and department managers read-only, over the appraisals in their
remit (the selectors count only what the reader may see).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from callcenter.pages import action_run, form_submit, paginate
from callcenter.permissions import role_required
from callcenter.roles import Role
from performance import selectors, services
from performance.errors import PerformanceErrorCode
from performance.forms import CycleLockForm, CycleOpenForm, CycleReviewFilterForm
from performance.models import CycleStatus

PAGE_SIZE = 25
READERS = (Role.HR, Role.COMPANY_LEADER, Role.DEPARTMENT_MANAGER)


def _list_context(request, open_form=None) -> dict:
    page_obj = paginate(request, selectors.appraisal_cycle_list(user=request.user), PAGE_SIZE)
    progress = selectors.appraisal_cycle_list_progress(user=request.user, cycles=list(page_obj.object_list))
    can_manage = selectors.can_manage_cycles(request.user)
    return {
        "nav_active": "performance_cycles",
        "page_obj": page_obj,
        "rows": [(cycle, progress[cycle.pk]) for cycle in page_obj.object_list],
        "can_manage": can_manage,
        "open_form": (open_form or CycleOpenForm()) if can_manage else None,
    }


@role_required(*READERS)
def cycle_list(request):
    return render(request, "performance/cycles/list.html", _list_context(request))


def _opened_message(request, cycle) -> None:
    month = cycle.month.strftime("%Y-%m")
    if cycle.status == CycleStatus.LOCKED:
        messages.warning(request, _("This month's cycle is locked; nothing was changed."))
    elif cycle.status == CycleStatus.OPENING:
        messages.info(
            request,
            _(
                "Opening %(month)s for %(count)s employees: the appraisals are created in the "
                "background; this page shows the progress."
            )
            % {"count": cycle.employees_expected, "month": month},
        )
    else:
        messages.success(
            request,
            _("%(month)s is open: %(count)s appraisals.") % {"count": cycle.employees_expected, "month": month},
        )


@role_required(Role.HR)
@require_POST
def cycle_open(request):
    form = CycleOpenForm(request.POST)

    def start(data):
        return services.appraisal_cycle_start(
            month=data["month"], actor=request.user, overdue_confirmed=data["confirm_overdue"]
        )

    if form_submit(request, form, start):
        # The task may already have run (eager mode, a fast worker): the review page reads it afresh.
        cycle = selectors.appraisal_cycle_get(user=request.user, pk=form.result.pk)
        _opened_message(request, cycle)
        return redirect("performance:cycle_review", pk=cycle.pk)
    context = _list_context(request, open_form=form)
    refusal = getattr(form, "refusal", None)
    if refusal is not None and refusal.code == PerformanceErrorCode.OVERDUE_UNCONFIRMED:
        # The confirmation step: what opening would create, overdue; confirming sends it again.
        # Refused until confirmed (400: nothing was created).
        context["overdue"] = {"month": form.cleaned_data["month"], **refusal.extra}
    return render(request, "performance/cycles/list.html", context, status=400)


@role_required(*READERS)
def cycle_review(request, pk: int):
    cycle = selectors.appraisal_cycle_get(user=request.user, pk=pk)
    form = CycleReviewFilterForm(request.GET or None)
    filters = form.filters()
    review = selectors.appraisal_cycle_review(user=request.user, cycle=cycle, filters=filters)
    form.set_options(departments=review["departments"], teams=review["teams"])
    page_obj = paginate(request, review["missing"], PAGE_SIZE)
    opening = cycle.status == CycleStatus.OPENING
    return render(
        request,
        "performance/cycles/review.html",
        {
            **review,
            "nav_active": "performance_cycles",
            "form": form,
            "filters": filters,
            "page_obj": page_obj,
            "can_manage": selectors.can_manage_cycles(request.user),
            "lock_form": CycleLockForm(),
            "opening": selectors.appraisal_cycle_opening_progress(cycle=cycle) if opening else None,
        },
    )


@role_required(*READERS)
@require_GET
def cycle_opening(request, pk: int):
    """The progress card of an opening month (polled); once opened, the whole page reloads."""
    cycle = selectors.appraisal_cycle_get(user=request.user, pk=pk)
    if cycle.status != CycleStatus.OPENING:
        return HttpResponseClientRefresh()
    context = {
        "cycle": cycle,
        "opening": selectors.appraisal_cycle_opening_progress(cycle=cycle),
        "can_manage": selectors.can_manage_cycles(request.user),
    }
    return render(request, "performance/cycles/opening.html", context)


@role_required(Role.HR)
@require_POST
def cycle_refresh(request, pk: int):
    action_run(
        request,
        lambda: services.appraisal_cycle_refresh_start(actor=request.user, cycle_id=pk),
        success=_(
            "Refreshing the automatic indicators in the background; this page shows when it is done, and you "
            "get a notification with the counts."
        ),
    )
    return redirect("performance:cycle_review", pk=pk)


@role_required(Role.HR)
@require_GET
def cycle_refreshing(request, pk: int):
    """The refresh status of a cycle (polled while pending); once done, the page reloads."""
    cycle = selectors.appraisal_cycle_get(user=request.user, pk=pk)
    if not cycle.refresh_pending:
        return HttpResponseClientRefresh()
    return render(request, "performance/cycles/refresh_status.html", {"cycle": cycle})


@role_required(Role.HR)
@require_POST
def cycle_remind(request, pk: int):
    action_run(
        request,
        lambda: services.appraisal_cycle_remind(actor=request.user, cycle_id=pk),
        success=lambda sent: _("%(count)s reminders sent (at most one per person a day).") % {"count": sent},
    )
    return redirect("performance:cycle_review", pk=pk)


@role_required(Role.HR)
@require_POST
def cycle_lock(request, pk: int):
    form = CycleLockForm(request.POST)
    force = form.is_valid() and form.cleaned_data["force"]
    action_run(
        request,
        lambda: services.appraisal_cycle_lock(actor=request.user, cycle_id=pk, force=force),
        success=_("The cycle is locked; its appraisals are read-only."),
    )
    return redirect("performance:cycle_review", pk=pk)


urlpatterns = [
    path("cycles/", cycle_list, name="cycle_list"),
    path("cycles/open/", cycle_open, name="cycle_open"),
    path("cycles/<int:pk>/", cycle_review, name="cycle_review"),
    path("cycles/<int:pk>/opening/", cycle_opening, name="cycle_opening"),
    path("cycles/<int:pk>/refreshing/", cycle_refreshing, name="cycle_refreshing"),
    path("cycles/<int:pk>/refresh/", cycle_refresh, name="cycle_refresh"),
    path("cycles/<int:pk>/remind/", cycle_remind, name="cycle_remind"),
    path("cycles/<int:pk>/lock/", cycle_lock, name="cycle_lock"),
]
