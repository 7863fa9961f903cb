"""My attendance (我的考勤): every status badge readable, the month's days counted the same way.

Issue 14: the status column was white on white (``badge status-<status>`` had no style) and the
month summary mixed "2" and "2.0" days of absenteeism."""

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from attendance.models import DailyAttendance, DayStatus
from attendance.rules import days_figure
from callcenter.tests.factories import reads_english

ROOT = Path(settings.BASE_DIR)
CSS = (ROOT / "static" / "css" / "app.css").read_text(encoding="utf-8")
MONTH_TEMPLATE = ROOT / "attendance" / "templates" / "attendance" / "daily" / "month.html"


def _rule(selector: str) -> str:
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert match, f"no rule for {selector} in static/css/app.css"
    return match.group(1)


def _colour(block: str, prop: str) -> tuple[float, float, float]:
    match = re.search(rf"(?<![-\w]){prop}\s*:\s*#([0-9a-fA-F]{{6}})", block)
    assert match, f"{prop} not set as #rrggbb in {block!r}"
    raw = match.group(1)
    return tuple(int(raw[i : i + 2], 16) / 255 for i in (0, 2, 4))


def _luminance(rgb) -> float:
    def channel(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_template_emits_one_badge_class_per_day_status():
    # given the month page: its status badge class is built from the day's status
    assert 'class="badge status-{{ item.day.status }}"' in MONTH_TEMPLATE.read_text(encoding="utf-8")


@pytest.mark.parametrize("status", DayStatus.values)
def test_every_day_status_badge_has_a_readable_style(status):
    # given every status the template can emit (status-<DayStatus>)
    block = _rule(f".badge.status-{status}")
    # then it sets its own background and text colour, with a contrast of at least 4.5:1 (WCAG AA)
    contrast = _contrast(_colour(block, "background-color"), _colour(block, "color"))
    assert contrast >= 4.5, f"status-{status}: contrast {contrast:.2f}"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("2.0"), "2"),
        (Decimal("2"), "2"),
        (Decimal("0.5") + Decimal("1.5"), "2"),
        (Decimal("2.5"), "2.5"),
        (Decimal("0.50"), "0.5"),
        (Decimal("0"), "0"),
        (3, "3"),
        (Decimal("10"), "10"),
    ],
)
def test_days_figure_whole_days_without_decimal_half_days_with_one(value, shown):
    assert str(days_figure(value)) == shown


def _day(employee, work_date, status, explanation=()):
    return DailyAttendance.objects.create(
        employee=employee, work_date=work_date, status=status, explanation=list(explanation)
    )


def test_my_month_counts_half_days_like_whole_days(client, org):
    # given an agent with a day of absenteeism and two half days (ATT-5), and two days on leave
    # plus two half days of leave (ATT-3) this month
    first = timezone.localdate().replace(day=1)
    _day(org.agent, first, DayStatus.ABSENT)
    for offset in (1, 2):
        _day(org.agent, first + datetime.timedelta(days=offset), DayStatus.HALF_DAY_ABSENT, [{"rule": "absent_half"}])
    for offset in (3, 4):
        _day(org.agent, first + datetime.timedelta(days=offset), DayStatus.ON_LEAVE, [{"rule": "on_leave"}])
    for offset in (5, 6):
        _day(
            org.agent,
            first + datetime.timedelta(days=offset),
            DayStatus.NORMAL,
            [{"rule": "half_day_leave", "part_label": "am", "leave_name": "年假"}],
        )
    reads_english(org.agent)
    client.force_login(org.agent.user)
    # when the agent opens my attendance
    response = client.get(reverse("attendance:my_month"), {"month": f"{first:%Y-%m}"})
    html = response.content.decode()
    # then 2 days of absenteeism and 3 days of leave, never "2.0" / "3.0"
    assert response.status_code == 200
    absence = re.search(r'<div class="stat">([^<]*)</div><div class="small text-body-secondary">Absenteeism', html)
    assert absence and absence.group(1) == "2"
    assert re.search(r'id="month-leave-days">3<', html)
    assert "2.0" not in html and "3.0" not in html
    # and every status badge carries its status class and the stacked-table labels for phones
    assert 'class="badge status-half_day_absent"' in html
    assert 'data-label="Explanation"' in html
