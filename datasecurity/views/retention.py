"""The security auditor's audit archives (SEC-2): the archives of the events past the retention,
with their range, dates, size, locations and latest verification, and their download (audited)."""

from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET

from callcenter.exports import private_file_response
from callcenter.pages import action_run, paginate
from callcenter.permissions import role_required
from callcenter.roles import Role
from datasecurity import selectors, services


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def audit_archive_list(request):
    archives = selectors.audit_archive_list(user=request.user)
    return render(
        request,
        "datasecurity/retention/archive_list.html",
        {
            "page_obj": paginate(request, archives, 50),
            "overview": selectors.audit_retention_overview(user=request.user),
            "head": selectors.audit_chain_head(),
        },
    )


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def audit_archive_download(request, pk: int):
    """One archive as stored (gzip'd JSON lines, signed footer): an intact copy, audited."""
    opened = []
    if not action_run(request, lambda: opened.append(services.audit_archive_open(actor=request.user, archive_id=pk))):
        return redirect("datasecurity:audit_archive_list")
    archive, handle = opened[0]
    return private_file_response(
        handle, filename=selectors.audit_archive_filename(archive), content_type=services.ARCHIVE_CONTENT_TYPE
    )


urlpatterns = [
    path("audit/archives/", audit_archive_list, name="audit_archive_list"),
    path("audit/archives/<int:pk>/download/", audit_archive_download, name="audit_archive_download"),
]
