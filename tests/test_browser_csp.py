"""The Content-Security-Policy in real Chromium: the roles walk the pages of a seeded demo call
center by following links (charts, progress bars, htmx filters), each kind of page once and each
role's dashboard, HR uses the
template editor's script and the API browser, and the browser reports no violation of the policy,
so nothing the pages do is blocked. Screenshots of a few pages land in
test-artifacts/browser/csp-*.png.

The walk runs in tests/test_browser_a11y.py: one seeded call center, each page opened once, and
on it both this policy check and axe's (the two walks were the same pages, twice); the pieces it
shares are here."""

from django.conf import settings
from django.urls import Resolver404, resolve

from performance.models import AppraisalTemplate
from tests.test_browser import ARTIFACTS

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
    ".pdf",  # a training certificate (TRN-3)
    "/training/study/materials/",  # a course's material file (served privately, TRN-2)
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


ROLES = ["agent", "supervisor", "manager", "leader", "hr", "complaints", "auditor"]


def _signed_in(browser, live_server, who):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", who)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#dashboard-title")
    return context, page


def hr_scripts_and_the_api_browser_run_under_the_policy(browser, live_server):
    """HR's dashboard chart, the template editor's script and the API browser run, and the policy
    blocks nothing, on a seeded demo call center (the walk's, tests/test_browser_a11y.py)."""
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
