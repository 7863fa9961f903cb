"""Complaint statistics rules as pure functions (CMP-4, SEC-2): no database access.

- the reporting range: local calendar months, the last :data:`DEFAULT_MONTHS` by default, at most
  :data:`MAX_MONTHS` (each month is a bucket of one aggregate query);
- the complaint rate: complaints per 1,000 calls answered, two decimals, unknown without calls;
- free text typed by staff (a cause) shows no contact detail: any phone number or e-mail address
  in it is masked wherever statistics are shown or exported.
"""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from callcenter.inputs import safe_date, safe_id
from complaints.models import Channel
from complaints.rules.complaints import mask_email, mask_phone

__all__ = [
    "DEFAULT_MONTHS",
    "MAX_MONTHS",
    "complaint_rate",
    "month_start",
    "scrub_contacts",
    "statistics_filters",
]

DEFAULT_MONTHS = 12
MAX_MONTHS = 36

# A cause is free text typed by staff: a phone number or e-mail address typed into it is masked
# wherever statistics are shown or exported (SEC-2: contact details never leave masked).
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8})(?!\d)")
_EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub_contacts(text: str) -> str:
    """``text`` with any phone number or e-mail address in it masked (138****5678, z***@x.com)."""
    text = _EMAIL_IN_TEXT.sub(lambda m: mask_email(m.group(0).lower()), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[\s-]", "", m.group(1))), text)


def month_start(day: datetime.date, back: int = 0) -> datetime.date:
    """The first day of the month ``back`` months before the one containing ``day`` (negative:
    after)."""
    month = day.year * 12 + day.month - 1 - back
    return datetime.date(month // 12, month % 12 + 1, 1)


def statistics_filters(params, *, today: datetime.date | None = None) -> dict:
    """Clean filters from a query string: ``date_from``/``date_to`` (default: the last 12 months
    up to today), ``channel``, ``category`` (code), ``team`` (id). Bad values (a date outside
    :data:`callcenter.inputs.DATE_MIN` .. ``DATE_MAX`` too) are dropped."""
    today = today or timezone.localdate()
    date_to = safe_date(params.get("date_to")) or today
    date_from = safe_date(params.get("date_from")) or month_start(date_to, DEFAULT_MONTHS - 1)
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    # At most MAX_MONTHS months: each month is a bucket of the one aggregate query.
    date_from = max(date_from, month_start(date_to, MAX_MONTHS - 1))
    filters = {"date_from": date_from, "date_to": date_to}
    if (channel := params.get("channel")) in Channel.values:
        filters["channel"] = channel
    if category := (params.get("category") or "").strip():
        filters["category"] = category[:30]
    if (team := safe_id(params.get("team"))) is not None:
        filters["team"] = team
    return filters


def complaint_rate(complaints: int, calls: int | None) -> float | None:
    """Complaints per 1,000 calls (CMP-4), two decimals; None without calls."""
    if not calls:
        return None
    return round(complaints * 1000 / calls, 2)
