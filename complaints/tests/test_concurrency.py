"""Two people acting on one complaint at once (real parallel connections): one wins, the other
gets a clear conflict, one follow-up and one audit event."""

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone

from callcenter.errors import ApplicationError
from callcenter.tests import factories as f
from complaints import services
from complaints.models import Complaint, ComplaintStatus, FollowUp
from datasecurity.models import AuditEvent


@pytest.mark.django_db(transaction=True)
def test_two_follow_ups_at_once_one_wins(org, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    second_handler = f.EmployeeFactory(
        user=f.UserFactory(username="handler2", roles=["complaint_handler"]), team=org.b1, department=org.dept_b
    )
    complaint = services.complaint_record(
        actor=org.agent.user,
        customer_name="王先生",
        phone="13812345678",
        matter="态度问题",
        channel="phone",
        cause="态度问题",
    )
    services.complaint_plan(
        actor=org.handler.user,
        complaint_id=complaint.pk,
        description="回访",
        responsible_id=org.handler.pk,
        deadline=timezone.now() + datetime.timedelta(days=1),
    )
    services.complaint_resolve(actor=org.handler.user, complaint_id=complaint.pk, text="已处理")
    barrier = threading.Barrier(2)
    outcomes = []

    def follow_up(user, score):
        try:
            barrier.wait()
            services.complaint_follow_up(actor=user, complaint_id=complaint.pk, satisfaction=score)
            outcomes.append("ok")
        except ApplicationError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=follow_up, args=(org.handler.user, 5)),
        threading.Thread(target=follow_up, args=(second_handler.user, 2)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["not_resolved", "ok"], ["closed", "ok"])
    assert FollowUp.objects.filter(complaint=complaint).count() == 1
    assert AuditEvent.objects.filter(action="complaint.follow_up", object_id=str(complaint.pk)).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).status in (ComplaintStatus.CLOSED, ComplaintStatus.INVESTIGATING)
