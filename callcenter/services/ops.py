"""Operations: the record of each periodic job's run."""

from django.utils import timezone

from callcenter.models import (
    JobRun,
    JobRunStatus,
)

__all__ = [
    "job_run_finish",
    "job_run_start",
]


def job_run_start(*, job: str, task_id: str = "") -> JobRun:
    return JobRun.objects.create(job=job, task_id=task_id, started_at=timezone.now())


def job_run_finish(*, run: JobRun, succeeded: bool, detail: str = "") -> JobRun:
    run.finished_at = timezone.now()
    run.status = JobRunStatus.SUCCEEDED if succeeded else JobRunStatus.FAILED
    run.detail = detail[:5000]
    run.save(update_fields=["finished_at", "status", "detail"])
    return run
