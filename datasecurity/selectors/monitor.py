"""Reads of the security page (SEC-3), for the security auditor only: totals and charts from the
hourly counts, lists from the watched events (both kept by ``security_monitor_scan``), the
alerts. Every read is a bounded query on a small index; none counts or scans the audit trail."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.errors import ApplicationError, NotFoundError, PermissionDeniedError
from callcenter.inputs import safe_date
from callcenter.roles import Role, has_role
from callcenter.selectors import policy_in_force
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.models import (
    AuditChainHead,
    SecurityAlert,
    SecurityAlertState,
    SecurityHourlyCount,
    SecurityMonitoringPolicy,
    SecurityMonitorState,
    SecurityWatchedEvent,
)
from datasecurity.rules.actions import action_label
from datasecurity.rules.monitor import CATEGORY_LABELS, SecurityCategory

__all__ = [
    "SECURITY_CATEGORIES",
    "SECURITY_DEFAULT_DAYS",
    "SECURITY_HOURLY_MAX_DAYS",
    "SECURITY_MAX_DAYS",
    "SECURITY_MONITOR_JOB",
    "SecurityFilters",
    "can_monitor_security",
    "security_alert_get",
    "security_alert_list",
    "security_alert_reads",
    "security_event_count",
    "security_event_list",
    "security_events_describe",
    "security_filters",
    "security_monitor_state",
    "security_policy",
    "security_summary",
]

# The job that keeps the page's counts (every 5 minutes, callcenter/settings.py).
SECURITY_MONITOR_JOB = "security-monitor-scan"
# The page's categories, in the order it shows them (after-hours is derived, see rules/monitor.py).
SECURITY_CATEGORIES = (
    SecurityCategory.SIGN_IN_FAILURE,
    SecurityCategory.PERMISSION_DENIED,
    SecurityCategory.EXPORT,
    SecurityCategory.CONTACT_REVEAL,
    SecurityCategory.POLICY_CHANGE,
    SecurityCategory.AFTER_HOURS,
    SecurityCategory.SIGN_IN,
)
SECURITY_DEFAULT_DAYS = 7
SECURITY_MAX_DAYS = 366
# Periods up to this many days are charted per hour, longer ones per day.
SECURITY_HOURLY_MAX_DAYS = 2


def can_monitor_security(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and has_role(user, Role.SECURITY_AUDITOR))


def _require(user) -> None:
    if not can_monitor_security(user):
        raise PermissionDeniedError(_("Only the security auditor reads the security page."))


def security_policy() -> SecurityMonitoringPolicy:
    return policy_in_force(SecurityMonitoringPolicy)


@dataclass(frozen=True)
class SecurityFilters:
    since: datetime.date
    until: datetime.date
    category: str = ""

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    @property
    def hourly(self) -> bool:
        return self.days <= SECURITY_HOURLY_MAX_DAYS

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as [start, end) instants: local midnights, so every query is a range on an
        indexed timestamp (no date cast)."""
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.since, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(self.until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return start, end

    def query(self) -> dict:
        return {"since": self.since.isoformat(), "until": self.until.isoformat(), "category": self.category}


def security_filters(filters) -> SecurityFilters:
    """The period (``since``/``until``, local dates, default the last 7 days; at most 366 days)
    and the category of the page or the API; bad input is refused with what to do."""
    filters = filters or {}
    today = timezone.localdate()
    raw_since, raw_until = (filters.get("since") or "").strip(), (filters.get("until") or "").strip()
    since, until = safe_date(raw_since), safe_date(raw_until)
    if (raw_since and since is None) or (raw_until and until is None):
        raise ApplicationError(
            _("Dates are written YYYY-MM-DD, for example %(today)s.") % {"today": today.isoformat()},
            code=DataSecurityErrorCode.INVALID_PERIOD,
            field="since" if raw_since and since is None else "until",
        )
    until = until or today
    since = since or until - datetime.timedelta(days=SECURITY_DEFAULT_DAYS - 1)
    if since > until:
        raise ApplicationError(
            _("The period starts after it ends: choose a start date on or before the end date."),
            code=DataSecurityErrorCode.INVALID_PERIOD,
            field="since",
        )
    if (until - since).days + 1 > SECURITY_MAX_DAYS:
        raise ApplicationError(
            _("Choose a period of at most %(days)s days.") % {"days": SECURITY_MAX_DAYS},
            code=DataSecurityErrorCode.INVALID_PERIOD,
            field="since",
        )
    category = (filters.get("category") or "").strip()
    if category and category not in CATEGORY_LABELS:
        raise ApplicationError(
            _("Unknown category: choose one of %(choices)s.") % {"choices": ", ".join(SECURITY_CATEGORIES)},
            code=DataSecurityErrorCode.INVALID_CATEGORY,
            field="category",
        )
    return SecurityFilters(since=since, until=until, category=category)


def _hourly(filters: SecurityFilters) -> QuerySet:
    if filters.hourly:
        start, end = filters.bounds()
        return SecurityHourlyCount.objects.filter(hour__gte=start, hour__lt=end)
    return SecurityHourlyCount.objects.filter(local_date__gte=filters.since, local_date__lte=filters.until)


def security_summary(*, user, filters: SecurityFilters) -> dict:
    """Totals per category over the period and the series for the chart (per hour for a period
    of up to two days, else per day), from the hourly counts: one query, at most 366 × 7 rows."""
    _require(user)
    bucket = "hour" if filters.hourly else "local_date"
    rows = _hourly(filters).values(bucket, "category").annotate(n=Sum("events"), r=Sum("records")).order_by(bucket)
    totals = {category: {"events": 0, "records": 0} for category in SECURITY_CATEGORIES}
    per_bucket: dict[str, dict[str, int]] = {}
    zone = timezone.get_current_timezone()
    for row in rows:
        category = row["category"]
        if category not in totals:
            continue
        totals[category]["events"] += row["n"]
        totals[category]["records"] += row["r"]
        key = row[bucket]
        label = timezone.localtime(key, zone).strftime("%m-%d %H:00") if filters.hourly else key.isoformat()
        per_bucket.setdefault(label, {})[category] = row["n"]
    labels = _bucket_labels(filters)
    return {
        "filters": filters,
        "granularity": "hour" if filters.hourly else "day",
        "totals": [
            {"category": c, "label": str(CATEGORY_LABELS[c]), **totals[c], "active": c == filters.category}
            for c in SECURITY_CATEGORIES
        ],
        "chart": {
            "labels": labels,
            "datasets": [
                {
                    "category": c,
                    "label": str(CATEGORY_LABELS[c]),
                    "values": [per_bucket.get(label, {}).get(c, 0) for label in labels],
                }
                for c in SECURITY_CATEGORIES
                if not filters.category or c == filters.category
            ],
        },
    }


def _bucket_labels(filters: SecurityFilters) -> list[str]:
    """Every hour or day of the period (empty ones too, so the chart's time axis is regular)."""
    if filters.hourly:
        start, end = filters.bounds()
        zone = timezone.get_current_timezone()
        labels, moment = [], start
        while moment < end:
            labels.append(timezone.localtime(moment, zone).strftime("%m-%d %H:00"))
            moment += datetime.timedelta(hours=1)
        return labels
    return [(filters.since + datetime.timedelta(days=i)).isoformat() for i in range(filters.days)]


def security_monitor_state() -> dict:
    """How far the job has read the trail: its watermark, when it last ran, events behind."""
    state = SecurityMonitorState.objects.filter(pk=1).first()
    head = AuditChainHead.objects.filter(pk=1).values_list("last_event_id", flat=True).first() or 0
    last = state.last_event_id if state else 0
    return {
        "last_event_id": last,
        "updated_at": state.updated_at if state else None,
        "behind": max(head - last, 0),
    }


def security_event_list(*, user, filters: SecurityFilters) -> QuerySet[SecurityWatchedEvent]:
    """The watched events of the category (after-hours: the flagged ones; none: every watched
    event) in the period, newest first, each with its audit event and actor (three queries a page)."""
    _require(user)
    start, end = filters.bounds()
    qs = SecurityWatchedEvent.objects.filter(occurred_at__gte=start, occurred_at__lt=end)
    if filters.category == SecurityCategory.AFTER_HOURS:
        qs = qs.filter(after_hours=True)
    elif filters.category:
        qs = qs.filter(category=filters.category)
    # The audit events and actors of the page come by a second and third query (``prefetch``),
    # so a deep page's OFFSET walks the small index alone, not a join with the trail.
    return qs.prefetch_related("event", "actor__employee").order_by("-occurred_at", "-event_id")


def security_event_count(*, user, filters: SecurityFilters) -> int:
    """The number of events :func:`security_event_list` holds, from the hourly counts (the
    paginator's count without counting the list)."""
    _require(user)
    start, end = filters.bounds()
    qs = SecurityHourlyCount.objects.filter(hour__gte=start, hour__lt=end)
    # Without a category: every watched event once (after-hours ones are also in their category).
    wanted = {"category": filters.category} if filters.category else {}
    qs = qs.filter(**wanted) if wanted else qs.exclude(category=SecurityCategory.AFTER_HOURS)
    return qs.aggregate(n=Sum("events"))["n"] or 0


def security_events_describe(items) -> list[SecurityWatchedEvent]:
    """A page of watched events with their category and action in the reader's language."""
    items = list(items)
    for item in items:
        item.category_label = str(CATEGORY_LABELS.get(item.category, item.category))
        item.action_text = action_label(item.event.action) if item.event_id and item.event else ""
    return items


def security_alert_list(*, user, state: str = "") -> QuerySet[SecurityAlert]:
    """Alerts newest hour first, open ones only with ``state=open``."""
    _require(user)
    qs = SecurityAlert.objects.select_related("subject__employee", "acknowledged_by__employee")
    if state:
        if state not in SecurityAlertState.values:
            raise ApplicationError(
                _("Unknown state: choose open or acknowledged."),
                code=DataSecurityErrorCode.INVALID_CATEGORY,
                field="state",
            )
        qs = qs.filter(state=state)
    return qs.order_by("-window_start", "-id")


def security_alert_get(*, user, pk: int) -> SecurityAlert:
    _require(user)
    alert = SecurityAlert.objects.select_related("subject__employee", "acknowledged_by__employee").filter(pk=pk).first()
    if alert is None:
        raise NotFoundError(_("No such security alert."))
    return alert


def security_alert_reads(*, user, alert: SecurityAlert) -> QuerySet[SecurityWatchedEvent]:
    """The sensitive reads the alert counted: the user's, in its hour, newest first."""
    _require(user)
    return (
        SecurityWatchedEvent.objects.filter(
            actor_id=alert.subject_id,
            records__gt=0,
            occurred_at__gte=alert.window_start,
            occurred_at__lt=alert.window_end,
        )
        .prefetch_related("event")
        .order_by("-occurred_at", "-event_id")
    )
