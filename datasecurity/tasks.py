"""Data-security periodic jobs."""

from callcenter.jobs import periodic_job
from datasecurity.selectors import audit_chain_verify as verify
from datasecurity.services import audit_checkpoint_write as write


@periodic_job("audit-chain-verify")
def audit_chain_verify():
    """Walk the audit chain and compare it with the latest signed checkpoint (SEC-3 tamper
    detection); fails the job when the chain is broken or a checkpoint is forged."""
    report = verify()
    if not report.ok:
        raise RuntimeError("audit chain broken: " + "; ".join(report.problems[:5]))
    return "; ".join([f"{report.checked} events verified", *report.notes])


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
