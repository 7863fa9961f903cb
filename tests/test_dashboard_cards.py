"""The role dashboards show the shipped modules' real figures, or nothing (issue 13): my leave
(LV-3), leave to approve (LV-4), my appraisal and the appraisals I evaluate (PRF-2, PRF-3), the
complaint team's open complaints (CMP-1, CMP-2). The cards come from the apps through
``callcenter.providers.DashboardCard``; no "coming with their modules" placeholder is left.
A project-level test: the core's dashboard meets attendance, performance and complaints here, so
no app's tests depend on another's."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from attendance import services as attendance_services
from attendance.tests.factories import annual_balance, leave_type, next_monday, roster_weeks
from callcenter import providers
from callcenter.models import POLICY_REGISTRY
from callcenter.providers import DashboardCard, dashboard_card_register
from callcenter.selectors import dashboard_get
from complaints import services as complaint_services
from complaints.models import Complaint
from complaints.tests.factories import complaint_recorded
from performance.tests.factories import appraisal_for

WHO = ("agent", "supervisor", "manager", "leader", "hr", "handler", "auditor")
PLACEHOLDERS = (
    "Coming with their modules:",
    "Coming with its module",
    "Your complaints workspace arrives with the complaints module. It will cover:",
)


@pytest.fixture
def busy(org):
    """The agent has 5 days of annual leave and a 1-day request waiting for the supervisor, an
    appraisal waiting for the supervisor's evaluation; three open complaints (one urgent, one
    assigned to the handler, one past its first-response deadline)."""
    monday = next_monday()
    roster_weeks([org.agent], monday, 7)
    for year in {timezone.localdate().year, monday.year}:
        annual_balance(org.agent, year, entitled="5")
    request = attendance_services.leave_request_submit(
        actor=org.agent.user, leave_type_id=leave_type("annual").pk, start_date=monday, end_date=monday
    )
    appraisal = appraisal_for(org.agent, status="superior")
    complaint_recorded(org, urgency="urgent")
    assigned = complaint_recorded(org)
    complaint_services.complaint_assign(actor=org.handler.user, complaint_id=assigned.pk, owner_id=org.handler.pk)
    late = complaint_recorded(org)
    Complaint.objects.filter(pk=late.pk).update(first_response_due=timezone.now() - datetime.timedelta(hours=1))
    org.request, org.appraisal = request, appraisal
    return org


def _page(client, employee, language="en") -> str:
    employee.user.preferred_language = language
    employee.user.save(update_fields=["preferred_language"])
    client.force_login(employee.user)
    response = client.get(reverse("callcenter:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("who", WHO)
def test_no_dashboard_announces_a_module_as_coming(client, busy, who, language):
    """Issue 13: no role's dashboard shows a "coming with its module" placeholder, in either
    language (the placeholders' texts as the catalogs translate them)."""
    html = _page(client, getattr(busy, who), language)
    assert "coming-soon" not in html
    with translation.override(language):
        for text in PLACEHOLDERS:
            assert translation.gettext(text) not in html


# role -> (cards shown, cards absent)
CARDS = {
    "agent": ({"leave_mine", "appraisal_mine"}, {"leave_decide", "appraisal_decide", "complaints_open"}),
    "supervisor": ({"leave_mine", "leave_decide", "appraisal_decide"}, {"complaints_open"}),
    "manager": ({"leave_mine", "leave_decide"}, {"appraisal_decide", "complaints_open"}),
    "leader": ({"leave_mine", "leave_decide"}, {"appraisal_decide", "complaints_open"}),
    "hr": ({"leave_mine"}, {"leave_decide", "appraisal_decide", "complaints_open", "appraisal_mine"}),
    "handler": ({"leave_mine", "complaints_open"}, {"leave_decide", "appraisal_decide", "appraisal_mine"}),
    "auditor": ({"leave_mine"}, {"leave_decide", "appraisal_decide", "complaints_open", "appraisal_mine"}),
}


@pytest.mark.parametrize("who", WHO)
def test_each_role_sees_the_cards_of_its_work(client, busy, who):
    """Each role sees the cards that concern it: everyone their leave; approvers (LV-4) the
    leave inbox, even empty; an evaluator with appraisals waiting (PRF-3) those; the complaint
    team the open complaints; a card with nothing to show is absent."""
    html = _page(client, getattr(busy, who))
    shown, absent = CARDS[who]
    for key in shown:
        assert f'data-card="{key}"' in html, key
    for key in absent:
        assert f'data-card="{key}"' not in html, key


def test_agent_sees_their_real_leave_and_appraisal(client, busy):
    """LV-3: 5 entitled, 1 day held by the pending request → 4 left; PRF-3: the appraisal's month
    and where it stands."""
    html = _page(client, busy.agent)
    year = timezone.localdate().year
    assert f"My leave {year}" in html
    assert "<strong data-left>4</strong> of 5 days left" in html
    assert "1 request pending approval" in html
    assert f"My appraisal {busy.appraisal.month:%Y-%m}" in html
    assert "Awaiting the superior&#x27;s evaluation" in html
    assert reverse("performance:appraisal_detail", args=[busy.appraisal.pk]) in html


def test_supervisor_sees_the_leave_and_appraisals_waiting(client, busy):
    """LV-4 / PRF-3: the supervisor's decisions: one leave request (whose, what), one appraisal
    awaiting their evaluation."""
    html = _page(client, busy.supervisor)
    assert 'id="dashboard-leave-inbox-count">1<' in html
    assert busy.agent.name in html.split('id="dashboard-leave-inbox"')[1]
    assert '<span class="stat" data-count="superior">1</span>' in html
    assert '<span class="stat" data-count="interview">0</span>' in html


def test_manager_without_requests_sees_an_empty_inbox(client, busy):
    """LV-4: an approver with nothing waiting sees 0, a real figure."""
    html = _page(client, busy.manager)
    assert 'id="dashboard-leave-inbox-count">0<' in html


def test_complaint_team_sees_the_open_complaints(client, busy):
    """CMP-1 / CMP-2: open 3, urgent 1, overdue 1, unassigned 2, mine 1."""
    html = _page(client, busy.handler)
    for key, value in (("open", 3), ("urgent", 1), ("overdue", 1), ("unassigned", 2), ("mine", 1)):
        assert f'data-count="{key}">{value}<' in html, key


def _queries(client, employee) -> int:
    client.force_login(employee.user)
    client.get(reverse("callcenter:dashboard"))  # session and per-session caches warm
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("callcenter:dashboard")).status_code == 200
    return len(context)


@pytest.mark.parametrize("who", ["agent", "supervisor", "hr", "handler"])
def test_dashboard_queries_do_not_grow_with_the_data(client, busy, who, django_assert_max_num_queries):
    """Bounded: the same number of queries with more leave requests and appraisals waiting and
    more complaints open (the cards count in the database and show at most 5 rows)."""
    employee = getattr(busy, who)
    before = _queries(client, employee)
    assert before <= 21 + len(POLICY_REGISTRY) + 7
    monday = next_monday()
    for _ in range(7):
        complaint_recorded(busy, urgency="urgent")
    roster_weeks([busy.peer], monday, 7)
    annual_balance(busy.peer, monday.year, entitled="5")
    attendance_services.leave_request_submit(
        actor=busy.peer.user, leave_type_id=leave_type("annual").pk, start_date=monday, end_date=monday
    )
    appraisal_for(busy.peer, status="superior")
    assert _queries(client, employee) == before


def test_a_card_with_nothing_to_show_or_for_another_role_is_absent(org, monkeypatch):
    """The registry: a loader answering None shows nothing; a card for a role the reader does not
    hold is not even loaded; an unknown place is refused at registration."""
    monkeypatch.setattr(providers, "_dashboard_cards", {})
    loaded = []

    def nothing(*, user, me):
        loaded.append("nothing")

    def figures(*, user, me):
        loaded.append("figures")
        return {"n": 1}

    dashboard_card_register(
        DashboardCard("t_nothing", "mine", "x.html", nothing),
        DashboardCard("t_hr_only", "decide", "x.html", figures, roles=("hr",)),
        DashboardCard("t_figures", "decide", "x.html", figures),
    )
    cards = dashboard_get(user=org.agent.user)["cards"]
    assert cards["mine"] == []
    assert [c["key"] for c in cards["decide"]] == ["t_figures"]
    assert cards["decide"][0]["card"] == {"n": 1}
    assert sorted(loaded) == ["figures", "nothing"]  # the HR-only card was never loaded
    with pytest.raises(ValueError, match="Unknown dashboard place"):
        dashboard_card_register(DashboardCard("t_bad", "elsewhere", "x.html", figures))


def test_a_login_without_employee_record_gets_no_personal_cards(client, db, django_user_model):
    """A login without an employee record (an administrator) sees no leave or appraisal card."""
    admin = django_user_model.objects.create_superuser(
        "root", password="x-Long-Passw0rd", must_change_password=False, password_changed_at=timezone.now()
    )
    client.force_login(admin)
    response = client.get(reverse("callcenter:dashboard"))
    assert response.status_code == 200
    assert "data-card=" not in response.content.decode()


def test_leave_balance_left_counts_used_days(client, org):
    """LV-3: used days and pending days both reduce what is left (2.5 used of 10 → 7.5)."""
    annual_balance(org.peer, timezone.localdate().year, entitled="10", used="2.5")
    html = _page(client, org.peer)
    assert "<strong data-left>7.5</strong> of 10 days left" in html
    assert "0 requests pending approval" in html


def test_appraisals_without_their_evaluator_wait_for_the_department_manager(client, org):
    """PRF-3: an appraisal whose copied evaluator has left (or that has none) waits for the
    department manager, the acting evaluator; the leaver's former card is nobody else's."""
    appraisal_for(org.peer, status="superior", evaluator=None)
    appraisal_for(org.agent, status="interview", evaluator=org.other_team)
    org.other_team.status, org.other_team.left_on = "left", timezone.localdate()
    org.other_team.save(update_fields=["status", "left_on"])
    html = _page(client, org.manager)
    assert '<span class="stat" data-count="superior">1</span>' in html
    assert '<span class="stat" data-count="interview">1</span>' in html
    assert 'data-card="appraisal_decide"' not in _page(client, org.supervisor)
