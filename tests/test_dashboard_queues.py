"""Issue 14, "dashboards are work queues": every role's dashboard opens on what waits for them,
each item a count and a link to the list of those items, an empty queue saying that nothing
waits. Agent, and every other employee rostered or punched today: their shift and punch today
(ATT-1, ATT-4), corrections in flight (ATT-2); supervisor:
corrections to decide, who is late or absent now (ATT-4, ATT-5); HR: the cycle's progress
(PRF-2), bonus sheets to prepare and approve, the preparer's own draft waiting for a second
approver (PRF-4, SEC-2), policies taking effect in 30 days; complaint team: urgent and overdue
with links (CMP-1, CMP-2); auditor: failed sign-ins and lockouts (SEC-2). Bounded queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from attendance import services as attendance_services
from attendance.models import DayKind, ShiftType
from attendance.tests.factories import PunchFactory, RosterEntryFactory
from callcenter.models import POLICY_REGISTRY
from callcenter.selectors import dashboard_get
from complaints.models import Complaint
from complaints.tests.factories import complaint_recorded
from datasecurity.services import audit_lockout_record, audit_sign_in_failure_record
from performance import services as performance_services
from performance.tests.factories import approver_hr, bonus_cycle_for

# The bound of every role's dashboard (the test in callcenter/tests/test_pages.py uses the same);
# + 1: the supervisor's training compliance card (issue 16, TRN-3) asks whether any course is
# mandatory (one query; with one, a constant number more); + 1: who is late or absent now reads the
# team's off-phone activities (a training session is neither, issue 16, ATT-1).
BOUND = 21 + len(POLICY_REGISTRY) + 7 + 1 + 1
# A rostered supervisor's own day (ATT-1): the clock status's 4 queries (roster entries, punches,
# attendance policy, approved leave) on a page already at BOUND with the team board; every other
# role's page stays under BOUND with the card (its deciding query shares the corrections count).
BOUND_ROSTERED = {"supervisor": BOUND + 4}


def _html(client, employee) -> str:
    employee.user.preferred_language = "en"
    employee.user.save(update_fields=["preferred_language"])
    client.force_login(employee.user)
    response = client.get(reverse("callcenter:dashboard"))
    assert response.status_code == 200
    return response.content.decode()


def _count(html: str, key: str) -> int:
    match = re.search(rf'data-count="{key}">(\d+)<', html)
    assert match, key
    return int(match.group(1))


def _shift_now(employees, *, started_minutes_ago: int = 120):
    """A shift that began ``started_minutes_ago`` minutes ago and lasts 6 hours, rostered today
    for ``employees`` (overnight when it crosses midnight)."""
    start = timezone.localtime() - datetime.timedelta(minutes=started_minutes_ago)
    end = start + datetime.timedelta(hours=6)
    shift = ShiftType.objects.create(
        code="NOW", name="当前班", start_time=start.time().replace(second=0, microsecond=0), end_time=end.time()
    )
    for employee in employees:
        RosterEntryFactory(employee=employee, work_date=start.date(), kind=DayKind.WORK, shift=shift)
    return start


# --- Agent -------------------------------------------------------------------------------------


def test_agent_sees_todays_shift_and_corrections_in_flight(client, org):
    """ATT-1/ATT-2: the agent's card names today's shift and their punch state, and counts their
    pending correction request with a link to the corrections page."""
    start = _shift_now([org.agent], started_minutes_ago=30)
    PunchFactory(employee=org.agent, punched_at=start.replace(second=0, microsecond=0))
    attendance_services.punch_correction_submit(
        actor=org.agent.user,
        work_date=start.date() - datetime.timedelta(days=1),
        requested_time=start - datetime.timedelta(days=1),
        reason="忘记打卡了，请补卡",
    )
    html = _html(client, org.agent)
    card = html.split('data-card="attendance_today"')[1]
    assert "当前班" in card and "Last punch at" in card
    assert _count(card, "corrections_mine") == 1
    assert reverse("attendance:corrections") in card
    assert 'data-card="corrections_decide"' not in html  # an agent decides nothing


def test_agent_without_shift_is_told_so(client, org):
    html = _html(client, org.agent)
    assert "No shift is rostered for you today." in html
    assert _count(html, "corrections_mine") == 0


# --- Every rostered employee: their own day (ATT-1, ATT-2) ----------------------------------------


@pytest.mark.parametrize("who", ["supervisor", "manager", "leader", "hr", "handler", "auditor"])
def test_every_rostered_employee_sees_their_own_shift_and_punch(client, org, who):
    """ATT-1/ATT-2: supervisors, managers, HR, the complaint team are rostered and clock in too:
    unrostered and without a punch they see no card; rostered today they see their shift, their
    punch, the clock page's explanation and the link to the clock page, as an agent does."""
    employee = getattr(org, who)
    assert 'data-card="attendance_today"' not in _html(client, employee)
    start = _shift_now([employee], started_minutes_ago=30)
    PunchFactory(employee=employee, punched_at=start.replace(second=0, microsecond=0))
    html = _html(client, employee)
    card = html.split('data-card="attendance_today"')[1].split('data-card="')[0]
    assert "当前班" in card and "Last punch at" in card
    assert 'id="dashboard-punch" data-state="in"' in card
    assert reverse("attendance:clock") in card and _count(card, "corrections_mine") == 0


def test_a_punch_without_a_roster_entry_shows_the_card(client, org):
    """ATT-2: an HR officer who punched today but has no roster entry is told so on their card."""
    # now, not some minutes ago: just after midnight (Asia/Shanghai) that would be yesterday's punch
    PunchFactory(employee=org.hr, punched_at=timezone.now())
    card = _html(client, org.hr).split('data-card="attendance_today"')[1]
    assert "No shift is rostered for you today." in card and "Last punch at" in card


def test_a_rest_day_on_the_roster_shows_the_card(client, org):
    """ATT-1: a rest day is a roster entry too: the complaint handler's card says it."""
    RosterEntryFactory(employee=org.handler, work_date=timezone.localdate(), kind=DayKind.REST, shift=None)
    card = _html(client, org.handler).split('data-card="attendance_today"')[1]
    assert "Rest day: no shift today." in card


def test_a_colleague_rostered_does_not_show_the_card(client, org):
    """Only the reader's own roster entry or punch counts: HR's colleague in the same team is
    rostered, HR is not, and HR sees no card of their own day."""
    _shift_now([org.other_dept])
    assert 'data-card="attendance_today"' not in _html(client, org.hr)


# --- Supervisor ----------------------------------------------------------------------------------


def test_supervisor_sees_who_is_late_or_absent_now(client, org):
    """ATT-4/ATT-5: from today's roster and punches: ``peer`` punched an hour after the start
    (late), ``agent`` has not punched (absent so far); another team's member is not counted."""
    start = _shift_now([org.agent, org.peer, org.other_team])
    PunchFactory(employee=org.peer, punched_at=start + datetime.timedelta(hours=1))
    html = _html(client, org.supervisor)
    card = html.split('data-card="team_now"')[1]
    assert _count(card, "late") == 1 and _count(card, "absent") == 1
    late, absent = card.split('id="dashboard-late"')[1], card.split('id="dashboard-absent"')[1]
    assert org.peer.name in late.split("</ul>")[0] and org.agent.name in absent.split("</ul>")[0]
    assert org.other_team.name not in card
    assert f"{reverse('attendance:board')}#board-late" in card
    assert f"{reverse('attendance:board')}#board-absent" in card


def test_supervisor_with_everyone_present_sees_nothing_waits(client, org):
    html = _html(client, org.supervisor)
    card = html.split('data-card="team_now"')[1]
    assert "Nothing waits" in card and _count(card, "late") == 0 and _count(card, "absent") == 0


def test_supervisor_sees_the_corrections_to_decide(client, org):
    """ATT-2: the agent's correction waits for their supervisor (and department manager): a count
    linking to the list; before it, nothing waits."""
    assert "Nothing waits: no correction request to decide." in _html(client, org.supervisor)
    day = timezone.localdate() - datetime.timedelta(days=1)
    attendance_services.punch_correction_submit(
        actor=org.agent.user,
        work_date=day,
        requested_time=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
        reason="忘记打卡了，请补卡",
    )
    html = _html(client, org.supervisor)
    assert _count(html, "corrections_decide") == 1
    assert f"{reverse('attendance:corrections')}#corrections-to-decide" in html
    assert _count(_html(client, org.manager), "corrections_decide") == 1


# --- HR ------------------------------------------------------------------------------------------


def test_hr_sees_cycle_progress_bonus_queue_and_policies_taking_effect(client, org):
    """PRF-2: 0 of 0 finished in the latest cycle; PRF-4: one locked month without a sheet (to
    prepare), one draft HR prepared — waiting for a second approver, not for them (SEC-2); the
    policy version taking effect in 10 days is listed, one in 40 days is not."""
    bonus_cycle_for(datetime.date(2026, 1, 1))
    bonus_cycle_for(datetime.date(2026, 2, 1))
    performance_services.bonus_sheet_prepare(actor=org.hr.user, month=datetime.date(2026, 2, 1))
    policy = POLICY_REGISTRY["attendance.attendancepolicy"]
    today = timezone.localdate()
    policy.objects.create(effective_from=today + datetime.timedelta(days=10), note="soon", created_by=org.hr.user)
    policy.objects.create(effective_from=today + datetime.timedelta(days=40), note="later", created_by=org.hr.user)
    html = _html(client, org.hr)
    queue = html.split('id="hr-queue-card"')[1]
    assert 'data-card="appraisal_cycle"' in queue and "Appraisal cycle 2026-02" in queue
    assert _count(queue, "bonus_prepare") == 1 and "2026-01" in queue
    assert _count(queue, "bonus_approve") == 0
    assert re.search(r'data-count="bonus_second">1<', queue)
    assert "data-second-approver" in queue and "waiting for a second approver" in queue
    assert f"{reverse('performance:bonus_sheet_list')}?status=draft" in queue
    assert _count(queue, "policies_upcoming") == 1
    assert (today + datetime.timedelta(days=10)).isoformat() in queue
    assert (today + datetime.timedelta(days=40)).isoformat() not in queue


def test_a_second_hr_colleague_sees_the_draft_to_approve(client, org):
    """SEC-2: the draft another HR colleague prepared is theirs to approve."""
    bonus_cycle_for(datetime.date(2026, 2, 1))
    performance_services.bonus_sheet_prepare(actor=org.hr.user, month=datetime.date(2026, 2, 1))

    second = approver_hr(org)
    html = _html(client, second)
    assert _count(html, "bonus_approve") == 1 and 'data-count="bonus_second"' not in html


def test_hr_with_nothing_waiting_is_told_so(client, org):
    html = _html(client, org.hr)
    assert "No appraisal cycle has been opened yet." in html
    assert "Nothing waits: no bonus sheet to prepare or approve." in html
    assert "Nothing waits: no policy change is scheduled." in html


# --- Complaint team and auditor -------------------------------------------------------------------


def test_complaint_team_counts_link_to_the_filtered_queue(client, org):
    """CMP-1/CMP-2: urgent and overdue counts link to the queue filtered to those complaints."""
    complaint_recorded(org, urgency="urgent")
    late = complaint_recorded(org)
    Complaint.objects.filter(pk=late.pk).update(first_response_due=timezone.now() - datetime.timedelta(hours=1))
    html = _html(client, org.handler)
    queue = reverse("complaints:queue")
    assert _count(html, "urgent") == 1 and _count(html, "overdue") == 1
    assert f'href="{queue}?status=open&amp;urgency=urgent"' in html
    assert f'href="{queue}?overdue=on"' in html
    # the links list exactly what the counts count
    client.force_login(org.handler.user)
    urgent = client.get(queue, {"status": "open", "urgency": "urgent"}).content.decode()
    assert Complaint.objects.get(urgency="urgent").reference in urgent


def test_the_complaints_nobody_has_taken_link_to_the_queue_of_unassigned_ones(client, org):
    """CMP-1: the "not assigned yet" count links to the queue filtered to exactly those."""
    waiting = complaint_recorded(org)
    taken = complaint_recorded(org)
    Complaint.objects.filter(pk=taken.pk).update(owner=org.handler)
    html = _html(client, org.handler)
    queue = reverse("complaints:queue")
    assert _count(html, "unassigned") == 1
    assert f'href="{queue}?status=open&amp;owner=none"' in html
    client.force_login(org.handler.user)
    listed = client.get(queue, {"status": "open", "owner": "none"}).content.decode()
    assert waiting.reference in listed and taken.reference not in listed


def test_auditor_sees_failed_sign_ins_and_lockouts(client, org):
    """SEC-2: two failed sign-ins and a lockout of the last 24 hours, each linking to the trail
    filtered to them; no agent or HR sees the card."""
    audit_sign_in_failure_record(username="nobody", locked_out=False, failures=1)
    audit_sign_in_failure_record(username="nobody", locked_out=False, failures=2)
    audit_lockout_record(username="nobody", failures=5)
    html = _html(client, org.auditor)
    assert _count(html, "failed_sign_ins") == 2 and _count(html, "lockouts") == 1
    since = (timezone.localtime() - datetime.timedelta(hours=24)).date().isoformat()
    assert f"{reverse('datasecurity:audit_event_list')}?category=sign_in&amp;since={since}" in html
    for who in (org.agent, org.hr):
        assert 'data-card="audit_alerts"' not in _html(client, who)


# --- Bounded ---------------------------------------------------------------------------------------


def _queries(client, employee) -> int:
    client.force_login(employee.user)
    client.get(reverse("callcenter:dashboard"))
    with CaptureQueriesContext(connection) as context:
        assert client.get(reverse("callcenter:dashboard")).status_code == 200
    return len(context)


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "leader", "hr", "handler", "auditor"])
def test_each_queue_dashboard_is_bounded_and_does_not_grow(client, org, who, django_assert_max_num_queries):
    """Every role's dashboard stays under the bound, and the same number of queries with more
    people late, more corrections, cycles, sheets, policy versions and sign-in failures."""
    employee = getattr(org, who)
    bonus_cycle_for(datetime.date(2024, 12, 1))  # a cycle exists: its progress is read from here on
    client.force_login(employee.user)
    with django_assert_max_num_queries(BOUND):
        client.get(reverse("callcenter:dashboard"))
    before = _queries(client, employee)
    start = _shift_now([org.agent, org.peer])
    PunchFactory(employee=org.peer, punched_at=start + datetime.timedelta(hours=1))
    for n in range(3):
        day = timezone.localdate() - datetime.timedelta(days=n + 1)
        for who_files in (org.agent, org.peer):
            attendance_services.punch_correction_submit(
                actor=who_files.user,
                work_date=day,
                requested_time=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
                reason="忘记打卡了，请补卡",
            )
        bonus_cycle_for(datetime.date(2025, n + 1, 1))
        audit_sign_in_failure_record(username=f"x{n}", locked_out=False, failures=1)
    performance_services.bonus_sheet_prepare(actor=org.hr.user, month=datetime.date(2025, 1, 1))
    POLICY_REGISTRY["attendance.attendancepolicy"].objects.create(
        effective_from=timezone.localdate() + datetime.timedelta(days=3), note="soon", created_by=org.hr.user
    )
    assert _queries(client, employee) == before


@pytest.mark.parametrize("who", ["supervisor", "manager", "leader", "hr", "handler", "auditor"])
def test_a_rostered_readers_dashboard_is_bounded_and_does_not_grow(client, org, who, django_assert_max_num_queries):
    """With their own day's card shown (rostered, punched, a correction in flight), each role's
    dashboard stays under the same bound and sends as many queries with more data."""
    employee = getattr(org, who)
    start = _shift_now([employee])
    PunchFactory(employee=employee, punched_at=start)
    client.force_login(employee.user)
    with django_assert_max_num_queries(BOUND_ROSTERED.get(who, BOUND)):
        assert 'data-card="attendance_today"' in client.get(reverse("callcenter:dashboard")).content.decode()
    before = _queries(client, employee)
    PunchFactory(employee=employee, punched_at=start + datetime.timedelta(minutes=30))
    for member in (org.agent, org.peer):
        RosterEntryFactory(employee=member, work_date=start.date(), kind=DayKind.WORK, shift=ShiftType.objects.get())
    for n in range(3):
        day = timezone.localdate() - datetime.timedelta(days=n + 1)
        for who_files in (employee, org.agent):
            attendance_services.punch_correction_submit(
                actor=who_files.user,
                work_date=day,
                requested_time=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
                reason="忘记打卡了，请补卡",
            )
    assert _queries(client, employee) == before


def test_the_card_loaders_answer_per_role(org):
    """The registry gives each role its queue cards and no other's."""
    places = {
        who: {card["key"] for cards in dashboard_get(user=getattr(org, who).user)["cards"].values() for card in cards}
        for who in ("agent", "supervisor", "hr", "auditor")
    }
    assert {"attendance_today"} <= places["agent"] and not {"team_now", "corrections_decide"} & places["agent"]
    # ATT-1: the others' own day only when they are rostered or punched today (none is, here)
    assert not {"attendance_today"} & (places["supervisor"] | places["hr"] | places["auditor"])
    assert {"team_now", "corrections_decide"} <= places["supervisor"]
    assert {"appraisal_cycle", "bonus_queue", "policies_upcoming"} <= places["hr"]
    assert places["auditor"] & {"audit_alerts"} and not places["auditor"] & {"bonus_queue", "team_now"}
