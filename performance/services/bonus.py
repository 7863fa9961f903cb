"""Performance services: the monthly bonus sheet (PRF-4) and its exports.

Life of a sheet (every other step is refused with a clear, translated error)::

    prepare ──> draft ──(recompute, adjust: rewards RWD-2 / fines PEN-1)──> draft
    draft ──(approve: the month's cycle is locked)──> approved (read-only, also in the database)
    approved ──(correct, with a reason)──> superseded  +  a new draft version N+1

- One line per employee appraised in the month's cycle: bonus base × the coefficient of the score
  band (policy in force for the month, kept on the sheet as a snapshot) − attendance fines (ATT-4)
  − absenteeism deduction (ATT-5) + rewards (RWD-2) − fines (PEN-1), with its explanation.
- Preparing 5,000 lines is a handful of queries: appraisals and employees in one query,
  attendance in chunks of :data:`_ATTENDANCE_CHUNK`, lines with ``bulk_create``, one audit event.
- Adjustments (rewards and fines decided by HR; the discipline app will feed them later) are
  stored as explanation entries of the line ``{"rule": "reward"|"penalty", ..., "by": user id}``;
  a recompute and a correction carry them over. Nobody adjusts their own line (SEC-2).
- Money leaves only with two people (SEC-2): every service that changes a version records who
  did (:class:`~performance.models.BonusSheetChange`, same transaction), and none of them may
  approve it; nor may anyone whose own line carries a reward or fine. The database refuses an
  approver who prepared or changed the version too (migration 0008). A correction's preparer is
  the person who corrects; the adjustments it carries count as changes of their deciders, and an
  adjustment on the line of the person who added it (possible before the rule) is not carried:
  it is listed in the correction's audit event and on the page, for a colleague to add again.
- Reading the lines (pay per employee) is audited like a download: :func:`bonus_sheet_read`
  reads and records who read which sheet, with which filters and page, in one transaction.
- Exports (PDF, XLSX, CSV) are rendered by a Celery task into private storage with a SHA-256,
  progress kept on the file row; the three formats read the lines through one selector
  (:func:`performance.selectors.bonus_line_list`) and are rendered by :mod:`performance.exports`;
  every request and every download is audited and the checksum verified on download.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from attendance.selectors import attendance_month_results
from callcenter.duties import actor_employee_id, privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, ExportFile, csv_file, xlsx_file
from callcenter.models import Employee
from callcenter.roles import Role, has_role
from callcenter.services import hr_company_wide_require
from datasecurity.services import audit_record, file_sha256, private_storage
from performance import rules
from performance.errors import PerformanceErrorCode
from performance.models import (
    Appraisal,
    AppraisalCycle,
    BonusChangeKind,
    BonusLine,
    BonusSheet,
    BonusSheetChange,
    BonusSheetFile,
    BonusSheetStatus,
    CycleStatus,
    FileFormat,
    FileStatus,
)
from performance.selectors import BONUS_READ_ROLES, bonus_line_list, bonus_sheet_get, policy_for_month

__all__ = [
    "BONUS_WRITE_ROLES",
    "FILE_CONTENT_TYPES",
    "bonus_line_adjust",
    "bonus_line_adjustment_remove",
    "bonus_sheet_approve",
    "bonus_sheet_correct",
    "bonus_sheet_file_open",
    "bonus_sheet_file_render",
    "bonus_sheet_file_request",
    "bonus_sheet_prepare",
    "bonus_sheet_read",
    "bonus_sheet_recompute",
]

logger = logging.getLogger(__name__)

BONUS_WRITE_ROLES = (Role.HR,)
_ATTENDANCE_CHUNK = 500
_LINE_BATCH = 1000
_EXPORT_CHUNK = 2000
_ADJUSTMENT_MAX = Decimal("100000.00")
_TITLE_MAX = 200
_REASON_MAX = 2000


# --- Helpers ---------------------------------------------------------------------------------------


def _require_hr(actor) -> None:
    if not has_role(actor, *BONUS_WRITE_ROLES):
        raise PermissionDeniedError(_("Only HR prepares, adjusts, approves and corrects bonus sheets (PRF-4)."))
    hr_company_wide_require(actor)  # the sheet is the whole company's pay


def _require_reader(actor) -> None:
    if not has_role(actor, *BONUS_READ_ROLES):
        raise PermissionDeniedError(_("Only HR and company leaders may read bonus sheets (PRF-4)."))


def _first_of_month(month) -> datetime.date:
    if isinstance(month, datetime.datetime):
        month = month.date()
    if not isinstance(month, datetime.date):
        raise ApplicationError(_("Choose a month."), code=PerformanceErrorCode.MONTH_INVALID)
    return month.replace(day=1)


def _lock_sheet(sheet_id: int) -> BonusSheet:
    locked = BonusSheet.objects.select_for_update(of=("self",)).select_related("cycle").filter(pk=sheet_id).first()
    if locked is None:
        raise NotFoundError(_("Bonus sheet not found."))
    return locked


def _refuse_locked(sheet: BonusSheet) -> None:
    if sheet.status == BonusSheetStatus.APPROVED:
        raise ApplicationError(
            _(
                "This bonus sheet is approved and locked (PRF-4); it cannot be changed. "
                "Correct it to make a new version."
            ),
            code=PerformanceErrorCode.SHEET_LOCKED,
            status=409,
        )
    if sheet.status == BonusSheetStatus.SUPERSEDED:
        raise ApplicationError(
            _("This version was superseded by a correction; it is kept as it was and cannot be changed."),
            code=PerformanceErrorCode.SHEET_SUPERSEDED,
            status=409,
        )


def _compute_lines(
    *, sheet: BonusSheet, policy, adjustments_by_employee: dict[int, list[dict]] | None = None
) -> list[BonusLine]:
    """The sheet's lines from the cycle's appraisals (unsaved). Bounded queries: one for the
    appraisals with their employees, three per chunk of attendance (ATT-4, ATT-5)."""
    adjustments_by_employee = adjustments_by_employee or {}
    appraisals = list(
        Appraisal.objects.filter(cycle=sheet.cycle)
        .select_related("employee", "department", "team")
        .only(
            "total_score",
            "employee__id",
            "employee__employee_no",
            "employee__name",
            "employee__team_id",
            "employee__monthly_base_pay",
            "employee__bonus_base",
            "department__id",
            "department__name",
            "team__id",
            "team__name",
        )
        .order_by("department__name", "employee__employee_no")
    )
    attendance = {}
    employees = [a.employee for a in appraisals]
    for start in range(0, len(employees), _ATTENDANCE_CHUNK):
        attendance.update(
            attendance_month_results(employees=employees[start : start + _ATTENDANCE_CHUNK], month=sheet.month)
        )
    lines = []
    for appraisal in appraisals:
        employee: Employee = appraisal.employee
        month_result = attendance.get(employee.pk)
        adjustments = adjustments_by_employee.get(employee.pk, [])
        rewards, penalties = rules.adjustment_sums(adjustments)
        figures = rules.bonus_line(
            score=appraisal.total_score,
            bonus_base=employee.bonus_base,
            policy=policy,
            attendance_fines=month_result.fines if month_result else Decimal("0"),
            absenteeism_deduction=month_result.deduction if month_result else Decimal("0"),
            rewards=rewards,
            penalties=penalties,
            adjustments=adjustments,
        )
        lines.append(
            BonusLine(
                sheet=sheet,
                employee=employee,
                appraisal=appraisal,
                employee_no=employee.employee_no,
                employee_name=employee.name,
                department=appraisal.department,
                department_name=appraisal.department.name,
                team_name=appraisal.team.name if appraisal.team_id else "",
                score=figures.score,
                band=figures.band,
                coefficient=figures.coefficient,
                bonus_base=figures.bonus_base,
                performance_amount=figures.performance_amount,
                attendance_fines=figures.attendance_fines,
                absenteeism_deduction=figures.absenteeism_deduction,
                rewards=figures.rewards,
                penalties=figures.penalties,
                total=figures.total,
                explanation=figures.explanation,
            )
        )
    return lines


def _store_lines(sheet: BonusSheet, lines: list[BonusLine]) -> None:
    BonusLine.objects.bulk_create(lines, batch_size=_LINE_BATCH)
    sheet.employees = len(lines)
    sheet.total_base = sum((line.bonus_base for line in lines), Decimal("0.00"))
    sheet.total_amount = sum((line.total for line in lines), Decimal("0.00"))


def _adjustments_by_employee(sheet: BonusSheet) -> dict[int, list[dict]]:
    """HR's rewards and fines on a sheet's lines, to carry into a recompute or a correction."""
    carried = defaultdict(list)
    for employee_id, explanation in BonusLine.objects.filter(sheet=sheet).values_list("employee_id", "explanation"):
        carried[employee_id].extend(rules.adjustments_of(explanation))
    return {k: v for k, v in carried.items() if v}


def _lock_cycle(month: datetime.date) -> AppraisalCycle:
    cycle = AppraisalCycle.objects.select_for_update().filter(month=month).first()
    if cycle is None:
        raise ApplicationError(
            _("There is no appraisal cycle for %(month)s yet; the bonus sheet is made from its appraisals (PRF-4).")
            % {"month": f"{month:%Y-%m}"},
            code=PerformanceErrorCode.NO_CYCLE,
            status=409,
        )
    if cycle.status == CycleStatus.OPENING:
        raise ApplicationError(
            _("The appraisal cycle for %(month)s is still being opened; prepare the bonus sheet when it is open.")
            % {"month": f"{month:%Y-%m}"},
            code=PerformanceErrorCode.CYCLE_OPENING,
            status=409,
        )
    return cycle


def _new_sheet(*, actor, cycle: AppraisalCycle, version: int, supersedes=None, reason: str = "") -> BonusSheet:
    policy = policy_for_month(cycle.month)
    sheet = BonusSheet(
        month=cycle.month,
        version=version,
        cycle=cycle,
        policy=policy if policy.pk else None,
        policy_snapshot=rules.policy_snapshot(policy),
        supersedes=supersedes,
        correction_reason=reason,
        prepared_by=actor,
        prepared_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            sheet.save()
    except IntegrityError as exc:
        raise ApplicationError(
            _("A current bonus sheet for %(month)s already exists; open it instead.")
            % {"month": f"{cycle.month:%Y-%m}"},
            code=PerformanceErrorCode.SHEET_EXISTS,
            status=409,
        ) from exc
    return sheet


def _audit(actor, action: str, sheet: BonusSheet, changes: dict) -> None:
    audit_record(actor=actor, action=action, obj=sheet, changes=changes)


def _changed(sheet: BonusSheet, actor, kind: str) -> None:
    """Record that ``actor`` changed this version (SEC-2: they will not approve it)."""
    BonusSheetChange.objects.create(sheet=sheet, changed_by=actor, kind=kind)


def _refuse_changer(actor, sheet: BonusSheet) -> None:
    """Money leaves only with two people (SEC-2): whoever prepared or changed this version does
    not approve it."""
    if sheet.prepared_by_id == actor.pk or BonusSheetChange.objects.filter(sheet=sheet, changed_by=actor).exists():
        raise PermissionDeniedError(
            _(
                "You prepared or changed this version of the bonus sheet, so another HR colleague approves it: "
                "money leaves only with two people (separation of duties, SEC-2)."
            ),
            code=PerformanceErrorCode.APPROVER_CHANGED_SHEET,
        )


# --- The sheet ---------------------------------------------------------------------------------------


@transaction.atomic
def bonus_sheet_prepare(*, actor, month: datetime.date) -> BonusSheet:
    """HR prepares the month's bonus sheet (PRF-4) as a draft: one line per appraised employee."""
    _require_hr(actor)
    month = _first_of_month(month)
    cycle = _lock_cycle(month)  # serialises two HR users preparing the same month
    current = BonusSheet.objects.filter(month=month).exclude(status=BonusSheetStatus.SUPERSEDED).first()
    if current is not None:
        raise ApplicationError(
            _("The bonus sheet for %(month)s already exists (version %(version)s, %(status)s); open it instead.")
            % {"month": f"{month:%Y-%m}", "version": current.version, "status": current.get_status_display()},
            code=PerformanceErrorCode.SHEET_EXISTS,
            status=409,
        )
    last = BonusSheet.objects.filter(month=month).aggregate(v=Max("version"))["v"] or 0
    sheet = _new_sheet(actor=actor, cycle=cycle, version=last + 1)
    _changed(sheet, actor, BonusChangeKind.PREPARED)
    lines = _compute_lines(sheet=sheet, policy=rules.policy_from_snapshot(sheet.policy_snapshot))
    _store_lines(sheet, lines)
    sheet.save(update_fields=["employees", "total_base", "total_amount"])
    _audit(
        actor,
        "bonus_sheet.prepare",
        sheet,
        {"month": f"{month:%Y-%m}", "version": sheet.version, "lines": sheet.employees, "total": sheet.total_amount},
    )
    return sheet


@transaction.atomic
def bonus_sheet_recompute(*, actor, sheet_id: int) -> BonusSheet:
    """Recompute a draft from the current appraisals, attendance and bonus bases, under the policy
    snapshot the sheet was prepared with; HR's adjustments are kept."""
    _require_hr(actor)
    sheet = _lock_sheet(sheet_id)
    _refuse_locked(sheet)
    before = {"lines": sheet.employees, "total": str(sheet.total_amount)}
    carried = _adjustments_by_employee(sheet)
    BonusLine.objects.filter(sheet=sheet).delete()
    lines = _compute_lines(
        sheet=sheet, policy=rules.policy_from_snapshot(sheet.policy_snapshot), adjustments_by_employee=carried
    )
    _store_lines(sheet, lines)
    sheet.prepared_by = actor
    sheet.prepared_at = timezone.now()
    sheet.save(update_fields=["employees", "total_base", "total_amount", "prepared_by", "prepared_at"])
    _changed(sheet, actor, BonusChangeKind.RECOMPUTED)
    dropped = sorted(set(carried) - {line.employee_id for line in lines})
    _audit(
        actor,
        "bonus_sheet.recompute",
        sheet,
        {
            "lines": [before["lines"], sheet.employees],
            "total": [before["total"], str(sheet.total_amount)],
            "adjustments_dropped_for": dropped,
        },
    )
    return sheet


@privileged_service(
    "performance.bonus_sheet_approve", label=gettext_lazy("approve a bonus sheet with a reward or fine")
)
@transaction.atomic
def bonus_sheet_approve(*, actor, sheet_id: int, negative_acknowledged: bool = False) -> BonusSheet:
    """HR approves and locks a draft (PRF-4): only once the month's appraisal cycle is locked, so
    no score can change under an approved sheet. Approved lines are read-only in the database.
    Two people (SEC-2): not by anyone who prepared or changed this version, nor by someone whose
    own line carries a reward or fine (a discretionary decision about them).

    Lines with a negative payable amount (the deductions of ATT-4, ATT-5 and PEN-1 exceed the
    performance bonus and rewards) are not a payment: a bonus is never paid below zero, and what
    remains of the deductions is for payroll to settle against the month's pay. The approver has
    to say they have seen them (``negative_acknowledged``); the count is kept in the audit event,
    so the payroll office knows the sheet was approved with those lines in view."""
    _require_hr(actor)
    sheet = _lock_sheet(sheet_id)
    if sheet.status == BonusSheetStatus.APPROVED:
        raise ApplicationError(
            _("This bonus sheet is already approved."), code=PerformanceErrorCode.ALREADY_APPROVED, status=409
        )
    _refuse_locked(sheet)
    cycle = AppraisalCycle.objects.select_for_update().get(pk=sheet.cycle_id)
    if cycle.status != CycleStatus.LOCKED:
        raise ApplicationError(
            _(
                "The appraisal cycle for %(month)s is not locked yet; HR locks it when every appraisal is "
                "final, then the bonus sheet can be approved (PRF-2, PRF-4)."
            )
            % {"month": f"{sheet.month:%Y-%m}"},
            code=PerformanceErrorCode.CYCLE_NOT_LOCKED,
            status=409,
        )
    if not sheet.employees:
        raise ApplicationError(
            _("This bonus sheet has no lines; there is nothing to approve."), code=PerformanceErrorCode.SHEET_EMPTY
        )
    _refuse_changer(actor, sheet)
    negative = BonusLine.objects.filter(sheet=sheet, total__lt=0).count()
    if negative and not negative_acknowledged:
        raise ApplicationError(
            ngettext(
                "%(count)s line has a negative payable amount: its deductions (ATT-4, ATT-5, PEN-1) exceed "
                "the bonus. A bonus is never paid below zero; payroll settles the difference from the month's "
                "pay. Check the line, then confirm that you have seen it to approve (PRF-4).",
                "%(count)s lines have a negative payable amount: their deductions (ATT-4, ATT-5, PEN-1) exceed "
                "the bonus. A bonus is never paid below zero; payroll settles the difference from the month's "
                "pay. Check the lines, then confirm that you have seen them to approve (PRF-4).",
                negative,
            )
            % {"count": negative},
            code=PerformanceErrorCode.NEGATIVE_LINES_UNACKNOWLEDGED,
            extra={"negative_lines": negative},
            field="negative_acknowledged",
        )
    own_adjusted = (
        BonusLine.objects.filter(sheet=sheet, employee_id=actor_employee_id(actor))
        .filter(Q(rewards__gt=0) | Q(penalties__gt=0))
        .values_list("employee_id", flat=True)
    )
    refuse_own_record(actor=actor, employee_ids=list(own_adjusted), action="performance.bonus_sheet_approve")
    sheet.status = BonusSheetStatus.APPROVED
    sheet.approved_by = actor
    sheet.approved_at = timezone.now()
    sheet.save(update_fields=["status", "approved_by", "approved_at"])
    _audit(
        actor,
        "bonus_sheet.approve",
        sheet,
        {
            "status": [BonusSheetStatus.DRAFT, BonusSheetStatus.APPROVED],
            "total": sheet.total_amount,
            "negative_lines": negative,
            "negative_acknowledged": bool(negative and negative_acknowledged),
        },
    )
    return sheet


def _carry_over(old: BonusSheet, carried: dict[int, list[dict]]) -> tuple[dict[int, list[dict]], list[dict], set[int]]:
    """The adjustments a correction carries into version N+1 (SEC-2), the ones it does not, and the
    users who decided the carried ones (they count as changers of the new version).

    An adjustment on the line of the person who added it was never allowed by the own-record rule;
    one may exist from before the rule. It is not carried silently: it is left out and reported. An
    adjustment from before adjustments recorded who added them (no ``by``) is taken as decided by
    the old version's preparer, who answered for its contents; on the line of its preparer or
    approver it is left out too (nobody can tell it was not self-added)."""
    users = dict(Employee.objects.filter(pk__in=list(carried)).values_list("pk", "user_id"))
    numbers = dict(
        BonusLine.objects.filter(sheet=old, employee_id__in=list(carried)).values_list("employee_id", "employee_no")
    )
    kept: dict[int, list[dict]] = {}
    left_out: list[dict] = []
    deciders: set[int] = set()
    for employee_id, adjustments in carried.items():
        beneficiary = users.get(employee_id)
        for entry in adjustments:
            decider = entry.get("by")
            self_added = (
                decider == beneficiary
                if decider is not None
                else beneficiary in {old.prepared_by_id, old.approved_by_id}
            )
            if self_added:
                left_out.append({"employee_no": numbers.get(employee_id, ""), **entry})
                continue
            kept.setdefault(employee_id, []).append(entry)
            deciders.add(decider if decider is not None else old.prepared_by_id)
    return kept, left_out, deciders


@transaction.atomic
def bonus_sheet_correct(*, actor, sheet_id: int, reason: str) -> BonusSheet:
    """A correction after approval (PRF-4): the approved version is kept, marked superseded (its
    files stay downloadable), and a new draft version N+1 is computed afresh under the policy in
    force for the month; HR's adjustments are carried over (see :func:`_carry_over`). The person
    who corrects is the new version's preparer. Returns the new draft, with ``not_carried``: the
    adjustments left out."""
    _require_hr(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the correction."), code=PerformanceErrorCode.REASON_MISSING)
    if len(reason) > _REASON_MAX:
        raise ApplicationError(
            _("The reason is too long (at most %(max)s characters).") % {"max": _REASON_MAX},
            code=PerformanceErrorCode.REASON_TOO_LONG,
        )
    old = _lock_sheet(sheet_id)
    if old.status == BonusSheetStatus.DRAFT:
        raise ApplicationError(
            _("A draft is not corrected: recompute it or change its adjustments, then approve it."),
            code=PerformanceErrorCode.CORRECT_DRAFT,
            status=409,
        )
    if old.status == BonusSheetStatus.SUPERSEDED:
        raise ApplicationError(
            _("This version was already corrected; correct the current version instead."),
            code=PerformanceErrorCode.SHEET_SUPERSEDED,
            status=409,
        )
    carried, not_carried, deciders = _carry_over(old, _adjustments_by_employee(old))
    old.status = BonusSheetStatus.SUPERSEDED
    old.save(update_fields=["status"])
    cycle = old.cycle  # loaded with the sheet's lock
    last = BonusSheet.objects.filter(month=old.month).aggregate(v=Max("version"))["v"] or old.version
    new = _new_sheet(actor=actor, cycle=cycle, version=last + 1, supersedes=old, reason=reason)
    _changed(new, actor, BonusChangeKind.CORRECTED)
    BonusSheetChange.objects.bulk_create(
        [
            BonusSheetChange(sheet=new, changed_by_id=user_id, kind=BonusChangeKind.CARRIED)
            for user_id in sorted(deciders - {actor.pk})
        ]
    )
    lines = _compute_lines(
        sheet=new, policy=rules.policy_from_snapshot(new.policy_snapshot), adjustments_by_employee=carried
    )
    _store_lines(new, lines)
    new.save(update_fields=["employees", "total_base", "total_amount"])
    _audit(
        actor,
        "bonus_sheet.correct",
        old,
        {
            "status": [BonusSheetStatus.APPROVED, BonusSheetStatus.SUPERSEDED],
            "new_version": new.version,
            "reason": reason,
            "adjustments_not_carried": not_carried,
        },
    )
    _audit(
        actor,
        "bonus_sheet.prepare",
        new,
        {"month": f"{new.month:%Y-%m}", "version": new.version, "lines": new.employees, "corrects": old.version},
    )
    new.not_carried = not_carried
    return new


# --- Adjustments (RWD-2, PEN-1) --------------------------------------------------------------------


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(rules.CENT)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ApplicationError(
            _("Enter the amount as a number, e.g. 200.00."), code=PerformanceErrorCode.AMOUNT_INVALID
        ) from exc
    if amount <= 0 or amount > _ADJUSTMENT_MAX:
        raise ApplicationError(
            _("The amount must be more than 0 and at most %(max)s.") % {"max": _ADJUSTMENT_MAX},
            code=PerformanceErrorCode.AMOUNT_INVALID,
        )
    return amount


def _lock_line(*, line_id: int | None, sheet_id: int | None, employee_no: str | None) -> tuple[BonusSheet, BonusLine]:
    """The draft sheet and one of its lines, both locked (the sheet's lock first, as every other
    writer of the sheet takes it). The line by id, or by employee number on ``sheet_id``."""
    if line_id is not None:
        found = BonusLine.objects.filter(pk=line_id).values_list("sheet_id", flat=True).first()
        if found is None or (sheet_id is not None and found != sheet_id):
            raise NotFoundError(_("Bonus line not found."))
        sheet_id = found
    sheet = _lock_sheet(sheet_id)
    _refuse_locked(sheet)
    lines = BonusLine.objects.select_for_update().filter(sheet_id=sheet.pk)
    line = lines.filter(pk=line_id).first() if line_id is not None else lines.filter(employee_no=employee_no).first()
    if line is None:
        if line_id is not None:
            raise NotFoundError(_("Bonus line not found."))
        raise ApplicationError(
            _("Employee %(number)s has no line on this sheet.") % {"number": employee_no},
            code=PerformanceErrorCode.LINE_NOT_FOUND,
            field="employee_no",
        )
    return sheet, line


def _refigure(line: BonusLine, sheet: BonusSheet, adjustments: list[dict]) -> Decimal:
    """Apply the line's adjustments again (the computed part stays as prepared); returns the
    change of the line's total."""
    rewards, penalties = rules.adjustment_sums(adjustments)
    old_total = line.total
    line.rewards = rules.q2(rewards)
    line.penalties = rules.q2(penalties)
    line.total = rules.q2(
        line.performance_amount - line.attendance_fines - line.absenteeism_deduction + line.rewards - line.penalties
    )
    line.explanation = [e for e in line.explanation if e.get("rule") not in rules.ADJUSTMENT_ARTICLES] + adjustments
    line.save(update_fields=["rewards", "penalties", "total", "explanation"])
    delta = line.total - old_total
    sheet.total_amount += delta
    sheet.save(update_fields=["total_amount"])
    return delta


@privileged_service("performance.bonus_line_adjust", label=gettext_lazy("add a reward or fine to a bonus line"))
@transaction.atomic
def bonus_line_adjust(
    *,
    actor,
    kind: str,
    title: str,
    amount,
    line_id: int | None = None,
    sheet_id: int | None = None,
    employee_no: str | None = None,
) -> BonusLine:
    """Add a reward (RWD-2, money that flows into the bonus sheet) or a fine (PEN-1, deducted from
    that month's pay) to one line of a draft, with a title that explains it. The line is
    ``line_id``, or the line of ``employee_no`` on the sheet ``sheet_id``. Never one's own line
    (SEC-2); the entry records who added it."""
    _require_hr(actor)
    if kind not in rules.ADJUSTMENT_ARTICLES:
        raise ApplicationError(_("Choose a reward or a fine."), code=PerformanceErrorCode.KIND_INVALID)
    title = " ".join((title or "").split())
    if not title:
        raise ApplicationError(
            _("Give the reward or fine a title (what it is for)."), code=PerformanceErrorCode.TITLE_MISSING
        )
    if len(title) > _TITLE_MAX:
        raise ApplicationError(
            _("The title is too long (at most %(max)s characters).") % {"max": _TITLE_MAX},
            code=PerformanceErrorCode.TITLE_TOO_LONG,
        )
    amount = _amount(amount)
    sheet, line = _lock_line(line_id=line_id, sheet_id=sheet_id, employee_no=employee_no)
    refuse_own_record(actor=actor, employee_id=line.employee_id, action="performance.bonus_line_adjust")
    entry = {
        "rule": kind,
        "article": rules.ADJUSTMENT_ARTICLES[kind],
        "amount": str(amount),
        "title": title,
        "by": actor.pk,
    }
    adjustments = [*rules.adjustments_of(line.explanation), entry]
    delta = _refigure(line, sheet, adjustments)
    _changed(sheet, actor, BonusChangeKind.ADJUSTED)
    _audit(
        actor,
        "bonus_sheet.adjust",
        sheet,
        {"line": line.pk, "employee_no": line.employee_no, "added": entry, "total_change": str(delta)},
    )
    return line


@privileged_service(
    "performance.bonus_line_adjustment_remove", label=gettext_lazy("remove a reward or fine from a bonus line")
)
@transaction.atomic
def bonus_line_adjustment_remove(*, actor, line_id: int, position: int, sheet_id: int | None = None) -> BonusLine:
    """Remove one of a draft line's adjustments (``position``: its place among them, from 0)."""
    _require_hr(actor)
    sheet, line = _lock_line(line_id=line_id, sheet_id=sheet_id, employee_no=None)
    refuse_own_record(actor=actor, employee_id=line.employee_id, action="performance.bonus_line_adjustment_remove")
    adjustments = rules.adjustments_of(line.explanation)
    if not 0 <= position < len(adjustments):
        raise NotFoundError(_("That reward or fine is not on this line (any more)."))
    removed = adjustments.pop(position)
    delta = _refigure(line, sheet, adjustments)
    _changed(sheet, actor, BonusChangeKind.ADJUSTMENT_REMOVED)
    _audit(
        actor,
        "bonus_sheet.adjustment_remove",
        sheet,
        {"line": line.pk, "employee_no": line.employee_no, "removed": removed, "total_change": str(delta)},
    )
    return line


# --- Reading (SEC-2: every read of pay per employee is audited) ----------------------------------------

BONUS_READ_VIA = ("page", "api")
BONUS_READ_SHOWS = ("lines", "totals")


def _filters_audited(filters: dict | None) -> dict:
    return {str(k): str(v) for k, v in (filters or {}).items() if v not in (None, "")}


def bonus_sheet_read(
    *,
    actor,
    sheet_id: int,
    via: str,
    shows: str,
    read: Callable[[BonusSheet, Callable[[dict | None], QuerySet[BonusLine]]], Any],
    page: str | int | None = None,
) -> Any:
    """Read a bonus sheet for HR or a company leader (others: NotFoundError, like a missing
    sheet) and record who read it, as a download is (SEC-2), in the same transaction as the read:
    no pay data is shown without its audit event.

    ``read(sheet, lines)`` does the reading and its result is returned: the page renders its page
    of lines and the totals, the API its paginated answer or the totals; ``lines(filters)`` is the
    one selector's queryset of the sheet's lines (:func:`performance.selectors.bonus_line_list`),
    and the filters it was asked for are recorded. The event says ``via`` ("page", "api"), what
    it ``shows`` ("lines", "totals"), the filters and the ``page`` asked for."""
    if via not in BONUS_READ_VIA or shows not in BONUS_READ_SHOWS:
        raise ValueError(f"bonus_sheet_read: via={via!r}, shows={shows!r}")
    asked: dict[str, str] = {}

    def lines(filters: dict | None = None) -> QuerySet[BonusLine]:
        asked.update(_filters_audited(filters))
        return bonus_line_list(user=actor, sheet_id=sheet.pk, filters=filters)

    with transaction.atomic():
        sheet = bonus_sheet_get(user=actor, pk=sheet_id)
        result = read(sheet, lines)
        # After the read: the audit chain's head lock is held only until the commit that follows.
        _audit(
            actor,
            "bonus_sheet.read",
            sheet,
            {"via": via, "shows": shows, "filters": asked, "page": str(page or 1) if shows == "lines" else ""},
        )
    return result


# --- Exports -------------------------------------------------------------------------------------------


def bonus_sheet_file_request(*, actor, sheet_id: int, file_format: str, language: str = "") -> BonusSheetFile:
    """Queue an export of a sheet (any version, any status) for HR or a company leader; rendered by
    the Celery task after commit. The file is rendered in ``language`` (the requester's)."""
    _require_reader(actor)
    if file_format not in FileFormat.values:
        raise ApplicationError(_("Choose PDF, XLSX or CSV."), code=PerformanceErrorCode.FORMAT_INVALID)
    languages = {code for code, _name in settings.LANGUAGES}
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
    if language not in languages:
        language = settings.LANGUAGE_CODE
    with transaction.atomic():
        sheet = BonusSheet.objects.filter(pk=sheet_id).first()
        if sheet is None:
            raise NotFoundError(_("Bonus sheet not found."))
        file = BonusSheetFile.objects.create(
            sheet=sheet, file_format=file_format, language=language, requested_by=actor
        )
        _audit(
            actor, "bonus_sheet.export_request", sheet, {"file": file.pk, "format": file_format, "language": language}
        )
        from performance.tasks import bonus_sheet_file_render as render_task  # noqa: PLC0415 - enqueue: tasks import services

        render_task.delay_on_commit(file.pk)
    return file


def _file_update(file_id: int, **fields) -> None:
    """One short transaction per update, so the page polling the row sees the progress."""
    with transaction.atomic():
        BonusSheetFile.objects.filter(pk=file_id).update(**fields)


FILE_CONTENT_TYPES = {
    FileFormat.PDF: "application/pdf",
    FileFormat.XLSX: XLSX_CONTENT_TYPE,
    FileFormat.CSV: CSV_CONTENT_TYPE,
}


def _export(file: BonusSheetFile, progress: Callable[[int], None]) -> tuple[BonusSheet, ExportFile]:
    """The bytes of a requested export, in the active language: the lines through the one selector
    (read as the requester may read them), rendered by :mod:`performance.exports` (PDF) or
    :mod:`callcenter.exports` (XLSX, CSV: formula injection neutralised)."""
    # Imported here: the renderers load WeasyPrint (0.65 s and 40 MB per process), which only the
    # worker that renders a file needs; web processes never do.
    from performance import exports  # noqa: PLC0415 - heavy library loaded only by the process that renders

    user = file.requested_by
    sheet = bonus_sheet_get(user=user, pk=file.sheet_id)
    lines = bonus_line_list(user=user, sheet_id=sheet.pk).iterator(chunk_size=_EXPORT_CHUNK)
    name = f"bonus-sheet-{sheet.month:%Y-%m}-v{sheet.version}"
    if file.file_format == FileFormat.PDF:
        data = exports.bonus_sheet_pdf(sheet=sheet, lines=lines, progress=progress)
        return sheet, ExportFile(data, f"{name}.pdf", FILE_CONTENT_TYPES[FileFormat.PDF])
    headers, rows = exports.bonus_line_table(lines)
    progress(10)
    rows = list(rows)
    progress(60)
    if file.file_format == FileFormat.CSV:
        return sheet, csv_file(filename=name, headers=headers, rows=rows)
    title = f"bonus-{sheet.month:%Y-%m}-v{sheet.version}"
    money = exports.BONUS_TABLE_MONEY_COLUMNS
    return sheet, xlsx_file(
        filename=name, headers=headers, rows=rows, sheet_title=title, money_columns=money, total_columns=money
    )


def bonus_sheet_file_render(*, file_id: int) -> BonusSheetFile:
    """Render a queued export (the Celery task): queued → running (progress 0..100) → done, with the
    file in private storage and its SHA-256; failed with the error. Idempotent: a finished file is
    returned as it is (at-least-once delivery)."""
    with transaction.atomic():
        file = BonusSheetFile.objects.select_for_update().select_related("requested_by").filter(pk=file_id).first()
        if file is None:
            raise NotFoundError(_("Export not found."))
        if file.status == FileStatus.DONE:
            return file
        file.status, file.progress, file.error = FileStatus.RUNNING, 0, ""
        file.save(update_fields=["status", "progress", "error"])
    path = ""
    try:

        def progress(percent: int) -> None:
            _file_update(file_id, progress=max(0, min(99, int(percent))))

        with translation.override(file.language):
            sheet, export = _export(file, progress)
        data = export.content
        path = f"bonus/{sheet.month:%Y/%m}/{secrets.token_hex(16)}.{file.file_format}"
        path = private_storage().save(path, ContentFile(data))
        _file_update(
            file_id,
            status=FileStatus.DONE,
            progress=100,
            stored_name=path,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("bonus sheet file %s failed", file_id)
        if path:
            private_storage().delete(path)
        _file_update(
            file_id, status=FileStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
    file.refresh_from_db()
    return file


def bonus_sheet_file_open(*, actor, file_id: int):
    """Open a finished export for HR or a company leader (others: PermissionDeniedError), after
    checking its SHA-256 (a changed file is refused); every download is audited (SEC-2).
    Returns (file, open binary handle)."""
    _require_reader(actor)
    file = BonusSheetFile.objects.select_related("sheet").filter(pk=file_id).first()
    if file is None:
        raise NotFoundError(_("Export not found."))
    if file.status != FileStatus.DONE:
        raise ApplicationError(_("This export is not ready yet."), code=PerformanceErrorCode.FILE_NOT_READY, status=409)
    try:
        handle = private_storage().open(file.stored_name, "rb")
    except (OSError, SuspiciousFileOperation) as exc:
        raise NotFoundError(_("The exported file is missing; request the export again.")) from exc
    try:
        if file_sha256(handle) != file.sha256:
            with transaction.atomic():
                _audit(actor, "bonus_sheet.export_tampered", file.sheet, {"file": file.pk, "expected": file.sha256})
            raise ApplicationError(
                _(
                    "The stored file does not match its checksum: it was changed after it was made. "
                    "It is not served; request the export again and tell the security auditor."
                ),
                code=PerformanceErrorCode.FILE_TAMPERED,
                status=409,
            )
        handle.seek(0)
        with transaction.atomic():
            _audit(
                actor,
                "bonus_sheet.export",
                file.sheet,
                {"file": file.pk, "format": file.file_format, "sha256": file.sha256},
            )
    except BaseException:
        handle.close()
        raise
    return file, handle
