"""Data-security periodic jobs."""

from callcenter.jobs import periodic_job
from datasecurity.selectors import audit_chain_verify as verify


@periodic_job("audit-chain-verify")
def audit_chain_verify():
    """Walk the audit chain (SEC-3 tamper detection); fails the job when the chain is broken."""
    report = verify()
    if not report.ok:
        raise RuntimeError("audit chain broken: " + "; ".join(report.problems[:5]))
    return f"{report.checked} events verified"
