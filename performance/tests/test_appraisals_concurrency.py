"""The evaluation workflow under real parallel connections (PRF-3): the appraisal row lock makes
two submissions at once one state change, one audit event and one notification."""

import datetime

import pytest

from callcenter.models import Notification
from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent
from performance import services
from performance.models import Appraisal, FeedbackInterview, ImprovementAction
from performance.tests.factories import appraisal_for, scores


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.mark.django_db(transaction=True)
def test_two_superior_submissions_at_once_one_wins(org):
    """Given a submitted self-evaluation, when the superior's submission arrives twice at the same
    moment (a double click on two tabs), then one wins, the other is told it was submitted, and
    one event is audited and one notification sent."""
    appraisal = appraisal_for(org.agent)
    services.appraisal_self_save(
        actor=org.agent.user, appraisal_id=appraisal.pk, items=scores(appraisal, "80"), submit=True
    )

    def submit(value):
        return lambda: services.appraisal_superior_save(
            actor=org.supervisor.user, appraisal_id=appraisal.pk, items=scores(appraisal, value), submit=True
        )

    assert run_parallel([submit("90"), submit("60")]) == ["ok", "superior_submitted"]
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert a.status == "interview" and a.total_score is not None
    assert AuditEvent.objects.filter(action="appraisal.superior_submit").count() == 1
    assert Notification.objects.filter(kind="performance.superior_submitted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_interviews_at_once_record_one(org):
    appraisal = appraisal_for(org.agent)
    services.appraisal_self_save(
        actor=org.agent.user, appraisal_id=appraisal.pk, items=scores(appraisal, "80"), submit=True
    )
    services.appraisal_superior_save(
        actor=org.supervisor.user, appraisal_id=appraisal.pk, items=scores(appraisal, "90"), submit=True
    )

    def record():
        return services.appraisal_interview_record(
            actor=org.supervisor.user,
            appraisal_id=appraisal.pk,
            held_on=datetime.date(2025, 6, 12),
            strengths="好",
            problems="无",
            actions=[{"action": "练习", "owner_id": org.agent.pk, "due_on": "2025-06-30"}],
        )

    assert run_parallel([record, record]) == ["interview_not_ready", "ok"]
    assert FeedbackInterview.objects.count() == 1 and ImprovementAction.objects.count() == 1
