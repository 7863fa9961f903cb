"""An HR assistant (an HR user limited to departments by access grants) holds HR's functions
for their departments only: every company-wide HR function — the policies, the performance set-up,
metric imports, appraisal cycles and bonus sheets (everyone's pay) — stays with company HR, and
the dashboard shows them their departments, not the company's figures (SEC-2)."""

import datetime

import pytest
from django.utils import timezone

from callcenter import selectors, services
from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.models import AccountPolicy, GrantKind, User
from callcenter.roles import Role
from callcenter.tests import factories as f
from performance import selectors as performance_selectors
from performance import services as performance_services

MONTH = datetime.date(2026, 1, 1)


@pytest.fixture
def assistant(org):
    user = f.UserFactory(username="assistant", roles=[Role.HR])
    f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b)
    today = timezone.localdate()
    services.access_grant_create(
        actor=org.hr.user, kind=GrantKind.DEPARTMENT, grantee_id=user.pk, target=org.dept_a.pk, starts_on=today,
        ends_on=today, reason="协助一部人事工作",
    )  # fmt: skip
    return User.objects.get(pk=user.pk)


COMPANY_WIDE = {
    "policy": lambda actor: services.policy_version_create(
        actor=actor, model=AccountPolicy, effective_from=timezone.localdate(), values={"password_max_age_days": 60}
    ),
    "indicator": lambda actor: performance_services.indicator_create(
        actor=actor, code="X1", name="指标", group="quality", method="manual"
    ),
    "metric_import": lambda actor: performance_services.metric_import_push(actor=actor, rows=[]),
    "cycle": lambda actor: performance_services.appraisal_cycle_start(month=MONTH, actor=actor),
    "bonus_sheet": lambda actor: performance_services.bonus_sheet_prepare(actor=actor, month=MONTH),
}


@pytest.mark.parametrize("function", sorted(COMPANY_WIDE))
def test_company_wide_functions_are_refused_to_an_hr_assistant(org, assistant, function):
    with pytest.raises(ApplicationError) as refused:
        COMPANY_WIDE[function](assistant)
    assert (refused.value.code, refused.value.status) == (CoreErrorCode.HR_REMIT_LIMITED, 403)


def test_company_wide_reads_are_company_hrs(org, assistant):
    assert performance_selectors.bonus_sheet_readable(org.hr.user)
    assert not performance_selectors.bonus_sheet_readable(assistant)
    assert performance_selectors.can_manage_cycles(org.hr.user)
    assert not performance_selectors.can_manage_cycles(assistant)
    assert performance_selectors.metric_import_list(user=assistant).query.is_empty() is not False


def test_the_dashboard_shows_an_hr_assistant_their_departments(client, org, assistant):
    data = selectors.dashboard_get(user=assistant)
    assert "recent_hires" not in data
    assert "A" in [d.code for d in data["departments"]]
    assert "recent_hires" in selectors.dashboard_get(user=org.hr.user)
