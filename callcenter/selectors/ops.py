"""Operations: the periodic jobs' last runs for the admins' health page."""

import redis
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from callcenter.models import JobRun
from callcenter.providers import health_checks_registered

__all__ = [
    "health_broker",
    "health_checks",
    "health_database",
    "job_run_last",
    "periodic_job_status",
]


def _schedule_label(schedule) -> str:
    """A crontab as its five cron fields ("30 1 * * *"), anything else as text."""
    fields = ("_orig_minute", "_orig_hour", "_orig_day_of_month", "_orig_month_of_year", "_orig_day_of_week")
    if all(hasattr(schedule, f) for f in fields):
        return " ".join(str(getattr(schedule, f)) for f in fields)
    return str(schedule)


def job_run_last(*, job: str) -> JobRun | None:
    """The latest run of one job (the auditor's page shows the chain verification's)."""
    return JobRun.objects.filter(job=job).order_by("-started_at").first()


def periodic_job_status() -> list[dict]:
    """Every job of the beat schedule with its last run (admins' health page)."""
    rows = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        last = JobRun.objects.filter(job=name).order_by("-started_at").first()
        last_success = (
            JobRun.objects.filter(job=name, status="succeeded").order_by("-started_at").only("started_at").first()
        )
        rows.append(
            {
                "name": name,
                "label": settings.PERIODIC_JOB_LABELS.get(name, name),
                "task": entry["task"],
                "schedule": _schedule_label(entry["schedule"]),
                "last": last,
                "last_success": last_success,
            }
        )
    return rows


def health_database() -> dict:
    """Can the web process reach the database? (the load balancer's probe and the health page)"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "detail": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - a health check reports, never raises
        return {"ok": False, "detail": type(exc).__name__}


def health_broker() -> dict:
    """Can the web process reach the Celery broker (Redis)?"""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "detail": _("tasks run eagerly (no broker)")}
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1).ping()
        return {"ok": True, "detail": "redis"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "detail": type(exc).__name__}


def health_checks() -> dict:
    """The core's checks, then those the apps registered (``health_check_register``), each with
    its ``label``; a registered check that raises is shown failing, not as a 500."""
    checks = {"database": health_database(), "broker": health_broker()}
    for registered in health_checks_registered():
        try:
            result = dict(registered.check())
        except Exception as exc:  # noqa: BLE001 - a health check reports, never raises
            result = {"ok": False, "detail": type(exc).__name__}
        checks[registered.key] = {**result, "label": registered.label}
    return checks
