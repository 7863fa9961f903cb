"""Demo complaints (CMP-1..CMP-4) for ``seed_demo``: about forty complaints over the last three
months, recorded and handled through the services, so the queue, the timelines, the audit trail
and the statistics page have something real to show.

What the demo logins find:
- ``complaints`` (the complaint handler): a queue with one urgent complaint received minutes ago,
  a few overdue ones (escalated by the SLA job run at the end), complaints being investigated,
  resolved ones waiting for the follow-up visit, and one reopened after an unsatisfied visit;
- ``leader``: one complaint they closed with a reason (CMP-3), the statistics page;
- ``manager`` / ``supervisor``: the complaints concerning their department / team.

The services stamp "now" on every step; so that the statistics show plausible response and
resolution times, the seeder then moves the complaint's step times (first response, resolution,
closing, follow-up visit) back to shortly after the complaint was received. The timeline entries
are append-only and keep the time they were written. The notifications of each complaint are dated
when it was received, and those of closed complaints are read. The cause (free text, CMP-4) is given
when the complaint is resolved (the service requires it); open complaints get theirs written directly.
Skipped when ``--months 0`` asks for the org only.
"""

from __future__ import annotations

import datetime
import random
import time

from django.utils import timezone

from callcenter.demo import register_demo_seeder
from callcenter.models import Employee, EmploymentStatus, Notification, User
from callcenter.roles import Role
from complaints import services
from complaints.models import Complaint, ComplaintCategory, ComplaintStatus, EventKind, FollowUp

COMPLAINTS = 40
H = datetime.timedelta(hours=1)
CAUSES = {
    "attitude": ["坐席语气生硬", "通话中打断客户", "未道歉"],
    "accuracy": ["业务规则解释错误", "工单信息录入错误", "承诺未兑现"],
    "waiting": ["高峰期排队过长", "回电超时", "转接多次"],
    "billing": ["重复扣费", "套餐资费不清", "退款未到账"],
    "system": ["系统宕机无法办理", "短信验证码收不到"],
    "other": ["其他"],
}
MATTERS = [
    "客户来电反映问题未得到解决，要求给出说法。",
    "客户表示多次联系均无人处理，情绪激动。",
    "客户对处理结果不满意，要求主管回电。",
    "客户投诉办理业务时被告知的信息与实际不符。",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"


def _first_user(role: str, preferred: str):
    users = User.objects.filter(is_active=True, groups__name=role).order_by("pk")
    return users.filter(username=preferred).first() or users.first()


def _notifications_back_in_time(after_pk: int, received: datetime.datetime, closed_at) -> None:
    """The notifications one complaint's steps sent, dated when the complaint was received (not
    the day of the seed); a closed complaint's are read by then: the bell holds what still asks
    for action, the list keeps the history (a closed complaint's "first response due by" a
    date long past is no task today)."""
    sent = Notification.objects.filter(pk__gt=after_pk)
    sent.update(created_at=received)
    if closed_at is not None:
        sent.filter(read_at__isnull=True).update(read_at=closed_at)


@register_demo_seeder(order=40)
def seed_complaints(rng: random.Random, employees, months: int, stdout) -> dict:
    """About forty complaints over the last three months, through the services (CMP-1..CMP-3)."""
    if months <= 0:
        return {}
    started = time.perf_counter()
    services.complaint_categories_install()
    handler_user = _first_user(Role.COMPLAINT_HANDLER, "complaints")
    leader_user = _first_user(Role.COMPANY_LEADER, "leader")
    handler = Employee.objects.filter(user=handler_user, status=EmploymentStatus.ACTIVE).first()
    if handler is None or leader_user is None:
        return {}
    agents = [
        e
        for e in employees
        if e.team_id and e.status == EmploymentStatus.ACTIVE and e.position.code in ("AGENT", "SENIOR_AGENT")
    ]
    if not agents:
        return {}
    # The demo supervisor's team first, then a few others of the same departments: the manager's and
    # the supervisor's pages show some, the company-wide statistics show a spread.
    by_team: dict[int, list[Employee]] = {}
    for agent in agents:
        by_team.setdefault(agent.team_id, []).append(agent)
    demo_team = Employee.objects.filter(user__username="agent").values_list("team_id", flat=True).first()
    if demo_team not in by_team:
        demo_team = agents[0].team_id
    team_ids = [demo_team, *[t for t in sorted(by_team) if t != demo_team][:5]]
    categories = list(ComplaintCategory.objects.filter(active=True))
    first_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    now = timezone.now()
    days = min(months * 30, 88)  # complaint_record accepts up to 90 days back
    # A few complaints in set situations, the rest spread over the period and closed.
    specials = [
        (days * 24 * 0.75 * H, "leader_close"),
        (20 * 24 * H, "reopened"),
        (7 * 24 * H, "overdue_investigating"),  # resolution due after 5 days: escalated to level 2
        (5 * 24 * H, "resolved"),
        (50 * H, "overdue_new"),  # first response due after 24 hours: escalated to level 1
        (30 * H, "overdue_new"),
        (3 * 24 * H, "resolved"),
        (60 * H, "investigating"),
        (20 * H, "investigating"),
        (6 * H, "investigating"),
        (3 * H, "new"),
        (datetime.timedelta(minutes=20), "urgent_open"),
    ]
    spread = [(rng.uniform(8, days) * 24 * H, "closed") for _ in range(COMPLAINTS - len(specials))]
    plan = sorted(specials + spread, key=lambda item: item[0], reverse=True)
    counts: dict[str, int] = {}
    for n, (age, stage) in enumerate(plan):
        received = now - age
        notified_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        team_id = team_ids[0] if n % 3 == 0 else rng.choice(team_ids)
        concerned = [rng.choice(by_team[team_id])] if rng.random() < 0.7 else []
        category = rng.choice(categories)
        urgent = stage == "urgent_open" or (stage == "closed" and rng.random() < 0.1)
        recorder = rng.choice(agents).user
        if concerned:  # an agent names only whom they may see: the agent who took the call names themself
            recorder = concerned[0].user
        complaint = services.complaint_record(
            actor=recorder,
            customer_name=rng.choice(SURNAMES) + rng.choice(["先生", "女士"]),
            phone=f"13{rng.randint(5, 9)}{rng.randint(0, 99_999_999):08d}" if n % 5 else "",
            email=f"customer{n}@example.com" if n % 5 == 0 or rng.random() < 0.3 else "",
            matter=rng.choice(MATTERS),
            channel=rng.choices(["phone", "email", "online"], weights=[6, 2, 2])[0],
            received_at=received,
            category_code=category.code,
            urgency="urgent" if urgent else "normal",
            concerned_team_id=team_id,
            concerned_employee_ids=[e.pk for e in concerned],
        )
        times = {"cause": rng.choice(CAUSES.get(category.code, CAUSES["other"]))}
        if stage not in ("new", "urgent_open", "overdue_new"):
            services.complaint_assign(actor=handler_user, complaint_id=complaint.pk, owner_id=handler.pk)
            services.complaint_log(
                actor=handler_user,
                complaint_id=complaint.pk,
                kind=EventKind.CUSTOMER_CONTACT,
                text="已致电客户了解情况。",
                call_reference=f"CALL-{n:05d}",
            )
            answer = (0.5 if urgent else rng.choice([1, 2, 4, 8, 20, 30])) * H
            times["first_responded_at"] = received + answer
        if stage in ("resolved", "closed", "reopened", "leader_close"):
            services.complaint_plan(
                actor=handler_user,
                complaint_id=complaint.pk,
                description="与相关班组核实，向客户说明并补偿。",
                responsible_id=handler.pk,
                deadline=now + 24 * H,
            )
            services.complaint_resolve(
                actor=handler_user, complaint_id=complaint.pk, text="已按方案处理并告知客户。", cause=times["cause"]
            )
            resolve = (rng.choice([6, 12, 20]) if urgent else rng.choice([24, 48, 72, 100, 140])) * H
            times["resolved_at"] = received + max(resolve, answer + H)
        if stage == "leader_close":
            services.complaint_close(
                actor=leader_user, complaint_id=complaint.pk, reason="客户不再回应，经领导审批结案。"
            )
            times["closed_at"] = times["resolved_at"] + 72 * H
        elif stage == "reopened":
            # CMP-3: not satisfied → reopened, a new plan is needed; still under investigation.
            services.complaint_follow_up(
                actor=handler_user, complaint_id=complaint.pk, satisfaction=2, comment="仍不满意"
            )
            times.pop("resolved_at")
        elif stage == "closed":
            score = rng.choices([5, 4, 3, 2], weights=[5, 4, 1, 1])[0]
            if score < 4:  # reopened, then solved for good
                services.complaint_follow_up(actor=handler_user, complaint_id=complaint.pk, satisfaction=score)
                services.complaint_plan(
                    actor=handler_user,
                    complaint_id=complaint.pk,
                    description="主管回访并重新处理。",
                    responsible_id=handler.pk,
                    deadline=now + 24 * H,
                )
                services.complaint_resolve(actor=handler_user, complaint_id=complaint.pk, text="重新处理完毕。")
            services.complaint_follow_up(actor=handler_user, complaint_id=complaint.pk, satisfaction=rng.choice([4, 5]))
            times["closed_at"] = times["resolved_at"] + 24 * H
            FollowUp.objects.filter(complaint=complaint).update(at=times["closed_at"])
        # Move the step times back to when they would have happened (see the module docstring).
        times = {k: min(v, now) if isinstance(v, datetime.datetime) else v for k, v in times.items()}
        Complaint.objects.filter(pk=complaint.pk).update(**times)
        status = Complaint.objects.values_list("status", flat=True).get(pk=complaint.pk)
        counts[status] = counts.get(status, 0) + 1
        _notifications_back_in_time(notified_before, received, times.get("closed_at") if status == "closed" else None)
    escalated = services.complaint_escalate_overdue(now=now)
    # Demo notifications stay in the app (no e-mail per urgent/overdue alert when the seed commits).
    Notification.objects.filter(pk__gt=first_notification, emailed_at__isnull=True).update(emailed_at=timezone.now())
    total = sum(counts.values())
    stdout.write(
        f"Complaints: {total} over the last {days} days ("
        + ", ".join(f"{counts.get(s, 0)} {s}" for s in ComplaintStatus.values)
        + f"; {escalated['level_1'] + escalated['level_2']} escalated) in {time.perf_counter() - started:.2f} s."
    )
    return {"complaints": total}
