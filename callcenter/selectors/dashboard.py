"""The dashboard of each role: the figures of the user's remit."""

from callcenter.models import Employee, EmploymentStatus
from callcenter.roles import user_roles
from callcenter.selectors.accounts import password_expires_on
from callcenter.selectors.grants import is_company_hr
from callcenter.selectors.org import Scope, approval_chain, department_list, employee_of, team_list, user_scope
from callcenter.selectors.policies import policy_overview

__all__ = [
    "dashboard_get",
]


def dashboard_get(*, user) -> dict:
    """What the user's dashboard shows, one block per role they hold, queries bounded."""
    me = employee_of(user)
    roles = user_roles(user)
    scope = user_scope(user)
    data: dict = {"me": me, "roles": roles, "scope": scope, "cards": []}
    if me is not None:
        me = Employee.objects.select_related("department", "team__supervisor", "position").get(pk=me.pk)
        data["me"] = me
        data["chain"] = approval_chain(me)
        data["password_expires_on"] = password_expires_on(user)
    if scope >= Scope.TEAM:
        teams = list(team_list(user=user))
        data["teams"] = teams
        data["visible_headcount"] = sum(t.headcount for t in teams)
    if scope >= Scope.DEPARTMENT:
        data["departments"] = list(department_list(user=user))
    if is_company_hr(user):  # the company's figures (an HR assistant sees their departments above)
        data["policies"] = policy_overview()
        data["recent_hires"] = list(
            Employee.objects.select_related("department", "team")
            .filter(status=EmploymentStatus.ACTIVE)
            .order_by("-hire_date", "employee_no")[:8]
        )
        data["leavers_count"] = Employee.objects.filter(status=EmploymentStatus.LEFT).count()
        data["company_headcount"] = sum(d.headcount for d in data.get("departments", []))
    return data
