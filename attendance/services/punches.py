"""Attendance services: punches (ATT-2).

Punches are append-only: nothing here (or anywhere) updates or deletes one, and a PostgreSQL
trigger refuses it anyway. The time of a web punch is the server's clock, never the client's;
a device punch carries the time of an authenticated time clock.

Idempotency: every punch has a unique ``idempotency_key``. A web punch stores
``web:<employee id>:<key from the form>`` (a double click, a second tab or a retry record one
punch, and one user cannot collide with another's key); a device punch stores
``device:<device id>:<device's own punch id>`` and is also unique per (device, device punch id),
so a re-sent batch changes nothing.
"""

import datetime
import hashlib
import ipaddress
import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from attendance.errors import AttendanceErrorCode
from attendance.models import Device, Punch, PunchSource
from callcenter.errors import ApplicationError, NotFoundError
from callcenter.models import Employee, EmploymentStatus
from callcenter.selectors import employee_of
from datasecurity.services import audit_record

__all__ = [
    "DEVICE_BATCH_MAX_ROWS",
    "DEVICE_CLOCK_SKEW",
    "DEVICE_MAX_AGE",
    "device_authenticate",
    "device_create",
    "device_punches_push",
    "device_token_hash",
    "punch_record",
]

_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,80}")
_DEVICE_PUNCH_ID_RE = re.compile(r"[A-Za-z0-9_.:-]{1,80}")
DEVICE_BATCH_MAX_ROWS = 1000
# A time clock's clock may run a little fast; anything further ahead is refused (ATT-2: no forging).
DEVICE_CLOCK_SKEW = datetime.timedelta(minutes=5)
# A clock that was offline may push late, but not months later.
DEVICE_MAX_AGE = datetime.timedelta(days=40)


def _clean_ip(ip) -> str | None:
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(str(ip).strip()))
    except ValueError:
        return None


def punch_record(*, actor, idempotency_key: str, ip=None, user_agent: str = "") -> tuple[Punch, bool]:
    """The actor's own punch at the server's time (ATT-2); never someone else's (no employee
    argument). Returns ``(punch, created)``.

    The same key again returns the first punch with ``created=False``. Race-safe: the unique
    constraint decides, the loser of a race reads the winner's row.
    """
    if not isinstance(idempotency_key, str) or not _KEY_RE.fullmatch(idempotency_key):
        raise ApplicationError(
            _("This clock form is invalid or expired. Please reload the page and try again."),
            code=AttendanceErrorCode.INVALID_IDEMPOTENCY_KEY,
        )
    employee = employee_of(actor)
    if employee is None:
        raise ApplicationError(
            _("Your account has no employee record, so you cannot clock in. Please contact HR."),
            code=AttendanceErrorCode.NO_EMPLOYEE,
            status=403,
        )
    if employee.status != EmploymentStatus.ACTIVE:
        raise ApplicationError(
            _("Only active employees can clock in or out."), code=AttendanceErrorCode.EMPLOYEE_INACTIVE, status=403
        )
    scoped_key = f"web:{employee.pk}:{idempotency_key}"
    existing = Punch.objects.filter(idempotency_key=scoped_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():  # a savepoint when the caller already has a transaction
            punch = Punch.objects.create(
                employee=employee,
                punched_at=timezone.now(),
                source=PunchSource.WEB,
                idempotency_key=scoped_key,
                ip=_clean_ip(ip),
                user_agent=(user_agent or "")[:300],
            )
            audit_record(
                actor=actor,
                action="punch.record",
                obj=punch,
                changes={"employee": employee.pk, "punched_at": punch.punched_at, "source": punch.source},
                ip=punch.ip,
            )
    except IntegrityError:
        existing = Punch.objects.filter(idempotency_key=scoped_key).first()
        if existing is None:
            raise
        return existing, False
    return punch, True


# --- Time clocks ----------------------------------------------------------------------------------


def device_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_authenticate(*, token: str) -> Device:
    """The active device holding ``token``; only the token's SHA-256 is stored."""
    if not token or not isinstance(token, str) or len(token) > 200:
        raise ApplicationError(_("Invalid device token."), code=AttendanceErrorCode.DEVICE_TOKEN_INVALID, status=401)
    device = Device.objects.filter(token_hash=device_token_hash(token)).first()
    if device is None:
        raise ApplicationError(_("Invalid device token."), code=AttendanceErrorCode.DEVICE_TOKEN_INVALID, status=401)
    if not device.active:
        raise ApplicationError(
            _("This time clock has been deactivated."), code=AttendanceErrorCode.DEVICE_INACTIVE, status=403
        )
    return device


@transaction.atomic
def device_create(*, actor, name: str, location: str = "") -> tuple[Device, str]:
    """Register a time clock; returns the device and its token (shown once, never stored)."""
    name = (name or "").strip()
    location = (location or "").strip()
    if not name or len(name) > 100:
        raise ApplicationError(
            _("A time clock needs a name of at most 100 characters."), code=AttendanceErrorCode.INVALID_NAME
        )
    if len(location) > 200:
        raise ApplicationError(
            _("The location may have at most 200 characters."), code=AttendanceErrorCode.INVALID_LOCATION
        )
    raw_token = secrets.token_urlsafe(32)
    device = Device.objects.create(name=name, location=location, token_hash=device_token_hash(raw_token))
    audit_record(actor=actor, action="device.create", obj=device, changes={"name": name, "location": location})
    return device, raw_token


def _validate_rows(rows, *, now) -> tuple[list[dict], list[dict]]:
    """Every row checked before anything is written: (clean rows, errors)."""
    errors: list[dict] = []
    clean: list[dict] = []
    if not isinstance(rows, list) or not rows:
        return [], [{"row": None, "field": "punches", "detail": _("Send a non-empty list of punches.")}]
    if len(rows) > DEVICE_BATCH_MAX_ROWS:
        detail = _("At most %(max)d punches per batch.") % {"max": DEVICE_BATCH_MAX_ROWS}
        return [], [{"row": None, "field": "punches", "detail": detail}]

    numbers = {r.get("employee_no") for r in rows if isinstance(r, dict) and isinstance(r.get("employee_no"), str)}
    employees = {
        e.employee_no: e for e in Employee.objects.filter(employee_no__in=numbers).only("pk", "employee_no", "status")
    }
    seen_ids: set[str] = set()

    def error(i, field, detail):
        errors.append({"row": i, "field": field, "detail": detail})

    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            error(i, "row", _("Each punch must be an object."))
            continue
        ok = True
        employee = employees.get(row.get("employee_no")) if isinstance(row.get("employee_no"), str) else None
        if employee is None:
            error(i, "employee_no", _("Unknown employee number."))
            ok = False
        elif employee.status != EmploymentStatus.ACTIVE:
            error(i, "employee_no", _("This employee has left."))
            ok = False

        raw_time = row.get("punched_at")
        punched_at = None
        try:
            punched_at = parse_datetime(raw_time) if isinstance(raw_time, str) else None
        except ValueError:
            punched_at = None
        if punched_at is None:
            error(i, "punched_at", _("Give an ISO 8601 date and time with a time zone."))
            ok = False
        elif timezone.is_naive(punched_at):
            error(i, "punched_at", _("The time must include a time zone offset."))
            ok = False
        elif punched_at > now + DEVICE_CLOCK_SKEW:
            error(i, "punched_at", _("The time is in the future; check the time clock's clock."))
            ok = False
        elif punched_at < now - DEVICE_MAX_AGE:
            error(i, "punched_at", _("The punch is older than 40 days and cannot be accepted."))
            ok = False

        punch_id = row.get("device_punch_id")
        if isinstance(punch_id, int) and not isinstance(punch_id, bool):
            punch_id = str(punch_id)
        if not isinstance(punch_id, str) or not _DEVICE_PUNCH_ID_RE.fullmatch(punch_id):
            error(i, "device_punch_id", _("Give the time clock's own punch id (1 to 80 letters, digits, _ - . :)."))
            ok = False
        elif punch_id in seen_ids:
            error(i, "device_punch_id", _("This punch id appears twice in the batch."))
            ok = False
        else:
            seen_ids.add(punch_id)
        if ok:
            clean.append({"employee": employee, "punched_at": punched_at, "device_punch_id": punch_id})
    return clean, errors


def device_punches_push(*, device_id: int, rows, ip=None) -> dict:
    """A batch of punches from an authenticated time clock (ATT-2): all rows or none.

    Returns ``{"received", "created", "duplicates"}``; a re-sent batch creates nothing.
    """
    now = timezone.now()
    clean, errors = _validate_rows(rows, now=now)
    if errors:
        raise ApplicationError(
            _("The batch was rejected; nothing was recorded. Fix the rows listed and send it again."),
            code=AttendanceErrorCode.INVALID_BATCH,
            extra={"errors": errors},
        )
    ip = _clean_ip(ip)
    with transaction.atomic():
        # One batch per device at a time, so "created" counts exactly what this batch added.
        device = Device.objects.select_for_update().filter(pk=device_id).first()
        if device is None:
            raise NotFoundError(_("Time clock not found."))
        ids = [r["device_punch_id"] for r in clean]
        before = Punch.objects.filter(device=device, device_punch_id__in=ids).count()
        Punch.objects.bulk_create(
            [
                Punch(
                    employee=r["employee"],
                    punched_at=r["punched_at"],
                    recorded_at=now,
                    source=PunchSource.DEVICE,
                    idempotency_key=f"device:{device.pk}:{r['device_punch_id']}",
                    device=device,
                    device_punch_id=r["device_punch_id"],
                    ip=ip,
                )
                for r in clean
            ],
            ignore_conflicts=True,
        )
        after = Punch.objects.filter(device=device, device_punch_id__in=ids).count()
        result = {"received": len(clean), "created": after - before, "duplicates": len(clean) - (after - before)}
        audit_record(actor=None, action="punch.device_batch", obj=device, changes=result, ip=ip)
    return result
