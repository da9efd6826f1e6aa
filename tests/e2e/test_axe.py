"""The accessibility checker itself: it must be able to fail, on demand and on every page
load (tests/e2e/conftest.py)."""

import pytest
from playwright.sync_api import Route

from tests.e2e.conftest import AxeOnEveryLoad, _axe_findings, _new_context, _page_in

PAGE = """<!DOCTYPE html>
<html lang="nl"><head><title>Formulier</title></head>
<body><main><h1>Formulier</h1><form>{field}<button type="submit">Verstuur</button></form></main>
</body></html>"""


def test_axe_detects_violation(page, axe_check):
    page.set_content(PAGE.format(field='<input type="text" name="kvk">'))
    expected = r"\[critical\] label: Form elements must have labels"
    with pytest.raises(AssertionError, match=expected) as failure:
        axe_check(page)
    assert '<input type="text" name="kvk">' in str(failure.value)


def test_axe_passes_labelled_form(page, axe_check):
    page.set_content(
        PAGE.format(field='<label for="kvk">KvK-nummer</label><input id="kvk" name="kvk">')
    )
    response = axe_check(page)
    assert response["testEngine"]["name"] == "axe-core"


# Pages of a site that is not there: the browser context answers them itself. Each is
# long enough that axe-core is still at work when the test clicks on.
SITE = "http://toegankelijk.test"
LONG = "<ul>" + "<li><a href='#'>Punt</a></li>" * 300 + "</ul>"
PAGES = {
    # A moderate finding only: a heading level skipped.
    "/een/": (
        "<h1>Een</h1><h3>Te diep</h3>"
        '<p><a href="/twee/">Verder</a></p><form method="post" action="/twee/">'
        '<label for="naam">Naam</label><input id="naam" name="naam">'
        "<button>Versturen</button></form>"
    ),
    # A critical one: a field without a label.
    "/twee/": '<h1>Twee</h1><input name="kvk"><p><a href="/drie/">Verder</a></p>',
    # Nothing wrong.
    "/drie/": "<h1>Drie</h1>",
}


def serve(route: Route) -> None:
    path = route.request.url.removeprefix(SITE)
    body = PAGES[path]
    route.fulfill(
        content_type="text/html; charset=utf-8",
        body=f'<!DOCTYPE html><html lang="nl"><head><title>{path}</title></head>'
        f"<body><main>{body}{LONG}</main></body></html>",
    )


def test_every_page_load_is_checked_also_when_left_at_once(browser):
    """Each page the browser loads is checked, also one the test leaves straight after
    loading it (a link clicked, a form posted), and a moderate finding counts. The
    site's pages come from a route that answers after the axe-core gate has let the
    request through, so the gate is part of what is tested."""
    context = _new_context(browser)
    context.route(f"{SITE}/**", serve)
    axe = AxeOnEveryLoad(context)
    page, problems = _page_in(context)
    try:
        page.goto(f"{SITE}/een/")
        page.get_by_role("link", name="Verder").click()
        page.wait_for_url(f"{SITE}/twee/")
        page.go_back()
        page.get_by_role("button", name="Versturen").click()
        page.wait_for_url(f"{SITE}/twee/")
        page.get_by_role("link", name="Verder").click()
        page.wait_for_url(f"{SITE}/drie/")
        axe.settle()
    finally:
        context.close()
    assert problems == []
    checked = [(report["url"].removeprefix(SITE), report.get("error")) for report in axe.reports]
    assert checked == [
        ("/een/", None),
        ("/twee/", None),
        ("/een/", None),
        ("/twee/", None),
        ("/drie/", None),
    ]
    findings = axe.findings()
    assert len(findings) == 4
    een, twee = findings[0], findings[1]
    assert een.startswith(f"axe found accessibility violations on {SITE}/een/:")
    assert "[moderate] heading-order: Heading levels should only increase by one" in een
    assert twee.startswith(f"axe found accessibility violations on {SITE}/twee/:")
    assert "[critical] label: Form elements must have labels" in twee
    # The element's selector and markup, to find it.
    assert '      input: <input name="kvk">' in twee


def test_a_check_that_did_not_run_fails():
    """A page whose check broke, or came from something that is not axe-core, is not
    taken for a clean page."""
    assert _axe_findings({"url": f"{SITE}/", "error": "TypeError: axe is null"}) == [
        f"axe-core could not check {SITE}/: TypeError: axe is null"
    ]
    assert _axe_findings({"url": f"{SITE}/", "engine": None, "violations": []}) == [
        f"axe-core could not check {SITE}/: None"
    ]
    assert _axe_findings({"url": f"{SITE}/", "engine": "axe-core", "violations": []}) == []
