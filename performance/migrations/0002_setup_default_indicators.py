"""PRF-1: the regulation's indicators for a new installation (work results, work attitude,
teamwork, customer satisfaction). A copy of performance.services.setup.INDICATOR_DEFAULTS:
migrations never import app code. Existing codes are left alone; reversing removes nothing (the
indicators may be in use)."""

from decimal import Decimal

from django.db import migrations

R, A, T, S = "results", "attitude", "teamwork", "satisfaction"
AUTO, MANUAL = "automatic", "manual"

DEFAULTS = [
    (
        "calls_answered",
        "接听量",
        "Calls answered",
        R,
        AUTO,
        "calls_answered",
        Decimal("1500"),
        "当月接听量 ÷ 目标 × 100，最高 100 分（话务数据导入）。"
        " / Calls answered in the month ÷ target × 100, at most 100 (metrics import).",
    ),
    (
        "resolution_rate",
        "问题解决率",
        "Problems solved (resolution rate)",
        R,
        AUTO,
        "resolution_rate",
        Decimal("90"),
        "解决量 ÷ 接听量（%）÷ 目标 × 100，最高 100 分。"
        " / Calls resolved ÷ calls answered (%) ÷ target × 100, at most 100.",
    ),
    (
        "qa_accuracy",
        "业务准确率",
        "Business accuracy (QA)",
        R,
        AUTO,
        "qa_accuracy",
        Decimal("98"),
        "质检业务准确率（按接听量加权）÷ 目标 × 100，最高 100 分。"
        " / QA business accuracy (weighted by calls) ÷ target × 100, at most 100.",
    ),
    (
        "avg_handle_time",
        "平均处理时长",
        "Average handling time",
        R,
        AUTO,
        "avg_handle_time",
        Decimal("300"),
        "越短越好：目标秒数 ÷ 实际平均处理时长 × 100，最高 100 分。"
        " / Lower is better: target seconds ÷ actual average handling time × 100, at most 100.",
    ),
    (
        "attendance",
        "出勤",
        "Attendance",
        A,
        AUTO,
        "attendance",
        None,
        "100 分，每次迟到/早退、每天旷工按考核政策扣分（ATT-4、ATT-5）。"
        " / 100 points less the policy's points per lateness or early leave and per day of absenteeism.",
    ),
    (
        "initiative",
        "工作主动性",
        "Initiative",
        A,
        MANUAL,
        "",
        None,
        "主动发现并解决问题、主动学习。员工自评、上级评分。"
        " / Finds and solves problems, learns on their own. Scored by the employee and the superior.",
    ),
    (
        "responsibility",
        "责任心",
        "Responsibility",
        A,
        MANUAL,
        "",
        None,
        "对客户问题负责到底、按时跟进。员工自评、上级评分。"
        " / Owns customers' problems to the end, follows up on time. Scored by the employee and the superior.",
    ),
    (
        "cooperation",
        "团队协作",
        "Cooperation",
        T,
        MANUAL,
        "",
        None,
        "与同事配合、分享经验、互相支持。员工自评、上级评分。"
        " / Works with colleagues, shares experience, helps out. Scored by the employee and the superior.",
    ),
    (
        "participation",
        "团队活动参与",
        "Participation",
        T,
        MANUAL,
        "",
        None,
        "参加班前会、培训与团队活动。员工自评、上级评分。"
        " / Takes part in briefings, training and team activities. Scored by the employee and the superior.",
    ),
    (
        "complaint_satisfaction",
        "客户满意度",
        "Customer satisfaction",
        S,
        AUTO,
        "complaint_satisfaction",
        None,
        "投诉回访满意度（1–5 分）÷ 5 × 100；当月无回访得满分（CMP-3）。"
        " / Complaint follow-up satisfaction (1–5) ÷ 5 × 100; no follow-up in the month: full score.",
    ),
]


def install(apps, schema_editor):
    Indicator = apps.get_model("performance", "Indicator")
    existing = set(Indicator.objects.values_list("code", flat=True))
    Indicator.objects.bulk_create(
        Indicator(
            code=code,
            name=name,
            name_en=name_en,
            group=group,
            method=method,
            auto_source=source,
            target=target,
            description=description,
            scale_max=100,
            active=True,
        )
        for code, name, name_en, group, method, source, target, description in DEFAULTS
        if code not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
