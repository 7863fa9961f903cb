"""Bonus sheet pages (PRF-4), mounted at /performance/bonus/. Thin: parse, check, call one service
or selector, render.

HR and company leaders read the sheets and request exports; only HR prepares, recomputes,
adjusts, approves and corrects. Everyone else gets 403. Exports render in the background; the
files card polls its own status every second (htmx) until every file is ready or failed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.exports import private_file_response
from callcenter.permissions import role_required
from callcenter.roles import Role, has_role
from performance import rules, selectors, services
from performance.errors import PerformanceErrorCode
from performance.forms_bonus import (
    BonusAdjustForm,
    BonusCorrectForm,
    BonusExportForm,
    BonusLineFilterForm,
    BonusPrepareForm,
    BonusSheetFilterForm,
)
from performance.models import BonusSheetStatus, CycleStatus, FileStatus
from performance.services.bonus import FILE_CONTENT_TYPES

READERS = (Role.HR, Role.COMPANY_LEADER)
HR = Role.HR
SHEET_PAGE = 25
LINE_PAGE = 50
NAV = "performance_bonus"


def _sheet(user, pk: int):
    try:
        return selectors.bonus_sheet_get(user=user, pk=pk)
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc


def _refused(request, exc: ApplicationError) -> None:
    if isinstance(exc, PermissionDeniedError):
        raise PermissionDenied(str(exc.message)) from exc
    if isinstance(exc, NotFoundError):
        raise Http404(str(exc.message)) from exc
    messages.error(request, str(exc.message))


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- The list -------------------------------------------------------------------------------------------


@role_required(*READERS)
@require_GET
def bonus_sheet_list(request):
    form = BonusSheetFilterForm(request.GET or None)
    sheets = selectors.bonus_sheet_list(user=request.user, filters=form.filters() if form.is_bound else {})
    page = Paginator(sheets, SHEET_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "prepare_form": BonusPrepareForm() if has_role(request.user, HR) else None,
        "nav_active": NAV,
    }
    return render(request, "performance/bonus/list.html", context)


@role_required(HR)
@require_POST
def bonus_sheet_prepare(request):
    form = BonusPrepareForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("performance:bonus_sheet_list")
    try:
        sheet = services.bonus_sheet_prepare(actor=request.user, month=form.cleaned_data["month"])
    except ApplicationError as exc:
        _refused(request, exc)
        return redirect("performance:bonus_sheet_list")
    messages.success(
        request,
        _("Bonus sheet %(month)s prepared: %(count)s lines.")
        % {"month": f"{sheet.month:%Y-%m}", "count": sheet.employees},
    )
    return redirect("performance:bonus_sheet_detail", pk=sheet.pk)


# --- One sheet ------------------------------------------------------------------------------------------------


def _explained(line) -> None:
    """The line's explanation as text, with each adjustment's position (for its remove button)."""
    position = 0
    line.explained = []
    for entry in line.explanation or []:
        adjustment = None
        if entry.get("rule") in services.ADJUSTMENT_ARTICLES:
            adjustment, position = position, position + 1
        line.explained.append({"text": rules.explain(entry), "adjustment": adjustment, "rule": entry.get("rule")})


@role_required(*READERS)
@require_GET
def bonus_sheet_detail(request, pk: int):
    user = request.user
    sheet = _sheet(user, pk)
    departments, overall = selectors.bonus_sheet_department_totals(sheet=sheet)
    form = BonusLineFilterForm(
        request.GET or None, departments=[(d.department_id, d.department_name) for d in departments]
    )
    lines = selectors.bonus_line_list(user=user, sheet=sheet, filters=form.filters() if form.is_bound else {})
    page = Paginator(lines, LINE_PAGE).get_page(request.GET.get("page"))
    for line in page.object_list:
        _explained(line)
    is_hr = has_role(user, HR)
    is_draft = sheet.status == BonusSheetStatus.DRAFT
    context = {
        "sheet": sheet,
        "departments": departments,
        "overall": overall,
        "form": form,
        "page_obj": page,
        "versions": selectors.bonus_sheet_versions(sheet=sheet),
        "files": selectors.bonus_sheet_file_list(user=user, sheet=sheet),
        "can_edit": is_hr and is_draft,
        "can_approve": is_hr and is_draft and sheet.cycle.status == CycleStatus.LOCKED,
        "approve_blocked": is_hr and is_draft and sheet.cycle.status != CycleStatus.LOCKED,
        "can_correct": is_hr and sheet.status == BonusSheetStatus.APPROVED,
        "adjust_form": BonusAdjustForm() if is_hr and is_draft else None,
        "correct_form": BonusCorrectForm() if is_hr and sheet.status == BonusSheetStatus.APPROVED else None,
        "export_formats": BonusExportForm.base_fields["file_format"].choices,
        "nav_active": NAV,
    }
    context["files_pending"] = any(f.status in (FileStatus.QUEUED, FileStatus.RUNNING) for f in context["files"])
    template = "performance/bonus/detail.html"
    if request.htmx and request.htmx.target == "bonus-lines" and not request.htmx.history_restore_request:
        template += "#bonus-lines"
    return render(request, template, context)


def _act(request, pk: int, action, form_class=None):
    """One action on a sheet: parse, call one service, report, go back to the (new) sheet."""
    sheet = _sheet(request.user, pk)
    data = {}
    if form_class is not None:
        form = form_class(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect("performance:bonus_sheet_detail", pk=sheet.pk)
        data = form.cleaned_data
    try:
        target, text = action(sheet, data)
    except ApplicationError as exc:
        _refused(request, exc)
        return redirect("performance:bonus_sheet_detail", pk=sheet.pk)
    messages.success(request, text)
    return redirect("performance:bonus_sheet_detail", pk=target.pk)


@role_required(HR)
@require_POST
def bonus_sheet_recompute(request, pk: int):
    def recompute(sheet, data):
        sheet = services.bonus_sheet_recompute(actor=request.user, sheet=sheet)
        return sheet, _("The draft was recomputed: %(count)s lines.") % {"count": sheet.employees}

    return _act(request, pk, recompute)


@role_required(HR)
@require_POST
def bonus_sheet_approve(request, pk: int):
    def approve(sheet, data):
        sheet = services.bonus_sheet_approve(actor=request.user, sheet=sheet)
        return sheet, _("The bonus sheet is approved and locked (PRF-4).")

    return _act(request, pk, approve)


@role_required(HR)
@require_POST
def bonus_sheet_correct(request, pk: int):
    def correct(sheet, data):
        new = services.bonus_sheet_correct(actor=request.user, sheet=sheet, reason=data["reason"])
        return new, _("Version %(old)s is kept as superseded; version %(new)s is a new draft.") % {
            "old": sheet.version,
            "new": new.version,
        }

    return _act(request, pk, correct, BonusCorrectForm)


@role_required(HR)
@require_POST
def bonus_sheet_adjust(request, pk: int):
    def adjust(sheet, data):
        line = selectors.bonus_line_list(user=request.user, sheet=sheet).filter(employee_no=data["employee_no"]).first()
        if line is None:
            raise ApplicationError(
                _("Employee %(number)s has no line on this sheet.") % {"number": data["employee_no"]},
                code=PerformanceErrorCode.LINE_NOT_FOUND,
            )
        line = services.bonus_line_adjust(
            actor=request.user,
            line=line,
            sheet_id=sheet.pk,
            kind=data["kind"],
            title=data["title"],
            amount=data["amount"],
        )
        return sheet, _("%(name)s: payable now %(total)s.") % {"name": line.employee_name, "total": line.total}

    return _act(request, pk, adjust, BonusAdjustForm)


@role_required(HR)
@require_POST
def bonus_adjustment_remove(request, pk: int, line_pk: int, position: int):
    def remove(sheet, data):
        line = services.bonus_line_adjustment_remove(
            actor=request.user, line=line_pk, sheet_id=sheet.pk, position=position
        )
        return sheet, _("%(name)s: payable now %(total)s.") % {"name": line.employee_name, "total": line.total}

    return _act(request, pk, remove)


# --- Exports -----------------------------------------------------------------------------------------------------


@role_required(*READERS)
@require_POST
def bonus_sheet_export(request, pk: int):
    def export(sheet, data):
        file = services.bonus_sheet_file_request(
            actor=request.user, sheet=sheet, file_format=data["file_format"], language=get_language()
        )
        return sheet, _("The %(format)s export is being made; it appears below when it is ready.") % {
            "format": file.get_file_format_display()
        }

    return _act(request, pk, export, BonusExportForm)


@role_required(*READERS)
@require_GET
def bonus_sheet_files(request, pk: int):
    """htmx: the exports card, polled every second while a file is queued or running."""
    sheet = _sheet(request.user, pk)
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
    try:
        file, handle = services.bonus_sheet_file_open(actor=request.user, file_id=pk)
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc
    except PermissionDeniedError as exc:
        raise PermissionDenied(str(exc.message)) from exc
    except ApplicationError as exc:
        file = selectors.bonus_sheet_file_get(user=request.user, pk=pk)
        messages.error(request, str(exc.message))
        return redirect("performance:bonus_sheet_detail", pk=file.sheet_id)
    filename = f"bonus-sheet-{file.sheet.month:%Y-%m}-v{file.sheet.version}.{file.file_format}"
    return private_file_response(handle, filename=filename, content_type=FILE_CONTENT_TYPES[file.file_format])


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
