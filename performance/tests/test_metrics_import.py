"""Metrics import (PRF-1 work results): CSV files and API pushes are checked row by row, refused
whole on any error (nothing written), re-imports replace an employee's day, one import record and
one audit event per accepted import."""

import datetime
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from callcenter.errors import ApplicationError, PermissionDeniedError
from callcenter.tests.factories import EmployeeFactory
from datasecurity.models import AuditEvent
from performance import services
from performance.models import AgentDailyMetric, MetricImport, TeamDailyCallVolume
from performance.rules import metrics as metric_rules
from performance.selectors import metric_call_volumes_by_team
from performance.tests.factories import ZH_HEADERS, csv_bytes, last_month_day, metric_row, push_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    with translation.override("en"):
        yield


def _import(org, data, filename="metrics.csv"):
    return services.metric_import_file(actor=org.hr.user, data=data, filename=filename)


def _refused(org, data) -> ApplicationError:
    with pytest.raises(ApplicationError) as info:
        _import(org, data)
    return info.value


def _nothing_written():
    return AgentDailyMetric.objects.count() == 0 and MetricImport.objects.count() == 0


# --- Good files -------------------------------------------------------------------------------------


def test_utf8_with_bom_and_english_headers(org):
    """Given a UTF-8 file with BOM (Excel's "CSV UTF-8") for two agents and two days,
    when HR imports it, then four days are stored, the record counts them as new, the date
    range and the file's SHA-256 are kept."""
    d1, d2 = last_month_day(1), last_month_day(2)
    data = csv_bytes(
        [
            metric_row(org.agent, d1),
            metric_row(org.agent, d2),
            metric_row(org.peer, d1),
            metric_row(org.peer, d2, qa=""),
        ],
        bom=True,
    )
    record = _import(org, data)
    assert (record.rows, record.created, record.replaced) == (4, 4, 0)
    assert (record.date_from, record.date_to) == (d1, d2)
    assert record.checksum == hashlib.sha256(data).hexdigest()
    assert record.source == "csv" and record.filename == "metrics.csv" and record.imported_by == org.hr.user
    peer_day = AgentDailyMetric.objects.get(employee=org.peer, day=d2)
    assert peer_day.qa_accuracy is None and peer_day.calls_answered == 80 and peer_day.source_import == record


def test_gb18030_with_chinese_headers_in_any_order(org):
    """Given a GB18030 file (Excel in China) with Chinese headers in another order, an extra
    name column, full-width brackets and a 2026/3/2-style date, when imported, then it is read."""
    day = last_month_day(3)
    headers = ["姓名", "日期", "工号", "解决量", "接听量", "平均处理时长（秒）", "业务准确率"]
    rows = [["张伟", f"{day.year}/{day.month}/{day.day}", org.agent.employee_no, "70", "90", "300", "96.456"]]
    record = _import(org, csv_bytes(rows, headers=headers, encoding="gb18030"))
    metric = AgentDailyMetric.objects.get(employee=org.agent, day=day)
    assert (metric.calls_answered, metric.calls_resolved, metric.avg_handle_seconds) == (90, 70, 300)
    assert metric.qa_accuracy == Decimal("96.46")  # kept to two places
    assert record.rows == 1


def test_reimport_replaces_days_and_counts_new_and_replaced(org):
    """Given two days imported, when a second file has one of those days (new figures) and one
    new day, then there are three rows (no duplicates), the replaced day has the new figures and
    points at the second import, which counts 1 new and 1 replaced."""
    d1, d2, d3 = last_month_day(1), last_month_day(2), last_month_day(3)
    _import(org, csv_bytes([metric_row(org.agent, d1), metric_row(org.agent, d2)]))
    second = _import(org, csv_bytes([metric_row(org.agent, d2, answered=99, resolved=90), metric_row(org.agent, d3)]))
    assert (second.created, second.replaced) == (1, 1)
    assert AgentDailyMetric.objects.filter(employee=org.agent).count() == 3
    replaced = AgentDailyMetric.objects.get(employee=org.agent, day=d2)
    assert (replaced.calls_answered, replaced.calls_resolved, replaced.source_import_id) == (99, 90, second.pk)


def test_same_file_twice_changes_nothing_but_the_record(org):
    """Given a file imported, when the same file is imported again, then the figures are the same
    and the second record counts every day as replaced (idempotent)."""
    data = csv_bytes([metric_row(org.agent, last_month_day(1)), metric_row(org.peer, last_month_day(1))])
    _import(org, data)
    before = list(AgentDailyMetric.objects.order_by("id").values_list("employee_id", "day", "calls_answered"))
    again = _import(org, data)
    assert (again.created, again.replaced) == (0, 2)
    assert list(AgentDailyMetric.objects.order_by("id").values_list("employee_id", "day", "calls_answered")) == before


def test_one_audit_event_per_import_with_counts(org):
    """Given a file of 30 rows, when imported, then one audit event records the counts."""
    rows = [metric_row(org.agent, last_month_day(d)) for d in range(1, 16)]
    rows += [metric_row(org.peer, last_month_day(d)) for d in range(1, 16)]
    before = AuditEvent.objects.count()
    record = _import(org, csv_bytes(rows))
    events = AuditEvent.objects.filter(action="metric_import.create")
    assert AuditEvent.objects.count() == before + 1
    event = events.get()
    assert event.object_id == str(record.pk)
    assert event.changes["rows"] == 30 and event.changes["created"] == 30 and event.changes["replaced"] == 0
    assert event.changes["checksum"] == record.checksum


# --- Bad files: refused whole ------------------------------------------------------------------------


def _future():
    return timezone.localdate() + datetime.timedelta(days=1)


BAD_ROWS = [
    # (description, row builder, expected column, words in the message)
    ("unknown employee", lambda org, d: ["NOPE001", d.isoformat(), 80, 70, 280, "97"], "employee_no", "NOPE001"),
    ("missing employee", lambda org, d: ["", d.isoformat(), 80, 70, 280, "97"], "employee_no", "missing"),
    ("bad date", lambda org, d: [org.peer.employee_no, "2026-02-30", 80, 70, 280, "97"], "date", "not a date"),
    ("words for a date", lambda org, d: [org.peer.employee_no, "yesterday", 80, 70, 280, "97"], "date", "not a date"),
    ("future date", lambda org, d: [org.peer.employee_no, _future().isoformat(), 80, 70, 280, "97"], "date", "future"),
    (
        "negative answered",
        lambda org, d: [org.peer.employee_no, d.isoformat(), -5, 0, 280, "97"],
        "calls_answered",
        "negative",
    ),
    (
        "negative handle",
        lambda org, d: [org.peer.employee_no, d.isoformat(), 80, 70, -1, "97"],
        "avg_handle_seconds",
        "negative",
    ),
    (
        "decimal count",
        lambda org, d: [org.peer.employee_no, d.isoformat(), "80.5", 70, 280, "97"],
        "calls_answered",
        "whole number",
    ),
    (
        "missing count",
        lambda org, d: [org.peer.employee_no, d.isoformat(), 80, "", 280, "97"],
        "calls_resolved",
        "missing",
    ),
    (
        "resolved > answered",
        lambda org, d: [org.peer.employee_no, d.isoformat(), 80, 81, 280, "97"],
        "calls_resolved",
        "exceed",
    ),
    (
        "qa over 100",
        lambda org, d: [org.peer.employee_no, d.isoformat(), 80, 70, 280, "100.5"],
        "qa_accuracy",
        "outside 0 to 100",
    ),
    (
        "qa negative",
        lambda org, d: [org.peer.employee_no, d.isoformat(), 80, 70, 280, "-1"],
        "qa_accuracy",
        "outside 0 to 100",
    ),
    (
        "qa words",
        lambda org, d: [org.peer.employee_no, d.isoformat(), 80, 70, 280, "good"],
        "qa_accuracy",
        "percentage",
    ),
    ("duplicate day", lambda org, d: metric_row(org.agent, d), "date", "twice (also row 2)"),
]


@pytest.mark.parametrize("label,builder,column,words", BAD_ROWS, ids=[b[0] for b in BAD_ROWS])
def test_each_bad_row_refuses_the_whole_file(org, label, builder, column, words):
    """Given a file whose second data row (row 3) is wrong, when imported, then nothing is written
    and the error names row 3, the column and the problem."""
    day = last_month_day(1)
    data = csv_bytes([metric_row(org.agent, day), builder(org, day), metric_row(org.peer, last_month_day(2))])
    error = _refused(org, data)
    assert error.code == "rows_invalid"
    assert error.extra["error_count"] >= 1
    first = error.extra["errors"][0]
    assert first["row"] == 3 and first["column"] == column
    assert words in first["message"]
    assert _nothing_written()


def test_errors_use_the_files_chinese_column_names_and_all_are_counted(org):
    """Given a Chinese-header file with 150 bad rows, when imported, then the error count is 150,
    100 errors are listed (row order) and the column is named as in the file."""
    day = last_month_day(1)
    rows = [[f"X{i:03d}", day.isoformat(), 1, 1, 1, ""] for i in range(150)]
    error = _refused(org, csv_bytes(rows, headers=ZH_HEADERS, bom=True))
    assert error.extra["error_count"] == 150
    assert len(error.extra["errors"]) == 100
    assert error.extra["errors"][0] == {"row": 2, "column": "工号", "message": "No employee has the number X000."}
    assert [e["row"] for e in error.extra["errors"]] == list(range(2, 102))
    assert _nothing_written()


@pytest.mark.parametrize(
    "data,code",
    [
        (b"", "file_empty"),
        (b"employee_no,date,calls_answered\r\n", "header_invalid"),
        (b"employee_no,date,calls_answered,calls_resolved,avg_handle_seconds\r\n", "file_empty"),
        ("工号,日期,接听量,解决量,平均处理时长(秒)\r\n".encode("utf-16"), "encoding_invalid"),
        (b"employee_no,employee_no,date,calls_answered,calls_resolved,avg_handle_seconds\r\n", "header_duplicate"),
    ],
    ids=["empty", "missing columns", "no rows", "utf-16", "duplicate header"],
)
def test_unreadable_files_are_refused_with_a_clear_code(org, data, code):
    """Given a file that cannot be read as a metrics CSV, when imported, then it is refused with
    a clear message and nothing is written."""
    assert _refused(org, data).code == code
    assert _nothing_written()


def test_file_too_large_is_refused(org, monkeypatch):
    """Given a file over the size limit, when imported, then it is refused before it is read."""
    monkeypatch.setattr(metric_rules, "MAX_FILE_BYTES", 1000)
    rows = [metric_row(org.agent, last_month_day(1))] * 40
    error = _refused(org, csv_bytes(rows))
    assert error.code == "file_too_large"
    assert _nothing_written()


def test_too_many_rows_is_refused(org, monkeypatch):
    """Given a file over the row limit, when imported, then it is refused whole."""
    monkeypatch.setattr(metric_rules, "MAX_ROWS", 3)
    rows = [metric_row(org.agent, last_month_day(d)) for d in range(1, 5)]
    assert _refused(org, csv_bytes(rows)).code == "too_many_rows"
    assert _nothing_written()


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "leader", "handler", "auditor"])
def test_only_hr_imports(org, who):
    """Given a good file, when anyone but HR imports it, then it is refused and nothing written."""
    data = csv_bytes([metric_row(org.agent, last_month_day(1))])
    with pytest.raises(PermissionDeniedError):
        services.metric_import_file(actor=getattr(org, who).user, data=data, filename="x.csv")
    with pytest.raises(PermissionDeniedError):
        services.metric_import_push(actor=getattr(org, who).user, rows=[push_row(org.agent, last_month_day(1))])
    assert _nothing_written()


# --- API push (same rules) -------------------------------------------------------------------------


def test_push_accepts_numbers_or_strings_and_upserts(org):
    """Given rows pushed as JSON (numbers or strings, QA optional), when pushed twice with a
    change, then the day is replaced and the second record counts it."""
    day = last_month_day(4)
    first = services.metric_import_push(
        actor=org.hr.user,
        rows=[push_row(org.agent, day, qa=None), push_row(org.peer, day, answered="60", resolved="50")],
    )
    assert (first.source, first.rows, first.created, first.replaced) == ("api", 2, 2, 0)
    assert len(first.checksum) == 64
    second = services.metric_import_push(actor=org.hr.user, rows=[push_row(org.agent, day, answered=100, qa=99)])
    assert (second.created, second.replaced) == (0, 1)
    metric = AgentDailyMetric.objects.get(employee=org.agent, day=day)
    assert metric.calls_answered == 100 and metric.qa_accuracy == Decimal("99.00")
    assert AgentDailyMetric.objects.count() == 2


def test_imports_keep_the_calls_per_team_and_day_for_the_complaint_rate(org):
    """Given agents of teams A1 (张伟, 王芳) and A2 (刘洋), when a day is pushed and then pushed
    again with other figures, then the calls per team and day (CMP-4's roll-up) are the sums of
    the agents' days, replaced, never added twice; the other days are left alone."""
    day, other_day = last_month_day(4), last_month_day(5)
    services.metric_import_push(
        actor=org.hr.user,
        rows=[
            push_row(org.agent, day, answered=80),
            push_row(org.peer, day, answered=60, resolved=50),
            push_row(org.other_team, day, answered=40, resolved=30),
            push_row(org.agent, other_day, answered=10, resolved=5),
        ],
    )

    def volumes():
        return dict(TeamDailyCallVolume.objects.filter(day=day).values_list("team_id", "calls_answered"))

    assert volumes() == {org.a1.pk: 140, org.a2.pk: 40}
    services.metric_import_push(actor=org.hr.user, rows=[push_row(org.agent, day, answered=100, resolved=90)])
    assert volumes() == {org.a1.pk: 160, org.a2.pk: 40}
    assert TeamDailyCallVolume.objects.get(day=other_day).calls_answered == 10
    # agents without a team count under one "no team" row a day, replaced like the others
    teamless = EmployeeFactory(team=None, department=org.dept_a)
    for answered in (30, 35):
        services.metric_import_push(actor=org.hr.user, rows=[push_row(teamless, day, answered=answered, resolved=20)])
    assert TeamDailyCallVolume.objects.get(day=day, team=None).calls_answered == 35
    month = day.replace(day=1)
    by_team = metric_call_volumes_by_team(date_from=month, date_to=day)
    assert by_team == {(month, org.a1.pk): 160, (month, org.a2.pk): 40, (month, None): 35}


def test_push_with_a_bad_row_writes_nothing_and_numbers_rows_from_one(org):
    """Given a push whose second row has resolved > answered, when pushed, then nothing is written
    and the error names row 2."""
    day = last_month_day(4)
    with pytest.raises(ApplicationError) as info:
        services.metric_import_push(
            actor=org.hr.user, rows=[push_row(org.agent, day), push_row(org.peer, day, answered=5, resolved=6)]
        )
    assert info.value.extra["errors"][0]["row"] == 2
    assert info.value.extra["errors"][0]["column"] == "calls_resolved"
    assert _nothing_written()


@pytest.mark.parametrize("rows", [[], "rows", [1, 2], [["E1", "2026-01-01"]]])
def test_push_of_the_wrong_shape_is_refused(org, rows):
    with pytest.raises(ApplicationError):
        services.metric_import_push(actor=org.hr.user, rows=rows)
    assert _nothing_written()
