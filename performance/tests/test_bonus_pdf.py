"""The bonus sheet PDF (PRF-4): A4 landscape, CJK font embedded, department subtotals, grand
total, page x / y, signature lines, both languages; and the URL fetcher that lets WeasyPrint load
nothing (SEC-3), even when user text looks like HTML."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from callcenter.models import Employee
from callcenter.tests.factories import EmployeeFactory
from performance import exports, selectors, services
from performance.models import BonusLine
from performance.tests.factories import BONUS_MONTH, bonus_appraisal_for, bonus_cycle_for

pytestmark = pytest.mark.django_db


def _pdf(org, sheet, *, fetcher=None) -> bytes:
    """The sheet's PDF as the export service renders it: the lines through the one selector."""
    user = org.hr.user
    sheet = selectors.bonus_sheet_get(user=user, pk=sheet.pk)
    lines = selectors.bonus_line_list(user=user, sheet_id=sheet.pk)
    return exports.bonus_sheet_pdf(sheet=sheet, lines=lines, fetcher=fetcher)


def _text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _fonts(reader: PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


@pytest.fixture
def sheet(org):
    """Given the March sheet of the org: 张伟 95 (A), 王芳 85 (B), 刘洋 72 (C) in 客服一部 and 赵敏
    without score in 客服二部, base 1,000 each, and a reward for 王芳."""
    cycle = bonus_cycle_for()
    for employee, score in [(org.agent, 95), (org.peer, 85), (org.other_team, 72), (org.other_dept, None)]:
        bonus_appraisal_for(employee, cycle, score)
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    line = BonusLine.objects.get(sheet=sheet, employee=org.peer)
    services.bonus_line_adjust(actor=org.hr.user, line_id=line.pk, kind="reward", title="服务明星奖", amount="300")
    return sheet


def test_pdf_has_names_subtotals_grand_total_pages_and_the_cjk_font(org, sheet):
    """When the sheet is rendered in Chinese, then the PDF is A4 landscape, embeds Noto Sans CJK,
    and reads the names, each department's subtotal, the grand total, page x / y and the
    signature lines."""
    with translation.override("zh-hans"):
        data = _pdf(org, sheet)
    reader, text = _text(data)
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert width > height and abs(width - 841.89) < 1 and abs(height - 595.28) < 1  # A4 landscape
    fonts = _fonts(reader)
    squeezed = {f.split("+")[-1].replace("-", "") for f in fonts}
    assert "NotoSansCJKSC" in squeezed and "NotoSansMonoCJKSC" in squeezed, fonts
    # every glyph comes from the CJK faces: no fallback font that would draw boxes
    assert all(re.fullmatch(r"NotoSans(Mono)?CJKSC(Bold)?", f) for f in squeezed), fonts
    for name in ("张伟", "王芳", "刘洋", "赵敏", "客服一部", "客服二部", "服务明星奖", "RWD-2", "PRF-4"):
        assert name in text
    # 客服一部: 1,200 + 1,000 + 800 + 300 reward = 3,300.00; 客服二部: 0.00; all: 3,300.00
    assert re.search(r"小计：客服一部（3 人）.*3,300\.00", text)
    assert re.search(r"小计：客服二部（1 人）.*0\.00", text)
    assert re.search(r"总计（4 名员工）.*4,000\.00.*3,300\.00", text)
    assert "1 / 1" in text
    assert org.hr.name in text  # prepared by
    assert "____" in text  # signature lines


def test_many_lines_paginate_with_global_page_numbers_and_continued_departments(org):
    """Given 130 employees in one department, when the PDF is rendered, then it has several pages
    numbered x / y, the department heading repeats on the next page, and the layout computed in
    Python matches WeasyPrint's (no drift)."""
    cycle = bonus_cycle_for()
    people = EmployeeFactory.create_batch(130, team=org.b1, department=org.dept_b)
    for e in people:
        bonus_appraisal_for(e, cycle, 88)
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    with translation.override("zh-hans"):
        data = _pdf(org, sheet)
    reader, text = _text(data)
    pages = len(reader.pages)
    assert pages >= 3
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text
    assert text.count("客服二部") >= pages  # heading on page 1, "continued" on the others, subtotal
    assert "130,000.00" in text  # 130 × 1,000 × 1.00


def test_english_pdf_has_english_labels(org, sheet):
    with translation.override("en"):
        data = _pdf(org, sheet)
    _reader, text = _text(data)
    assert "Grand total" in text and "Subtotal" in text and "张伟" in text


@pytest.mark.parametrize(
    ("language", "note"),
    [("zh-hans", "1 行（红色）应发金额为负"), ("en", "1 line (in red) has a negative payable amount")],
)
def test_a_negative_line_is_drawn_in_red_and_explained_in_the_notes(org, sheet, language, note):
    """Given 刘洋 (C, 800.00) fined 2,000 (PEN-1), when the PDF is rendered, then the line is red
    and the notes say that a bonus is never paid below zero (PRF-4), as the sheet page does."""
    line = BonusLine.objects.get(sheet=sheet, employee=org.other_team)
    services.bonus_line_adjust(actor=org.hr.user, line_id=line.pk, kind="penalty", title="违规处罚", amount="2000")
    user = org.hr.user
    lines = selectors.bonus_line_list(user=user, sheet_id=sheet.pk)
    with translation.override(language):
        blocks, _headers = exports.bonus.build_blocks(selectors.bonus_sheet_get(user=user, pk=sheet.pk), lines)
        _reader, text = _text(_pdf(org, sheet))
    negative = [block for block in blocks if "negative" in block.kind.split()]
    assert len(negative) == 1 and "-1,200.00" in negative[0].lines[0]
    assert note in re.sub(r"\s+", " ", text)


def test_user_text_that_looks_like_html_is_printed_literally_and_fetches_nothing(org):
    """Given an employee named like an <img> tag and an adjustment titled like a <link
    rel=attachment>, when the PDF is rendered with a recording fetcher, then the fetcher is never
    asked for anything and both texts appear literally."""
    evil_name = '<img src="file:///etc/passwd">'
    evil_title = '<link rel=attachment href="file:///etc/passwd">'
    Employee.objects.filter(pk=org.agent.pk).update(name=evil_name)
    cycle = bonus_cycle_for()
    bonus_appraisal_for(org.agent, cycle, 95)
    sheet = services.bonus_sheet_prepare(actor=org.hr.user, month=BONUS_MONTH)
    line = BonusLine.objects.get(sheet=sheet)
    services.bonus_line_adjust(actor=org.hr.user, line_id=line.pk, kind="penalty", title=evil_title, amount="10")
    fetcher = exports.StaticOnlyFetcher()
    data = _pdf(org, sheet, fetcher=fetcher)
    assert fetcher.requested == []
    _reader, text = _text(data)
    # the name column is 20 wide: the name is printed in its wrapped pieces, each literally
    assert exports.wrap(evil_name, 20) == ["<img", 'src="file:///etc/pas', 'swd">']
    assert all(piece in text for piece in exports.wrap(evil_name, 20))
    assert evil_title in text
    assert b"root:" not in data


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/hostname",
        "http://127.0.0.1:8000/admin/",
        "https://example.com/x.css",
        "data:text/plain,hello",
        "ftp://127.0.0.1/x",
    ],
)
def test_the_fetcher_refuses_everything_not_allowed(url):
    fetcher = exports.StaticOnlyFetcher()
    with pytest.raises(Exception) as exc:
        fetcher(url)
    assert isinstance(exc.value, (exports.RefusedURLError, ValueError))
    assert fetcher.requested in ([url], [])


def test_the_fetcher_serves_only_an_explicitly_allowed_static_file(settings):
    allowed_path = settings.STATICFILES_DIRS[0] / "css" / "app.css"
    fetcher = exports.StaticOnlyFetcher(allowed=["css/app.css"])
    response = fetcher(allowed_path.as_uri())
    assert response.read() == allowed_path.read_bytes()
    with pytest.raises(exports.RefusedURLError):
        fetcher((settings.STATICFILES_DIRS[0] / "js" / "app.js").as_uri())
    with pytest.raises(exports.RefusedURLError):  # a way out of the static directory is not allowed
        exports.StaticOnlyFetcher(allowed=["../manage.py"])((settings.BASE_DIR / "manage.py").as_uri())


@pytest.mark.parametrize(
    "markup",
    [
        '<p>x</p><img src="file:///etc/passwd">',
        '<p>x</p><link rel="attachment" href="file:///etc/passwd">',
        '<p style="background: url(file:///etc/passwd)">x</p>',
        "<style>@import url(file:///etc/passwd);</style><p>x</p>",
    ],
)
def test_a_template_bug_that_lets_a_url_through_stops_the_rendering(markup):
    """Defence in depth: if markup with a local URL ever reached the HTML, the fetcher refuses it
    and the rendering stops (no PDF with a silent gap, nothing read)."""
    fetcher = exports.StaticOnlyFetcher()
    with pytest.raises(FatalURLFetchingError):
        exports.html_to_pdf(f"<html><body>{markup}</body></html>", fetcher=fetcher)
    assert fetcher.requested == ["file:///etc/passwd"]


def test_text_columns_count_chinese_as_two():
    assert exports.text_width("张伟") == 4 and exports.text_width("E001") == 4
    assert exports.pad("张伟", 6) == "张伟  " and exports.pad("1.00", 6, right=True) == "  1.00"
    assert exports.wrap("Absenteeism deduction", 12) == ["Absenteeism", "deduction"]
    assert exports.wrap("客服一部呼入服务组", 8) == ["客服一部", "呼入服务", "组"]
    assert all(exports.text_width(p) <= 5 for p in exports.wrap("a" * 23, 5))
    assert exports.money(Decimal("-1234.5")) == "-1,234.50"


def test_web_processes_do_not_load_weasyprint():
    """WeasyPrint costs 0.65 s and 40 MB to import: only the worker that renders a file loads it
    (the export service imports the renderers when it renders). A web process loads every page and
    endpoint and still has none of it."""
    code = (
        "import sys, django; django.setup(); from django.urls import resolve; resolve('/');"
        "import performance.services, performance.views.urls, performance.api.urls;"
        "print('weasyprint' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "callcenter.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
