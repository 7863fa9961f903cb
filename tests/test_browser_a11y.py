"""Accessibility in real Chromium: axe-core (WCAG 2.0/2.1 A and AA) over the pages of every role of a
seeded demo call center finds no serious or critical violation, and no page is wider than a 375 px
phone. The walk is also the Content-Security-Policy walk (tests/test_browser_csp.py's crawl: one
seeded call center, each page opened once for both checks): every kind of page once across the
roles, and each role's dashboard; at 375 px each role's first pages again (their width; axe on
the dashboard, where the menu collapses). The same test then runs HR's scripts and the API
browser under the policy, and the busiest pages read in English through axe.

axe-core is vendored (static/vendor/axe-core/, see its README) and only ever injected here, by the
browser's DevTools (an init script), so no page loads it and the strict CSP is untouched.

A failure lists each problem on one line: the role, the page, the rule, its impact, the element
(axe's CSS selector) and axe's own words, which for colour contrast carry the measured ratio and
the two colours, e.g. ``hr /attendance/roster/: color-contrast (serious) .nav-link[href="/"]:
Element has insufficient color contrast of 3.53 (foreground color: #ffffff, background color:
#3d8bfd, ...)``. Screenshots land in test-artifacts/browser/a11y-*.png."""

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.test_browser import ARTIFACTS, browser  # noqa: F401 - the browser fixture
from tests.test_browser_csp import (
    CSP_LISTENER,
    PAGES_PER_ROLE,
    ROLES,
    SKIP,
    _page_kind,
    hr_scripts_and_the_api_browser_run_under_the_policy,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
PHONE_WIDTH = 375
PHONE_PAGES_PER_ROLE = 4
# axe.run in the page: the violations of the WCAG A/AA rules, serious or critical, each node with
# its selector and axe's explanation (contrast ratio and colours for color-contrast).
AXE_RUN = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map(n => ({
        target: n.target.join(" "),
        message: [...n.any, ...n.all, ...n.none].map(c => c.message).filter(Boolean).join("; ")
      }))
    }));
}
"""

# The outermost elements that reach past the viewport (their parent does not, or is inside a
# scrolling box), outside any scrolling box: what makes the page wider than the phone.
OVERFLOWING = """
(limit) => {
  // Inside a box that scrolls or clips, unless the element is absolutely placed against a box
  // further out (a visually hidden label in a table cell is placed against the page).
  const clipped = (e) => {
    let escaping = getComputedStyle(e).position === "absolute";
    for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (escaping && style.position !== "static") escaping = false;
      if (!escaping && ["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) return true;
    }
    return false;
  };
  const name = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (typeof e.className === "string" && e.className.trim() ? "." + e.className.trim().split(/\\s+/).join(".") : "");
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > limit + 1 && !clipped(e))
    .filter(e => !e.parentElement || clipped(e.parentElement)
      || e.parentElement.getBoundingClientRect().right <= limit + 1)
    .slice(0, 5)
    .map(e => name(e) + " in " + name(e.parentElement) + " right=" + Math.round(e.getBoundingClientRect().right));
}
"""


def _signed_in(browser, live_server, who, width):  # noqa: F811
    context = browser.new_context(
        viewport={"width": width, "height": 900}, is_mobile=width <= PHONE_WIDTH, has_touch=width <= PHONE_WIDTH
    )
    # An init script is the browser's own (DevTools), so the page's CSP does not apply to it.
    context.add_init_script(path=str(AXE))
    context.add_init_script(CSP_LISTENER)  # the walk reads the policy's reports too
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", who)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#dashboard-title")
    return context, page


def _links(page, base_url, path, seen) -> list[str]:
    found = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
        target = urlsplit(urljoin(base_url + path, href))
        if target.netloc != urlsplit(base_url).netloc or not target.path.startswith("/"):
            continue
        if any(s in target.path for s in SKIP) or target.path in seen:
            continue
        found.append(target.path)
    return found


def _check(page, who, path, *, phone: bool) -> list[str]:
    """axe's serious and critical violations of this page, and at phone width its overflow (axe
    runs on a phone only on the dashboard: the collapsed menu; the rest it saw at desktop width)."""
    problems = []
    for violation in page.evaluate(AXE_RUN, TAGS) if not phone or path == "/" else []:
        for node in violation["nodes"]:
            problems.append(
                f"{who} {path}{' (375 px)' if phone else ''}: {violation['id']} ({violation['impact']}) "
                f"{node['target']}: {node['message']}"
            )
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE_WIDTH:
            wide = page.evaluate(OVERFLOWING, PHONE_WIDTH)
            problems.append(f"{who} {path} (375 px): page is {width} px wide; widest elements: {wide}")
    return problems


def _walk(page, base_url, who, kinds: set, *, limit: int, phone: bool):
    """The CSP walk: links from the dashboard, each kind of page once across the roles (``kinds``
    is shared), the dashboard always; ``limit`` pages at most. Returns axe's (and the phone's)
    problems, the policy's violations and the paths visited."""
    seen, queue, problems, violations = set(), ["/"], [], []
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or (path != "/" and _page_kind(path) in kinds):
            continue
        seen.add(path)
        kinds.add(_page_kind(path))
        page.goto(base_url + path)
        page.wait_for_load_state("load")
        # Charts and htmx run after load; give them a moment, then ask the page what it refused.
        page.wait_for_timeout(150)
        violations += [f"{path}: {v}" for v in page.evaluate("window.__csp || []")]
        problems += _check(page, who, path, phone=phone)
        queue += _links(page, base_url, path, seen)
    return problems, violations, seen


def test_every_role_s_pages_run_under_the_policy_have_no_serious_accessibility_violation_and_fit_a_phone(
    browser,  # noqa: F811
    live_server,
    settings,
):
    # given a seeded demo call center (two months of history) with one demo login per role
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", employees=30, months=2, verbosity=0)
    problems, csp_problems, desktop_kinds, phone_kinds, walked = [], {}, set(), set(), {}
    for who in ROLES:
        # when each role follows the links of their pages at desktop width, then their first pages on a phone
        context, page = _signed_in(browser, live_server, who, 1280)
        console = []
        page.on("console", lambda m, c=console: c.append(m.text) if "Content Security Policy" in m.text else None)
        found, violations, visited = _walk(page, live_server.url, who, desktop_kinds, limit=PAGES_PER_ROLE, phone=False)
        page.screenshot(path=ARTIFACTS / f"csp-{who}-last.png", full_page=True)
        problems += found
        walked[who] = visited
        if violations or console:
            csp_problems[who] = violations + console
        context.close()
        context, page = _signed_in(browser, live_server, who, PHONE_WIDTH)
        found, _violations, _visited = _walk(
            page, live_server.url, who, phone_kinds, limit=PHONE_PAGES_PER_ROLE, phone=True
        )
        problems += found
        page.screenshot(path=ARTIFACTS / f"a11y-{who}-phone-last.png", full_page=True)
        context.close()
    # then the policy blocked nothing any page does, over every kind of page the roles reach
    assert not csp_problems, csp_problems
    # and axe finds nothing serious or critical anywhere and every page fits 375 px
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)
    assert len(desktop_kinds) >= 40 and all("/" in visited for visited in walked.values()), (
        len(desktop_kinds),
        walked,
    )
    # and HR's scripts (dashboard chart, template editor) and the API browser run under the policy
    hr_scripts_and_the_api_browser_run_under_the_policy(browser, live_server)
    # and the busiest pages read in English have no serious violation either
    _the_busiest_pages_read_in_english_have_no_serious_violation(browser, live_server)


def test_axe_runs_under_the_pages_policy_and_reports_a_known_failure(browser, live_server, org):  # noqa: F811
    # given the login page (strict CSP) with axe injected by the browser
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("typeof axe.run") == "function"
    # when an image without a text alternative is added, then axe reports it (serious or critical)
    page.evaluate("document.body.append(Object.assign(document.createElement('img'), {src: '/x.png'}))")
    assert any(v["id"] == "image-alt" for v in page.evaluate(AXE_RUN, TAGS))
    context.close()


# English words are longer and differ from what the cells show in Chinese (a button's name must
# contain its visible text, WCAG 2.5.3): the busiest pages of two roles are checked in English too.
ENGLISH_PAGES = {
    "supervisor": (
        "/",
        "/attendance/roster/",
        "/attendance/board/",
        "/attendance/corrections/",
        "/attendance/leave/inbox/",
    ),
    # SEC-4: HR's retention schedule and destruction requests.
    "hr": (
        "/",
        "/performance/cycles/",
        "/performance/bonus/",
        "/employees/",
        "/policies/",
        "/security/retention/",
        "/security/destruction/requests/",
    ),
    # SEC-3: the security page's cards, chart and tables, and its alerts; SEC-4: the register and inbox.
    "auditor": ("/security/", "/security/alerts/", "/security/destruction/", "/security/destruction/inbox/"),
}


def _the_busiest_pages_read_in_english_have_no_serious_violation(browser, live_server):  # noqa: F811
    """On the seeded call center of the walk above (one seed for both)."""
    problems = []
    for who, paths in ENGLISH_PAGES.items():
        context, page = _signed_in(browser, live_server, who, 1280)
        page.click("#language-switch")
        page.wait_for_selector("#dashboard-title")
        assert page.get_attribute("html", "lang") == "en"
        for path in paths:
            response = page.goto(live_server.url + path)
            assert response.status == 200, (who, path, response.status)
            page.wait_for_load_state("load")
            page.wait_for_timeout(100)
            problems += _check(page, f"{who} (en)", path, phone=False)
        context.close()
    assert not problems, f"{len(problems)} accessibility problems:\n" + "\n".join(problems)
