"""Catalogs are complete: every translatable string of the code has a zh-Hans and an English
entry, none fuzzy. The check regenerates the catalogs from the sources in a scratch copy, so a
string added without a translation fails here, not in front of a user."""

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
