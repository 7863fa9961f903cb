"""Injection (SECURITY.md class 5), the part a page test cannot see: no module runs input as code
or as SQL text. Read from the source of each module's runtime code (tests, migrations, demo data
and benchmarks apart), so a new ``eval`` or a query glued together from a variable fails here the
day it is written:

- no ``eval``, ``exec``, ``compile``, ``__import__``, ``pickle``/``marshal`` loads, ``yaml.load``,
  ``os.system`` or ``shell=True``;
- no ``QuerySet.raw`` or ``.extra``; every ``execute``/``RawSQL`` gets its SQL as a literal (or an
  f-string of module constants), values bound as parameters, except the few sites listed below,
  each with why its text is not input;
- no template or code that switches Django's escaping off (``|safe``, ``autoescape off``,
  ``mark_safe``, ``SafeString``): markup typed by a user always renders as text.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

MODULES = ["callcenter", "datasecurity", "attendance", "performance", "complaints"]
SKIPPED_DIRS = {"tests", "migrations", "demo", "bench"}

FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_ATTRIBUTE_CALLS = {
    ("pickle", "loads"),
    ("pickle", "load"),
    ("marshal", "loads"),
    ("yaml", "load"),
    ("os", "system"),
    ("os", "popen"),
}
SQL_SINKS = {"execute", "executemany", "RawSQL"}
# (file, enclosing function) -> why the SQL text it builds is not input
SQL_BUILT_SAFELY = {
    ("datasecurity/services/backup.py", "_pg_describe"): (
        "backup manifest: table names from pg_class, quoted with psycopg's sql.Identifier; no input"
    ),
    ("datasecurity/services/backup.py", "_sqlite_describe"): (
        "backup manifest: table names from sqlite_master, double-quoted; no input"
    ),
    ("datasecurity/services/backup.py", "_scratch_create"): (
        "drill or restore database: a generated name or one matching ^[A-Za-z_][A-Za-z0-9_]{0,62}$, sql.Identifier"
    ),
    ("datasecurity/services/backup.py", "_scratch_drop"): (
        "drill or restore database: a generated name or one matching ^[A-Za-z_][A-Za-z0-9_]{0,62}$, sql.Identifier"
    ),
    ("complaints/selectors/statistics.py", "_id_in"): "table and column names from the model; the ids are bound",
    ("datasecurity/append_only.py", "forwards"): "migration helper: table and trigger names written in migrations",
    ("datasecurity/append_only.py", "backwards"): "migration helper: table and trigger names written in migrations",
    ("datasecurity/append_only.py", "audit_purge_function_upgrade"): (
        "migration 0005's helper: the schema and grantee role names come from the catalog, checked and quoted"
    ),
    ("datasecurity/services/audit.py", "audit_db_roles_apply"): (
        "operator set-up (manage.py audit_db_roles): role and schema names are checked and quoted"
    ),
}


def _runtime_files(module: str) -> list[Path]:
    root = Path(settings.BASE_DIR) / module
    return [p for p in sorted(root.rglob("*.py")) if not SKIPPED_DIRS & set(p.relative_to(root).parts[:-1])]


def _callee(node: ast.Call) -> tuple[str | None, str]:
    if isinstance(node.func, ast.Name):
        return None, node.func.id
    if isinstance(node.func, ast.Attribute):
        owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
        return owner, node.func.attr
    return None, ""


def _literal_sql(arg: ast.expr) -> bool:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return True
    if isinstance(arg, ast.JoinedStr):
        return all(
            isinstance(part, ast.Constant) or (isinstance(part.value, ast.Name) and part.value.id.isupper())
            for part in arg.values
        )
    return False


def _findings(path: Path, relative: str) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]

    def enclosing(node):
        inside = [f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)]
        return max(inside, key=lambda f: f.lineno).name if inside else ""

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _callee(node)
        where = f"{relative}:{node.lineno}"
        if owner is None and name in FORBIDDEN_CALLS:
            found.append(f"{where}: {name}()")
        if (owner, name) in FORBIDDEN_ATTRIBUTE_CALLS:
            found.append(f"{where}: {owner}.{name}()")
        if name in ("raw", "extra") and isinstance(node.func, ast.Attribute) and owner != "json":
            found.append(f"{where}: .{name}() builds SQL from text")
        if name in ("mark_safe", "SafeString"):
            found.append(f"{where}: {name}() switches escaping off")
        if any(k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value for k in node.keywords):
            found.append(f"{where}: shell=True")
        sql_built = name in SQL_SINKS and node.args and not _literal_sql(node.args[0])
        if sql_built and (relative, enclosing(node)) not in SQL_BUILT_SAFELY:
            found.append(f"{where}: {name}() with SQL that is not a literal")
    return found


@pytest.mark.parametrize("module", MODULES)
def test_no_input_runs_as_code_or_sql_text(module):
    """Given the module's runtime code, when it is read, then nothing evaluates text as code and
    every SQL statement is a literal with bound values (or a listed, reviewed exception)."""
    files = _runtime_files(module)
    assert files
    findings = [f for p in files for f in _findings(p, str(p.relative_to(settings.BASE_DIR)))]
    assert findings == []


@pytest.mark.parametrize("module", MODULES)
def test_no_template_switches_escaping_off(module):
    """Given the module's templates (and the project's shared ones, with the core), then none
    marks a value safe or turns autoescaping off: user text is always escaped."""
    roots = [Path(settings.BASE_DIR) / module / "templates"]
    if module == "callcenter":
        roots.append(Path(settings.BASE_DIR) / "templates")
    templates = [p for root in roots for p in sorted(root.rglob("*.html"))]
    assert templates
    offending = [
        str(p.relative_to(settings.BASE_DIR))
        for p in templates
        if any(marker in p.read_text(encoding="utf-8") for marker in ("|safe", "autoescape off", "|safeseq"))
    ]
    assert offending == []


def test_the_reviewed_sql_sites_still_exist():
    """The exceptions above name real functions: a removed or renamed one leaves the list."""
    for (relative, function), _reason in SQL_BUILT_SAFELY.items():
        tree = ast.parse((Path(settings.BASE_DIR) / relative).read_text(encoding="utf-8"))
        assert any(isinstance(n, ast.FunctionDef) and n.name == function for n in ast.walk(tree)), relative


def test_the_scan_finds_what_it_forbids(tmp_path):
    """Given a module that evaluates input, glues SQL from it and marks text safe, when scanned,
    then each of them is reported (the scan is not blind)."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "def view(request, cursor, qs):\n"
        "    eval(request.GET['x'])\n"
        "    cursor.execute(f\"SELECT * FROM t WHERE name = '{request.GET['n']}'\")\n"
        "    cursor.execute('SELECT 1 WHERE a = ' + request.GET['a'])\n"
        "    qs.raw('SELECT 1')\n"
        "    mark_safe(request.GET['y'])\n"
        "    subprocess.run(request.GET['c'], shell=True)\n"
        "    cursor.execute('SELECT %s', [1])\n",
        encoding="utf-8",
    )
    found = _findings(bad, "bad.py")
    assert [f.split(":")[1] for f in found] == ["2", "3", "4", "5", "6", "7"]
