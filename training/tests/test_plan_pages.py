"""The plan and effect pages and API (TRN-1, TRN-3): the role matrix, the needs panel with and
without performance, escaping of what users typed, bad input (400, never 500, nothing changed),
mass assignment refused, and query counts bounded whatever the number of items."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone, translation

from callcenter.providers import training_indicator_provider, training_indicator_provider_register
from training import services
from training.models import EffectReview, PlanItem, PlanVersion, TrainingPlan
from training.tests.factories.plan import course, enrol, item_data, plan_with_items, session

pytestmark = pytest.mark.django_db

API = "/api/v1/training"
XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def client_of(employee) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(employee.user)
    return client


def post_json(client, path, data):
    return client.post(path, json.dumps(data, default=str), content_type="application/json")


READERS = ["hr", "trainer", "manager", "leader"]
REFUSED = ["agent", "supervisor", "auditor", "handler"]
WRITERS = ["hr", "trainer"]


@pytest.fixture
def plan(org, trainer):
    plan, _ = plan_with_items(org.hr.user, items=2, publish=True)
    return plan


@pytest.mark.parametrize("who", READERS + REFUSED)
def test_trn1_who_reads_the_plan(org, trainer, plan, who):
    client = client_of(getattr(org, who))
    item = PlanItem.objects.filter(version__plan=plan).first()
    pages = [
        "/training/plan/",
        f"/training/plan/{plan.pk}/",
        f"/training/plan/{plan.pk}/history/",
        "/training/effect/",
        f"/training/effect/plan/{plan.pk}/items/{item.lineage}/",
    ]
    endpoints = [
        f"{API}/plans/",
        f"{API}/plans/{plan.pk}/",
        f"{API}/plans/{plan.pk}/versions/",
        f"{API}/plans/{plan.pk}/items/",
    ]
    expected = 200 if who in READERS else 403
    for url in pages + endpoints:
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("who", READERS + REFUSED)
def test_trn1_who_edits_the_plan(org, trainer, plan, who):
    client = client_of(getattr(org, who))
    allowed = who in WRITERS
    assert client.get(f"/training/plan/{plan.pk}/items/new/").status_code == (200 if allowed else 403)
    before = PlanItem.objects.count()
    response = post_json(
        client, f"{API}/plans/{plan.pk}/items/", {**item_data(title="新项目"), "reason": "年中调整原因"}
    )
    assert response.status_code == (201 if allowed else 403), response.content
    assert PlanItem.objects.count() > before if allowed else PlanItem.objects.count() == before
    needs = client.get(f"{API}/plans/needs/")
    assert needs.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("who", READERS + REFUSED)
def test_trn3_only_hr_records_a_conclusion(org, trainer, who):
    c = course()
    client = client_of(getattr(org, who))
    response = post_json(client, f"{API}/effect/reviews/", {"course_id": c.pk, "conclusion": "满意度高，保持"})
    assert response.status_code == (201 if who == "hr" else 403)
    page = client.post(f"/training/effect/courses/{c.pk}/", {"conclusion": "页面结论五个字"})
    assert page.status_code == (302 if who == "hr" else 403)
    assert EffectReview.objects.count() == (2 if who == "hr" else 0)


def test_trn1_user_text_is_escaped(org, trainer):
    plan = services.plan_create(actor=org.hr.user, year=2026, title=XSS)
    item = services.plan_item_add(actor=org.hr.user, plan_id=plan.pk, **item_data(title=XSS, need=XSS))
    services.plan_publish(actor=org.hr.user, plan_id=plan.pk)
    services.plan_item_change(
        actor=org.hr.user, plan_id=plan.pk, lineage=item.lineage, reason=XSS, **item_data(title=XSS + "2", need=XSS)
    )
    services.effect_review_record(actor=org.hr.user, plan_id=plan.pk, lineage=item.lineage, conclusion=XSS)
    client = client_of(org.hr)
    for url in (
        f"/training/plan/{plan.pk}/",
        f"/training/plan/{plan.pk}/history/",
        f"/training/plan/{plan.pk}/?version=1",
        f"/training/effect/plan/{plan.pk}/items/{item.lineage}/",
        f"/training/plan/{plan.pk}/items/{item.lineage}/edit/",
        "/training/plan/",
    ):
        body = client.get(url).content.decode()
        assert XSS not in body, url
        assert "&lt;script&gt;" in body, url


def test_trn1_bad_input_is_a_clear_400_and_changes_nothing(org, plan):
    client = client_of(org.hr)
    before = (PlanItem.objects.count(), PlanVersion.objects.count())
    for body in (
        {**item_data(), "quarter": 9},
        {**item_data(), "month": 4, "quarter": 1, "reason": "理由五个字以上"},
        {**item_data(), "planned_hours": "lots"},
        {**item_data(), "course_id": "1; drop table"},
        {**item_data()},  # in force: no reason
        {"title": ""},
    ):
        response = post_json(client, f"{API}/plans/{plan.pk}/items/", body)
        assert response.status_code == 400, (body, response.content)
        assert response.json()["detail"]
    page = client.post(f"/training/plan/{plan.pk}/items/new/", {"title": "x", "quarter": "7", "need": "y"})
    assert page.status_code == 400
    assert client.get(f"/training/plan/{plan.pk}/?version=abc&threshold=-5").status_code == 200
    assert client.get(f"/training/plan/{plan.pk}/?version=99").status_code == 404
    assert client.get(f"{API}/plans/{plan.pk}/items/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get(f"{API}/effect/courses/999999/").status_code == 404
    assert client.get(f"{API}/plans/needs/?threshold=500").status_code == 400
    assert (PlanItem.objects.count(), PlanVersion.objects.count()) == before


def test_trn1_mass_assignment_is_refused(org, plan):
    client = client_of(org.hr)
    response = post_json(
        client,
        f"{API}/plans/{plan.pk}/items/",
        {
            **item_data(),
            "reason": "年中调整原因",
            "version": 1,
            "lineage": "11111111-1111-1111-1111-111111111111",
            "id": 5,
        },
    )
    assert response.status_code == 201
    item = PlanItem.objects.get(title=item_data()["title"], version__number=2)
    assert str(item.lineage) != "11111111-1111-1111-1111-111111111111"
    created = post_json(client, f"{API}/plans/", {"year": 2031, "title": "x", "created_by": org.agent.user.pk})
    assert created.status_code == 201
    assert TrainingPlan.objects.get(year=2031).created_by == org.hr.user


def test_trn1_the_page_form_adjusts_with_a_reason(org, plan):
    org.hr.user.preferred_language = "en"  # the refusal is matched in English
    org.hr.user.save(update_fields=["preferred_language"])
    client = client_of(org.hr)
    item = PlanItem.objects.filter(version__plan=plan).order_by("pk").first()
    url = f"/training/plan/{plan.pk}/items/{item.lineage}/edit/"
    form = {
        "title": "新标题",
        "month": "5",
        "quarter": "",
        "topic_area": "service",
        "delivery_mode": "online",
        "planned_hours": "3",
        "budget": "0",
        "need": "需求说明",
        "need_source": "other",
        "audience_kind": "everyone",
    }
    refused = client.post(url, form)
    assert refused.status_code == 400 and b"adjusted" in refused.content
    done = client.post(url, {**form, "reason": "三季度需求变化"})
    assert done.status_code == 302
    latest = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    assert latest.number == 2 and latest.reason == "三季度需求变化"
    assert latest.items.get(lineage=item.lineage).title == "新标题"
    removed = client.post(f"/training/plan/{plan.pk}/items/{item.lineage}/remove/", {"reason": "不再需要此项"})
    assert removed.status_code == 302
    assert PlanVersion.objects.filter(plan=plan).count() == 3


def test_trn1_plan_page_queries_are_bounded(org, django_assert_max_num_queries):
    plan = services.plan_create(actor=org.hr.user, year=2026, title="x")
    c = course()
    for i in range(3):
        services.plan_item_add(
            actor=org.hr.user,
            plan_id=plan.pk,
            **item_data(title=f"T{i}", course_id=c.pk, audience_kind="teams", audience_team_ids=[org.a1.pk]),
        )
    client = client_of(org.hr)
    url = f"/training/plan/{plan.pk}/"
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    for i in range(30):
        services.plan_item_add(
            actor=org.hr.user,
            plan_id=plan.pk,
            **item_data(title=f"M{i}", audience_kind="people", audience_people_ids=[org.agent.pk, org.peer.pk]),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(f"/training/plan/{plan.pk}/history/").status_code == 200


def test_trn3_effect_page_figures_and_bounded_queries(org, trainer, django_assert_max_num_queries):
    plan = services.plan_create(actor=org.hr.user, year=timezone.localdate().year, title="x")
    c = course()
    item = services.plan_item_add(actor=org.hr.user, plan_id=plan.pk, **item_data(course_id=c.pk))
    starts = timezone.now() - datetime.timedelta(hours=3)
    if starts.year != plan.year:  # the first hours of a year
        starts = timezone.now()
    s = session(c, starts=starts)
    enrol(s, org.agent, attendance="present")
    enrol(s, org.peer, attendance="absent")
    client = client_of(org.hr)
    url = f"/training/effect/plan/{plan.pk}/items/{item.lineage}/"
    with django_assert_max_num_queries(30) as few:
        body = client.get(url).content.decode()
    assert 'data-figure="attendance">50.00%' in body
    for employee in (org.supervisor, org.other_team, org.other_dept, org.manager, org.leader):
        enrol(session(c, starts=starts), employee, attendance="late")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(url).content.decode()
    assert 'data-figure="attendance">85.71%' in body  # 6 of 7
    api = client.get(f"{API}/effect/plans/{plan.pk}/items/{item.lineage}/").json()
    assert api["figures"]["enrolled"] == 7 and api["figures"]["attended"] == 6


def test_trn1_needs_panel_without_performance(org, trainer):
    plan, _ = plan_with_items(org.hr.user, items=1)
    saved = training_indicator_provider()
    training_indicator_provider_register(None)
    try:
        body = client_of(org.hr).get(f"/training/plan/{plan.pk}/").content.decode()
        api = client_of(trainer).get(f"{API}/plans/needs/").json()
    finally:
        training_indicator_provider_register(saved)
    assert 'data-needs="no-performance"' in body
    assert api["indicators"] == {"available": False, "rows": []}


def test_trn1_needs_panel_hidden_from_readers_who_do_not_plan(org, trainer):
    plan, _ = plan_with_items(org.hr.user, items=1)
    body = client_of(org.manager).get(f"/training/plan/{plan.pk}/").content.decode()
    assert 'id="needs-panel"' not in body
    assert 'id="needs-panel"' in client_of(trainer).get(f"/training/plan/{plan.pk}/").content.decode()


def test_trn1_new_hires_without_induction_are_a_need(org, trainer):
    org.other_team.hire_date = timezone.localdate() - datetime.timedelta(days=3)
    org.other_team.save(update_fields=["hire_date"])
    plan, _ = plan_with_items(org.hr.user, items=1)
    body = client_of(org.hr).get(f"/training/plan/{plan.pk}/").content.decode()
    assert body.count('data-need="new-hire"') == 1 and org.other_team.name in body
    assert "need_source=new_hires" in body


def test_trn1_the_prefill_link_fills_the_form(org, trainer):
    plan, _ = plan_with_items(org.hr.user, items=1)
    url = f"/training/plan/{plan.pk}/items/new/?need_source=appraisal&team={org.a2.pk}&title=QA&need=low"
    body = client_of(trainer).get(url).content.decode()
    assert 'value="QA"' in body
    assert f'<option value="{org.a2.pk}" selected>' in body
    assert '<option value="appraisal" selected>' in body


def test_trn1_most_frequent_complaint_causes_are_a_need(org, trainer):
    from complaints.tests.factories.statistics import complaint_row  # noqa: PLC0415 - one test needs it

    received = timezone.now() - datetime.timedelta(days=5)
    for n in range(3):
        complaint_row(org, n, received=received, cause="语气生硬 13812345678")
    complaint_row(org, 3, received=received, cause="回电超时")
    complaint_row(org, 4, received=received - datetime.timedelta(days=400), cause="很久以前")
    plan, _ = plan_with_items(org.hr.user, items=1)
    api = client_of(org.hr).get(f"{API}/plans/needs/").json()
    causes = [(c["cause"], c["count"]) for c in api["complaints"]]
    assert causes[0][1] == 3 and "13812345678" not in causes[0][0]  # scrubbed of contact details
    assert ("回电超时", 1) in causes and all(c != "很久以前" for c, _ in causes)
    body = client_of(org.hr).get(f"/training/plan/{plan.pk}/").content.decode()
    assert body.count('data-need="complaint"') == 2
