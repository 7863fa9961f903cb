"""Two adjustments of a plan in force at the same moment, on real connections (TRN-1): the plan's
row lock makes them two versions in turn, each copying the other's change; none is lost."""

import pytest

from callcenter.tests.parallel import run_parallel
from training import services
from training.models import PlanItem, PlanVersion
from training.tests.factories.plan import item_data, plan_with_items

pytestmark = pytest.mark.django_db(transaction=True)


def test_trn1_two_adjustments_at_once_are_two_versions(org):
    plan, (first, second) = plan_with_items(org.hr.user, items=2, publish=True)
    outcomes = run_parallel(
        [
            lambda: services.plan_item_change(
                actor=org.hr.user, plan_id=plan.pk, lineage=first.lineage, reason="第一处调整", **item_data(title="甲")
            ),
            lambda: services.plan_item_change(
                actor=org.hr.user, plan_id=plan.pk, lineage=second.lineage, reason="第二处调整", **item_data(title="乙")
            ),
        ]
    )
    assert outcomes == ["ok", "ok"]
    assert sorted(PlanVersion.objects.filter(plan=plan).values_list("number", flat=True)) == [1, 2, 3]
    latest = PlanItem.objects.filter(version__plan=plan, version__number=3)
    assert sorted(latest.values_list("title", flat=True)) == ["乙", "甲"]
