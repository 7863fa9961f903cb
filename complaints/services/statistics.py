"""Writes of the complaint statistics (CMP-4): the export, audited.

The statistics themselves are a read (:func:`complaints.selectors.complaint_statistics`); taking
them out of the system as a file is an event of the audit trail (SEC-2), so the export is a
service: it reads through the selector, writes the bytes with :mod:`callcenter.exports` and records
the audit event in the same transaction. The page only hands the file over.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.exports import ExportFile, csv_file, xlsx_file
from callcenter.roles import has_role
from complaints.errors import ComplaintErrorCode
from complaints.selectors import STATS_ROLES, complaint_statistics
from datasecurity.services import audit_record

__all__ = ["STATISTICS_EXPORT_FORMATS", "complaint_statistics_export"]

STATISTICS_EXPORT_FORMATS = ("csv", "xlsx")


def _export_rows(stats: dict) -> list[list]:
    """(section, item, value) rows: the same numbers as the page. Never a contact detail: the
    statistics hold none (causes are scrubbed of any typed-in phone or e-mail)."""
    f = stats["filters"]
    rows = [
        [_("Filter"), _("From"), f["date_from"].isoformat()],
        [_("Filter"), _("To"), f["date_to"].isoformat()],
        [_("Filter"), _("Channel"), f.get("channel", "")],
        [_("Filter"), _("Category"), f.get("category", "")],
        [_("Filter"), _("Team"), f.get("team", "")],
        [_("Summary"), _("Complaints"), stats["total"]],
        [_("Summary"), _("Open"), stats["open"]],
        [_("Summary"), _("Closed"), stats["closed"]],
        [_("Summary"), _("Urgent"), stats["urgent"]],
        [_("Summary"), _("Reopened"), stats["reopened"]],
        [_("Summary"), _("Escalated"), stats["escalated"]],
        [_("Summary"), _("Average time to first response (hours)"), stats["avg_first_response_hours"]],
        [_("Summary"), _("Average time to resolution (hours)"), stats["avg_resolution_hours"]],
        [_("Summary"), _("First response late"), stats["first_response_late"]],
        [_("Summary"), _("Resolution late"), stats["resolution_late"]],
        [_("Summary"), _("Average satisfaction"), stats["satisfaction"]["average"]],
        [_("Summary"), _("Follow-up scores"), stats["satisfaction"]["count"]],
        [
            _("Summary"),
            _("Complaints per 1,000 calls"),
            stats["complaint_rate_per_1000_calls"]
            if stats["complaint_rate_per_1000_calls"] is not None
            else stats["complaint_rate_note"],
        ],
    ]
    rows += [[_("Per month"), m["month"], m["count"]] for m in stats["by_month"]]
    rows += [[_("Calls answered per month"), m["month"], m["calls"]] for m in stats["by_month"] if m["calls"]]
    rows += [[_("Complaints per 1,000 calls per month"), m["month"], m["rate"]] for m in stats["by_month"] if m["rate"]]
    rows += [
        [_("Average satisfaction per month"), m["month"], m["satisfaction"]]
        for m in stats["by_month"]
        if m["satisfaction"] is not None
    ]
    rows += [[_("Satisfaction score"), d["score"], d["count"]] for d in stats["satisfaction"]["distribution"]]
    for key, section in (
        ("by_channel", _("By channel")),
        ("by_category", _("By category")),
        ("by_cause", _("By cause")),
        ("by_team", _("By team concerned")),
        ("by_agent", _("By agent concerned")),
    ):
        rows += [[section, row["label"], row["count"]] for row in stats[key]]
    rows += [
        [_("Complaints per 1,000 calls by team"), row["label"], row["rate"]]
        for row in stats["by_team"]
        if row.get("rate") is not None
    ]
    return rows


@transaction.atomic
def complaint_statistics_export(*, actor, filters: dict, fmt: str) -> ExportFile:
    """The CMP-4 statistics of the complaints ``actor`` may see, as a CSV or XLSX file
    (``fmt``), for the roles that read the statistics. Each export is one audit event naming the
    range, the format, the filters and the number of rows (never a contact detail)."""
    if not has_role(actor, *STATS_ROLES):
        raise PermissionDeniedError(_("Your role does not read the complaint statistics (CMP-4)."))
    if fmt not in STATISTICS_EXPORT_FORMATS:
        raise ApplicationError(
            _("Choose the export format: CSV or XLSX."), code=ComplaintErrorCode.EXPORT_FORMAT_INVALID, field="format"
        )
    stats = complaint_statistics(user=actor, filters=filters)
    rows = _export_rows(stats)
    f = stats["filters"]
    filename = f"complaint-statistics-{f['date_from']:%Y%m%d}-{f['date_to']:%Y%m%d}"
    headers = [_("Section"), _("Item"), _("Value")]
    if fmt == "csv":
        export = csv_file(filename=filename, headers=headers, rows=rows)
    else:
        export = xlsx_file(filename=filename, headers=headers, rows=rows, sheet_title=_("Complaint statistics"))
    audit_record(
        actor=actor,
        action="complaint.statistics_export",
        object_type="complaints.statistics",
        object_id=f"{f['date_from']:%Y-%m-%d}..{f['date_to']:%Y-%m-%d}",
        changes={
            "format": fmt,
            "rows": len(rows),
            "filters": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in f.items()},
        },
    )
    return export
