"""Demo training plan (TRN-1) for ``seed_demo``: this year's plan, drawn up by the demo HR login
through the services, with items across the four quarters (each topic area, several audiences,
hours and budget, the need each answers), put in force, then adjusted once during the year with
its reason (the history page shows what the adjustment replaced). Items plan an existing course of
their topic area when the courses' seeder made one, else a course not created yet. Skipped when
``--months 0`` asks for the org only."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from callcenter.demo import register_demo_seeder
from callcenter.models import Team, User
from training import services
from training.models import Course, TrainingPlan

# title, month (None: the quarter only), quarter, topic area, delivery, hours, budget, need source,
# need, indicator code, audience kind
ITEMS = [
    (
        "新员工入职培训",
        1,
        1,
        "business",
        "internal",
        "16",
        "0",
        "new_hires",
        "新入职员工需在入职30天内完成入职培训。",
        "",
        "new_hires",
    ),
    (
        "业务知识更新：资费调整",
        2,
        1,
        "business",
        "internal",
        "4",
        "1200",
        "policy",
        "一季度资费政策调整，坐席需掌握新规则。",
        "qa_accuracy",
        "everyone",
    ),
    (
        "沟通技巧：情绪安抚",
        None,
        2,
        "communication",
        "external",
        "8",
        "15000",
        "complaints",
        "投诉原因中“坐席语气生硬”居前。",
        "",
        "teams",
    ),
    (
        "服务规范复训",
        5,
        2,
        "service",
        "internal",
        "3",
        "0",
        "appraisal",
        "部分班组业务准确率低于目标。",
        "qa_accuracy",
        "teams",
    ),
    ("工单系统新版本操作", 8, 3, "systems", "online", "2", "0", "other", "工单系统三季度升级。", "", "everyone"),
    (
        "问题解决能力提升",
        None,
        3,
        "communication",
        "internal",
        "6",
        "3000",
        "appraisal",
        "问题解决率连续两月低于目标。",
        "resolution_rate",
        "positions",
    ),
    (
        "数据安全意识年度培训",
        10,
        4,
        "security",
        "online",
        "1",
        "0",
        "policy",
        "SEC-3：每年全员完成数据安全意识培训。",
        "",
        "everyone",
    ),
    (
        "年度服务之星经验分享",
        12,
        4,
        "service",
        "internal",
        "2",
        "2000",
        "other",
        "年终总结与优秀经验分享。",
        "",
        "everyone",
    ),
]


@register_demo_seeder(order=80)
def seed_training_plan(rng: random.Random, employees, months: int, stdout) -> dict | None:
    if months == 0:
        return None
    hr = User.objects.filter(username="hr").first()
    if hr is None:
        return None
    year = timezone.localdate().year
    if TrainingPlan.objects.filter(year=year).exists():
        return None
    plan = services.plan_create(actor=hr, year=year, title=f"{year}年度培训计划")
    courses = {}
    for course in Course.objects.filter(active=True).order_by("code"):
        courses.setdefault(course.topic_area, course)
    teams = list(Team.objects.order_by("code").values_list("pk", flat=True)[:2])
    positions = sorted({e.position_id for e in employees if e.position_id})[:1]
    items = []
    for title, month, quarter, topic, mode, hours, budget, source, need, indicator, audience in ITEMS:
        course = courses.get(topic)
        items.append(
            services.plan_item_add(
                actor=hr,
                plan_id=plan.pk,
                title=title,
                month=month,
                quarter=quarter,
                topic_area=topic,
                delivery_mode=mode,
                planned_hours=Decimal(hours),
                budget=Decimal(budget),
                need=need,
                need_source=source,
                course_id=course.pk if course else None,
                indicator_code=indicator,
                audience_kind=audience
                if (audience != "teams" or teams) and (audience != "positions" or positions)
                else "everyone",
                audience_team_ids=teams,
                audience_position_ids=positions,
            )
        )
    services.plan_publish(actor=hr, plan_id=plan.pk)
    # One adjustment during the year, with its reason: the communication course grows and moves up.
    moved = items[2]
    services.plan_item_change(
        actor=hr,
        plan_id=plan.pk,
        lineage=moved.lineage,
        reason="一季度投诉中服务态度类占比上升，沟通技巧培训提前至4月并增加课时。",
        title=moved.title,
        month=4,
        quarter=2,
        topic_area=moved.topic_area,
        delivery_mode=moved.delivery_mode,
        planned_hours=Decimal("12"),
        budget=Decimal("18000"),
        need=moved.need,
        need_source=moved.need_source,
        course_id=moved.course_id,
        indicator_code="",
        audience_kind="teams" if teams else "everyone",
        audience_team_ids=teams,
    )
    stdout.write(f"  training plan {year}: {len(items)} items, 2 versions\n")
    return {"training_plan_items": len(items), "training_plan_versions": 2}
