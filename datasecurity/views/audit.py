"""Audit trail pages for the security auditor (read-only)."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.vary import vary_on_headers

from callcenter.pages import paginate
from callcenter.permissions import role_required
from callcenter.roles import Role
from datasecurity import selectors


@role_required(Role.SECURITY_AUDITOR)
@vary_on_headers("HX-Request")
def audit_event_list(request):
    events = selectors.audit_event_list(user=request.user, filters=request.GET)
    page = paginate(request, events, 50)
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
        },
    )


urlpatterns = [
    path("audit/", audit_event_list, name="audit_event_list"),
]
