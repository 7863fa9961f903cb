"""The bonus sheet as files (PRF-4): the PDF (WeasyPrint, A4 landscape, Noto Sans CJK SC) and the
table of the XLSX / CSV exports, in the reader's language. The lines come from the one selector
(:func:`performance.selectors.bonus_line_list`: same rows, same order for the three formats); the
export service (:func:`performance.services.bonus_sheet_file_render`) reads them and stores the file.

Why it is laid out this way (docs/performance-bonus.md has the figures): a 5,000-line sheet as a
plain HTML table takes about 50 s and 1.4 GB here, because WeasyPrint lays out and draws each of
the 70,000 table cells as its own box. Here every printed line is *one* text box in the monospaced
CJK face (Noto Sans Mono CJK SC: a Chinese character is exactly two Latin columns wide), the
columns are padded in Python by display width, and the pages are cut in Python with a fixed line
height. So WeasyPrint lays out about 5,000 lines instead of 70,000 cells (a few seconds, under
250 MB), and the page count is known before rendering (checked after it; a mismatch raises).

Security (SEC-3): WeasyPrint reads ``file://`` URLs and local paths by default. The fetcher below
refuses every URL except the files explicitly allowed under the project's static directories,
and stops the rendering when anything else is asked for; ``base_url`` is left empty, so no
relative URL resolves to anything. User text (names, titles) only ever reaches the HTML through
Django's autoescaping.
"""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from performance import rules
from performance.models import BonusLine, BonusSheet, BonusSheetStatus
from performance.selectors import BONUS_MONEY_FIELDS

__all__ = [
    "ALLOWED_STATIC",
    "BONUS_TABLE_MONEY_COLUMNS",
    "CELL",
    "COLUMNS_PER_LINE",
    "FONT_SIZE",
    "GAP",
    "LINE",
    "PAGE_HEIGHT",
    "PAGE_LINES",
    "PAGE_WIDTH",
    "TITLE_LINES",
    "Block",
    "Column",
    "Page",
    "RefusedURLError",
    "StaticOnlyFetcher",
    "adjustment_columns",
    "bonus_line_table",
    "bonus_sheet_html",
    "bonus_sheet_pdf",
    "build_blocks",
    "char_width",
    "html_to_pdf",
    "main_columns",
    "money",
    "pad",
    "paginate",
    "table_lines",
    "text_width",
    "wrap",
]

# --- Page geometry (all in points; keep in step with performance/bonus/pdf.css) ---------------------
FONT_SIZE = 8.5
LINE = 12.0  # line height: every block on a page is a whole number of lines
CELL = FONT_SIZE / 2  # one half-width column of the monospaced face
PAGE_HEIGHT = 210 / 25.4 * 72
PAGE_WIDTH = 297 / 25.4 * 72
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = 10 / 25.4 * 72, 14 / 25.4 * 72, 10 / 25.4 * 72
PAGE_LINES = int((PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM) // LINE) - 1  # one line of slack
COLUMNS_PER_LINE = int((PAGE_WIDTH - 2 * MARGIN_SIDE) // CELL) - 2
TITLE_LINES = 4
GAP = "  "

# Static files a bonus PDF may load (paths relative to a STATICFILES_DIRS entry). Empty: the
# stylesheet is inlined, so the PDF loads nothing at all.
ALLOWED_STATIC: tuple[str, ...] = ()


class RefusedURLError(PermissionError):
    """The PDF asked for a resource it may not load."""


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only explicitly allowed files under the project's
    static directories and refuses everything else (other files, http(s), data:, ftp:...). With
    ``fail_on_errors`` a refusal stops the rendering instead of leaving a silent gap.
    ``requested`` records every URL asked for (tests prove it stays empty for user text)."""

    def __init__(self, allowed: Iterable[str] = ALLOWED_STATIC):
        super().__init__(fail_on_errors=True, allowed_protocols=("file",))
        roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
        self.allowed = set()
        for name in allowed:
            for root in roots:
                candidate = (root / name).resolve()
                if candidate.is_file() and candidate.is_relative_to(root):
                    self.allowed.add(candidate)
        self.requested: list[str] = []

    def fetch(self, url, headers=None):
        self.requested.append(url)
        parts = urlsplit(url)
        if parts.scheme == "file" and parts.netloc in ("", "localhost") and not parts.query:
            path = Path(unquote(parts.path)).resolve()
            if path in self.allowed:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
        raise RefusedURLError(f"the bonus sheet PDF may not load {url[:200]}")


# --- Text columns ----------------------------------------------------------------------------------


def char_width(ch: str) -> int:
    """Columns a character takes in the monospaced CJK face."""
    if unicodedata.combining(ch):
        return 0
    kind = unicodedata.east_asian_width(ch)
    if kind in ("W", "F"):
        return 2
    if kind == "A" and ord(ch) >= 0x2000:  # CJK fonts draw these symbols full width
        return 2
    return 1


def text_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def _clean(text) -> str:
    text = "" if text is None else str(text)
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def wrap(text, width: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``width`` columns, at spaces where it can."""
    text = _clean(text).strip()
    if not text:
        return [""]
    pieces, current, current_width = [], "", 0
    for word in _words(text):
        w = text_width(word)
        if current_width + w <= width:
            current, current_width = current + word, current_width + w
            continue
        if current.strip():
            pieces.append(current.rstrip())
        word = word.lstrip()
        current, current_width = "", 0
        for ch in word:  # a word longer than the column is cut anywhere
            cw = char_width(ch)
            if current_width + cw > width:
                pieces.append(current)
                current, current_width = "", 0
            current, current_width = current + ch, current_width + cw
    if current.strip() or not pieces:
        pieces.append(current.rstrip())
    return pieces


def _words(text: str) -> list[str]:
    """Words with their leading space; every CJK character is a word of its own."""
    words, current = [], ""
    for ch in text:
        if ch == " " or char_width(ch) == 2:
            if current:
                words.append(current)
            current = ch
            if char_width(ch) == 2:
                words.append(current)
                current = ""
        else:
            current += ch
    if current:
        words.append(current)
    return words


def pad(text: str, width: int, *, right: bool = False) -> str:
    space = " " * max(0, width - text_width(text))
    return space + text if right else text + space


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    right: bool = False


def table_lines(columns: list[Column], values: list) -> list[str]:
    """One table row as printed lines (cells wrapped in their column)."""
    cells = [wrap(v, c.width) for c, v in zip(columns, values, strict=True)]
    height = max(len(c) for c in cells)
    return [
        GAP.join(
            pad(cell[i] if i < len(cell) else "", c.width, right=c.right)
            for c, cell in zip(columns, cells, strict=True)
        ).rstrip()
        for i in range(height)
    ]


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


# --- Pages --------------------------------------------------------------------------------------------


@dataclass
class Block:
    """A run of printed lines of one kind (css class); ``table`` names the column header it
    sits under (repeated at the top of each page), ``group`` the department it belongs to."""

    kind: str
    lines: list[str]
    table: str = ""
    group: str = ""
    keep_with_next: bool = False

    @property
    def height(self) -> int:
        return len(self.lines)

    @property
    def text(self) -> str:
        # An empty line would collapse to no height: a no-break space keeps the line's height.
        return "\n".join(line or "\u00a0" for line in self.lines)


@dataclass
class Page:
    number: int
    blocks: list[Block] = field(default_factory=list)
    used: int = 0
    table: str = ""

    def add(self, block: Block) -> None:
        self.blocks.append(block)
        self.used += block.height


def paginate(blocks: list[Block], *, headers: dict[str, Block], page_header: Block, title: Block) -> list[Page]:
    """Cut the blocks into pages of :data:`PAGE_LINES` lines: the title on page 1, the running
    header on the others, a table's column header at the top of each page it continues on, a
    department heading repeated ("continued") when it runs over, headings kept with what follows."""
    pages = [Page(1)]
    pages[0].add(title)
    group_heading: dict[str, Block] = {}

    def new_page() -> Page:
        page = Page(len(pages) + 1)
        page.add(page_header)
        pages.append(page)
        return page

    for index, block in enumerate(blocks):
        page = pages[-1]
        if block.kind == "dept":
            group_heading[block.group] = block
        need = block.height
        if block.table and block.table != page.table:
            need += headers[block.table].height
        if block.keep_with_next and index + 1 < len(blocks):
            need += blocks[index + 1].height
        if page.used + need > PAGE_LINES and page.used > (1 if page.number > 1 else title.height):
            page = new_page()
            if block.group and block.kind != "dept" and block.group in group_heading:
                continued = group_heading[block.group]
                if block.table:
                    page.add(headers[block.table])
                    page.table = block.table
                page.add(Block("dept", [continued.lines[0] + " " + _("(continued)")], table=block.table))
        if block.table and block.table != page.table:
            page.add(headers[block.table])
            page.table = block.table
        elif not block.table:
            page.table = ""
        page.add(block)
    return pages


def _user_name(user) -> str:
    if user is None:
        return ""
    employee = getattr(user, "employee", None)
    return employee.name if employee is not None else user.get_username()


def _when(value) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def main_columns() -> list[Column]:
    return [
        Column("employee_no", _("Employee no."), 10),
        Column("employee_name", _("Name"), 20),
        Column("team_name", _("Team"), 16),
        Column("score", _("Score"), 6, True),
        Column("band", _("Band"), 4),
        Column("coefficient", _("Coeff."), 6, True),
        Column("bonus_base", _("Bonus base"), 11, True),
        Column("performance_amount", _("Performance bonus"), 11, True),
        Column("attendance_fines", _("Attendance fines"), 10, True),
        Column("absenteeism_deduction", _("Absenteeism deduction"), 12, True),
        Column("rewards", _("Rewards"), 10, True),
        Column("penalties", _("Fines"), 10, True),
        Column("total", _("Payable"), 13, True),
    ]


def adjustment_columns() -> list[Column]:
    used = 10 + 20 + 8 + 7 + 12 + 5 * len(GAP)
    return [
        Column("employee_no", _("Employee no."), 10),
        Column("employee_name", _("Name"), 20),
        Column("kind", _("Kind"), 8),
        Column("article", _("Article"), 7),
        Column("amount", _("Amount"), 12, True),
        Column("title", _("For"), COLUMNS_PER_LINE - used),
    ]


def _sum_line(columns: list[Column], label: str, sums: dict) -> list[str]:
    label_width = sum(c.width for c in columns[:6]) + 5 * len(GAP)
    head = Column("label", "", label_width)
    rest = columns[6:]
    return table_lines([head, *rest], [label, *(money(sums[c.key]) for c in rest)])


def build_blocks(sheet: BonusSheet, lines: Iterable[BonusLine]) -> tuple[list[Block], dict[str, Block]]:
    columns = main_columns()
    adj_columns = adjustment_columns()
    headers = {
        "main": Block("head", table_lines(columns, [c.label for c in columns])),
        "adjustments": Block("head", table_lines(adj_columns, [c.label for c in adj_columns])),
    }
    blocks: list[Block] = []
    adjustments: list[list[str]] = []
    zero = {k: Decimal("0.00") for k in BONUS_MONEY_FIELDS}
    grand, grand_count, negative_count = dict(zero), 0, 0
    dept_key, dept_sums, dept_count, dept_name = None, dict(zero), 0, ""
    odd = False

    def close_department():
        blocks.append(
            Block(
                "subtotal",
                _sum_line(
                    columns,
                    _("Subtotal %(department)s (%(count)s)") % {"department": dept_name, "count": f"{dept_count:,}"},
                    dept_sums,
                ),
                table="main",
                group=str(dept_key),
            )
        )

    for line in lines:
        if line.department_id != dept_key:
            if dept_key is not None:
                close_department()
            dept_key, dept_sums, dept_count, dept_name = line.department_id, dict(zero), 0, line.department_name
            blocks.append(
                Block(
                    "dept",
                    wrap(dept_name, COLUMNS_PER_LINE)[:1],
                    table="main",
                    group=str(dept_key),
                    keep_with_next=True,
                )
            )
        values = [
            line.employee_no,
            line.employee_name,
            line.team_name,
            "" if line.score is None else f"{line.score:.2f}",
            line.band,
            f"{line.coefficient:.2f}",
            *(money(getattr(line, k)) for k in BONUS_MONEY_FIELDS),
        ]
        odd = not odd
        kind = "row odd" if odd else "row"
        if line.total < 0:  # PRF-4: never paid below zero; flagged in red and counted in the notes
            kind += " negative"
            negative_count += 1
        blocks.append(Block(kind, table_lines(columns, values), table="main", group=str(dept_key)))
        for key in BONUS_MONEY_FIELDS:
            value = getattr(line, key)
            dept_sums[key] += value
            grand[key] += value
        dept_count += 1
        grand_count += 1
        for entry in line.explanation or []:
            if entry.get("rule") in ("reward", "penalty"):
                adjustments.append(
                    [
                        line.employee_no,
                        line.employee_name,
                        _("Reward") if entry["rule"] == "reward" else _("Fine"),
                        entry.get("article", ""),
                        ("+" if entry["rule"] == "reward" else "−") + money(Decimal(entry.get("amount", "0"))),
                        entry.get("title", ""),
                    ]
                )
    if dept_key is not None:
        close_department()
    blocks.append(
        Block(
            "total",
            _sum_line(columns, _("Grand total (%(count)s employees)") % {"count": f"{grand_count:,}"}, grand),
            table="main",
        )
    )
    if adjustments:
        blocks.append(Block("gap", [""]))
        blocks.append(Block("section", [_("Rewards (RWD-2) and fines (PEN-1) on this sheet")], keep_with_next=True))
        for values in adjustments:
            blocks.append(Block("row", table_lines(adj_columns, values), table="adjustments"))
    blocks.append(Block("gap", [""]))
    blocks.append(_notes_block(sheet, negative_count))
    blocks.append(_signature_block(sheet))
    return blocks, headers


def _notes_block(sheet: BonusSheet, negative_count: int = 0) -> Block:
    policy = rules.policy_from_snapshot(sheet.policy_snapshot or {})
    formula = _(
        "PRF-4 payable = bonus base × band coefficient − attendance fines (ATT-4) − absenteeism deduction (ATT-5) "
        "+ rewards (RWD-2) − fines (PEN-1)."
    )
    bands = _(
        "Bands: A ≥ %(a)s → %(ca)s; B ≥ %(b)s → %(cb)s; C ≥ %(c)s → %(cc)s; D ≥ %(d)s → %(cd)s; "
        "below D or no completed appraisal → %(ce)s (policy in force from %(since)s)."
    ) % {
        "a": policy.band_excellent_min,
        "ca": policy.band_excellent_coefficient,
        "b": policy.band_good_min,
        "cb": policy.band_good_coefficient,
        "c": policy.band_fair_min,
        "cc": policy.band_fair_coefficient,
        "d": policy.band_pass_min,
        "cd": policy.band_pass_coefficient,
        "ce": policy.band_fail_coefficient,
        "since": sheet.policy_snapshot.get("effective_from", "—") if sheet.policy_snapshot else "—",
    }
    lines = wrap(formula, COLUMNS_PER_LINE) + wrap(bands, COLUMNS_PER_LINE)
    if negative_count:
        negative = ngettext(
            "%(count)s line (in red) has a negative payable amount: its deductions (ATT-4, ATT-5, PEN-1) exceed "
            "the bonus. A bonus is never paid below zero; payroll settles the difference from the month's pay "
            "(PRF-4).",
            "%(count)s lines (in red) have a negative payable amount: their deductions (ATT-4, ATT-5, PEN-1) "
            "exceed the bonus. A bonus is never paid below zero; payroll settles the difference from the month's "
            "pay (PRF-4).",
            negative_count,
        ) % {"count": f"{negative_count:,}"}
        lines += wrap(negative, COLUMNS_PER_LINE)
    if sheet.correction_reason:
        lines += wrap(
            _("Correction of version %(version)s: %(reason)s")
            % {
                "version": sheet.version - 1,
                "reason": sheet.correction_reason,
            },
            COLUMNS_PER_LINE,
        )
    return Block("note", lines, keep_with_next=True)


def _signature_block(sheet: BonusSheet) -> Block:
    half = COLUMNS_PER_LINE // 2
    prepared = _("Prepared by: %(name)s  Date: %(date)s") % {
        "name": _user_name(sheet.prepared_by),
        "date": _when(sheet.prepared_at),
    }
    if sheet.approved_by_id:
        approved = _("Approved by: %(name)s  Date: %(date)s") % {
            "name": _user_name(sheet.approved_by),
            "date": _when(sheet.approved_at),
        }
    else:
        approved = _("Approved by: %(name)s  Date: %(date)s") % {"name": "", "date": ""}
    sign = _("Signature:") + " " + "_" * 24
    return Block(
        "sign",
        ["", pad(wrap(prepared, half - 2)[0], half) + wrap(approved, half - 2)[0], "", pad(sign, half) + sign],
    )


def _status_text(sheet: BonusSheet) -> str:
    if sheet.status == BonusSheetStatus.DRAFT:
        return _("DRAFT, not approved")
    return str(sheet.get_status_display())


def _title_block(sheet: BonusSheet) -> tuple[Block, dict]:
    facts = {
        "company": settings.COMPANY_NAME,
        "title": _("Performance bonus sheet %(month)s") % {"month": f"{sheet.month:%Y-%m}"},
        "version": _("Version %(version)s") % {"version": sheet.version},
        "status": _status_text(sheet),
        "printed": _("Printed %(when)s") % {"when": _when(timezone.now())},
    }
    running = " · ".join([facts["company"], facts["title"], facts["version"], facts["status"]])
    return Block("title", [""] * TITLE_LINES), {**facts, "running": wrap(running, COLUMNS_PER_LINE)[0]}


# --- Rendering ---------------------------------------------------------------------------------------------


def html_to_pdf(html: str, *, fetcher: URLFetcher, expected_pages: int | None = None, progress=None) -> bytes:
    """Render HTML with WeasyPrint through ``fetcher`` and no base URL."""
    document = HTML(string=html, base_url=None, url_fetcher=fetcher).render()
    if progress:
        progress(75)
    if expected_pages is not None and len(document.pages) != expected_pages:
        raise RuntimeError(f"PDF layout drift: {len(document.pages)} pages rendered, {expected_pages} laid out")
    return document.write_pdf()


def bonus_sheet_html(sheet: BonusSheet, lines: Iterable[BonusLine]) -> tuple[str, int]:
    """The sheet's printable HTML (active language) and its page count."""
    title, facts = _title_block(sheet)
    blocks, headers = build_blocks(sheet, lines)
    page_header = Block("running", [facts["running"]])
    pages = paginate(blocks, headers=headers, page_header=page_header, title=title)
    context = {
        "facts": facts,
        "pages": pages,
        "line": LINE,
        "font_size": FONT_SIZE,
        "title_lines": TITLE_LINES,
        "language": "zh-Hans" if _("Name") != "Name" else "en",
    }
    return render_to_string("performance/bonus/pdf.html", context), len(pages)


def bonus_sheet_pdf(
    *,
    sheet: BonusSheet,
    lines: Iterable[BonusLine],
    progress: Callable[[int], None] | None = None,
    fetcher: URLFetcher | None = None,
) -> bytes:
    """The sheet as PDF bytes, in the active language. ``sheet`` with its ``prepared_by`` and
    ``approved_by`` (and their employees) loaded; ``lines`` in the order of
    :func:`performance.selectors.bonus_line_list` (by department), streamed once."""
    html, page_count = bonus_sheet_html(sheet, lines)
    if progress:
        progress(30)
    data = html_to_pdf(html, fetcher=fetcher or StaticOnlyFetcher(), expected_pages=page_count, progress=progress)
    if progress:
        progress(95)
    return data


# --- The table of the XLSX and CSV exports ---------------------------------------------------------------


# The columns of :func:`bonus_line_table` that hold money (bonus base … payable): formatted as ¥ and
# summed in the XLSX's totals row.
BONUS_TABLE_MONEY_COLUMNS = tuple(range(7, 7 + len(BONUS_MONEY_FIELDS)))


def bonus_line_table(lines: Iterable[BonusLine]) -> tuple[list[str], Iterable[list]]:
    """(headers, rows) of the sheet for XLSX / CSV, in the active language: one row per line with its
    explanation as text. The rows are generated from ``lines`` as they are read."""
    headers = [
        _("Department"),
        _("Team"),
        _("Employee number"),
        _("Name"),
        _("Score"),
        _("Band"),
        _("Coefficient"),
        _("Bonus base"),
        _("Performance bonus"),
        _("Attendance fines"),
        _("Absenteeism deduction"),
        _("Rewards"),
        _("Fines"),
        _("Payable"),
        _("Explanation"),
    ]

    def rows():
        for line in lines:
            yield [
                line.department_name,
                line.team_name,
                line.employee_no,
                line.employee_name,
                line.score,
                line.band,
                line.coefficient,
                *(getattr(line, key) for key in BONUS_MONEY_FIELDS),
                "; ".join(rules.explain(e) for e in line.explanation),
            ]

    return headers, rows()
