"""An HR assistant (an HR user limited to departments by access grants) holds HR's functions
for their departments only: the policies (the whole company's rules) stay with company HR, and
the dashboard shows them their departments, not the company's figures (SEC-2). The performance
functions are tested in performance/tests/test_hr_assistant.py, leave in attendance's."""

import pytest
from django.utils import timezone

from callcenter import selectors, services
from callcenter.errors import ApplicationError, CoreErrorCode
from callcenter.models import AccountPolicy, GrantKind, User
from callcenter.roles import Role
from callcenter.tests import factories as f


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


def test_policies_are_company_hrs(org, assistant):
    def change(actor):
        return services.policy_version_create(
            actor=actor, model=AccountPolicy, effective_from=timezone.localdate(), values={"password_max_age_days": 60}
        )

    with pytest.raises(ApplicationError) as refused:
        change(assistant)
    assert (refused.value.code, refused.value.status) == (CoreErrorCode.HR_REMIT_LIMITED, 403)
    assert not AccountPolicy.objects.exists()
    change(org.hr.user)
    assert AccountPolicy.objects.count() == 1


def test_the_dashboard_shows_an_hr_assistant_their_departments(org, assistant):
    data = selectors.dashboard_get(user=assistant)
    assert "recent_hires" not in data
    assert "A" in [d.code for d in data["departments"]]
    assert "recent_hires" in selectors.dashboard_get(user=org.hr.user)
