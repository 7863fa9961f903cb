"""Periodic jobs: a Celery task that records each run (JobRun) for the admins' health page.

Usage::

    @periodic_job("audit-chain-verify")
    def audit_chain_verify():
        ...  # call one service; return a short summary string

The name is the key of the job in ``CELERY_BEAT_SCHEDULE``. Jobs must be idempotent (run twice,
same state): acks are late, so a crashed worker's job runs again.
"""

import functools
import logging

from celery import shared_task

from callcenter.services import job_run_finish, job_run_start

__all__ = ["periodic_job"]

logger = logging.getLogger(__name__)


def periodic_job(job_name: str, **task_options):
    def decorator(func):
        @shared_task(name=f"{func.__module__}.{func.__name__}", bind=True, **task_options)
        @functools.wraps(func)
        def task(self, *args, **kwargs):
            run = job_run_start(job=job_name, task_id=self.request.id or "")
            try:
                summary = func(*args, **kwargs)
            except Exception as exc:
                logger.exception("periodic job %s failed", job_name)
                job_run_finish(run=run, succeeded=False, detail=f"{type(exc).__name__}: {exc}")
                raise
            job_run_finish(run=run, succeeded=True, detail=str(summary or ""))
            return summary

        return task

    return decorator
