"""Catalogs are complete: every translatable string of the code has a zh-Hans and an English
entry, none fuzzy. The check regenerates the catalogs from the sources in a scratch copy, so a
string added without a translation fails here, not in front of a user."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.utils import translation

SKIP = {".venv", "var", ".git", "test-artifacts", "node_modules", ".pytest_cache", ".ruff_cache", "__pycache__"}


def _copy_sources(dst: Path):
    src = Path(settings.BASE_DIR)
    for item in src.iterdir():
        if item.name in SKIP or item.name == "static":
            continue
        if item.is_dir():
            shutil.copytree(item, dst / item.name, ignore=shutil.ignore_patterns(*SKIP, "*.mo"))
        else:
            shutil.copy2(item, dst / item.name)


def _statistics(po: Path) -> str:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_catalogs_are_complete(tmp_path):
    _copy_sources(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-l", "en", "--no-location", "--no-obsolete"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DJANGO_ENV": "development", "DATABASE_URL": "sqlite:///:memory:"},
    )
    assert result.returncode == 0, result.stderr
    for language in ("zh_Hans", "en"):
        stats = _statistics(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po")
        assert "untranslated" not in stats and "fuzzy" not in stats, (
            f"{language}: {stats.strip()} — run `make messages-update` and translate the new strings"
        )


def test_compiled_catalog_translates(client, db):
    with translation.override("zh-hans"):
        assert str(translation.gettext("Dashboard")) != "Dashboard"


# --- One short English word, several meanings ------------------------------------------------------
# A short msgid without a context has one translation for the whole site. These words mean
# different things in different places ("Open" an appraisal cycle is 开启, an open complaint is
# 未结案; days "Left" of a leave balance are 剩余, an employee who left is 已离职), so each meaning but
# the catalog's own carries a context (pgettext / {% translate "…" context "…" %}). The context-free
# form is allowed only where it has the meaning written next to it; a new use elsewhere fails here
# and asks for a context.
AMBIGUOUS_WITHOUT_CONTEXT = {
    "Open": (
        "未结案: a complaint not yet closed",
        {"complaints/forms/complaints.py", "complaints/services/statistics.py"},
    ),
    "Left": (
        "已离职: an employee who has left",
        {
            "callcenter/forms/leavers.py",
            "callcenter/forms/org.py",
            "callcenter/models/leavers.py",
            "callcenter/models/org.py",
            "callcenter/models/people.py",
            "callcenter/templates/callcenter/org/manage.html",
        },
    ),
    "Name": (
        "姓名: a person's name",
        {
            "attendance/services/daily.py",
            "callcenter/forms/hiring.py",
            "callcenter/selectors/changes.py",
            "callcenter/services/directory.py",
            "callcenter/templates/callcenter/dashboard/dashboard.html",
            "callcenter/templates/callcenter/hiring/hired.html",
            "callcenter/templates/callcenter/org/employee_detail.html",
            "callcenter/templates/callcenter/org/employee_list.html",
            "callcenter/views/hiring.py",
            "performance/exports/bonus.py",
            "training/services/records.py",
        },
    ),
    "Active": (
        "在职: an employee or account in service",
        {
            "callcenter/forms/org.py",
            "callcenter/models/org.py",
            "callcenter/templates/callcenter/accounts/role_list.html",
        },
    ),
    "People": (
        "人数: a count of people (the org editor's column)",
        {
            "callcenter/templates/callcenter/org/manage.html",
            "training/templates/training/compliance/report.html",
            "training/templates/training/effect/detail.html",
        },
    ),
    "Closed": (
        "已结案: a complaint's status or count of closed complaints",
        {
            "complaints/models/complaints.py",
            "complaints/services/statistics.py",
            "complaints/templates/complaints/statistics/statistics.html",
        },
    ),
}
_WORDS = "|".join(AMBIGUOUS_WITHOUT_CONTEXT)
_TEMPLATE_BARE = re.compile(r"\{%\s*(?:translate|trans)\s+[\"'](" + _WORDS + r")[\"']\s*(?:%\}|as\b|noop\b)")
_PYTHON_BARE = re.compile(r"(?<![\w.])(?:_|gettext|gettext_lazy)\(\s*[\"'](" + _WORDS + r")[\"']\s*\)")


def _bare_uses() -> dict[str, set[str]]:
    base = Path(settings.BASE_DIR)
    found: dict[str, set[str]] = {word: set() for word in AMBIGUOUS_WITHOUT_CONTEXT}
    for path in base.rglob("*"):
        relative = path.relative_to(base)
        if path.suffix not in {".py", ".html", ".txt"} or SKIP.intersection(relative.parts):
            continue
        if "tests" in relative.parts or "locale" in relative.parts or "migrations" in relative.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        pattern = _TEMPLATE_BARE if path.suffix in {".html", ".txt"} else _PYTHON_BARE
        for match in pattern.finditer(text):
            found[match.group(1)].add(relative.as_posix())
    return found


def test_ambiguous_short_msgids_carry_a_context_outside_their_catalog_meaning():
    """Given the words known to mean different things, when the sources are scanned, then the
    context-free msgid appears only where it has the catalog's meaning."""
    for word, uses in _bare_uses().items():
        meaning, allowed = AMBIGUOUS_WITHOUT_CONTEXT[word]
        unexpected = uses - allowed
        assert not unexpected, (
            f'"{word}" without a context means {meaning}; give these uses their own context '
            f"(pgettext / translate … context): {sorted(unexpected)}"
        )


def test_the_ambiguity_check_sees_a_bare_use(tmp_path):
    """The scan patterns match the forms the code base uses (so the check above can fail)."""
    assert _TEMPLATE_BARE.search('{% translate "Open" %}') and _PYTHON_BARE.search('_("Left")')
    assert not _TEMPLATE_BARE.search('{% translate "Open" context "appraisal cycle: open button" %}')
    assert not _PYTHON_BARE.search('pgettext_lazy("leave balance: days left", "Left")')
