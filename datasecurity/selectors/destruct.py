"""Reads of the destruction of data no longer needed (SEC-4): the retention schedule, what is due,
the requests (the requester's list and the approver's inbox) and the destruction register.

Who reads what:
- the retention schedule and the requests: HR and administrators (who request), security auditors
  and company leaders (who approve);
- the register and its certificates: the security auditor (SEC-4: "kept for audit").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callcenter.duties import actor_employee_id, is_own_record
from callcenter.errors import NotFoundError, PermissionDeniedError
from callcenter.inputs import safe_date, safe_id
from callcenter.roles import Role, has_role
from datasecurity.models import (
    DestructionMethod,
    DestructionRecord,
    DestructionRequest,
    DestructionRequestStatus,
    RetentionPeriod,
)
from datasecurity.rules.destruct import (
    DESTRUCTION_CATEGORIES,
    JOB_CATEGORY_LABELS,
    DestructionCategory,
    DueSummary,
    destruction_category,
    destruction_cutoff,
)

__all__ = [
    "DESTRUCTION_REQUEST_STALLED_AFTER",
    "DestructionCategory",
    "DueSummary",
    "RetentionRow",
    "can_approve_destruction",
    "can_read_destruction_register",
    "can_request_destruction",
    "destruction_categories",
    "destruction_category_choices",
    "destruction_category_label",
    "destruction_due",
    "destruction_inbox",
    "destruction_record_get",
    "destruction_record_list",
    "destruction_request_can_decide",
    "destruction_request_get",
    "destruction_request_list",
    "destruction_request_state",
]

# A request approved or running that has shown no progress for this long has lost its worker.
DESTRUCTION_REQUEST_STALLED_AFTER = datetime.timedelta(minutes=30)


def can_request_destruction(user) -> bool:
    """HR or an administrator (``is_staff``) requests a destruction (SEC-4)."""
    return bool(getattr(user, "is_authenticated", False) and (has_role(user, Role.HR) or user.is_staff))


def can_approve_destruction(user) -> bool:
    """A security auditor or a company leader approves or rejects one (SEC-4)."""
    return bool(getattr(user, "is_authenticated", False) and has_role(user, Role.SECURITY_AUDITOR, Role.COMPANY_LEADER))


def can_read_destruction_register(user) -> bool:
    """The register is the security auditor's (SEC-4: kept for audit)."""
    return bool(getattr(user, "is_authenticated", False) and has_role(user, Role.SECURITY_AUDITOR))


def _require_requests_reader(user) -> None:
    if not (can_request_destruction(user) or can_approve_destruction(user)):
        raise PermissionDeniedError(
            _("Only HR, administrators, security auditors and company leaders see destruction requests (SEC-4).")
        )


def _require_register_reader(user) -> None:
    if not can_read_destruction_register(user):
        raise PermissionDeniedError(_("Only the security auditor reads the destruction register (SEC-4)."))


def destruction_categories() -> list[DestructionCategory]:
    """Every registered category, in their order."""
    return sorted(DESTRUCTION_CATEGORIES.values(), key=lambda c: (c.order, c.code))


def destruction_category_label(code: str):
    category = destruction_category(code)
    if category is not None:
        return category.label
    return JOB_CATEGORY_LABELS.get(code, code)


def destruction_category_choices() -> list[tuple[str, str]]:
    """(code, label) of the registered categories, for filters; categories that other jobs write
    records for (backups, audit archives) appear once registered."""
    registered = [(c.code, str(c.label)) for c in destruction_categories()]
    return registered + [(code, str(label)) for code, label in JOB_CATEGORY_LABELS.items()]


@dataclass
class RetentionRow:
    """One line of the retention schedule: the category, its period in force and its last change."""

    category: DestructionCategory
    days: int
    period: RetentionPeriod | None
    due: DueSummary | None = None
    cutoff: datetime.datetime | None = None

    @property
    def code(self) -> str:
        return self.category.code

    @property
    def is_default(self) -> bool:
        return self.period is None

    @property
    def method_labels(self) -> list[str]:
        return [str(DestructionMethod(m).label) for m in self.category.methods]


def destruction_due(*, user, with_due: bool = True, now: datetime.datetime | None = None) -> list[RetentionRow]:
    """The retention schedule with what each category has due now (one count and a few samples per
    category, through the owning app's reader): the schedule page and a new request read this."""
    _require_requests_reader(user)
    periods = {p.category: p for p in RetentionPeriod.objects.select_related("updated_by")}
    now = timezone.localtime(now or timezone.now())
    rows = []
    for category in destruction_categories():
        period = periods.get(category.code)
        days = period.days if period is not None else category.default_days
        row = RetentionRow(category=category, days=days, period=period)
        if with_due:
            row.cutoff = destruction_cutoff(now=now, days=days)
            row.due = category.due(row.cutoff)
        rows.append(row)
    return rows


def _describe_items(requests: list[DestructionRequest]) -> list[DestructionRequest]:
    for request in requests:
        request.state = destruction_request_state(request)
        for item in request.items.all():
            item.category_label = destruction_category_label(item.category)
    return requests


def destruction_request_state(request: DestructionRequest, *, now: datetime.datetime | None = None) -> str:
    """What to show: the status, or ``stalled`` for an approved or running request whose job has
    shown no progress for ``DESTRUCTION_REQUEST_STALLED_AFTER``."""
    if request.status in (DestructionRequestStatus.APPROVED, DestructionRequestStatus.RUNNING):
        last = request.progress_at or request.started_at or request.decided_at
        if last and (now or timezone.now()) - last > DESTRUCTION_REQUEST_STALLED_AFTER:
            return "stalled"
    return request.status


def _requests() -> QuerySet[DestructionRequest]:
    return DestructionRequest.objects.select_related(
        "requested_by", "requested_by__employee", "decided_by", "decided_by__employee"
    ).prefetch_related("items")


def destruction_request_list(*, user, filters=None) -> QuerySet[DestructionRequest]:
    """Every request, newest first (requesters and approvers see them all: the work is shared);
    ``filters["status"]`` narrows to one status."""
    _require_requests_reader(user)
    requests = _requests()
    status = (filters or {}).get("status")
    if status in DestructionRequestStatus.values:
        requests = requests.filter(status=status)
    return requests.order_by("-requested_at", "-id")


def destruction_inbox(*, user) -> QuerySet[DestructionRequest]:
    """The approver's inbox: pending requests of others, oldest first (SEC-4, not one's own)."""
    if not can_approve_destruction(user):
        raise PermissionDeniedError(_("Only security auditors and company leaders approve destructions (SEC-4)."))
    return (
        _requests()
        .filter(status=DestructionRequestStatus.PENDING)
        .exclude(requested_by=user)
        .order_by("requested_at", "id")
    )


def destruction_request_can_decide(*, user, request: DestructionRequest) -> bool:
    """Whether ``user`` may approve or reject ``request`` now: a pending request, an approver, and
    not their own (the page hides the buttons the service would refuse)."""
    return (
        request.status == DestructionRequestStatus.PENDING
        and can_approve_destruction(user)
        and request.requested_by_id != user.pk
        and not is_own_record(actor=user, employee_id=actor_employee_id(request.requested_by))
    )


def destruction_request_get(*, user, pk: int) -> DestructionRequest:
    _require_requests_reader(user)
    request = _requests().filter(pk=pk).first()
    if request is None:
        raise NotFoundError(_("Destruction request not found."))
    _describe_items([request])
    return request


def destruction_record_list(*, user, filters=None) -> QuerySet[DestructionRecord]:
    """The register, newest first (security auditor); filters: ``category``, ``method``, ``since``
    and ``until`` (local dates, inclusive), ``request``."""
    _require_register_reader(user)
    filters = filters or {}
    records = DestructionRecord.objects.select_related(
        "responsible", "responsible__employee", "approver", "approver__employee"
    )
    category = (filters.get("category") or "").strip()
    if category:
        records = records.filter(category=category[:50])
    method = filters.get("method") or ""
    if method in DestructionMethod.values:
        records = records.filter(method=method)
    since, until = safe_date(filters.get("since")), safe_date(filters.get("until"))
    zone = timezone.get_current_timezone()
    if since:
        records = records.filter(destroyed_at__gte=datetime.datetime.combine(since, datetime.time.min, zone))
    if until:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, zone)
        records = records.filter(destroyed_at__lt=end)
    request_id = safe_id(filters.get("request"))
    if request_id:
        records = records.filter(request_id=request_id)
    return records.order_by("-destroyed_at", "-id")


def destruction_record_get(*, user, pk: int) -> DestructionRecord:
    _require_register_reader(user)
    record = (
        DestructionRecord.objects.select_related(
            "responsible", "responsible__employee", "approver", "approver__employee", "request"
        )
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise NotFoundError(_("Destruction record not found."))
    return record
