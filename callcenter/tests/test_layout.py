"""The module standard (docs/modules.md), checked by a tool rather than by memory.

`lint-imports` (.importlinter) checks who imports whom and ruff checks function-level imports;
these tests check the rest of the house rules: the tree of every app, the names of its modules,
the public names of its packages, thin views, and declared error codes.
"""

import ast
import configparser
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ["callcenter", "datasecurity", "attendance", "complaints", "performance", "training", "discipline"]
LAYERS = {"models", "rules", "forms", "services", "selectors", "exports", "views", "api", "urls", "demo", "bench"}
# Layer packages whose area modules declare their public names.
AREA_LAYERS = ("models", "rules", "forms", "services", "selectors", "exports")
APP_ROOT = {
    "__init__.py",
    "apps.py",
    "admin.py",
    "errors.py",
    "tasks.py",
    "models",
    "models.py",
    "rules",
    "rules.py",
    "forms",
    "forms.py",
    "services",
    "services.py",
    "selectors",
    "selectors.py",
    "exports",
    "views",
    "api",
    "demo",
    "bench",
    "management",
    "migrations",
    "templates",
    "tests",
}
# The project package and the kernel every app builds on (docs/modules.md, "Who may import what").
CORE_ROOT = {
    "settings.py",
    "urls.py",
    "wsgi.py",
    "celery.py",
    "middleware.py",
    "context_processors.py",
    "roles.py",
    "permissions.py",
    "inputs.py",
    "pages.py",
    "rest.py",
    "exports.py",
    "jobs.py",
    "navigation.py",
    "providers.py",
    "request_context.py",
    "db_constraints.py",
    "duties.py",
    # template filters every app's pages use (``{% load money %}``): one way to show money
    "templatetags",
}
# datasecurity's database triggers for append-only tables, used by every app's migrations.
EXTRA_ROOT = {"datasecurity": {"append_only.py", "middleware.py"}}
PROJECT_TEMPLATES = {"base.html", "400.html", "403.html", "404.html", "500.html", "includes", "registration"}
ERROR_CLASSES = {"ApplicationError", "NotFoundError", "PermissionDeniedError"}


def _entries(app: str) -> set[str]:
    return {p.name for p in (ROOT / app).iterdir() if p.name != "__pycache__"}


def _runtime_modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        parts = path.relative_to(ROOT / app).parts
        if parts[0] in ("migrations", "tests"):
            continue
        yield path


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            return [] if node.value is None else _literal_names(node.value)
    return None


def _literal_names(value) -> list[str]:
    if isinstance(value, ast.List | ast.Tuple):
        names = []
        for element in value.elts:
            if isinstance(element, ast.Constant):
                names.append(element.value)
            elif isinstance(element, ast.Starred):
                names.append("*")  # a package's concatenation of its modules' __all__
        return names
    return []


def _public_definitions(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
    return {n for n in names if not n.startswith("_")}


@pytest.mark.parametrize("app", APPS)
def test_app_root_holds_only_the_standard_entries(app):
    allowed = APP_ROOT | (CORE_ROOT if app == "callcenter" else set()) | EXTRA_ROOT.get(app, set())
    assert _entries(app) - allowed == set(), f"{app}/ holds files outside the standard (docs/modules.md)"


@pytest.mark.parametrize("app", APPS)
def test_no_module_is_named_after_an_area_and_a_layer(app):
    offenders = []
    for path in (ROOT / app).rglob("*.py"):
        # Migrations and management commands are named for what they do (`seed_demo`), not by layer.
        if "migrations" in path.parts or "management" in path.parts or path.stem.startswith("test_"):
            continue
        words = path.stem.split("_")
        if len(words) > 1 and (words[0] in LAYERS | {"factories"} or words[-1] in LAYERS | {"factories"}):
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, f"<area>_<layer>.py / <layer>_<area>.py names (use a package per layer): {offenders}"


@pytest.mark.parametrize("app", APPS)
def test_layer_packages_declare_their_public_names(app):
    problems = []
    for layer in AREA_LAYERS:
        package = ROOT / app / layer
        if not package.is_dir():
            continue
        if _declared_all(_tree(package / "__init__.py")) is None:
            problems.append(f"{app}/{layer}/__init__.py has no __all__")
        for module in sorted(package.glob("*.py")):
            if module.name == "__init__.py":
                continue
            tree = _tree(module)
            declared = _declared_all(tree)
            if declared is None:
                problems.append(f"{module.relative_to(ROOT)} has no __all__")
                continue
            hidden = _public_definitions(tree) - set(declared)
            if hidden:
                problems.append(f"{module.relative_to(ROOT)}: public but not in __all__: {sorted(hidden)}")
    assert not problems, problems


@pytest.mark.parametrize("app", APPS)
def test_views_and_api_are_packages_with_their_urlconf(app):
    for layer in ("views", "api"):
        package = ROOT / app / layer
        if not package.exists():
            continue
        assert package.is_dir(), f"{app}/{layer} must be a package with its urls.py"
        urls = _tree(package / "urls.py")
        names = {
            t.id for node in urls.body if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)
        }
        assert {"app_name", "urlpatterns"} <= names, f"{app}/{layer}/urls.py declares app_name and urlpatterns"


@pytest.mark.parametrize("app", APPS)
def test_views_and_api_run_no_queries_of_their_own(app):
    """Reads go through selectors: no `Model.objects…` and no `get_object_or_404` in a page or an
    endpoint (the visibility rules live in the selector)."""
    offenders = []
    for layer in ("views", "api"):
        for path in sorted((ROOT / app / layer).glob("*.py")) if (ROOT / app / layer).is_dir() else []:
            for node in ast.walk(_tree(path)):
                if (isinstance(node, ast.Attribute) and node.attr == "objects") or (
                    isinstance(node, ast.Name) and node.id == "get_object_or_404"
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"queries in views/API (use a selector): {offenders}"


@pytest.mark.parametrize("app", APPS)
def test_every_refusal_carries_a_declared_error_code(app):
    """`code=` of an ApplicationError is a member of an ErrorCode enum (errors.py), never a string."""
    offenders = []
    for path in _runtime_modules(app):
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in ERROR_CLASSES:
                continue
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant | ast.JoinedStr):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"string error codes (declare them in <app>/errors.py): {offenders}"


@pytest.mark.parametrize(
    "app", [a for a in APPS if (ROOT / a / "services").exists() or (ROOT / a / "services.py").exists()]
)
def test_every_app_with_services_declares_its_error_codes(app):
    tree = _tree(ROOT / app / "errors.py")
    enums = [
        n
        for n in tree.body
        if isinstance(n, ast.ClassDef) and any(getattr(b, "id", "") == "ErrorCode" for b in n.bases)
    ]
    if app == "callcenter":
        enums = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "CoreErrorCode"]
    assert len(enums) == 1, f"{app}/errors.py declares one ErrorCode enum"


def test_the_import_contracts_protect_every_private_module_of_each_app():
    """A new module at an app's root (or a new layer) is private to its app unless it is one of
    the public faces: the contract of the app must list it, so the tool checks it."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    public = {"services", "selectors", "apps", "migrations", "tests", "templates", "__init__"}
    for app in ("datasecurity", "attendance", "complaints", "performance"):
        section = config[f"importlinter:contract:{app}-face"]
        protected = {line.strip() for line in section["protected_modules"].splitlines() if line.strip()}
        modules = {p.removesuffix(".py") for p in _entries(app)} - public - {"append_only"}
        missing = {f"{app}.{m}" for m in modules} - protected
        assert not missing, f".importlinter {app}-face does not protect {sorted(missing)}"


def test_project_templates_hold_only_the_shared_ones():
    """App pages live in <app>/templates/<app>/<area>/; the project folder keeps the base, the error
    pages, the shared includes and Django's registration pages."""
    assert {p.name for p in (ROOT / "templates").iterdir()} <= PROJECT_TEMPLATES


@pytest.mark.parametrize("app", ["callcenter", "datasecurity", "attendance", "complaints", "performance"])
def test_app_templates_are_filed_by_area(app):
    base = ROOT / app / "templates" / app
    loose = [p.name for p in base.iterdir() if p.is_file()] if base.is_dir() else []
    assert not loose, f"{app} templates outside an area folder: {loose}"
