"""The directory's export (issue 13): the people of the actor's remit that match the filters, as
CSV or XLSX, audited in the same transaction (SEC-2). Pay columns only for HR."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import CoreErrorCode, NotFoundError
from callcenter.exports import ExportFile, csv_file, xlsx_file
from callcenter.selectors.directory import directory_list, directory_shows_pay
from datasecurity.services import audit_record

__all__ = [
    "DIRECTORY_EXPORT_FORMATS",
    "directory_export",
]

DIRECTORY_EXPORT_FORMATS = ("csv", "xlsx")


@transaction.atomic
def directory_export(*, actor, filters: dict | None = None, fmt: str) -> ExportFile:
    """The directory rows ``actor`` sees with ``filters`` (as :func:`directory_list`), every page,
    as ``fmt`` (csv or xlsx). Recorded in the audit trail with the filters and the row count."""
    if fmt not in DIRECTORY_EXPORT_FORMATS:
        raise NotFoundError(_("Unknown export format."), code=CoreErrorCode.NOT_FOUND)
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    with_pay = directory_shows_pay(actor)
    headers = [
        _("Employee number"),
        _("Name"),
        _("Department"),
        _("Team"),
        _("Position"),
        _("Hire date"),
        _("Status"),
        _("Left on"),
    ]
    if with_pay:
        headers += [_("Monthly base pay"), _("Performance bonus base")]
    rows = []
    for e in directory_list(user=actor, filters=filters).iterator(chunk_size=2000):
        row = [
            e.employee_no,
            e.name,
            e.department.name,
            e.team.name if e.team else "",
            e.position.name,
            e.hire_date,  # a date in the XLSX, ISO text in the CSV
            str(e.get_status_display()),
            e.left_on,
        ]
        if with_pay:
            row += [e.monthly_base_pay, e.bonus_base]
        rows.append(row)
    audit_record(
        actor=actor,
        action="directory.export",
        object_type="callcenter.employee",
        object_id="directory",
        changes={
            "format": fmt,
            "rows": len(rows),
            "filters": {k: str(v) for k, v in sorted(filters.items())},
            "pay": with_pay,
        },
    )
    filename = f"directory-{timezone.localdate():%Y-%m-%d}"
    if fmt == "csv":
        return csv_file(filename=filename, headers=headers, rows=rows)
    pay = [8, 9] if with_pay else []
    return xlsx_file(filename=filename, headers=headers, rows=rows, sheet_title=_("Directory"), money_columns=pay)
