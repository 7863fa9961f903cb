"""Complaint rules (CMP-1..CMP-3, SEC-2) as pure functions, at their boundaries."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from complaints import rules
from complaints.models import ComplaintPolicy

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
POLICY = ComplaintPolicy(effective_from=datetime.date(2000, 1, 1))


def at(day, hour, minute=0, second=0):
    return datetime.datetime(2026, 3, day, hour, minute, second, tzinfo=TZ)


def test_urgent_deadline_crosses_midnight():
    """An urgent complaint at 23:30 with 2 hours for the first response is due 01:30 next day."""
    first, resolution = rules.deadlines(received_at=at(10, 23, 30), urgency="urgent", policy=POLICY)
    assert first == at(11, 1, 30) and resolution == at(11, 23, 30)
    first, resolution = rules.deadlines(received_at=at(10, 23, 30), urgency="normal", policy=POLICY)
    assert first == at(11, 23, 30) and resolution == at(15, 23, 30)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (at(11, 1, 29, 59), False),
        (at(11, 1, 30), False),  # at the deadline minute: not yet overdue
        (at(11, 1, 30, 1), True),
    ],
)
def test_overdue_at_the_deadline(now, expected):
    assert rules.overdue(due=at(11, 1, 30), done_at=None, paused_since=None, now=now) is expected


def test_paused_clock_is_never_overdue_and_done_is_done():
    assert rules.overdue(due=at(11, 1), done_at=None, paused_since=at(11, 0), now=at(12, 0)) is False
    assert rules.overdue(due=at(11, 1), done_at=at(11, 0, 59), paused_since=None, now=at(12, 0)) is False
    assert rules.paused_for(at(11, 0), at(11, 2, 15)) == datetime.timedelta(hours=2, minutes=15)


@pytest.mark.parametrize(
    ("responded", "resolved", "now", "level"),
    [
        (None, None, at(11, 1, 0), 0),
        (None, None, at(11, 2, 0), 1),
        (at(11, 0), None, at(11, 2, 0), 0),
        (at(11, 0), None, at(12, 0, 0), 2),
        (None, None, at(12, 0, 0), 2),
    ],
)
def test_escalation_levels(responded, resolved, now, level):
    assert (
        rules.escalation_level(
            first_response_due=at(11, 1, 30),
            first_responded_at=responded,
            resolution_due=at(11, 23, 30),
            resolved_at=resolved,
            paused_since=None,
            now=now,
        )
        == level
    )


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("138 1234 5678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("010-6552 9988", "01065529988"),
        ("", ""),
    ],
)
def test_phone_normalised(raw, normal):
    assert rules.normalise_phone(raw) == normal


@pytest.mark.parametrize("raw", ["12345", "2381234567", "138123456789", "abc", "<script>1</script>"])
def test_phone_invalid(raw):
    with pytest.raises(ValidationError):
        rules.normalise_phone(raw)


def test_email_normalised_and_masks():
    assert rules.normalise_email(" Zhang.Wei@Example.COM ") == "zhang.wei@example.com"
    with pytest.raises(ValidationError):
        rules.normalise_email("not-an-email")
    assert rules.mask_phone("13812341234") == "138****1234"
    assert rules.mask_phone("01065529988") == "010****9988"
    assert rules.mask_email("zhang.wei@example.com") == "z***@example.com"
    assert rules.mask_phone("") == "" and rules.mask_email("") == ""
