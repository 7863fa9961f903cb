"""``manage.py bench training_study``: the online assessment at scale (TRN-2).

The issue's bar: with 5,000 employees and 300 courses, submitting a 20-question attempt has
p95 ≤ 100 ms.

Data (created once, reused by later runs; marked by the code prefix ``bench-study-``):

- courses up to 300 in all: online courses of 20 questions per attempt, each with a bank of 25
  questions (single, multiple and true/false, 3–4 options), written with ``bulk_create``;
- one submitted attempt (20 answers) per active employee on the first bench course, so the
  attempt and answer tables hold 5,000 attempts and 100,000 answers.

Measured inside a transaction that is rolled back (repeated runs change nothing but append-only
audit events... which are rolled back too): the start of an attempt (a random draw of 20 of 25
questions, untimed setup in the submit row) and its submission with 20 answers (lock, 20 answers
saved, scoring, the attempt closed, the training record written through ``training_record_write``,
the material completed, two audit events); and the attempt page of an open attempt.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.bench import BenchContext, BenchRow, percentile_row, register_bench_suite, timed
from callcenter.models import Employee, EmploymentStatus
from training import services
from training.models import (
    AttemptAnswer,
    AttemptStatus,
    Course,
    DeliveryMode,
    Question,
    QuestionOption,
    StudyAttempt,
    TopicArea,
)
from training.rules import answer_correct, draw_questions, score_passes, score_percent

__all__ = [
    "BAR_P95_MS",
    "BAR_QUERIES",
    "BENCH_PREFIX",
    "COURSES",
    "QUESTIONS_PER_ATTEMPT",
    "ensure_study_data",
    "suite",
]

BENCH_PREFIX = "bench-study-"
COURSES = 300
QUESTIONS_PER_ATTEMPT = 20
BANK = 25
BAR_P95_MS = 100.0
BAR_QUERIES = 25  # the submission is a constant number of queries (tested)
MIN_REPEAT = 30
SEED = 2026


def ensure_study_data(stdout=None) -> Course:
    """The bench courses and banks, and the first course's past attempts; returns that course."""
    rng = random.Random(SEED)  # noqa: S311 - benchmark data, not secrets
    missing = COURSES - Course.objects.count()
    if missing > 0:
        start = Course.objects.filter(code__startswith=BENCH_PREFIX).count()
        Course.objects.bulk_create(
            [
                Course(
                    code=f"{BENCH_PREFIX}{start + i:03d}",
                    title=f"自学课程 {start + i:03d}",
                    topic_area=rng.choice(TopicArea.values),
                    delivery_mode=DeliveryMode.ONLINE,
                    hours=Decimal("1.0"),
                    pass_mark=Decimal("60"),
                    max_attempts=3,
                    time_limit_minutes=30,
                    question_count=QUESTIONS_PER_ATTEMPT,
                )
                for i in range(missing)
            ]
        )
    courses = list(Course.objects.filter(code__startswith=BENCH_PREFIX).order_by("code"))
    without = [c for c in courses if not Question.objects.filter(course=c).exists()]
    kinds = ["single", "multiple", "true_false"]
    questions = []
    for course in without:
        questions += [
            Question(course=course, kind=kinds[i % 3], text=f"{course.code} 问题 {i + 1}", explanation="解析")
            for i in range(BANK)
        ]
    Question.objects.bulk_create(questions, batch_size=2000)
    options = []
    for question in questions:
        count = 2 if question.kind == "true_false" else 4
        correct = {0, 2} if question.kind == "multiple" else {1 if question.kind == "true_false" else 0}
        options += [
            QuestionOption(question=question, text=f"选项 {i + 1}", correct=i in correct, position=i + 1)
            for i in range(count)
        ]
    QuestionOption.objects.bulk_create(options, batch_size=5000)
    first = courses[0]
    if not StudyAttempt.objects.filter(course=first).exists():
        _past_attempts(first, rng)
    if stdout:
        stdout.write(f"  self-study data: {len(courses)} bench courses, {len(without)} banks created\n")
    return first


def _bank(course) -> tuple[dict, dict, dict]:
    bank, correct = {}, {}
    for qid, oid, right in QuestionOption.objects.filter(question__course=course).values_list(
        "question_id", "pk", "correct"
    ):
        bank.setdefault(qid, []).append(oid)
        if right:
            correct.setdefault(qid, set()).add(oid)
    kinds = dict(Question.objects.filter(course=course).values_list("pk", "kind"))
    return bank, correct, kinds


def _past_attempts(course, rng) -> None:
    bank, correct, kinds = _bank(course)
    employees = list(Employee.objects.filter(status=EmploymentStatus.ACTIVE).values_list("pk", flat=True))
    now = timezone.now()
    attempts, chosen = [], []
    for employee_id in employees:
        draw = draw_questions(bank, QUESTIONS_PER_ATTEMPT, rng)
        picks = {
            item["q"]: sorted(correct[item["q"]]) if rng.random() < 0.8 else [rng.choice(item["o"])] for item in draw
        }
        right = sum(answer_correct(kinds[q], c, correct[q]) for q, c in picks.items())
        score = score_percent(right, len(draw))
        begun = now - datetime.timedelta(days=rng.randint(1, 300))
        attempts.append(
            StudyAttempt(
                course=course,
                employee_id=employee_id,
                year=timezone.localtime(begun).year,
                number=1,
                max_attempts=course.max_attempts,
                status=AttemptStatus.SUBMITTED,
                draw=draw,
                started_at=begun,
                deadline=begun + datetime.timedelta(minutes=30),
                submitted_at=begun + datetime.timedelta(minutes=12),
                score=score,
                pass_mark=course.pass_mark,
                passed=score_passes(score, course.pass_mark),
            )
        )
        chosen.append(picks)
    StudyAttempt.objects.bulk_create(attempts, batch_size=2000)
    rows = [
        AttemptAnswer(attempt=a, question_id=q, chosen=c, correct=answer_correct(kinds[q], c, correct[q]))
        for a, picks in zip(attempts, chosen, strict=True)
        for q, c in picks.items()
    ]
    AttemptAnswer.objects.bulk_create(rows, batch_size=5000)


@register_bench_suite("training_study")
def suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    first = ensure_study_data(ctx.stdout)
    course = Course.objects.filter(code__startswith=BENCH_PREFIX).order_by("code")[1]  # no past attempts
    _bank_ids, correct, _kinds = _bank(course)
    repeat = max(MIN_REPEAT, ctx.repeat)
    learners = list(
        Employee.objects.filter(status=EmploymentStatus.ACTIVE, user__isnull=False)
        .select_related("user")
        .order_by("pk")[: 2 * repeat + 4]
    )
    rows.append(
        BenchRow(
            "data",
            f"{Course.objects.count():,} courses, {Question.objects.count():,} questions, "
            f"{StudyAttempt.objects.count():,} attempts, {AttemptAnswer.objects.count():,} answers",
            0,
            None,
            note=f"past attempts on {first.code}; measured on {course.code}",
        )
    )
    starters = iter(learners[: repeat + 1])
    with transaction.atomic():
        timings, queries, attempt = timed(
            lambda e: services.study_attempt_start(actor=e.user, course_id=course.pk),
            repeat=repeat,
            setup=lambda: next(starters),
        )
        transaction.set_rollback(True)
    rows.append(
        percentile_row(
            "study_attempt_start (rolled back)",
            f"{len(attempt.draw)} questions drawn of {BANK}",
            timings,
            queries,
            note="lock, visibility, draw, insert, audit event",
        )
    )
    submitters = iter(learners[repeat + 1 :])

    def prepare():
        employee = next(submitters)
        attempt = services.study_attempt_start(actor=employee.user, course_id=course.pk)
        answers = {item["q"]: sorted(correct[item["q"]]) for item in attempt.draw}
        return employee.user, attempt.pk, answers

    with transaction.atomic():
        timings, queries, attempt = timed(
            lambda arg: services.study_attempt_submit(actor=arg[0], attempt_id=arg[1], answers=arg[2]),
            repeat=repeat,
            setup=prepare,
        )
        transaction.set_rollback(True)
    rows.append(
        percentile_row(
            f"study_attempt_submit, {QUESTIONS_PER_ATTEMPT} answers (rolled back)",
            f"score {attempt.score}, {'passed' if attempt.passed else 'failed'}",
            timings,
            queries,
            note="lock, answers saved, scoring, record written, material completed, audit events",
            bar=(BAR_P95_MS, BAR_QUERIES),
        )
    )
    with transaction.atomic():
        employee = learners[0]
        attempt = services.study_attempt_start(actor=employee.user, course_id=course.pk)
        client = Client()
        client.force_login(employee.user)
        url = reverse("training:study_attempt", args=[attempt.pk])

        def page(_):
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            return response

        timings, queries, response = timed(page, repeat=repeat)
        transaction.set_rollback(True)
    rows.append(
        percentile_row(
            f"attempt page GET (open, {QUESTIONS_PER_ATTEMPT} questions)",
            f"HTTP {response.status_code}, {len(response.content) / 1024:,.0f} KiB",
            timings,
            queries,
        )
    )
    return rows
