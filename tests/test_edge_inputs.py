"""Every edge input answered, never a 500 (issue 12).

The walk visits every route of the URLconf, as HR and as an agent, on a seeded demo call center:
it asks each page and endpoint once to learn which query parameters it reads (every key looked
up in ``request.GET``, the forms' and serializers' included), then sends each of them the edge
values (far dates and months, ids beyond the database's integers, negative and zero ids, text
where a number is expected, a page far past the end), with sensible values in the others so the
edge reaches the query. Path ids get the same treatment. The POST walk does the same, as HR (who
reaches most forms; where HR is refused, as the complaint team or a supervisor), for the fields a
form or serializer reads, and every API endpoint that takes
a body is sent JSON nested 100,000 levels deep, as both. Nothing may answer 500.

A new page or endpoint is walked without any change here; one whose URL carries an id needs one
line in ``ROUTE_TABLES`` (which table the id points at), or the walk fails and says so.

The SQLite run (``sqlite`` marker, see ``conftest.py``) walks the inputs that differ there.
"""

from __future__ import annotations

import datetime
import re
import threading
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.views import APIView

from callcenter.celery import app as celery_app
from datasecurity import services as datasecurity
from performance import services as performance

EDGE_VALUES = (
    "9999-12-31",
    "0001-01-01",
    "9999-12",
    "0001-01",
    "00-00",
    "99999999999999999999",
    "-1",
    "0",
    "abc",
    "99999",
)
# A form's fields get the values that reach date arithmetic and the database (a POST is dearer; a
# field that reads a month takes "9999-12" from "9999-12-31" too, and "abc" is refused by the type).
FORM_EDGE_VALUES = ("9999-12-31", "0001-01-01", "99999999999999999999")
# The values whose answer depends on the database (SQLite's integers and dates differ).
SQLITE_EDGE_VALUES = ("9999-12-31", "0001-01-01", "99999999999999999999")
EDGE_PATH_IDS = ("99999999999999999999", "0")
DEEP_JSON = "[" * 100_000
ROLES = ("hr", "agent")
# The POST walk goes as HR, who reaches most forms; a form HR may not post to (403) is walked as the
# first of these who may: the complaint team's actions, a supervisor's decisions.
FORM_FALLBACK_ROLES = ("complaints", "supervisor")

# Keys nothing reads as input: DRF's renderer switch (an unknown one is DRF's own 404).
IGNORED_KEYS = {"format"}
# Routes the walk leaves alone: the schema has no input, and these would end the walker's session.
SKIPPED_ROUTES = {"api/schema/", "api/docs/", "accounts/logout/", "accounts/login/", "accounts/password/"}

# Which table a route's (first) id points at: the walk uses one of its rows, and the edge ids.
ROUTE_TABLES = (
    (r"employees/<int:pk>/", "callcenter.Employee"),
    (r"org/departments/<int:pk>/", "callcenter.Department"),
    (r"org/teams/<int:pk>/", "callcenter.Team"),
    (r"org/positions/<int:pk>/", "callcenter.Position"),
    (r"accounts/tokens/<int:pk>/", "callcenter.ApiToken"),
    (r"(security/twofa-tokens|twofa/tokens)/<int:pk>/", "callcenter.ApiToken"),
    (r"accounts/roles/<int:pk>/", "callcenter.User"),
    (r"access-grants/hr-limits/<int:user_id>/", "callcenter.User"),
    (r"access-grants/<int:pk>/", "callcenter.AccessGrant"),
    (r"notifications/<int:pk>/", "callcenter.Notification"),
    (r"employment-events/<int:pk>/", "callcenter.EmploymentEvent"),
    (r"leavers/items/<int:pk>/", "callcenter.ExitChecklistItem"),
    (r"leavers/<int:pk>/", "callcenter.ExitChecklist"),
    (r"attendance/corrections/<int:pk>/", "attendance.PunchCorrection"),
    (r"attendance/summary/<int:employee_id>/", "callcenter.Employee"),
    (r"attendance/roster/cell/<int:employee_id>/", "callcenter.Employee"),
    (r"attendance/leave/types/<int:pk>/", "attendance.LeaveType"),
    (r"attendance/leave/delegations/<int:pk>/", "attendance.ApprovalDelegation"),
    (r"attendance/leave/certificates/<int:pk>/", "attendance.LeaveCertificate"),
    (r"attendance/leave/(requests/)?<int:pk>/", "attendance.LeaveRequest"),
    (r"complaints/attachments/<int:pk>/", "complaints.ComplaintAttachment"),
    (r"complaints/<int:pk>/", "complaints.Complaint"),
    (r"performance/appraisals/<int:pk>/", "performance.Appraisal"),
    (r"performance/cycles/<int:pk>/", "performance.AppraisalCycle"),
    (r"performance/setup/indicators/<int:pk>/", "performance.Indicator"),
    (r"performance/setup/templates/<int:pk>/", "performance.AppraisalTemplate"),
    (r"performance/metrics/imports/<int:pk>/", "performance.MetricImport"),
    (r"performance/(bonus/files|bonus-exports)/<int:pk>/", "performance.BonusSheetFile"),
    (r"performance/(bonus|bonus-sheets)/<int:pk>/", "performance.BonusSheet"),
    (r"audit/exports/<int:pk>/", "datasecurity.AuditExport"),
    (r"audit/archives/<int:pk>/", "datasecurity.AuditArchive"),
    (r"backups/drills/<int:pk>/", "datasecurity.RestoreDrill"),
    (r"backups/<int:pk>/", "datasecurity.BackupRun"),
    (r"security/alerts/<int:pk>/", "datasecurity.SecurityAlert"),
    (r"destruction/requests/<int:pk>/", "datasecurity.DestructionRequest"),
    (r"destruction/(records/)?<int:pk>/", "datasecurity.DestructionRecord"),
    # training: the annual plan and its effect (TRN-1, TRN-3; part "plan")
    (r"training/(plan|plans|effect/plan|effect/plans)/<int:pk>/", "training.TrainingPlan"),
    (r"training/effect/courses/<int:pk>/", "training.Course"),
    # training: courses, sessions and enrolments (issue 16, TRN-2)
    (r"training/courses/<int:pk>/", "training.Course"),
    (r"training/sessions/<int:pk>/", "training.TrainingSession"),
    (r"training/enrolments/<int:pk>/", "training.Enrolment"),
    # training records and compliance (issue 16, TRN-3)
    (r"training/records/employee/<int:employee_id>/", "callcenter.Employee"),
    (r"training/records/<int:(pk|record_id)>/", "training.TrainingRecord"),
    (r"training/mandatory/<int:mandatory_id>/", "training.MandatoryCourse"),
    # training: self-study (issue 16, study part)
    (r"training/study/materials/<int:pk>/", "training.CourseMaterial"),
    (r"training/study/questions/<int:pk>/", "training.Question"),
    (r"training/study/attempts/<int:pk>/", "training.StudyAttempt"),
    (r"training/study/(courses/)?<int:pk>/", "training.Course"),
)
OTHER_ARGS = {
    "item_id": "callcenter.ExitChecklistItem",
    "line_pk": "performance.BonusLine",
    "position": 0,
    "fmt": "csv",
    "label": "attendance.attendancepolicy",
    "day": "2030-01-07",  # a roster cell's day (a Monday, in a month nobody verified)
    "lineage": "00000000-0000-4000-8000-000000000000",  # a plan item's lineage (training, TRN-1)
}


# --- The URLconf ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    pattern: str  # "attendance/leave/<int:pk>/"
    api: bool
    writes: bool  # an API view with a request body (POST, PUT, PATCH)

    def __str__(self):
        return self.pattern


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _routes() -> list[Route]:
    routes = []
    for pattern, callback in _walk(get_resolver().url_patterns):
        if pattern.startswith("admin/") or pattern in SKIPPED_ROUTES:
            continue
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        api = view_class is not None and issubclass(view_class, APIView)
        writes = api and any(hasattr(view_class, m) for m in ("post", "put", "patch"))
        routes.append(Route(pattern, api, writes))
    return routes


ROUTES = _routes()
WRITE_ROUTES = [r for r in ROUTES if r.writes]


# --- The seeded call center ---------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    rows: dict = field(default_factory=dict)  # table label -> a pk

    def path(self, route: Route, first_id=None) -> str:
        """``route`` with real ids (or ``first_id`` in place of its first id)."""
        table = next((t for pattern, t in ROUTE_TABLES if re.search(pattern, route.pattern)), None)
        names = re.findall(r"<(?:\w+:)?(\w+)>", route.pattern)
        values = {}
        for i, name in enumerate(names):
            if i == 0 and name not in ("fmt", "label"):
                assert table, f"{route}: add the table its id points at to ROUTE_TABLES"
                values[name] = first_id if first_id is not None else self.rows.get(table, 1)
            else:
                value = OTHER_ARGS[name]
                values[name] = self.rows.get(value, 1) if isinstance(value, str) and "." in value else value
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route.pattern)

    def good(self, role: str) -> dict:
        """Sensible values for the keys a walk does not vary, so the edge reaches the query."""
        employee = self.users[role].employee
        today = timezone.localdate()
        first = today.replace(day=1)
        return {
            "month": f"{today:%Y-%m}",
            "date": today.isoformat(),
            "date_from": first.isoformat(),
            "date_to": today.isoformat(),
            "start_date": today.isoformat(),
            "end_date": today.isoformat(),
            "since": first.isoformat(),
            "until": today.isoformat(),
            "year": str(today.year),
            "employee": str(employee.pk),
            "team": str(employee.team_id),
            "department": str(employee.department_id),
        }


def _seed() -> World:
    call_command("seed_demo", employees=30, months=1, stdout=StringIO())
    users = {
        role: get_user_model().objects.select_related("employee").get(username=role)
        for role in (*ROLES, *FORM_FALLBACK_ROLES)
    }
    cycle = apps.get_model("performance.AppraisalCycle").objects.order_by("-month").first()
    performance.appraisal_cycle_lock(actor=users["hr"], cycle_id=cycle.pk, force=True)
    sheet = performance.bonus_sheet_prepare(actor=users["hr"], month=cycle.month)
    performance.bonus_sheet_file_request(actor=users["hr"], sheet_id=sheet.pk, file_format="csv")
    auditor = get_user_model().objects.get(username="auditor")
    datasecurity.audit_export_request(actor=auditor, filters={"action": "employee."}, fmt="csv")
    world = World(users=users)
    for _pattern, table in ROUTE_TABLES:
        pk = apps.get_model(table).objects.order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            world.rows[table] = pk
    for table in ("performance.BonusLine", "callcenter.ExitChecklistItem"):
        if (pk := apps.get_model(table).objects.order_by("pk").values_list("pk", flat=True).first()) is not None:
            world.rows[table] = pk
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo call center (30 employees, a month of history, a locked cycle with its bonus
    sheet), seeded once for the module in a transaction rolled back at its end; each test runs in
    a savepoint inside it. Files (the demo's certificates) go to a temporary directory."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False  # nothing leaves the transaction: on_commit never fires
    private = override_settings(PRIVATE_MEDIA_ROOT=tmp_path_factory.mktemp("private"))
    with private, django_db_blocker.unblock(), transaction.atomic():
        yield _seed()
        transaction.set_rollback(True)
    celery_app.conf.task_always_eager = eager


# --- Which keys a request reads ------------------------------------------------------------------------


class KeysRead:
    """Records every key looked up in a QueryDict (``request.GET``, ``request.POST``, DRF's
    ``query_params`` and form data) while active."""

    METHODS = ("get", "__getitem__", "getlist", "__contains__")

    def __init__(self, monkeypatch):
        self.keys: set[str] = set()
        self.on = False
        for name in self.METHODS:
            original = getattr(QueryDict, name)

            def spy(qd, key, *args, _original=original, **kwargs):
                if self.on and isinstance(key, str):
                    self.keys.add(key)
                return _original(qd, key, *args, **kwargs)

            monkeypatch.setattr(QueryDict, name, spy)

    def request(self, send) -> tuple[set[str], int]:
        self.keys, self.on = set(), True
        try:
            status = send().status_code
        finally:
            self.on = False
        return self.keys - IGNORED_KEYS, status


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _walk_query(spy, client, world, route, role, values) -> list[str]:
    """Each key ``route`` reads, with each of ``values`` (the others sensible); then the edge ids
    in its path. The inputs that answered 500."""
    failures = []
    path = world.path(route)
    keys, status = spy.request(lambda: client.get(path))
    if status >= 500:
        failures.append(f"GET {path} -> {status}")
    if status == 405:
        return failures
    good = {k: v for k, v in world.good(role).items() if k in keys}
    if good and client.get(path, good).status_code >= 400:
        good = {}
    for key in sorted(keys):
        for value in values:
            status = client.get(path, {**good, key: value}).status_code
            if status >= 500:
                failures.append(f"GET {path}?{key}={value} -> {status}")
    if "<int:" in route.pattern:
        for edge in EDGE_PATH_IDS:
            edge_path = world.path(route, first_id=edge)
            if (status := client.get(edge_path).status_code) >= 500:
                failures.append(f"GET {edge_path} -> {status}")
    return failures


def _form_poster(spy, world, path: str):
    """(role, client, keys read, status) of the first of HR and :data:`FORM_FALLBACK_ROLES` not
    refused a POST to ``path``."""
    for role in ("hr", *FORM_FALLBACK_ROLES):
        client = _client(world.users[role])
        keys, status = spy.request(lambda client=client: client.post(path, {"_walk": "1"}))
        if status != 403:
            break
    return role, client, keys, status


def _walk_form(spy, world, route, values) -> list[str]:
    """Each field a POST to ``route`` reads, with each of ``values`` (the others sensible), then
    all of them at once with each value (a range whose both ends are edges). As HR, or as the first
    of :data:`FORM_FALLBACK_ROLES` allowed to post there."""
    failures = []
    path = world.path(route)
    role, client, keys, status = _form_poster(spy, world, path)
    if status >= 500:
        failures.append(f"POST {path} as {role} -> {status}")
    if status in (403, 405, 415):
        return failures
    good = {k: v for k, v in world.good(role).items() if k in keys}
    for value in values:
        for data in [*({**good, key: value} for key in sorted(keys)), dict.fromkeys(keys, value)]:
            if (status := client.post(path, data).status_code) >= 500:
                failures.append(f"POST {path} as {role} {data} -> {status}")
    return failures


@pytest.fixture
def keys_read(monkeypatch):
    return KeysRead(monkeypatch)


# --- On PostgreSQL ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_query_edge_answers_500(world, db, keys_read, route, role):
    client = _client(world.users[role])
    failures = _walk_query(keys_read, client, world, route, role, EDGE_VALUES)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_no_form_edge_answers_500(world, db, keys_read, route):
    failures = _walk_form(keys_read, world, route, FORM_EDGE_VALUES)
    assert not failures, "\n".join(failures)


def test_the_form_walk_reaches_the_complaint_teams_actions(world, db, keys_read):
    """HR may not resolve a complaint (403): the walk posts there as the complaint team and so
    reaches the fields (the cause among them, CMP-4)."""
    route = next(r for r in ROUTES if r.pattern == "complaints/<int:pk>/resolve/")
    role, _client_used, keys, status = _form_poster(keys_read, world, world.path(route))
    assert role == "complaints" and status < 500 and {"text", "cause"} <= keys


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", WRITE_ROUTES, ids=str)
def test_deep_json_is_a_400_on_every_api_body(world, db, route, role):
    client = _client(world.users[role])
    path = world.path(route)
    for method in ("post", "put", "patch"):
        response = getattr(client, method)(path, DEEP_JSON, content_type="application/json")
        assert response.status_code < 500, f"{method.upper()} {path}: {response.status_code}"
        if response.status_code == 400:
            assert response.json()["code"] == "parse_error"


def test_deep_json_to_mark_notifications_read_is_refused_and_marks_nothing(world, db):
    notifications = apps.get_model("callcenter.Notification").objects.filter(recipient=world.users["hr"])
    unread = notifications.filter(read_at__isnull=True).count()
    response = _client(world.users["hr"]).post(
        "/api/v1/notifications/read/", DEEP_JSON, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert notifications.filter(read_at__isnull=True).count() == unread > 0


# --- The leave quote and request at the end of the calendar (OverflowError before) --------------------


FAR_RANGES = [("9999-12-30", "9999-12-31"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02")]


def _counts():
    return (
        apps.get_model("attendance.LeaveRequest").objects.count(),
        apps.get_model("datasecurity.AuditEvent").objects.count(),
    )


@pytest.mark.parametrize("start,end", FAR_RANGES)
@pytest.mark.parametrize("method,path", [("get", "/attendance/leave/quote/"), ("post", "/attendance/leave/new/")])
def test_leave_page_at_the_end_of_the_calendar_is_a_form_error(world, db, method, path, start, end):
    annual = apps.get_model("attendance.LeaveType").objects.get(code="annual")
    before = _counts()
    client = _client(world.users["agent"])
    response = getattr(client, method)(
        path, {"leave_type": annual.pk, "start_date": start, "end_date": end, "reason": "x"}
    )
    assert response.status_code in (200, 400)
    assert "2099-12-31" in response.content.decode()  # the message names the range
    assert _counts() == before


@pytest.mark.parametrize("start,end", FAR_RANGES)
@pytest.mark.parametrize("path", ["/api/v1/attendance/leave/requests/quote/", "/api/v1/attendance/leave/requests/"])
def test_leave_api_at_the_end_of_the_calendar_is_a_400(world, db, path, start, end):
    annual = apps.get_model("attendance.LeaveType").objects.get(code="annual")
    before = _counts()
    response = _client(world.users["agent"]).post(
        path,
        {"leave_type": annual.pk, "start_date": start, "end_date": end, "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) >= {"start_date"}
    assert "2099-12-31" in body["errors"]["start_date"][0]
    assert _counts() == before


# --- The month filters: a month outside the range falls back, with a message ---------------------------


MONTH_PAGES = [
    ("agent", "/attendance/me/"),
    ("hr", "/attendance/summary/"),
    ("hr", "/attendance/roster/"),
    ("hr", "/attendance/leave/calendar/"),
    ("hr", "/performance/metrics/"),
]


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
@pytest.mark.parametrize("role,path", MONTH_PAGES)
def test_a_month_page_out_of_range_shows_this_month_and_says_why(world, db, role, path, month):
    response = _client(world.users[role]).get(path, {"month": month}, headers={"accept-language": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    # the message names the valid months, in the user's language (zh-Hans by default)
    assert "between 2000-01 and 2099-12" in html or "2000-01 至 2099-12" in html
    assert (
        timezone.localdate().strftime("%Y-%m") in html
        or (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m") in html
    )


@pytest.mark.parametrize(
    "path,query",
    [
        ("/api/v1/performance/metrics/month/", {"month": "9999-12"}),
        ("/api/v1/attendance/summaries/", {"month": "0001-01"}),
        ("/api/v1/attendance/punches/", {"date_to": "9999-12-31"}),
        ("/api/v1/complaints/", {"date_to": "9999-12-31"}),
        ("/api/v1/complaints/statistics/", {"date_from": "9999-12-31"}),
        ("/api/v1/attendance/punches/", {"employee": "99999999999999999999"}),
    ],
)
def test_an_api_filter_out_of_range_is_a_400_naming_it(world, db, path, query):
    response = _client(world.users["hr"]).get(path, query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == set(query)


# --- On SQLite (the `make run` database) -----------------------------------------------------------------


@pytest.mark.sqlite
def test_sqlite_no_edge_answers_500(sqlite_db, keys_read, settings, tmp_path):
    """The inputs whose answer depends on the database (ids past SQLite's 64-bit integers, the
    first and last days of the calendar), on every route, as HR and as an agent, on the `make run`
    database."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # With a bonus sheet, as on PostgreSQL: its CHECK (total = its parts) compares whole cents,
    # which SQLite's floating-point decimals add up exactly (performance 0009, issue 14).
    world = _seed()
    failures = []
    for role in ROLES:
        client = _client(world.users[role])
        for route in ROUTES:
            failures += _walk_query(keys_read, client, world, route, role, SQLITE_EDGE_VALUES)
    assert not failures, "\n".join(failures)


def _error_of(response) -> str:
    """The title of an HTML answer (the 500 page: "Something went wrong")."""
    match = re.search(r"<title>(.*?)</title>", response.content.decode(errors="replace"), re.S)
    return " ".join(match.group(1).split()) if match else response.content[:200].decode(errors="replace")


@pytest.mark.sqlite
def test_sqlite_two_approvals_at_once_one_refused_like_postgresql(sqlite_db, org, settings, tmp_path):
    """Two people entitled to decide the same leave approve it at the same moment, over HTTP, on
    two real connections to the SQLite file: one approves, the other is told it is no longer
    pending (a 409 with code not_pending, as on PostgreSQL), never "database is locked" (a 500)."""
    from attendance import services  # noqa: PLC0415
    from attendance.tests.factories import annual_balance, leave_type, next_monday, roster_weeks  # noqa: PLC0415

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    monday = next_monday()
    roster_weeks([org.agent], monday, 7)
    annual_balance(org.agent, monday.year, entitled="5")
    services.approval_delegation_create(
        actor=org.supervisor.user, delegate_id=org.peer.pk, start_date=timezone.localdate(), end_date=monday
    )
    statuses = []
    for _round in range(3):
        leave = services.leave_request_submit(
            actor=org.agent.user,
            leave_type_id=leave_type("annual").pk,
            start_date=monday + datetime.timedelta(days=_round),
            end_date=monday + datetime.timedelta(days=_round),
        )
        path = f"/api/v1/attendance/leave/requests/{leave.pk}/approve/"
        clients = [_client(org.supervisor.user), _client(org.peer.user)]
        barrier = threading.Barrier(2)
        answers = []

        def approve(client, path=path, barrier=barrier, answers=answers):
            from django.db import connections  # noqa: PLC0415

            try:
                barrier.wait()
                response = client.post(path, {}, content_type="application/json")
                json_body = response.headers.get("content-type", "").startswith("application/json")
                answers.append(
                    (response.status_code, response.json().get("code") if json_body else _error_of(response))
                )
            finally:
                connections.close_all()

        threads = [threading.Thread(target=approve, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses.append(sorted(answers))
    assert statuses == [[(200, None), (409, "not_pending")]] * 3
