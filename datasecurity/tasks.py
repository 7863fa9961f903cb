"""Data-security periodic jobs, and the chain verification the auditor asks for on the page."""

from celery import shared_task

from callcenter.jobs import periodic_job
from callcenter.services import job_run_finish, job_run_start
from datasecurity.selectors import AUDIT_RETENTION_JOB, AUDIT_VERIFY_JOB, CHAIN_BROKEN, ChainReport
from datasecurity.selectors import audit_chain_verify as verify
from datasecurity.services import audit_archive_verification_save as save_archive_checks
from datasecurity.services import audit_checkpoint_write as write
from datasecurity.services import audit_export_render as render
from datasecurity.services import audit_retention_purge as retention_purge
from datasecurity.services import destruction_request_execute as destruction_execute
from datasecurity.services import destruction_requests_resume as destruction_resume


def _summary(report: ChainReport) -> str:
    return "; ".join([f"{report.checked} events verified", *report.notes])


@periodic_job(AUDIT_VERIFY_JOB)
def audit_chain_verify():
    """Walk the audit chain and compare it with the latest signed checkpoint (SEC-3 tamper
    detection); fails the job when the chain is broken or a checkpoint is forged."""
    report = verify()
    save_archive_checks(checks=report.archives)
    if not report.ok:
        raise RuntimeError(f"{CHAIN_BROKEN}: " + "; ".join(report.problems[:5]))
    return _summary(report)


@shared_task(name="datasecurity.tasks.audit_chain_verify_requested", bind=True)
def audit_chain_verify_requested(self):
    """The auditor's "verify the chain" (SEC-3): the same walk, recorded as a run of the nightly
    job so the auditor's page and the health page show it. A broken chain is a failed run whose
    detail starts with the first broken link, not an error of the task (nothing to retry)."""
    run = job_run_start(job=AUDIT_VERIFY_JOB, task_id=self.request.id or "")
    try:
        report = verify()
        save_archive_checks(checks=report.archives)
    except Exception as exc:
        # The check itself stopped (not the chain): the run says why instead of running forever.
        job_run_finish(run=run, succeeded=False, detail=f"{type(exc).__name__}: {exc}")
        raise
    # The page shows this detail: the count, or the problems, first broken link first (the
    # checkpoint's state is on the page already, and its directory is no business of the page).
    detail = f"{report.checked} events verified"
    if not report.ok:
        detail = f"{CHAIN_BROKEN}:\n" + "\n".join(report.problems[:20])
    job_run_finish(run=run, succeeded=report.ok, detail=detail)
    return report.ok


@periodic_job("audit-checkpoint")
def audit_checkpoint_write():
    """Anchor the chain head outside the database: a signed, write-once checkpoint file (SEC-3)."""
    checkpoint = write()
    if checkpoint is None:
        return "unchanged since the last checkpoint"
    return (
        f"checkpoint of {checkpoint.event_count} events (last event {checkpoint.last_event_id}) "
        f"written: {checkpoint.path.name}"
    )


@shared_task(name="datasecurity.tasks.audit_export_render", acks_late=True)
def audit_export_render(export_id: int) -> int:
    """Write one requested background export of the audit trail, in chunks, with progress (SEC-2)."""
    return render(export_id=export_id).pk


@periodic_job(AUDIT_RETENTION_JOB)
def audit_retention():
    """SEC-2: archive the audit events past the retention (signed, both backup locations, read
    back), then delete them; a failure deletes nothing, alerts, and fails the run."""
    return retention_purge().summary()


# --- Backups and restore drills (SEC-1) -------------------------------------------------------


@periodic_job("backup-run", acks_late=True)
def backup_run_due():
    """Every 15 minutes: is a backup due by the plan (its schedule lives in the database)? Then
    make it here. A failed backup fails the job (red on the health page) after its alert."""
    from datasecurity.services import backup_run_due as due  # noqa: PLC0415 - one import per job

    run = due()
    if run is None:
        return "not due"
    if run.status != "succeeded":
        raise RuntimeError(f"backup {run.pk} failed: {run.error}")
    return f"backup {run.pk}: {run.size} bytes, SHA-256 {run.sha256[:12]}…, both locations verified"


@periodic_job("backup-verify", acks_late=True)
def restore_drill_due():
    """Every 15 minutes: the newest backup never restored is restored into a scratch database
    and checked (SEC-1: every backup verified by a real restore)."""
    from datasecurity.services import restore_drill_due as due  # noqa: PLC0415

    drill = due()
    if drill is None:
        return "every stored backup has been drilled"
    if drill.result != "passed":
        raise RuntimeError(f"restore drill {drill.pk} of backup {drill.backup_id} failed: {drill.error}")
    return f"backup {drill.backup_id} proven restorable (drill {drill.pk})"


@shared_task(name="datasecurity.tasks.backup_run_execute", acks_late=True)
def backup_run_execute(run_id: int) -> str:
    """A backup an administrator started (page, API or command)."""
    from datasecurity.services import backup_run_execute as execute  # noqa: PLC0415

    return execute(run_id=run_id).status


@shared_task(name="datasecurity.tasks.restore_drill_execute", acks_late=True)
def restore_drill_execute(drill_id: int) -> str:
    """A restore drill an administrator started."""
    from datasecurity.services import restore_drill_execute as execute  # noqa: PLC0415

    return execute(drill_id=drill_id).result


@periodic_job("security-monitor-scan")
def security_monitor_scan():
    """The security page's counts and the bulk-read alerts (SEC-3): read the audit events appended
    since the last run (at most 20 batches of 100,000 ids a run; the next run continues)."""
    from datasecurity.services import security_monitor_scan as scan  # noqa: PLC0415 - one import per job, as above

    return str(scan(max_batches=20))


@shared_task(name="datasecurity.tasks.destruction_request_run", acks_late=True)
def destruction_request_run(request_id: int) -> str:
    """Carry out one approved destruction request (SEC-4), in batches, with progress; a request
    that is not approved is refused by the service (nothing destroyed)."""
    return destruction_execute(request_id=request_id).status


@periodic_job("destruction-requests-resume")
def destruction_requests_resume():
    """Carry out approved destruction requests whose task was lost or stalled (SEC-4)."""
    ids = destruction_resume()
    return f"{len(ids)} request(s) resumed: {ids}" if ids else "nothing to resume"
