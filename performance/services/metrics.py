"""Performance services: the call-center metrics import (PRF-1 work results).

Agents' daily figures (calls answered, resolved, average handling time, QA accuracy) come from
the telephony/ACD system, either as a CSV file HR uploads or as a JSON push to the API. Both go
through :func:`performance.rules.clean_rows` and :func:`_metric_rows_import`:

- all or nothing: one bad row (unknown employee number, bad date, future day, negative figure,
  resolved > answered, QA outside 0..100, the same employee and day twice) refuses the whole
  import with every row error, and nothing is written;
- re-importing an employee's day replaces it (one row per employee and day, an upsert), so an
  import can run twice and the second run changes nothing but the counts of its record;
- one :class:`~performance.models.MetricImport` per accepted import (who, when, rows, new and
  replaced days, date range, SHA-256 of the file) and one audit event with those counts — not
  one per row (the audit chain serialises on one lock);
- imports run one at a time (a transaction-scoped advisory lock), so "new" and "replaced" are
  exact even when two uploads race.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import zlib

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.exports import ExportFile, csv_file
from callcenter.models import Employee
from callcenter.roles import Role, has_role
from callcenter.services import hr_company_wide_require
from datasecurity.services import audit_record
from performance import rules
from performance.errors import PerformanceErrorCode
from performance.models import AgentDailyMetric, MetricImport, MetricSource, TeamDailyCallVolume

__all__ = [
    "METRIC_IMPORT_ROLES",
    "metric_call_volumes_rebuild",
    "metric_import_file",
    "metric_import_push",
    "metric_import_template",
]

METRIC_IMPORT_ROLES = (Role.HR,)
_UPSERT_BATCH = 5_000
# pg_advisory_xact_lock key: one metrics import at a time.
_IMPORT_LOCK = zlib.crc32(b"performance.metric_import")
_UPDATE_FIELDS = [
    "calls_answered",
    "calls_resolved",
    "avg_handle_seconds",
    "qa_accuracy",
    "source_import",
    "updated_at",
]


def _require_importer(actor) -> None:
    if not has_role(actor, *METRIC_IMPORT_ROLES):
        raise PermissionDeniedError(_("Only HR imports call-center metrics (PRF-1)."))
    hr_company_wide_require(actor)  # an import holds every agent's figures


def _refuse(errors: list[rules.RowError]) -> ApplicationError:
    errors = sorted(errors, key=lambda e: e.row)
    count = len(errors)
    return ApplicationError(
        _("Nothing was imported: %(count)s error(s) in the rows. Correct them and import the whole file again.")
        % {"count": count},
        code=PerformanceErrorCode.ROWS_INVALID,
        extra={"error_count": count, "errors": [e.as_dict() for e in errors[: rules.MAX_ERRORS_SHOWN]]},
    )


def _metric_rows_import(
    *,
    actor,
    action: str,
    source: str,
    rows: list[rules.MetricRow],
    errors: list[rules.RowError],
    employee_column: str = "employee_no",
    filename: str = "",
    checksum: str = "",
) -> MetricImport:
    numbers = {r.employee_no for r in rows}
    # One query for every employee number of the import.
    employee_ids = dict(Employee.objects.filter(employee_no__in=numbers).values_list("employee_no", "pk"))
    for r in rows:
        if r.employee_no not in employee_ids:
            errors.append(
                rules.RowError(
                    r.row,
                    employee_column,
                    _("No employee has the number %(employee_no)s.") % {"employee_no": r.employee_no},
                )
            )
    if errors:
        raise _refuse(errors)
    if not rows:
        raise ApplicationError(_("There are no rows to import."), code=PerformanceErrorCode.ROWS_EMPTY)
    # The figures score the automatic indicators of one's appraisal (PRF-1): never one's own (SEC-2).
    refuse_own_record(actor=actor, employee_ids=employee_ids.values(), action=action)
    date_from = min(r.day for r in rows)
    date_to = max(r.day for r in rows)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_IMPORT_LOCK])
        ids = set(employee_ids.values())
        existing = set(
            AgentDailyMetric.objects.filter(day__range=(date_from, date_to), employee_id__in=ids).values_list(
                "employee_id", "day"
            )
        )
        replaced = sum(1 for r in rows if (employee_ids[r.employee_no], r.day) in existing)
        record = MetricImport.objects.create(
            source=source,
            filename=filename[:255],
            checksum=checksum,
            imported_by=actor,
            rows=len(rows),
            created=len(rows) - replaced,
            replaced=replaced,
            date_from=date_from,
            date_to=date_to,
        )
        now = timezone.now()
        for start in range(0, len(rows), _UPSERT_BATCH):
            # Re-imported days replace the stored row (one per employee and day).
            AgentDailyMetric.objects.bulk_create(
                [
                    AgentDailyMetric(
                        employee_id=employee_ids[r.employee_no],
                        day=r.day,
                        calls_answered=r.calls_answered,
                        calls_resolved=r.calls_resolved,
                        avg_handle_seconds=r.avg_handle_seconds,
                        qa_accuracy=r.qa_accuracy,
                        source_import=record,
                        updated_at=now,
                    )
                    for r in rows[start : start + _UPSERT_BATCH]
                ],
                update_conflicts=True,
                unique_fields=["employee", "day"],
                update_fields=_UPDATE_FIELDS,
            )
        metric_call_volumes_rebuild(date_from=date_from, date_to=date_to)
        audit_record(
            actor=actor,
            action="metric_import.create",
            obj=record,
            changes={
                "source": source,
                "filename": record.filename,
                "checksum": checksum,
                "rows": record.rows,
                "created": record.created,
                "replaced": record.replaced,
                "date_from": date_from.isoformat(),
                "date_to": date_to.isoformat(),
                "employees": len(ids),
            },
        )
    return record


def metric_call_volumes_rebuild(*, date_from: datetime.date, date_to: datetime.date) -> int:
    """Rebuild the calls answered per team and day (``TeamDailyCallVolume``, read by CMP-4's
    complaint rate) for the days in the range from the agents' daily metrics; the team is each
    agent's team now. Called by the imports in their transaction, and by bulk loaders (demo,
    bench) after writing metrics directly. Returns the number of team-days stored. Two queries
    and one bulk insert."""
    with transaction.atomic():
        TeamDailyCallVolume.objects.filter(day__range=(date_from, date_to)).delete()
        totals = (
            AgentDailyMetric.objects.filter(day__range=(date_from, date_to))
            .values("day", "employee__team_id")
            .annotate(calls=Sum("calls_answered"))
            .order_by()
        )
        rows = [
            TeamDailyCallVolume(day=t["day"], team_id=t["employee__team_id"], calls_answered=t["calls"] or 0)
            for t in totals
        ]
        TeamDailyCallVolume.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


@privileged_service("performance.metric_import_file", label=gettext_lazy("import call-center metrics"))
def metric_import_file(*, actor, data: bytes, filename: str) -> MetricImport:
    """A CSV file uploaded by HR (PRF-1). Refused whole with row errors in
    ``ApplicationError.extra`` (``errors``: the first 100 as ``{row, column, message}``;
    ``error_count``) when any row is wrong; nothing is written then."""
    _require_importer(actor)
    records, columns = rules.read_csv(data)
    rows, errors = rules.clean_rows(records, today=timezone.localdate(), columns=columns)
    return _metric_rows_import(
        actor=actor,
        action="performance.metric_import_file",
        source=MetricSource.CSV,
        rows=rows,
        errors=errors,
        employee_column=columns.get("employee_no", "employee_no"),
        filename=filename,
        checksum=hashlib.sha256(data).hexdigest(),
    )


@privileged_service("performance.metric_import_push", label=gettext_lazy("import call-center metrics"))
def metric_import_push(*, actor, rows: list[dict]) -> MetricImport:
    """Rows pushed to the API by the telephony system or an HR tool (PRF-1): the same fields and
    checks as the CSV file, the same all-or-nothing rule. Row numbers in errors start at 1.
    The checksum is the SHA-256 of the rows as received (canonical JSON)."""
    _require_importer(actor)
    if not isinstance(rows, list) or any(not isinstance(r, dict) for r in rows):
        raise ApplicationError(_("“rows” must be a list of objects."), code=PerformanceErrorCode.ROWS_INVALID_SHAPE)
    if not rows:
        raise ApplicationError(_("There are no rows to import."), code=PerformanceErrorCode.ROWS_EMPTY)
    if len(rows) > rules.MAX_ROWS:
        raise ApplicationError(
            _("At most %(limit)s rows can be imported at once; split them by date.") % {"limit": f"{rules.MAX_ROWS:,}"},
            code=PerformanceErrorCode.TOO_MANY_ROWS,
        )
    records = [(i, {f: r.get(f) for f in rules.FIELDS}) for i, r in enumerate(rows, start=1)]
    cleaned, errors = rules.clean_rows(records, today=timezone.localdate())
    canonical = json.dumps([rec for _i, rec in records], sort_keys=True, default=str, separators=(",", ":"))
    return _metric_rows_import(
        actor=actor,
        action="performance.metric_import_push",
        source=MetricSource.API,
        rows=cleaned,
        errors=errors,
        checksum=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def metric_import_template() -> ExportFile:
    """The downloadable template of the CSV file: the headers HR's Excel expects (Chinese) and one
    example row, UTF-8 with BOM so Excel opens it with the Chinese headers. No personal data: not
    audited."""
    return csv_file(filename="metrics-template", headers=rules.TEMPLATE_HEADERS, rows=[rules.TEMPLATE_EXAMPLE])
