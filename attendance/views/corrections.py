"""Attendance pages: punch corrections (补卡, ATT-2). Thin: parse, call one service, render."""

from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from attendance import selectors, services
from attendance.forms import CorrectionDecisionForm, PunchCorrectionForm
from callcenter.pages import action_run, form_status, form_submit, paginate
from callcenter.permissions import login_only
from callcenter.selectors import employee_of

PAGE_SIZE = 20
TO_DECIDE_MAX = 100


@login_only
@require_http_methods(["GET", "POST"])
def corrections(request):
    user = request.user
    form = PunchCorrectionForm(request.POST or None)
    if form_submit(
        request,
        form,
        lambda data: services.punch_correction_submit(actor=user, **data),
        success=_("Your correction request has been sent to your supervisor."),
    ):
        return redirect("attendance:corrections")
    mine = selectors.punch_correction_list(user=user, filters={"mine": True})
    to_decide = selectors.punch_correction_list(user=user, filters={"to_decide": True})
    return render(
        request,
        "attendance/corrections/list.html",
        {
            "form": form,
            "page_obj": paginate(request, mine, PAGE_SIZE),
            "to_decide": selectors.punch_correction_beside_the_day(list(to_decide[:TO_DECIDE_MAX])),
            "is_employee": employee_of(user) is not None,
        },
        status=form_status(form),
    )


def _note(request) -> str:
    form = CorrectionDecisionForm(request.POST)
    return form.cleaned_data.get("note", "") if form.is_valid() else ""


def _decided(request, pk: int, action, *, success):
    """A decision from the inbox (ATT-2). Through htmx the answer is the request's row in its new
    state, with the count and the message out of band (a refusal swaps only the message, the row
    and the typed note stay); without htmx, back to the page."""
    if not action_run(request, action, success=success):
        if request.htmx:
            response = render(request, "attendance/corrections/list.html#correction-decided", _decided_context(request))
            response["HX-Reswap"] = "none"
            return response
        return redirect("attendance:corrections")
    if not request.htmx:
        return redirect("attendance:corrections")
    context = {**_decided_context(request), "correction": selectors.punch_correction_get(user=request.user, pk=pk)}
    return render(request, "attendance/corrections/list.html#correction-decided", context)


def _decided_context(request) -> dict:
    waiting = selectors.punch_correction_list(user=request.user, filters={"to_decide": True}).count()
    return {"to_decide_count": waiting}


@login_only
@require_POST
def correction_approve(request, pk: int):
    return _decided(
        request,
        pk,
        lambda: services.punch_correction_approve(actor=request.user, correction_id=pk, note=_note(request)),
        success=_("Approved: the correction punch has been added."),
    )


@login_only
@require_POST
def correction_reject(request, pk: int):
    return _decided(
        request,
        pk,
        lambda: services.punch_correction_reject(actor=request.user, correction_id=pk, note=_note(request)),
        success=_("The request has been rejected."),
    )


@login_only
@require_POST
def correction_withdraw(request, pk: int):
    action_run(
        request,
        lambda: services.punch_correction_withdraw(actor=request.user, correction_id=pk),
        success=_("Your request has been withdrawn."),
    )
    return redirect("attendance:corrections")


urlpatterns = [
    path("corrections/", corrections, name="corrections"),
    path("corrections/<int:pk>/approve/", correction_approve, name="correction_approve"),
    path("corrections/<int:pk>/reject/", correction_reject, name="correction_reject"),
    path("corrections/<int:pk>/withdraw/", correction_withdraw, name="correction_withdraw"),
]
