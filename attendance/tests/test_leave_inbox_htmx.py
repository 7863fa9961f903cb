"""Issue 14: decisions from the leave inbox (LV-4) and the punch-correction inbox (ATT-2) answer an
htmx request with the decided row and the message out of band instead of reloading the page;
without htmx the old redirect stays (progressive enhancement)."""

import datetime

import pytest
from django.urls import reverse

from attendance import services
from attendance.models import CorrectionStatus, LeaveStatus, Punch
from attendance.tests.factories import leave_type, next_monday, roster_weeks
from callcenter.tests.factories import reads_english
from datasecurity.models import AuditEvent

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _eager(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


@pytest.fixture
def monday(org):
    day = next_monday()
    roster_weeks([org.agent, org.peer, org.supervisor], day - datetime.timedelta(days=7), 21)
    return day


def annual(employee, start, days=1):
    return services.leave_request_submit(
        actor=employee.user,
        leave_type_id=leave_type("personal").pk,
        start_date=start,
        end_date=start + datetime.timedelta(days=days - 1),
        reason="家里有事需要处理",
        expected_days=days,
    )


def _no_page(html: str) -> None:
    assert "<html" not in html and "<nav" not in html


# --- Leave inbox (LV-4) --------------------------------------------------------------------------


def test_approve_through_htmx_answers_the_decided_card(client, org, monday, django_assert_max_num_queries):
    one = annual(org.agent, monday)
    other = annual(org.peer, monday)
    reads_english(org.supervisor)
    client.force_login(org.supervisor.user)
    url = reverse("attendance:leave_approve", args=[one.pk])
    # when the supervisor approves from the inbox through htmx
    with django_assert_max_num_queries(45):
        response = client.post(url, {"next": "inbox"}, **HTMX)
    html = response.content.decode()
    # then 200 with the card in its new state, the count and the message out of band; no page
    assert response.status_code == 200
    _no_page(html)
    one.refresh_from_db()
    assert html.lstrip().startswith(f'<article class="card mb-3 border-success" id="inbox-{one.pk}"')
    assert f'data-decided="{one.status}"' in html and f'data-status="{one.status}"' in html
    assert 'id="leave-inbox-count" hx-swap-oob="true">1<' in html  # the peer's request is left
    assert 'hx-swap-oob="afterbegin:#main"' in html and "Approved" in html
    # and the decision is recorded (the supervisor's step approved, audited)
    assert one.status in (LeaveStatus.APPROVED, LeaveStatus.PENDING)
    assert one.steps.filter(approver=org.supervisor, status="approved").exists()
    assert AuditEvent.objects.filter(object_id=str(one.pk)).count() >= 2
    other.refresh_from_db()
    assert other.status == LeaveStatus.PENDING


def test_reject_through_htmx_and_a_refusal_swaps_only_the_message(client, org, monday):
    one = annual(org.agent, monday)
    client.force_login(org.supervisor.user)
    url = reverse("attendance:leave_reject", args=[one.pk])
    # a rejection without a comment is refused: nothing swapped but the message, the card stays
    response = client.post(url, {"next": "inbox"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Reswap"] == "none"
    assert f'id="inbox-{one.pk}"' not in html and 'hx-swap-oob="afterbegin:#main"' in html
    one.refresh_from_db()
    assert one.status == LeaveStatus.PENDING
    # with a comment: the card becomes the rejected request
    response = client.post(url, {"next": "inbox", "comment": "这周人手不够"}, **HTMX)
    html = response.content.decode()
    one.refresh_from_db()
    assert one.status == LeaveStatus.REJECTED and 'data-decided="rejected"' in html
    assert 'id="leave-inbox-count" hx-swap-oob="true">0<' in html


def test_without_htmx_the_inbox_still_redirects(client, org, monday):
    one = annual(org.agent, monday)
    client.force_login(org.supervisor.user)
    response = client.post(reverse("attendance:leave_approve", args=[one.pk]), {"next": "inbox"})
    assert response.status_code == 302 and response["Location"] == reverse("attendance:leave_inbox")


def test_the_inbox_form_posts_through_htmx(client, org, monday):
    one = annual(org.agent, monday)
    client.force_login(org.supervisor.user)
    html = client.get(reverse("attendance:leave_inbox")).content.decode()
    assert f'hx-post="{reverse("attendance:leave_approve", args=[one.pk])}" hx-target="#inbox-{one.pk}"' in html


# --- Punch corrections (ATT-2) -------------------------------------------------------------------------


def _claim(employee):
    day = datetime.date.today() - datetime.timedelta(days=2)
    return services.punch_correction_submit(
        actor=employee.user,
        work_date=day,
        requested_time=datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC),
        reason="忘记打卡，同事可作证",
    )


def test_correction_approve_through_htmx_answers_the_row(client, org, django_assert_max_num_queries):
    correction = _claim(org.agent)
    _claim(org.peer)
    reads_english(org.supervisor)
    client.force_login(org.supervisor.user)
    with django_assert_max_num_queries(40):
        response = client.post(reverse("attendance:correction_approve", args=[correction.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    _no_page(html)
    assert html.lstrip().startswith(f'<tr id="correction-{correction.pk}" data-decided="approved"')
    assert 'id="corrections-to-decide-count" hx-swap-oob="true">1<' in html
    assert "Approved: the correction punch has been added." in html
    assert Punch.objects.filter(correction=correction).exists()


def test_correction_reject_through_htmx_needs_the_note(client, org):
    correction = _claim(org.agent)
    client.force_login(org.supervisor.user)
    url = reverse("attendance:correction_reject", args=[correction.pk])
    response = client.post(url, {"note": ""}, **HTMX)
    assert response["HX-Reswap"] == "none" and 'hx-swap-oob="afterbegin:#main"' in response.content.decode()
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.PENDING
    response = client.post(url, {"note": "当天有打卡记录"}, **HTMX)
    assert 'data-decided="rejected"' in response.content.decode()


def test_correction_without_htmx_still_redirects(client, org):
    correction = _claim(org.agent)
    client.force_login(org.supervisor.user)
    response = client.post(reverse("attendance:correction_approve", args=[correction.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("attendance:corrections")
