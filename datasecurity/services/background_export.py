"""Background exports of the audit trail (SEC-2): a selection larger than the immediate export's
``AUDIT_EXPORT_MAX_ROWS`` is written by a Celery task, in chunks, into private storage.

- ``audit_export_request``: the auditor queues an export of the filtered events (up to
  ``AUDIT_EXPORT_BACKGROUND_MAX_ROWS``, else refused); audited (``audit.export_request``, with the
  filters and the count) in the same transaction; the task runs after commit.
- ``audit_export_render``: the task's work. Keyset pagination by id (newest first, ``id <`` the
  last written), ``AUDIT_EXPORT_CHUNK`` events at a time, so memory stays bounded whatever the
  size; CSV written line by line, XLSX through openpyxl's write-only workbook (one sheet per
  million rows, a sheet's limit). Progress is saved after every chunk; a failure records its
  error; the file's SHA-256 is kept.
- ``audit_export_open``: any security auditor downloads a finished export (auditors share the
  work), after its checksum is verified; every download is audited (``audit.export_download``).
"""

from __future__ import annotations

import csv
import logging
import os
import secrets

from django.core.exceptions import SuspiciousFileOperation
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, neutralise
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.models import AuditEvent, AuditExport, AuditExportStatus
from datasecurity.selectors import (
    AUDIT_EXPORT_BACKGROUND_MAX_ROWS,
    audit_event_list,
    audit_events_describe,
    can_read_audit,
)
from datasecurity.services.audit import (
    _export_filters,
    _export_format,
    _export_headers,
    _export_row,
    audit_record,
)
from datasecurity.services.files import file_sha256, private_storage

__all__ = [
    "AUDIT_EXPORT_CHUNK",
    "AUDIT_EXPORT_CONTENT_TYPES",
    "audit_export_open",
    "audit_export_render",
    "audit_export_request",
]

logger = logging.getLogger(__name__)

# Events read and written per chunk (one query each); progress is saved after each.
AUDIT_EXPORT_CHUNK = 2_000
# An XLSX sheet holds 1,048,576 rows: a larger export continues on the next sheet.
XLSX_ROWS_PER_SHEET = 1_000_000
AUDIT_EXPORT_CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
_XLSX_WIDTHS = (10, 20, 18, 14, 28, 24, 18, 10, 28, 16, 60, 20)


def _require_auditor(actor) -> None:
    if not can_read_audit(actor):
        raise PermissionDeniedError(_("Only the security auditor exports the audit trail."))


@transaction.atomic
def audit_export_request(*, actor, filters: dict, fmt: str, language: str = "") -> AuditExport:
    """Queue an export of the events the auditor's filters select (SEC-2): the selection is fixed
    now (the filters and the newest event id), counted, refused above
    ``AUDIT_EXPORT_BACKGROUND_MAX_ROWS`` (nothing recorded), else recorded with the count in
    ``audit.export_request`` and written by the Celery task after commit."""
    _require_auditor(actor)
    _export_format(fmt)
    used = _export_filters(filters)
    events = audit_event_list(user=actor, filters=used)
    # Appends are serial (the chain head's lock, held to commit): every event committed later has
    # a larger id, so "id <= newest" is exactly the trail as it stands now.
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    total = events.filter(id__lte=newest).count()
    if total > AUDIT_EXPORT_BACKGROUND_MAX_ROWS:
        raise ApplicationError(
            _(
                "%(count)s events match, more than the %(max)s an export may hold: narrow the filters "
                "(a shorter date range, one module or one action) and export again."
            )
            % {"count": f"{total:,}", "max": f"{AUDIT_EXPORT_BACKGROUND_MAX_ROWS:,}"},
            code=DataSecurityErrorCode.EXPORT_OVER_CAP,
            status=400,
        )
    language = (language or translation.get_language() or "zh-hans").lower()[:10]
    export = AuditExport.objects.create(
        requested_by=actor,
        filters=used,
        file_format=fmt,
        language=language,
        last_event_id=newest,
        rows_total=total,
    )
    audit_record(
        actor=actor,
        action="audit.export_request",
        obj=export,
        changes={"format": fmt, "rows": total, "filters": used, "last_event_id": newest},
    )
    from datasecurity.tasks import audit_export_render as render_task  # noqa: PLC0415 - enqueue: tasks import services

    render_task.delay_on_commit(export.pk)
    return export


def _update(export_id: int, **fields) -> None:
    """One short transaction per update, so the page polling the row sees the progress."""
    with transaction.atomic():
        AuditExport.objects.filter(pk=export_id).update(**fields)


def _chunks(export: AuditExport):
    """The selected events, newest first, ``AUDIT_EXPORT_CHUNK`` at a time (keyset by id: each
    chunk is one indexed query, however deep into the trail)."""
    events = audit_event_list(user=export.requested_by, filters=export.filters).filter(id__lte=export.last_event_id)
    before = None
    while True:
        page = events if before is None else events.filter(id__lt=before)
        chunk = audit_events_describe(page.order_by("-id")[:AUDIT_EXPORT_CHUNK])
        if not chunk:
            return
        yield chunk
        before = chunk[-1].pk


class _CsvWriter:
    def __init__(self, path: str, headers: list[str]):
        self.handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by close()
        self.handle.write("\ufeff")  # BOM: Excel opens UTF-8 Chinese text correctly
        self.writer = csv.writer(self.handle)
        self.writer.writerow([neutralise(str(h)) for h in headers])

    def rows(self, rows) -> None:
        # Text a spreadsheet would run as a formula is neutralised (callcenter.exports).
        self.writer.writerows(
            [neutralise(v) if isinstance(v, str) else ("" if v is None else str(v)) for v in row] for row in rows
        )

    def close(self) -> None:
        self.handle.close()


class _XlsxWriter:
    """openpyxl's write-only workbook: rows go to a temporary file as they come, memory stays flat."""

    def __init__(self, path: str, headers: list[str], title: str):
        self.path, self.headers, self.title = path, [neutralise(str(h)) for h in headers], title
        self.workbook = Workbook(write_only=True)
        self.sheet, self.in_sheet, self.sheets = None, 0, 0

    def _new_sheet(self) -> None:
        self.sheets += 1
        title = self.title if self.sheets == 1 else f"{self.title} ({self.sheets})"
        self.sheet = self.workbook.create_sheet(title=title[:31])
        self.sheet.freeze_panes = "A2"
        for index, width in enumerate(_XLSX_WIDTHS):
            self.sheet.column_dimensions[chr(ord("A") + index)].width = width
        header = []
        for text in self.headers:
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.font = Font(bold=True)
            header.append(cell)
        self.sheet.append(header)
        self.in_sheet = 0

    def rows(self, rows) -> None:
        for row in rows:
            if self.sheet is None or self.in_sheet >= XLSX_ROWS_PER_SHEET:
                self._new_sheet()
            self.sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
            self.in_sheet += 1

    def close(self) -> None:
        if self.sheet is None:
            self._new_sheet()
        self.workbook.save(self.path)


def _sha256(path: str) -> str:
    with open(path, "rb") as handle:
        return file_sha256(handle)


def audit_export_render(*, export_id: int) -> AuditExport:
    """Write a queued export (the Celery task): queued → running (rows written saved after each
    chunk) → done, with the file in private storage, its size and SHA-256; failed with its error
    (the partial file removed). Idempotent: a finished export is returned as it is (at-least-once
    delivery); a run whose worker died starts again from the top when the task is redelivered."""
    with transaction.atomic():
        export = AuditExport.objects.select_for_update().select_related("requested_by").filter(pk=export_id).first()
        if export is None:
            raise NotFoundError(_("Export not found."))
        if export.status in (AuditExportStatus.DONE, AuditExportStatus.FAILED):
            return export
        now = timezone.now()
        export.status, export.rows_written, export.error = AuditExportStatus.RUNNING, 0, ""
        export.started_at = export.progress_at = now
        export.save(update_fields=["status", "rows_written", "error", "started_at", "progress_at"])
    storage = private_storage()
    name = storage.get_available_name(
        f"audit-exports/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{export.file_format}"
    )
    path = ""
    try:
        path = storage.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with translation.override(export.language):
            headers = _export_headers()
            if export.file_format == "xlsx":
                writer = _XlsxWriter(path, headers, str(_("Audit trail")))
            else:
                writer = _CsvWriter(path, headers)
            written = 0
            try:
                for chunk in _chunks(export):
                    writer.rows(_export_row(event) for event in chunk)
                    written += len(chunk)
                    _update(export_id, rows_written=min(written, export.rows_total), progress_at=timezone.now())
            finally:
                writer.close()
        _update(
            export_id,
            status=AuditExportStatus.DONE,
            rows_total=written if written < export.rows_total else export.rows_total,
            rows_written=written if written < export.rows_total else export.rows_total,
            stored_name=name,
            size=os.path.getsize(path),
            sha256=_sha256(path),
            finished_at=timezone.now(),
        )
    except Exception as exc:
        logger.exception("audit export %s failed", export_id)
        if path and os.path.exists(path):
            os.remove(path)
        _update(
            export_id,
            status=AuditExportStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
    export.refresh_from_db()
    return export


def audit_export_open(*, actor, export_id: int):
    """Open a finished export for a security auditor (any auditor: they share the work; others
    PermissionDeniedError), after checking its SHA-256 (a changed file is refused and the refusal
    audited); every download is audited (``audit.export_download``) in its own transaction.
    Returns (export, open binary handle)."""
    _require_auditor(actor)
    export = AuditExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None:
        raise NotFoundError(_("Export not found."))
    if export.status != AuditExportStatus.DONE:
        raise ApplicationError(
            _("This export is not ready yet."), code=DataSecurityErrorCode.EXPORT_NOT_READY, status=409
        )
    try:
        handle = private_storage().open(export.stored_name, "rb")
    except (OSError, SuspiciousFileOperation) as exc:
        raise NotFoundError(_("The exported file is missing; request the export again.")) from exc
    try:
        found = file_sha256(handle)
        if found != export.sha256:
            with transaction.atomic():
                audit_record(
                    actor=actor,
                    action="audit.export_tampered",
                    obj=export,
                    changes={"expected": export.sha256, "found": found},
                )
            raise ApplicationError(
                _(
                    "The stored file does not match its checksum: it was changed after it was made. "
                    "It is not served; request the export again."
                ),
                code=DataSecurityErrorCode.EXPORT_TAMPERED,
                status=409,
            )
        handle.seek(0)
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="audit.export_download",
                obj=export,
                changes={
                    "format": export.file_format,
                    "rows": export.rows_written,
                    "requested_by": export.requested_by.get_username(),
                    "sha256": export.sha256,
                },
            )
    except BaseException:
        handle.close()
        raise
    return export, handle
