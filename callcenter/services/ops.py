"""Operations: the record of each periodic job's run, and its pruning."""

import datetime

from django.utils import timezone

from callcenter.models import (
    JobRun,
    JobRunStatus,
)

__all__ = [
    "job_run_finish",
    "job_run_start",
    "job_runs_prune",
]


def job_run_start(*, job: str, task_id: str = "") -> JobRun:
    return JobRun.objects.create(job=job, task_id=task_id, started_at=timezone.now())


def job_run_finish(*, run: JobRun, succeeded: bool, detail: str = "") -> JobRun:
    run.finished_at = timezone.now()
    run.status = JobRunStatus.SUCCEEDED if succeeded else JobRunStatus.FAILED
    run.detail = detail[:5000]
    run.save(update_fields=["finished_at", "status", "detail"])
    return run


def job_runs_prune(*, keep_days: int, batch_size: int = 5000) -> int:
    """Delete the runs started more than ``keep_days`` days ago (the ``job-runs-prune`` job), but
    never a job's last run nor its last successful one: the health page shows both, however long
    ago they were. Deletes in batches of ``batch_size``, each its own short transaction, so the
    first run on a large table holds no long lock. Idempotent. Returns how many were deleted."""
    if keep_days < 1:
        raise ValueError("keep_days must be at least 1")
    cutoff = timezone.now() - datetime.timedelta(days=keep_days)
    keep = set()
    for job in JobRun.objects.order_by().values_list("job", flat=True).distinct():
        runs = JobRun.objects.filter(job=job).order_by("-started_at", "-pk").values_list("pk", flat=True)
        keep.update(pk for pk in (runs.first(), runs.filter(status=JobRunStatus.SUCCEEDED).first()) if pk)
    old = JobRun.objects.filter(started_at__lt=cutoff).exclude(pk__in=keep).order_by("pk")
    deleted = 0
    while batch := list(old.values_list("pk", flat=True)[:batch_size]):
        deleted += JobRun.objects.filter(pk__in=batch).delete()[0]
    return deleted
