"""Audit trail pages for the security auditor: the trail (read-only), its export and the chain
verification on request (SEC-2, SEC-3)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.errors import ApplicationError
from callcenter.exports import file_response, private_file_response
from callcenter.pages import action_run, paginate
from callcenter.permissions import role_required
from callcenter.roles import Role
from datasecurity import selectors, services
from datasecurity.errors import DataSecurityErrorCode

VERIFY_PARTIAL = "datasecurity/audit/list.html#audit-verify"
EXPORTS_PARTIAL = "datasecurity/audit/list.html#audit-exports"


def _exports_context(user) -> dict:
    exports = selectors.audit_export_list(user=user)
    return {"exports": exports, "exports_busy": selectors.audit_exports_busy(exports)}


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
            "export_cap": selectors.AUDIT_EXPORT_BACKGROUND_MAX_ROWS,
            **_exports_context(request.user),
        },
    )


@role_required(Role.SECURITY_AUDITOR)
@require_POST
def audit_export(request):
    """The filtered events as a file at once; a selection larger than the immediate export's
    bound is queued as a background export instead (its progress in "Your exports"); a refusal
    (over the cap, unknown format) goes back to the list, same filters, with its message."""
    fmt = request.POST.get("format", "")
    query = {k: request.POST[k] for k in services.AUDIT_EXPORT_FILTERS if request.POST.get(k)}
    try:
        export = services.audit_export(actor=request.user, filters=request.POST, fmt=fmt)
    except ApplicationError as exc:
        if exc.code != DataSecurityErrorCode.EXPORT_TOO_LARGE:
            messages.error(request, str(exc.message))
            return _back_to_list(query)
    else:
        return file_response(export)
    action_run(
        request,
        lambda: services.audit_export_request(actor=request.user, filters=request.POST, fmt=fmt),
        success=_(
            "More than %(max)s events match, so the export is written in the background: follow it "
            'under "Your exports" and download it there when it is ready.'
        )
        % {"max": f"{selectors.AUDIT_EXPORT_MAX_ROWS:,}"},
    )
    return _back_to_list(query)


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def audit_export_panel(request):
    """The "Your exports" panel alone (htmx polls it while an export is queued or running)."""
    return render(request, EXPORTS_PARTIAL, _exports_context(request.user))


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def audit_export_download(request, pk: int):
    """A finished background export: any security auditor; checksum verified, every download audited."""
    opened = []
    if not action_run(request, lambda: opened.append(services.audit_export_open(actor=request.user, export_id=pk))):
        return redirect("datasecurity:audit_event_list")
    export, handle = opened[0]
    return private_file_response(
        handle,
        filename=selectors.audit_export_filename(export),
        content_type=services.AUDIT_EXPORT_CONTENT_TYPES[export.file_format],
    )


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
    path("audit/exports/", audit_export_panel, name="audit_export_panel"),
    path("audit/exports/<int:pk>/download/", audit_export_download, name="audit_export_download"),
    path("audit/verify/", audit_verify, name="audit_verify"),
    path("audit/verify/status/", audit_verify_status, name="audit_verify_status"),
]
