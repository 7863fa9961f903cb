"""Demo self-study (TRN-2, SEC-3) for ``seed_demo``: the data-security awareness course SEC-3 asks
for (code ``security-awareness``, online), a bank of 20 data-security questions in Chinese with
English explanations, a small PDF handbook stored privately, and attempts for about half of the
employees (most passed, some failed, a few on their second attempt) with their training records
written through ``training_record_write``.

The attempts are written in bulk (answers scored by the same rules as the service) so the seed
stays fast at 5,000 employees; each learner's record goes through the one writer.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from decimal import Decimal

from django.utils import timezone

from callcenter.demo import register_demo_seeder
from datasecurity.services import upload_store
from training.models import (
    AttemptAnswer,
    AttemptStatus,
    Course,
    CourseMaterial,
    DeliveryMode,
    MaterialKind,
    MaterialProgress,
    Question,
    QuestionOption,
    RecordResult,
    RecordSource,
    StudyAttempt,
    TopicArea,
)
from training.rules import answer_correct, draw_questions, score_passes, score_percent
from training.services import training_record_write

__all__ = ["AWARENESS_CODE", "QUESTIONS", "handbook_pdf", "seed_study"]

AWARENESS_CODE = "security-awareness"

# (kind, question, [(option, correct)], explanation)
QUESTIONS = [
    (
        "single",
        "客户来电要求查询他人的通话记录，正确的做法是？",
        [("核实身份后仍拒绝提供他人信息", True), ("只要对方说出姓名就提供", False), ("请主管代为查询后提供", False)],
        "Call records of another person are never disclosed to a caller (SEC-1).",
    ),
    (
        "true_false",
        "可以把客户身份证号码记在便签纸上，下班前再销毁。",
        [("对", False), ("错", True)],
        "Personal data is never written outside the system, not even temporarily.",
    ),
    (
        "multiple",
        "以下哪些属于敏感个人信息？",
        [("身份证号码", True), ("银行卡号", True), ("客户投诉的产品型号", False), ("健康状况", True)],
        "ID numbers, bank card numbers and health data are sensitive personal information.",
    ),
    (
        "single",
        "离开座位时，电脑屏幕应当？",
        [("锁定屏幕（Win+L）", True), ("调暗亮度", False), ("关闭显示器电源即可", False)],
        "Always lock the screen when you leave your seat.",
    ),
    (
        "true_false",
        "系统账号和密码可以借给当班同事临时使用。",
        [("对", False), ("错", True)],
        "Accounts are personal; every action is recorded under your name (SEC-2).",
    ),
    (
        "single",
        "收到自称IT部门、要求提供密码的邮件，应当？",
        [("不回复，并报告信息安全负责人", True), ("回复密码以便处理", False), ("转发给同事确认", False)],
        "IT never asks for passwords; report phishing at once.",
    ),
    (
        "multiple",
        "以下哪些是合格的强密码做法？",
        [
            ("至少12位，含大小写字母、数字和符号", True),
            ("不同系统使用不同密码", True),
            ("使用生日便于记忆", False),
            ("定期更换且不复用旧密码", True),
        ],
        "Long, unique passwords that are not reused.",
    ),
    (
        "single",
        "通话录音的保存和调取应当？",
        [("按制度授权调取并留有审计记录", True), ("任何坐席都可下载留存", False), ("拷贝到个人U盘备份", False)],
        "Recordings are read only with authorisation, and every read is audited (SEC-2).",
    ),
    (
        "true_false",
        "在工作区用手机拍摄含客户信息的屏幕是被禁止的。",
        [("对", True), ("错", False)],
        "Photographing screens with customer data is forbidden.",
    ),
    (
        "single",
        "发现客户信息可能泄露时，第一步应当？",
        [("立即报告主管和信息安全负责人", True), ("先自行调查清楚再说", False), ("删除相关记录以免扩散", False)],
        "Report a suspected leak immediately; never destroy evidence.",
    ),
    (
        "multiple",
        "向客户核实身份时，可以使用哪些方式？",
        [("核对预留手机号后四位", True), ("按系统提示的验证问题核对", True), ("让客户报出完整银行卡密码", False)],
        "Never ask for a full password or PIN.",
    ),
    (
        "single",
        "打印含客户信息的文件后，应当？",
        [("立即取走，不用时放入碎纸机", True), ("留在打印机上等待取件", False), ("放在工位上方便查看", False)],
        "Printed personal data is collected at once and shredded.",
    ),
    (
        "true_false",
        "可以通过个人微信向客户发送其账户信息截图。",
        [("对", False), ("错", True)],
        "Customer data only travels through approved channels.",
    ),
    (
        "single",
        "员工离职时，其系统账号应当？",
        [("在最后工作日停用", True), ("保留一个月以便交接", False), ("交给接替人员继续使用", False)],
        "Accounts of leavers are disabled on their last day.",
    ),
    (
        "multiple",
        "以下哪些行为违反数据安全规定？",
        [("把客户名单导出到个人邮箱", True), ("在公共场合讨论客户投诉细节", True), ("按流程在系统内记录工单", False)],
        "Exporting or discussing customer data outside work processes is a breach.",
    ),
    (
        "single",
        "公司信息安全意识培训多久完成一次？",
        [("每年一次", True), ("入职时一次即可", False), ("出现事故后才需要", False)],
        "SEC-3: every employee completes the awareness course every year.",
    ),
    (
        "true_false",
        "外来访客可以在坐席区自由走动参观。",
        [("对", False), ("错", True)],
        "Visitors are accompanied and kept away from screens with customer data.",
    ),
    (
        "single",
        "U盘等移动存储设备在工作电脑上使用的规定是？",
        [("未经批准禁止使用", True), ("只要杀毒后即可使用", False), ("只允许拷贝录音文件", False)],
        "Removable media are blocked unless approved.",
    ),
    (
        "multiple",
        "客户要求删除其个人信息时，应当？",
        [("记录请求并按流程转交处理", True), ("告知处理时限", True), ("直接在系统中手动删除", False)],
        "Deletion requests follow the retention procedure (SEC-4).",
    ),
    (
        "single",
        "质检抽听通话录音的目的范围是？",
        [("仅用于服务质量评估", True), ("可分享给朋友作为案例", False), ("可上传到网络学习平台", False)],
        "Recordings are used only for the purpose they were collected for.",
    ),
]


def handbook_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` of ASCII text (Helvetica), a few hundred bytes, built by hand."""

    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    stream = "BT /F1 13 Tf 72 770 Td 18 TL " + " ".join(f"({esc(line)}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("latin-1")
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode("latin-1")
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("latin-1")
    return bytes(out)


def _course() -> Course:
    course, _created = Course.objects.get_or_create(
        code=AWARENESS_CODE,
        defaults={
            "title": "数据安全意识",
            "description": "SEC-3 要求全体员工每年完成的数据安全意识课程：阅读手册后完成在线测验。",
            "topic_area": TopicArea.SECURITY,
            "delivery_mode": DeliveryMode.ONLINE,
            "hours": Decimal("1.0"),
            "pass_mark": Decimal("80"),
            "max_attempts": 3,
            "time_limit_minutes": 20,
            "question_count": 10,
        },
    )
    return course


def _bank(course: Course) -> dict[int, list[int]]:
    if not Question.objects.filter(course=course).exists():
        for kind, text, options, explanation in QUESTIONS:
            question = Question.objects.create(course=course, kind=kind, text=text, explanation=explanation)
            QuestionOption.objects.bulk_create(
                [
                    QuestionOption(question=question, text=option, correct=correct, position=i)
                    for i, (option, correct) in enumerate(options, start=1)
                ]
            )
    bank: dict[int, list[int]] = {}
    for qid, oid in QuestionOption.objects.filter(question__course=course, question__active=True).values_list(
        "question_id", "pk"
    ):
        bank.setdefault(qid, []).append(oid)
    return bank


def _material(course: Course) -> CourseMaterial | None:
    if CourseMaterial.objects.filter(course=course).exists():
        return CourseMaterial.objects.filter(course=course).first()
    data = handbook_pdf(
        [
            "Data security awareness handbook (SEC-3)",
            "1. Lock your screen whenever you leave your seat.",
            "2. Never share your account or password.",
            "3. Customer data stays in the system: no notes, no photos, no personal chat.",
            "4. Verify the caller before you disclose anything.",
            "5. Report a suspected leak at once.",
        ]
    )
    checked = {"data": data, "extension": "pdf"}
    path = upload_store(checked=checked, prefix="training")
    material = CourseMaterial.objects.create(
        course=course,
        title="数据安全意识手册（PDF）",
        kind=MaterialKind.FILE,
        path=path,
        original_name="security-awareness.pdf",
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        position=1,
    )
    CourseMaterial.objects.create(
        course=course,
        title="国家网络安全宣传周（链接）",
        kind=MaterialKind.LINK,
        url="https://www.cac.gov.cn/",
        position=2,
    )
    return material


@register_demo_seeder(order=60)
def seed_study(rng: random.Random, employees, months: int, stdout) -> dict:
    """The awareness course, its bank and material, and attempts of about half of the employees."""
    if months <= 0:
        return {}
    started = time.perf_counter()
    course = _course()
    bank = _bank(course)
    if len(bank) < course.question_count:
        return {}
    _material(course)
    correct = {
        qid: {oid for oid in QuestionOption.objects.filter(question_id=qid, correct=True).values_list("pk", flat=True)}
        for qid in bank
    }
    kinds = dict(Question.objects.filter(pk__in=bank).values_list("pk", "kind"))
    materials = list(CourseMaterial.objects.filter(course=course, active=True).values_list("pk", flat=True))
    learners = [e for e in employees if rng.random() < 0.5]
    now = timezone.now()
    attempts, answer_rows, records = [], [], []
    for employee in learners:
        ability = rng.choice([0.55, 0.7, 0.85, 0.95, 1.0])
        tries = 2 if ability < 0.8 and rng.random() < 0.5 else 1
        for number in range(1, tries + 1):
            begun = now - datetime.timedelta(days=rng.randint(1, 60), minutes=rng.randint(0, 600))
            draw = draw_questions(bank, course.question_count, rng)
            chosen_of = {}
            right = 0
            for item in draw:
                qid = item["q"]
                if rng.random() < ability + 0.1 * (number - 1):
                    chosen = sorted(correct[qid])
                else:
                    chosen = [rng.choice(item["o"])]
                chosen_of[qid] = chosen
                right += answer_correct(kinds[qid], chosen, correct[qid])
            score = score_percent(right, len(draw))
            attempt = StudyAttempt(
                course=course,
                employee=employee,
                year=timezone.localtime(begun).year,
                number=number,
                max_attempts=course.max_attempts,
                status=AttemptStatus.SUBMITTED,
                draw=draw,
                started_at=begun,
                deadline=begun + datetime.timedelta(minutes=course.time_limit_minutes),
                submitted_at=begun + datetime.timedelta(minutes=rng.randint(5, course.time_limit_minutes - 1)),
                score=score,
                pass_mark=course.pass_mark,
                passed=score_passes(score, course.pass_mark),
            )
            attempts.append((attempt, chosen_of))
            if attempt.passed:
                break
    StudyAttempt.objects.bulk_create([a for a, _c in attempts], batch_size=1000)
    for attempt, chosen_of in attempts:
        for qid, chosen in chosen_of.items():
            answer_rows.append(
                AttemptAnswer(
                    attempt=attempt,
                    question_id=qid,
                    chosen=chosen,
                    correct=answer_correct(kinds[qid], chosen, correct[qid]),
                    saved_at=attempt.submitted_at,
                )
            )
    AttemptAnswer.objects.bulk_create(answer_rows, batch_size=2000)
    best: dict[int, list] = {}
    for attempt, _c in attempts:
        best.setdefault(attempt.employee_id, []).append(attempt)
    progress = []
    for employee_id, rows in best.items():
        top = max(rows, key=lambda a: a.score)
        last = max(rows, key=lambda a: a.submitted_at)
        passed = any(a.passed for a in rows)
        records.append(
            training_record_write(
                actor=None,
                employee_id=employee_id,
                course=course,
                source=RecordSource.ONLINE,
                source_key=f"course:{course.pk}:{last.year}",
                completed_on=timezone.localdate(last.submitted_at),
                hours=course.hours,
                result=RecordResult.PASSED if passed else RecordResult.FAILED,
                score=top.score,
                pass_mark=course.pass_mark,
                attempts=len(rows),
            )
        )
        for mid in materials:
            progress.append(
                MaterialProgress(
                    material_id=mid,
                    employee_id=employee_id,
                    opened_at=last.started_at,
                    completed_at=last.submitted_at if passed else None,
                )
            )
    MaterialProgress.objects.bulk_create(progress, batch_size=2000, ignore_conflicts=True)
    stdout.write(
        f"  self-study: {len(attempts)} attempts of {len(best)} learners in {time.perf_counter() - started:.1f} s\n"
    )
    return {"study_questions": len(bank), "study_attempts": len(attempts), "study_records": len(records)}
