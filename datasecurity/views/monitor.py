"""The security auditor's security page (SEC-3): failed sign-ins and lockouts, permission
denials, exports, contact reveals, policy changes, after-hours access and the bulk-read alerts,
counted per hour by the monitoring job; charts over the period, each list paginated; an alert
acknowledged with a note."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from callcenter.errors import ApplicationError, NotFoundError
from callcenter.pages import action_run, paginate
from callcenter.permissions import role_required
from callcenter.roles import Role
from datasecurity import selectors, services
from datasecurity.models import SecurityAlertState
from datasecurity.rules.monitor import CATEGORY_LABELS

EVENTS_PER_PAGE = 50
ALERTS_PER_PAGE = 20


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def security_overview(request):
    try:
        filters = selectors.security_filters(request.GET)
    except ApplicationError as exc:
        # Bad dates or category: say why and show the default period instead.
        messages.error(request, str(exc.message))
        filters = selectors.security_filters({})
    summary = selectors.security_summary(user=request.user, filters=filters)
    paginator = Paginator(selectors.security_event_list(user=request.user, filters=filters), EVENTS_PER_PAGE)
    # The count comes from the hourly counts: the list is never counted row by row.
    paginator.count = selectors.security_event_count(user=request.user, filters=filters)
    events = paginator.get_page(request.GET.get("page"))
    events.object_list = selectors.security_events_describe(events.object_list)
    # The newest open alerts; all of them, paginated, on the alerts page.
    open_alerts = selectors.security_alert_list(user=request.user, state=SecurityAlertState.OPEN)
    alerts = list(open_alerts[: ALERTS_PER_PAGE + 1])
    return render(
        request,
        "datasecurity/monitor/overview.html",
        {
            "filters": filters,
            "summary": summary,
            "events": events,
            "alerts": alerts[:ALERTS_PER_PAGE],
            "more_alerts": len(alerts) > ALERTS_PER_PAGE,
            "state": selectors.security_monitor_state(),
            "policy": selectors.security_policy(),
            "category_choices": [(c, CATEGORY_LABELS[c]) for c in selectors.SECURITY_CATEGORIES],
            "category_label": CATEGORY_LABELS.get(filters.category, ""),
            "chart_rows": _chart_rows(summary["chart"]),
        },
    )


def _chart_rows(chart: dict) -> list[list]:
    """The chart's numbers as table rows (hour or day, then one count per category)."""
    columns = [d["values"] for d in chart["datasets"]]
    return [[label, *(values[i] for values in columns)] for i, label in enumerate(chart["labels"])]


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def security_alert_list(request):
    state = request.GET.get("state", "")
    if state not in SecurityAlertState.values:
        state = ""
    alerts = paginate(request, selectors.security_alert_list(user=request.user, state=state), ALERTS_PER_PAGE)
    return render(request, "datasecurity/monitor/alerts.html", {"alerts": alerts, "state": state})


@role_required(Role.SECURITY_AUDITOR)
@require_GET
def security_alert_detail(request, pk: int):
    try:
        alert = selectors.security_alert_get(user=request.user, pk=pk)
    except NotFoundError:
        messages.error(request, _("No such security alert."))
        return redirect("datasecurity:security_alert_list")
    reads = paginate(request, selectors.security_alert_reads(user=request.user, alert=alert), EVENTS_PER_PAGE)
    reads.object_list = selectors.security_events_describe(reads.object_list)
    return render(
        request,
        "datasecurity/monitor/alert.html",
        {"alert": alert, "reads": reads, "own": alert.subject_id == request.user.pk},
    )


@role_required(Role.SECURITY_AUDITOR)
@require_POST
def security_alert_acknowledge(request, pk: int):
    action_run(
        request,
        lambda: services.security_alert_acknowledge(actor=request.user, alert_id=pk, note=request.POST.get("note", "")),
        success=_("Alert acknowledged; your note is kept with it."),
    )
    return redirect("datasecurity:security_alert_detail", pk)


urlpatterns = [
    path("security/", security_overview, name="security_overview"),
    path("security/alerts/", security_alert_list, name="security_alert_list"),
    path("security/alerts/<int:pk>/", security_alert_detail, name="security_alert_detail"),
    path("security/alerts/<int:pk>/acknowledge/", security_alert_acknowledge, name="security_alert_acknowledge"),
]
