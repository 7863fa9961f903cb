"""Pure rules of the online assessment at their boundaries (TRN-2)."""

import datetime
import random
from decimal import Decimal

import pytest

from training.rules import (
    GRACE_SECONDS,
    answer_correct,
    attempt_deadline,
    attempts_left,
    draw_questions,
    question_problem,
    score_passes,
    score_percent,
    submission_late,
    video_sniff,
)


@pytest.mark.parametrize(
    ("kind", "chosen", "correct", "expected"),
    [
        ("single", [1], [1], True),
        ("single", [2], [1], False),
        ("single", [1, 2], [1], False),  # two chosen on a single-choice question
        ("single", [], [1], False),
        ("true_false", [7], [7], True),
        ("true_false", [8], [7], False),
        ("multiple", [1, 3], [3, 1], True),  # exact set, any order
        ("multiple", [1], [1, 3], False),  # TRN-2: no partial credit
        ("multiple", [1, 2, 3], [1, 3], False),  # one too many
        ("multiple", [], [1, 3], False),
    ],
)
def test_answer_correct_trn2(kind, chosen, correct, expected):
    assert answer_correct(kind, chosen, correct) is expected


@pytest.mark.parametrize(
    ("right", "total", "score"),
    [
        (0, 20, Decimal("0.00")),
        (20, 20, Decimal("100.00")),
        (1, 3, Decimal("33.33")),
        (2, 3, Decimal("66.67")),  # half up
        (12, 20, Decimal("60.00")),
        (1, 0, Decimal("0.00")),
        (5, 3, Decimal("100.00")),  # never above 100
    ],
)
def test_score_percent_rounds_to_two_places(right, total, score):
    assert score_percent(right, total) == score


@pytest.mark.parametrize(
    ("score", "mark", "passes"),
    [("60.00", "60", True), ("59.99", "60", False), ("100", "100", True), ("0", "0", True), ("99.99", "100", False)],
)
def test_pass_at_or_above_the_pass_mark_trn2(score, mark, passes):
    assert score_passes(Decimal(score), Decimal(mark)) is passes


def test_deadline_and_grace_boundaries():
    start = datetime.datetime(2026, 5, 1, 9, 0, tzinfo=datetime.UTC)
    deadline = attempt_deadline(start, 30)
    assert deadline == start + datetime.timedelta(minutes=30)
    assert not submission_late(deadline, deadline)
    assert not submission_late(deadline + datetime.timedelta(seconds=GRACE_SECONDS), deadline)
    assert submission_late(deadline + datetime.timedelta(seconds=GRACE_SECONDS, microseconds=1), deadline)


@pytest.mark.parametrize(("used", "maximum", "left"), [(0, 3, 3), (2, 3, 1), (3, 3, 0), (4, 3, 0)])
def test_attempts_left(used, maximum, left):
    assert attempts_left(used, maximum) == left


def test_draw_takes_count_distinct_questions_with_all_their_options():
    bank = {i: [i * 10 + 1, i * 10 + 2, i * 10 + 3] for i in range(1, 31)}
    draw = draw_questions(bank, 20, random.Random(4))
    assert len(draw) == 20
    assert len({item["q"] for item in draw}) == 20
    for item in draw:
        assert sorted(item["o"]) == bank[item["q"]]
    assert len(draw_questions(bank, 50, random.Random(1))) == 30


@pytest.mark.parametrize(
    ("kind", "options", "problem"),
    [
        ("single", [("a", True), ("b", False)], None),
        ("single", [("a", True), ("b", True)], "one_correct"),
        ("single", [("a", False), ("b", False)], "one_correct"),
        ("single", [("a", True)], "too_few_options"),
        ("single", [("a", True), ("  ", False)], "too_few_options"),
        ("true_false", [("对", True), ("错", False)], None),
        ("true_false", [("对", True), ("错", False), ("?", False)], "true_false_two"),
        ("multiple", [("a", True), ("b", True), ("c", False)], None),
        ("multiple", [("a", False), ("b", False)], "some_correct"),
    ],
)
def test_question_problem(kind, options, problem):
    assert question_problem(kind, options) == problem


def test_video_sniff_by_content():
    assert video_sniff(b"\x00\x00\x00\x18ftypmp42\x00\x00") == "video/mp4"
    assert video_sniff(b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81") == "video/webm"
    assert video_sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00") is None
    assert video_sniff(b"%PDF-1.4\n") is None
