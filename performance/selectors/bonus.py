"""Performance selectors: bonus sheets (PRF-4).

Only HR and company leaders read bonus sheets (pay data): for anyone else the lists are empty and
a single sheet is "not found". Every list here is bounded in queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from callcenter.duties import actor_employee_id
from callcenter.errors import NotFoundError
from callcenter.roles import Role, has_role
from callcenter.selectors import is_company_hr
from performance.models import BonusLine, BonusSheet, BonusSheetChange, BonusSheetFile, BonusSheetStatus

__all__ = [
    "BONUS_MONEY_FIELDS",
    "BONUS_READ_ROLES",
    "BonusApproval",
    "BonusTotals",
    "bonus_line_list",
    "bonus_sheet_approval",
    "bonus_sheet_department_totals",
    "bonus_sheet_file_get",
    "bonus_sheet_file_list",
    "bonus_sheet_get",
    "bonus_sheet_list",
    "bonus_sheet_readable",
    "bonus_sheet_versions",
]

BONUS_READ_ROLES = (Role.HR, Role.COMPANY_LEADER)
# The money columns of a line, in the order every view and export shows them.
BONUS_MONEY_FIELDS = (
    "bonus_base",
    "performance_amount",
    "attendance_fines",
    "absenteeism_deduction",
    "rewards",
    "penalties",
    "total",
)


def bonus_sheet_readable(user) -> bool:
    """Company HR and company leaders: the sheet is everyone's pay (an HR assistant limited to
    departments does not read it)."""
    roles = tuple(role for role in BONUS_READ_ROLES if role != Role.HR)
    return has_role(user, *roles) or is_company_hr(user)


def bonus_sheet_list(*, user, filters: dict | None = None) -> QuerySet[BonusSheet]:
    """Every version of every month's sheet, newest month first (HR and company leaders)."""
    if not bonus_sheet_readable(user):
        return BonusSheet.objects.none()
    filters = filters or {}
    qs = BonusSheet.objects.select_related("prepared_by__employee", "approved_by__employee", "cycle")
    if month := filters.get("month"):
        qs = qs.filter(month=month.replace(day=1))
    if year := filters.get("year"):
        qs = qs.filter(month__year=year)
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    return qs.order_by("-month", "-version")


def bonus_sheet_get(*, user, pk: int) -> BonusSheet:
    sheet = bonus_sheet_list(user=user).select_related("supersedes").filter(pk=pk).first()
    if sheet is None:
        raise NotFoundError(_("Bonus sheet not found."))
    return sheet


def bonus_sheet_versions(*, sheet: BonusSheet) -> list[BonusSheet]:
    """All versions of the sheet's month (the correction history), newest first."""
    return list(
        BonusSheet.objects.filter(month=sheet.month)
        .only("pk", "month", "version", "status", "correction_reason", "prepared_at", "approved_at", "total_amount")
        .order_by("-version")
    )


def bonus_line_list(*, user, sheet_id: int, filters: dict | None = None) -> QuerySet[BonusLine]:
    """The lines of a sheet, by department then employee number: the one read of the lines, for the
    sheet's page, the API and the three exports (PDF, XLSX, CSV). ``filters``: ``department``,
    ``q`` (employee number or name), ``band``, ``negative`` (payable below zero). Nothing for a
    reader who may not read bonus sheets."""
    if not bonus_sheet_readable(user):
        return BonusLine.objects.none()
    filters = filters or {}
    qs = BonusLine.objects.filter(sheet_id=sheet_id)
    if department := filters.get("department"):
        qs = qs.filter(department_id=department)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(employee_no__icontains=q) | Q(employee_name__icontains=q))
    if band := filters.get("band"):
        qs = qs.filter(band=band)
    if filters.get("negative"):
        qs = qs.filter(total__lt=0)
    # The department id after its name: two departments of the same name stay apart (PDF subtotals).
    return qs.order_by("department_name", "department_id", "employee_no")


class BonusTotals:
    """Headcount and money sums of a group of lines (a department or the whole sheet)."""

    def __init__(self, row: dict | None = None, *, department_id=None, department_name=""):
        row = row or {}
        self.department_id = department_id
        self.department_name = department_name
        self.employees = row.get("employees") or 0
        # Lines whose deductions exceed the bonus (payable below zero): flagged, never paid (PRF-4).
        self.negative_lines = row.get("negative_lines") or 0
        for name in BONUS_MONEY_FIELDS:
            setattr(self, name, row.get(name) or Decimal("0.00"))

    def add(self, other: BonusTotals) -> None:
        self.employees += other.employees
        self.negative_lines += other.negative_lines
        for name in BONUS_MONEY_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return {
            "department_id": self.department_id,
            "department_name": self.department_name,
            "employees": self.employees,
            "negative_lines": self.negative_lines,
            **{name: getattr(self, name) for name in BONUS_MONEY_FIELDS},
        }


def bonus_sheet_department_totals(*, sheet: BonusSheet) -> tuple[list[BonusTotals], BonusTotals]:
    """(per department, overall) sums of the sheet's lines, in one aggregate query."""
    rows = (
        BonusLine.objects.filter(sheet=sheet)
        .values("department_id", "department_name")
        .annotate(
            employees=Count("id"),
            negative_lines=Count("id", filter=Q(total__lt=0)),
            **{name: Sum(name) for name in BONUS_MONEY_FIELDS},
        )
        .order_by("department_name", "department_id")
    )
    departments = [BonusTotals(r, department_id=r["department_id"], department_name=r["department_name"]) for r in rows]
    overall = BonusTotals(department_name=_("All departments"))
    for d in departments:
        overall.add(d)
    return departments, overall


def bonus_sheet_file_list(*, user, sheet: BonusSheet) -> list[BonusSheetFile]:
    if not bonus_sheet_readable(user):
        return []
    return list(
        BonusSheetFile.objects.filter(sheet=sheet).select_related("requested_by").order_by("-requested_at")[:20]
    )


def bonus_sheet_file_get(*, user, pk: int) -> BonusSheetFile:
    file = None
    if bonus_sheet_readable(user):
        file = BonusSheetFile.objects.select_related("sheet").filter(pk=pk).first()
    if file is None:
        raise NotFoundError(_("Export not found."))
    return file


@dataclass(frozen=True)
class BonusApproval:
    """Who prepared or changed a version (names, in order), and whether ``user`` may approve it
    under the two-person rule (SEC-2); ``reason`` says why not. The other conditions (a draft, the
    cycle locked) are the page's."""

    changers: list[str] = field(default_factory=list)
    allowed: bool = False
    reason: str = ""


def _name(user) -> str:
    employee = getattr(user, "employee", None)
    return employee.name if employee is not None else user.get_username()


def bonus_sheet_approval(*, user, sheet: BonusSheet) -> BonusApproval:
    """The two-person rule for ``sheet`` as ``user`` sees it (two queries)."""
    changes = BonusSheetChange.objects.filter(sheet=sheet).select_related("changed_by__employee").order_by("id")
    changers, seen = [], set()
    for change in changes:
        if change.changed_by_id not in seen:
            seen.add(change.changed_by_id)
            changers.append(_name(change.changed_by))
    if sheet.status != BonusSheetStatus.DRAFT:
        return BonusApproval(changers=changers)
    if user.pk == sheet.prepared_by_id or user.pk in seen:
        return BonusApproval(
            changers=changers,
            reason=_("You prepared or changed this version: another HR colleague approves it (two people, SEC-2)."),
        )
    mine = actor_employee_id(user)
    adjusted = Q(rewards__gt=0) | Q(penalties__gt=0)
    if mine is not None and BonusLine.objects.filter(adjusted, sheet=sheet, employee_id=mine).exists():
        return BonusApproval(
            changers=changers,
            reason=_("Your own line carries a reward or fine: another HR colleague approves this version (SEC-2)."),
        )
    return BonusApproval(changers=changers, allowed=True)
