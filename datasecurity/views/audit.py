"""Audit trail pages for the security auditor: the trail (read-only), its export and the chain
verification on request (SEC-2, SEC-3)."""

from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.exports import file_response
from callcenter.pages import action_run, paginate
from callcenter.permissions import role_required
from callcenter.roles import Role
from datasecurity import selectors, services

VERIFY_PARTIAL = "datasecurity/audit/list.html#audit-verify"


@role_required(Role.SECURITY_AUDITOR)
@vary_on_headers("HX-Request")
def audit_event_list(request):
    events = selectors.audit_event_list(user=request.user, filters=request.GET)
    page = paginate(request, events, 50)
    page.object_list = selectors.audit_events_describe(page.object_list)
    template = "datasecurity/audit/list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#audit-table"
    return render(
        request,
        template,
        {
            "page_obj": page,
            "head": selectors.audit_chain_head(),
            "checkpoint": selectors.audit_checkpoint_newest_file(),
            "filters": request.GET,
            "action_choices": selectors.audit_action_choices(),
            "object_type_choices": selectors.audit_object_type_choices(),
            "verify": selectors.audit_verify_last_run(user=request.user),
            "export_max": selectors.AUDIT_EXPORT_MAX_ROWS,
        },
    )


@role_required(Role.SECURITY_AUDITOR)
@require_POST
def audit_export(request):
    """The filtered events as a file; a refusal (too many events, unknown format) goes back to the
    list, same filters, with its message."""
    exported = []
    fmt = request.POST.get("format", "")
    if action_run(
        request, lambda: exported.append(services.audit_export(actor=request.user, filters=request.POST, fmt=fmt))
    ):
        return file_response(exported[0])
    return _back_to_list({k: request.POST[k] for k in services.AUDIT_EXPORT_FILTERS if request.POST.get(k)})


def _back_to_list(query: dict):
    response = redirect("datasecurity:audit_event_list")
    if query:
        response["Location"] += "?" + urlencode(query)
    return response


@role_required(Role.SECURITY_AUDITOR)
@require_POST
def audit_verify(request):
    action_run(
        request,
        lambda: services.audit_chain_verify_request(actor=request.user),
        success=_("The audit chain is being verified: the result appears on this page when it is done."),
    )
    return redirect("datasecurity:audit_event_list")


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def audit_verify_status(request):
    """The verification panel alone (htmx polls it while a verification runs)."""
    return render(request, VERIFY_PARTIAL, {"verify": selectors.audit_verify_last_run(user=request.user)})


urlpatterns = [
    path("audit/", audit_event_list, name="audit_event_list"),
    path("audit/export/", audit_export, name="audit_export"),
    path("audit/verify/", audit_verify, name="audit_verify"),
    path("audit/verify/status/", audit_verify_status, name="audit_verify_status"),
]
