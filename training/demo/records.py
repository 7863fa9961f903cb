"""Demo data of training records and mandatory courses (issue 16, TRN-1, TRN-3, SEC-3): the
new-hire induction (mandatory within the policy's days of hire) and SEC-3's yearly data-security
awareness course ``security-awareness`` for everyone, half of the staff having passed it this year;
inductions passed by all but the newest hires; a few external courses entered by HR. Records go
through the one writer (``training_record_write``); the other parts' seeders (sessions, attempts)
add theirs under their own keys, and an online pass of the awareness course by a later seeder
updates the same record (key ``course:<id>:<year>``)."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from callcenter.demo import register_demo_seeder
from callcenter.models import EmploymentStatus
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
from training.services import training_record_write

__all__ = ["AWARENESS_CODE", "INDUCTION_CODE", "seed_records"]

AWARENESS_CODE = "security-awareness"
INDUCTION_CODE = "induction"
_EXTERNAL = ("客户心理学公开课", "普通话水平测试培训", "Excel 数据处理实务")


def _course(code: str, **defaults) -> Course:
    course, _created = Course.objects.get_or_create(code=code, defaults=defaults)
    return course


@register_demo_seeder(order=45)
def seed_records(rng: random.Random, employees, months: int, stdout) -> dict:
    """Mandatory courses, and the records the other seeders do not make (TRN-3)."""
    if months <= 0:
        return {}
    today = timezone.localdate()
    awareness = _course(
        AWARENESS_CODE,
        title="数据安全意识",
        description="SEC-3：每年全员完成的数据安全与个人信息保护意识培训及在线测验。",
        topic_area=TopicArea.SECURITY,
        delivery_mode=DeliveryMode.ONLINE,
        hours=Decimal("1.0"),
        pass_mark=Decimal("80"),
    )
    induction = _course(
        INDUCTION_CODE,
        title="新员工入职培训",
        description="TRN-1：公司制度、服务规范、系统操作与数据安全，入职后限期完成。",
        topic_area=TopicArea.SERVICE,
        delivery_mode=DeliveryMode.INTERNAL,
        hours=Decimal("16.0"),
        induction=True,
    )
    made = 0
    if not MandatoryCourse.objects.filter(course=awareness).exists():
        MandatoryCourse.objects.create(
            course=awareness,
            audience_kind=AudienceKind.EVERYONE,
            deadline_kind=DeadlineKind.YEARLY,
            yearly_month=12,
            yearly_day=31,
            applies_from=datetime.date(today.year - 1, 1, 1),
        )
        made += 1
    if not MandatoryCourse.objects.filter(course=induction).exists():
        MandatoryCourse.objects.create(
            course=induction,
            audience_kind=AudienceKind.NEW_HIRES,
            deadline_kind=DeadlineKind.AFTER_HIRE,
            applies_from=today - datetime.timedelta(days=365),
        )
        made += 1
    active = sorted((e for e in employees if e.status == EmploymentStatus.ACTIVE), key=lambda e: e.employee_no)
    have = set(
        TrainingRecord.objects.filter(employee__in=active, course__in=[awareness, induction]).values_list(
            "employee_id", "course_id"
        )
    )
    records = 0
    start = datetime.date(today.year, 1, 2)
    for i, employee in enumerate(active):
        # SEC-3: half of the staff passed this year's awareness course (the demo agent did not).
        if i % 2 == 0 and (employee.pk, awareness.pk) not in have and employee.user.username != "agent":
            day = start + datetime.timedelta(days=rng.randrange(max(1, (today - start).days)))
            training_record_write(
                actor=None,
                employee_id=employee.pk,
                course=awareness,
                source=RecordSource.ONLINE,
                source_key=f"course:{awareness.pk}:{today.year}",
                completed_on=min(max(day, employee.hire_date), today),
                hours=awareness.hours,
                result=RecordResult.PASSED,
                score=Decimal(rng.randrange(80, 101)),
                pass_mark=awareness.pass_mark,
                attempts=rng.choice((1, 1, 2)),
            )
            records += 1
        # TRN-1: hires of the last year passed the induction, except the newest (still due).
        age = (today - employee.hire_date).days
        if 45 <= age <= 365 and (employee.pk, induction.pk) not in have:
            training_record_write(
                actor=None,
                employee_id=employee.pk,
                course=induction,
                source=RecordSource.SESSION,
                source_key=f"induction:{employee.pk}",
                completed_on=employee.hire_date + datetime.timedelta(days=rng.randrange(5, 25)),
                hours=induction.hours,
                result=RecordResult.PASSED,
                score=Decimal(rng.randrange(70, 99)),
                pass_mark=induction.pass_mark,
                attempts=1,
            )
            records += 1
    # A few external courses entered by HR (TRN-3), one of them the demo agent's.
    external = [e for e in active if e.user.username == "agent"] + active[1::17][:4]
    for n, employee in enumerate(external):
        title = _EXTERNAL[n % len(_EXTERNAL)]
        course = _course(
            f"ext-{n % len(_EXTERNAL) + 1}",
            title=title,
            topic_area=TopicArea.COMMUNICATION if n % 2 else TopicArea.SYSTEMS,
            delivery_mode=DeliveryMode.EXTERNAL,
            hours=Decimal("6.0"),
            provider="外部培训机构",
        )
        day = today - datetime.timedelta(days=20 + 11 * n)
        if TrainingRecord.objects.filter(employee=employee, source_key=f"external:{course.pk}:{day:%Y%m%d}").exists():
            continue
        training_record_write(
            actor=None,
            employee_id=employee.pk,
            course=course,
            source=RecordSource.EXTERNAL,
            source_key=f"external:{course.pk}:{day:%Y%m%d}",
            completed_on=max(day, employee.hire_date),
            hours=course.hours,
            result=RecordResult.PASSED,
            score=Decimal(rng.randrange(75, 96)),
            pass_mark=course.pass_mark,
            attempts=1,
        )
        records += 1
    return {"training_records": records, "mandatory_courses": made}
