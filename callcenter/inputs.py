"""Lenient parsing of query-string filters: a bad value is ignored (the filter is dropped), never a
500. Forms validate what is submitted; these read what is linked."""

import datetime

from django.utils.dateparse import parse_date

__all__ = [
    "safe_date",
]


def safe_date(value) -> datetime.date | None:
    """A date from user input, or None when it is missing or not a real date (never a 500)."""
    try:
        return parse_date(value or "")
    except (TypeError, ValueError):
        return None
