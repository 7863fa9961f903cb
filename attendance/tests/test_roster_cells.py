"""Roster (ATT-1), issue 14: the weekly pattern offers work Monday to Friday with the team's usual
shift (else the default one), and a single cell is changed in place through htmx — remit, locked
months (ATT-2) and audit as for every roster write."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import RosterEntry, ShiftType
from attendance.tests.factories import MonthVerificationFactory
from callcenter.tests.factories import reads_english
from datasecurity.models import AuditEvent

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def shifts(db):
    services.shift_types_defaults_install()
    return {s.code: s for s in ShiftType.objects.all()}


def _next_month_day(day: int = 10) -> datetime.date:
    return (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=day)


def _cell_url(employee, day):
    return reverse("attendance:roster_cell", args=[employee.pk, day.isoformat()])


def _pattern(response):
    form = response.context["form"]
    return [form[f"weekday_{weekday}"].value() for weekday in range(7)]


def test_the_weekly_pattern_defaults_to_the_default_shift_monday_to_friday(client, org, shifts):
    # given a team with nothing rostered yet
    client.force_login(org.supervisor.user)
    response = client.get(reverse("attendance:roster"), {"team": org.a1.pk})
    # then the pattern offers the default shift (D) Monday to Friday and rest at the weekend
    d = shifts[services.ROSTER_DEFAULT_SHIFT].pk
    assert _pattern(response) == [d, d, d, d, d, None, None]


def test_the_weekly_pattern_offers_the_teams_usual_shift(client, org, shifts):
    # given a team that mostly works the evening shift lately
    usual = next(s for code, s in shifts.items() if code != services.ROSTER_DEFAULT_SHIFT)
    for offset in range(3):
        RosterEntry.objects.create(
            employee=org.agent, work_date=timezone.localdate() - datetime.timedelta(days=offset), shift=usual
        )
    client.force_login(org.supervisor.user)
    response = client.get(reverse("attendance:roster"), {"team": org.a1.pk})
    assert _pattern(response) == [usual.pk] * 5 + [None, None]


def test_cells_are_buttons_for_those_who_roster(client, org, shifts):
    client.force_login(org.supervisor.user)
    html = client.get(reverse("attendance:roster"), {"team": org.a1.pk}).content.decode()
    assert 'class="roster-cell-button"' in html and f"/attendance/roster/cell/{org.agent.pk}/" in html
    assert 'id="roster-scroller" tabindex="0" role="region" aria-label=' in html


def test_a_cell_is_edited_in_place_through_htmx(client, org, shifts, django_assert_max_num_queries):
    day = _next_month_day()
    reads_english(org.supervisor)
    client.force_login(org.supervisor.user)
    # when the supervisor clicks the cell: the editor, a fragment (no full page)
    response = client.get(_cell_url(org.agent, day), {"edit": "1"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert '<select name="shift"' in html and 'hx-post="' in html
    # when they choose the evening shift and save
    evening = next(s for code, s in shifts.items() if code != "D")
    with django_assert_max_num_queries(30):
        response = client.post(_cell_url(org.agent, day), {"shift": str(evening.pk)}, **HTMX)
    html = response.content.decode()
    # then the answer is the updated cell with the message out of band, and the entry is saved, audited
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith("<td") and f">{evening.code}<" in html.replace("\n", "").replace(" ", "")
    assert 'hx-swap-oob="afterbegin:#main"' in html and f"Roster of {day.isoformat()} saved." in html
    entry = RosterEntry.objects.get(employee=org.agent, work_date=day)
    assert (entry.kind, entry.shift_id) == ("work", evening.pk)
    assert AuditEvent.objects.filter(action="roster.entry_set", object_id=str(entry.pk)).exists()
    # and back to a rest day
    client.post(_cell_url(org.agent, day), {"shift": "rest"}, **HTMX)
    entry.refresh_from_db()
    assert (entry.kind, entry.shift_id) == ("rest", None)


def test_without_htmx_the_post_goes_back_to_the_grid(client, org, shifts):
    day = _next_month_day()
    client.force_login(org.supervisor.user)
    response = client.post(_cell_url(org.agent, day), {"shift": str(shifts["D"].pk)})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('attendance:roster')}?team={org.a1.pk}&month={day:%Y-%m}"
    assert RosterEntry.objects.get(employee=org.agent, work_date=day).shift == shifts["D"]


def test_a_locked_month_is_refused_and_not_offered(client, org, shifts):
    # given a verified month (ATT-2)
    day = _next_month_day()
    MonthVerificationFactory(team=org.a1, month=day.replace(day=1))
    reads_english(org.supervisor)
    client.force_login(org.supervisor.user)
    # then its cells are not buttons
    html = client.get(reverse("attendance:roster"), {"team": org.a1.pk, "month": f"{day:%Y-%m}"}).content.decode()
    assert 'class="roster-cell-button"' not in html
    # and a post anyway is refused with the reason, the editor stays, nothing is saved
    response = client.post(_cell_url(org.agent, day), {"shift": str(shifts["D"].pk)}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "locked" in html and '<select name="shift"' in html
    assert not RosterEntry.objects.filter(employee=org.agent, work_date=day).exists()


@pytest.mark.parametrize("value", ["999999", "", "x"])
def test_a_bad_choice_changes_nothing(client, org, shifts, value):
    day = _next_month_day()
    client.force_login(org.supervisor.user)
    response = client.post(_cell_url(org.agent, day), {"shift": value}, **HTMX)
    assert response.status_code == 200 and '<select name="shift"' in response.content.decode()
    assert not RosterEntry.objects.filter(employee=org.agent, work_date=day).exists()


def test_a_bad_day_is_a_404(client, org, shifts):
    client.force_login(org.supervisor.user)
    url = reverse("attendance:roster_cell", args=[org.agent.pk, "2026-13-45"])
    assert client.post(url, {"shift": "rest"}, **HTMX).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("agent", 403), ("other_team", 403)])
def test_only_who_rosters_may_change_a_cell(client, org, shifts, who, status):
    day = _next_month_day()
    client.force_login(getattr(org, who).user)
    assert client.post(_cell_url(org.agent, day), {"shift": "rest"}, **HTMX).status_code == status
    assert not RosterEntry.objects.exists()


def test_a_supervisor_of_another_team_cannot_change_a_cell(client, org, shifts):
    # given the supervisor of A1 and an employee of B1 (outside the remit and the view)
    day = _next_month_day()
    client.force_login(org.supervisor.user)
    response = client.post(_cell_url(org.other_dept, day), {"shift": "rest"}, **HTMX)
    assert response.status_code in (403, 404)
    assert not RosterEntry.objects.exists()
