"""Pure rules of self-study and the online assessment (TRN-2, SEC-3): no database, no request.

- Scoring: a single-choice or true/false question is right when the one chosen option is the
  correct one; a multiple-choice question is right only when the chosen set is exactly the correct
  set (no partial credit). The score is right answers / questions drawn × 100, rounded half up to
  2 places; it passes at or above the pass mark.
- Time: the deadline is the start plus the time limit; a submission later than the deadline plus
  ``GRACE_SECONDS`` (network and clock slack) is late: it is scored with the answers saved before
  the deadline, and answers sent with it or after it are not taken.
- Attempts: at most the course's number of attempts (TRN-2).
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

__all__ = [
    "GRACE_SECONDS",
    "MATERIAL_VIDEO_TYPES",
    "answer_correct",
    "attempt_deadline",
    "attempts_left",
    "draw_questions",
    "question_problem",
    "score_passes",
    "score_percent",
    "submission_late",
    "video_sniff",
]

GRACE_SECONDS = 10

# Video material is checked by content too: MP4 has ``ftyp`` at byte 4, WebM starts with the EBML
# magic number. (PDF, JPEG and PNG are checked by datasecurity's upload check.)
MATERIAL_VIDEO_TYPES = {"video/mp4": "mp4", "video/webm": "webm"}


def video_sniff(head: bytes) -> str | None:
    """The video content type of a file's first bytes, or None."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


def answer_correct(kind: str, chosen, correct) -> bool:
    """TRN-2: single and true/false: exactly the one correct option; multiple: exactly the set."""
    chosen, correct = set(chosen), set(correct)
    if not chosen or not correct:
        return False
    if kind in ("single", "true_false") and len(chosen) != 1:
        return False
    return chosen == correct


def score_percent(right: int, total: int) -> Decimal:
    """Right answers over questions drawn, 0..100, rounded half up to 2 places."""
    if total <= 0:
        return Decimal("0.00")
    right = max(0, min(right, total))
    return (Decimal(right) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def score_passes(score: Decimal, pass_mark: Decimal) -> bool:
    """TRN-2: a score at or above the pass mark passes."""
    return Decimal(score) >= Decimal(pass_mark)


def attempt_deadline(started_at: datetime.datetime, time_limit_minutes: int) -> datetime.datetime:
    return started_at + datetime.timedelta(minutes=time_limit_minutes)


def submission_late(now: datetime.datetime, deadline: datetime.datetime, grace_seconds: int = GRACE_SECONDS) -> bool:
    """True when ``now`` is past the deadline plus the grace (the server's clock decides)."""
    return now > deadline + datetime.timedelta(seconds=grace_seconds)


def attempts_left(used: int, max_attempts: int) -> int:
    return max(0, max_attempts - used)


def draw_questions(questions: dict, count: int, rng: random.Random | None = None) -> list[dict]:
    """Draw ``count`` questions (all when there are fewer) from ``{question id: [option ids]}``
    in random order, each with its options shuffled: ``[{"q": id, "o": [ids]}, …]``."""
    rng = rng or random.SystemRandom()
    ids = sorted(questions)
    picked = rng.sample(ids, min(count, len(ids)))
    draw = []
    for qid in picked:
        options = list(questions[qid])
        rng.shuffle(options)
        draw.append({"q": qid, "o": options})
    return draw


def question_problem(kind: str, options: list[tuple[str, bool]]) -> str | None:
    """What is wrong with a question's options, as a code, or None: every question needs two
    options or more with text; single choice exactly one correct; true/false exactly two options
    and one correct; multiple choice at least one correct."""
    if len(options) < 2 or any(not text.strip() for text, _c in options):
        return "too_few_options"
    correct = sum(1 for _t, c in options if c)
    if kind == "true_false" and len(options) != 2:
        return "true_false_two"
    if kind in ("single", "true_false") and correct != 1:
        return "one_correct"
    if kind == "multiple" and correct < 1:
        return "some_correct"
    return None
