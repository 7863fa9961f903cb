"""Audit trail pages for the security auditor (read-only)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.views.decorators.vary import vary_on_headers

from callcenter.permissions import role_required
from callcenter.roles import Role
from datasecurity import selectors


@role_required(Role.SECURITY_AUDITOR)
@vary_on_headers("HX-Request")
def audit_event_list(request):
    events = selectors.audit_event_list(user=request.user, filters=request.GET)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    template = "datasecurity/audit/list.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#audit-table"
    return render(
        request,
        template,
        {"page_obj": page, "head": selectors.audit_chain_head(), "filters": request.GET},
    )


urlpatterns = [
    path("audit/", audit_event_list, name="audit_event_list"),
]
