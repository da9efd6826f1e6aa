"""Browser tests: the system Chromium, driven through Playwright's sync API.

Every test in this directory is marked ``e2e`` (``pytest -m "not e2e"`` skips them).
Tests use pytest-django's ``live_server`` (which implies a transactional database); the
live server runs in a thread of this process, so it shares the test settings: Celery
tasks run eagerly and mail ends up in ``django.core.mail.outbox`` (pytest-django
replaces the capture backend with locmem in the test process).
"""

import os
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

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
# did it, nothing for an inline event handler. Code that the test itself evaluates in the
# page has no file but a position: axe-core inserts a <style> element of its own, which
# is the test's doing, not the portal's, and is left out.
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

# What a test fails on. "moderate" and "minor" findings are best practices, not WCAG
# failures that lock people out.
AXE_BLOCKING_IMPACTS = frozenset({"serious", "critical"})
_axe = Axe()
# page.evaluate() never returns in a context without JavaScript, so axe would hang.
_pages_without_js: weakref.WeakSet[Page] = weakref.WeakSet()


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


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) per test, in Dutch, Groningen time."""
    context = _new_context(browser)
    page, problems = _page_in(context)
    try:
        yield page
    finally:
        context.close()
    assert not problems, f"Server errors or blocked content: {problems}"


@pytest.fixture
def nojs_page(browser: Browser) -> Iterator[Page]:
    """Like ``page``, with JavaScript switched off (axe cannot run on it)."""
    context = _new_context(browser, java_script_enabled=False)
    page, problems = _page_in(context, javascript=False)
    _pages_without_js.add(page)
    try:
        yield page
    finally:
        context.close()
    assert not problems, f"Server errors or blocked content: {problems}"


def _format_violation(violation: dict) -> str:
    nodes = "\n".join(
        f"      {' '.join(map(str, node['target']))}: {node.get('html', '')[:200]}"
        for node in violation["nodes"]
    )
    return (
        f"  [{violation['impact']}] {violation['id']}: {violation['help']}\n"
        f"    {violation.get('helpUrl', '')}\n{nodes}"
    )


def axe_check(page: Page) -> dict:
    """Run axe-core in ``page``; fail on any serious or critical violation.

    Returns the raw axe response (for tests that want to look at more).
    """
    if page in _pages_without_js:
        raise RuntimeError("axe-core cannot run in a page with JavaScript switched off")
    response = _axe.run(page).response
    # Guard against a silently skipped run (no engine, no rules), which would pass.
    assert response.get("testEngine", {}).get("name") == "axe-core", response
    blocking = [v for v in response["violations"] if v["impact"] in AXE_BLOCKING_IMPACTS]
    if blocking:
        details = "\n".join(_format_violation(v) for v in blocking)
        raise AssertionError(f"axe found accessibility violations on {page.url}:\n{details}")
    return response


@pytest.fixture(name="axe_check")
def axe_check_fixture():
    """``axe_check(page)`` as a fixture, so tests need not import from conftest."""
    return axe_check


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Pages in further browser contexts (other people), failing on server errors too."""
    opened = []

    def new() -> Page:
        context = _new_context(browser)
        page, errors = _page_in(context)
        opened.append((context, errors))
        return page

    yield new
    for context, _errors in opened:
        context.close()
    problems = [error for _context, errors in opened for error in errors]
    assert not problems, f"Server errors or blocked content: {problems}"
