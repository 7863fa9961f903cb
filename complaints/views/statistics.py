"""The complaint statistics page (CMP-4) and its CSV/XLSX export, at /complaints/statistics/."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from callcenter.exports import csv_file, file_response, xlsx_file
from callcenter.models import Team
from callcenter.permissions import role_required
from callcenter.roles import has_role
from callcenter.selectors import team_list
from complaints.models import Channel
from complaints.selectors import ALL_COMPLAINTS_ROLES, complaint_category_list
from complaints.statistics import STATS_ROLES, complaint_statistics, statistics_filters
from datasecurity.services import audit_record

EXPORT_FORMATS = ("csv", "xlsx")


def _teams(user):
    if has_role(user, *ALL_COMPLAINTS_ROLES):
        return Team.objects.only("pk", "name", "code").order_by("code")
    # Teams in the reader's remit (a manager: their department's); the data stays filtered by the
    # complaint visibility whatever team is asked for.
    return Team.objects.filter(pk__in=team_list(user=user).values("pk")).only("pk", "name", "code").order_by("code")


def export_rows(stats: dict) -> list[list]:
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


def _export(request, stats: dict, fmt: str):
    rows = export_rows(stats)
    f = stats["filters"]
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="complaint.statistics_export",
            object_type="complaints.statistics",
            object_id=f"{f['date_from']:%Y-%m-%d}..{f['date_to']:%Y-%m-%d}",
            changes={
                "format": fmt,
                "rows": len(rows),
                "filters": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in f.items()},
            },
        )
    filename = f"complaint-statistics-{f['date_from']:%Y%m%d}-{f['date_to']:%Y%m%d}"
    headers = [_("Section"), _("Item"), _("Value")]
    if fmt == "csv":
        return file_response(csv_file(filename=filename, headers=headers, rows=rows))
    return file_response(
        xlsx_file(filename=filename, headers=headers, rows=rows, sheet_title=_("Complaint statistics"))
    )


@role_required(*STATS_ROLES)
def statistics(request):
    user = request.user
    filters = statistics_filters(request.GET)
    stats = complaint_statistics(user=user, filters=filters)
    fmt = request.GET.get("format")
    if fmt in EXPORT_FORMATS:
        return _export(request, stats, fmt)
    charts = {
        "trend": {
            "labels": [m["month"] for m in stats["by_month"]],
            "values": [m["count"] for m in stats["by_month"]],
            "label": _("Complaints"),
        },
        "category": {
            "labels": [r["label"] for r in stats["by_category"]],
            "values": [r["count"] for r in stats["by_category"]],
            "label": _("Complaints"),
        },
        "satisfaction": {
            "labels": [str(d["score"]) for d in stats["satisfaction"]["distribution"]],
            "values": [d["count"] for d in stats["satisfaction"]["distribution"]],
            "label": _("Follow-up scores"),
        },
    }
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "complaints/statistics.html",
        {
            "stats": stats,
            "filters": filters,
            "charts": charts,
            "channels": Channel.choices,
            "categories": complaint_category_list(active_only=False),
            "teams": _teams(user),
            "query": query.urlencode(),
            "nav_active": "complaint_statistics",
        },
    )


urlpatterns = [
    path("statistics/", statistics, name="statistics"),
]
