"""The appraisal's automatic "training" indicator (issue 16, TRN-3): the month's assessment scores
averaged, minus the training policy's deduction per mandatory course missed by a deadline in the
month, floored at 0; a month without an assessment scores full marks before the deduction. Read
from ``training.selectors.training_indicator_inputs`` when a cycle fills its automatic items, and
explained like the other automatic items."""

import datetime
from decimal import Decimal

from performance import services
from performance.forms import IndicatorForm
from performance.models import Appraisal
from performance.rules import TrainingFigures, auto_score, explain, training_score
from performance.tests.factories import manual_indicator
from performance.tests.factories.setup import auto_indicator, template_for
from training.models import Course, DeadlineKind, MandatoryCourse, RecordResult, RecordSource, TrainingRecord

D = datetime.date


def test_training_indicator_average_minus_missed_courses_explained_trn3():
    result = training_score(
        TrainingFigures(scores=(Decimal("80"), Decimal("91")), missed=("security-awareness",), deduction=Decimal("10"))
    )
    assert result.value == Decimal("85.50") and result.score == Decimal("75.50")
    text = explain(result.explanation)
    assert "TRN-3" in text and "85.50" in text and "security-awareness" in text and "75.50" in text


def test_no_assessment_is_full_marks_before_the_deduction_trn3():
    result = auto_score(source="training", target=None, training=TrainingFigures(deduction=Decimal("10")))
    assert result.value is None and result.score == Decimal("100.00")
    assert result.explanation["rule"] == "training_none"
    missed = training_score(TrainingFigures(missed=("a", "b"), deduction=Decimal("10")))
    assert missed.score == Decimal("80.00") and "TRN-3" in explain(missed.explanation)


def test_the_training_indicator_is_floored_at_zero_trn3():
    result = training_score(TrainingFigures(scores=(Decimal("5"),), missed=("a",), deduction=Decimal("10")))
    assert result.score == Decimal("0.00")


def _course(code: str) -> Course:
    return Course.objects.create(code=code, title=code, topic_area="service", delivery_mode="online", hours=1)


def _record(employee, course, day, score, result=RecordResult.PASSED):
    return TrainingRecord.objects.create(
        employee=employee,
        course=course,
        source=RecordSource.ONLINE,
        source_key=f"t:{course.code}:{employee.pk}",
        completed_on=day,
        hours=course.hours,
        score=score,
        result=result,
    )


def test_the_appraisal_fills_the_training_indicator_and_explains_it_trn3(org):
    month = D(2025, 5, 1)
    _record(org.agent, _course("quiz-1"), D(2025, 5, 10), Decimal("80"))
    _record(org.agent, _course("quiz-2"), D(2025, 5, 20), Decimal("90"))
    _record(org.agent, _course("quiz-3"), D(2025, 4, 20), Decimal("10"))  # another month
    awareness = _course("security-awareness")
    MandatoryCourse.objects.create(
        course=awareness, deadline_kind=DeadlineKind.YEARLY, yearly_month=5, yearly_day=31, applies_from=D(2000, 1, 1)
    )
    _record(org.peer, awareness, D(2025, 5, 31), None)  # on the deadline day: in time, not missed
    template_for(
        org.agent.position, [(manual_indicator("attitude_x"), 50), (auto_indicator("training", "training"), 50)]
    )

    services.appraisal_cycle_open(month=month)

    def item(employee):
        a = Appraisal.objects.get(employee=employee, month=month)
        return next(i for i in a.items.select_related("indicator") if i.indicator.auto_source == "training")

    agent = item(org.agent)
    # TRN-3: (80 + 90) / 2 = 85 − 10 × 1 missed awareness course = 75.
    assert agent.auto_value == Decimal("85.00") and agent.auto_score == Decimal("75.00")
    assert agent.explanation["rule"] == "training" and agent.explanation["courses"] == "security-awareness"
    assert "TRN-3" in explain(agent.explanation) and "75.00" in explain(agent.explanation)
    peer = item(org.peer)
    assert peer.auto_value is None and peer.auto_score == Decimal("100.00")
    assert peer.explanation["rule"] == "training_none" and peer.explanation["missed"] == 0


def test_the_template_editor_offers_the_training_source():
    assert "training" in dict(IndicatorForm.base_fields["auto_source"].choices)
