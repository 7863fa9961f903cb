"""The Content-Security-Policy in real Chromium: the roles walk the pages of a seeded demo call
center by following links (charts, progress bars, htmx filters), each kind of page once and each
role's dashboard, HR uses the
template editor's script and the API browser, and the browser reports no violation of the policy,
so nothing the pages do is blocked. Screenshots of a few pages land in
test-artifacts/browser/csp-*.png."""

from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve

from performance.models import AppraisalTemplate
from tests.test_browser import ARTIFACTS, browser  # noqa: F401 - the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records the browser's own CSP reports (console messages can be worded in many ways).
CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""
# Not pages to look at: leaving, downloads (the schema too), actions that are POST-only anyway, and
# the API (JSON; its browser is checked on its own below).
SKIP = (
    "/accounts/logout/",
    "export",
    "/import/template",
    "download",
    ".csv",
    "/certificates/",
    "/attachments/",
    "/admin/",
    "/api/",
)
PAGES_PER_ROLE = 45


def _page_kind(path: str) -> str:
    """The URL pattern a path is a page of (``/employees/<int:pk>/``): its template, its scripts."""
    try:
        return resolve(path).route
    except Resolver404:
        return path


def _crawl(page, base_url, kinds: set, start="/"):
    """Open pages reachable by links from ``start`` (same site), checking each: every kind of page
    once in the whole walk (the twentieth employee's page runs the scripts of the first; a kind
    another role opened is not opened again), and the start page, each role's own dashboard,
    always. ``kinds`` is shared between the roles' walks. Returns the violations seen and the
    paths visited."""
    seen, queue, violations = set(), [start], []
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen or (path != start and _page_kind(path) in kinds):
            continue
        seen.add(path)
        kinds.add(_page_kind(path))
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        # Charts and htmx run after load; give them a moment, then ask the page what it refused.
        page.wait_for_timeout(150)
        violations += [f"{path}: {v}" for v in page.evaluate("window.__csp || []")]
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            target = urlsplit(urljoin(base_url + path, href))
            if target.netloc != urlsplit(base_url).netloc or not target.path.startswith("/"):
                continue
            if any(s in target.path for s in SKIP) or target.path in seen:
                continue
            queue.append(target.path)
    return violations, seen


ROLES = ["agent", "supervisor", "manager", "leader", "hr", "complaints", "auditor"]


def _signed_in(browser, live_server, who):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", who)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#dashboard-title")
    return context, page


def test_pages_charts_scripts_and_the_api_browser_run_under_the_policy(browser, live_server, settings):  # noqa: F811
    # given a seeded demo call center (two months of history) with one demo login per role
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", employees=30, months=2, verbosity=0)
    problems, kinds, walked = {}, set(), {}
    for who in ROLES:
        # when each role follows the links of their pages
        context, page = _signed_in(browser, live_server, who)
        console = []
        page.on("console", lambda m, c=console: c.append(m.text) if "Content Security Policy" in m.text else None)
        violations, visited = _crawl(page, live_server.url, kinds)
        page.screenshot(path=ARTIFACTS / f"csp-{who}-last.png", full_page=True)
        walked[who] = visited
        if violations or console:
            problems[who] = violations + console
        context.close()
    # then the policy blocked nothing any page does, over every kind of page the roles reach
    assert not problems, problems
    assert len(kinds) >= 40 and all("/" in visited for visited in walked.values()), (len(kinds), walked)

    context, page = _signed_in(browser, live_server, "hr")
    # the dashboard's chart is drawn (Chart.js from static files, data from json_script)
    page.wait_for_selector("canvas[data-chart-ready]", timeout=10_000)
    page.screenshot(path=ARTIFACTS / "csp-hr-dashboard.png", full_page=True)
    # the template editor's script (a static file now) keeps the running sum and adds rows
    template = AppraisalTemplate.objects.filter(active=True).first()
    page.goto(f"{live_server.url}/performance/setup/templates/{template.pk}/")
    page.wait_for_function("() => document.getElementById('weight-sum').textContent === '100'")
    rows = page.locator("#template-rows tbody tr").count()
    page.locator("#template-rows input[name=weight]").first.fill("0.5")
    page.wait_for_function("() => document.getElementById('weight-sum').textContent !== '100'")
    assert "text-danger" in page.get_attribute("#weight-sum", "class")
    page.click("#row-add")
    assert page.locator("#template-rows tbody tr").count() == rows + 1
    page.screenshot(path=ARTIFACTS / "csp-template-editor.png", full_page=True)
    # the API browser renders the schema (its script from ?script, its styles from static files)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    # Swagger UI renders the operations as they scroll into view (some 200 now): scroll until 20 are
    page.bring_to_front()
    for _ in range(30):
        if page.locator(".opblock").count() > 20:
            break
        page.mouse.wheel(0, 2000)
        page.wait_for_timeout(500)
    assert page.locator(".opblock").count() > 20
    page.screenshot(path=ARTIFACTS / "csp-api-docs.png")
    assert page.evaluate("window.__csp") == []
    context.close()


def test_settings_use_the_strict_policy():
    assert "'unsafe-inline'" not in str(settings.SECURE_CSP) and "'unsafe-eval'" not in str(settings.SECURE_CSP)
