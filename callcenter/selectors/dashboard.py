"""The dashboard of each role: the figures of the user's remit.

The core's own figures (org, headcount, policies) are read here; the modules above the core
(leave, appraisals, complaints) fill their cards through :mod:`callcenter.providers`
(``dashboard_card_register``), so this module never imports them."""

from callcenter.models import Employee, EmploymentStatus
from callcenter.providers import DASHBOARD_PLACES, dashboard_cards
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
    data: dict = {"me": me, "roles": roles, "scope": scope, "cards": {place: [] for place in DASHBOARD_PLACES}}
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
    data["cards"] = _module_cards(user=user, me=me, roles=set(roles))
    return data


def _module_cards(*, user, me, roles: set[str]) -> dict[str, list[dict]]:
    """{place: [{"key", "template", "card"}]}: the registered cards this reader sees that have
    something to show (a loader answering None shows nothing)."""
    cards: dict[str, list[dict]] = {place: [] for place in DASHBOARD_PLACES}
    for card in dashboard_cards():
        if card.needs_employee and me is None:
            continue
        if card.roles and not roles.intersection(card.roles):
            continue
        context = card.load(user=user, me=me)
        if context is not None:
            cards[card.place].append({"key": card.key, "template": card.template, "card": context})
    return cards
