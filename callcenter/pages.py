"""Helpers for the pages (server-rendered views) of every app: form → service → message.

A form page::

    form = PunchCorrectionForm(request.POST or None)
    if form_submit(request, form, lambda data: services.punch_correction_submit(actor=request.user, **data),
                   success=_("Your correction request has been sent to your supervisor.")):
        return redirect("attendance:corrections")
    return render(request, "attendance/corrections/list.html", {"form": form}, status=form_status(form))

A button (POST) that calls one service::

    action_run(request, lambda: services.leave_request_withdraw(actor=request.user, leave_request_id=pk),
               success=_("Your request has been withdrawn."))
    return redirect("attendance:leave_detail", pk)

A refusal (:class:`~callcenter.errors.ApplicationError`) becomes a form error (on the field it
names, else on the form) or an error message, and nothing is written; a record the user may not
see (:class:`~callcenter.errors.NotFoundError`) is a 404 page. Views hold no ``try``/``except``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from callcenter.errors import ApplicationError, NotFoundError

__all__ = [
    "action_run",
    "form_status",
    "form_submit",
    "paginate",
    "redirect_back",
    "refusal_status",
]


def _message(success, result) -> str:
    return success(result) if callable(success) else success


def form_submit(request, form, action: Callable[[dict], Any], *, success=None) -> bool:
    """On a POST with a valid ``form``, call ``action(form.cleaned_data)``. True when it succeeded
    (``success``, a text or ``result -> text``, is shown as a message); False when there was no
    POST, the form is invalid, or the service refused (the refusal is added to the form)."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        result = action(form.cleaned_data)
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc
    except ApplicationError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, str(exc.message))
        form.refusal = exc
        return False
    form.result = result
    if success:
        messages.success(request, _message(success, result))
    return True


def action_run(request, action: Callable[[], Any], *, success=None) -> bool:
    """Call one service for a button: True when it succeeded (``success`` shown as a message),
    False when it refused (its message shown as an error). A hidden record is a 404."""
    try:
        result = action()
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return False
    if success:
        messages.success(request, _message(success, result))
    return True


def form_status(*forms) -> int:
    """400 when a submitted form has errors (tests and htmx see the refusal), else 200."""
    return 400 if any(f is not None and f.is_bound and f.errors for f in forms) else 200


def refusal_status(*forms) -> int:
    """Like :func:`form_status`, but a form the service refused answers with the refusal's own
    status (403 not allowed, 409 the record's state forbids it), for pages whose clients tell
    those apart from invalid input (400)."""
    for form in forms:
        refusal = getattr(form, "refusal", None)
        if refusal is not None:
            return refusal.status
    return form_status(*forms)


def paginate(request, items, per_page: int) -> Page:
    """The page of ``items`` the query string asks for (a bad page number gives the nearest page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def redirect_back(request, default: str, *args) -> HttpResponseRedirect:
    """To the POSTed ``next`` when it is a path on this site, else to ``default`` (a URL name)."""
    next_url = request.POST.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(next_url)
    return redirect(default, *args)
