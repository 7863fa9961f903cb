"""The rules of delivery and assessment after a session (TRN-2), as pure functions: no database,
no request; the course's pass mark and the session's times come in as arguments."""

import datetime
from decimal import Decimal

__all__ = [
    "ATTENDANCE_OPENS_BEFORE",
    "attendance_open",
    "enrolment_cancellable",
    "mark_result",
    "rating_valid",
    "score_result",
    "score_valid",
    "seats_left",
]

# The trainer may take the attendance from an hour before the session starts (people arrive early).
ATTENDANCE_OPENS_BEFORE = datetime.timedelta(hours=1)

SCORE_MIN = Decimal("0")
SCORE_MAX = Decimal("100")


def score_valid(score) -> bool:
    """A score is a number from 0 to 100, both included (TRN-2)."""
    try:
        value = Decimal(score)
    except (ArithmeticError, TypeError, ValueError):
        return False
    return value.is_finite() and SCORE_MIN <= value <= SCORE_MAX


def score_result(score: Decimal, pass_mark: Decimal) -> str:
    """``passed`` when the score reaches the course's pass mark (exactly the mark passes), else
    ``failed`` (TRN-2)."""
    return "passed" if Decimal(score) >= Decimal(pass_mark) else "failed"


def mark_result(mark: str, score: Decimal | None, pass_mark: Decimal) -> str:
    """The training record's result from the trainer's attendance mark and the score (TRN-2, TRN-3):
    ``absent``; ``attended`` until a score is entered; then passed or failed."""
    if mark == "absent":
        return "absent"
    if score is None:
        return "attended"
    return score_result(score, pass_mark)


def seats_left(capacity: int, enrolled: int) -> int:
    """Free seats of a session (TRN-2); never negative."""
    return max(0, capacity - enrolled)


def enrolment_cancellable(starts_at: datetime.datetime, now: datetime.datetime) -> bool:
    """An enrolment may be cancelled (and a person enrolled) until the session starts (TRN-2)."""
    return now < starts_at


def attendance_open(starts_at: datetime.datetime, now: datetime.datetime) -> bool:
    """The trainer takes the attendance from ``ATTENDANCE_OPENS_BEFORE`` before the start on."""
    return now >= starts_at - ATTENDANCE_OPENS_BEFORE


def rating_valid(rating) -> bool:
    """A satisfaction rating is a whole number from 1 to 5 (TRN-2)."""
    return isinstance(rating, int) and not isinstance(rating, bool) and 1 <= rating <= 5
