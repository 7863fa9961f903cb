"""Pages of the destruction of data no longer needed (SEC-4): HR's retention schedule and
requests, the approvers' inbox (security auditors, company leaders), the request with its
progress, and the security auditor's destruction register with its certificates."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from callcenter.exports import file_response
from callcenter.pages import action_run, form_status, form_submit, paginate, refusal_status
from callcenter.permissions import role_required
from callcenter.roles import Role
from datasecurity import selectors, services
from datasecurity.forms import DestructionDecisionForm, DestructionRequestForm, RetentionPeriodForm
from datasecurity.models import DestructionMethod, DestructionRequestStatus

REQUESTERS = (Role.HR,)
REQUEST_READERS = (Role.HR, Role.SECURITY_AUDITOR, Role.COMPANY_LEADER)
APPROVERS = (Role.SECURITY_AUDITOR, Role.COMPANY_LEADER)
PROGRESS_PARTIAL = "datasecurity/destruct/request_detail.html#destruction-progress"


@role_required(*REQUESTERS, allow_staff=True)
def retention_schedule(request):
    """HR's retention schedule (SEC-4): each category's period, its default and why, what is due
    now; a period is changed in its row (bounded, audited)."""
    form = RetentionPeriodForm(request.POST or None)
    if form_submit(
        request,
        form,
        lambda data: services.retention_period_set(actor=request.user, category=data["category"], days=data["days"]),
        success=_("The retention period is saved; what falls due follows it from now on (SEC-4)."),
    ):
        return redirect("datasecurity:retention_schedule")
    rows = selectors.destruction_due(user=request.user)
    return render(
        request,
        "datasecurity/destruct/retention.html",
        {"rows": rows, "form": form, "failed_category": form.data.get("category") if form.is_bound else ""},
        status=form_status(form),
    )


@role_required(*REQUEST_READERS, allow_staff=True)
def destruction_request_list(request):
    """The requests, newest first; HR and administrators make a new one here (what is due now is
    listed above the form)."""
    can_request = selectors.can_request_destruction(request.user)
    form = DestructionRequestForm(request.POST or None)
    if request.method == "POST":
        if not can_request:
            raise PermissionDenied
        if form_submit(
            request,
            form,
            lambda data: services.destruction_request_create(actor=request.user, reason=data["reason"]),
            success=_("Your destruction request is sent to the security auditors and company leaders (SEC-4)."),
        ):
            return redirect("datasecurity:destruction_request_detail", form.result.pk)
    page = paginate(request, selectors.destruction_request_list(user=request.user, filters=request.GET), 25)
    due = selectors.destruction_due(user=request.user) if can_request else []
    return render(
        request,
        "datasecurity/destruct/requests.html",
        {
            "page_obj": page,
            "form": form,
            "can_request": can_request,
            "due": due,
            "due_total": sum(row.due.quantity for row in due),
            "status_choices": DestructionRequestStatus.choices,
            "filters": request.GET,
        },
        status=refusal_status(form),
    )


@role_required(*APPROVERS)
def destruction_inbox(request):
    """The approvers' inbox: pending requests of others, oldest first (SEC-4)."""
    page = paginate(request, selectors.destruction_inbox(user=request.user), 25)
    return render(request, "datasecurity/destruct/inbox.html", {"page_obj": page})


def _request_context(request, pk: int, **extra) -> dict:
    destruction = selectors.destruction_request_get(user=request.user, pk=pk)
    can_decide = selectors.destruction_request_can_decide(user=request.user, request=destruction)
    return {"destruction": destruction, "can_decide": can_decide, **extra}


@role_required(*REQUEST_READERS, allow_staff=True)
@vary_on_headers("HX-Request")
@require_GET
def destruction_request_detail(request, pk: int):
    context = _request_context(request, pk, decision_form=DestructionDecisionForm())
    template = "datasecurity/destruct/request_detail.html"
    if request.htmx and not request.htmx.history_restore_request:
        template = PROGRESS_PARTIAL
    return render(request, template, context)


@role_required(*APPROVERS)
@require_POST
def destruction_request_approve(request, pk: int):
    action_run(
        request,
        lambda: services.destruction_request_approve(actor=request.user, request_id=pk),
        success=_("Approved: the destruction runs in the background; its progress is shown here (SEC-4)."),
    )
    return redirect("datasecurity:destruction_request_detail", pk)


@role_required(*APPROVERS)
@require_POST
def destruction_request_reject(request, pk: int):
    form = DestructionDecisionForm(request.POST)
    if form_submit(
        request,
        form,
        lambda data: services.destruction_request_reject(actor=request.user, request_id=pk, reason=data["reason"]),
        success=_("Rejected: nothing is destroyed."),
    ):
        return redirect("datasecurity:destruction_request_detail", pk)
    context = _request_context(request, pk, decision_form=form)
    return render(request, "datasecurity/destruct/request_detail.html", context, status=refusal_status(form))


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def destruction_register(request):
    """The destruction register (SEC-4): every destruction with its name, quantity, time, method,
    responsible person and approver, newest first; filters; 50 a page."""
    page = paginate(request, selectors.destruction_record_list(user=request.user, filters=request.GET), 50)
    for record in page.object_list:
        record.category_label = selectors.destruction_category_label(record.category)
    return render(
        request,
        "datasecurity/destruct/register.html",
        {
            "page_obj": page,
            "filters": request.GET,
            "category_choices": selectors.destruction_category_choices(),
            "method_choices": DestructionMethod.choices,
        },
    )


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def destruction_record_detail(request, pk: int):
    record = selectors.destruction_record_get(user=request.user, pk=pk)
    record.category_label = selectors.destruction_category_label(record.category)
    return render(request, "datasecurity/destruct/record_detail.html", {"record": record})


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def destruction_certificate(request, pk: int):
    """The certificate of destruction as PDF, in the reader's language (audited)."""
    files = []

    def render_certificate():
        files.append(services.destruction_certificate(actor=request.user, record_id=pk))

    if not action_run(request, render_certificate):
        return redirect("datasecurity:destruction_record_detail", pk)
    return file_response(files[0])


urlpatterns = [
    path("security/retention/", retention_schedule, name="retention_schedule"),
    path("security/destruction/requests/", destruction_request_list, name="destruction_request_list"),
    path("security/destruction/inbox/", destruction_inbox, name="destruction_inbox"),
    path("security/destruction/requests/<int:pk>/", destruction_request_detail, name="destruction_request_detail"),
    path(
        "security/destruction/requests/<int:pk>/approve/",
        destruction_request_approve,
        name="destruction_request_approve",
    ),
    path(
        "security/destruction/requests/<int:pk>/reject/", destruction_request_reject, name="destruction_request_reject"
    ),
    path("security/destruction/", destruction_register, name="destruction_register"),
    path("security/destruction/<int:pk>/", destruction_record_detail, name="destruction_record_detail"),
    path("security/destruction/<int:pk>/certificate/", destruction_certificate, name="destruction_certificate"),
]
