"""The annual leave grant job (LV-3): daily, idempotent, on the admins' health page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from attendance.models import LeaveBalance
from attendance.tasks import leave_annual_grant
from attendance.tests.factories import leave_type
from callcenter.celery import app as celery_app
from callcenter.models import Employee, JobRun, JobRunStatus
from callcenter.selectors import periodic_job_status
from callcenter.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager(celery_eager):
    """Tasks run in this process, exceptions propagate (whatever REDIS_URL made the default)."""


def annual_balances():
    return dict(
        LeaveBalance.objects.filter(leave_type=leave_type("annual")).values_list("employee_id", "entitled_days")
    )


def test_running_the_job_twice_grants_once(org):
    # given the org's active employees (2020 first employed: 1-10 years worked, 5 days) and no balance
    year = timezone.localdate().year
    leave_type("annual")
    assert not LeaveBalance.objects.exists()
    active = Employee.objects.filter(status="active").count()
    # when the job runs twice
    first = leave_annual_grant.delay().get()
    granted = annual_balances()
    second = leave_annual_grant.delay().get()
    # then the first run grants this year's balance to everyone, the second grants nothing
    assert first == f"{year}: {active} balances granted, 0 raised at a milestone"
    assert second == f"{year}: 0 balances granted, 0 raised at a milestone"
    assert len(granted) == active
    assert set(granted.values()) == {Decimal("5")}
    assert annual_balances() == granted
    assert set(LeaveBalance.objects.values_list("year", flat=True)) == {year}
    # and both runs are recorded for the health page
    runs = JobRun.objects.filter(job="leave-annual-grant").order_by("started_at")
    assert [(r.status, r.detail) for r in runs] == [(JobRunStatus.SUCCEEDED, first), (JobRunStatus.SUCCEEDED, second)]


def test_a_joiner_gets_the_pro_rated_grant_the_next_run_and_hr_edits_stay(org):
    # given this year's grant already ran, and HR then raised the agent's entitlement
    today = timezone.localdate()
    leave_annual_grant.delay().get()
    LeaveBalance.objects.filter(employee=org.agent).update(entitled_days=Decimal("8"))
    # when someone joins today with 12 years worked elsewhere, and the job runs the next night
    joiner = EmployeeFactory(
        team=org.a1, hire_date=today, first_employed_on=today.replace(year=today.year - 12) - datetime.timedelta(1)
    )
    summary = leave_annual_grant.delay().get()
    # then only the joiner is granted: 10 days a year, pro-rated by the days left and rounded down
    assert summary == f"{today.year}: 1 balances granted, 0 raised at a milestone"
    balance = LeaveBalance.objects.get(employee=joiner)
    dec31 = datetime.date(today.year, 12, 31)
    # 企业职工带薪年休假实施办法 第五条: remaining calendar days ÷ 365, also in a leap year
    assert balance.entitled_days == Decimal(((dec31 - today).days + 1) * 10 // 365)
    assert balance.detail["rule"] == "pro_rata"
    # and the HR adjustment is untouched
    assert LeaveBalance.objects.get(employee=org.agent).entitled_days == Decimal("8")


def test_the_job_can_grant_a_given_year(org):
    # given nothing granted; when the job is run by hand for next year (1 January's run)
    year = timezone.localdate().year + 1
    summary = leave_annual_grant.apply(kwargs={"year": year}).get()
    # then next year's balances exist and this year's do not
    assert summary.startswith(f"{year}: ")
    assert LeaveBalance.objects.filter(year=year).exists()
    assert not LeaveBalance.objects.filter(year=year - 1).exists()


def test_the_job_is_scheduled_and_listed_on_the_health_page(client, org, django_user_model, settings):
    # given the beat schedule; then the job runs daily at 00:10 with its label
    entry = settings.CELERY_BEAT_SCHEDULE["leave-annual-grant"]
    assert entry["task"] == "attendance.tasks.leave_annual_grant"
    assert entry["task"] in celery_app.tasks
    rows = {row["name"]: row for row in periodic_job_status()}
    assert rows["leave-annual-grant"]["schedule"] == "10 0 * * *"
    with translation.override("en"):
        assert str(rows["leave-annual-grant"]["label"]) == "Annual leave entitlement grant (LV-3)"
    # when it has run and an administrator opens the health page
    leave_annual_grant.delay().get()
    admin = django_user_model.objects.create_superuser(
        "root", password="x-Long-Passw0rd", must_change_password=False, password_changed_at=timezone.now()
    )
    client.force_login(admin)
    html = client.get(reverse("callcenter:health"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # then its row shows the job, its label and the last run's summary
    assert 'data-job="leave-annual-grant"' in html
    assert "attendance.tasks.leave_annual_grant" in html
    assert "balances granted" in html
