"""The staff import (GEN-1, GEN-2): CSV (UTF-8 with or without BOM, GB18030) and XLSX with Chinese
or English headers; a preview with every row error and nothing written unless the whole file is
valid; one transaction; re-importing changes nothing; rehires keep one record; the limits; the
page flow with the one-time passwords offered once; the API; only HR."""

import base64
import csv
import datetime
import io
import itertools
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from callcenter import services
from callcenter.errors import ApplicationError
from callcenter.models import Employee, EmploymentEvent, User, pinyin_initials
from callcenter.selectors import hiring
from callcenter.tests import factories as f
from datasecurity.models import AuditEvent
from datasecurity.selectors import audit_chain_verify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """These tests read the rules' messages in English (the site's default language is zh-hans)."""
    with translation.override("en"):
        yield


EN = ["employee_no", "name", "department", "team", "position", "hire_date", "first_employed_on",
      "monthly_base_pay", "bonus_base", "email", "mobile", "roles"]  # fmt: skip
ZH = ["工号", "姓名", "部门", "班组", "岗位", "入职日期", "参加工作日期",
      "月基本工资", "绩效奖金基数", "邮箱", "手机", "角色"]  # fmt: skip


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _rows(n: int = 3, start: int = 1) -> list[list[str]]:
    return [
        [f"N{i:05d}", f"新员工{i}", "A", "A1", "AGENT", "2026-03-02", "2018-07-01", "5200.00", "1200.00",
         f"n{i}@example.com", "", "agent"]
        for i in range(start, start + n)
    ]  # fmt: skip


def _csv(rows, headers=EN, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _xlsx(rows, headers=ZH) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        values = list(row)
        values[5] = datetime.date.fromisoformat(values[5])  # Excel dates are dates
        values[7] = float(values[7])  # and amounts numbers
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row_of(employee, **overrides) -> list[str]:
    values = {
        "employee_no": employee.employee_no,
        "name": employee.name,
        "department": employee.department.code,
        "team": employee.team.code if employee.team else "",
        "position": employee.position.code,
        "hire_date": employee.hire_date.isoformat(),
        "first_employed_on": employee.first_employed_on.isoformat(),
        "monthly_base_pay": str(employee.monthly_base_pay),
        "bonus_base": str(employee.bonus_base),
        "email": "",
        "mobile": "",
        "roles": "",
    }
    values.update(overrides)
    return [values[h] for h in EN]


def _client(user) -> Client:
    user.preferred_language = "en"
    user.save(update_fields=["preferred_language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _state():
    return (
        sorted(Employee.objects.values_list("employee_no", "name", "status", "team_id", "monthly_base_pay")),
        EmploymentEvent.objects.count(),
        User.objects.count(),
    )


# --- Formats and headers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "make"),
    [
        ("UTF-8 with BOM, English headers", lambda rows: _csv(rows, EN, "utf-8-sig")),
        ("UTF-8 without BOM, Chinese headers", lambda rows: _csv(rows, ZH, "utf-8")),
        ("GB18030, Chinese headers", lambda rows: _csv(rows, ZH, "gb18030")),
        ("GB18030, English headers", lambda rows: _csv(rows, EN, "gb18030")),
        ("XLSX, Chinese headers", lambda rows: _xlsx(rows, ZH)),
        ("XLSX, English headers", lambda rows: _xlsx(rows, EN)),
    ],
)
def test_every_accepted_format_previews_without_writing_then_imports(org, label, make):
    """GEN-1: the preview says what the file would do and writes nothing; the commit hires every
    row in one go: a login with a one-time password, the hire event and one audit event each."""
    data = make(_rows(3))
    before, audits = _state(), AuditEvent.objects.count()
    plan = services.staff_import_preview(actor=org.hr.user, data=data, filename="staff")
    assert plan.valid, plan.errors
    assert [r.employee_no for r in plan.new] == ["N00001", "N00002", "N00003"]
    assert _state() == before and AuditEvent.objects.count() == audits
    result = services.staff_import_commit(actor=org.hr.user, data=data, filename="staff")
    assert len(result.credentials) == 3
    employee = Employee.objects.select_related("user", "team").get(employee_no="N00002")
    assert (employee.name, employee.team, employee.hire_date) == ("新员工2", org.a1, datetime.date(2026, 3, 2))
    assert employee.first_employed_on == datetime.date(2018, 7, 1)
    number, name, username, password = result.credentials[1]
    assert (number, name, username) == ("N00002", "新员工2", "N00002")
    assert employee.user.check_password(password) and employee.user.must_change_password
    assert EmploymentEvent.objects.filter(kind="hire").count() == 3
    assert AuditEvent.objects.filter(action="employee.hire").count() == 3
    trail = " ".join(str(a.changes) for a in AuditEvent.objects.all())
    assert not any(password in trail for _n, _m, _u, password in result.credentials)


def test_the_batched_audit_events_keep_the_chain_whole(org):
    """SEC-2: the import appends one audit event per person in one batch; the chain verifies,
    in order, around events written one by one before and after."""
    services.employee_hire(
        actor=org.hr.user, employee_no="S00001", name="单个", department_id=org.dept_a.pk,
        position_id=org.agent.position_id, hire_date=datetime.date(2026, 3, 2),
        monthly_base_pay=Decimal("5000"), bonus_base=Decimal("1000"),
    )  # fmt: skip
    services.staff_import_commit(actor=org.hr.user, data=_csv(_rows(30)))
    services.employee_deactivate(actor=org.hr.user, employee_id=org.peer.pk, left_on=timezone.localdate())
    report = audit_chain_verify()
    assert report.ok, report.problems
    hires = list(AuditEvent.objects.filter(action="employee.hire").order_by("id"))
    assert [e.object_repr for e in hires][1:] == [f"新员工{i} (N{i:05d})" for i in range(1, 31)]
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(hires[1:]))


def test_reimporting_the_same_file_changes_nothing(org):
    data = _csv(_rows(4))
    services.staff_import_commit(actor=org.hr.user, data=data, filename="staff.csv")
    before = _state()
    plan = services.staff_import_preview(actor=org.hr.user, data=data)
    assert plan.valid and not plan.new and len(plan.unchanged) == 4
    result = services.staff_import_commit(actor=org.hr.user, data=data, filename="staff.csv")
    assert result.credentials == [] and _state() == before


def test_a_changed_contact_is_updated_and_a_changed_post_or_pay_is_refused(org):
    """Rows are matched by employee number: a new name or mobile is applied (EmploymentEvent kind
    change); a different team or pay is the row's error: transfers and pay changes belong to the
    transfer page, with an effective date."""
    data = _csv([_row_of(org.agent, name="张伟伟", mobile="13900000000")])
    result = services.staff_import_commit(actor=org.hr.user, data=data)
    agent = Employee.objects.get(pk=org.agent.pk)
    assert (agent.name, agent.mobile) == ("张伟伟", "13900000000") and result.credentials == []
    event = EmploymentEvent.objects.get(employee=agent)
    assert event.kind == "change" and event.changes["name"] == ["张伟", "张伟伟"]
    for overrides, column in (({"team": "A2"}, "team"), ({"monthly_base_pay": "9000.00"}, "monthly_base_pay")):
        plan = services.staff_import_preview(actor=org.hr.user, data=_csv([_row_of(agent, **overrides)]))
        assert [(e.row, e.column) for e in plan.errors] == [(2, column)]
        assert "transfer page" in plan.errors[0].message


def test_a_leaver_in_the_file_is_rehired_into_the_same_record_only_with_a_later_hire_date(org):
    """GEN-2: the leaver's row with the old hire date changes nothing (the list still names
    them); with a hire date after the leaving date it rehires the same record."""
    left_on = timezone.localdate() - datetime.timedelta(days=20)
    services.employee_deactivate(actor=org.hr.user, employee_id=org.agent.pk, left_on=left_on)
    old_row = _row_of(org.agent)
    plan = services.staff_import_preview(actor=org.hr.user, data=_csv([old_row]))
    assert plan.valid and plan.left_unchanged == [org.agent.employee_no] and not plan.rehires
    new_date = (left_on + datetime.timedelta(days=1)).isoformat()
    result = services.staff_import_commit(actor=org.hr.user, data=_csv([_row_of(org.agent, hire_date=new_date)]))
    agent = Employee.objects.select_related("user").get(pk=org.agent.pk)
    assert agent.status == "active" and agent.left_on is None and agent.user.is_active
    assert [c[0] for c in result.credentials] == [org.agent.employee_no]
    assert EmploymentEvent.objects.filter(employee=agent, kind="rehire").count() == 1
    assert Employee.objects.filter(employee_no=org.agent.employee_no).count() == 1


# --- Row errors: every one listed, nothing written -------------------------------------------------


def test_row_errors_are_listed_with_row_and_column_and_nothing_is_written(org):
    rows = _rows(6)
    rows[0][2] = "ZZ"  # row 2: unknown department
    rows[1][3] = "B1"  # row 3: team of another department
    rows[2][5] = "2026-02-30"  # row 4: no such date
    rows[3][7] = "-5"  # row 5: negative pay
    rows[4][0] = rows[5][0]  # rows 6 and 7: the same employee number
    data = _csv(rows)
    before, audits = _state(), AuditEvent.objects.count()
    plan = services.staff_import_preview(actor=org.hr.user, data=data)
    assert [(e.row, e.column) for e in plan.errors] == [
        (2, "department"),
        (3, "team"),
        (4, "hire_date"),
        (5, "monthly_base_pay"),
        (7, "employee_no"),
    ]
    with pytest.raises(ApplicationError) as exc:
        services.staff_import_commit(actor=org.hr.user, data=data)
    assert exc.value.code == "import_rows_invalid" and exc.value.extra["error_count"] == 5
    assert _state() == before and AuditEvent.objects.count() == audits


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "import_file_empty"),
        (b"\xef\xbb\xbf\r\n\r\n", "import_file_empty"),
        ("工号,姓名\r\n".encode(), "import_header_invalid"),
        (",".join([*EN, "工号"]).encode() + b"\r\n", "import_header_invalid"),
        (",".join(EN).encode() + b"\r\n", "import_file_empty"),
        (b"%PDF-1.7 not a staff list", "import_file_type"),
        (b"PK\x03\x04 not really a workbook", "import_file_type"),
        (b"\x00\x01\x02binary", "import_file_type"),
        (",".join(EN).encode() + b"\r\n\xff\xfe\xff\xfe\r\n", "import_encoding"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_code(org, data, code):
    with pytest.raises(ApplicationError) as exc:
        services.staff_import_preview(actor=org.hr.user, data=data)
    assert exc.value.code == code and str(exc.value.message)


def test_the_size_and_row_limits(org, monkeypatch):
    monkeypatch.setattr(hiring, "IMPORT_MAX_ROWS", 5)
    assert services.staff_import_preview(actor=org.hr.user, data=_csv(_rows(5))).valid
    with pytest.raises(ApplicationError) as exc:
        services.staff_import_preview(actor=org.hr.user, data=_csv(_rows(6)))
    assert exc.value.code == "import_too_many_rows"
    monkeypatch.setattr(hiring, "IMPORT_MAX_FILE_BYTES", 200)
    with pytest.raises(ApplicationError) as exc:
        services.staff_import_preview(actor=org.hr.user, data=_csv(_rows(5)))
    assert exc.value.code == "import_file_too_large"


def test_hr_cannot_change_their_own_record_by_import(org):
    """SEC-2: a row changing HR's own record refuses the whole file (own_record)."""
    data = _csv([_row_of(org.hr, name="黄丽丽"), _row_of(org.agent, name="张伟伟")])
    assert "own record" in services.staff_import_preview(actor=org.hr.user, data=data).errors[0].message
    with pytest.raises(ApplicationError) as exc:
        services.staff_import_commit(actor=org.hr.user, data=data)
    assert exc.value.code == "own_record"
    assert Employee.objects.get(pk=org.agent.pk).name == "张伟"


def test_the_preview_reads_in_a_bounded_number_of_queries(org, django_assert_max_num_queries):
    data = _csv(_rows(200))
    with django_assert_max_num_queries(12):
        assert services.staff_import_preview(actor=org.hr.user, data=data).valid


def test_the_commit_writes_per_batch_not_per_row_beside_the_audit(org, django_assert_max_num_queries):
    """One audit event and one history event per person are required; the logins, roles and
    records are written in batches."""
    data = _csv(_rows(100))
    with django_assert_max_num_queries(30 + 100 * 4):
        services.staff_import_commit(actor=org.hr.user, data=data)
    assert Employee.objects.filter(employee_no__startswith="N").count() == 100


# --- The pages --------------------------------------------------------------------------------------


def test_page_flow_upload_preview_confirm_and_the_passwords_once(org, django_capture_on_commit_callbacks):
    client = _client(org.hr.user)
    upload = SimpleUploadedFile("staff.csv", _csv(_rows(2)), content_type="text/csv")
    response = client.post(reverse("callcenter:staff_import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="plan-new">2<' in page and not Employee.objects.filter(employee_no="N00001").exists()
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("callcenter:staff_import_confirm"), {"sha256": sha})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert Employee.objects.filter(employee_no__in=["N00001", "N00002"]).count() == 2
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', response.content.decode()).group(1)
    rows = list(csv.reader(io.StringIO(base64.b64decode(href).decode("utf-8-sig"))))
    assert rows[0] == ["Employee number", "Name", "Username", "One-time password"]
    user = User.objects.get(username="N00001")
    assert user.check_password(dict((r[0], r[3]) for r in rows[1:])["N00001"])
    # the staged file is gone: confirming again imports nothing and offers no password
    again = client.post(reverse("callcenter:staff_import_confirm"), {"sha256": sha})
    assert again.status_code == 409 and "data:text/csv" not in again.content.decode()


def test_page_shows_every_row_error_and_offers_no_confirm(org):
    rows = _rows(2)
    rows[1][4] = "NOPE"
    upload = SimpleUploadedFile("staff.csv", _csv(rows), content_type="text/csv")
    response = _client(org.hr.user).post(reverse("callcenter:staff_import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400 and 'id="staff-import-errors"' in page and "NOPE" in page
    assert "staff-import-confirm-form" not in page and not Employee.objects.filter(employee_no="N00001").exists()


def test_page_refuses_a_file_that_is_not_a_staff_list(org):
    upload = SimpleUploadedFile("staff.csv", b"%PDF-1.4 ...", content_type="text/csv")
    response = _client(org.hr.user).post(reverse("callcenter:staff_import"), {"file": upload})
    assert response.status_code == 400 and "neither CSV nor XLSX" in response.content.decode()


def test_another_hr_user_cannot_confirm_someone_elses_preview(org):
    client = _client(org.hr.user)
    upload = SimpleUploadedFile("staff.csv", _csv(_rows(1)), content_type="text/csv")
    page = client.post(reverse("callcenter:staff_import"), {"file": upload}).content.decode()
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
    colleague = f.EmployeeFactory(user=f.UserFactory(username="hr2", roles=["hr"]), team=org.b1)
    response = _client(colleague.user).post(reverse("callcenter:staff_import_confirm"), {"sha256": sha})
    assert response.status_code == 409 and not Employee.objects.filter(employee_no="N00001").exists()


@pytest.mark.parametrize(("lang", "fmt", "first"), [("zh", "csv", "工号"), ("en", "csv", "employee_no")])
def test_the_template_downloads_with_chinese_or_english_headers(org, lang, fmt, first):
    response = _client(org.hr.user).get(reverse("callcenter:staff_import_template"), {"lang": lang, "format": fmt})
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[0] == first and len(header) == 12
    # and the template's own example row imports
    assert services.staff_import_preview(actor=org.hr.user, data=response.content).valid


def test_the_xlsx_template_imports(org):
    response = _client(org.hr.user).get(reverse("callcenter:staff_import_template"))
    assert response.status_code == 200 and response.content.startswith(b"PK")
    assert services.staff_import_preview(actor=org.hr.user, data=response.content).valid


# --- The API (the HR system) ---------------------------------------------------------------------------


def test_api_dry_run_then_commit(org):
    client = _client(org.hr.user)
    url = reverse("api:callcenter:staff_import")
    data = _csv(_rows(2))
    response = client.post(url, {"file": SimpleUploadedFile("s.csv", data)})
    assert response.status_code == 200 and response.json()["new"] == ["N00001", "N00002"]
    assert not Employee.objects.filter(employee_no="N00001").exists()
    response = client.post(url, {"file": SimpleUploadedFile("s.csv", data), "commit": "true"})
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["committed"] and [c["username"] for c in body["credentials"]] == ["N00001", "N00002"]
    again = client.post(url, {"file": SimpleUploadedFile("s.csv", data), "commit": "true"}).json()
    assert again["credentials"] == [] and again["unchanged"] == ["N00001", "N00002"]


def test_api_row_errors_are_a_400_with_every_error(org):
    rows = _rows(2)
    rows[0][8] = "lots"
    response = _client(org.hr.user).post(
        reverse("api:callcenter:staff_import"), {"file": SimpleUploadedFile("s.csv", _csv(rows)), "commit": "true"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_rows_invalid" and body["errors"] == [
        {"row": 2, "column": "bonus_base", "message": "Bonus base must be an amount, not “lots”."}
    ]
    assert not Employee.objects.filter(employee_no__startswith="N").exists()


@pytest.mark.parametrize("who", ["agent", "supervisor", "manager", "leader", "handler", "auditor"])
def test_api_and_pages_refuse_everyone_but_hr(org, who):
    client = _client(getattr(org, who).user)
    data = _csv(_rows(1))
    response = client.post(
        reverse("api:callcenter:staff_import"), {"file": SimpleUploadedFile("s.csv", data), "commit": "true"}
    )
    assert response.status_code == 403
    page = client.post(reverse("callcenter:staff_import"), {"file": SimpleUploadedFile("s.csv", data)})
    assert page.status_code == 403
    assert client.get(reverse("api:callcenter:staff_import_template")).status_code == 403
    assert not Employee.objects.filter(employee_no="N00001").exists()


@pytest.mark.parametrize(("first_employed_on", "accepted"), [("1988-09-01", True), ("1949-12-31", False)])
def test_lv3_a_long_career_starts_before_2000_in_the_staff_file(org, first_employed_on, accepted):
    """LV-3: the staff file takes a date first employed back to 1950; earlier is a row error."""
    row = _rows(1)[0]
    row[6] = first_employed_on
    plan = services.staff_import_preview(actor=org.hr.user, data=_csv([row]))
    if accepted:
        assert plan.valid, plan.errors
    else:
        assert [(e.row, e.column) for e in plan.errors] == [(2, "first_employed_on")]
        assert "1950-01-01" in str(plan.errors[0].message)


def test_imported_employees_are_found_by_the_initials_of_their_names(org):
    """The import writes in batches (no Employee.save()): each new employee still gets the
    directory's search key, the pinyin initials of their name."""
    services.staff_import_commit(actor=org.hr.user, data=_csv(_rows(2)), filename="staff.csv")
    for employee in Employee.objects.filter(employee_no__in=["N00001", "N00002"]):
        assert employee.name_initials and employee.name_initials == pinyin_initials(employee.name)
