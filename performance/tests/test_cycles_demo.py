"""The appraisal demo (``seed_demo``): last month's cycle opened with templates, metrics and
evaluations under way, the demo agent's own appraisal left to fill in, the review page showing
it, and a second seed run (``--append``) adding without duplicating."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.models import User
from datasecurity.selectors import audit_chain_verify
from performance.models import AgentDailyMetric, Appraisal, AppraisalCycle, AppraisalStatus, AppraisalTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.CELERY_TASK_ALWAYS_EAGER = True


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_demo_opens_last_month_with_evaluations_under_way():
    """Given an empty database, when the demo is seeded, then last month's cycle is open with an
    appraisal per employee whose post has a template (not the VP's: a gap for HR to see),
    agents have metrics, some evaluations are submitted or complete, the demo agent's own
    appraisal waits for them, and the audit chain holds."""
    out = StringIO()
    call_command("seed_demo", employees=60, months=1, stdout=out)
    assert "appraisals:" in out.getvalue()
    cycle = AppraisalCycle.objects.get(month=last_month())
    assert cycle.status == "open"
    assert AppraisalTemplate.objects.filter(active=True).exists()
    assert not AppraisalTemplate.objects.filter(position__code="VP").exists()
    assert AgentDailyMetric.objects.filter(day__gte=cycle.month).exists()
    statuses = set(Appraisal.objects.filter(cycle=cycle).values_list("status", flat=True))
    assert {AppraisalStatus.SELF, AppraisalStatus.SUPERIOR} <= statuses or AppraisalStatus.INTERVIEW in statuses
    assert Appraisal.objects.filter(cycle=cycle).exclude(status=AppraisalStatus.SELF).count() >= 5
    agent = Appraisal.objects.filter(cycle=cycle, employee__user__username="agent").first()
    assert agent is not None and agent.status == AppraisalStatus.SELF
    assert agent.items.filter(method="automatic", auto_score__isnull=False).exists()
    assert audit_chain_verify().ok

    client = Client()
    client.force_login(User.objects.get(username="hr"))
    response = client.get(reverse("performance:cycle_review", args=[cycle.pk]))
    assert response.status_code == 200
    assert response.context["without_template"][0] >= 1  # the company leader (VP post)

    before = Appraisal.objects.count()
    call_command("seed_demo", employees=30, months=1, append=True, stdout=StringIO())
    assert Appraisal.objects.count() > before
    ids = list(Appraisal.objects.filter(cycle=cycle).values_list("employee_id", flat=True))
    assert len(ids) == len(set(ids))
