"""Appraisal pages (PRF-3): who may open what (role × page × own/other team), the self and
superior forms (draft, submit, clear errors that change nothing), the interview form, HR's send
back, the lock, the explanation of the numbers, the history chart and bounded queries."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.tests.factories import EmployeeFactory
from performance import services
from performance.models import Appraisal, AppraisalCycle, ImprovementAction
from performance.tests.factories import MONTH, appraisal_for, cycle_for, manual_items, scores

ROLE_USERS = [
    "agent",
    "peer",
    "supervisor",
    "manager",
    "leader",
    "hr",
    "handler",
    "auditor",
    "other_team",
    "other_dept",
]
# Who sees the agent's appraisal (team A1, department A): themselves, the supervisor, the
# department's manager and leader in charge, HR.
SEES_AGENT = {"agent", "supervisor", "manager", "leader", "hr"}
TEAM_PAGE = {"supervisor", "manager", "leader", "hr"}


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def login(client, org, who):
    user = getattr(org, who).user
    if user.preferred_language != "en":  # read the messages as written in the code
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


def detail_url(appraisal, name="performance:appraisal_detail"):
    return reverse(name, args=[appraisal.pk])


def score_post(appraisal, value, action="save", summary="小结"):
    data = {"summary": summary, "action": action}
    for item in manual_items(appraisal):
        data[f"score_{item.pk}"] = value
        data[f"comment_{item.pk}"] = "说明"
    return data


def submitted(org, appraisal, *, superior=True):
    services.appraisal_self_save(
        actor=org.agent.user, appraisal_id=appraisal.pk, items=scores(appraisal, "80"), submit=True
    )
    if superior:
        services.appraisal_superior_save(
            actor=org.supervisor.user, appraisal_id=appraisal.pk, items=scores(appraisal, "90"), submit=True
        )
    return appraisal


# --- Access: role × page × own/other team ----------------------------------------------------------------


@pytest.mark.parametrize("who", ROLE_USERS)
def test_my_appraisal_page_opens_for_everyone(client, org, who):
    appraisal_for(org.agent)
    response = login(client, org, who).get(reverse("performance:my_appraisal"))
    assert response.status_code == 200
    if who == "agent":
        assert response.context["current"] is not None
    else:
        assert response.context["current"] is None


@pytest.mark.parametrize("who", ROLE_USERS)
def test_appraisal_page_only_for_those_who_may_see_it(client, org, who):
    """Given the agent's appraisal, then the agent, their supervisor, manager, leader and HR open
    it; anyone else (a peer, another team, another department, complaint team, auditor) gets 404."""
    appraisal = appraisal_for(org.agent)
    response = login(client, org, who).get(detail_url(appraisal))
    assert response.status_code == (200 if who in SEES_AGENT else 404)


@pytest.mark.parametrize("who", ROLE_USERS)
def test_team_page_for_superiors_and_hr(client, org, who):
    response = login(client, org, who).get(reverse("performance:team_appraisals"))
    assert response.status_code == (200 if who in TEAM_PAGE else 403)


A_TEAM = {"agent", "peer", "supervisor", "manager", "leader"}  # team A1 (manager and leader sit in it)
EVERYONE = [*A_TEAM, "other_team", "other_dept", "hr", "handler", "auditor"]


@pytest.mark.parametrize(
    "who,expected",
    [
        ("supervisor", A_TEAM),
        ("manager", A_TEAM | {"other_team"}),  # department A
        ("leader", A_TEAM | {"other_team"}),  # department A (leader in charge)
        ("hr", set(EVERYONE)),
    ],
)
def test_team_list_shows_only_the_remit(client, org, who, expected):
    ids = {appraisal_for(getattr(org, name)).pk: name for name in EVERYONE}
    response = login(client, org, who).get(reverse("performance:team_appraisals"))
    assert {ids[a.pk] for a in response.context["page_obj"]} == expected


@pytest.mark.parametrize("who,status", [("supervisor", 302), ("other_dept", 404), ("peer", 404), ("hr", 403)])
def test_superior_form_post_matrix(client, org, who, status):
    """Only the evaluator evaluates: another team or a peer gets 404, HR (never scores) 403."""
    appraisal = submitted(org, appraisal_for(org.agent), superior=False)
    response = login(client, org, who).post(
        detail_url(appraisal, "performance:appraisal_superior"), score_post(appraisal, "90")
    )
    assert response.status_code == status


@pytest.mark.parametrize("who,status", [("hr", 302), ("supervisor", 403), ("agent", 403), ("manager", 403)])
def test_send_back_only_by_hr(client, org, who, status):
    appraisal = submitted(org, appraisal_for(org.agent), superior=False)
    response = login(client, org, who).post(
        detail_url(appraisal, "performance:appraisal_send_back"), {"stage": "self", "reason": "请补充说明"}
    )
    assert response.status_code == status
    assert Appraisal.objects.get(pk=appraisal.pk).status == ("self" if status == 302 else "superior")


# --- The self-evaluation on the page ----------------------------------------------------------------------------


def test_agent_saves_a_draft_then_submits_on_the_page(client, org):
    appraisal = appraisal_for(org.agent)
    login(client, org, "agent")
    page = client.get(detail_url(appraisal))
    assert page.context["editing"] == "self"
    assert b'id="appraisal-self-form"' in page.content and b"score_" in page.content
    response = client.post(detail_url(appraisal, "performance:appraisal_self"), score_post(appraisal, "85.5"))
    assert response.status_code == 302
    assert Appraisal.objects.get(pk=appraisal.pk).status == "self"
    response = client.post(
        detail_url(appraisal, "performance:appraisal_self"), score_post(appraisal, "85.5", action="submit"), follow=True
    )
    a = Appraisal.objects.get(pk=appraisal.pk)
    assert a.status == "superior" and a.self_score.to_eng_string() == "85.50"
    assert "Submitted." in response.content.decode()
    assert response.context["editing"] == ""


def test_incomplete_submission_shows_the_error_and_changes_nothing(client, org):
    appraisal = appraisal_for(org.agent)
    data = score_post(appraisal, "", action="submit")
    response = login(client, org, "agent").post(detail_url(appraisal, "performance:appraisal_self"), data)
    assert response.status_code == 400
    assert "Score every item before you submit" in response.content.decode()
    assert Appraisal.objects.get(pk=appraisal.pk).status == "self"


def test_a_refused_submit_keeps_everything_typed_and_marks_each_missing_score(client, org):
    # given the agent typed a score for the first item only, a comment for each, and a summary
    appraisal = appraisal_for(org.agent)
    first, *others = manual_items(appraisal)
    data = {"summary": "本月小结", "action": "submit", f"score_{first.pk}": "77.5"}
    for n, item in enumerate([first, *others]):
        data.setdefault(f"score_{item.pk}", "")
        data[f"comment_{item.pk}"] = f"说明{n}"
    # when the server refuses the submission (incomplete, PRF-3)
    response = login(client, org, "agent").post(detail_url(appraisal, "performance:appraisal_self"), data)
    html = response.content.decode()
    # then the page comes back with every typed value and the error next to each missing score
    assert response.status_code == 400
    assert f'name="score_{first.pk}" value="77.5"' in html
    assert "本月小结" in html and all(f"说明{n}" in html for n in range(len(others) + 1))
    assert f'data-field-error="score_{first.pk}"' not in html
    for item in others:
        assert f'data-field-error="score_{item.pk}"' in html
    assert response.context["self_form"].errors[f"score_{others[0].pk}"] == ["A score is needed to submit (PRF-3)."]
    # and nothing was saved
    assert Appraisal.objects.get(pk=appraisal.pk).status == "self"
    assert not Appraisal.objects.get(pk=appraisal.pk).items.filter(self_score__isnull=False).exists()


def test_an_invalid_score_keeps_the_other_typed_scores(client, org):
    appraisal = appraisal_for(org.agent)
    first, second, *_rest = manual_items(appraisal)
    data = score_post(appraisal, "88", action="save")
    data[f"score_{first.pk}"] = "120"  # above the scale
    response = login(client, org, "agent").post(detail_url(appraisal, "performance:appraisal_self"), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert f'name="score_{first.pk}" value="120"' in html and f'name="score_{second.pk}" value="88"' in html
    assert f'data-field-error="score_{first.pk}"' in html


def test_every_score_and_comment_input_has_a_label_naming_its_indicator(client, org):
    appraisal = appraisal_for(org.agent)
    html = login(client, org, "agent").get(detail_url(appraisal)).content.decode()
    for item in manual_items(appraisal):
        for field in ("score", "comment"):
            label = re.search(rf'<label class="visually-hidden" for="id_{field}_{item.pk}">(.*?)</label>', html)
            assert label and item.indicator.display_name in label.group(1), (field, item.pk)


def test_submit_asks_for_confirmation_and_save_draft_does_not(client, org):
    appraisal = appraisal_for(org.agent)
    html = login(client, org, "agent").get(detail_url(appraisal)).content.decode()
    form = html[html.index('id="appraisal-self-form"') : html.index("</form>", html.index('id="appraisal-self-form"'))]
    # the visible Submit button only opens the dialog; the dialog's button (inside the form) submits
    assert re.search(r'<button type="button"[^>]*id="appraisal-submit" data-bs-toggle="modal"', form)
    assert 'data-bs-target="#appraisal-submit-dialog"' in form and 'id="appraisal-submit-dialog"' in form
    assert re.search(r'<button type="submit" name="action" value="submit"[^>]*id="appraisal-submit-confirm"', form)
    assert re.search(r'<button type="submit" name="action" value="save"[^>]*id="appraisal-save"', form)
    assert "<script" not in form  # CSP: Bootstrap's own script opens the dialog


def test_out_of_scale_score_is_a_field_error(client, org):
    appraisal = appraisal_for(org.agent)
    response = login(client, org, "agent").post(
        detail_url(appraisal, "performance:appraisal_self"), score_post(appraisal, "120")
    )
    assert response.status_code == 400
    assert response.context["self_form"].errors
    assert not Appraisal.objects.get(pk=appraisal.pk).items.filter(self_score__isnull=False).exists()


def test_the_superior_page_refuses_before_the_self_evaluation(client, org):
    future = timezone.localdate() + datetime.timedelta(days=5)
    appraisal = appraisal_for(org.agent, cycle=cycle_for(self_deadline=future, superior_deadline=future))
    login(client, org, "supervisor")
    page = client.get(detail_url(appraisal))
    assert page.context["editing"] == "" and b'id="superior-waits"' in page.content
    response = client.post(detail_url(appraisal, "performance:appraisal_superior"), score_post(appraisal, "90"))
    assert response.status_code == 409
    assert "has not submitted the self-evaluation yet" in response.content.decode()


def test_superior_submits_and_the_page_explains_every_number(client, org):
    """Given the self-evaluation submitted, when the supervisor submits 90 everywhere, then the
    page shows the self, superior, automatic and combined scores, the band and the explanation
    lines with the weights (PRF-3, PRF-4), and the automatic items' own explanations (PRF-1)."""
    appraisal = submitted(org, appraisal_for(org.agent), superior=False)
    login(client, org, "supervisor")
    response = client.post(
        detail_url(appraisal, "performance:appraisal_superior"),
        score_post(appraisal, "90", action="submit"),
        follow=True,
    )
    html = response.content.decode()
    assert Appraisal.objects.get(pk=appraisal.pk).status == "interview"
    assert 'id="score-total">89.10' in html
    assert "B (good)" in html
    explanation = response.context["explanation"]
    assert any("× 30%" in line and "× 70%" in line and "89.10" in line for line in explanation)
    assert any("band B" in line and "1.00" in line for line in explanation)
    assert "data-item-explanation" in html and "against target" in html
    assert 'id="record-interview"' in html


def test_employee_sees_the_superior_scores_only_after_submission(client, org):
    appraisal = submitted(org, appraisal_for(org.agent), superior=False)
    services.appraisal_superior_save(
        actor=org.supervisor.user, appraisal_id=appraisal.pk, items=scores(appraisal, "42")
    )
    html = login(client, org, "agent").get(detail_url(appraisal)).content.decode()
    assert "42.00" not in html


# --- Interview, send back, lock -----------------------------------------------------------------------------------


def test_interview_form_records_and_completes(client, org):
    appraisal = submitted(org, appraisal_for(org.agent))
    login(client, org, "supervisor")
    url = detail_url(appraisal, "performance:appraisal_interview")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "held_on": "2025-06-12",
            "strengths": "业务熟练",
            "problems": "通话时长偏长",
            "employee_comment": "",
            "action_0": "学习知识库",
            "owner_0": str(org.agent.pk),
            "due_on_0": "2025-06-30",
            "action_1": "",
            "owner_1": "",
            "due_on_1": "",
        },
    )
    assert response.status_code == 302
    assert Appraisal.objects.get(pk=appraisal.pk).status == "completed"
    assert ImprovementAction.objects.get().owner == org.agent
    html = client.get(detail_url(appraisal)).content.decode()
    assert "业务熟练" in html and "学习知识库" in html


def test_interview_dates_render_as_iso_in_chinese(client, org):
    """A date input accepts only YYYY-MM-DD: the "today" default and a date sent back with an error
    must not come out in the Chinese format (2026/12/06), which the browser shows as empty."""
    appraisal = submitted(org, appraisal_for(org.agent))
    login(client, org, "supervisor")
    url = detail_url(appraisal, "performance:appraisal_interview")
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html
    response = client.post(url, {"held_on": "2025-06-12", "strengths": "", "problems": "", "due_on_0": "2025-06-30"})
    html = response.content.decode()
    assert response.status_code == 400  # the form again, with its errors
    assert 'value="2025-06-12"' in html and 'value="2025-06-30"' in html


def test_interview_form_half_filled_action_row_is_an_error(client, org):
    appraisal = submitted(org, appraisal_for(org.agent))
    response = login(client, org, "supervisor").post(
        detail_url(appraisal, "performance:appraisal_interview"),
        {"held_on": "2025-06-12", "strengths": "好", "problems": "无", "action_0": "学习"},
    )
    assert response.status_code == 400
    assert "Give the action, its owner and its due date." in response.content.decode()
    assert Appraisal.objects.get(pk=appraisal.pk).status == "interview"


@pytest.mark.parametrize("who,status", [("agent", 403), ("hr", 403), ("other_dept", 404)])
def test_interview_form_only_for_the_evaluator(client, org, who, status):
    appraisal = submitted(org, appraisal_for(org.agent))
    response = login(client, org, who).get(detail_url(appraisal, "performance:appraisal_interview"))
    assert response.status_code == status


def test_interview_before_the_evaluation_redirects_with_a_message(client, org):
    appraisal = submitted(org, appraisal_for(org.agent), superior=False)
    response = login(client, org, "supervisor").get(
        detail_url(appraisal, "performance:appraisal_interview"), follow=True
    )
    assert response.redirect_chain
    assert "The feedback interview is recorded after the superior" in response.content.decode()


def test_send_back_reason_is_shown_to_the_employee(client, org):
    appraisal = submitted(org, appraisal_for(org.agent), superior=False)
    login(client, org, "hr").post(
        detail_url(appraisal, "performance:appraisal_send_back"), {"stage": "self", "reason": "请补充工作说明"}
    )
    html = login(client, org, "agent").get(detail_url(appraisal)).content.decode()
    assert 'id="appraisal-returned"' in html and "请补充工作说明" in html
    assert 'id="appraisal-self-form"' in html


def test_a_locked_month_shows_no_forms(client, org):
    appraisal = appraisal_for(org.agent)
    AppraisalCycle.objects.filter(pk=appraisal.cycle_id).update(status="locked", locked_at=timezone.now())
    login(client, org, "agent")
    html = client.get(detail_url(appraisal)).content.decode()
    assert 'id="appraisal-locked"' in html and 'id="appraisal-self-form"' not in html
    response = client.post(detail_url(appraisal, "performance:appraisal_self"), score_post(appraisal, "80"))
    assert response.status_code == 409 and "locked" in response.content.decode()


def test_user_text_is_escaped(client, org):
    appraisal = appraisal_for(org.agent)
    services.appraisal_self_save(
        actor=org.agent.user,
        appraisal_id=appraisal.pk,
        items=scores(appraisal, "80", "<script>alert(1)</script>"),
        submit=True,
    )
    html = login(client, org, "supervisor").get(detail_url(appraisal)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


# --- History, chart, queries ---------------------------------------------------------------------------------------


def _months(n):
    month = MONTH
    for _ in range(n):
        yield month
        month = (month - datetime.timedelta(days=1)).replace(day=1)


def test_history_chart_and_open_actions(client, org):
    """Given two completed months and one open action, then the page shows the chart data
    (oldest first), the history table and the open action."""
    april = datetime.date(2025, 4, 1)
    for month, value in ((april, "70"), (MONTH, "90")):
        a = appraisal_for(org.agent, month)
        services.appraisal_self_save(actor=org.agent.user, appraisal_id=a.pk, items=scores(a, value), submit=True)
        services.appraisal_superior_save(
            actor=org.supervisor.user, appraisal_id=a.pk, items=scores(a, value), submit=True
        )
    services.appraisal_interview_record(
        actor=org.supervisor.user,
        appraisal_id=Appraisal.objects.get(month=april).pk,
        held_on=datetime.date(2025, 5, 10),
        strengths="好",
        problems="无",
        actions=[{"action": "练习话术", "owner_id": org.agent.pk, "due_on": "2025-05-31"}],
    )
    response = login(client, org, "agent").get(reverse("performance:my_appraisal"))
    html = response.content.decode()
    chart = json.loads(html.split('id="chart-appraisal-history" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["2025-04", "2025-05"]
    assert chart["values"] == [84.0, 90.0]  # (70×90 + 30×70)/100 ; all 90
    assert "data-appraisal-chart" in html and "练习话术" in html


def test_my_history_queries_are_bounded(client, org, django_assert_max_num_queries):
    for month in _months(3):
        appraisal_for(org.agent, month)
    login(client, org, "agent")
    client.get(reverse("performance:my_appraisal"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("performance:my_appraisal"))
    for month in list(_months(15))[3:]:
        appraisal_for(org.agent, month)
    with django_assert_max_num_queries(12) as many:
        client.get(reverse("performance:my_appraisal"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_team_list_queries_are_bounded_and_paginated(client, org, django_assert_max_num_queries):
    for _ in range(3):
        appraisal_for(EmployeeFactory(team=org.a1, department=org.dept_a))
    login(client, org, "manager")
    client.get(reverse("performance:team_appraisals"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("performance:team_appraisals"))
    for _ in range(30):
        appraisal_for(EmployeeFactory(team=org.a2, department=org.dept_a))
    with django_assert_max_num_queries(20) as many:
        response = client.get(reverse("performance:team_appraisals"))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(response.context["page_obj"]) == 25
    assert response.context["counts"]["total"] == 33 and response.context["counts"]["self"] == 33
    filtered = client.get(reverse("performance:team_appraisals"), {"team": org.a1.pk, "status": "self"})
    assert len(filtered.context["page_obj"]) == 3


def test_detail_queries_are_bounded(client, org, django_assert_max_num_queries):
    appraisal = submitted(org, appraisal_for(org.agent))
    login(client, org, "supervisor")
    client.get(detail_url(appraisal))
    with django_assert_max_num_queries(20):
        client.get(detail_url(appraisal))


@pytest.mark.parametrize(
    "who,teams",
    [("supervisor", {"a1"}), ("manager", {"a1", "a2"}), ("hr", {"a1", "a2", "b1"})],
)
def test_team_filter_offers_the_teams_of_the_remit(client, org, who, teams):
    """The team filter of the team list offers what ``callcenter.selectors.team_choices`` decides:
    a supervisor their team, a manager their department's, HR every team."""
    appraisal_for(org.agent)
    response = login(client, org, who).get(reverse("performance:team_appraisals"))
    offered = {pk for pk, _label in response.context["form"].fields["team"].choices if pk}
    assert offered == {getattr(org, name).pk for name in teams}
