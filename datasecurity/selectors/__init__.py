"""Reads of the data-security app: the audit trail is for the security auditor (read-only); the
chain's verification against the latest signed checkpoint; the database roles' set-up."""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.inputs import safe_date
from callcenter.models import JobRunStatus
from callcenter.roles import Role, has_role
from callcenter.selectors import job_run_last
from datasecurity.append_only import AUDIT_OWNER_ROLE, AUDIT_PURGE_FUNCTION, AUDIT_TABLE
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.models import GENESIS_HASH, AuditChainHead, AuditEvent, AuditExport, AuditExportStatus
from datasecurity.rules.actions import AUDIT_ACTION_LABELS, action_choices, action_label
from datasecurity.rules.audit import (
    AUDIT_CATEGORIES,
    CHAIN_BROKEN,
    SIGN_IN_ACTIONS,
    VERIFY_STALLED_AFTER,
    AuditCheckpoint,
    checkpoint_from_document,
    checkpoint_problems,
    event_hash,
    verify_outcome,
)

__all__ = [
    "AUDIT_EXPORT_BACKGROUND_MAX_ROWS",
    "AUDIT_EXPORT_MAX_ROWS",
    "AUDIT_EXPORT_STALLED_AFTER",
    "AUDIT_VERIFY_JOB",
    "CHAIN_BROKEN",
    "ChainReport",
    "VerifyState",
    "audit_action_choices",
    "audit_chain_head",
    "audit_chain_verify",
    "audit_checkpoint_latest",
    "audit_checkpoint_list",
    "audit_checkpoint_newest_file",
    "audit_connection_is_postgres",
    "audit_dashboard_alerts",
    "audit_db_roles_status",
    "audit_event_list",
    "audit_events_describe",
    "audit_export_filename",
    "audit_export_get",
    "audit_export_list",
    "audit_export_state",
    "audit_exports_busy",
    "audit_object_type_choices",
    "audit_verify_last_run",
    "can_read_audit",
]

_CHECKPOINT_GLOB = "audit-checkpoint-*.json"


def can_read_audit(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and has_role(user, Role.SECURITY_AUDITOR))


# An export holds at most this many events (a page's worth of work, not the whole trail): a
# larger selection is refused with a message asking for narrower filters.
AUDIT_EXPORT_MAX_ROWS = 10_000
# A larger selection is written in the background (an AuditExport), up to this many events; more
# is refused with a message asking for narrower filters (a quarter of the trail is ~2-3 million).
AUDIT_EXPORT_BACKGROUND_MAX_ROWS = 5_000_000
# A background export that has written nothing for this long (queued or running) has stopped: a
# worker died or the task was lost. It reads "stalled" and the page stops polling it; a chunk of
# 2,000 events takes well under a second (datasecurity/bench/audit.py).
AUDIT_EXPORT_STALLED_AFTER = datetime.timedelta(minutes=30)
# The job whose runs record each verification of the chain, nightly or asked for on the page.
AUDIT_VERIFY_JOB = "audit-chain-verify"


def audit_event_list(*, user, filters: dict | None = None) -> QuerySet[AuditEvent]:
    """Events newest first, with their actor's employee record (one query per page).

    Filters: ``category=sign_in`` keeps the failed sign-ins and lockouts; ``action`` is a code of
    the registry (exact) or the start of codes (``user.``); ``actor`` finds the text in the
    actor's full name or username; ``object_type`` is a model (``callcenter.employee``) or a whole
    module (``attendance``), with ``object_id`` one object; ``since``/``until`` are local dates."""
    if not can_read_audit(user):
        raise PermissionDeniedError("Only the security auditor reads the audit trail.")
    filters = filters or {}
    qs = AuditEvent.objects.select_related("actor__employee")
    if category := (filters.get("category") or "").strip():
        if category not in AUDIT_CATEGORIES:
            raise ApplicationError(
                _("Unknown category: choose one of %(choices)s.") % {"choices": ", ".join(AUDIT_CATEGORIES)},
                code=DataSecurityErrorCode.INVALID_CATEGORY,
                field="category",
            )
        qs = qs.filter(action__in=AUDIT_CATEGORIES[category])
    if action := (filters.get("action") or "").strip():
        qs = qs.filter(action=action) if action in AUDIT_ACTION_LABELS else qs.filter(action__startswith=action)
    if actor := (filters.get("actor") or "").strip():
        qs = qs.filter(Q(actor_label__icontains=actor) | Q(actor__employee__name__icontains=actor))
    if object_type := (filters.get("object_type") or "").strip():
        if "." in object_type:
            qs = qs.filter(object_type=object_type)
        else:
            qs = qs.filter(object_type__startswith=f"{object_type}.")
    if object_id := (filters.get("object_id") or "").strip():
        qs = qs.filter(object_id=object_id)
    if (since := safe_date(filters.get("since") or "")) is not None:
        qs = qs.filter(occurred_at__date__gte=since)
    if (until := safe_date(filters.get("until") or "")) is not None:
        qs = qs.filter(occurred_at__date__lte=until)
    return qs.order_by("-id")


def audit_events_describe(events) -> list[AuditEvent]:
    """The events of a page (or an export) with ``action_text``, their action in the reader's
    language (datasecurity/rules/actions.py)."""
    events = list(events)
    for event in events:
        event.action_text = action_label(event.action)
    return events


def audit_action_choices() -> list[tuple[str, str]]:
    """(code, label) of every action the project records, by label (the action filter)."""
    return action_choices()


def audit_object_type_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(module, module name, [(model, model name)]) of the project's own apps, for the filter by
    module or object type: a module's models, by name in the reader's language."""
    base = str(settings.BASE_DIR)
    groups = []
    for config in apps.get_app_configs():
        if not str(config.path).startswith(base):
            continue
        models = sorted(
            ((m._meta.label_lower, str(m._meta.verbose_name)) for m in config.get_models()), key=lambda c: c[1]
        )
        if models:
            groups.append((config.label, str(config.verbose_name), models))
    return groups


@dataclass(frozen=True)
class VerifyState:
    """The chain's latest verification (a run of the job, nightly or asked for) and, when the
    auditor asked again since it started, that request, still waiting for a worker. ``outcome``
    is what the page says: ``requested``, ``running``, ``stalled`` (waiting or running for longer
    than :data:`VERIFY_STALLED_AFTER`: a worker stopped; ask again), ``intact``, ``broken`` (with
    ``problems``, first broken link first), ``error`` (the check itself failed) or ``none``."""

    run: object | None
    pending_since: object | None
    outcome: str = "none"
    problems: tuple[str, ...] = ()

    @property
    def busy(self) -> bool:
        """Polled by the page, and no second request offered."""
        return self.outcome in ("requested", "running")


def audit_verify_last_run(*, user) -> VerifyState:
    """The latest verification of the chain and any request made since (two indexed reads)."""
    if not can_read_audit(user):
        raise PermissionDeniedError("Only the security auditor reads the audit trail.")
    run = job_run_last(job=AUDIT_VERIFY_JOB)
    requested = (
        AuditEvent.objects.filter(action="audit.verify_request")
        .order_by("-id")
        .values_list("occurred_at", flat=True)
        .first()
    )
    pending = requested if requested is not None and (run is None or requested > run.started_at) else None
    stalled_before = timezone.now() - VERIFY_STALLED_AFTER
    problems: list[str] = []
    if pending is not None:
        outcome = "stalled" if pending < stalled_before else "requested"
    elif run is None:
        outcome = "none"
    elif run.status == JobRunStatus.RUNNING:
        outcome = "stalled" if run.started_at < stalled_before else "running"
    else:
        outcome, problems = verify_outcome(failed=run.status != JobRunStatus.SUCCEEDED, detail=run.detail)
    return VerifyState(run=run, pending_since=pending, outcome=outcome, problems=tuple(problems))


def audit_chain_head() -> AuditChainHead | None:
    return AuditChainHead.objects.filter(pk=1).first()


# --- The security auditor's dashboard card (issue 14) ------------------------------------------

# Failed sign-ins and lockouts are counted over this many hours (SEC-2).
AUDIT_DASHBOARD_HOURS = 24


def audit_dashboard_alerts(*, user, me=None) -> dict | None:
    """What the security auditor's dashboard shows first (SEC-2, SEC-3): failed sign-ins and
    lockouts of the last :data:`AUDIT_DASHBOARD_HOURS` hours (links to the filtered trail), the
    end of the chain and how many events were appended since the newest signed checkpoint (a
    full verification reads the whole chain: ``manage.py audit_verify``, not a page view).
    Two queries and one checkpoint file read."""
    if not can_read_audit(user):
        return None
    since = timezone.now() - datetime.timedelta(hours=AUDIT_DASHBOARD_HOURS)
    counts = AuditEvent.objects.filter(occurred_at__gte=since, action__in=SIGN_IN_ACTIONS).aggregate(
        failed=Count("pk", filter=Q(action="auth.login_failed")),
        lockouts=Count("pk", filter=Q(action="auth.lockout")),
    )
    head = audit_chain_head()
    checkpoint = audit_checkpoint_newest_file()
    if checkpoint is not None and not checkpoint.signed:
        checkpoint_state = "unsigned"
    elif checkpoint is None:
        checkpoint_state = "none"
    else:
        checkpoint_state = "signed"
    unchecked = (head.event_count if head else 0) - (checkpoint.event_count if checkpoint and checkpoint.signed else 0)
    return {
        "hours": AUDIT_DASHBOARD_HOURS,
        "since": timezone.localtime(since).date(),
        "failed": counts["failed"],
        "lockouts": counts["lockouts"],
        "event_count": head.event_count if head else 0,
        "checkpoint": checkpoint,
        "checkpoint_state": checkpoint_state,
        "since_checkpoint": max(unchecked, 0),
    }


# --- Checkpoints (the files written by ``audit_checkpoint_write``) ---------------------------


def _checkpoint_read(path: Path) -> AuditCheckpoint:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return AuditCheckpoint(path, None, 0, 0, "", "", signed=False, error=f"unreadable: {type(exc).__name__}")
    return checkpoint_from_document(document, path)


def audit_checkpoint_list() -> list[AuditCheckpoint]:
    """Every checkpoint file of ``AUDIT_CHECKPOINT_DIR``, signed or not, oldest name first."""
    directory = Path(settings.AUDIT_CHECKPOINT_DIR)
    if not directory.is_dir():
        return []
    return [_checkpoint_read(path) for path in sorted(directory.rglob(_CHECKPOINT_GLOB))]


def audit_checkpoint_latest(checkpoints: list[AuditCheckpoint] | None = None) -> AuditCheckpoint | None:
    """The newest correctly signed checkpoint, by the time it records (a file copied under a
    newer name is still only as new as its signed content)."""
    signed = [c for c in (audit_checkpoint_list() if checkpoints is None else checkpoints) if c.signed]
    return max(signed, key=lambda c: c.created_at, default=None)


def audit_checkpoint_newest_file() -> AuditCheckpoint | None:
    """The checkpoint with the newest file name (cheap: the writer's "has the head moved?")."""
    directory = Path(settings.AUDIT_CHECKPOINT_DIR)
    if not directory.is_dir():
        return None
    newest = max(directory.rglob(_CHECKPOINT_GLOB), key=lambda p: p.relative_to(directory).parts, default=None)
    return _checkpoint_read(newest) if newest is not None else None


# --- Verification ---------------------------------------------------------------------------


@dataclass
class ChainReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checkpoint: AuditCheckpoint | None = None
    # Each audit archive's check (selectors/retention.py), for the archives page.
    archives: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_chain_verify(*, max_problems: int = 50) -> ChainReport:
    """Walk the chain in insertion order and report every break (edited, removed, forged), then
    compare it with the latest signed checkpoint (a trimmed tail with a rewritten head), and
    report every checkpoint file whose signature does not fit (forged or damaged)."""
    # The checkpoints first: each records a head committed before the snapshot below starts, so a
    # checkpoint written during a long walk is never compared with a chain that predates it.
    checkpoints = audit_checkpoint_list()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # One snapshot for the head, the walk and the checkpoint's event: appends that commit
        # meanwhile are neither half-seen nor reported as breaks.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _verify(max_problems, checkpoints)
    return _verify(max_problems, checkpoints)


def _verify(max_problems: int, checkpoints: list[AuditCheckpoint]) -> ChainReport:
    report = ChainReport()
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_prev = head.anchor_hash if head else GENESIS_HASH
    last_id = 0
    fields = [
        "id",
        "prev_hash",
        "hash",
        "occurred_at",
        "actor_id",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "ip",
        "changes",
    ]
    for event in AuditEvent.objects.order_by("id").only(*fields).iterator(chunk_size=5000):
        report.checked += 1
        last_id = event.pk
        if event.prev_hash != expected_prev:
            report.problems.append(f"event {event.pk}: previous event missing or altered (chain broken)")
        if event_hash(event) != event.hash:
            report.problems.append(f"event {event.pk}: content does not match its hash (edited)")
        expected_prev = event.hash
        if len(report.problems) >= max_problems:
            report.problems.append("… too many problems, stopped")
            return report
    if head is None:
        if report.checked:
            report.problems.append("chain head missing")
    else:
        if head.last_hash != expected_prev or (report.checked and head.last_event_id != last_id):
            report.problems.append(
                f"chain ends at event {last_id} but the head records event {head.last_event_id} (events removed)"
            )
        if head.event_count != report.checked:
            report.problems.append(f"head counts {head.event_count} events, found {report.checked}")
    _verify_against_checkpoints(report, head, checkpoints)
    # SEC-2: the archived events are evidence too; they chain into each other and into the head.
    from datasecurity.selectors.retention import audit_archives_verify  # noqa: PLC0415 - imports this module

    report.archives, links = audit_archives_verify(head=head)
    for check in report.archives:
        report.problems.extend(check.problems)
        report.notes.extend(check.notes)
    report.problems.extend(links)
    if report.archives:
        archived = sum(check.archive.event_count for check in report.archives)
        report.notes.append(f"{len(report.archives)} archive(s) of {archived} events verified")
    return report


def _verify_against_checkpoints(
    report: ChainReport, head: AuditChainHead | None, checkpoints: list[AuditCheckpoint]
) -> None:
    for checkpoint in checkpoints:
        if not checkpoint.signed:
            report.problems.append(
                f"checkpoint {checkpoint.path.name}: {checkpoint.error}; the signature does not fit "
                "(forged or damaged checkpoint)"
            )
    latest = audit_checkpoint_latest(checkpoints)
    report.checkpoint = latest
    if latest is None:
        report.notes.append(f"no checkpoint yet in {settings.AUDIT_CHECKPOINT_DIR}")
        return
    anchored = AuditEvent.objects.filter(pk=latest.last_event_id).values_list("hash", flat=True).first()
    report.problems.extend(
        checkpoint_problems(
            latest,
            head_last_event_id=head.last_event_id if head else 0,
            head_event_count=head.event_count if head else 0,
            head_anchor_hash=head.anchor_hash if head else GENESIS_HASH,
            hash_of_checkpoint_event=anchored,
            events_up_to_checkpoint=AuditEvent.objects.filter(pk__lte=latest.last_event_id).count(),
        )
    )


def audit_connection_is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- The database roles (datasecurity/append_only.py) -----------------------------------------


def audit_db_roles_status(*, app_role: str) -> dict:
    """Is the audit table protected from ``app_role`` (PostgreSQL)? ``problems`` is empty when it
    is: owned by the audit owner role, only SELECT and INSERT for the application, the retention
    function in place, and the application role neither a superuser nor the owner's member."""
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = %s", [app_role])
        row = cursor.fetchone()
        if row is None:
            return {"problems": [f"role {app_role} does not exist"]}
        if row[0]:
            problems.append(f"role {app_role} is a superuser: no grant restrains it")
        cursor.execute("SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s", [AUDIT_OWNER_ROLE])
        if cursor.fetchone() is None:
            return {"problems": [*problems, f"role {AUDIT_OWNER_ROLE} does not exist (set-up not applied)"]}
        cursor.execute(
            "SELECT tableowner FROM pg_catalog.pg_tables WHERE tablename = %s AND schemaname = current_schema()",
            [AUDIT_TABLE],
        )
        owner = (cursor.fetchone() or [None])[0]
        if owner != AUDIT_OWNER_ROLE:
            problems.append(f"{AUDIT_TABLE} belongs to {owner}, not {AUDIT_OWNER_ROLE}")
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app_role, AUDIT_OWNER_ROLE])
        if cursor.fetchone()[0]:
            problems.append(f"role {app_role} is a member of {AUDIT_OWNER_ROLE}")
        for privilege in ("UPDATE", "DELETE", "TRUNCATE", "TRIGGER", "REFERENCES"):
            cursor.execute("SELECT has_table_privilege(%s, %s, %s)", [app_role, AUDIT_TABLE, privilege])
            if cursor.fetchone()[0]:
                problems.append(f"role {app_role} has {privilege} on {AUDIT_TABLE}")
        cursor.execute(
            "SELECT pg_get_userbyid(p.proowner), p.prosecdef FROM pg_catalog.pg_proc p"
            " WHERE p.proname = %s AND p.pronamespace = current_schema()::regnamespace",
            [AUDIT_PURGE_FUNCTION],
        )
        function = cursor.fetchone()
        if function is None:
            problems.append(f"function {AUDIT_PURGE_FUNCTION}() missing")
        elif function != (AUDIT_OWNER_ROLE, True):
            problems.append(f"function {AUDIT_PURGE_FUNCTION}() is not a SECURITY DEFINER of {AUDIT_OWNER_ROLE}")
    return {"problems": problems}


# --- Background exports of the trail (SEC-2) ----------------------------------------------------


def _require_auditor(user) -> None:
    if not can_read_audit(user):
        raise PermissionDeniedError(_("Only the security auditor exports the audit trail."))


def audit_export_state(export: AuditExport, *, now=None) -> str:
    """What the page says of an export: ``queued``, ``running``, ``stalled`` (nothing written for
    :data:`AUDIT_EXPORT_STALLED_AFTER`: its worker stopped; request it again), ``done`` or
    ``failed`` (with its error)."""
    if export.status in (AuditExportStatus.QUEUED, AuditExportStatus.RUNNING):
        last = export.progress_at or export.started_at or export.requested_at
        if last < (now or timezone.now()) - AUDIT_EXPORT_STALLED_AFTER:
            return "stalled"
    return export.status


def _described(exports: list[AuditExport]) -> list[AuditExport]:
    now = timezone.now()
    for export in exports:
        export.state = audit_export_state(export, now=now)
    return exports


def audit_export_list(*, user, limit: int = 10) -> list[AuditExport]:
    """The caller's own background exports, newest first (the page's "Your exports"), each with
    its ``state``; one query."""
    _require_auditor(user)
    return _described(
        list(AuditExport.objects.filter(requested_by=user).select_related("requested_by").order_by("-id")[:limit])
    )


def audit_exports_busy(exports: list[AuditExport]) -> bool:
    """The panel is polled while one of these is queued or running (not stalled)."""
    return any(getattr(e, "state", audit_export_state(e)) in ("queued", "running") for e in exports)


def audit_export_get(*, user, pk: int) -> AuditExport:
    """One background export, for any security auditor (auditors share the work: one may fetch
    the export a colleague requested; the download is audited with both names)."""
    _require_auditor(user)
    export = AuditExport.objects.select_related("requested_by").filter(pk=pk).first()
    if export is None:
        raise NotFoundError(_("Export not found."))
    return _described([export])[0]


def audit_export_filename(export: AuditExport) -> str:
    """The download's name: when it was requested (local time) and its number."""
    return f"audit-trail-{timezone.localtime(export.requested_at):%Y%m%d-%H%M%S}-{export.pk}.{export.file_format}"


from datasecurity.selectors import destruct  # noqa: E402
from datasecurity.selectors.backup import *  # noqa: E402,F403
from datasecurity.selectors.destruct import *  # noqa: E402,F403
from datasecurity.selectors.monitor import *  # noqa: E402,F403
from datasecurity.selectors.retention import *  # noqa: E402,F403

__all__ += destruct.__all__
from datasecurity.selectors.twofa import *  # noqa: E402,F403
