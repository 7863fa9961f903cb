"""The job ``people-leavers-deactivate`` (GEN-1, GEN-2): on the day after the last working day the
account is deactivated (sessions and API tokens ended), the leave event applied, the access item
ticked; open items are flagged to HR; run twice, the same state."""

import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from callcenter import providers, services, tasks
from callcenter.models import (
    ApiToken,
    EmploymentEvent,
    ExitChecklist,
    ExitChecklistItem,
    JobRun,
    Notification,
)
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 10)
LAST_DAY = TODAY + datetime.timedelta(days=2)


def _set_leaving(org, employee, last_day=LAST_DAY):
    return services.employee_leave_schedule(
        actor=org.hr.user, employee_id=employee.pk, last_working_day=last_day, reason="resignation", today=TODAY
    )


def _state():
    return (
        sorted(ExitChecklist.objects.values_list("pk", "status", "left_at")),
        sorted(ExitChecklistItem.objects.values_list("pk", "done_at", "done_by")),
        sorted(EmploymentEvent.objects.values_list("pk", "status", "applied_at")),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_the_job_is_scheduled_labelled_and_recorded(org):
    schedule = settings.CELERY_BEAT_SCHEDULE["people-leavers-deactivate"]
    assert schedule["task"] == "callcenter.tasks.leavers_deactivate"
    assert "people-leavers-deactivate" in settings.PERIODIC_JOB_LABELS
    tasks.leavers_deactivate.apply()
    assert JobRun.objects.get(job="people-leavers-deactivate").status == "succeeded"


@pytest.mark.parametrize(
    "today,left",
    [(LAST_DAY - datetime.timedelta(days=1), False), (LAST_DAY, False), (LAST_DAY + datetime.timedelta(days=1), True)],
    ids=["day-before", "last-working-day", "day-after"],
)
def test_gen2_deactivated_on_the_day_after_the_last_working_day(org, today, left):
    checklist = _set_leaving(org, org.agent)
    result = services.leavers_deactivate_due(today=today)
    org.agent.refresh_from_db()
    org.agent.user.refresh_from_db()
    checklist.refresh_from_db()
    assert result["deactivated"] == int(left)
    assert (org.agent.status == "left") is left
    assert org.agent.user.is_active is not left
    assert (checklist.status == "left") is left
    if left:
        assert org.agent.left_on == LAST_DAY
        event = EmploymentEvent.objects.get(pk=checklist.event_id)
        assert event.status == "applied" and event.applied_at is not None
        assert event.changes["status"] == ["active", "left"]
        access = checklist.items.get(kind="access")
        assert access.done_at is not None and access.done_by is None


def test_the_job_twice_is_the_same_state(org):
    """SECURITY 9: run twice (acks are late: a crashed worker's job runs again), nothing changes."""
    _set_leaving(org, org.agent)
    _set_leaving(org, org.peer, LAST_DAY + datetime.timedelta(days=30))
    day_after = LAST_DAY + datetime.timedelta(days=1)
    first = services.leavers_deactivate_due(today=day_after)
    state = _state()
    second = services.leavers_deactivate_due(today=day_after)
    assert first == {"deactivated": 1, "with_open_items": 1}
    assert second == {"deactivated": 0, "with_open_items": 0}
    assert _state() == state
    org.peer.refresh_from_db()
    assert org.peer.status == "active"  # their last working day is later


def test_sessions_and_tokens_die_with_the_deactivation(org):
    """SECURITY 7 (OrangeHRM CVE-2025-66289): the leaver's browser session and API token stop working."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(org.agent.user)
    _token, key = services.api_token_create(actor=org.agent.user, name="report")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert browser.get(reverse("callcenter:dashboard")).status_code == 200
    assert api.get(reverse("api:callcenter:employee_list")).status_code == 200
    _set_leaving(org, org.agent)
    services.leavers_deactivate_due(today=LAST_DAY + datetime.timedelta(days=1))
    response = browser.get(reverse("callcenter:dashboard"))
    assert response.status_code == 302 and reverse(settings.LOGIN_URL) in response["Location"]
    assert api.get(reverse("api:callcenter:employee_list")).status_code == 401
    assert not ApiToken.objects.filter(user=org.agent.user, revoked_at__isnull=True).exists()
    again = Client(HTTP_ACCEPT_LANGUAGE="en")
    again.post(reverse(settings.LOGIN_URL), {"username": "agent", "password": f.TEST_PASSWORD})
    assert "_auth_user_id" not in again.session


def test_open_items_are_flagged_to_hr_and_the_account_still_ends(org):
    """Decided: the account never outlives the employment, so the job deactivates even with items
    open, and notifies HR of the leaver's remit with a link to the checklist."""
    checklist = _set_leaving(org, org.agent)
    services.leavers_deactivate_due(today=LAST_DAY + datetime.timedelta(days=1))
    note = Notification.objects.get(kind="leavers.open_items")
    assert note.recipient == org.hr.user
    assert note.url == reverse("callcenter:exit_checklist", args=[checklist.pk])
    audit = AuditEvent.objects.get(action="employee.leave_apply")
    assert "customer_data" in audit.changes["open_items"]


def test_nothing_flagged_when_every_item_is_ticked(org):
    checklist = _set_leaving(org, org.agent)
    saved = providers._final_month_provider  # attendance's verification is tested in tests/
    providers.final_month_provider_register(None)
    try:
        for entry in checklist.items.exclude(kind="access"):
            owner = org.hr if entry.owner_role == "hr" else org.supervisor
            services.exit_item_tick(actor=owner.user, item_id=entry.pk)
    finally:
        providers.final_month_provider_register(saved)
    result = services.leavers_deactivate_due(today=LAST_DAY + datetime.timedelta(days=1))
    assert result == {"deactivated": 1, "with_open_items": 0}
    assert not Notification.objects.filter(kind="leavers.open_items").exists()
    assert not checklist.items.filter(done_at__isnull=True).exists()


def test_someone_deactivated_by_hand_meanwhile_is_carried_out_without_error(org):
    checklist = _set_leaving(org, org.agent)
    services.employee_deactivate(actor=org.hr.user, employee_id=org.agent.pk, left_on=LAST_DAY)
    services.leavers_deactivate_due(today=LAST_DAY + datetime.timedelta(days=1))
    checklist.refresh_from_db()
    assert checklist.status == "left"
    assert AuditEvent.objects.get(action="employee.leave_apply").changes["already_deactivated"] is True


def test_cancelled_leaving_is_not_carried_out(org):
    checklist = _set_leaving(org, org.agent)
    services.employee_leave_cancel(actor=org.hr.user, checklist_id=checklist.pk)
    services.leavers_deactivate_due(today=LAST_DAY + datetime.timedelta(days=5))
    org.agent.refresh_from_db()
    assert org.agent.status == "active" and org.agent.user.is_active
