"""Cycle pages (PRF-2): who may open what (role × page × own/other department), HR's actions
(open with clear form errors, refresh, remind, lock refused then forced), the review's figures
(progress, missing list with filters, gaps, bands per team), Chinese by default, bounded queries."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from callcenter.models import Notification
from callcenter.tests.factories import EmployeeFactory
from performance import services
from performance.models import (
    Appraisal,
    AppraisalCycle,
    AppraisalPolicy,
    AppraisalStatus,
    CycleStatus,
    FeedbackInterview,
)
from performance.tasks import appraisal_cycle_open_run
from performance.tests.factories import MONTH, agent_template, employee

ROLE_USERS = [
    *("agent", "peer", "supervisor", "manager", "leader"),
    *("hr", "handler", "auditor", "other_team", "other_dept"),
]
READERS = {"manager", "leader", "hr"}


@pytest.fixture(autouse=True)
def _eager(celery_eager):
    """HR's "open a month" queues a task: run it here."""


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def login(client, org, who, language="en"):
    user = getattr(org, who).user
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    client.force_login(user)
    return client


@pytest.fixture
def cycle(org):
    agent_template(org)
    cycle, _created = services.appraisal_cycle_open(month=MONTH)
    return cycle


def review_url(cycle, name="performance:cycle_review"):
    return reverse(name, args=[cycle.pk])


# --- Permission matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ROLE_USERS)
def test_pages_role_matrix(client, org, cycle, who):
    """Given an opened cycle, when each role opens the list and the review, then HR, the
    company leader and the department manager may read (200); everyone else is refused (403);
    only HR may act (every POST of another role is refused and changes nothing)."""
    login(client, org, who)
    expected = 200 if who in READERS else 403
    assert client.get(reverse("performance:cycle_list")).status_code == expected
    assert client.get(review_url(cycle)).status_code == expected
    posts = [
        (reverse("performance:cycle_open"), {"month": "2025-04"}),
        (review_url(cycle, "performance:cycle_refresh"), {}),
        (review_url(cycle, "performance:cycle_remind"), {}),
        (review_url(cycle, "performance:cycle_lock"), {"force": "on"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        if who == "hr":
            assert response.status_code in (302, 400)
        else:
            assert response.status_code == 403, url
    if who != "hr":
        cycle.refresh_from_db()
        assert cycle.status == CycleStatus.OPEN
        assert not AppraisalCycle.objects.filter(month=datetime.date(2025, 4, 1)).exists()


def test_manager_sees_only_their_department(client, org, cycle):
    """Given appraisals in departments A and B, when the manager of A opens the review, then the
    figures and the missing list hold department A only; HR sees both."""
    login(client, org, "manager")
    response = client.get(review_url(cycle))
    names = {a.employee.name for a in response.context["page_obj"]}
    assert org.agent.name in names and org.other_team.name in names
    assert org.other_dept.name not in names and org.hr.name not in names
    assert response.context["progress"].total == 6  # A1: agent, peer, supervisor, manager, leader; A2: other_team
    assert "cycle-actions" not in response.content.decode()  # read-only

    login(client, org, "hr")
    response = client.get(review_url(cycle))
    assert response.context["progress"].total == 10
    assert "cycle-actions" in response.content.decode()


def test_list_shows_progress_and_unknown_cycle_is_404(client, org, cycle):
    Appraisal.objects.filter(employee__in=[org.agent, org.peer]).update(status=AppraisalStatus.COMPLETED)
    login(client, org, "hr")
    html = client.get(reverse("performance:cycle_list")).content.decode()
    assert "2025-05" in html and 'data-done-percent="20"' in html
    assert client.get(reverse("performance:cycle_review", args=[cycle.pk + 999])).status_code == 404


# --- HR's actions ------------------------------------------------------------------------------------


def test_hr_opens_a_month_from_the_form(client, org, django_capture_on_commit_callbacks):
    """Given the AGENT template, when HR opens April 2025 from the list page, then the cycle is
    created at once with the number to appraise, HR lands on its review, and the appraisals are
    created by the Celery task queued after commit."""
    agent_template(org)
    login(client, org, "hr")
    # April 2025's deadlines have passed: the page asks first (test_opening_a_past_month_…)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("performance:cycle_open"), {"month": "2025-04", "confirm_overdue": "on"}, follow=True
        )
    cycle = AppraisalCycle.objects.get(month=datetime.date(2025, 4, 1))
    assert response.redirect_chain[-1][0] == review_url(cycle)
    assert "Opening 2025-04 for 10 employees" in response.content.decode()
    assert len(callbacks) == 1  # the task, queued once
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN and Appraisal.objects.filter(cycle=cycle).count() == 10
    html = client.get(review_url(cycle)).content.decode()
    assert 'id="cycle-opening"' not in html


def test_an_opening_month_shows_its_progress_until_it_is_open(client, org):
    """Given HR started April (the task not run yet), then the review shows a progress card that
    polls its own URL with "0 of 10"; a manager sees the card without HR's figures and button; once
    the task has run, the card's URL tells the page to reload."""
    agent_template(org)
    cycle = services.appraisal_cycle_start(month=datetime.date(2025, 4, 1), actor=org.hr.user, overdue_confirmed=True)
    assert (cycle.status, cycle.employees_expected) == (CycleStatus.OPENING, 10)
    assert not Appraisal.objects.filter(cycle=cycle).exists()
    login(client, org, "hr")
    html = client.get(review_url(cycle)).content.decode()
    assert 'id="cycle-opening"' in html and f'hx-get="{review_url(cycle, "performance:cycle_opening")}"' in html
    assert f"by {org.hr.name}." in html  # the person, not the login name
    card = client.get(review_url(cycle, "performance:cycle_opening")).content.decode()
    assert "0 of 10 appraisals created" in card and "Continue opening" in card
    manager_card = login(Client(HTTP_ACCEPT_LANGUAGE="en"), org, "manager").get(
        review_url(cycle, "performance:cycle_opening")
    )
    assert manager_card.status_code == 200 and "0 of 10" not in manager_card.content.decode()
    agent = login(Client(HTTP_ACCEPT_LANGUAGE="en"), org, "agent")
    assert agent.get(review_url(cycle, "performance:cycle_opening")).status_code == 403

    appraisal_cycle_open_run(cycle.month.isoformat(), org.hr.user.pk)
    done = client.get(review_url(cycle, "performance:cycle_opening"))
    assert done.status_code == 200 and done.headers["HX-Refresh"] == "true"
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN and Appraisal.objects.filter(cycle=cycle).count() == 10


def test_opening_a_past_month_asks_first_and_says_how_many_will_be_overdue(
    client, org, django_capture_on_commit_callbacks
):
    """Given the AGENT template, when HR opens April 2025 (deadlines long passed, PRF-2), then
    nothing is created yet: the page says 10 appraisals would be overdue at once, with the
    deadlines; when HR confirms, the month is opened."""
    agent_template(org)
    login(client, org, "hr")
    response = client.post(reverse("performance:cycle_open"), {"month": "2025-04"})
    html = response.content.decode()
    assert response.status_code == 400 and 'id="cycle-open-overdue"' in html
    assert 'data-overdue-count="10"' in html
    assert "10 appraisals will be created already overdue: the self-evaluation deadline was 2025-05-05." in html
    assert "The superior's deadline (2025-05-10) has passed too." in html
    assert not AppraisalCycle.objects.exists() and not Appraisal.objects.exists()
    # the confirmation sends the month again with the confirmation
    form = html[
        html.index('id="cycle-open-overdue-form"') : html.index("</form>", html.index('id="cycle-open-overdue-form"'))
    ]
    assert 'name="month" value="2025-04"' in form and 'name="confirm_overdue" value="on"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("performance:cycle_open"), {"month": "2025-04", "confirm_overdue": "on"})
    assert response.status_code == 302
    assert Appraisal.objects.filter(cycle__month=datetime.date(2025, 4, 1)).count() == 10


def test_opening_a_month_whose_deadlines_are_ahead_asks_nothing(client, org, django_capture_on_commit_callbacks):
    """Given a policy giving 60 days for the self-evaluation, when HR opens last month, then it
    opens at once: its appraisals are not overdue."""
    agent_template(org)
    AppraisalPolicy.objects.create(
        effective_from=datetime.date(2000, 1, 1), self_evaluation_days=60, superior_evaluation_days=70
    )
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    login(client, org, "hr")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("performance:cycle_open"), {"month": f"{last_month:%Y-%m}"})
    assert response.status_code == 302
    assert AppraisalCycle.objects.get(month=last_month).self_deadline >= timezone.localdate()


def test_after_a_forced_lock_progress_shows_finished_and_forced_apart(client, org, cycle):
    """Given 10 appraisals of which 2 completed (interview recorded), when HR locks with force,
    then the list and the review say 2 of 10 completed (20%) and 8 locked by force — never 100%."""
    finished = list(Appraisal.objects.filter(cycle=cycle, employee__in=[org.agent, org.peer]))
    for appraisal in finished:
        FeedbackInterview.objects.create(
            appraisal=appraisal, held_on=datetime.date(2025, 6, 3), strengths="好", problems="无",
            recorded_by=org.supervisor,
        )  # fmt: skip
    Appraisal.objects.filter(pk__in=[a.pk for a in finished]).update(status=AppraisalStatus.COMPLETED)
    services.appraisal_cycle_lock(actor=org.hr.user, cycle_id=cycle.pk, force=True)
    login(client, org, "hr")
    listing = client.get(reverse("performance:cycle_list")).content.decode()
    row = listing[listing.index(f'data-cycle="{cycle.pk}"') :].split("</tr>")[0]
    assert 'data-done-percent="20"' in row and 'data-forced="8"' in row
    assert "Completed 2/10" in row and "forced lock: 8" in row and "100%" not in row
    review = client.get(review_url(cycle)).content.decode()
    assert '<div class="fs-3 fw-semibold" data-figure="done-percent">20%</div>' in review
    assert "8 locked unfinished by a forced lock" in review
    legend = review[review.index("data-progress-legend") :][:2000]
    assert 'data-stage="forced"' in legend and 'data-stage="locked"' in legend


def test_starting_a_month_nobody_is_appraised_in_opens_it_at_once(client, org):
    """Given no template at all, when HR starts April, then the cycle is open with 0 expected and
    no task is needed."""
    cycle = services.appraisal_cycle_start(month=datetime.date(2025, 4, 1), actor=org.hr.user)
    assert (cycle.status, cycle.employees_expected) == (CycleStatus.OPEN, 0)


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2025-13", "Enter a month as YYYY-MM."),
        ("", "This field is required."),
        ("2099-01", "has not ended yet"),
        # Past the months anyone may enter (callcenter.inputs: 2000-01 .. 2099-12).
        ("2999-01", "Enter a month between 2000-01 and 2099-12."),
    ],
)
def test_open_form_errors_are_clear_and_change_nothing(client, org, month, message):
    login(client, org, "hr")
    response = client.post(reverse("performance:cycle_open"), {"month": month})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AppraisalCycle.objects.exists()


def test_hr_refreshes_in_the_background_and_reminds(client, org, cycle, django_capture_on_commit_callbacks):
    """When HR refreshes the automatic indicators, then a task is queued (once, however often HR
    clicks while it is pending), the review shows it running and polls; when the worker has run
    it, the page reloads to the counts and HR gets a notification. Reminders go at once."""
    login(client, org, "hr")
    refresh = review_url(cycle, "performance:cycle_refresh")
    refreshing = review_url(cycle, "performance:cycle_refreshing")
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(refresh, follow=True)
    html = response.content.decode()
    assert "Refreshing the automatic indicators in the background" in html
    assert 'id="cycle-refresh-status"' in html and f'hx-get="{refreshing}"' in html
    with django_capture_on_commit_callbacks() as again:
        client.post(refresh)
    assert (len(queued), len(again)) == (1, 0)
    assert "Refreshing in the background" in client.get(refreshing).content.decode()

    queued[0]()  # the worker runs the task
    cycle.refresh_from_db()
    assert not cycle.refresh_pending
    assert cycle.refresh_counts == {"created": 0, "items_changed": 0, "appraisals_changed": 0}
    assert client.get(refreshing).headers["HX-Refresh"] == "true"
    assert "Last refreshed" in client.get(review_url(cycle)).content.decode()
    assert Notification.objects.filter(recipient=org.hr.user, kind="appraisal.refresh_done").count() == 1

    response = client.post(review_url(cycle, "performance:cycle_remind"), follow=True)
    assert "reminders sent" in response.content.decode()


def test_a_locked_cycle_is_not_refreshed(client, org, cycle):
    services.appraisal_cycle_lock(actor=org.hr.user, cycle_id=cycle.pk, force=True)
    login(client, org, "hr")
    response = client.post(review_url(cycle, "performance:cycle_refresh"), follow=True)
    assert "is locked" in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.refresh_queued_at is None


def test_lock_refused_then_forced(client, org, cycle):
    """Given unfinished appraisals, when HR locks without ticking force, then the page says how
    many wait at which step and nothing is locked; with force, the month is locked and the
    actions disappear."""
    login(client, org, "hr")
    html = client.get(review_url(cycle)).content.decode()
    assert "cycle-lock-warning" in html and "band E" in html
    response = client.post(review_url(cycle, "performance:cycle_lock"), {}, follow=True)
    html = response.content.decode()
    assert "10 appraisals are not completed: 10 awaiting the self-evaluation" in html
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN

    response = client.post(review_url(cycle, "performance:cycle_lock"), {"force": "on"}, follow=True)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.LOCKED
    html = response.content.decode()
    assert "The cycle is locked" in html and "cycle-actions" not in html
    response = client.post(review_url(cycle, "performance:cycle_lock"), {"force": "on"}, follow=True)
    assert "already locked" in response.content.decode()


def test_a_cycle_locked_without_a_person_shows_the_job(client, org, cycle):
    """Given a month locked with no person recorded (locked_by empty), when HR opens the review,
    then it answers and says the month-end job locked it (the template once failed on it)."""
    AppraisalCycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.LOCKED, locked_at=datetime.datetime(2025, 4, 1, 9, tzinfo=datetime.UTC), locked_by=None
    )
    login(client, org, "hr")
    response = client.get(review_url(cycle))
    assert response.status_code == 200
    assert "by the month-end job" in response.content.decode()


# --- The review's content ---------------------------------------------------------------------------


def test_review_lists_gaps_filters_and_bands(client, org, cycle):
    """Given an employee whose post has no template, appraisals without an evaluator, and two
    completed appraisals in A1 (bands A and C), when HR opens the review, then the gaps are
    listed, the stage / team filters narrow the missing list, and the bands table counts A1's
    bands with their average."""
    qa = employee(org.a2, position_code="QA", name="质检员甲")
    Appraisal.objects.filter(employee=org.agent).update(status=AppraisalStatus.COMPLETED, total_score="92.00", band="A")
    Appraisal.objects.filter(employee=org.peer).update(status=AppraisalStatus.COMPLETED, total_score="74.00", band="C")
    login(client, org, "hr")
    response = client.get(review_url(cycle))
    ctx = response.context
    html = response.content.decode()
    # Employed at month end (hired 2024), post without a template: listed, not appraised.
    assert ctx["without_template"][0] == 1 and qa.name in html
    assert ctx["without_evaluator"][0] == 4  # other_dept, hr, handler, auditor (department B: nobody above)
    rows = {r["name"]: r for r in ctx["distribution"]["rows"]}
    a1 = rows[org.a1.name]
    assert a1["bands"]["A"] == 1 and a1["bands"]["C"] == 1 and a1["average"] == 83
    assert "data-review-chart" in html and "chart-cycle-bands" in html

    filtered = client.get(review_url(cycle), {"stage": "self", "team": org.a2.pk})
    assert [a.employee for a in filtered.context["page_obj"]] == [org.other_team]
    bad = client.get(review_url(cycle), {"stage": "nonsense", "team": "x"})
    assert bad.status_code == 200 and bad.context["page_obj"].paginator.count == 8


def test_employee_without_template_listed(client, org):
    """Given a QA employee and no QA template, when the month opens, then the review lists them
    under "without an appraisal" with "none" as template."""
    agent_template(org)
    qa = employee(org.a2, position_code="QA", name="质检员甲")
    cycle, _created = services.appraisal_cycle_open(month=MONTH)
    login(client, org, "hr")
    response = client.get(review_url(cycle))
    assert response.context["without_template"][0] == 1
    assert f'data-employee="{qa.pk}"' in response.content.decode()


def test_review_in_chinese_by_default(org, cycle):
    """Given the default language, when HR opens the review, then the page speaks Chinese."""
    client = Client()
    login(client, org, "hr", language="zh-hans")
    html = client.get(review_url(cycle)).content.decode()
    assert 'lang="zh-hans"' in html or 'lang="zh-Hans"' in html


# --- Queries -----------------------------------------------------------------------------------------


def test_review_queries_are_bounded_and_paginated(client, org, cycle, django_assert_max_num_queries):
    """Given the review with 10 appraisals, when 40 more employees are appraised, then the page
    costs the same number of queries and shows 25 a page."""
    login(client, org, "hr")
    client.get(review_url(cycle))
    with django_assert_max_num_queries(30) as few:
        client.get(review_url(cycle))
    for _ in range(40):
        EmployeeFactory(team=org.a2, department=org.dept_a, position=org.agent.position)
    services.appraisal_cycle_refresh_auto(actor=org.hr.user, cycle_id=cycle.pk)
    with django_assert_max_num_queries(30) as many:
        response = client.get(review_url(cycle))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(response.context["page_obj"]) == 25


@pytest.mark.parametrize("who", ["hr", "manager"])
def test_list_queries_are_bounded(client, org, who, django_assert_max_num_queries):
    agent_template(org)
    services.appraisal_cycle_open(month=MONTH)
    login(client, org, who)
    client.get(reverse("performance:cycle_list"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("performance:cycle_list"))
    for month in (datetime.date(2025, m, 1) for m in (1, 2, 3, 4)):
        services.appraisal_cycle_open(month=month)
    with django_assert_max_num_queries(20) as many:
        client.get(reverse("performance:cycle_list"))
    assert len(many.captured_queries) == len(few.captured_queries)
