"""Core tasks and periodic jobs (thin: each takes ids and calls one function)."""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.db import connection

from callcenter import services
from callcenter.jobs import periodic_job


@periodic_job("sessions-clear")
def sessions_clear():
    """Delete expired sessions (idempotent)."""
    return f"{services.sessions_expired_clear()} expired sessions deleted"


@periodic_job("job-runs-prune")
def job_runs_prune():
    """Delete the job runs older than ``JOB_RUN_RETENTION_DAYS``, each job's last runs kept (idempotent)."""
    deleted = services.job_runs_prune(keep_days=settings.JOB_RUN_RETENTION_DAYS)
    return f"{deleted} job runs older than {settings.JOB_RUN_RETENTION_DAYS} days deleted"


@periodic_job("access-grants-sync")
def access_grants_sync():
    """Start and expire access grants: assign and remove their object permissions (idempotent)."""
    counts = services.access_grants_sync()
    return ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in counts.items())


@periodic_job("people-changes-apply")
def people_changes_apply():
    """Apply the transfers and changes whose effective date has come (issue 13; idempotent, resumable)."""
    counts = services.employment_events_apply_due()
    return ", ".join(f"{name}: {count}" for name, count in counts.items())


@periodic_job("people-leavers-deactivate")
def leavers_deactivate():
    """Deactivate the accounts of those whose last working day has passed (GEN-1, GEN-2; idempotent)."""
    counts = services.leavers_deactivate_due()
    return f"{counts['deactivated']} leavers deactivated, {counts['with_open_items']} with exit items open"


@shared_task(name="callcenter.tasks.ping")
def ping(value: int) -> dict:
    """A round trip through broker and worker, used by the health page and the tests."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"pong": value}


@shared_task(
    name="callcenter.tasks.notification_email_send",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def notification_email_send(notification_ids: list[int]) -> int:
    """E-mail the notifications (queued after commit by ``services.notification_send``).

    Safe to run twice or retry: ones already e-mailed are skipped (``emailed_at``)."""
    return services.notification_email_send(notification_ids=notification_ids)
