"""Bonus sheet pages (PRF-4), mounted at /performance/bonus/. Thin: parse, check, call one service
or selector, render.

HR and company leaders read the sheets and request exports; only HR prepares, recomputes,
adjusts, approves and corrects. Everyone else gets 403. Exports render in the background; the
files card polls its own status every second (htmx) until every file is ready or failed.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from callcenter.exports import private_file_response
from callcenter.pages import action_run, form_submit, paginate
from callcenter.permissions import role_required
from callcenter.roles import Role, has_role
from performance import rules, selectors, services
from performance.forms import (
    BonusAdjustForm,
    BonusApproveForm,
    BonusCorrectForm,
    BonusExportForm,
    BonusLineFilterForm,
    BonusPrepareForm,
    BonusSheetFilterForm,
)
from performance.models import BonusSheetStatus, CycleStatus, FileStatus

READERS = (Role.HR, Role.COMPANY_LEADER)
HR = Role.HR
SHEET_PAGE = 25
LINE_PAGE = 50
NAV = "performance_bonus"


def _form_errors(request, form) -> None:
    """A form's errors (its input's and the service's refusal) as messages: the actions of a sheet
    go back to the sheet's page."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _corrected(new) -> str:
    text = _("Version %(old)s is kept as superseded; version %(new)s is a new draft.") % {
        "old": new.supersedes.version,
        "new": new.version,
    }
    if new.not_carried:
        text += " " + _(
            "Not carried over, because they are on the line of the person who added them (SEC-2): %(items)s. "
            "A colleague adds them again if they are due."
        ) % {"items": "; ".join(f"{e['employee_no']} {e['title']} {e['amount']}" for e in new.not_carried)}
    return text


def _payable(line) -> str:
    return _("%(name)s: payable now %(total)s.") % {"name": line.employee_name, "total": line.total}


# --- The list -------------------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def bonus_sheet_list(request):
    form = BonusSheetFilterForm(request.GET or None)
    sheets = selectors.bonus_sheet_list(user=request.user, filters=form.filters() if form.is_bound else {})
    context = {
        "form": form,
        "page_obj": paginate(request, sheets, SHEET_PAGE),
        "prepare_form": BonusPrepareForm() if has_role(request.user, HR) else None,
        "nav_active": NAV,
    }
    return render(request, "performance/bonus/list.html", context)


@role_required(HR)
@require_POST
def bonus_sheet_prepare(request):
    form = BonusPrepareForm(request.POST)
    if form_submit(
        request,
        form,
        lambda data: services.bonus_sheet_prepare(actor=request.user, month=data["month"]),
        success=lambda sheet: (
            _("Bonus sheet %(month)s prepared: %(count)s lines.")
            % {"month": f"{sheet.month:%Y-%m}", "count": sheet.employees}
        ),
    ):
        return redirect("performance:bonus_sheet_detail", pk=form.result.pk)
    _form_errors(request, form)
    return redirect("performance:bonus_sheet_list")


# --- One sheet ------------------------------------------------------------------------------------------------


def _explained(line) -> None:
    """The line's explanation as text, with each adjustment's position (for its remove button)."""
    position = 0
    line.explained = []
    for entry in line.explanation or []:
        adjustment = None
        if entry.get("rule") in rules.ADJUSTMENT_ARTICLES:
            adjustment, position = position, position + 1
        line.explained.append({"text": rules.explain(entry), "adjustment": adjustment, "rule": entry.get("rule")})


def _sheet_read(request):
    """The page's read of a sheet (its totals and a page of its lines), for the audited read."""

    def read(sheet, lines) -> dict:
        departments, overall = selectors.bonus_sheet_department_totals(sheet=sheet)
        form = BonusLineFilterForm(
            request.GET or None, departments=[(d.department_id, d.department_name) for d in departments]
        )
        page = paginate(request, lines(form.filters() if form.is_bound else {}), LINE_PAGE)
        page.object_list = list(page.object_list)  # read now, inside the audited transaction
        return {"sheet": sheet, "departments": departments, "overall": overall, "form": form, "page_obj": page}

    return read


@role_required(*READERS)
@require_GET
def bonus_sheet_detail(request, pk: int):
    user = request.user
    context = services.bonus_sheet_read(
        actor=user, sheet_id=pk, via="page", shows="lines", read=_sheet_read(request), page=request.GET.get("page")
    )
    sheet = context["sheet"]
    for line in context["page_obj"].object_list:
        _explained(line)
    is_hr = has_role(user, HR)
    is_draft = sheet.status == BonusSheetStatus.DRAFT
    approval = selectors.bonus_sheet_approval(user=user, sheet=sheet)
    context |= {
        "approval": approval,
        "versions": selectors.bonus_sheet_versions(sheet=sheet),
        "files": selectors.bonus_sheet_file_list(user=user, sheet=sheet),
        "can_edit": is_hr and is_draft,
        "can_approve": is_hr and is_draft and sheet.cycle.status == CycleStatus.LOCKED and approval.allowed,
        "approve_blocked": is_hr and is_draft and sheet.cycle.status != CycleStatus.LOCKED,
        "can_correct": is_hr and sheet.status == BonusSheetStatus.APPROVED,
        "adjust_form": BonusAdjustForm() if is_hr and is_draft else None,
        "approve_form": BonusApproveForm(),
        "correct_form": BonusCorrectForm() if is_hr and sheet.status == BonusSheetStatus.APPROVED else None,
        "export_formats": BonusExportForm.base_fields["file_format"].choices,
        "nav_active": NAV,
    }
    context["files_pending"] = any(f.status in (FileStatus.QUEUED, FileStatus.RUNNING) for f in context["files"])
    template = "performance/bonus/detail.html"
    if request.htmx and request.htmx.target == "bonus-lines" and not request.htmx.history_restore_request:
        template += "#bonus-lines"
    return render(request, template, context)


@role_required(HR)
@require_POST
def bonus_sheet_recompute(request, pk: int):
    action_run(
        request,
        lambda: services.bonus_sheet_recompute(actor=request.user, sheet_id=pk),
        success=lambda sheet: _("The draft was recomputed: %(count)s lines.") % {"count": sheet.employees},
    )
    return redirect("performance:bonus_sheet_detail", pk=pk)


@role_required(HR)
@require_POST
def bonus_sheet_approve(request, pk: int):
    form = BonusApproveForm(request.POST)
    acknowledged = form.is_valid() and form.cleaned_data["negative_acknowledged"]
    action_run(
        request,
        lambda: services.bonus_sheet_approve(actor=request.user, sheet_id=pk, negative_acknowledged=acknowledged),
        success=_("The bonus sheet is approved and locked (PRF-4)."),
    )
    return redirect("performance:bonus_sheet_detail", pk=pk)


@role_required(HR)
@require_POST
def bonus_sheet_correct(request, pk: int):
    form = BonusCorrectForm(request.POST)
    if form_submit(
        request,
        form,
        lambda data: services.bonus_sheet_correct(actor=request.user, sheet_id=pk, reason=data["reason"]),
        success=_corrected,
    ):
        return redirect("performance:bonus_sheet_detail", pk=form.result.pk)
    _form_errors(request, form)
    return redirect("performance:bonus_sheet_detail", pk=pk)


@role_required(HR)
@require_POST
def bonus_sheet_adjust(request, pk: int):
    form = BonusAdjustForm(request.POST)
    form_submit(
        request,
        form,
        lambda data: services.bonus_line_adjust(
            actor=request.user,
            sheet_id=pk,
            employee_no=data["employee_no"],
            kind=data["kind"],
            title=data["title"],
            amount=data["amount"],
        ),
        success=_payable,
    )
    _form_errors(request, form)
    return redirect("performance:bonus_sheet_detail", pk=pk)


@role_required(HR)
@require_POST
def bonus_adjustment_remove(request, pk: int, line_pk: int, position: int):
    action_run(
        request,
        lambda: services.bonus_line_adjustment_remove(
            actor=request.user, line_id=line_pk, sheet_id=pk, position=position
        ),
        success=_payable,
    )
    return redirect("performance:bonus_sheet_detail", pk=pk)


# --- Exports -----------------------------------------------------------------------------------------------------


@role_required(*READERS)
@require_POST
def bonus_sheet_export(request, pk: int):
    form = BonusExportForm(request.POST)
    form_submit(
        request,
        form,
        lambda data: services.bonus_sheet_file_request(
            actor=request.user, sheet_id=pk, file_format=data["file_format"], language=get_language()
        ),
        success=lambda file: (
            _("The %(format)s export is being made; it appears below when it is ready.")
            % {"format": file.get_file_format_display()}
        ),
    )
    _form_errors(request, form)
    return redirect("performance:bonus_sheet_detail", pk=pk)


@role_required(*READERS)
@require_GET
def bonus_sheet_files(request, pk: int):
    """htmx: the exports card, polled every second while a file is queued or running."""
    sheet = selectors.bonus_sheet_get(user=request.user, pk=pk)
    files = selectors.bonus_sheet_file_list(user=request.user, sheet=sheet)
    context = {
        "sheet": sheet,
        "files": files,
        "files_pending": any(f.status in (FileStatus.QUEUED, FileStatus.RUNNING) for f in files),
    }
    response = render(request, "performance/bonus/files.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*READERS)
@require_GET
def bonus_file_download(request, pk: int):
    """A finished export: HR and company leaders only; checksum verified, every download audited."""
    opened = []
    if not action_run(request, lambda: opened.append(services.bonus_sheet_file_open(actor=request.user, file_id=pk))):
        file = selectors.bonus_sheet_file_get(user=request.user, pk=pk)
        return redirect("performance:bonus_sheet_detail", pk=file.sheet_id)
    file, handle = opened[0]
    filename = f"bonus-sheet-{file.sheet.month:%Y-%m}-v{file.sheet.version}.{file.file_format}"
    return private_file_response(handle, filename=filename, content_type=services.FILE_CONTENT_TYPES[file.file_format])


urlpatterns = [
    path("bonus/", bonus_sheet_list, name="bonus_sheet_list"),
    path("bonus/prepare/", bonus_sheet_prepare, name="bonus_sheet_prepare"),
    path("bonus/<int:pk>/", bonus_sheet_detail, name="bonus_sheet_detail"),
    path("bonus/<int:pk>/recompute/", bonus_sheet_recompute, name="bonus_sheet_recompute"),
    path("bonus/<int:pk>/approve/", bonus_sheet_approve, name="bonus_sheet_approve"),
    path("bonus/<int:pk>/correct/", bonus_sheet_correct, name="bonus_sheet_correct"),
    path("bonus/<int:pk>/adjust/", bonus_sheet_adjust, name="bonus_sheet_adjust"),
    path(
        "bonus/<int:pk>/lines/<int:line_pk>/adjustments/<int:position>/remove/",
        bonus_adjustment_remove,
        name="bonus_adjustment_remove",
    ),
    path("bonus/<int:pk>/export/", bonus_sheet_export, name="bonus_sheet_export"),
    path("bonus/<int:pk>/files/", bonus_sheet_files, name="bonus_sheet_files"),
    path("bonus/files/<int:pk>/download/", bonus_file_download, name="bonus_file_download"),
]
