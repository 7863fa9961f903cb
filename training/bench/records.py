"""``manage.py bench training``: training records and compliance at scale (issue 16, TRN-3).

The bar: at 5,000 employees, 300 courses and 150,000 training records, *an agent's record page
and HR's compliance report: p95 ≤ 150 ms with a bounded number of queries whatever the volume;
the reminder job for all 5,000 employees ≤ 30 s*.

The data (created by the first run, reused by the next ones): 300 bench courses (codes ``bn-…``)
and 150,000 records (keys ``bench:…``, 30 per active employee at 5,000, as many per head on a
smaller database) over the last three years, 85 % passed with a certificate number, inserted with
``bulk_create``; one yearly mandatory bench course for everyone whose deadline is three days ahead,
passed by 60 % this year (so 40 % are due and get the "before" reminder). Then ``ANALYZE``.

Pages are measured through the test client as the demo ``agent`` and ``hr`` logins (middleware,
view, template: the whole response), one warm-up then at least 20 timed runs. The reminder job runs
once in a transaction rolled back afterwards (the e-mails are the worker's job, queued after
commit: none are), so it can be measured again.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.bench import BenchContext, BenchRow, once, percentile_row, register_bench_suite, timed
from callcenter.models import Employee, EmploymentStatus, Notification
from training.models import (
    AudienceKind,
    Course,
    DeadlineKind,
    DeliveryMode,
    MandatoryCourse,
    RecordResult,
    RecordSource,
    TopicArea,
    TrainingRecord,
)
from training.services import training_reminders_send

COURSES = 300
RECORDS = 150_000
PER_EMPLOYEES = 5000
BAR = (150.0, 30)  # p95 ms, queries
REMINDER_BAR_S = 30.0
MIN_REPEAT = 20
BATCH = 5000
SEED = 1616
AWARENESS = "bn-awareness"


def _courses() -> list[Course]:
    existing = {c.code: c for c in Course.objects.filter(code__startswith="bn-")}
    topics = list(TopicArea.values)
    modes = list(DeliveryMode.values)
    new = [
        Course(
            code=f"bn-{n:03d}",
            title=f"[bench] 课程 {n:03d}",
            topic_area=topics[n % len(topics)],
            delivery_mode=modes[n % len(modes)],
            hours=Decimal(1 + n % 8),
        )
        for n in range(COURSES)
        if f"bn-{n:03d}" not in existing
    ]
    Course.objects.bulk_create(new)
    return list(Course.objects.filter(code__startswith="bn-", code__regex=r"^bn-[0-9]{3}$").order_by("code"))


def _awareness(today: datetime.date) -> MandatoryCourse:
    course, _created = Course.objects.get_or_create(
        code=AWARENESS,
        defaults={
            "title": "[bench] 数据安全意识培训",
            "topic_area": TopicArea.SECURITY,
            "delivery_mode": DeliveryMode.ONLINE,
            "hours": Decimal("1.0"),
        },
    )
    deadline = today + datetime.timedelta(days=3)
    mandatory = MandatoryCourse.objects.filter(course=course).first()
    if mandatory is None:
        mandatory = MandatoryCourse.objects.create(
            course=course,
            audience_kind=AudienceKind.EVERYONE,
            deadline_kind=DeadlineKind.YEARLY,
            yearly_month=deadline.month,
            yearly_day=deadline.day,
            applies_from=datetime.date(2000, 1, 1),
        )
    else:  # a later run: keep the deadline three days ahead
        MandatoryCourse.objects.filter(pk=mandatory.pk).update(yearly_month=deadline.month, yearly_day=deadline.day)
    return mandatory


def ensure_training_data(ctx: BenchContext) -> str:
    """Insert the missing bench courses and records (idempotent: a rerun reuses them)."""
    today = timezone.localdate()
    courses = _courses()
    mandatory = _awareness(today)
    total = RECORDS * min(ctx.employees, PER_EMPLOYEES) // PER_EMPLOYEES
    existing = TrainingRecord.objects.filter(source_key__startswith="bench:").count()
    if existing >= total:
        return f"{existing:,} bench records reused"
    started = time.perf_counter()
    people = list(
        Employee.objects.filter(status=EmploymentStatus.ACTIVE).order_by("employee_no").values_list("pk", "hire_date")
    )
    rng = random.Random(SEED + existing)  # noqa: S311 - reproducible bench data, not secrets
    rows = []
    year_start = datetime.date(today.year, 1, 1)
    for n in range(existing, total):
        employee_id, hire = people[n % len(people)]
        course = courses[rng.randrange(len(courses))]
        first = max(hire, today - datetime.timedelta(days=3 * 365))
        day = first + datetime.timedelta(days=rng.randrange(max(1, (today - first).days)))
        passed = rng.random() < 0.85
        score = Decimal(rng.randrange(60, 101) if passed else rng.randrange(20, 60))
        rows.append(
            TrainingRecord(
                employee_id=employee_id,
                course=course,
                source=RecordSource.SESSION,
                source_key=f"bench:{n}",
                completed_on=day,
                hours=course.hours,
                score=score,
                pass_mark=Decimal("60"),
                result=RecordResult.PASSED if passed else RecordResult.FAILED,
                attempts=1,
                certificate_no=f"BN-{n:08d}" if passed else None,
            )
        )
    # 60 % passed this year's mandatory bench course.
    for i, (employee_id, hire) in enumerate(people):
        if i % 5 < 3:
            rows.append(
                TrainingRecord(
                    employee_id=employee_id,
                    course=mandatory.course,
                    source=RecordSource.ONLINE,
                    source_key=f"bench-awareness:{today.year}",
                    completed_on=max(hire, year_start),
                    hours=Decimal("1.0"),
                    score=Decimal("90"),
                    pass_mark=Decimal("80"),
                    result=RecordResult.PASSED,
                    attempts=1,
                    certificate_no=f"BNA-{today.year}-{employee_id:07d}",
                )
            )
    with transaction.atomic():
        TrainingRecord.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE training_trainingrecord")
        cursor.execute("ANALYZE training_course")
    return f"{len(rows):,} records inserted in {time.perf_counter() - started:,.1f} s"


def _page(client: Client, url: str):
    def run(_arg):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return len(response.content)

    return run


@register_bench_suite("training")
def suite(ctx: BenchContext) -> list[BenchRow]:
    rows: list[BenchRow] = []
    repeat = max(MIN_REPEAT, ctx.repeat)
    note = ensure_training_data(ctx)
    if ctx.stdout is not None:
        ctx.stdout.write(f"- training data: {note}")
    rows.append(
        BenchRow(
            "data",
            f"{Course.objects.count():,} courses, {TrainingRecord.objects.count():,} training records, "
            f"{Employee.objects.filter(status=EmploymentStatus.ACTIVE).count():,} active employees",
            0,
            None,
            note,
        )
    )
    agent, hr = ctx.users.get("agent"), ctx.users.get("hr")
    if agent is not None:
        client = Client()
        client.force_login(agent)
        mine = TrainingRecord.objects.filter(employee__user=agent).count()
        for label, url in (
            ("my training page (agent)", reverse("training:my_training")),
            ("records list page (agent, own)", reverse("training:records")),
        ):
            timings, queries, size = timed(_page(client, url), repeat=repeat)
            rows.append(percentile_row(label, f"{mine} own records, {size:,} bytes", timings, queries, bar=BAR))
    if hr is not None:
        client = Client()
        client.force_login(hr)
        timings, queries, size = timed(_page(client, reverse("training:compliance")), repeat=repeat)
        rows.append(
            percentile_row("compliance report page 1 (HR, 50 teams)", f"{size:,} bytes", timings, queries, bar=BAR)
        )
        timings, queries, size = timed(_page(client, reverse("training:records")), repeat=repeat)
        rows.append(percentile_row("records list page 1 (HR, everyone)", f"{size:,} bytes", timings, queries))

    # The daily reminder job for everyone, rolled back (nothing queued, measurable again).
    today = timezone.localdate()

    def remind_rolled_back():
        with transaction.atomic():
            result = training_reminders_send(today=today)
            notices = Notification.objects.filter(kind__startswith="training.reminder").count()
            transaction.set_rollback(True)
        return result, notices

    ms, queries, (result, notices) = once(remind_rolled_back)
    ok = ms / 1000 <= REMINDER_BAR_S
    rows.append(
        BenchRow(
            "training_reminders_send (everyone; rolled back)",
            f"{result['reminders']:,} reminders to {result['learners']:,} learners, {notices:,} notifications",
            ms,
            queries,
            f"bar ≤ {REMINDER_BAR_S:.0f} s: {'met' if ok else 'NOT MET'}",
        )
    )
    return rows
