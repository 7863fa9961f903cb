"""Inputs people type or link: the one place that bounds dates, months, moments and ids.

Every date, month, moment and id a page or an endpoint reads goes through one of these, so
``9999-12-31``, ``0001-01`` or ``99999999999999999999`` is refused with a translated message (a
form error on the page, a 400 naming the field in the API) or, for a filter in a link, ignored
with a message, and never reaches date arithmetic or the database as a 500.

- The bounds: :data:`DATE_MIN` .. :data:`DATE_MAX` for every date, month and moment (a moment by
  its local date), and ids from 1 to :data:`ID_MAX` (the database's bigint, the type of every
  primary key; SQLite refuses larger integers outright).
- Form fields for the pages' forms: :class:`DateField`, :class:`DateTimeField`,
  :class:`MonthField`, :class:`IdField`.
- Serializer fields for the API: :class:`ApiDateField`, :class:`ApiDateTimeField`,
  :class:`ApiMonthField`, :class:`ApiIdField`.
- The API's JSON parser (``DEFAULT_PARSER_CLASSES``): :class:`JSONParser` bounds how deep a
  body may nest.
- Lenient parsers for query strings (a filter in a link is dropped when unusable):
  :func:`safe_date`, :func:`safe_month`, :func:`safe_id`; and for a page, :func:`query_month`
  (its default month) and :func:`query_date` (no filter), with a message saying why when the
  value is unusable.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, parsers, serializers

__all__ = [
    "CAREER_DATE_MIN",
    "DATE_MAX",
    "DATE_MIN",
    "ID_MAX",
    "ApiCareerDateField",
    "ApiDateField",
    "ApiDateTimeField",
    "ApiIdField",
    "ApiMonthField",
    "CareerDateField",
    "DateField",
    "DateTimeField",
    "IdField",
    "JSONParser",
    "MonthField",
    "career_date_in_range",
    "date_in_range",
    "month_parse",
    "query_date",
    "query_month",
    "safe_date",
    "safe_id",
    "safe_month",
    "text_file_decode",
]

# One range for every date, month and moment anyone may enter or link (a call center's records
# and plans). Date arithmetic near the calendar's ends (a month's last day, the next week, a
# time zone) overflows; nothing legitimate is that far away.
DATE_MIN = datetime.date(2000, 1, 1)
DATE_MAX = datetime.date(2099, 12, 31)
# Every primary key is a BigAutoField (settings.DEFAULT_AUTO_FIELD).
ID_MAX = 2**63 - 1

# The past of a career (a hire date, the date first employed): a long-serving employee's starts
# before DATE_MIN, and LV-3 counts cumulative working years from it.
CAREER_DATE_MIN = datetime.date(1950, 1, 1)

DATE_RANGE_MESSAGE = gettext_lazy("Enter a date between %(min)s and %(max)s.")
MONTH_INVALID_MESSAGE = gettext_lazy("Enter a month as YYYY-MM.")
MONTH_RANGE_MESSAGE = gettext_lazy("Enter a month between %(min)s and %(max)s.")
ID_INVALID_MESSAGE = gettext_lazy("Enter a valid id (a whole number from 1).")


def _range_params(minimum: datetime.date = DATE_MIN) -> dict:
    return {"min": minimum.isoformat(), "max": DATE_MAX.isoformat()}


def _month_range_params() -> dict:
    return {"min": f"{DATE_MIN:%Y-%m}", "max": f"{DATE_MAX:%Y-%m}"}


def date_in_range(value, *, minimum: datetime.date = DATE_MIN) -> None:
    """Validator: ``value`` (a date, or a moment by its local date) lies within the range."""
    if value is None:
        return
    day = value
    if isinstance(value, datetime.datetime):
        try:
            day = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
        except OverflowError:  # a time zone away from year 1 or 9999: out of range anyway
            day = value.date()
    if not minimum <= day <= DATE_MAX:
        raise ValidationError(DATE_RANGE_MESSAGE, code="date_range", params=_range_params(minimum))


def career_date_in_range(value) -> None:
    """Validator: a date of a career's past (``CAREER_DATE_MIN`` .. ``DATE_MAX``)."""
    date_in_range(value, minimum=CAREER_DATE_MIN)


def month_parse(value) -> datetime.date:
    """``YYYY-MM`` (a month input) or a full date → the first of that month, within the range;
    a ValidationError with a translated message otherwise."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        month = value.replace(day=1)
    else:
        text = str(value or "").strip()
        try:
            if len(text) == 7:
                month = datetime.datetime.strptime(text, "%Y-%m").date()
            else:
                month = datetime.date.fromisoformat(text).replace(day=1)
        except ValueError:
            raise ValidationError(MONTH_INVALID_MESSAGE, code="invalid") from None
    if not DATE_MIN <= month <= DATE_MAX:
        raise ValidationError(MONTH_RANGE_MESSAGE, code="date_range", params=_month_range_params())
    return month


# --- Uploaded text files ----------------------------------------------------------------------------


def text_file_decode(data: bytes) -> str | None:
    """An uploaded CSV's text: UTF-8 (with or without Excel's BOM), else GB18030 (what Chinese
    Excel writes as plain "CSV"); None when it is neither (the caller refuses it with its code)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


# --- Lenient parsers (query strings) -----------------------------------------------------------------


def safe_date(value) -> datetime.date | None:
    """A date from user input, or None when it is missing, not a real date or out of range."""
    try:
        day = parse_date(str(value or "").strip())
    except (TypeError, ValueError):
        return None
    return day if day is not None and DATE_MIN <= day <= DATE_MAX else None


def safe_month(value) -> datetime.date | None:
    """The first day of the month ``YYYY-MM`` (or of a date's month), or None when it is missing,
    malformed or out of range."""
    if value in (None, ""):
        return None
    try:
        return month_parse(value)
    except ValidationError:
        return None


def safe_id(value) -> int | None:
    """An id from user input (1 .. ID_MAX), or None when it is missing or not one."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= ID_MAX else None


def query_date(request, name: str, *, data=None) -> datetime.date | None:
    """A page's ``?<name>=YYYY-MM-DD`` filter (or ``data[name]``): the date; None when it is
    missing, and also when it is malformed or out of range, then with a message saying that the
    filter is ignored and which dates there are."""
    raw = (request.GET if data is None else data).get(name)
    if raw in (None, ""):
        return None
    day = safe_date(raw)
    if day is None:
        messages.warning(
            request,
            gettext("“%(value)s” is not a date between %(min)s and %(max)s; that filter is ignored.")
            % {"value": str(raw)[:20], **_range_params()},
        )
    return day


def query_month(request, default: datetime.date, *, name: str = "month", data=None) -> datetime.date:
    """A page's ``?month=YYYY-MM`` (or ``data[name]``, e.g. ``request.POST``): the first of that
    month; ``default`` (its first day) when it is missing, and also when it is malformed or out
    of range, then with a message saying which months there are."""
    raw = (request.GET if data is None else data).get(name)
    fallback = default.replace(day=1)
    if raw in (None, ""):
        return fallback
    month = safe_month(raw)
    if month is None:
        messages.warning(
            request,
            gettext("“%(value)s” is not a month between %(min)s and %(max)s; showing %(month)s.")
            % {"value": str(raw)[:20], **_month_range_params(), "month": f"{fallback:%Y-%m}"},
        )
        return fallback
    return month


# --- Form fields (pages) ----------------------------------------------------------------------------------


class DateField(forms.DateField):
    """A date within the range (``DATE_MIN`` .. ``DATE_MAX``)."""

    default_validators = [date_in_range]


class CareerDateField(forms.DateField):
    """A date of a career's past: a hire date, the date first employed (``CAREER_DATE_MIN`` ..
    ``DATE_MAX``)."""

    default_validators = [career_date_in_range]


class DateTimeField(forms.DateTimeField):
    """A moment whose local date lies within the range."""

    default_validators = [date_in_range]


class MonthField(forms.DateField):
    """``YYYY-MM`` (the browser's month input) or a full date; always the first of the month,
    within the range."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return month_parse(value)


class IdField(forms.IntegerField):
    """A record's id: a whole number from 1 to the database's largest."""

    default_error_messages = {"invalid": ID_INVALID_MESSAGE, "min_value": ID_INVALID_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)

    def to_python(self, value):
        number = super().to_python(value)
        if number is not None and number > ID_MAX:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


# --- Serializer fields (API) --------------------------------------------------------------------------------


class ApiDateField(serializers.DateField):
    """A date within the range (``DATE_MIN`` .. ``DATE_MAX``); a 400 naming the field otherwise."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(date_in_range)


class ApiCareerDateField(serializers.DateField):
    """A date of a career's past (``CAREER_DATE_MIN`` .. ``DATE_MAX``); a 400 naming the field otherwise."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(career_date_in_range)


class ApiDateTimeField(serializers.DateTimeField):
    """A moment whose local date lies within the range."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(date_in_range)

    def to_internal_value(self, value):
        # DRF's own time zone checks overflow a time zone away from year 1 or 9999.
        try:
            return super().to_internal_value(value)
        except OverflowError:
            raise serializers.ValidationError(str(DATE_RANGE_MESSAGE % _range_params()), code="date_range") from None


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}(-\d{2})?$", "example": "2026-05"})
class ApiMonthField(serializers.DateField):
    """``YYYY-MM`` (or any date of the month): the first of the month, within the range."""

    def to_internal_value(self, value):
        try:
            return month_parse(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages, code=exc.code) from None


class ApiIdField(serializers.IntegerField):
    """A record's id: a whole number from 1 to the database's largest; a 400 otherwise."""

    default_error_messages = {
        "invalid": ID_INVALID_MESSAGE,
        "min_value": ID_INVALID_MESSAGE,
        "max_value": ID_INVALID_MESSAGE,
        "max_string_length": ID_INVALID_MESSAGE,
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


# --- Request bodies (API) -------------------------------------------------------------------------------


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (the API's default, ``DEFAULT_PARSER_CLASSES``) refusing a body nested
    deeper than :attr:`max_depth` with DRF's 400 ``parse_error``: ``[[[[…`` 100,000 deep would
    exhaust Python's recursion while parsing (a 500), a few hundred levels the code that walks it.
    (It lives here, not in :mod:`callcenter.rest`: DRF imports its parsers while ``rest`` is still
    importing DRF's views.)"""

    max_depth = 32
    too_deep = gettext_lazy("JSON parse error - the body is nested more than %(depth)s levels deep.")

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(self.too_deep % {"depth": self.max_depth}) from None
        pending = [(data, 1)]
        while pending:
            value, depth = pending.pop()
            if isinstance(value, dict | list):
                if depth > self.max_depth:
                    raise exceptions.ParseError(self.too_deep % {"depth": self.max_depth})
                pending.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
        return data
