"""Destruction of data no longer needed (SEC-4): the registry of data categories and the pure rules
of a retention period.

The data-security app knows no domain app (they sit above it), so each domain app registers the
categories it owns from its ``AppConfig.ready()``, as the core's navigation and search providers
are filled (``datasecurity.services.destruction_category_register``)::

    destruction_category_register(DestructionCategory(
        code="complaint_contacts", label=_("…"), article="SEC-4", default_days=1095,
        methods=(DestructionMethod.ANONYMISE,), due=complaint_contacts_due,
        execute=complaint_contacts_anonymise, reason=_("…")))

- ``due(cutoff)`` reads what is older than ``cutoff`` (an aware datetime) and returns a
  :class:`DueSummary`: how many items, a short description and a few sample items for the person
  who requests and the person who approves the destruction;
- ``execute(cutoff=…, method=…, limit=…)`` destroys at most ``limit`` of those items with
  ``method`` through the owning app's own service (audited there) and returns how many it
  destroyed; 0 means nothing is left. The job calls it in batches until the approved quantity is
  reached.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from datasecurity.models.destruct import RETENTION_MAX_DAYS, RETENTION_MIN_DAYS, DestructionMethod

__all__ = [
    "DESTRUCTION_CATEGORIES",
    "JOB_CATEGORY_AUDIT_EVENTS",
    "JOB_CATEGORY_BACKUPS",
    "JOB_CATEGORY_LABELS",
    "RETENTION_MAX_DAYS",
    "RETENTION_MIN_DAYS",
    "DestructionCategory",
    "DestructionMethod",
    "DueSummary",
    "destruction_category",
    "destruction_category_register",
    "destruction_cutoff",
    "retention_days_problem",
]


@dataclass(frozen=True)
class DueSummary:
    """What a category has due for destruction before a cutoff."""

    quantity: int
    description: str | Promise = ""
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class DestructionCategory:
    """A kind of data the regulation lets go once it is no longer needed (SEC-4)."""

    code: str
    label: str | Promise
    article: str
    default_days: int
    methods: tuple[str, ...]
    due: Callable[[datetime.datetime], DueSummary]
    execute: Callable[..., int]
    reason: str | Promise = ""  # why the default period (docs/operations.md, "Retention schedule")
    min_days: int = RETENTION_MIN_DAYS
    order: int = 100
    unit: str | Promise = field(default=_("items"))

    def __post_init__(self):
        if not self.methods or any(m not in DestructionMethod.values for m in self.methods):
            raise ValueError(f"destruction category {self.code!r}: unknown method in {self.methods!r}")
        if not RETENTION_MIN_DAYS <= self.min_days <= self.default_days <= RETENTION_MAX_DAYS:
            raise ValueError(f"destruction category {self.code!r}: default period out of bounds")

    @property
    def method(self) -> str:
        """The method the job uses (the first the category offers)."""
        return self.methods[0]


# Categories destroyed by a scheduled job under a rule already decided (SEC-2's retention policy,
# SEC-1's backup plan) rather than by a request: they write their records to the same register.
JOB_CATEGORY_AUDIT_EVENTS = "audit_events"
JOB_CATEGORY_BACKUPS = "backups"
JOB_CATEGORY_LABELS = {
    JOB_CATEGORY_AUDIT_EVENTS: _("Audit events past the retention (SEC-2)"),
    JOB_CATEGORY_BACKUPS: _("Backups beyond the number the plan keeps (SEC-1)"),
}

# Every registered category, by code (registering a code twice replaces it: ready() may run again).
DESTRUCTION_CATEGORIES: dict[str, DestructionCategory] = {}


def destruction_category_register(*categories: DestructionCategory) -> None:
    for category in categories:
        DESTRUCTION_CATEGORIES[category.code] = category


def destruction_category(code: str) -> DestructionCategory | None:
    return DESTRUCTION_CATEGORIES.get(code)


def retention_days_problem(days, *, min_days: int = RETENTION_MIN_DAYS) -> str | None:
    """Why ``days`` is not a valid retention period (a translated sentence), or None (SEC-4)."""
    try:
        value = int(days)
    except (TypeError, ValueError):
        return str(_("The retention period is a whole number of days."))
    if str(value) != str(days).strip():
        return str(_("The retention period is a whole number of days."))
    if not min_days <= value <= RETENTION_MAX_DAYS:
        return str(
            _("The retention period is between %(min)s and %(max)s days (SEC-4).")
            % {"min": min_days, "max": RETENTION_MAX_DAYS}
        )
    return None


def destruction_cutoff(*, now: datetime.datetime, days: int) -> datetime.datetime:
    """Data older than this moment is due: kept ``days`` full days, counted from the start of
    today (``now`` in the site's time zone, so a request made at 09:00 and one at 17:00 agree)."""
    start_of_today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return start_of_today - datetime.timedelta(days=days)
