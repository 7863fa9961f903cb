"""What training reads of the appraisal (issue 16, TRN-1 and TRN-3) through the provider hook:
indicator values per person and month, team averages for the needs panel, and the effect of a plan
item on its related indicator for participants against the non-participants of the same teams."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation

from callcenter.providers import training_indicator_provider
from callcenter.tests.factories import EmployeeFactory
from performance.selectors import training_feed_employee_values, training_feed_team_averages
from performance.tests.factories.appraisals import appraisal_for
from training import selectors, services
from training.rules import add_months
from training.tests.factories.plan import course, enrol, item_data, session

pytestmark = pytest.mark.django_db


def _months():
    training = add_months(timezone.localdate().replace(day=1), -3)
    return training, add_months(training, -1), add_months(training, 1), add_months(training, 2)


def test_the_provider_is_registered_by_performance():
    provider = training_indicator_provider()
    assert provider is not None
    assert "qa_accuracy" in dict(provider.indicators())


def test_values_and_team_averages_in_percent(org):
    month = datetime.date(2026, 3, 1)
    appraisal_for(org.agent, month, auto_scores={"qa_accuracy": 60})
    appraisal_for(org.peer, month, auto_scores={"qa_accuracy": 70})
    appraisal_for(org.other_team, month, auto_scores={"qa_accuracy": 95})
    values = training_feed_employee_values(
        indicator_code="qa_accuracy", employee_ids=[org.agent.pk, org.other_team.pk], months=[month]
    )
    assert values == {(org.agent.pk, month): Decimal("60.00"), (org.other_team.pk, month): Decimal("95.00")}
    rows = {
        (r["team_id"], r["indicator_code"]): r for r in training_feed_team_averages(month_from=month, month_to=month)
    }
    assert rows[(org.a1.pk, "qa_accuracy")]["average"] == Decimal("65.00")
    assert rows[(org.a1.pk, "qa_accuracy")]["people"] == 2
    assert rows[(org.a2.pk, "qa_accuracy")]["average"] == Decimal("95.00")


def test_trn1_needs_panel_lists_teams_below_the_threshold(org, trainer):
    last = add_months(timezone.localdate().replace(day=1), -1)
    appraisal_for(org.agent, last, auto_scores={"qa_accuracy": 50})
    appraisal_for(org.other_team, last, auto_scores={"qa_accuracy": 95})
    needs = selectors.plan_needs(user=org.hr.user, threshold=Decimal("70"))
    low = [(r["team_id"], r["indicator_code"]) for r in needs["indicators"]["rows"]]
    assert (org.a1.pk, "qa_accuracy") in low
    assert (org.a2.pk, "qa_accuracy") not in low
    plan = services.plan_create(actor=org.hr.user, year=2026, title="x")
    client = Client()
    client.force_login(org.hr.user)
    with translation.override("en"):
        body = client.get(f"/training/plan/{plan.pk}/").content.decode()
    assert "indicator_code=qa_accuracy" in body and f"team={org.a1.pk}" in body


def test_trn3_participants_against_non_participants_of_the_same_teams(org, trainer, django_assert_max_num_queries):
    training, before, after1, after2 = _months()
    others = [EmployeeFactory(team=org.a1, department=org.dept_a, position=org.agent.position) for _ in range(3)]
    participants = [org.agent, org.peer, org.supervisor]
    c = course()
    starts = timezone.make_aware(datetime.datetime.combine(training.replace(day=15), datetime.time(10)))
    s = session(c, starts=starts)
    for employee in participants:
        enrol(s, employee, attendance="present")
    for employee in participants:
        appraisal_for(employee, before, auto_scores={"qa_accuracy": 80})
        appraisal_for(employee, after1, auto_scores={"qa_accuracy": 90})
        appraisal_for(employee, after2, auto_scores={"qa_accuracy": 92})
    for employee in others:
        appraisal_for(employee, before, auto_scores={"qa_accuracy": 80})
        appraisal_for(employee, after1, auto_scores={"qa_accuracy": 82})
        appraisal_for(employee, after2, auto_scores={"qa_accuracy": 82})
    plan = services.plan_create(actor=org.hr.user, year=training.year, title="x")
    item = services.plan_item_add(
        actor=org.hr.user, plan_id=plan.pk, **item_data(course_id=c.pk, indicator_code="qa_accuracy")
    )
    effect = selectors.effect_plan_item(user=org.hr.user, plan_id=plan.pk, lineage=item.lineage)
    indicator = effect["figures"]["indicator"]
    assert indicator["participants"] == {"people": 3, "mean": Decimal("11.00"), "enough": True}
    # manager and leader sit in A1 without appraisals: they do not count; the three others do.
    assert indicator["others"] == {"people": 3, "mean": Decimal("2.00"), "enough": True}
    assert indicator["effect"] == Decimal("9.00")
    assert indicator["chart"]["participants"] == [80.0, 90.0, 92.0]
    course_effect = selectors.effect_course(user=org.hr.user, course_id=c.pk, indicator_code="qa_accuracy")
    assert course_effect["figures"]["indicator"]["effect"] == Decimal("9.00")
    client = Client()
    client.force_login(org.hr.user)
    with translation.override("en"), django_assert_max_num_queries(30):
        body = client.get(f"/training/effect/plan/{plan.pk}/items/{item.lineage}/").content.decode()
    assert "data-effect-value>9.00<" in body and 'data-training-chart="effect"' in body


def test_trn3_not_enough_data_below_three_people(org, trainer):
    training, before, after1, _ = _months()
    c = course()
    starts = timezone.make_aware(datetime.datetime.combine(training.replace(day=15), datetime.time(10)))
    s = session(c, starts=starts)
    for employee in (org.agent, org.peer):
        enrol(s, employee)
        appraisal_for(employee, before, auto_scores={"qa_accuracy": 80})
        appraisal_for(employee, after1, auto_scores={"qa_accuracy": 90})
    effect = selectors.effect_course(user=org.hr.user, course_id=c.pk, indicator_code="qa_accuracy")
    indicator = effect["figures"]["indicator"]
    assert indicator["participants"] == {"people": 2, "mean": None, "enough": False}
    assert indicator["effect"] is None
