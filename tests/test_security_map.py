"""docs/security.md, the map of SECURITY.md's twelve classes × the five modules, stays true: each
class has its "Proved means", one line per module, every line names a test or says why the class
does not apply, and every test it names exists (file and function). A renamed or deleted test, a
module left out or a class without its line fails here."""

import ast
import re
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

MAP = Path(settings.BASE_DIR) / "docs" / "security.md"
CLASSES = [
    "Object-level access",
    "Function-level access",
    "Business-logic steps",
    "Mass assignment",
    "Injection",
    "Files",
    "Sessions",
    "Concurrency",
    "Jobs",
    "Audit",
    "Time",
    "Deployment",
]
MODULES = ["callcenter", "datasecurity", "attendance", "performance", "complaints"]
REFERENCE = re.compile(r"`([\w/]+\.py)::(\w+)`")
MODULE_LINE = re.compile(r"^- \*\*(\w+)\*\* — (.+)$")
# Files written for the matrix: every test in them must be on the map.
MATRIX_FILES = [
    "attendance/tests/test_attendance_security.py",
    "callcenter/tests/test_core_security.py",
    "complaints/tests/test_complaints_security.py",
    "datasecurity/tests/test_audit_security.py",
    "performance/tests/test_performance_security.py",
    "tests/test_csrf_modules.py",
    "tests/test_deployment_security.py",
    "tests/test_injection_sources.py",
]


def _sections() -> dict[str, str]:
    text = MAP.read_text(encoding="utf-8")
    parts = re.split(r"^## (\d+)\. (.+)$", text, flags=re.MULTILINE)
    return {title.strip(): body for _number, title, body in zip(parts[1::3], parts[2::3], parts[3::3], strict=True)}


@cache
def _test_functions(relative: str) -> frozenset[str]:
    tree = ast.parse((Path(settings.BASE_DIR) / relative).read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")
    )


def test_the_map_has_the_twelve_classes_in_order():
    """Given docs/security.md, then its numbered sections are SECURITY.md's twelve classes, in
    SECURITY.md's order, each saying what "proved" means for it."""
    sections = _sections()
    assert list(sections) == CLASSES
    for title, body in sections.items():
        assert "Proved means:" in body, title


@pytest.mark.parametrize("title", CLASSES)
def test_every_class_has_one_line_per_module_and_each_names_a_test_or_why_not(title):
    """Given one class's section, then each module has exactly one line, and the line names at
    least one test or starts with N/A followed by its reason."""
    lines = [MODULE_LINE.match(line) for line in _sections()[title].splitlines()]
    found = [m.group(1) for m in lines if m]
    assert found == MODULES, title
    for match in filter(None, lines):
        module, cell = match.groups()
        if cell.startswith("N/A"):
            assert len(cell.split(":", 1)[-1].strip()) > 40, f"{title} / {module}: N/A needs its reason"
        else:
            assert REFERENCE.search(cell), f"{title} / {module}: no test named"


def _missing(text: str) -> list[str]:
    missing = []
    for relative, name in REFERENCE.findall(text):
        if not (Path(settings.BASE_DIR) / relative).is_file():
            missing.append(f"{relative} (no such file)")
        elif name not in _test_functions(relative):
            missing.append(f"{relative}::{name}")
    return missing


def test_every_test_the_map_names_exists():
    """Given every ``file::test`` the map names, then the file exists and defines that test."""
    text = MAP.read_text(encoding="utf-8")
    assert len(REFERENCE.findall(text)) > 300
    assert _missing(text) == []


def test_every_test_written_for_the_matrix_is_on_the_map():
    """Given the files written to fill the matrix, then each of their tests is named on the map
    (a test that proves a cell says which one)."""
    named = set(REFERENCE.findall(MAP.read_text(encoding="utf-8")))
    absent = [f"{f}::{name}" for f in MATRIX_FILES for name in sorted(_test_functions(f)) if (f, name) not in named]
    assert absent == []


def test_the_checker_catches_a_wrong_name_or_file():
    """Given map lines naming a test that does not exist and a file that does not exist, when
    they are checked, then both are reported and a real one is not: the check is not blind."""
    text = (
        "`tests/test_csrf.py::test_a_state_change_without_the_csrf_token_is_refused`, "
        "`tests/test_csrf.py::test_no_such_test`, `tests/test_no_such_file.py::test_x`"
    )
    assert _missing(text) == ["tests/test_csrf.py::test_no_such_test", "tests/test_no_such_file.py (no such file)"]
