"""The dashboard of each role: the figures of the user's remit.

The core's own figures (org, headcount, policies) are read here; the modules above the core
(leave, appraisals, complaints) fill their cards through :mod:`callcenter.providers`
(``dashboard_card_register``), so this module never imports them."""

import datetime

from django.db.models import CharField, Value
from django.utils import timezone

from callcenter.models import Employee, EmploymentStatus
from callcenter.providers import DASHBOARD_PLACES, dashboard_cards
from callcenter.roles import user_roles
from callcenter.selectors.accounts import password_expires_on
from callcenter.selectors.grants import is_company_hr
from callcenter.selectors.org import Scope, approval_chain, department_list, employee_of, team_list, user_scope
from callcenter.selectors.policies import policy_models

__all__ = [
    "POLICY_DASHBOARD_DAYS",
    "dashboard_get",
    "policy_dashboard_upcoming",
]

# HR's queue shows the policy versions taking effect within this many days (issue 14).
POLICY_DASHBOARD_DAYS = 30


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
        # The policies: HR's queue card lists those about to take effect (policy_dashboard_upcoming).
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


def policy_dashboard_upcoming(*, user, me=None) -> dict | None:
    """Company HR's card: the policy versions taking effect in the next
    :data:`POLICY_DASHBOARD_DAYS` days (each rule reads the version in force on its day, so HR
    checks them before they apply). One query: a UNION over the policy tables."""
    if not is_company_hr(user):
        return None
    today = timezone.localdate()
    until = today + datetime.timedelta(days=POLICY_DASHBOARD_DAYS)
    models = {model._meta.label_lower: model for model in policy_models()}
    queries = [
        model.objects.filter(effective_from__gt=today, effective_from__lte=until)
        .annotate(policy=Value(label, output_field=CharField()))
        .values_list("policy", "effective_from")
        .order_by()
        for label, model in models.items()
    ]
    rows = sorted(queries[0].union(*queries[1:], all=True), key=lambda row: (row[1], row[0])) if queries else []
    upcoming = [
        {"label": label, "name": models[label]._meta.verbose_name, "effective_from": effective_from}
        for label, effective_from in rows
    ]
    return {"upcoming": upcoming, "days": POLICY_DASHBOARD_DAYS, "until": until}
