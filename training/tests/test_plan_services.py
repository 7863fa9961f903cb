"""The annual plan's writes (TRN-1): drafts, publication, adjustments as new versions that keep
what they replaced and why, refusals that change nothing, every write audited."""

from decimal import Decimal

import pytest
from django.utils import timezone, translation

from callcenter.errors import ApplicationError, PermissionDeniedError
from datasecurity.models import AuditEvent
from training import selectors, services
from training.models import PlanItem, PlanVersion, TrainingPlan
from training.selectors import audience_employees
from training.tests.factories.plan import item_data, plan_with_items

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_trn1_draft_items_change_in_place_until_published(org, trainer):
    plan, (first, _second) = plan_with_items(trainer.user, items=2)
    services.plan_item_change(
        actor=trainer.user, plan_id=plan.pk, lineage=first.lineage, **item_data(title="改名", quarter=3)
    )
    assert PlanVersion.objects.filter(plan=plan).count() == 1
    assert PlanItem.objects.get(pk=first.pk).title == "改名"
    version = services.plan_publish(actor=org.hr.user, plan_id=plan.pk)
    assert version.number == 1 and version.published_at is not None
    with pytest.raises(ApplicationError) as refused:
        services.plan_publish(actor=org.hr.user, plan_id=plan.pk)
    assert refused.value.code == "plan_already_published"


def test_trn1_an_adjustment_is_a_new_version_keeping_what_it_replaced(org):
    plan, (first, second) = plan_with_items(org.hr.user, items=2, publish=True)
    reason = "一季度投诉上升，提前并加课时"
    item = services.plan_item_change(
        actor=org.hr.user,
        plan_id=plan.pk,
        lineage=first.lineage,
        reason=reason,
        **item_data(title=first.title, quarter=1, month=2, planned_hours=Decimal("8")),
    )
    v1, v2 = PlanVersion.objects.filter(plan=plan).order_by("number")
    assert (v2.number, v2.reason, v2.created_by) == (2, reason, org.hr.user)
    assert item.version == v2 and item.lineage == first.lineage
    # Version 1 still holds the items as they were.
    kept = PlanItem.objects.get(pk=first.pk)
    assert kept.version == v1 and kept.planned_hours == Decimal("4") and kept.quarter == first.quarter
    assert v2.items.count() == 2
    services.plan_item_remove(actor=org.hr.user, plan_id=plan.pk, lineage=second.lineage, reason="预算不足，取消")
    v3 = PlanVersion.objects.get(plan=plan, number=3)
    assert not v3.items.filter(lineage=second.lineage).exists()
    assert v2.items.filter(lineage=second.lineage).exists()
    history = selectors.plan_history(user=org.hr.user, plan_id=plan.pk)
    assert [h["version"].number for h in history] == [3, 2, 1]
    assert history[0]["changes"] == [
        {"lineage": str(second.lineage), "title": second.title, "change": "removed", "fields": []}
    ]
    changed = dict((name, (old, new)) for name, old, new in history[1]["changes"][0]["fields"])
    assert changed["planned_hours"] == ("4.0", "8.0") and changed["month"] == (None, 2)
    actions = list(AuditEvent.objects.filter(object_id=str(plan.pk)).values_list("action", flat=True).order_by("pk"))
    assert actions == [
        "training_plan.create",
        "training_plan.item_add",
        "training_plan.item_add",
        "training_plan.publish",
        "training_plan.item_change",
        "training_plan.item_remove",
    ]


def test_trn1_an_adjustment_without_reason_is_refused_and_changes_nothing(org):
    plan, (first, _) = plan_with_items(org.hr.user, items=2, publish=True)
    with pytest.raises(ApplicationError) as refused:
        services.plan_item_change(actor=org.hr.user, plan_id=plan.pk, lineage=first.lineage, reason="  ", **item_data())
    assert refused.value.code == "plan_reason_required" and refused.value.field == "reason"
    assert PlanVersion.objects.filter(plan=plan).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"month": 5, "quarter": 1}, "month"),
        ({"month": 13}, "month"),
        ({"quarter": None}, "quarter"),
        ({"quarter": 5}, "quarter"),
        ({"planned_hours": Decimal("0.4")}, "planned_hours"),
        ({"planned_hours": "abc"}, "planned_hours"),
        ({"budget": Decimal("-0.01")}, "budget"),
        ({"budget": Decimal("1.001")}, "budget"),
        ({"topic_area": "cooking"}, "topic_area"),
        ({"need": ""}, "need"),
        ({"need_source": "rumour"}, "need_source"),
        ({"course_id": 999999}, "course_id"),
        ({"indicator_code": "no_such_indicator"}, "indicator_code"),
        ({"audience_kind": "teams", "audience_team_ids": []}, "audience_team_ids"),
        ({"audience_kind": "people", "audience_people_ids": [999999]}, "audience_people_ids"),
    ],
)
def test_trn1_bad_input_is_refused_with_its_field(org, overrides, field):
    plan, _ = plan_with_items(org.hr.user, items=0)
    with pytest.raises(ApplicationError) as refused:
        services.plan_item_add(actor=org.hr.user, plan_id=plan.pk, **item_data(**overrides))
    assert refused.value.field == field
    assert str(refused.value.message)
    assert not PlanItem.objects.exists()


def test_trn1_month_gives_its_quarter(org):
    plan, _ = plan_with_items(org.hr.user, items=0)
    item = services.plan_item_add(actor=org.hr.user, plan_id=plan.pk, **item_data(month=11, quarter=None))
    assert (item.month, item.quarter) == (11, 4)


def test_trn1_one_plan_a_year(org):
    services.plan_create(actor=org.hr.user, year=2027, title="A")
    with pytest.raises(ApplicationError) as refused:
        services.plan_create(actor=org.hr.user, year=2027, title="B")
    assert refused.value.code == "plan_year_taken" and refused.value.status == 409
    assert TrainingPlan.objects.filter(year=2027).count() == 1


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "leader", "auditor"])
def test_trn1_only_hr_and_trainers_write_the_plan(org, who):
    plan, _ = plan_with_items(org.hr.user, items=1)
    with pytest.raises(PermissionDeniedError):
        services.plan_item_add(actor=getattr(org, who).user, plan_id=plan.pk, **item_data())
    with pytest.raises(PermissionDeniedError):
        services.plan_create(actor=getattr(org, who).user, year=2030, title="x")
    assert PlanItem.objects.count() == 1


def test_trn1_publishing_an_empty_draft_is_refused(org):
    plan, _ = plan_with_items(org.hr.user, items=0)
    with pytest.raises(ApplicationError):
        services.plan_publish(actor=org.hr.user, plan_id=plan.pk)
    assert PlanVersion.objects.get(plan=plan).is_draft


def test_trn1_audience_is_copied_into_the_new_version(org):
    plan = services.plan_create(actor=org.hr.user, year=2026, title="x")
    item = services.plan_item_add(
        actor=org.hr.user, plan_id=plan.pk, **item_data(audience_kind="teams", audience_team_ids=[org.a1.pk, org.a2.pk])
    )
    other = services.plan_item_add(actor=org.hr.user, plan_id=plan.pk, **item_data(title="B"))
    services.plan_publish(actor=org.hr.user, plan_id=plan.pk)
    services.plan_item_change(
        actor=org.hr.user, plan_id=plan.pk, lineage=other.lineage, reason="调整原因说明", **item_data(title="B2")
    )
    copy = PlanItem.objects.get(version__number=2, lineage=item.lineage)
    assert sorted(copy.audience_teams.values_list("pk", flat=True)) == sorted([org.a1.pk, org.a2.pk])
    overview = selectors.plan_overview(user=org.hr.user, plan_id=plan.pk)
    counts = {i.title: i.head_count for i in overview["items"]}
    today = timezone.localdate()
    # The page counts in one pass what the foundation's selector names for one audience.
    assert counts[item.title] == audience_employees(copy, day=today).count() == 6  # A1 (5) and A2 (1)
    assert counts["B2"] == audience_employees(PlanItem.objects.get(version__number=2, title="B2"), day=today).count()
