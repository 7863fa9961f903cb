"""The performance cards of HR's dashboard (issue 14, "dashboards are work queues"), registered in
:mod:`performance.apps` as ``callcenter.providers.DashboardCard``: how far the latest appraisal
cycle has come (PRF-2, PRF-3: finished of total), and the bonus sheets to prepare and to approve
(PRF-4), a draft the reader prepared or changed waiting for a second HR colleague (two people,
SEC-2). Bounded queries, whatever the number of cycles, sheets and appraisals."""

from django.db.models import Count, Exists, OuterRef, Q

from callcenter.models import Employee
from callcenter.selectors import is_company_hr
from performance.models import AppraisalCycle, BonusSheet, BonusSheetChange, BonusSheetStatus, CycleStatus
from performance.selectors.bonus import bonus_sheet_list
from performance.selectors.cycles import appraisal_cycle_list, appraisal_cycle_list_progress

__all__ = [
    "DASHBOARD_SHEET_ROWS",
    "appraisal_dashboard_cycle",
    "bonus_dashboard_queue",
]

DASHBOARD_SHEET_ROWS = 5


def appraisal_dashboard_cycle(*, user, me: Employee | None) -> dict | None:
    """The latest appraisal cycle and its progress for company HR (PRF-2): appraisals finished
    (completed or locked) of all, and how many still wait. ``cycle`` None: no cycle opened yet.
    Two queries."""
    if not is_company_hr(user):
        return None
    cycle = appraisal_cycle_list(user=user).first()
    if cycle is None:
        return {"cycle": None}
    progress = appraisal_cycle_list_progress(user=user, cycles=[cycle])[cycle.pk]
    return {"cycle": cycle, "progress": progress}


def bonus_dashboard_queue(*, user, me: Employee | None) -> dict | None:
    """Company HR's bonus-sheet queue (PRF-4): months whose appraisal cycle is locked and have no
    sheet yet (to prepare), and the draft sheets (to approve) — each draft marked when the reader
    prepared or changed it, so another HR colleague must approve it (SEC-2, two people). The
    service decides when approving (:func:`bonus_sheet_approval`); this is the queue's view of it.
    Three or four queries."""
    if not is_company_hr(user):
        return None
    sheet_exists = BonusSheet.objects.filter(month=OuterRef("month")).exclude(status=BonusSheetStatus.SUPERSEDED)
    cycles = AppraisalCycle.objects.filter(status=CycleStatus.LOCKED).filter(~Exists(sheet_exists))
    to_prepare = list(cycles.order_by("-month").values_list("month", flat=True)[: DASHBOARD_SHEET_ROWS + 1])
    changed_by_me = BonusSheetChange.objects.filter(sheet_id=OuterRef("pk"), changed_by_id=user.pk)
    drafts = bonus_sheet_list(user=user, filters={"status": BonusSheetStatus.DRAFT}).annotate(
        changed_by_me=Exists(changed_by_me)
    )
    rows = list(drafts[:DASHBOARD_SHEET_ROWS])
    for sheet in rows:
        sheet.needs_second_approver = sheet.prepared_by_id == user.pk or sheet.changed_by_me
    counts = drafts.order_by().aggregate(
        drafts=Count("pk"), second=Count("pk", filter=Q(prepared_by_id=user.pk) | Q(changed_by_me=True))
    )
    return {
        "to_prepare": to_prepare[:DASHBOARD_SHEET_ROWS],
        "to_prepare_count": len(to_prepare) if len(to_prepare) <= DASHBOARD_SHEET_ROWS else cycles.count(),
        "drafts": rows,
        "to_approve": counts["drafts"] - counts["second"],
        "second_approver": counts["second"],
    }
