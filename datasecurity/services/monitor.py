"""Security monitoring (SEC-3): the job that keeps the security page's aggregates and raises the
alerts, the auditor's acknowledgement, and the two records the page needs that nothing else
wrote: permission denials (403 to a signed-in user, bounded per user and hour) and sign-ins.

``security_monitor_scan`` reads the audit trail incrementally by event id, from its watermark
(:class:`SecurityMonitorState`) up to the committed chain head, in batches, each in its own
transaction: the watched events (:mod:`datasecurity.rules.monitor`) become
:class:`SecurityWatchedEvent` rows, their counts per hour and category are added to
:class:`SecurityHourlyCount`, and each clock hour touched is checked for bulk reads. Appends to
the trail are serialised by the chain head's row lock, so ids commit in order and the watermark
never skips an event committed later."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callcenter.duties import privileged_service, refuse_own_record
from callcenter.errors import ApplicationError, CoreErrorCode, NotFoundError, PermissionDeniedError
from callcenter.roles import Role
from callcenter.selectors import policy_in_force
from datasecurity.errors import DataSecurityErrorCode
from datasecurity.models import (
    AuditChainHead,
    AuditEvent,
    SecurityAlert,
    SecurityAlertKind,
    SecurityAlertState,
    SecurityHourlyCount,
    SecurityMonitoringPolicy,
    SecurityMonitorState,
    SecurityWatchedEvent,
)
from datasecurity.rules.actions import AUDIT_ACTION_LABELS
from datasecurity.rules.monitor import (
    ACCESS_CATEGORIES,
    SecurityCategory,
    action_category,
    is_after_hours,
    sensitive_records,
    watched_actions,
)
from datasecurity.selectors.monitor import can_monitor_security
from datasecurity.services.audit import audit_record

__all__ = [
    "SECURITY_ALERT_NOTE_MAX",
    "SECURITY_SCAN_BATCH",
    "ScanResult",
    "security_alert_acknowledge",
    "security_monitor_scan",
    "security_permission_denial_record",
    "security_sign_in_record",
]

# Audit event ids read per batch (one transaction each): a batch of the trail is read by its
# primary key range, the watched actions only.
SECURITY_SCAN_BATCH = 100_000
SECURITY_ALERT_NOTE_MAX = 2000
_HOUR = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class ScanResult:
    events_read_up_to: int
    watched: int
    alerts_raised: int
    batches: int
    caught_up: bool

    def __str__(self):
        return (
            f"up to event #{self.events_read_up_to}: {self.watched} watched events in {self.batches} batches, "
            f"{self.alerts_raised} alerts raised" + ("" if self.caught_up else " (more to read at the next run)")
        )


def _hour_start(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC).replace(minute=0, second=0, microsecond=0)


class _Policies:
    """The policy in force per local date, read once per date in a batch."""

    def __init__(self):
        self._by_date: dict[datetime.date, SecurityMonitoringPolicy] = {}

    def on(self, day: datetime.date) -> SecurityMonitoringPolicy:
        if day not in self._by_date:
            self._by_date[day] = policy_in_force(SecurityMonitoringPolicy, day)
        return self._by_date[day]


def security_monitor_scan(*, batch_size: int = SECURITY_SCAN_BATCH, max_batches: int | None = None) -> ScanResult:
    """Read the audit events appended since the last run (SEC-3): classify the watched ones, add
    them to the hourly counts and raise bulk-read alerts. Idempotent (a second run finds nothing
    new; an alert exists once per user and hour). ``max_batches`` bounds one run's work; the next
    run continues where it stopped."""
    watched = watched_actions(AUDIT_ACTION_LABELS)
    total_watched = total_alerts = batches = 0
    policies = _Policies()
    while max_batches is None or batches < max_batches:
        upper, count, alerts, done = _scan_batch(watched=watched, batch_size=batch_size, policies=policies)
        batches += 1
        total_watched += count
        total_alerts += alerts
        if done:
            _drop_purged()
            return ScanResult(upper, total_watched, total_alerts, batches, True)
    return ScanResult(upper, total_watched, total_alerts, batches, False)


@transaction.atomic
def _scan_batch(*, watched: list[str], batch_size: int, policies: _Policies) -> tuple[int, int, int, bool]:
    state, _created = SecurityMonitorState.objects.select_for_update().get_or_create(pk=1)
    head = AuditChainHead.objects.filter(pk=1).values_list("last_event_id", flat=True).first() or 0
    last = state.last_event_id
    upper = min(last + batch_size, head)
    if upper <= last:
        state.updated_at = timezone.now()
        state.save(update_fields=["updated_at"])
        return last, 0, 0, True
    rows = list(
        AuditEvent.objects.filter(id__gt=last, id__lte=upper, action__in=watched)
        .order_by("id")
        .values_list("id", "occurred_at", "actor_id", "action", "changes")
    )
    site_zone = timezone.get_default_timezone()
    items: list[SecurityWatchedEvent] = []
    hourly: dict[tuple[datetime.datetime, str], list[int]] = defaultdict(lambda: [0, 0])
    read_hours: set[datetime.datetime] = set()
    for event_id, occurred_at, actor_id, action, changes in rows:
        category = action_category(action)
        records = sensitive_records(action, changes)
        local = timezone.localtime(occurred_at, site_zone)
        policy = policies.on(local.date())
        after = category in ACCESS_CATEGORIES and is_after_hours(
            local.hour, start=policy.working_hours_start, end=policy.working_hours_end
        )
        items.append(
            SecurityWatchedEvent(
                event_id=event_id,
                category=category,
                occurred_at=occurred_at,
                actor_id=actor_id,
                records=records,
                after_hours=after,
            )
        )
        hour = _hour_start(occurred_at)
        for key in [category] + ([SecurityCategory.AFTER_HOURS] if after else []):
            counts = hourly[(hour, key)]
            counts[0] += 1
            counts[1] += records
        if records and actor_id is not None:
            read_hours.add(hour)
    # ignore_conflicts: a row already there (never expected, the watermark moves in the same
    # transaction) is not counted twice by the hourly counts either, see _add_hourly.
    SecurityWatchedEvent.objects.bulk_create(items, batch_size=5000)
    _add_hourly(hourly, site_zone)
    alerts = sum(_bulk_read_check(hour, policies) for hour in sorted(read_hours))
    state.last_event_id = upper
    state.updated_at = timezone.now()
    state.save(update_fields=["last_event_id", "updated_at"])
    return upper, len(items), alerts, upper >= head


def _add_hourly(hourly: dict, site_zone) -> None:
    if not hourly:
        return
    hours = {hour for hour, _category in hourly}
    existing = {
        (row.hour, row.category): row for row in SecurityHourlyCount.objects.select_for_update().filter(hour__in=hours)
    }
    new, changed = [], []
    for (hour, category), (events, records) in hourly.items():
        row = existing.get((hour, category))
        if row is None:
            new.append(
                SecurityHourlyCount(
                    hour=hour,
                    local_date=timezone.localtime(hour, site_zone).date(),
                    category=category,
                    events=events,
                    records=records,
                )
            )
        else:
            row.events += events
            row.records += records
            changed.append(row)
    SecurityHourlyCount.objects.bulk_create(new, batch_size=2000)
    SecurityHourlyCount.objects.bulk_update(changed, ["events", "records"], batch_size=2000)


@transaction.atomic
def _drop_purged() -> None:
    """The audit retention deleted old events (SEC-2): their watched rows go too (the hourly
    counts stay, they name nobody)."""
    oldest = AuditEvent.objects.order_by("id").values_list("id", flat=True).first()
    if oldest is not None:
        SecurityWatchedEvent.objects.filter(event_id__lt=oldest).delete()


def _bulk_read_check(hour: datetime.datetime, policies: _Policies) -> int:
    """Raise (or bring up to date) the bulk-read alerts of one clock hour: each user whose
    sensitive records in it exceed the policy's ``bulk_read_alert_per_hour`` (SEC-3). Returns the
    number of alerts raised now (an existing alert is updated, the auditors not told again)."""
    site_zone = timezone.get_default_timezone()
    threshold = policies.on(timezone.localtime(hour, site_zone).date()).bulk_read_alert_per_hour
    readers = (
        SecurityWatchedEvent.objects.filter(occurred_at__gte=hour, occurred_at__lt=hour + _HOUR, records__gt=0)
        .exclude(actor_id=None)
        .values("actor_id")
        .annotate(
            total=Sum("records"),
            n=Count("event_id"),
            first_id=Min("event_id"),
            last_id=Max("event_id"),
            first_at=Min("occurred_at"),
            last_at=Max("occurred_at"),
        )
        .filter(total__gt=threshold)
    )
    raised = 0
    for reader in readers:
        values = {
            "window_end": hour + _HOUR,
            "count": reader["total"],
            "events": reader["n"],
            "first_event_id": reader["first_id"],
            "last_event_id": reader["last_id"],
            "first_at": reader["first_at"],
            "last_at": reader["last_at"],
        }
        alert = (
            SecurityAlert.objects.select_for_update()
            .filter(kind=SecurityAlertKind.BULK_READ, subject_id=reader["actor_id"], window_start=hour)
            .first()
        )
        if alert is not None:
            for field, value in values.items():
                setattr(alert, field, value)
            alert.save(update_fields=list(values))
            continue
        alert = SecurityAlert.objects.create(
            kind=SecurityAlertKind.BULK_READ,
            subject_id=reader["actor_id"],
            window_start=hour,
            threshold=threshold,
            **values,
        )
        _alert_raised(alert)
        raised += 1
    return raised


def _alert_raised(alert: SecurityAlert) -> None:
    subject = get_user_model().objects.select_related("employee").get(pk=alert.subject_id)
    employee = getattr(subject, "employee", None)
    name = f"{employee.name} ({subject.get_username()})" if employee else subject.get_username()
    start = timezone.localtime(alert.window_start)
    audit_record(
        actor=None,
        action="security.alert_raise",
        obj=alert,
        object_repr=f"{alert.get_kind_display()}: {subject.get_username()} {start:%Y-%m-%d %H}:00",
        changes={
            "kind": alert.kind,
            "subject": subject.get_username(),
            "window_start": alert.window_start,
            "records": alert.count,
            "threshold": alert.threshold,
        },
    )
    # Imported here: the core's services import this package (the audit exception), not the reverse.
    from callcenter.services import notification_send  # noqa: PLC0415

    auditors = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SECURITY_AUDITOR)
        .exclude(pk=alert.subject_id)
        .values_list("pk", flat=True)
    )
    notification_send(
        recipients=list(auditors),
        kind="security.alert",
        title=gettext_lazy("Security alert: unusual bulk read by %(user)s"),
        body=gettext_lazy(
            "%(user)s read %(count)s sensitive records (customer contacts, exported rows) between %(start)s and "
            "%(end)s, more than the %(threshold)s per hour the security monitoring policy allows (SEC-3). "
            "Look at what was read and acknowledge the alert with a note."
        ),
        url=reverse("datasecurity:security_alert_detail", args=[alert.pk]),
        params={
            "user": name,
            "count": str(alert.count),
            "start": f"{start:%Y-%m-%d %H:%M}",
            "end": f"{timezone.localtime(alert.window_end):%H:%M}",
            "threshold": str(alert.threshold),
        },
    )


@privileged_service("datasecurity.security_alert_acknowledge", label=gettext_lazy("acknowledge a security alert"))
def security_alert_acknowledge(*, actor, alert_id: int, note: str) -> SecurityAlert:
    """A security auditor acknowledges an open alert with a note saying what they found (SEC-3):
    the row is locked, the change audited. Nobody acknowledges an alert about themselves."""
    if not can_monitor_security(actor):
        raise PermissionDeniedError(_("Only a security auditor acknowledges security alerts."))
    note = (note or "").strip()
    if not note:
        raise ApplicationError(
            _("Write a note: what you checked and what you found."),
            code=DataSecurityErrorCode.ALERT_NOTE_REQUIRED,
            field="note",
        )
    if len(note) > SECURITY_ALERT_NOTE_MAX:
        raise ApplicationError(
            _("The note is too long: at most %(max)s characters.") % {"max": SECURITY_ALERT_NOTE_MAX},
            code=DataSecurityErrorCode.ALERT_NOTE_REQUIRED,
            field="note",
        )
    alert = (
        SecurityAlert.objects.select_for_update(of=("self",))
        .filter(pk=alert_id)
        .select_related("subject__employee")
        .first()
    )
    if alert is None:
        raise NotFoundError(_("No such security alert."))
    subject_employee = getattr(alert.subject, "employee", None)
    refuse_own_record(
        actor=actor,
        action="datasecurity.security_alert_acknowledge",
        employee_id=subject_employee.pk if subject_employee else None,
    )
    if alert.subject_id == actor.pk:  # an account without an employee record
        raise PermissionDeniedError(
            _("This alert is about you: another security auditor acknowledges it (separation of duties)."),
            code=CoreErrorCode.OWN_RECORD,
        )
    if alert.state != SecurityAlertState.OPEN:
        raise ApplicationError(
            _("This alert was already acknowledged."), code=DataSecurityErrorCode.ALERT_NOT_OPEN, status=409
        )
    alert.state = SecurityAlertState.ACKNOWLEDGED
    alert.acknowledged_by = actor
    alert.acknowledged_at = timezone.now()
    alert.note = note
    alert.save(update_fields=["state", "acknowledged_by", "acknowledged_at", "note"])
    audit_record(
        actor=actor,
        action="security.alert_acknowledge",
        obj=alert,
        changes={"state": [SecurityAlertState.OPEN, SecurityAlertState.ACKNOWLEDGED], "note": note},
    )
    return alert


# --- What the trail did not hold: denials and sign-ins -----------------------------------------


def _denial_counter_key(user_id: int, hour: datetime.datetime) -> str:
    # The database's name keeps two databases on one cache apart (test workers, a bench).
    return f"security:denials:{connection.settings_dict.get('NAME')}:{user_id}:{hour:%Y%m%d%H}"


def security_permission_denial_record(*, user, method: str, path: str, api: bool) -> AuditEvent | None:
    """Record that a signed-in user was refused a page or an API call (403, SEC-3). Bounded: at
    most ``denials_recorded_per_hour`` events per user and clock hour, then one
    ``security.permission_denied_bound`` event, then nothing more that hour (a counter in the
    cache, so a scanner costs one cache increment per request once over the bound)."""
    if not getattr(user, "is_authenticated", False):
        return None
    now = timezone.now()
    key = _denial_counter_key(user.pk, _hour_start(now))
    cache.add(key, 0, timeout=2 * 3600)
    try:
        seen = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=2 * 3600)
        seen = 1
    if seen > 1001:  # beyond any policy's bound (at most 1,000): no database work at all
        return None
    limit = policy_in_force(SecurityMonitoringPolicy).denials_recorded_per_hour
    if seen > limit + 1:
        return None
    bound = seen == limit + 1
    with transaction.atomic():
        return audit_record(
            actor=user,
            action="security.permission_denied_bound" if bound else "security.permission_denied",
            object_type="http.request",
            object_repr=f"{method} {path}"[:200],
            changes={"method": method, "path": path[:300], "api": api, "denials_this_hour": seen}
            | ({"recorded_per_hour": limit} if bound else {}),
        )


@transaction.atomic
def security_sign_in_record(*, user) -> AuditEvent:
    """Record a successful interactive sign-in (SEC-3: after-hours access is a sign-in or a
    sensitive read outside working hours). Sessions opened by tooling and API tokens are not
    sign-ins (``datasecurity/apps.py`` calls this for a sign-in form's POST only)."""
    return audit_record(
        actor=user,
        action="auth.login",
        object_type=user._meta.label_lower,
        object_id=user.pk,
        object_repr=user.get_username(),
    )
