"""Operations: one row per run of a periodic job, for the admins' health page."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = [
    "JobRun",
    "JobRunStatus",
]


class JobRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One run of a periodic job, for the admins' health page."""

    job = models.CharField(_("job"), max_length=100, db_index=True)
    task_id = models.CharField(_("task id"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobRunStatus.choices, default=JobRunStatus.RUNNING)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_started_idx")]

    def __str__(self):
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
