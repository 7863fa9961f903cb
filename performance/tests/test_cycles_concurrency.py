"""The month-end opening and HR's lock under real parallel connections (PRF-2): two openings of
the same month at once (the daily job and HR's button) create one cycle and each appraisal
once; a lock racing a self-evaluation either waits for it or makes it fail with "locked"."""

import pytest

from callcenter.tests.parallel import run_parallel
from performance import services
from performance.models import Appraisal, AppraisalCycle, AppraisalItem, AppraisalStatus
from performance.services import cycles
from performance.tests.factories import MONTH, agent_template, scores


@pytest.mark.django_db(transaction=True)
def test_two_openings_at_once_create_everything_once(org, monkeypatch):
    """Given chunks of 3, when two openings of May run at the same moment, then there is one
    cycle, each employee has one appraisal with its 7 items, and the two runs' counts add up."""
    agent_template(org)
    monkeypatch.setattr(cycles, "CYCLE_CHUNK", 3)

    def open_may():
        return services.appraisal_cycle_open(month=MONTH)[1]

    created = run_parallel([open_may, open_may], results=True)
    assert sum(created) == 10
    assert AppraisalCycle.objects.get(month=MONTH).status == "open"
    ids = list(Appraisal.objects.values_list("employee_id", flat=True))
    assert len(ids) == len(set(ids)) == 10
    assert AppraisalItem.objects.count() == 70


@pytest.mark.django_db(transaction=True)
def test_lock_racing_a_self_evaluation(org):
    """Given an open May, when the employee submits while HR force-locks, then either the
    submission landed before the lock (and is locked with it) or it is refused as locked; the
    appraisal ends locked either way."""
    agent_template(org)
    cycle, _created = services.appraisal_cycle_open(month=MONTH)
    appraisal = Appraisal.objects.get(employee=org.agent)

    def submit():
        services.appraisal_self_save(
            actor=org.agent.user, appraisal_id=appraisal.pk, items=scores(appraisal, "80"), submit=True
        )
        return "submitted"

    def lock():
        services.appraisal_cycle_lock(actor=org.hr.user, cycle_id=cycle.pk, force=True)
        return "locked"

    outcomes = sorted(run_parallel([submit, lock], results=True))
    assert outcomes in (["locked", "submitted"], ["locked", "locked"])
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert a.status == AppraisalStatus.LOCKED and a.locked_at is not None
    assert (a.self_submitted_at is not None) == ("submitted" in outcomes)
