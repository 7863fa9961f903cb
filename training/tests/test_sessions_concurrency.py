"""The last seat of a session under real parallel connections (TRN-2): the session's row lock
makes two enrolments at the same moment wait for each other; one wins, the other is refused."""

import pytest

from attendance.models import OffPhoneActivity
from callcenter.tests.parallel import run_parallel
from datasecurity.models import AuditEvent
from training import services
from training.models import Enrolment
from training.tests.factories import course, session_for


@pytest.mark.django_db(transaction=True)
def test_two_enrolments_for_the_last_seat_one_wins(org, trainer):
    """Given a session with one seat left, when HR enrols the agent and the supervisor enrols the
    peer at the same moment, then one is enrolled and the other gets session_full."""
    session = session_for(course(), trainer=trainer.user, capacity=2, enrol=[org.other_dept])
    outcomes = run_parallel(
        [
            lambda: services.enrolment_create(actor=org.hr.user, session_id=session.pk, employee_ids=[org.agent.pk]),
            lambda: services.enrolment_create(
                actor=org.supervisor.user, session_id=session.pk, employee_ids=[org.peer.pk]
            ),
        ]
    )
    assert outcomes == ["ok", "session_full"]
    assert Enrolment.objects.filter(session=session, status="enrolled").count() == 2
    assert OffPhoneActivity.objects.count() == 1
    assert AuditEvent.objects.filter(action="enrolment.create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_person_twice_at_once_is_enrolled_once(org, trainer):
    """Two tabs enrolling the same agent at once: one enrolment (the database's unique constraint
    and the row lock), the other refused as already enrolled."""
    session = session_for(course(open_enrolment=True), trainer=trainer.user, capacity=5)

    def enrol():
        return services.enrolment_create(actor=org.agent.user, session_id=session.pk, employee_ids=[org.agent.pk])

    assert run_parallel([enrol, enrol]) == ["already_enrolled", "ok"]
    assert Enrolment.objects.filter(session=session).count() == 1
