"""The complaint statistics page (CMP-4) and its CSV/XLSX export, at /complaints/statistics/."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from callcenter import inputs
from callcenter.exports import file_response
from callcenter.permissions import role_required
from callcenter.selectors import team_choices
from complaints.models import Channel
from complaints.rules import statistics_filters
from complaints.selectors import ALL_COMPLAINTS_ROLES, STATS_ROLES, complaint_category_list, complaint_statistics
from complaints.services import STATISTICS_EXPORT_FORMATS, complaint_statistics_export


@role_required(*STATS_ROLES)
def statistics(request):
    user = request.user
    # An unusable date (malformed, or outside callcenter.inputs' range) is dropped with a message.
    dates = {name: inputs.query_date(request, name) for name in ("date_from", "date_to")}
    filters = statistics_filters({**request.GET.dict(), **dates})
    fmt = request.GET.get("format")
    if fmt in STATISTICS_EXPORT_FORMATS:
        return file_response(complaint_statistics_export(actor=user, filters=filters, fmt=fmt))
    stats = complaint_statistics(user=user, filters=filters)
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
        "complaints/statistics/statistics.html",
        {
            "stats": stats,
            "filters": filters,
            "charts": charts,
            "channels": Channel.choices,
            "categories": complaint_category_list(active_only=False),
            # Teams in the reader's remit (a manager: their department's; every team for the roles
            # that read every complaint); the numbers stay filtered by complaint visibility anyway.
            "teams": team_choices(user=user, company_wide_roles=ALL_COMPLAINTS_ROLES),
            "query": query.urlencode(),
            "nav_active": "complaint_statistics",
        },
    )


urlpatterns = [
    path("statistics/", statistics, name="statistics"),
]
