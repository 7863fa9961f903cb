"""Backups and restore drills (SEC-1: backups of customer, business and call data in two separate
locations, by a plan, every backup verified by a real restore).

A backup run, in the worker (``backup_run_execute``):

1. the database: PostgreSQL ``pg_dump -Fc`` into a file, from a snapshot exported by a second
   connection that also counts every table's rows, reads the applied migrations and the audit
   chain head, so the manifest describes exactly what the dump holds; SQLite (``make run``):
   the online backup API into a file, counted there;
2. the uploaded files (MEDIA_ROOT, PRIVATE_MEDIA_ROOT) as a tar;
3. one bundle (a tar of manifest.json, the dump and files.tar), streamed through AES-256-GCM in
   authenticated chunks (:mod:`datasecurity.rules.backup`), never held in memory;
4. the bundle and its ``.sha256`` written to both locations (``storages["backup_local"]`` and
   ``["backup_remote"]``), each read back and its SHA-256 compared;
5. the run recorded; the backups beyond the plan's number pruned (never the newest one proven by
   a restore, and nothing when this run failed). A failure alerts the administrators and the
   security auditors, in the app and by e-mail.

A restore drill (``restore_drill_execute``) takes the bundle from the *remote* location, checks its
SHA-256, decrypts it, restores the dump into a scratch database (``cc_restore_drill_…``, dropped
afterwards, even on failure) and checks it: the applied migrations and every table's row count
equal the manifest's, the audit chain verifies in the restored copy (``manage.py audit_verify`` in
a child process connected to the scratch database), and the files tar lists the manifest's files.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from psycopg import sql

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.models import Employee
from callcenter.roles import Role
from callcenter.storage_locations import storage_location_label
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.models import (
    BACKUP_KEEP_MIN,
    BackupMethod,
    BackupPlan,
    BackupRun,
    BackupRunStatus,
    BackupSchedule,
    BackupTrigger,
    RestoreDrill,
    RestoreDrillResult,
)
from datasecurity.rules.backup import (
    BundleError,
    BundleWriter,
    DecryptingReader,
    backup_due,
    backup_key_derive,
    backup_key_id,
    backup_key_parse,
    manifest_compare_counts,
    manifest_compare_migrations,
    prune_candidates,
)
from datasecurity.rules.destruct import JOB_CATEGORY_BACKUPS, JOB_CATEGORY_LABELS, DestructionMethod
from datasecurity.services.audit import audit_record, model_changes, snapshot
from datasecurity.services.destruct import destruction_record_write
from datasecurity.services.files import file_sha256

__all__ = [
    "BACKUP_LOCATIONS",
    "RestoreOutcome",
    "backup_key",
    "backup_plan_update",
    "backup_request",
    "backup_restore_into",
    "backup_run_due",
    "backup_run_execute",
    "restore_drill_due",
    "restore_drill_execute",
    "restore_drill_request",
]

# The two locations (SEC-1: at least two separate places), Django storages of settings.STORAGES.
BACKUP_LOCATIONS = ("backup_local", "backup_remote")
# A drill restores from here: the copy we would have left if this host burnt down.
DRILL_LOCATION = "backup_remote"
SCRATCH_PREFIX = "cc_restore_drill_"
BUNDLE_DIR = "backups"
# A run or drill queued or running longer than this was lost with its worker: it may be replaced.
STALE_AFTER = datetime.timedelta(hours=6)
_READ_BLOCK = 1024 * 1024
_DB_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_FILE_ROOTS = (("media", "MEDIA_ROOT"), ("private", "PRIVATE_MEDIA_ROOT"))


class _StepFailedError(Exception):
    """A step of a run or drill failed for a reason we can state (recorded as the error text)."""


# --- The key ---------------------------------------------------------------------------------------


def backup_key() -> bytes:
    """The AES-256 key of the bundles: ``BACKUP_ENCRYPTION_KEY`` (URL-safe base64 of 32 bytes);
    without it, outside production, one derived from SECRET_KEY (HKDF). Production without a key
    refuses (a deploy system check warns before)."""
    text = getattr(settings, "BACKUP_ENCRYPTION_KEY", "") or ""
    if text:
        try:
            return backup_key_parse(text)
        except ValueError as exc:
            raise ApplicationError(
                _("BACKUP_ENCRYPTION_KEY is not valid: %(error)s (docs/operations.md says how to make one).")
                % {"error": exc},
                code=DataSecurityErrorCode.BACKUP_KEY_MISSING,
            ) from exc
    if getattr(settings, "PRODUCTION", False):
        raise ApplicationError(
            _(
                "Backups are encrypted at rest (SEC-1) and BACKUP_ENCRYPTION_KEY is not set: set it "
                "(docs/operations.md, Backups and restore) and keep it outside both backup locations."
            ),
            code=DataSecurityErrorCode.BACKUP_KEY_MISSING,
        )
    return backup_key_derive(settings.SECRET_KEY)


# --- The plan --------------------------------------------------------------------------------------


def _require_admin(actor) -> None:
    if not (getattr(actor, "is_staff", False) or getattr(actor, "is_superuser", False)):
        raise PermissionDeniedError(_("Only an administrator keeps the backups (SEC-1)."))


def _plan_locked() -> BackupPlan:
    BackupPlan.objects.get_or_create(pk=1)
    return BackupPlan.objects.select_for_update().get(pk=1)


@transaction.atomic
def backup_plan_update(
    *,
    actor,
    schedule: str,
    daily_at: datetime.time,
    interval_hours: int,
    keep_count: int,
    responsible_employee_no: str = "",
) -> BackupPlan:
    """An administrator changes the backup plan (SEC-1); the change is an audit event. The
    responsible person is named by employee number (blank: nobody named yet)."""
    _require_admin(actor)
    if schedule not in BackupSchedule.values:
        raise ApplicationError(_("Choose a schedule: daily or every N hours."), field="schedule")
    if not isinstance(keep_count, int) or keep_count < BACKUP_KEEP_MIN or keep_count > 365:
        raise ApplicationError(
            _("Keep between %(min)s and 365 backups (SEC-1: an older one goes only after a newer one is made).")
            % {"min": BACKUP_KEEP_MIN},
            field="keep_count",
        )
    if not isinstance(interval_hours, int) or not 1 <= interval_hours <= 168:
        raise ApplicationError(_("The interval is 1 to 168 hours."), field="interval_hours")
    responsible = None
    if (responsible_employee_no or "").strip():
        responsible = Employee.objects.filter(employee_no=responsible_employee_no.strip(), user__is_active=True).first()
        if responsible is None:
            raise ApplicationError(
                _("No active employee has the number %(number)s.") % {"number": responsible_employee_no.strip()},
                field="responsible",
            )
    fields = ["schedule", "daily_at", "interval_hours", "keep_count", "responsible"]
    plan = _plan_locked()
    before = snapshot(plan, fields)
    plan.schedule = schedule
    plan.daily_at = daily_at
    plan.interval_hours = interval_hours
    plan.keep_count = keep_count
    plan.responsible = responsible
    changes = model_changes(plan, before, fields)
    if not changes:
        return plan
    plan.updated_at = timezone.now()
    plan.updated_by = actor
    plan.save()
    audit_record(actor=actor, action="backup.plan_update", obj=plan, changes=changes)
    return plan


# --- Requests --------------------------------------------------------------------------------------


def _method() -> str:
    if connection.vendor == "postgresql":
        return BackupMethod.PG_DUMP
    if connection.vendor == "sqlite":
        return BackupMethod.SQLITE_BACKUP
    raise ApplicationError(_("Backups support PostgreSQL and SQLite only."))


def _stale_runs_fail(plan: BackupPlan) -> None:
    """A run queued or running for hours lost its worker: it fails, so the next may start."""
    cutoff = timezone.now() - STALE_AFTER
    for run in BackupRun.objects.select_for_update().filter(
        plan=plan, status__in=[BackupRunStatus.QUEUED, BackupRunStatus.RUNNING], requested_at__lt=cutoff
    ):
        run.status = BackupRunStatus.FAILED
        run.finished_at = timezone.now()
        run.error = "interrupted: no progress for 6 hours (the worker stopped)"
        run.save(update_fields=["status", "finished_at", "error"])


def _run_create(*, actor, trigger: str) -> BackupRun:
    plan = _plan_locked()
    _stale_runs_fail(plan)
    if BackupRun.objects.filter(plan=plan, status__in=[BackupRunStatus.QUEUED, BackupRunStatus.RUNNING]).exists():
        raise ApplicationError(
            _("A backup is already queued or running: wait for it to finish."),
            code=DataSecurityErrorCode.BACKUP_BUSY,
            status=409,
        )
    user = actor if getattr(actor, "is_authenticated", False) else None
    return BackupRun.objects.create(plan=plan, trigger=trigger, requested_by=user, method=_method())


@transaction.atomic
def backup_request(*, actor, trigger: str = BackupTrigger.MANUAL) -> BackupRun:
    """An administrator starts a backup now; the worker runs it after commit (SEC-1)."""
    _require_admin(actor)
    run = _run_create(actor=actor, trigger=trigger)
    audit_record(actor=actor, action="backup.request", obj=run, changes={"trigger": trigger})
    from datasecurity.tasks import backup_run_execute as task  # noqa: PLC0415 - enqueue: tasks import services

    task.delay_on_commit(run.pk)
    return run


def backup_run_due(*, now: datetime.datetime | None = None) -> BackupRun | None:
    """The scheduled check (beat, every 15 minutes): when the plan says a backup is due, make one
    here and now (in this worker) and return it; None when not due or one is already running."""
    now = timezone.localtime(now or timezone.now())
    with transaction.atomic():
        plan = _plan_locked()
        _stale_runs_fail(plan)
        last = BackupRun.objects.filter(plan=plan).order_by("-requested_at").values_list("requested_at", flat=True)
        due = backup_due(
            now=now,
            schedule=plan.schedule,
            daily_at=plan.daily_at,
            interval_hours=plan.interval_hours,
            last_requested_at=last.first(),
        )
        if (
            not due
            or BackupRun.objects.filter(
                plan=plan, status__in=[BackupRunStatus.QUEUED, BackupRunStatus.RUNNING]
            ).exists()
        ):
            return None
        run = _run_create(actor=None, trigger=BackupTrigger.SCHEDULE)
    return backup_run_execute(run_id=run.pk)


@transaction.atomic
def restore_drill_request(*, actor, backup_id: int | None = None, trigger: str = BackupTrigger.MANUAL) -> RestoreDrill:
    """An administrator asks for a restore drill of a backup (the newest one by default)."""
    _require_admin(actor)
    drill = _drill_create(actor=actor, backup_id=backup_id, trigger=trigger)
    audit_record(actor=actor, action="backup.drill_request", obj=drill.backup, changes={"drill": drill.pk})
    from datasecurity.tasks import restore_drill_execute as task  # noqa: PLC0415 - enqueue: tasks import services

    task.delay_on_commit(drill.pk)
    return drill


def _drill_create(*, actor, backup_id: int | None, trigger: str) -> RestoreDrill:
    backups = BackupRun.objects.select_for_update().filter(status=BackupRunStatus.SUCCEEDED, pruned_at__isnull=True)
    backup = (
        backups.filter(pk=backup_id).first() if backup_id is not None else backups.order_by("-requested_at").first()
    )
    if backup is None and backup_id is None:
        raise ApplicationError(_("No stored backup to verify: make a backup first."))
    if backup is None:
        raise NotFoundError(_("Backup %(id)s is not a stored, successful backup.") % {"id": backup_id})
    RestoreDrill.objects.filter(
        backup=backup,
        result__in=[RestoreDrillResult.QUEUED, RestoreDrillResult.RUNNING],
        requested_at__lt=timezone.now() - STALE_AFTER,
    ).update(result=RestoreDrillResult.FAILED, finished_at=timezone.now(), error="interrupted (the worker stopped)")
    if backup.drills.filter(result__in=[RestoreDrillResult.QUEUED, RestoreDrillResult.RUNNING]).exists():
        raise ApplicationError(
            _("A restore drill of this backup is already queued or running."),
            code=DataSecurityErrorCode.BACKUP_BUSY,
            status=409,
        )
    user = actor if getattr(actor, "is_authenticated", False) else None
    return RestoreDrill.objects.create(backup=backup, trigger=trigger, requested_by=user)


def restore_drill_due() -> RestoreDrill | None:
    """The scheduled drill (beat): the newest stored backup that has never been drilled is
    restored now, in this worker (SEC-1: every backup verified by a real restore)."""
    with transaction.atomic():
        backup = (
            BackupRun.objects.filter(status=BackupRunStatus.SUCCEEDED, pruned_at__isnull=True, drills__isnull=True)
            .order_by("-requested_at")
            .first()
        )
        if backup is None:
            return None
        drill = _drill_create(actor=None, backup_id=backup.pk, trigger=BackupTrigger.SCHEDULE)
    return restore_drill_execute(drill_id=drill.pk)


# --- Alerts ----------------------------------------------------------------------------------------


def _alert_recipients() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__name=Role.SECURITY_AUDITOR), is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def _alert(*, kind: str, title, body, params: dict) -> None:
    # The core's services import this app's (the audit exception): imported when used.
    from callcenter.services import notification_send  # noqa: PLC0415

    notification_send(
        recipients=_alert_recipients(),
        kind=kind,
        title=title,
        body=body,
        params=params,
        url=reverse("datasecurity:backup_list"),
    )


# --- Shared helpers --------------------------------------------------------------------------------


def _step(model, step: str) -> None:
    """The step now running (the page shows it); the previous step's seconds go to ``timings``."""
    now = time.monotonic()
    timings = getattr(model, "_step_timings", None)
    if timings is None:
        timings = model._step_timings = {}
    previous = getattr(model, "_step_started", None)
    if previous is not None and model.step:
        timings[model.step] = round(timings.get(model.step, 0) + now - previous, 3)
    model._step_started = now
    model.step = step
    type(model).objects.filter(pk=model.pk).update(step=step)


def _step_timings(model) -> dict:
    """Close the running step and return the seconds per step."""
    _step(model, "")
    return dict(getattr(model, "_step_timings", {}))


def _app_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


def _pg_params() -> dict:
    """The live database's connection, for pg_dump and the second connections (psycopg)."""
    db = connection.settings_dict
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or "",
        "host": db.get("HOST") or "",
        "port": db.get("PORT") or "",
    }
    params["password"] = db.get("PASSWORD") or ""
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if (db.get("OPTIONS") or {}).get(key):
            params[key] = db["OPTIONS"][key]
    return params


def _pg_env(params: dict) -> dict:
    env = {**os.environ, "PGPASSWORD": params["password"], "PGCONNECT_TIMEOUT": "15"}
    for key in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if params.get(key):
            env[f"PG{key.upper()}"] = params[key]
    return env


def _pg_args(params: dict) -> list[str]:
    args = ["--no-password"]
    if params["host"]:
        args += ["--host", str(params["host"])]
    if params["port"]:
        args += ["--port", str(params["port"])]
    if params["user"]:
        args += ["--username", params["user"]]
    return args


def _pg_connect(params: dict, dbname: str | None = None, **kwargs):
    import psycopg  # noqa: PLC0415 - PostgreSQL only

    keys = {k: v for k, v in params.items() if v and k != "dbname"}
    return psycopg.connect(dbname=dbname or params["dbname"], connect_timeout=15, **keys, **kwargs)


def _pg_describe(cursor) -> dict:
    """Row counts per table, the applied migrations and the audit chain head, as this
    connection's snapshot sees them."""
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        ORDER BY c.relname
        """
    )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        # Table names from the catalog, quoted as identifiers (tests/test_injection_sources.py).
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    migrations = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app || '.' || name FROM django_migrations ORDER BY id")
        migrations = [row[0] for row in cursor.fetchall()]
    head = None
    if "datasecurity_auditchainhead" in counts:
        cursor.execute("SELECT last_event_id, last_hash, event_count FROM datasecurity_auditchainhead WHERE id = 1")
        row = cursor.fetchone()
        if row:
            head = {"last_event_id": row[0], "last_hash": row[1], "event_count": row[2]}
    return {"row_counts": counts, "migrations": migrations, "audit_chain_head": head}


def _sqlite_describe(path: Path) -> dict:
    db = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {t: db.execute('SELECT count(*) FROM "{}"'.format(t.replace('"', '""'))).fetchone()[0] for t in tables}  # noqa: S608
        migrations = []
        if "django_migrations" in counts:
            migrations = [r[0] for r in db.execute("SELECT app || '.' || name FROM django_migrations ORDER BY id")]
        head = None
        if "datasecurity_auditchainhead" in counts:
            row = db.execute(
                "SELECT last_event_id, last_hash, event_count FROM datasecurity_auditchainhead WHERE id = 1"
            ).fetchone()
            if row:
                head = {"last_event_id": row[0], "last_hash": row[1], "event_count": row[2]}
        return {"row_counts": counts, "migrations": migrations, "audit_chain_head": head}
    finally:
        db.close()


def _run_quiet(args: list[str], *, env: dict | None = None, timeout: int = 6 * 3600) -> None:
    """Run an external tool; its stderr (last lines) becomes the step's error."""
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
    if result.returncode != 0:
        tail = (result.stderr or result.stdout or "").strip().splitlines()[-5:]
        raise _StepFailedError(f"{Path(args[0]).name} exited with {result.returncode}: " + " | ".join(tail))


# --- The database dump -----------------------------------------------------------------------------


def _dump_database(workdir: Path, method: str) -> tuple[Path, dict]:
    if method == BackupMethod.PG_DUMP:
        return _pg_dump(workdir)
    return _sqlite_dump(workdir)


def _pg_dump(workdir: Path) -> tuple[Path, dict]:
    """pg_dump -Fc into a file, from a snapshot a second connection exports and describes: the
    manifest's counts are exactly the dump's rows, whatever commits meanwhile."""
    params = _pg_params()
    path = workdir / "database.pgdump"
    with _pg_connect(params, autocommit=True) as snapshot_conn, snapshot_conn.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        described = _pg_describe(cursor)
        _run_quiet(
            [
                shutil.which("pg_dump") or "pg_dump",
                "--format=custom",
                f"--file={path}",
                f"--snapshot={snapshot}",
                *_pg_args(params),
                params["dbname"],
            ],
            env=_pg_env(params),
        )
        cursor.execute("COMMIT")
    return path, described


def _sqlite_dump(workdir: Path) -> tuple[Path, dict]:
    """SQLite's online backup API (a consistent copy while others write), counted in the copy."""
    path = workdir / "database.sqlite3"
    source = sqlite3.connect(connection.settings_dict["NAME"])
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return path, _sqlite_describe(path)


def _files_tar(path: Path) -> list[dict]:
    """MEDIA_ROOT and PRIVATE_MEDIA_ROOT as one tar (media/…, private/…); the list of files."""
    listed = []
    with tarfile.open(path, "w") as tar:
        for prefix, setting in _FILE_ROOTS:
            root = Path(getattr(settings, setting))
            if not root.is_dir():
                continue
            for file in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
                arcname = f"{prefix}/{file.relative_to(root).as_posix()}"
                tar.add(file, arcname=arcname, recursive=False)
                listed.append({"name": arcname, "size": file.stat().st_size})
    return listed


# --- The backup run --------------------------------------------------------------------------------


@dataclass
class _Bundle:
    path: Path
    sha256: str
    size: int


def _bundle_write(workdir: Path, manifest: dict, parts: list[tuple[str, Path]], key: bytes) -> _Bundle:
    path = workdir / "bundle.ccbk"
    with open(path, "wb") as out:
        writer = BundleWriter(out, key)
        with tarfile.open(fileobj=writer, mode="w|") as tar:
            data = json.dumps(manifest, indent=1, sort_keys=True, default=str).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, fileobj=_BytesReader(data))
            for arcname, part in parts:
                tar.add(part, arcname=arcname, recursive=False)
        writer.close()
    return _Bundle(path=path, sha256=writer.sha256.hexdigest(), size=writer.size)


class _BytesReader:
    def __init__(self, data: bytes):
        self._data = memoryview(data)

    def read(self, size: int = -1) -> bytes:
        size = len(self._data) if size < 0 else size
        chunk, self._data = self._data[:size], self._data[size:]
        return bytes(chunk)


def _storage_close(storage) -> None:
    """Close an SFTP location's connection after use (a worker holds no idle session); the
    storage object is shared by the process, so it must connect again on its next use."""
    close = getattr(storage, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()
        if hasattr(storage, "_sftp"):
            storage._sftp = None


def _location_label(storage_name: str) -> str:
    if storage_name == "backup_remote":
        return storage_location_label(settings.BACKUP_REMOTE_URL)
    return storage_location_label(settings.BACKUP_LOCAL_URL)


def _read_sha256(storage, name: str) -> str:
    with storage.open(name, "rb") as handle:
        return file_sha256(handle)


def _copy_to(storage_name: str, bundle: _Bundle, name: str) -> dict:
    """Write the bundle and its checksum file to one location and read the copy back (SEC-1)."""
    result = {"storage": storage_name, "label": _location_label(storage_name), "ok": False, "sha256": "", "error": ""}
    storage = storages[storage_name]
    try:
        with open(bundle.path, "rb") as handle:
            stored = storage.save(name, File(handle, name=name))
        if stored != name:
            raise _StepFailedError(f"the location stored the bundle as {stored}, not {name}")
        storage.save(f"{name}.sha256", ContentFile(f"{bundle.sha256}  {Path(name).name}\n".encode()))
        result["sha256"] = _read_sha256(storage, name)
        if result["sha256"] != bundle.sha256:
            raise _StepFailedError(f"the copy read back has SHA-256 {result['sha256']}, expected {bundle.sha256}")
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001 - each location's failure is recorded, the other still written
        result["error"] = f"{type(exc).__name__}: {exc}"[:1000]
    finally:
        _storage_close(storage)
    return result


def _claim_run(run_id: int) -> BackupRun | None:
    with transaction.atomic():
        run = BackupRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status != BackupRunStatus.QUEUED:
            return None  # done or taken already (a redelivered task): nothing to do
        run.status = BackupRunStatus.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    return run


def backup_run_execute(*, run_id: int) -> BackupRun:
    """Make the backup of a queued run (the worker's part; see the module's docstring). Returns the
    run as recorded; a failure is recorded, alerted and leaves every older backup in place."""
    run = _claim_run(run_id)
    if run is None:
        return BackupRun.objects.get(pk=run_id)
    workdir = Path(tempfile.mkdtemp(prefix="cc-backup-"))
    locations: list[dict] = []
    try:
        key = backup_key()
        _step(run, "database")
        dump_path, described = _dump_database(workdir, run.method)
        _step(run, "files")
        files_path = workdir / "files.tar"
        files = _files_tar(files_path)
        created = timezone.now()
        manifest = {
            "format": 1,
            "backup_id": run.pk,
            "created_at": created.isoformat(),
            "app_version": _app_version(),
            "method": run.method,
            "database_vendor": connection.vendor,
            "database_size": dump_path.stat().st_size,
            "key_id": backup_key_id(key).hex(),
            **described,
            "files": files,
            "files_count": len(files),
            "files_size": sum(f["size"] for f in files),
        }
        _step(run, "encrypt")
        dump_name = "database.pgdump" if run.method == BackupMethod.PG_DUMP else "database.sqlite3"
        bundle = _bundle_write(workdir, manifest, [(dump_name, dump_path), ("files.tar", files_path)], key)
        name = f"{BUNDLE_DIR}/backup-{created:%Y%m%dT%H%M%SZ}-{run.pk}.ccbk"
        _step(run, "copies")
        locations = [_copy_to(storage_name, bundle, name) for storage_name in BACKUP_LOCATIONS]
        failed = [location for location in locations if not location["ok"]]
        if failed:
            raise _StepFailedError("; ".join(f"{loc['label']}: {loc['error']}" for loc in failed))
    except Exception as exc:  # noqa: BLE001 - recorded on the run and alerted; nothing pruned
        return _run_failed(run, exc, locations)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return _run_succeeded(run, manifest=manifest, bundle=bundle, name=name, locations=locations)


@transaction.atomic
def _run_succeeded(run: BackupRun, *, manifest: dict, bundle: _Bundle, name: str, locations: list[dict]) -> BackupRun:
    timings = _step_timings(run)
    run = BackupRun.objects.select_for_update().get(pk=run.pk)
    run.timings = timings
    run.status = BackupRunStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.step = ""
    run.name = name
    run.size = bundle.size
    run.sha256 = bundle.sha256
    run.key_id = manifest["key_id"]
    run.database_size = manifest["database_size"]
    run.files_count = manifest["files_count"]
    run.files_size = manifest["files_size"]
    run.manifest = {k: v for k, v in manifest.items() if k != "files"}
    run.locations = locations
    run.save()
    _prune(keep=run.plan.keep_count)
    return run


def _run_failed(run: BackupRun, exc: Exception, locations: list[dict]) -> BackupRun:
    message = str(exc.message) if isinstance(exc, ApplicationError) else f"{type(exc).__name__}: {exc}"
    failed_step = run.step
    timings = _step_timings(run)
    with transaction.atomic():
        run = BackupRun.objects.select_for_update().get(pk=run.pk)
        run.timings = timings
        run.status = BackupRunStatus.FAILED
        run.finished_at = timezone.now()
        run.error = (f"[{failed_step}] " if failed_step else "") + message[:4000]
        run.locations = locations
        run.step = ""
        run.save(update_fields=["status", "finished_at", "error", "locations", "timings", "step"])
        _alert(
            kind="backup.failed",
            title=gettext_lazy("Backup %(id)s failed (SEC-1)"),
            body=gettext_lazy("The backup did not complete: %(error)s. No older backup was deleted."),
            params={"id": run.pk, "error": run.error[:300]},
        )
    return run


def _prune(*, keep: int) -> list[int]:
    """Delete the bundles beyond the newest ``keep`` from both locations (the rows stay, marked),
    never the newest one proven by a restore. Called inside the succeeded run's transaction."""
    stored = list(
        BackupRun.objects.select_for_update()
        .filter(status=BackupRunStatus.SUCCEEDED, pruned_at__isnull=True)
        .order_by("-requested_at", "-id")
    )
    proven = set(
        RestoreDrill.objects.filter(backup__in=stored, result=RestoreDrillResult.PASSED).values_list(
            "backup_id", flat=True
        )
    )
    doomed = prune_candidates([(run.pk, run.pk in proven) for run in stored], keep=keep)
    if not doomed:
        return []
    by_pk = {run.pk: run for run in stored}
    names = []
    for storage_name in BACKUP_LOCATIONS:
        storage = storages[storage_name]
        try:
            for pk in doomed:
                for name in (by_pk[pk].name, f"{by_pk[pk].name}.sha256"):
                    with contextlib.suppress(FileNotFoundError, OSError):
                        storage.delete(name)
        finally:
            _storage_close(storage)
    now = timezone.now()
    for pk in doomed:
        BackupRun.objects.filter(pk=pk).update(pruned_at=now)
        names.append(by_pk[pk].name)
    audit_record(
        actor=None,
        action="backup.prune",
        object_type=BackupRun._meta.label_lower,
        object_repr=", ".join(names)[:200],
        changes={"pruned": doomed, "kept": keep},
    )
    # SEC-4: pruned backups are a destruction like any other, in the register.
    destruction_record_write(
        category=JOB_CATEGORY_BACKUPS,
        name=str(JOB_CATEGORY_LABELS[JOB_CATEGORY_BACKUPS]),
        quantity=len(doomed),
        method=DestructionMethod.FILE_DELETE,
        responsible=None,
        responsible_label=str(_("The backup job (the plan keeps %(keep)s)") % {"keep": keep}),
        details={"backups": doomed, "names": names, "kept": keep},
    )
    return doomed


# --- Restore: fetch, check, decrypt, unpack --------------------------------------------------------


def _fetch(storage_name: str, name: str, target: Path) -> str:
    """Copy a bundle from a location to ``target``; its SHA-256."""
    storage = storages[storage_name]
    digest = hashlib.sha256()
    try:
        if not storage.exists(name):
            raise _StepFailedError(f"{name} is missing in {_location_label(storage_name)}")
        with storage.open(name, "rb") as handle, open(target, "wb") as out:
            while block := handle.read(_READ_BLOCK):
                digest.update(block)
                out.write(block)
    finally:
        _storage_close(storage)
    return digest.hexdigest()


def _sidecar_sha256(storage_name: str, name: str) -> str:
    storage = storages[storage_name]
    try:
        with storage.open(f"{name}.sha256", "rb") as handle:
            return handle.read().decode().split()[0]
    except (OSError, IndexError, UnicodeDecodeError) as exc:
        raise _StepFailedError(f"the checksum file {name}.sha256 cannot be read: {exc}") from exc
    finally:
        _storage_close(storage)


_BUNDLE_MEMBERS = {"manifest.json", "database.pgdump", "database.sqlite3", "files.tar"}


def _unpack(bundle_path: Path, key: bytes, into: Path) -> dict:
    """Decrypt and unpack a bundle's known members into ``into``; its manifest."""
    with open(bundle_path, "rb") as handle:
        reader = DecryptingReader(handle, key)
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for member in tar:
                if member.name not in _BUNDLE_MEMBERS or not member.isfile():
                    raise BundleError(f"unexpected member {member.name!r} in the bundle")
                source = tar.extractfile(member)
                with open(into / member.name, "wb") as out:
                    shutil.copyfileobj(source, out, _READ_BLOCK)
    manifest_path = into / "manifest.json"
    if not manifest_path.exists():
        raise BundleError("the bundle has no manifest.json")
    return json.loads(manifest_path.read_text())


def _scratch_create(params: dict, name: str) -> None:
    with _pg_connect(params, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(sql.Identifier(name)))


def _scratch_drop(params: dict, name: str) -> None:
    with _pg_connect(params, dbname="postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _pg_restore(params: dict, dump: Path, dbname: str) -> None:
    _run_quiet(
        [
            shutil.which("pg_restore") or "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--jobs=2",
            f"--dbname={dbname}",
            *_pg_args(params),
            str(dump),
        ],
        env=_pg_env(params),
    )


def _database_url(params: dict, dbname: str) -> str:
    auth = quote(params["user"], safe="")
    if params["password"]:
        auth += ":" + quote(params["password"], safe="")
    host = params["host"] or ""
    port = f":{params['port']}" if params["port"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(dbname, safe='')}"


def _audit_verify_in(database_url: str, workdir: Path) -> tuple[bool, str]:
    """``manage.py audit_verify`` against the restored copy, in a child process (its own
    settings and connection); checkpoints are not compared there (an empty directory)."""
    checkpoints = workdir / "no-checkpoints"
    checkpoints.mkdir(exist_ok=True)
    env = {**os.environ, "DATABASE_URL": database_url, "AUDIT_CHECKPOINT_DIR": str(checkpoints)}
    env.pop("PYTEST_XDIST_WORKER", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "audit_verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=6 * 3600,
        check=False,
        cwd=settings.BASE_DIR,
    )
    output = " ".join(((result.stdout or "") + " " + (result.stderr or "")).split())
    return result.returncode == 0, output[-1500:]


class _Checks:
    """A drill's checks, in order; each ``ok`` with a short detail."""

    def __init__(self):
        self.items: list[dict] = []

    def add(self, code: str, ok: bool, detail: str = "") -> bool:
        self.items.append({"code": code, "ok": bool(ok), "detail": detail[:2000]})
        return ok

    @property
    def ok(self) -> bool:
        return bool(self.items) and all(item["ok"] for item in self.items)


def _check_files(checks: _Checks, files_tar: Path, manifest: dict) -> None:
    expected = {f["name"]: f["size"] for f in manifest.get("files", [])}
    try:
        with tarfile.open(files_tar, "r") as tar:
            found = {m.name: m.size for m in tar.getmembers() if m.isfile()}
    except (OSError, tarfile.TarError) as exc:
        checks.add("files", False, f"files.tar cannot be read: {exc}")
        return
    missing = sorted(set(expected) - set(found))
    changed = sorted(n for n in set(expected) & set(found) if expected[n] != found[n])
    extra = sorted(set(found) - set(expected))
    problems = [f"missing: {n}" for n in missing[:20]] + [f"size differs: {n}" for n in changed[:20]]
    problems += [f"not in manifest: {n}" for n in extra[:20]]
    checks.add("files", not problems, "; ".join(problems) or f"{len(found)} files listed as in the manifest")


def _check_restored(checks: _Checks, *, described: dict, manifest: dict, recorded: dict | None) -> None:
    migrations = manifest_compare_migrations(manifest.get("migrations", []), described["migrations"])
    checks.add(
        "migrations",
        not migrations,
        "; ".join(migrations[:20]) or f"{len(described['migrations'])} migrations, as in the manifest",
    )
    # The counts of the record (written at backup time, in the database) when we have it, else the
    # bundle's own: a manifest altered in the bundle or in the record fails here or in "manifest".
    reference = (recorded or {}).get("row_counts") or manifest.get("row_counts", {})
    counts = manifest_compare_counts(reference, described["row_counts"])
    total = sum(described["row_counts"].values())
    checks.add(
        "row_counts",
        not counts,
        "; ".join(counts[:20]) or f"{len(described['row_counts'])} tables, {total} rows, as in the manifest",
    )


def _drill_in(workdir: Path, drill: RestoreDrill, checks: _Checks, key: bytes) -> None:
    backup = drill.backup
    bundle_path = workdir / "bundle.ccbk"
    unpacked = workdir / "unpacked"
    unpacked.mkdir()
    _step(drill, "fetch")
    try:
        sha = _fetch(DRILL_LOCATION, backup.name, bundle_path)
    except Exception as exc:  # noqa: BLE001 - a missing copy or an unreachable location is the finding
        checks.add("copy", False, f"{type(exc).__name__}: {exc}")
        return
    checks.add("copy", True, f"{bundle_path.stat().st_size} bytes from {_location_label(DRILL_LOCATION)}")
    if not checks.add(
        "checksum",
        sha == backup.sha256,
        f"SHA-256 {sha}" + ("" if sha == backup.sha256 else f", expected {backup.sha256}"),
    ):
        return
    _step(drill, "decrypt")
    try:
        manifest = _unpack(bundle_path, key, unpacked)
    except (BundleError, tarfile.TarError, OSError, ValueError) as exc:
        checks.add("decrypt", False, str(exc))
        return
    checks.add("decrypt", True, f"key {manifest.get('key_id', '?')}")
    bundle_manifest = {k: v for k, v in manifest.items() if k != "files"}
    same = json.loads(json.dumps(bundle_manifest, default=str)) == json.loads(json.dumps(backup.manifest, default=str))
    checks.add("manifest", same, "" if same else "the bundle's manifest differs from the one recorded at backup time")
    _step(drill, "restore")
    if backup.method == BackupMethod.PG_DUMP:
        _drill_restore_pg(workdir, drill, checks, manifest, backup.manifest)
    else:
        _drill_restore_sqlite(workdir, drill, checks, manifest, backup.manifest)
    _step(drill, "files")
    _check_files(checks, unpacked / "files.tar", manifest)


def _drill_restore_pg(workdir: Path, drill: RestoreDrill, checks: _Checks, manifest: dict, recorded: dict) -> None:
    if connection.vendor != "postgresql":
        checks.add("restore", False, "a PostgreSQL backup is restored on PostgreSQL only")
        return
    params = _pg_params()
    scratch = f"{SCRATCH_PREFIX}{drill.pk}_{secrets.token_hex(4)}"
    RestoreDrill.objects.filter(pk=drill.pk).update(scratch_database=scratch)
    try:
        _scratch_create(params, scratch)
        try:
            _pg_restore(params, workdir / "unpacked" / "database.pgdump", scratch)
        except _StepFailedError as exc:
            checks.add("restore", False, str(exc))
            return
        checks.add("restore", True, f"pg_restore into {scratch}")
        with _pg_connect(params, dbname=scratch, autocommit=True) as conn, conn.cursor() as cursor:
            described = _pg_describe(cursor)
        _check_restored(checks, described=described, manifest=manifest, recorded=recorded)
        _step(drill, "audit chain")
        ok, output = _audit_verify_in(_database_url(params, scratch), workdir)
        checks.add("audit_chain", ok, output)
    finally:
        with contextlib.suppress(Exception):
            _scratch_drop(params, scratch)


def _drill_restore_sqlite(workdir: Path, drill: RestoreDrill, checks: _Checks, manifest: dict, recorded: dict) -> None:
    restored = workdir / "unpacked" / "database.sqlite3"
    if not restored.exists():
        checks.add("restore", False, "the bundle holds no SQLite database")
        return
    try:
        described = _sqlite_describe(restored)
    except sqlite3.DatabaseError as exc:
        checks.add("restore", False, f"SQLite cannot open the restored copy: {exc}")
        return
    checks.add("restore", True, "SQLite database file restored")
    _check_restored(checks, described=described, manifest=manifest, recorded=recorded)
    _step(drill, "audit chain")
    ok, output = _audit_verify_in(f"sqlite:///{restored}", workdir)
    checks.add("audit_chain", ok, output)


def restore_drill_execute(*, drill_id: int) -> RestoreDrill:
    """Run a queued restore drill (the worker's part; see the module's docstring)."""
    with transaction.atomic():
        drill = RestoreDrill.objects.select_for_update().select_related("backup").filter(pk=drill_id).first()
        if drill is None or drill.result != RestoreDrillResult.QUEUED:
            return RestoreDrill.objects.get(pk=drill_id)
        drill.result = RestoreDrillResult.RUNNING
        drill.started_at = timezone.now()
        drill.location = _location_label(DRILL_LOCATION)
        drill.save(update_fields=["result", "started_at", "location"])
    checks = _Checks()
    workdir = Path(tempfile.mkdtemp(prefix="cc-drill-"))
    error = ""
    try:
        _drill_in(workdir, drill, checks, backup_key())
    except ApplicationError as exc:
        error = str(exc.message)
    except Exception as exc:  # noqa: BLE001 - the drill records why it stopped
        error = f"{type(exc).__name__}: {exc}"
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    passed = checks.ok and not error
    timings = _step_timings(drill)
    with transaction.atomic():
        drill = RestoreDrill.objects.select_for_update().select_related("backup").get(pk=drill.pk)
        drill.timings = timings
        drill.result = RestoreDrillResult.PASSED if passed else RestoreDrillResult.FAILED
        drill.finished_at = timezone.now()
        drill.checks = checks.items
        drill.step = ""
        failed = [item for item in checks.items if not item["ok"]]
        drill.error = error or "; ".join(f"{item['code']}: {item['detail']}" for item in failed)[:4000]
        drill.save(update_fields=["result", "finished_at", "checks", "step", "error", "timings"])
        if not passed:
            _alert(
                kind="backup.drill_failed",
                title=gettext_lazy("Restore drill of backup %(id)s failed (SEC-1)"),
                body=gettext_lazy("The backup could not be proven restorable: %(error)s."),
                params={"id": drill.backup_id, "error": drill.error[:300]},
            )
    return drill


# --- The bad day: restore into a named database ----------------------------------------------------


@dataclass
class RestoreOutcome:
    name: str
    database: str
    manifest: dict
    files_into: Path | None


def backup_restore_into(
    *,
    database: str,
    backup_id: int | None = None,
    name: str = "",
    location: str = DRILL_LOCATION,
    files_into: Path | None = None,
) -> RestoreOutcome:
    """Restore a backup into a new database named ``database`` (never the live one), from a
    location, checking its SHA-256 against its checksum file first; unpack the uploaded files into
    ``files_into`` when given. Works without the live database when ``name`` is given (the bad
    day): the bundle's name as listed in the location (``manage.py backup_restore --list``)."""
    if location not in BACKUP_LOCATIONS:
        raise ApplicationError(_("The location is backup_local or backup_remote."))
    if not _DB_NAME_RE.match(database or ""):
        raise ApplicationError(_("The database name is letters, digits and underscores (at most 63)."))
    live = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql" and database == live:
        raise ApplicationError(
            _("Refused: %(name)s is the live database. Restore into a new database, then switch to it.")
            % {"name": database}
        )
    if backup_id is not None:
        backup = BackupRun.objects.filter(pk=backup_id, status=BackupRunStatus.SUCCEEDED).first()
        if backup is None:
            raise NotFoundError(_("Backup %(id)s is not a successful backup.") % {"id": backup_id})
        name = backup.name
    if not name:
        raise ApplicationError(_("Name the backup: --backup ID, or --name as listed by --list."))
    key = backup_key()
    workdir = Path(tempfile.mkdtemp(prefix="cc-restore-"))
    try:
        bundle_path = workdir / "bundle.ccbk"
        unpacked = workdir / "unpacked"
        unpacked.mkdir()
        try:
            sha = _fetch(location, name, bundle_path)
            expected = _sidecar_sha256(location, name)
            if sha != expected:
                raise _StepFailedError(
                    f"SHA-256 {sha} does not match the checksum file ({expected}): the copy is damaged"
                )
            manifest = _unpack(bundle_path, key, unpacked)
        except (_StepFailedError, BundleError, OSError, tarfile.TarError) as exc:
            raise ApplicationError(str(exc)) from exc
        if manifest.get("method") == BackupMethod.PG_DUMP:
            params = _pg_params()
            with _pg_connect(params, dbname="postgres", autocommit=True) as admin:
                exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
            if exists:
                raise ApplicationError(
                    _("Refused: the database %(name)s exists already. Choose a new name.") % {"name": database}
                )
            _scratch_create(params, database)
            try:
                _pg_restore(params, unpacked / "database.pgdump", database)
            except _StepFailedError as exc:
                with contextlib.suppress(Exception):
                    _scratch_drop(params, database)
                raise ApplicationError(str(exc)) from exc
        else:
            target = Path(settings.BASE_DIR) / "var" / f"{database}.sqlite3"
            if target.exists():
                raise ApplicationError(_("Refused: %(path)s exists already.") % {"path": target})
            shutil.copyfile(unpacked / "database.sqlite3", target)
        if files_into is not None:
            files_into.mkdir(parents=True, exist_ok=True)
            with tarfile.open(unpacked / "files.tar", "r") as tar:
                tar.extractall(files_into, filter="data")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if backup_id is not None:
        with transaction.atomic():
            audit_record(
                actor=None,
                action="backup.restore",
                obj=backup,
                changes={"into": database, "location": location},
            )
    return RestoreOutcome(name=name, database=database, manifest=manifest, files_into=files_into)
