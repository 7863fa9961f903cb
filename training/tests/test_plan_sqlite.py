"""The plan's headline journey on the `make run` database (SQLite), on the demo ``seed_demo``
makes, over HTTP: the demo plan of the year (four quarters, one adjustment with its reason), then
HR creates next year's plan, adds items, puts it in force, adjusts it with a reason, reads the
history and records an effect conclusion (TRN-1, TRN-3)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from callcenter.models import User
from training.models import EffectReview, PlanItem, PlanVersion, TrainingPlan

pytestmark = pytest.mark.sqlite

API = "/api/v1/training"


@pytest.fixture
def demo(sqlite_db, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    call_command("seed_demo", employees=30, months=1, stdout=StringIO())


def test_hr_plans_adjusts_and_concludes_on_sqlite(demo):
    year = timezone.localdate().year
    demo_plan = TrainingPlan.objects.get(year=year)
    versions = list(PlanVersion.objects.filter(plan=demo_plan).order_by("number"))
    assert [v.number for v in versions] == [1, 2] and versions[1].reason
    assert set(PlanItem.objects.filter(version=versions[1]).values_list("quarter", flat=True)) == {1, 2, 3, 4}

    client = Client()
    client.force_login(User.objects.get(username="hr"))
    with translation.override("en"):
        assert client.get(f"/training/plan/{demo_plan.pk}/").status_code == 200
        assert client.get(f"/training/plan/{demo_plan.pk}/history/").status_code == 200

        created = client.post(
            f"{API}/plans/", json.dumps({"year": year + 1, "title": "明年计划"}), content_type="application/json"
        )
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        item = {
            "title": "服务规范",
            "month": 3,
            "topic_area": "service",
            "delivery_mode": "internal",
            "planned_hours": "2.5",
            "budget": "1234.56",
            "need": "投诉上升",
            "need_source": "complaints",
        }
        added = client.post(f"{API}/plans/{pk}/items/", json.dumps(item), content_type="application/json")
        assert added.status_code == 201, added.content
        lineage = added.json()["lineage"]
        assert client.post(f"{API}/plans/{pk}/publish/").status_code == 200
        adjusted = client.post(
            f"/training/plan/{pk}/items/{lineage}/edit/",
            {
                **item,
                "month": "",
                "quarter": "2",
                "budget": "2000.10",
                "audience_kind": "new_hires",
                "reason": "预算调整与时间推迟",
            },
        )
        assert adjusted.status_code == 302, adjusted.content[:2000]
        history = client.get(f"{API}/plans/{pk}/versions/").json()["results"]
        assert [h["version"]["number"] for h in history] == [2, 1]
        fields = {f[0]: f[1:] for f in history[0]["changes"][0]["fields"]}
        assert fields["budget"] == ["1234.56", "2000.10"] and fields["month"] == [3, None]
        page = client.get(f"/training/plan/{pk}/")
        assert page.status_code == 200 and "¥2,000.10" in page.content.decode()  # the total, {% load money %}
        concluded = client.post(
            f"/training/effect/plan/{pk}/items/{lineage}/", {"conclusion": "计划项已调整，下季度复查效果"}
        )
        assert concluded.status_code == 302
    review = EffectReview.objects.get()
    assert review.plan_id == pk and str(review.lineage) == lineage and review.reviewed_by.username == "hr"
