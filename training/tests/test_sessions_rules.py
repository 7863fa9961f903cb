"""The pure rules of delivery and assessment (TRN-2), at their boundaries."""

import datetime
from decimal import Decimal

import pytest

from training.rules import (
    attendance_open,
    enrolment_cancellable,
    mark_result,
    rating_valid,
    score_result,
    score_valid,
    seats_left,
)

T0 = datetime.datetime(2026, 12, 8, 10, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("score", "pass_mark", "expected"),
    [
        ("60", "60", "passed"),  # TRN-2: exactly the pass mark passes
        ("59.99", "60", "failed"),
        ("60.01", "60", "passed"),
        ("0", "0", "passed"),
        ("100", "100", "passed"),
        ("99.99", "100", "failed"),
    ],
)
def test_score_against_the_pass_mark(score, pass_mark, expected):
    assert score_result(Decimal(score), Decimal(pass_mark)) == expected


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", True), ("100", True), ("-0.01", False), ("100.01", False), ("NaN", False), ("abc", False), (None, False)],
)
def test_a_score_is_0_to_100(value, ok):
    assert score_valid(value) is ok


@pytest.mark.parametrize(
    ("mark", "score", "expected"),
    [
        ("absent", None, "absent"),
        ("absent", Decimal("90"), "absent"),
        ("present", None, "attended"),
        ("late", None, "attended"),
        ("present", Decimal("80"), "passed"),
        ("late", Decimal("59"), "failed"),
    ],
)
def test_the_record_result_from_the_mark_and_the_score(mark, score, expected):
    assert mark_result(mark, score, Decimal("60")) == expected


def test_seats_left_never_negative():
    assert seats_left(10, 9) == 1
    assert seats_left(10, 10) == 0
    assert seats_left(10, 12) == 0


def test_enrolment_closes_at_the_start():
    assert enrolment_cancellable(T0, T0 - datetime.timedelta(seconds=1))
    assert not enrolment_cancellable(T0, T0)


def test_attendance_opens_an_hour_before_the_start():
    assert attendance_open(T0, T0 - datetime.timedelta(hours=1))
    assert not attendance_open(T0, T0 - datetime.timedelta(hours=1, seconds=1))


@pytest.mark.parametrize(("rating", "ok"), [(0, False), (1, True), (5, True), (6, False), (True, False), ("3", False)])
def test_a_rating_is_1_to_5(rating, ok):
    assert rating_valid(rating) is ok
