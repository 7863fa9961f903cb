"""Performance jobs (thin): each calls one service."""

import datetime

from celery import shared_task
from django.utils import timezone

from callcenter.jobs import periodic_job


def _previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@periodic_job("appraisal-month-end")
def appraisal_month_end():
    """PRF-2: on the 1st (and daily after, harmlessly) open last month's cycle: one appraisal per
    active employee with automatic indicators filled. Idempotent and resumable: employees who
    already have their appraisal are skipped."""
    from performance.services import appraisal_cycle_open

    cycle, created = appraisal_cycle_open(month=_previous_month(timezone.localdate()), actor=None)
    return f"{cycle.month:%Y-%m}: {created} appraisals opened, {cycle.employees_expected} expected"


@periodic_job("appraisal-reminders")
def appraisal_reminders():
    """PRF-2: remind employees and superiors whose evaluation is due soon or overdue."""
    from performance.services import appraisal_reminders_send

    sent = appraisal_reminders_send(today=timezone.localdate())
    return f"{sent} reminders sent"


@shared_task(name="performance.tasks.appraisal_cycle_open_run", acks_late=True)
def appraisal_cycle_open_run(month: str, user_id: int | None = None) -> str:
    """Open (or continue opening) a month that HR started from the page (PRF-2); idempotent, so a
    redelivered task creates nothing twice."""
    from django.contrib.auth import get_user_model

    from performance.services import appraisal_cycle_open

    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    cycle, created = appraisal_cycle_open(month=datetime.date.fromisoformat(month), actor=actor)
    return f"{cycle.month:%Y-%m}: {created} appraisals opened, {cycle.employees_expected} expected"


@shared_task(name="performance.tasks.appraisal_cycle_refresh_run", acks_late=True)
def appraisal_cycle_refresh_run(cycle_id: int, user_id: int) -> str:
    """Refresh the automatic indicators of a cycle as HR asked from the page (PRF-1, PRF-2)."""
    from django.contrib.auth import get_user_model

    from performance.services import appraisal_cycle_refresh_queued

    counts = appraisal_cycle_refresh_queued(cycle_id=cycle_id, actor=get_user_model().objects.get(pk=user_id))
    return f"cycle {cycle_id}: {counts}"


@shared_task(name="performance.tasks.bonus_sheet_file_render", acks_late=True)
def bonus_sheet_file_render(file_id: int) -> int:
    """Render one requested bonus sheet export (PDF/XLSX/CSV) with progress (PRF-4)."""
    from performance.services import bonus_sheet_file_render as render

    return render(file_id=file_id).pk
