"""Reading a bonus sheet's lines (pay per employee) is audited like a download (SEC-2): the sheet's
page, the API's lines and the API's sheet detail each record who read which sheet, with which
filters and page, in the same transaction as the read; the security auditor sees the events."""

from __future__ import annotations

import pytest
from django.db import DatabaseError
from django.urls import reverse

from datasecurity.models import AuditEvent
from performance import services
from performance.tests.factories import BONUS_MONTH, bonus_appraisal_for, bonus_cycle_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def sheet(org):
    cycle = bonus_cycle_for()
    for employee, score in [(org.agent, 95), (org.peer, 85), (org.other_dept, 72)]:
        bonus_appraisal_for(employee, cycle, score)
    return services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)


def _reads(sheet):
    return list(AuditEvent.objects.filter(action="bonus_sheet.read", object_id=str(sheet.pk)).order_by("id"))


def test_the_sheet_page_records_who_read_which_lines(client, org, sheet):
    """Given a company leader, when they open the sheet's page filtered on a department, then one
    event says who, which sheet, the filters and the page, via the page."""
    client.force_login(org.leader.user)
    response = client.get(reverse("performance:bonus_sheet_detail", args=[sheet.pk]), {"department": org.dept_b.pk})
    assert response.status_code == 200 and [line.employee_name for line in response.context["page_obj"]] == ["赵敏"]
    (event,) = _reads(sheet)
    assert event.actor == org.leader.user and event.object_type == "performance.bonussheet"
    assert event.changes == {
        "via": "page",
        "shows": "lines",
        "filters": {"department": str(org.dept_b.pk)},
        "page": "1",
    }
    # the htmx partial of the lines (a filter typed, a page turned) is a read too
    client.get(
        reverse("performance:bonus_sheet_detail", args=[sheet.pk]),
        {"q": "王", "page": "2"},
        headers={"HX-Request": "true", "HX-Target": "bonus-lines"},
    )
    assert _reads(sheet)[-1].changes["filters"] == {"q": "王"} and _reads(sheet)[-1].changes["page"] == "2"


def test_the_api_lines_and_detail_record_their_reads(client, org, sheet):
    client.force_login(org.hr.user)
    response = client.get(reverse("api:performance:bonus_sheet_lines", args=[sheet.pk]), {"band": "A"})
    assert response.status_code == 200 and response.json()["count"] == 1
    response = client.get(reverse("api:performance:bonus_sheet_detail", args=[sheet.pk]))
    assert response.status_code == 200 and response.json()["changed_by"] == ["黄丽"]
    lines, detail = _reads(sheet)
    assert lines.actor == org.hr.user
    assert lines.changes == {"via": "api", "shows": "lines", "filters": {"band": "A"}, "page": "1"}
    assert detail.changes == {"via": "api", "shows": "totals", "filters": {}, "page": ""}


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "handler", "auditor"])
def test_a_refused_read_records_nothing(client, org, sheet, who):
    client.force_login(getattr(org, who).user)
    for name in ("performance:bonus_sheet_detail", "api:performance:bonus_sheet_lines"):
        assert client.get(reverse(name, args=[sheet.pk])).status_code == 403
    client.force_login(org.hr.user)
    assert client.get(reverse("api:performance:bonus_sheet_lines", args=[sheet.pk + 99])).status_code == 404
    assert not AuditEvent.objects.filter(action="bonus_sheet.read").exists()


def test_no_lines_leave_without_their_event(org, sheet, monkeypatch):
    """Given the audit trail cannot be written, when the lines are read, then the read fails with it:
    the read and its event are one transaction."""

    def broken(**kwargs):
        raise DatabaseError("audit trail unavailable")

    monkeypatch.setattr("performance.services.bonus.audit_record", broken)
    shown = []
    with pytest.raises(DatabaseError):
        shown.append(
            services.bonus_sheet_read(
                actor=org.hr.user, sheet_id=sheet.pk, via="api", shows="lines", read=lambda s, lines: list(lines())
            )
        )
    assert shown == []


def test_the_security_auditor_sees_the_reads(client, org, sheet):
    client.force_login(org.leader.user)
    client.get(reverse("api:performance:bonus_sheet_lines", args=[sheet.pk]), {"q": "张"})
    client.force_login(org.auditor.user)
    response = client.get(reverse("datasecurity:audit_event_list"), {"action": "bonus_sheet.read"})
    body = response.content.decode()
    assert response.status_code == 200 and response.context["page_obj"].paginator.count == 1
    # the event, by its label (the code kept on the row), the reader by name and login, the sheet linked
    assert 'data-action="bonus_sheet.read"' in body and "已查看奖金表明细" in body  # "Bonus sheet lines read"
    assert org.leader.name in body and org.leader.user.username in body
    assert f"object_id={sheet.pk}" in body
