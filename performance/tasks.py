"""Performance jobs and tasks (thin: ids in, one service call)."""

from celery import shared_task
from django.utils import timezone

from callcenter.jobs import periodic_job
from performance import rules, services


@periodic_job("appraisal-month-end")
def appraisal_month_end():
    """PRF-2: on the 1st (and daily after, harmlessly) open last month's cycle: one appraisal per
    active employee with automatic indicators filled. Idempotent and resumable: employees who
    already have their appraisal are skipped."""
    cycle, created = services.appraisal_cycle_open(month=rules.previous_month(timezone.localdate()), actor=None)
    return f"{cycle.month:%Y-%m}: {created} appraisals opened, {cycle.employees_expected} expected"


@periodic_job("appraisal-reminders")
def appraisal_reminders():
    """PRF-2: remind employees and superiors whose evaluation is due soon or overdue."""
    sent = services.appraisal_reminders_send(today=timezone.localdate())
    return f"{sent} reminders sent"


@shared_task(name="performance.tasks.appraisal_cycle_open_run", acks_late=True)
def appraisal_cycle_open_run(month: str, user_id: int | None = None) -> str:
    """Open (or continue opening) a month that HR started from the page (PRF-2); idempotent, so a
    redelivered task creates nothing twice."""
    cycle, created = services.appraisal_cycle_open_queued(month=month, actor_id=user_id)
    return f"{cycle.month:%Y-%m}: {created} appraisals opened, {cycle.employees_expected} expected"


@shared_task(name="performance.tasks.appraisal_cycle_refresh_run", acks_late=True)
def appraisal_cycle_refresh_run(cycle_id: int, user_id: int) -> str:
    """Refresh the automatic indicators of a cycle as HR asked from the page (PRF-1, PRF-2)."""
    counts = services.appraisal_cycle_refresh_queued(cycle_id=cycle_id, actor_id=user_id)
    return f"cycle {cycle_id}: {counts}"


@shared_task(name="performance.tasks.bonus_sheet_file_render", acks_late=True)
def bonus_sheet_file_render(file_id: int) -> int:
    """Render one requested bonus sheet export (PDF/XLSX/CSV) with progress (PRF-4)."""
    return services.bonus_sheet_file_render(file_id=file_id).pk
