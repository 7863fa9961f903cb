"""Demo appraisals (PRF-1..PRF-3) for ``seed_demo``: last month's cycle opened the way the
month-end job opens it, with some evaluations under way, so the cycle review, the team list and
"my appraisal" show realistic data.

What it does (after attendance and complaints, which the automatic indicators read):
1. the PRF-1 default indicators (``indicator_defaults_install`` of the setup services; a small
   standard set when that service is not there);
2. an active template for each post of the seeded employees that has none (weights sum to 100):
   agents — call metrics, attendance, attitude, teamwork, complaint satisfaction; QA and
   staff posts — attendance and the people-scored indicators. The company leader's post (VP) gets
   none, so the review shows HR a "without template" gap to fix;
3. last month's call-center metrics for every agent, one row per working day (one import, bulk);
4. ``appraisal_cycle_open`` for last month (idempotent: an ``--append`` run adds the newcomers);
5. through the evaluation services, for a bounded sample (the demo supervisor's team first):
   self-evaluations submitted, some evaluated by the superior, a few interviews held.

Bulk rows (metrics) have no audit event; the cycle, the evaluations and the interviews are
audited by their services. Skipped when ``--months 0`` asks for the org only.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.utils import timezone

from callcenter.demo import register_demo_seeder
from callcenter.models import Employee, EmploymentStatus, Position, User
from callcenter.roles import Role
from performance.models import (
    AgentDailyMetric,
    Appraisal,
    AppraisalStatus,
    AppraisalTemplate,
    Indicator,
    MetricImport,
    TemplateIndicator,
)
from performance.scoring import month_last_day

AGENT_POSTS = ("AGENT", "SENIOR_AGENT")
NO_TEMPLATE_POSTS = ("VP",)
AGENT_WEIGHTS = [
    ("calls_answered", 20),
    ("resolution_rate", 15),
    ("qa_accuracy", 15),
    ("attendance", 10),
    ("responsibility", 10),
    ("initiative", 5),
    ("cooperation", 10),
    ("complaint_satisfaction", 15),
]
STAFF_WEIGHTS = [
    ("attendance", 20),
    ("responsibility", 25),
    ("initiative", 20),
    ("cooperation", 20),
    ("participation", 15),
]
# Used only when the setup services' defaults installer is missing.
FALLBACK_INDICATORS = [
    ("calls_answered", "接听量", "Calls answered", "results", "automatic", "calls_answered", Decimal("1500")),
    ("resolution_rate", "问题解决率", "Resolution rate", "results", "automatic", "resolution_rate", Decimal("90")),
    ("qa_accuracy", "业务准确率", "Business accuracy", "results", "automatic", "qa_accuracy", Decimal("98")),
    ("attendance", "出勤", "Attendance", "attitude", "automatic", "attendance", None),
    ("initiative", "工作主动性", "Initiative", "attitude", "manual", "", None),
    ("responsibility", "责任心", "Responsibility", "attitude", "manual", "", None),
    ("cooperation", "团队协作", "Cooperation", "teamwork", "manual", "", None),
    ("participation", "团队活动参与", "Participation", "teamwork", "manual", "", None),
    (
        "complaint_satisfaction",
        "客户满意度",
        "Customer satisfaction",
        "satisfaction",
        "automatic",
        "complaint_satisfaction",
        None,
    ),
]
SAMPLE = 40
COMMENTS = ["按要求完成本月工作", "接听质量稳定，需加强业务知识", "积极配合团队排班", "本月有改进空间"]


def _indicators() -> dict[str, Indicator]:
    from performance import services

    install = getattr(services, "indicator_defaults_install", None)
    if install is not None:
        install(actor=None)
    else:
        for code, name, name_en, group, method, source, target in FALLBACK_INDICATORS:
            Indicator.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "group": group,
                    "method": method,
                    "auto_source": source,
                    "target": target,
                },
            )
    return {i.code: i for i in Indicator.objects.filter(active=True)}


def _templates(positions: list[Position], indicators: dict[str, Indicator]) -> int:
    having = set(AppraisalTemplate.objects.filter(active=True).values_list("position_id", flat=True))
    created = 0
    for position in positions:
        if position.pk in having or position.code in NO_TEMPLATE_POSTS:
            continue
        weights = AGENT_WEIGHTS if position.code in AGENT_POSTS else STAFF_WEIGHTS
        pairs = [(indicators[code], weight) for code, weight in weights if code in indicators]
        if sum(w for _i, w in pairs) != 100:
            continue
        template = AppraisalTemplate.objects.create(position=position, name=f"{position.name}月度考核")
        TemplateIndicator.objects.bulk_create(
            TemplateIndicator(template=template, indicator=indicator, weight=Decimal(weight), order=n)
            for n, (indicator, weight) in enumerate(pairs)
        )
        created += 1
    return created


def _metrics(rng: random.Random, agents: list[Employee], month: datetime.date) -> int:
    last = month_last_day(month)
    days = [month + datetime.timedelta(days=i) for i in range((last - month).days + 1)]
    workdays = [d for d in days if d.weekday() < 5]
    importer = (
        User.objects.filter(is_active=True, groups__name=Role.HR).order_by("pk").first()
        or User.objects.filter(is_active=True).order_by("pk").first()
    )
    if importer is None or not agents or not workdays:
        return 0
    taken = set(
        AgentDailyMetric.objects.filter(employee__in=agents, day__range=(month, last)).values_list("employee_id", "day")
    )
    batch = MetricImport.objects.create(
        source="api", filename="demo", imported_by=importer, date_from=workdays[0], date_to=workdays[-1]
    )
    rows = []
    for agent in agents:
        skill = rng.uniform(0.75, 1.1)  # some agents above target, some below
        for day in workdays:
            if day < agent.hire_date or (agent.pk, day) in taken:
                continue
            answered = max(20, int(rng.gauss(72, 10) * skill))
            rows.append(
                AgentDailyMetric(
                    employee=agent,
                    day=day,
                    calls_answered=answered,
                    calls_resolved=min(answered, int(answered * rng.uniform(0.78, 0.96))),
                    avg_handle_seconds=int(rng.gauss(290, 35)),
                    qa_accuracy=Decimal(str(round(min(100, rng.gauss(96.5, 1.8)), 2))),
                    source_import=batch,
                )
            )
    AgentDailyMetric.objects.bulk_create(rows, batch_size=5000)
    from performance.services import metric_call_volumes_rebuild

    metric_call_volumes_rebuild(date_from=month, date_to=last)  # written directly: keep the roll-up
    batch.rows = batch.created = len(rows)
    batch.save(update_fields=["rows", "created"])
    return len(rows)


def _scores(appraisal: Appraisal, rng: random.Random, base: float) -> dict:
    return {
        item.pk: {
            "score": str(round(max(0, min(item.scale_max, item.scale_max * rng.gauss(base, 0.08))))),
            "comment": rng.choice(COMMENTS),
        }
        for item in appraisal.items.all()
        if item.method == "manual"
    }


def _evaluate(rng: random.Random, cycle) -> dict:
    """Self-evaluations, superiors' evaluations and interviews through the services, for a
    sample: the demo supervisor's team first, then others, at most :data:`SAMPLE`."""
    from performance import services

    appraisals = list(
        Appraisal.objects.filter(
            cycle=cycle,
            status=AppraisalStatus.SELF,
            employee__status=EmploymentStatus.ACTIVE,
            employee__user__is_active=True,
            evaluator__status=EmploymentStatus.ACTIVE,
            evaluator__user__is_active=True,
        )
        .select_related("employee__user", "evaluator__user")
        .prefetch_related("items")
        .order_by("pk")
    )
    demo_first = sorted(
        appraisals,
        key=lambda a: (a.evaluator.user.username != "supervisor" if a.evaluator.user else True, a.pk),
    )
    counts = {"self": 0, "superior": 0, "interview": 0}
    today = timezone.localdate()
    for appraisal in demo_first[:SAMPLE]:
        employee, evaluator = appraisal.employee, appraisal.evaluator
        if employee.user is None or evaluator.user is None or employee.user.username == "agent":
            continue  # the demo agent login fills in their own self-evaluation
        base = rng.uniform(0.72, 0.95)
        services.appraisal_self_save(
            actor=employee.user,
            appraisal=appraisal,
            items=_scores(appraisal, rng, base),
            summary="本月按时完成各项任务，继续提升业务能力。",
            submit=True,
        )
        counts["self"] += 1
        if rng.random() < 0.35:
            continue
        services.appraisal_superior_save(
            actor=evaluator.user,
            appraisal=appraisal,
            items=_scores(appraisal, rng, base + rng.uniform(-0.08, 0.05)),
            summary="整体表现符合岗位要求。",
            submit=True,
        )
        counts["superior"] += 1
        if rng.random() < 0.5:
            continue
        services.appraisal_interview_record(
            actor=evaluator.user,
            appraisal=appraisal,
            held_on=today,
            strengths="服务态度好，团队协作积极。",
            problems="复杂业务的一次解决率有待提高。",
            actions=[
                {
                    "action": "参加复杂业务专项培训",
                    "owner_id": employee.pk,
                    "due_on": (today + datetime.timedelta(days=30)).isoformat(),
                }
            ],
        )
        counts["interview"] += 1
    return counts


@register_demo_seeder(order=60)
def seed_appraisals(rng: random.Random, employees, months: int, stdout) -> dict:
    """Last month's appraisal cycle with some evaluations under way (PRF-1..PRF-3)."""
    if months <= 0 or not employees:
        return {}
    from performance import services

    started = time.perf_counter()
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    indicators = _indicators()
    positions = list(Position.objects.filter(pk__in={e.position_id for e in employees}))
    templates = _templates(positions, indicators)
    agents = [
        e for e in employees if e.status == EmploymentStatus.ACTIVE and e.team_id and e.position.code in AGENT_POSTS
    ]
    metrics = _metrics(rng, agents, month)
    cycle, opened = services.appraisal_cycle_open(month=month, actor=None)
    counts = _evaluate(rng, cycle) if cycle.status != "locked" else {}
    stdout.write(
        f"  appraisals: {month:%Y-%m} cycle, {opened} opened, {metrics} metric days, "
        f"{counts.get('self', 0)} self / {counts.get('superior', 0)} superior / {counts.get('interview', 0)} "
        f"interviews in {time.perf_counter() - started:.1f} s\n"
    )
    return {"appraisal_templates": templates, "metric_days": metrics, "appraisals": opened, **counts}
