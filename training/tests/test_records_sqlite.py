"""The records journey on the `make run` database (SQLite, eager Celery), over HTTP, on the demo
call center: the agent opens "My training" and downloads a certificate (TRN-3), HR makes a course
mandatory, reads the compliance report and exports it, the supervisor reads the compliance card and
who is due, and the reminder job reminds once (TRN-3). Marked ``sqlite``: it runs in the SQLite
child run (conftest.py)."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.models import User
from training.models import Course, MandatoryCourse, TrainingRecord, TrainingReminder
from training.services import training_reminders_send

pytestmark = pytest.mark.sqlite


@pytest.fixture
def demo(sqlite_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", employees=30, months=1, stdout=StringIO())
    return SimpleNamespace(users={u.username: u for u in User.objects.all()})


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_records_certificate_and_compliance_on_sqlite(demo):
    agent, hr, supervisor = (demo.users[name] for name in ("agent", "hr", "supervisor"))
    # The demo: the induction and the awareness course are mandatory; the agent has an external course.
    assert MandatoryCourse.objects.filter(course__code="security-awareness").exists()
    own = TrainingRecord.objects.filter(employee__user=agent, certificate_no__isnull=False).first()
    assert own is not None
    client = client_of(agent)
    page = client.get(reverse("training:my_training"))
    assert page.status_code == 200 and own.certificate_no in page.content.decode()
    pdf = client.get(reverse("training:certificate", args=[own.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    hr_client = client_of(hr)
    course = Course.objects.create(
        code="sqlite-1", title="服务规范复训", topic_area="service", delivery_mode="internal", hours=2
    )
    today = timezone.localdate()
    response = hr_client.post(
        reverse("training:mandatory_new"),
        {
            "course": course.pk,
            "audience_kind": "everyone",
            "deadline_kind": "fixed",
            "fixed_date": today.isoformat(),
            "active": "on",
        },
    )
    assert response.status_code == 302
    report = hr_client.get(reverse("training:compliance"))
    assert report.status_code == 200 and 'data-count="overdue"' in report.content.decode()
    assert hr_client.get(reverse("training:compliance_export", args=["xlsx"])).status_code == 200
    assert hr_client.get(reverse("training:records_export", args=["csv"])).status_code == 200

    sup_client = client_of(supervisor)
    assert 'data-card="training_compliance"' in sup_client.get(reverse("callcenter:dashboard")).content.decode()
    assert sup_client.get(reverse("training:compliance_people"), {"state": "due"}).status_code == 200

    first = training_reminders_send(today=today)["reminders"]
    assert first > 0 and training_reminders_send(today=today)["reminders"] == 0
    assert TrainingReminder.objects.count() == first
