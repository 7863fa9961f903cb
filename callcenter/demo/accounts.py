"""The demo logins: one per role, printed by ``make run`` with what each one sees."""

from __future__ import annotations

import unicodedata

from django.utils import translation

from callcenter.demo.org import DEMO_LOGINS, DEMO_USERNAMES, DemoLogin
from callcenter.models import EmploymentStatus, User
from callcenter.roles import Role
from callcenter.selectors import employees_visible_to

__all__ = [
    "demo_login_rows",
    "display_width",
    "pad",
    "role_labels",
]

# Fallbacks for the Chinese role labels while the zh-Hans catalog lacks them.
_ROLE_LABELS_ZH = {
    Role.AGENT: "话务员",
    Role.SUPERVISOR: "部门主管",
    Role.DEPARTMENT_MANAGER: "部门经理",
    Role.COMPANY_LEADER: "公司分管领导",
    Role.HR: "人力资源",
    Role.COMPLAINT_HANDLER: "投诉专员",
    Role.SECURITY_AUDITOR: "安全审计员",
    Role.TRAINER: "培训师",
}


def role_labels(role: str) -> tuple[str, str]:
    """(Chinese, English) label of a role; the superuser has none in Role."""
    if not role:
        return "系统管理员", "Administrator (superuser)"
    label = Role(role).label
    with translation.override("en"):
        en = str(label)
    with translation.override("zh-hans"):
        zh = str(label)
    if zh == en:
        zh = _ROLE_LABELS_ZH.get(role, zh)
    return zh, en


def demo_login_rows() -> list[dict]:
    """One row per demo login: who they are and what they see, read from the database through
    the visibility rules (the same answer the pages give)."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
            "employee__department", "employee__team"
        )
    }
    rows = []
    for login in DEMO_LOGINS:
        zh, en = role_labels(login.role)
        user = users.get(login.username)
        row = {"username": login.username, "role_zh": zh, "role_en": en, "exists": user is not None}
        row["name"], row["sees"] = "", "(not seeded)"
        if user is not None:
            employee = getattr(user, "employee", None)  # RelatedObjectDoesNotExist is an AttributeError
            row["name"] = employee.name if employee else ""
            visible = employees_visible_to(user).filter(status=EmploymentStatus.ACTIVE).count()
            row["sees"] = _what_they_see(login, user, employee, visible)
        rows.append(row)
    return rows


def _what_they_see(login: DemoLogin, user, employee, visible: int) -> str:
    if login.role == Role.AGENT:
        team = employee.team.name if employee and employee.team else ""
        return f"本人记录（{team}）/ own records only"
    if login.role == Role.SUPERVISOR:
        teams = ", ".join(t.name for t in employee.supervised_teams.all()) if employee else ""
        return f"团队 {teams}，{visible} 人 / their team, {visible} people"
    if login.role == Role.DEPARTMENT_MANAGER:
        depts = ", ".join(d.name for d in employee.managed_departments.all()) if employee else ""
        return f"部门 {depts}，{visible} 人 / their department, {visible} people"
    if login.role == Role.COMPANY_LEADER:
        depts = ", ".join(d.name for d in employee.led_departments.all()) if employee else ""
        return f"分管 {depts}，{visible} 人 / departments in charge, {visible} people"
    if login.role == Role.HR:
        return f"全公司 {visible} 人、政策参数 / whole company ({visible} people), policies"
    if login.role == Role.COMPLAINT_HANDLER:
        return "客户投诉、本人记录 / complaints, own records"
    if login.role == Role.SECURITY_AUDITOR:
        return "审计日志（只读）、本人记录 / audit trail (read-only), own records"
    if login.role == Role.TRAINER:
        return "所授课程与场次、学员成绩 / their courses, sessions and learners' scores"
    return f"管理后台与全部数据（{visible} 人）/ Django admin, everything"


def display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))
