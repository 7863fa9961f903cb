"""Hiring pages (GEN-1), for HR: hire one person, import the staff list.

The one-time passwords are in the answer to the POST that made them and nowhere else: the
result pages are rendered by that POST (not redirected to), marked ``no-store``, and the
import's passwords are a download embedded in that page. Reloading asks the browser to post
again, which hires nobody twice (the employee numbers are taken).
"""

import base64

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from callcenter import selectors, services
from callcenter.exports import csv_bytes, file_response
from callcenter.forms import HireForm, StaffImportConfirmForm, StaffImportForm
from callcenter.pages import form_status, form_submit, refusal_status
from callcenter.permissions import role_required
from callcenter.roles import Role

_SESSION_KEY = "staff_import"


def _hire_form(request):
    user = request.user
    return HireForm(
        request.POST or None,
        departments=selectors.hire_department_choices(user=user),
        teams=selectors.hire_team_choices(user=user),
        positions=selectors.hire_position_choices(),
        roles=selectors.hire_role_choices(user=user),
    )


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
@never_cache
def hire(request):
    form = _hire_form(request)
    if form_submit(request, form, lambda data: services.employee_hire(actor=request.user, **form.service_arguments())):
        result = form.result
        return render(
            request,
            "callcenter/hiring/hired.html",
            {
                "result": result,
                "employee": result.employee,
                "onboarding": selectors.onboarding_item_list(employee=result.employee),
                "nav_active": "hire",
            },
        )
    return render(
        request, "callcenter/hiring/hire.html", {"form": form, "nav_active": "hire"}, status=form_status(form)
    )


def _import_page(request, *, form=None, plan=None, refusal=None, status=200):
    return render(
        request,
        "callcenter/hiring/import.html",
        {
            "form": form or StaffImportForm(),
            "plan": plan,
            "errors": [e.as_dict() for e in plan.errors[:200]] if plan else [],
            "error_count": len(plan.errors) if plan else 0,
            "refusal": refusal,
            "nav_active": "staff_import",
        },
        status=status,
    )


@role_required(Role.HR)
@require_http_methods(["GET", "POST"])
@never_cache
def staff_import(request):
    """Upload → preview (row errors, or what the file would do) → confirm."""
    form = StaffImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _import_page(request, form=form)
    holder = {}

    def preview(data):
        upload = data["file"]
        plan = services.staff_import_preview(actor=request.user, data=upload.read(), filename=upload.name, stage=True)
        holder["plan"] = plan
        return plan

    if not form_submit(request, form, preview):
        return _import_page(request, form=form, status=refusal_status(form))
    plan = holder["plan"]
    if plan.valid:
        request.session[_SESSION_KEY] = {"sha256": plan.sha256, "filename": plan.filename}
    return _import_page(request, form=StaffImportForm(), plan=plan, status=200 if plan.valid else 400)


@role_required(Role.HR)
@require_POST
@never_cache
def staff_import_confirm(request):
    form = StaffImportConfirmForm(request.POST)
    staged = request.session.get(_SESSION_KEY) or {}
    if not form_submit(
        request,
        form,
        lambda data: services.staff_import_commit(
            actor=request.user, filename=staged.get("filename", ""), expected_sha256=data["sha256"]
        ),
    ):
        refusal = getattr(form, "refusal", None)
        return render(
            request,
            "callcenter/hiring/import.html",
            {
                "form": StaffImportForm(),
                "errors": refusal.extra.get("errors", []) if refusal else [],
                "error_count": refusal.extra.get("error_count", 0) if refusal else 0,
                "refusal": str(refusal.message)
                if refusal
                else _("This preview is no longer current; upload the file again."),
                "nav_active": "staff_import",
            },
            status=refusal.status if refusal else 400,
        )
    request.session.pop(_SESSION_KEY, None)
    result = form.result
    download = ""
    if result.credentials:
        content = csv_bytes(
            headers=[_("Employee number"), _("Name"), _("Username"), _("One-time password")],
            rows=result.credentials,
        )
        download = "data:text/csv;charset=utf-8;base64," + base64.b64encode(content).decode("ascii")
    return render(
        request,
        "callcenter/hiring/imported.html",
        {"result": result, "plan": result.plan, "download": download, "nav_active": "staff_import"},
    )


@role_required(Role.HR)
@require_GET
def staff_import_template(request):
    language = "en" if request.GET.get("lang") == "en" else "zh-hans"
    file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
    return file_response(services.staff_import_template(language=language, file_format=file_format))


urlpatterns = [
    path("people/hire/", hire, name="hire"),
    path("people/import/", staff_import, name="staff_import"),
    path("people/import/confirm/", staff_import_confirm, name="staff_import_confirm"),
    path("people/import/template/", staff_import_template, name="staff_import_template"),
]
