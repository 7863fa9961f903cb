"""The courses and sessions demo (``seed_demo``): the catalogue with the awareness course SEC-3
asks for, past sessions with records, upcoming sessions with enrolments (TRN-2, TRN-3)."""

from io import StringIO

import pytest
from django.core.management import call_command

from attendance.models import OffPhoneActivity
from training.models import Course, Enrolment, SatisfactionResponse, TrainingRecord, TrainingSession

pytestmark = pytest.mark.django_db


def test_seed_courses_sessions_and_records():
    out = StringIO()
    call_command("seed_demo", employees=40, months=2, stdout=out)
    assert Course.objects.count() >= 12
    awareness = Course.objects.get(code="security-awareness")
    assert (awareness.title, awareness.topic_area, awareness.delivery_mode) == ("数据安全意识", "security", "online")
    assert Course.objects.filter(induction=True).exists()
    assert set(Course.objects.values_list("topic_area", flat=True)) == {
        "business",
        "communication",
        "service",
        "systems",
        "security",
    }
    assert TrainingSession.objects.filter(status="held").count() >= 3
    assert TrainingRecord.objects.filter(source="session", result="passed").exists()
    assert SatisfactionResponse.objects.exists()
    upcoming = TrainingSession.objects.filter(status="scheduled")
    assert upcoming.count() == 4
    assert Enrolment.objects.filter(session__in=upcoming).count() == OffPhoneActivity.objects.count() > 0
    assert "training:" in out.getvalue()
