"""Content-Security-Policy (Django's built-in ``SECURE_CSP``): a strict policy on every answer,
and templates that need no exception to it (no inline script, no style attribute)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.csp import CSP

from callcenter.roles import Role

ROOT = Path(settings.BASE_DIR)
ROLE_USERS = {
    Role.AGENT: "agent",
    Role.SUPERVISOR: "supervisor",
    Role.DEPARTMENT_MANAGER: "manager",
    Role.COMPANY_LEADER: "leader",
    Role.HR: "hr",
    Role.COMPLAINT_HANDLER: "handler",
    Role.SECURITY_AUDITOR: "auditor",
}
# Rendered for WeasyPrint only (the bonus sheet PDF), never served as a page.
PDF_TEMPLATES = {
    "performance/templates/performance/bonus/pdf.html",
    "datasecurity/templates/datasecurity/destruct/certificate_pdf.html",  # SEC-4: rendered by WeasyPrint only
    "training/templates/training/records/certificate_pdf.html",  # TRN-3: rendered by WeasyPrint only
}

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")(?![^>]*\bnonce=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def _policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_strict(response):
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']} answered {response.status_code} without a CSP"
    policy = _policy(header)
    for directive in ("default-src", "script-src", "style-src"):
        assert policy[directive] == [CSP.SELF], (directive, header)
    assert policy["object-src"] == [CSP.NONE] and policy["frame-ancestors"] == [CSP.NONE]
    assert policy["base-uri"] == [CSP.NONE] and policy["form-action"] == [CSP.SELF]
    assert CSP.UNSAFE_INLINE not in header and CSP.UNSAFE_EVAL not in header


def _assert_clean_html(response):
    if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
        return
    html = response.content.decode()
    path = response.request["PATH_INFO"]
    for name, pattern in (
        ("inline <script>", INLINE_SCRIPT),
        ("style attribute", STYLE_ATTRIBUTE),
        ("<style> element", STYLE_ELEMENT),
        ("event handler attribute", EVENT_HANDLER),
        ("javascript: URL", JAVASCRIPT_URL),
    ):
        found = pattern.search(html)
        assert not found, f"{path}: {name} {html[found.start() : found.start() + 120]!r}"


def _pages():
    """Every page route (not the API, not Django's admin) with placeholder arguments."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern)

    for route in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "api/v1/")):
            continue
        route = re.sub(r"<int:[^>]+>", "999999", route)
        route = re.sub(r"<str:fmt>", "csv", route)
        route = re.sub(r"<str:[^>]+>", "callcenter.accountpolicy", route)
        yield "/" + route


PAGES = sorted(set(_pages()))


def test_the_walk_finds_the_pages():
    assert len(PAGES) > 90 and "/accounts/tokens/" in PAGES and "/api/docs/" in PAGES


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_every_page_answers_with_a_strict_policy(client, org, role):
    # given a user of each role
    client.force_login(getattr(org, ROLE_USERS[role]).user)
    # when they open every page (allowed or not, existing or not)
    for path in PAGES:
        response = client.get(path)
        # then each answer carries the strict policy, and what renders needs no exception to it
        _assert_strict(response)
        _assert_clean_html(response)


def test_anonymous_pages_errors_and_the_api_carry_the_policy(client, org):
    for path in ("/accounts/login/", "/healthz", "/", "/no-such-page/", "/api/v1/me/", "/api/schema/"):
        response = client.get(path)
        _assert_strict(response)
        _assert_clean_html(response)
    client.force_login(org.agent.user)
    _assert_strict(client.get(reverse("api:callcenter:me")))


def test_the_api_docs_load_their_script_from_the_site(client, org):
    client.force_login(org.agent.user)
    docs = client.get(reverse("api:docs"))
    _assert_strict(docs)
    _assert_clean_html(docs)
    script = client.get(reverse("api:docs"), {"script": ""})
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def _templates():
    for base in [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]:
        if ".venv" in base.parts:
            continue
        yield from sorted(base.rglob("*.html"))


DJANGO_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.S)


def test_templates_hold_no_inline_script_and_no_style_attribute():
    offenders = []
    for path in _templates():
        name = str(path.relative_to(ROOT))
        # Comments are blanked, not removed: the line numbers stay right.
        text = DJANGO_COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), path.read_text(encoding="utf-8"))
        checks = [INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL]
        if name not in PDF_TEMPLATES:
            checks += [STYLE_ATTRIBUTE, STYLE_ELEMENT]
        for pattern in checks:
            for found in pattern.finditer(text):
                line = text.count("\n", 0, found.start()) + 1
                offenders.append(f"{name}:{line}: {found.group(0)[:80]}")
    assert not offenders, "move these to static files / CSS classes (CSP):\n" + "\n".join(offenders)
