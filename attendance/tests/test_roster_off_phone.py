"""Off-phone activities (issue 16, TRN-2 seen from attendance): training, meetings, coaching take
a rostered employee off the phone; the board shows them in it, not absent or late (ATT-1), and the
day's result counts lateness and early leave against the time left on the phone (ATT-4)."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from attendance import selectors, services
from attendance.models import AttendancePolicy, DailyAttendance, OffPhoneActivity, ShiftType
from attendance.rules import evaluate_day, explain, off_phone_trim
from attendance.tests.factories import PunchFactory, RosterEntryFactory, ShiftTypeFactory
from callcenter.errors import ApplicationError
from datasecurity.models import AuditEvent

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 3, 10)
DAY_SHIFT = ShiftType(code="D", name="白班", start_time=datetime.time(9), end_time=datetime.time(18), break_minutes=60)


def at(hour, minute=0, day=DAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def training(start, end):
    return {"start": start, "end": end, "kind": "training", "label": "服务规范"}


def evaluate(punches, activities):
    return evaluate_day(
        kind="work",
        shift=DAY_SHIFT,
        work_date=DAY,
        punches=punches,
        policy=AttendancePolicy(effective_from=datetime.date(2000, 1, 1)),
        tz=TZ,
        off_phone=activities,
    )


# --- the rule (pure) --------------------------------------------------------------------------------


def test_training_over_the_shift_start_moves_the_start_to_its_end():
    # given training 09:00–11:00 and a first punch at 11:00, back on the phone
    result = evaluate([at(11), at(18)], [training(at(9), at(11))])
    # then no lateness is counted: the employee was where the company sent them (ATT-4)
    assert result.status == "normal" and result.late_minutes == 0
    assert any(item["rule"] == "off_phone" for item in result.explanation)


def test_lateness_after_the_training_still_counts():
    result = evaluate([at(11, 20), at(18)], [training(at(9), at(11))])
    assert result.status == "late" and result.late_minutes == 20


def test_without_the_activity_the_same_day_is_late():
    result = evaluate([at(11), at(18)], [])
    assert result.status == "half_day_absent"  # 120 minutes late: more than 30 (ATT-4)


def test_training_over_the_shift_end_moves_the_end():
    result = evaluate([at(9), at(16)], [training(at(16), at(18))])
    assert result.status == "normal" and result.early_minutes == 0


def test_training_over_the_whole_shift_is_a_normal_day_without_punches():
    result = evaluate([], [training(at(8, 30), at(18, 30))])
    assert result.status == "normal" and result.worked_minutes == result.scheduled_minutes == 480


def test_training_inside_the_shift_changes_nothing():
    result = evaluate([at(9), at(18)], [training(at(13), at(15))])
    assert result.status == "normal" and not any(item["rule"] == "off_phone" for item in result.explanation)


def test_activities_that_follow_each_other_are_chained():
    start, end, used = off_phone_trim(at(9), at(18), [training(at(10), at(12)), training(at(9), at(10))])
    assert (start, end, len(used)) == (at(12), at(18), 2)


def test_the_explanation_names_the_activity():
    result = evaluate([at(11), at(18)], [training(at(9), at(11))])
    item = next(i for i in result.explanation if i["rule"] == "off_phone")
    with translation.override("en"):
        assert "09:00" in explain(item) and "11:00" in explain(item) and "ATT-4" in explain(item)


# --- services, selectors, the board, the nightly result -------------------------------------------


@pytest.fixture
def shift(db):
    return ShiftTypeFactory(code="D", name="白班", start_time=datetime.time(9), end_time=datetime.time(18))


def test_set_replaces_its_own_and_clear_removes_it(org):
    key = "training:session:1"
    services.off_phone_activity_set(
        actor=org.hr.user, employee_id=org.agent.pk, source_key=key, starts_at=at(9), ends_at=at(11), kind="training"
    )
    services.off_phone_activity_set(
        actor=org.hr.user, employee_id=org.agent.pk, source_key=key, starts_at=at(14), ends_at=at(16), kind="training"
    )
    assert OffPhoneActivity.objects.get().starts_at == at(14)
    with pytest.raises(ApplicationError):
        services.off_phone_activity_set(
            actor=org.hr.user,
            employee_id=org.agent.pk,
            source_key=key,
            starts_at=at(16),
            ends_at=at(14),
            kind="training",
        )
    assert services.off_phone_activity_clear(actor=org.hr.user, source_key=key) == 1
    assert not OffPhoneActivity.objects.exists()
    assert AuditEvent.objects.filter(action__startswith="off_phone_activity.").count() == 3


def test_roster_shift_overlaps_reads_the_overnight_shift_of_the_day_before(org, shift):
    night = ShiftTypeFactory(code="N", name="夜班", start_time=datetime.time(22), end_time=datetime.time(7))
    RosterEntryFactory(employee=org.agent, work_date=DAY, shift=shift)
    RosterEntryFactory(employee=org.peer, work_date=DAY - datetime.timedelta(days=1), shift=night)
    clashes = selectors.roster_shift_overlaps(
        employee_ids=[org.agent.pk, org.peer.pk, org.other_team.pk], starts_at=at(6), ends_at=at(10)
    )
    assert clashes == {org.agent.pk: "2026-03-10 白班 09:00–18:00", org.peer.pk: "2026-03-09 夜班 22:00–07:00"}
    assert selectors.roster_shift_overlaps(employee_ids=[org.agent.pk], starts_at=at(18), ends_at=at(20)) == {}


def test_the_board_shows_the_agent_in_training_not_absent(client, org, shift, django_assert_max_num_queries):
    # given the agent rostered 09:00–18:00, in training 09:00–11:00, no punch
    RosterEntryFactory(employee=org.agent, work_date=DAY, shift=shift)
    RosterEntryFactory(employee=org.peer, work_date=DAY, shift=shift)
    OffPhoneActivity.objects.create(
        employee=org.agent, starts_at=at(9), ends_at=at(11), kind="training", label="服务规范", source_key="t:1"
    )
    # when the supervisor looks at 10:00
    board = selectors.team_board(user=org.supervisor.user, now=at(10))
    rows = {r["employee"].pk: r for r in board["rows"]}
    # then the agent is off the phone (training), the peer without a punch is absent
    assert rows[org.agent.pk]["state"] == "off_phone" and rows[org.agent.pk]["late_minutes"] == 0
    assert rows[org.agent.pk]["activity"].kind == "training"
    assert rows[org.peer.pk]["state"] == "absent"
    # and after the training, without a punch, the agent is late like anyone
    later = selectors.team_board(user=org.supervisor.user, now=at(11, 30))
    assert {r["employee"].pk: r["state"] for r in later["rows"]}[org.agent.pk] == "absent"


def test_the_board_page_says_in_training(client, org, shift, monkeypatch):
    RosterEntryFactory(employee=org.agent, work_date=DAY, shift=shift)
    OffPhoneActivity.objects.create(
        employee=org.agent,
        starts_at=at(9),
        ends_at=at(11),
        kind="training",
        label="<script>x</script>",
        source_key="t:1",
    )
    board = selectors.team_board

    monkeypatch.setattr(
        "attendance.views.punches.selectors.team_board", lambda *, user, now=None: board(user=user, now=at(10))
    )
    org.supervisor.user.preferred_language = "en"  # the label is matched in English
    org.supervisor.user.save(update_fields=["preferred_language"])
    client.force_login(org.supervisor.user)
    with translation.override("en"):
        html = client.get("/attendance/board/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-activity="training"' in html and "In training" in html
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_the_nightly_result_does_not_count_lateness_inside_the_training(org, shift):
    RosterEntryFactory(employee=org.agent, work_date=DAY, shift=shift)
    PunchFactory(employee=org.agent, punched_at=at(11))
    PunchFactory(employee=org.agent, punched_at=at(18, 1))
    OffPhoneActivity.objects.create(
        employee=org.agent, starts_at=at(9), ends_at=at(11), kind="training", label="服务规范", source_key="t:1"
    )
    services.daily_attendance_compute_all(work_date=DAY)
    record = DailyAttendance.objects.get(employee=org.agent, work_date=DAY)
    assert record.status == "normal"
    assert any(item["rule"] == "off_phone" for item in record.explanation)
