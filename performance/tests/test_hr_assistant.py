"""An HR assistant (an HR user limited to departments by access grants, SEC-2) is refused the
company-wide performance functions: the set-up, metric imports (every agent's figures), the
appraisal cycles and the bonus sheets (everyone's pay), which stay with company HR."""

import datetime

import pytest
from django.utils import timezone

from callcenter import services as core_services
from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.models import GrantKind, User
from callcenter.roles import Role
from callcenter.tests import factories as f
from performance import selectors, services

MONTH = datetime.date(2026, 1, 1)


@pytest.fixture
def assistant(org):
    user = f.UserFactory(username="assistant", roles=[Role.HR])
    f.EmployeeFactory(user=user, team=org.b1, department=org.dept_b)
    today = timezone.localdate()
    core_services.access_grant_create(
        actor=org.hr.user, kind=GrantKind.DEPARTMENT, grantee_id=user.pk, target=org.dept_a.pk, starts_on=today,
        ends_on=today, reason="协助一部人事工作",
    )  # fmt: skip
    return User.objects.get(pk=user.pk)


COMPANY_WIDE = {
    "indicator": lambda actor: services.indicator_create(
        actor=actor, code="X1", name="指标", group="quality", method="manual"
    ),
    "metric_import": lambda actor: services.metric_import_push(actor=actor, rows=[]),
    "cycle": lambda actor: services.appraisal_cycle_start(month=MONTH, actor=actor),
    "bonus_sheet": lambda actor: services.bonus_sheet_prepare(actor=actor, month=MONTH),
}


@pytest.mark.parametrize("function", sorted(COMPANY_WIDE))
def test_company_wide_functions_are_refused_to_an_hr_assistant(org, assistant, function):
    with pytest.raises(ApplicationError) as refused:
        COMPANY_WIDE[function](assistant)
    assert (refused.value.code, refused.value.status) == (CoreErrorCode.HR_REMIT_LIMITED, 403)


def test_company_wide_reads_are_company_hrs(org, assistant):
    assert selectors.bonus_sheet_readable(org.hr.user)
    assert not selectors.bonus_sheet_readable(assistant)
    assert selectors.can_manage_cycles(org.hr.user)
    assert not selectors.can_manage_cycles(assistant)
    assert selectors.metric_import_list(user=assistant).query.is_empty()
    assert not selectors.metric_import_list(user=org.hr.user).query.is_empty()
