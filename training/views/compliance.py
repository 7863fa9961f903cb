"""Mandatory courses and compliance pages (TRN-1, TRN-3): HR manages the mandatory courses; HR
(and the reporting line, for their remit) read the compliance per team and who is due or overdue."""

from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter import inputs
from callcenter.exports import file_response
from callcenter.pages import form_status, form_submit, paginate
from callcenter.permissions import role_required
from callcenter.roles import Role
from training import selectors, services
from training.forms import MandatoryCourseForm

REPORT_PAGE_SIZE = 50
PEOPLE_PAGE_SIZE = 50
MANDATORY_PAGE_SIZE = 50


@role_required(*selectors.COMPLIANCE_REPORT_ROLES)
def compliance_report(request):
    """Compliance per team (TRN-3): done / due / overdue and % compliant, the teams of one page
    computed at a time."""
    team_id = inputs.safe_id(request.GET.get("team"))
    teams = selectors.compliance_teams(user=request.user, filters={"team": team_id} if team_id else None)
    page = paginate(request, teams, REPORT_PAGE_SIZE)
    rows = selectors.compliance_team_rows(user=request.user, teams=list(page.object_list))
    return render(
        request, "training/compliance/report.html", {"rows": rows, "page_obj": page, "today": timezone.localdate()}
    )


@role_required(*selectors.COMPLIANCE_REPORT_ROLES)
def compliance_export(request, fmt: str):
    return file_response(services.compliance_report_export(actor=request.user, fmt=fmt))


@role_required(*selectors.COMPLIANCE_REPORT_ROLES)
def compliance_people(request):
    """Who is due or overdue (TRN-3), of one team or everyone the reader sees."""
    team_id = inputs.safe_id(request.GET.get("team"))
    state = request.GET.get("state") if request.GET.get("state") in {"due", "overdue", "done"} else ""
    rows = selectors.compliance_people(user=request.user, filters={"team": team_id, "state": state})
    context = {
        "page_obj": paginate(request, rows, PEOPLE_PAGE_SIZE),
        "state": state,
        "team_id": team_id,
        "teams": selectors.compliance_teams(user=request.user),
        "today": timezone.localdate(),
    }
    return render(request, "training/compliance/people.html", context)


@role_required(Role.HR)
def mandatory_list(request):
    page = paginate(request, selectors.mandatory_course_list(user=request.user), MANDATORY_PAGE_SIZE)
    return render(request, "training/compliance/mandatory_list.html", {"page_obj": page})


def _service_kwargs(data: dict) -> dict:
    return {
        "audience_kind": data["audience_kind"],
        "positions": [p.pk for p in data.get("positions") or []],
        "teams": [t.pk for t in data.get("teams") or []],
        "people": data.get("people") or [],
        "deadline_kind": data["deadline_kind"],
        "days_after_hire": data.get("days_after_hire"),
        "yearly_month": data.get("yearly_month"),
        "yearly_day": data.get("yearly_day"),
        "fixed_date": data.get("fixed_date"),
        "applies_from": data.get("applies_from"),
        "active": bool(data.get("active")),
    }


@role_required(Role.HR)
def mandatory_new(request):
    form = MandatoryCourseForm(request.POST or None, initial={"active": True})
    done = form_submit(
        request,
        form,
        lambda data: services.mandatory_course_create(
            actor=request.user, course_id=data["course"].pk, **_service_kwargs(data)
        ),
        success=_("The course is now mandatory for its audience (TRN-1)."),
    )
    if done:
        return redirect(reverse("training:mandatory"))
    return render(request, "training/compliance/mandatory_form.html", {"form": form}, status=form_status(form))


@role_required(Role.HR)
def mandatory_edit(request, mandatory_id: int):
    mandatory = selectors.mandatory_course_get(user=request.user, pk=mandatory_id)
    initial = {
        "course": mandatory.course,
        "audience_kind": mandatory.audience_kind,
        "positions": list(mandatory.audience_positions.all()),
        "teams": list(mandatory.audience_teams.all()),
        "people": " ".join(e.employee_no for e in mandatory.audience_people.all()),
        "deadline_kind": mandatory.deadline_kind,
        "days_after_hire": mandatory.days_after_hire,
        "yearly_month": mandatory.yearly_month,
        "yearly_day": mandatory.yearly_day,
        "fixed_date": mandatory.fixed_date,
        "applies_from": mandatory.applies_from,
        "active": mandatory.active,
    }
    form = MandatoryCourseForm(request.POST or None, initial=initial, editing=True)
    done = form_submit(
        request,
        form,
        lambda data: services.mandatory_course_update(
            actor=request.user, mandatory_id=mandatory.pk, **_service_kwargs(data)
        ),
        success=_("The mandatory course has been saved (TRN-1)."),
    )
    if done:
        return redirect(reverse("training:mandatory"))
    context = {"form": form, "mandatory": mandatory}
    return render(request, "training/compliance/mandatory_form.html", context, status=form_status(form))


urlpatterns = [
    path("compliance/", compliance_report, name="compliance"),
    path("compliance/export.<str:fmt>", compliance_export, name="compliance_export"),
    path("compliance/people/", compliance_people, name="compliance_people"),
    path("mandatory/", mandatory_list, name="mandatory"),
    path("mandatory/new/", mandatory_new, name="mandatory_new"),
    path("mandatory/<int:mandatory_id>/", mandatory_edit, name="mandatory_edit"),
]
