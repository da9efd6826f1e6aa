"""Browser tests: the system Chromium, driven through Playwright's sync API.

Every test in this directory is marked ``e2e`` (``pytest -m "not e2e"`` skips them).
Tests use pytest-django's ``live_server`` (which implies a transactional database); the
live server runs in a thread of this process, so it shares the test settings: Celery
tasks run eagerly and mail ends up in ``django.core.mail.outbox`` (pytest-django
replaces the capture backend with locmem in the test process).

Accessibility: every page a browser test loads with JavaScript on is checked by axe-core
(see ``AxeOnEveryLoad``), and the test fails at teardown on what it found; nobody has to
remember to call a check. ``axe_check(page)`` is still there for a state that no page
load shows (a result swapped in by htmx, a page after a script changed it).
"""

import json
import os
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import axe_playwright_python
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error,
    Page,
    Route,
    expect,
    sync_playwright,
)

# Playwright's sync API keeps an asyncio event loop on the main thread, which makes
# Django refuse ORM calls from the test ("You cannot call this from an async context").
# The tests never run Django code inside that loop, so the guard does not apply.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

E2E_DIR = Path(__file__).resolve().parent

CHROMIUM_PATH = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000
# Reports what the Content-Security-Policy blocked, with where it was: the page's URL for
# markup (an inline <script>, <style> or style= in the HTML), the file for a script that
# did it, nothing for an inline event handler. Code that the test itself puts in the page
# (axe-core, from an init script or page.evaluate) has no file but a position: axe-core
# inserts a <style> element of its own, which is the test's doing, not the portal's, and
# is left out.
CSP_MARK = "[csp-violation]"
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  if (!event.sourceFile && event.lineNumber > 0) return;
  const where = event.sourceFile || "(inline handler)";
  console.error(`MARK ${event.violatedDirective} at ${where}:${event.lineNumber}`);
});
""".replace("MARK", CSP_MARK)
# Without JavaScript the listener cannot run; Chromium's own console message says it.
CSP_CONSOLE_TEXT = "Content Security Policy"

# Accessibility -------------------------------------------------------------------------

# What a test fails on: every impact axe-core reports. "moderate" findings (a heading
# level skipped, content outside the landmarks, ...) make a page harder to use with a
# screen reader, so they fail like "serious" and "critical". "minor" fails too: axe-core
# gives that impact to real, cheap-to-fix gaps (an empty table header, an image's alt
# text repeating its caption, role="presentation" on a focusable element), not to
# guesses: what it cannot decide it reports as "incomplete", which is never a failure.
# The one minor finding the portal had was such a gap (an empty column header in the
# admin); tolerating minor findings would let them pile up unnoticed.
AXE_BLOCKING_IMPACTS = frozenset({"minor", "moderate", "serious", "critical"})
# axe-core's default rule set (WCAG 2.0/2.1/2.2 A and AA, plus its best practices); no
# rule is switched off. (AAA and "experimental" rules are off by axe-core's own default.)
AXE_OPTIONS = {"resultTypes": ["violations"]}
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
AXE_BINDING = "__portalAxeReport"
# Loaded into every document of a context with JavaScript on, before the portal's own
# scripts (Playwright's init scripts are not subject to the page's Content-Security-
# Policy, so the policy stays exactly what the portal sends). In the top-level document
# of an http(s) page it runs axe-core once, on the "load" event, and reports to Python
# through the exposed binding: "running" when it starts, then the result.
# ``__portalAxe.settle()`` (for the pages still open at the end of a test) starts the run
# if the page never reached "load" and returns once the result is reported.
AXE_HOOK = (
    """
if (window.top === window && /^https?:$/.test(location.protocol)) {
"""
    + AXE_SOURCE
    + """
  (() => {
    const axeCore = window.axe;
    const report = window.BINDING;
    const options = OPTIONS;
    let run = null;
    const start = () => {
      if (run) return run;
      const url = location.href;
      report({ url, running: true });
      run = axeCore
        .run(document, options)
        .then((results) => ({
          url,
          engine: results.testEngine.name,
          violations: results.violations.map((violation) => ({
            id: violation.id,
            impact: violation.impact,
            help: violation.help,
            helpUrl: violation.helpUrl,
            nodes: violation.nodes.map((node) => ({ target: node.target, html: node.html })),
          })),
        }))
        .catch((error) => ({ url, error: String(error) }))
        .then((result) => report(result));
      return run;
    };
    const checkable = () => document.contentType === "text/html";
    window.addEventListener("load", () => {
      if (checkable()) start();
    });
    Object.defineProperty(window, "__portalAxe", {
      value: Object.freeze({
        settle: () => {
          if (!run && checkable() && document.readyState !== "loading") start();
          return run ? run.then(() => true) : false;
        },
      }),
    });
  })();
}
""".replace("OPTIONS", json.dumps(AXE_OPTIONS)).replace("BINDING", AXE_BINDING)
)
AXE_SETTLE = "() => window.__portalAxe ? window.__portalAxe.settle() : false"
# How long a page that is being left may take to finish its check.
AXE_RUN_TIMEOUT_S = 20


def _format_violation(violation: dict) -> str:
    nodes = "\n".join(
        f"      {' '.join(map(str, node['target']))}: {node.get('html', '')[:200]}"
        for node in violation["nodes"]
    )
    return (
        f"  [{violation['impact']}] {violation['id']}: {violation['help']}\n"
        f"    {violation.get('helpUrl', '')}\n{nodes}"
    )


def _axe_findings(report: dict) -> list[str]:
    """What in one axe-core report fails a test, one text per page."""
    if report.get("error") or report.get("engine") != "axe-core":
        # A run that did not happen must not pass silently.
        return [f"axe-core could not check {report.get('url')}: {report.get('error')}"]
    blocking = [v for v in report["violations"] if v["impact"] in AXE_BLOCKING_IMPACTS]
    if not blocking:
        return []
    details = "\n".join(_format_violation(v) for v in blocking)
    return [f"axe found accessibility violations on {report['url']}:\n{details}"]


class AxeOnEveryLoad:
    """axe-core on every page load in a browser context (JavaScript on).

    The init script (``AXE_HOOK``) runs axe-core when a page has loaded and reports to
    Python. A page that the test leaves at once must not escape: the context routes
    every request, and a top-level document request waits until the check that runs in
    the document still on screen has reported (that document stays live until the new
    response arrives; nothing can be evaluated in it meanwhile, Chromium would not answer
    until the navigation is let through, so the gate only waits). ``settle()`` checks the
    pages still open at the end.
    """

    def __init__(self, context: BrowserContext):
        self.reports: list[dict] = []
        self.running: dict[Page, str] = {}
        self.context = context
        context.expose_binding(AXE_BINDING, self._report)
        context.add_init_script(AXE_HOOK)
        context.route("**/*", self._gate)

    def _report(self, source: dict, report: dict) -> None:
        if report.get("running"):
            self.running[source["page"]] = report["url"]
        else:
            self.running.pop(source["page"], None)
            self.reports.append(report)

    def _gate(self, route: Route) -> None:
        request = route.request
        if request.is_navigation_request() and request.frame.parent_frame is None:
            page = request.frame.page
            deadline = time.monotonic() + AXE_RUN_TIMEOUT_S
            while page in self.running and time.monotonic() < deadline:
                page.wait_for_timeout(20)
            if page in self.running:
                self.reports.append({"url": self.running.pop(page), "error": "no result in time"})
        route.fallback()

    def settle(self) -> None:
        for page in self.context.pages:
            try:
                page.evaluate(AXE_SETTLE)
            except Error as error:
                self.reports.append({"url": page.url, "error": str(error)})

    def findings(self) -> list[str]:
        return [finding for report in self.reports for finding in _axe_findings(report)]


# The fixtures --------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items):
    """Mark every test in this directory (this hook sees the whole session's items)."""
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        expect.set_options(timeout=TIMEOUT_MS)
        try:
            yield browser
        finally:
            browser.close()


def _new_context(browser: Browser, **options) -> BrowserContext:
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


def _page_in(context: BrowserContext, javascript: bool = True) -> tuple[Page, list[str]]:
    """A page that records server errors (5xx), so a test fails on them even if the
    error page happens to contain the text the test looks for, and anything the
    Content-Security-Policy blocked (see CSP_LISTENER), so a test fails when a page would
    lose a script, a style or a handler in production."""
    page = context.new_page()
    page.add_init_script(CSP_LISTENER)
    csp_mark = CSP_MARK if javascript else CSP_CONSOLE_TEXT
    problems: list[str] = []
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 500 else None
        ),
    )
    page.on(
        "console",
        lambda message: (
            problems.append(f"CSP violation on {page.url}: {message.text}")
            if csp_mark in message.text
            else None
        ),
    )
    return page, problems


class _Person:
    """One browser context with one page, checked as described in ``_page_in`` and, with
    JavaScript on, by axe-core on every page load."""

    def __init__(self, browser: Browser, javascript: bool = True):
        options = {} if javascript else {"java_script_enabled": False}
        self.context = _new_context(browser, **options)
        self.axe = AxeOnEveryLoad(self.context) if javascript else None
        self.page, self.problems = _page_in(self.context, javascript=javascript)

    def close(self) -> list[str]:
        """Close the context; what went wrong in it."""
        try:
            if self.axe is not None:
                self.axe.settle()
        finally:
            self.context.close()
        return self.problems + (self.axe.findings() if self.axe is not None else [])


def _fail_on(problems: list[str]) -> None:
    if problems:
        pytest.fail(
            "Server errors, blocked content or accessibility violations:\n" + "\n".join(problems),
            pytrace=False,
        )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test, in Dutch, Groningen time."""
    person = _Person(browser)
    try:
        yield person.page
    finally:
        problems = person.close()
    _fail_on(problems)


@pytest.fixture
def nojs_page(browser: Browser) -> Iterator[Page]:
    """Like ``page``, with JavaScript switched off (axe-core cannot run in it)."""
    person = _Person(browser, javascript=False)
    _pages_without_js.add(person.page)
    try:
        yield person.page
    finally:
        problems = person.close()
    _fail_on(problems)


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Pages in further browser contexts (other people), checked like ``page``."""
    people: list[_Person] = []

    def new() -> Page:
        person = _Person(browser)
        people.append(person)
        return person.page

    yield new
    problems = [problem for person in people for problem in person.close()]
    _fail_on(problems)


# axe-core on demand --------------------------------------------------------------------

_axe = Axe()
# page.evaluate() never returns in a context without JavaScript, so axe would hang.
_pages_without_js: weakref.WeakSet[Page] = weakref.WeakSet()


def axe_check(page: Page) -> dict:
    """Run axe-core in ``page`` now; fail on any violation (``AXE_BLOCKING_IMPACTS``).

    Every page load is checked anyway; this is for a state no load shows. Returns the raw
    axe response (for tests that want to look at more).
    """
    if page in _pages_without_js:
        raise RuntimeError("axe-core cannot run in a page with JavaScript switched off")
    response = _axe.run(page, options=AXE_OPTIONS).response
    report = {
        "url": page.url,
        "engine": response.get("testEngine", {}).get("name"),
        "violations": response.get("violations", []),
    }
    findings = _axe_findings(report)
    if findings:
        raise AssertionError("\n".join(findings))
    return response


@pytest.fixture(name="axe_check")
def axe_check_fixture():
    """``axe_check(page)`` as a fixture, so tests need not import from conftest."""
    return axe_check
