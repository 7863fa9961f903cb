"""Complaint rules as pure functions (CMP-1..CMP-3): no database access.

- the SLA clock: first-response and resolution deadlines by urgency (policy), moved forward by
  the time the clock was paused while waiting for the customer; what is overdue now;
- the escalation level a complaint has reached (0 none, 1 first response overdue, 2 resolution
  overdue) — the job raises a complaint to its level once, so running it twice changes nothing;
- customer contact details: normalise, validate, mask (SEC-2).

Deadlines are in calendar hours (a call center answers around the clock): an urgent complaint
received at 23:30 with a 2-hour first response is due at 01:30 the next day.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.errors import ComplaintErrorCode

__all__ = [
    "day_start",
    "deadlines",
    "escalation_level",
    "mask_email",
    "mask_phone",
    "normalise_email",
    "normalise_phone",
    "overdue",
    "paused_for",
]

# --- SLA --------------------------------------------------------------------------------------


def deadlines(*, received_at: datetime.datetime, urgency: str, policy) -> tuple[datetime.datetime, datetime.datetime]:
    """(first response due, resolution due) for a complaint received at ``received_at``."""
    if urgency == "urgent":
        first, resolution = policy.first_response_hours_urgent, policy.resolution_hours_urgent
    else:
        first, resolution = policy.first_response_hours_normal, policy.resolution_hours_normal
    return (
        received_at + datetime.timedelta(hours=first),
        received_at + datetime.timedelta(hours=resolution),
    )


def paused_for(paused_since: datetime.datetime | None, now: datetime.datetime) -> datetime.timedelta:
    """How long the clock has been paused so far (zero when running)."""
    if paused_since is None or now <= paused_since:
        return datetime.timedelta(0)
    return now - paused_since


def overdue(
    *,
    due: datetime.datetime,
    done_at: datetime.datetime | None,
    paused_since: datetime.datetime | None,
    now: datetime.datetime,
) -> bool:
    """Past its deadline and not done. A paused clock is never overdue (its due time moves on
    resume). At exactly the deadline minute it is not yet overdue."""
    if done_at is not None or paused_since is not None:
        return False
    return now > due


def escalation_level(
    *,
    first_response_due: datetime.datetime,
    first_responded_at: datetime.datetime | None,
    resolution_due: datetime.datetime,
    resolved_at: datetime.datetime | None,
    paused_since: datetime.datetime | None,
    now: datetime.datetime,
) -> int:
    """0 on time; 1 the first response is overdue; 2 the resolution is overdue (CMP-1/CMP-2)."""
    if overdue(due=resolution_due, done_at=resolved_at, paused_since=paused_since, now=now):
        return 2
    if overdue(due=first_response_due, done_at=first_responded_at, paused_since=paused_since, now=now):
        return 1
    return 0


def day_start(day: datetime.date) -> datetime.datetime:
    """Local midnight starting ``day``: date ranges on ``received_at`` are half-open ranges of
    local days (a complaint received at 23:00 on 31 August is an August complaint)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- Contact details (SEC-2) -----------------------------------------------------------------

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")  # area code (3-4 digits incl. 0) + 7-8 digits


def normalise_phone(raw: str | None) -> str:
    """Digits only; +86 / 0086 dropped. Mainland mobiles (11 digits) and landlines with their
    area code. Raises ValidationError with a clear message."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits.isdigit() or not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
        raise ValidationError(
            _("%(value)s is not a valid phone number (a mobile like 138 1234 5678 or a landline with its area code).")
            % {"value": raw[:30]},
            code=ComplaintErrorCode.PHONE_INVALID,
        )
    return digits


def normalise_email(raw: str | None) -> str:
    raw = (raw or "").strip()
    if not raw:
        return ""
    value = raw.lower()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise ValidationError(
            _("%(value)s is not a valid e-mail address.") % {"value": raw[:60]}, code=ComplaintErrorCode.EMAIL_INVALID
        ) from exc
    return value


def mask_phone(phone: str) -> str:
    """138****1234: the first three and the last four digits (SEC-2)."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_email(email: str) -> str:
    """z***@example.com: the first letter and the domain."""
    if not email or "@" not in email:
        return "***" if email else ""
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"
