"""Demo courses and sessions (TRN-2) for ``seed_demo``: a dozen courses across the topic areas
(the new-hire induction and SEC-3's online awareness course ``security-awareness`` among them),
past sessions with attendance, scores and training records for a few hundred employees, and
upcoming sessions with enrolments (their roster clash and the "in training" time on the board).

Past sessions cannot be enrolled in through the services (enrolment closes at the start), so their
enrolments are written here in bulk; their attendance and scores become records through the one
writer, ``training_record_write``. Upcoming ones go through ``enrolment_create`` (HR), so the
clash and the off-phone activity are the real ones.
"""

from __future__ import annotations

import datetime
import random
import time
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import timezone

from callcenter.demo import register_demo_seeder
from callcenter.errors import ApplicationError
from callcenter.models import Employee, EmploymentStatus, User
from callcenter.roles import Role
from training import services
from training.models import (
    Course,
    DeliveryMode,
    Enrolment,
    RecordSource,
    SatisfactionResponse,
    SessionStatus,
    TopicArea,
    TrainingSession,
)

__all__ = ["COURSES", "seed_sessions"]

# code, title, topic area, delivery mode, hours, provider, open for self-enrolment, induction
COURSES = [
    ("induction", "新员工入职培训", TopicArea.SERVICE, DeliveryMode.INTERNAL, "8", "", False, True),
    ("security-awareness", "数据安全意识", TopicArea.SECURITY, DeliveryMode.ONLINE, "1", "", True, False),
    ("product-basics", "产品与业务知识", TopicArea.BUSINESS, DeliveryMode.INTERNAL, "4", "", True, False),
    ("billing-rules", "计费规则与常见问题", TopicArea.BUSINESS, DeliveryMode.INTERNAL, "2", "", True, False),
    ("listening", "倾听与共情", TopicArea.COMMUNICATION, DeliveryMode.INTERNAL, "3", "", True, False),
    (
        "difficult-calls",
        "投诉电话处理技巧",
        TopicArea.COMMUNICATION,
        DeliveryMode.EXTERNAL,
        "6",
        "华信培训",
        False,
        False,
    ),
    ("service-norms", "服务规范与用语", TopicArea.SERVICE, DeliveryMode.INTERNAL, "2", "", False, False),
    ("quality-standards", "质检标准解读", TopicArea.SERVICE, DeliveryMode.INTERNAL, "2", "", True, False),
    ("crm-operation", "CRM 系统操作", TopicArea.SYSTEMS, DeliveryMode.INTERNAL, "3", "", True, False),
    ("ticket-system", "工单系统进阶", TopicArea.SYSTEMS, DeliveryMode.ONLINE, "1.5", "", True, False),
    ("privacy-law", "个人信息保护法要点", TopicArea.SECURITY, DeliveryMode.EXTERNAL, "3", "律和咨询", False, False),
    ("phishing", "识别钓鱼与社会工程", TopicArea.SECURITY, DeliveryMode.INTERNAL, "1", "", True, False),
]
PLACES = ["培训室 A", "培训室 B", "三楼会议室"]
COMMENTS = ["内容实用", "案例很好", "时间有点紧", "希望多一些演练", ""]


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _trainers(rng: random.Random, employees) -> list[User]:
    """Users with the trainer role; without any, two employees (not demo logins) become trainers."""
    group, _created = Group.objects.get_or_create(name=Role.TRAINER)
    trainers = list(User.objects.filter(groups=group, is_active=True))
    if trainers:
        return trainers
    logins = {"agent", "supervisor", "manager", "leader", "hr", "complaints", "auditor"}
    candidates = [e for e in employees if e.user_id and e.user.username not in logins]
    for employee in rng.sample(candidates, min(2, len(candidates))):
        employee.user.groups.add(group)
        trainers.append(employee.user)
    return trainers


def _courses(hr) -> dict[str, Course]:
    courses = {}
    for code, title, topic, mode, hours, provider, open_enrolment, induction in COURSES:
        course = Course.objects.filter(code=code).first()
        if course is None:
            course = services.course_create(
                actor=hr,
                code=code,
                title=title,
                topic_area=topic,
                delivery_mode=mode,
                hours=Decimal(hours),
                provider=provider,
                open_enrolment=open_enrolment,
                induction=induction,
                description=f"{title}（TRN-2）",
            )
        courses[code] = course
    return courses


def _moment(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=_tz())


def _workday(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@register_demo_seeder(order=45)
def seed_sessions(rng: random.Random, employees, months: int, stdout) -> dict:
    """Courses, past sessions with records, upcoming sessions with enrolments (TRN-2, TRN-3)."""
    started = time.perf_counter()
    hr = User.objects.filter(username="hr").first() or User.objects.filter(is_superuser=True).first()
    courses = _courses(hr)
    if months <= 0:
        return {"courses": len(courses)}
    people = list(
        Employee.objects.filter(status=EmploymentStatus.ACTIVE).select_related("user").order_by("employee_no")
    )
    trainers = _trainers(rng, people)
    classroom = [c for c in courses.values() if c.delivery_mode != DeliveryMode.ONLINE]
    today = timezone.localdate()
    records = 0
    past_sessions = 0
    # Past sessions: every week over the demo months, 20-30 participants each.
    day = _workday(today - datetime.timedelta(days=30 * months))
    while day < today - datetime.timedelta(days=1):
        course = rng.choice(classroom)
        trainer = rng.choice(trainers) if course.delivery_mode == DeliveryMode.INTERNAL else None
        starts = _moment(day, rng.choice([10, 14]))
        session = TrainingSession.objects.create(
            course=course,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=min(float(course.hours), 4)),
            place=rng.choice(PLACES),
            trainer=trainer,
            provider=course.provider,
            capacity=30,
            status=SessionStatus.HELD,
            created_by=hr,
        )
        past_sessions += 1
        group = rng.sample(people, min(len(people), rng.randint(20, 30)))
        enrolments = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    session=session,
                    employee=e,
                    enrolled_by=hr,
                    enrolled_at=starts - datetime.timedelta(days=7),
                    attendance=rng.choices(["present", "late", "absent"], weights=[85, 8, 7])[0],
                    attendance_marked_by=trainer or hr,
                )
                for e in group
            ]
        )
        for enrolment in enrolments:
            if enrolment.attendance != "absent":
                enrolment.score = Decimal(rng.randint(45, 100))
            result = (
                "absent"
                if enrolment.attendance == "absent"
                else ("passed" if enrolment.score >= course.pass_mark else "failed")
            )
            services.training_record_write(
                actor=trainer or hr,
                employee_id=enrolment.employee_id,
                course=course,
                source=RecordSource.SESSION,
                source_key=f"session:{session.pk}",
                completed_on=starts.astimezone(_tz()).date(),
                hours=course.hours if result != "absent" else Decimal("0"),
                result=result,
                score=enrolment.score,
                pass_mark=course.pass_mark,
                attempts=1 if enrolment.score is not None else 0,
                session=session,
            )
            records += 1
        Enrolment.objects.bulk_update(enrolments, ["score"])
        SatisfactionResponse.objects.bulk_create(
            [
                SatisfactionResponse(
                    enrolment=e,
                    rating=rng.choices([2, 3, 4, 5], weights=[5, 20, 45, 30])[0],
                    comment=rng.choice(COMMENTS),
                    answered_at=starts + datetime.timedelta(hours=5),
                )
                for e in enrolments
                if e.attendance != "absent" and rng.random() < 0.6
            ]
        )
        day = _workday(day + datetime.timedelta(days=7))
    # Upcoming sessions, enrolled through the services (roster clash, "in training" on the board).
    upcoming = 0
    enrolled = 0
    for weeks, code in ((0, "service-norms"), (1, "crm-operation"), (2, "listening"), (3, "induction")):
        course = courses[code]
        start_day = _workday(today + datetime.timedelta(days=1 + 7 * weeks))
        starts = _moment(start_day, 14)
        session = services.session_create(
            actor=hr,
            course_id=course.pk,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=2),
            capacity=20,
            place=PLACES[weeks % len(PLACES)],
            trainer_id=trainers[weeks % len(trainers)].pk if trainers else None,
            provider="" if trainers else "外部机构",
        )
        upcoming += 1
        group = [e.pk for e in rng.sample(people, min(len(people), 12))]
        try:
            enrolled += len(services.enrolment_create(actor=hr, session_id=session.pk, employee_ids=group))
        except ApplicationError:
            continue
    stdout.write(
        f"  training: {len(courses)} courses, {past_sessions} past sessions ({records} records), "
        f"{upcoming} upcoming ({enrolled} enrolled) in {time.perf_counter() - started:.1f}s\n"
    )
    return {"courses": len(courses), "sessions": past_sessions + upcoming, "training_records": records}
