"""Every action code the project records has a translated label for the auditor (SEC-2).

The codes are collected from the source: the ``action`` of every ``audit_record`` call and of the
apps' ``_audit`` helpers (second argument), the ``"action"`` of the entries given to
``audit_record_many``, and, where the code is a variable, the strings assigned to it in the same
function. A code built with an f-string (``f"complaint.{kind}"``) is matched as a pattern: every
value its placeholders take in the code base must be labelled, so the pattern must match at least
one label and the values each app passes are checked below by name."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from callcenter.models import EmploymentEventKind
from complaints.services.complaints import LOG_KINDS
from datasecurity.rules.actions import AUDIT_ACTION_LABELS, action_label

APPS = ["callcenter", "datasecurity", "attendance", "complaints", "training", "discipline", "performance"]
CODE = re.compile(r"^[a-z_]+\.[a-z_]+$")
WRITERS = {"audit_record", "audit_record_many"}
HELPERS = {"_audit"}  # an app's thin wrapper: _audit(actor, action, obj, changes)


def _sources():
    base = Path(settings.BASE_DIR)
    for app in APPS:
        for path in sorted((base / app).rglob("*.py")):
            parts = path.relative_to(base).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path.relative_to(base), ast.parse(path.read_text(encoding="utf-8"))


def _name(func) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _strings(node) -> list:
    """The codes an expression may take: its string constants and its f-string templates (the
    constants inside an f-string are parts of its template, not codes of their own)."""
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    return [value for child in ast.iter_child_nodes(node) for value in _strings(child)]


def _resolve(expression, function) -> list:
    """A variable's possible values: what is assigned to it in ``function``."""
    if not isinstance(expression, ast.Name) or function is None:
        return _strings(expression)
    values = []
    for node in ast.walk(function):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if any(isinstance(t, ast.Name) and t.id == expression.id for t in targets):
            values += _strings(node.value)
    return values


def _collect():
    """(source, line, code or f-string template) of every recorded action."""
    found = []
    for source, tree in _sources():
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]

        def enclosing(node, functions=functions):
            inside = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
            return max(inside, key=lambda f: f.lineno, default=None)

        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            expressions = []
            if name in WRITERS:
                expressions = [kw.value for kw in node.keywords if kw.arg == "action"]
            elif name in HELPERS and len(node.args) >= 2:
                expressions = [node.args[1]]
            for expression in expressions:
                for value in _resolve(expression, enclosing(node)):
                    found.append((source, node.lineno, value))
            if name == "audit_record_many":
                # the entries are dicts built in the same function: {"action": "employee.hire", ...}
                function = enclosing(node)
                for sub in ast.walk(function) if function else []:
                    if isinstance(sub, ast.Dict):
                        for key, value in zip(sub.keys, sub.values, strict=True):
                            if isinstance(key, ast.Constant) and key.value == "action":
                                found += [(source, sub.lineno, v) for v in _strings(value)]
    return found


def _pattern(template: ast.JoinedStr) -> re.Pattern:
    parts = [re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_.]+" for v in template.values]
    return re.compile("^" + "".join(parts) + "$")


def test_the_collector_finds_the_recorded_codes():
    # given the source as it is, then the known writers and helpers are all seen
    codes = {value for _s, _l, value in _collect() if isinstance(value, str)}
    assert {"auth.login_failed", "employee.hire", "complaint.record", "bonus_sheet.approve"} <= codes
    assert {"access_grant.expire", "access_grant.revoke", "leave_type.update", "user.role_remove"} <= codes
    assert len(codes) > 80


def test_every_recorded_action_has_a_label():
    missing, unmatched = [], []
    for source, line, value in _collect():
        if isinstance(value, str):
            if CODE.match(value) and value not in AUDIT_ACTION_LABELS:
                missing.append(f"{source}:{line}: {value}")
        elif not any(_pattern(value).match(code) for code in AUDIT_ACTION_LABELS):
            unmatched.append(f"{source}:{line}: {ast.unparse(value)}")
    assert not missing, "action codes without a label in datasecurity/rules/actions.py:\n" + "\n".join(missing)
    assert not unmatched, "action patterns no label matches:\n" + "\n".join(unmatched)


def test_the_codes_built_from_kinds_are_labelled():
    # f"employee.{kind}" (dated changes, applied or scheduled) and f"complaint.{kind}" (the log)
    dated = [EmploymentEventKind.TRANSFER, EmploymentEventKind.PAY, EmploymentEventKind.CHANGE]
    expected = [f"employee.{k}" for k in dated] + [f"employee.{k}_schedule" for k in dated]
    expected += [f"complaint.{k}" for k in LOG_KINDS]
    expected += [f"{m}.{v}" for m in ("department", "team", "position") for v in ("create", "update")]
    assert [code for code in expected if code not in AUDIT_ACTION_LABELS] == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_label_is_text_in_the_readers_language_and_an_unknown_code_shows_as_recorded(language):
    with translation.override(language):
        assert action_label("user.role_assign") == str(AUDIT_ACTION_LABELS["user.role_assign"])
        assert action_label("user.role_assign") != "user.role_assign"
    assert action_label("retired.action") == "retired.action"
