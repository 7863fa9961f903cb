"""Attendance pages: punch corrections (补卡, ATT-2). Thin: parse, check, call, render."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from attendance import selectors, services
from attendance.forms import CorrectionDecisionForm, PunchCorrectionForm
from callcenter.errors import ApplicationError, NotFoundError
from callcenter.permissions import login_only
from callcenter.selectors import employee_of


@login_only
@require_http_methods(["GET", "POST"])
def corrections(request):
    user = request.user
    form = PunchCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.punch_correction_submit(
                actor=user, work_date=data["work_date"], requested_time=data["requested_time"], reason=data["reason"]
            )
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Your correction request has been sent to your supervisor."))
            return redirect("attendance:corrections")
    mine = Paginator(selectors.punch_correction_list(user=user, filters={"mine": True}), 20).get_page(
        request.GET.get("page")
    )
    to_decide = list(selectors.punch_correction_list(user=user, filters={"to_decide": True})[:100])
    return render(
        request,
        "attendance/corrections.html",
        {
            "form": form,
            "page_obj": mine,
            "to_decide": to_decide,
            "is_employee": employee_of(user) is not None,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _decide(request, pk: int, action: str):
    try:
        correction = selectors.punch_correction_get(user=request.user, pk=pk)
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc
    form = CorrectionDecisionForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        if action == "approve":
            services.punch_correction_approve(actor=request.user, correction=correction, note=note)
            messages.success(request, _("Approved: the correction punch has been added."))
        elif action == "reject":
            services.punch_correction_reject(actor=request.user, correction=correction, note=note)
            messages.success(request, _("The request has been rejected."))
        else:
            services.punch_correction_withdraw(actor=request.user, correction=correction)
            messages.success(request, _("Your request has been withdrawn."))
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("attendance:corrections")


@login_only
@require_POST
def correction_approve(request, pk: int):
    return _decide(request, pk, "approve")


@login_only
@require_POST
def correction_reject(request, pk: int):
    return _decide(request, pk, "reject")


@login_only
@require_POST
def correction_withdraw(request, pk: int):
    return _decide(request, pk, "withdraw")


urlpatterns = [
    path("corrections/", corrections, name="corrections"),
    path("corrections/<int:pk>/approve/", correction_approve, name="correction_approve"),
    path("corrections/<int:pk>/reject/", correction_reject, name="correction_reject"),
    path("corrections/<int:pk>/withdraw/", correction_withdraw, name="correction_withdraw"),
]
