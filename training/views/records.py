"""Training records pages (TRN-3): "My training", the records list (own / team / department /
everyone by the org's visibility), an employee's record, HR's entry of an external course, the
CSV/XLSX export and the certificate of completion."""

from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.exports import file_response
from callcenter.pages import form_status, form_submit, paginate
from callcenter.permissions import login_only, role_required
from callcenter.roles import Role, has_role
from callcenter.selectors import employee_of
from training import selectors, services
from training.forms import ExternalRecordForm, RecordFilterForm

RECORDS_PAGE_SIZE = 50
MY_PAGE_SIZE = 20


@login_only
def my_training(request):
    """An agent's own record (TRN-3): this year's hours and passes, upcoming sessions (TRN-2),
    mandatory courses with their deadlines, and the records with their certificates."""
    me = employee_of(request.user)
    if me is None:
        return render(request, "training/records/mine.html", {"no_employee": True})
    today = timezone.localdate()
    context = {
        "summary": selectors.training_summary_mine(employee=me, today=today),
        "mandatory": selectors.compliance_mine(employee=me, today=today),
        "page_obj": paginate(
            request, selectors.training_record_list(user=request.user, filters={"employee": me.pk}), MY_PAGE_SIZE
        ),
        "year": today.year,
        "me": me,
    }
    return render(request, "training/records/mine.html", context)


@login_only
def record_list(request):
    """The records the reader may see, filtered and paginated (TRN-3)."""
    form = RecordFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    page = paginate(request, selectors.training_record_list(user=request.user, filters=filters), RECORDS_PAGE_SIZE)
    context = {
        "form": form,
        "page_obj": page,
        "query": request.GET.urlencode(),
        "can_enter": has_role(request.user, Role.HR),
    }
    return render(request, "training/records/list.html", context)


@login_only
def record_export(request, fmt: str):
    form = RecordFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    return file_response(services.training_record_export(actor=request.user, filters=filters, fmt=fmt))


@role_required(*selectors.RECORD_TEAM_ROLES)
def employee_records(request, employee_id: int):
    """One employee's training record (their remit's visibility; 404 otherwise)."""
    employee = selectors.training_record_subject(user=request.user, employee_id=employee_id)
    context = {
        "employee": employee,
        "mandatory": selectors.compliance_mine(employee=employee),
        "page_obj": paginate(
            request,
            selectors.training_record_list(user=request.user, filters={"employee": employee.pk}),
            RECORDS_PAGE_SIZE,
        ),
    }
    return render(request, "training/records/employee.html", context)


@role_required(Role.HR)
def record_new(request):
    """HR enters an external course (TRN-3); never on their own record (SEC-2)."""
    form = ExternalRecordForm(request.POST or None, user=request.user)
    done = form_submit(
        request,
        form,
        lambda data: services.training_record_external_create(
            actor=request.user,
            employee_id=data["employee_no"].pk,
            course_id=data["course"].pk,
            completed_on=data["completed_on"],
            hours=data["hours"],
            result=data["result"],
            score=data["score"],
        ),
        success=_("The training record has been entered (TRN-3)."),
    )
    if done:
        return redirect(reverse("training:employee_records", args=[form.result.employee_id]))
    return render(request, "training/records/new.html", {"form": form}, status=form_status(form))


@login_only
def certificate(request, record_id: int):
    """The certificate of completion (PDF) of a passed record: the owner, their reporting line
    and HR (TRN-3); audited."""
    return file_response(services.training_certificate_export(actor=request.user, record_id=record_id))


urlpatterns = [
    path("me/", my_training, name="my_training"),
    path("records/", record_list, name="records"),
    path("records/export.<str:fmt>", record_export, name="records_export"),
    path("records/new/", record_new, name="record_new"),
    path("records/employee/<int:employee_id>/", employee_records, name="employee_records"),
    path("records/<int:record_id>/certificate.pdf", certificate, name="certificate"),
]
