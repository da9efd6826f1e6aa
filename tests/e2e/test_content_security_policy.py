"""The Content-Security-Policy in a real browser: the main pages (public, member, staff
admin) load their scripts and styles without a single violation, and the check that
every e2e page runs (tests/e2e/conftest.py) does notice a violation.
"""

from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.roles import Role
from tests.e2e.conftest import _new_context, _page_in, axe_check
from tests.e2e.journey import staff_log_in
from tests.e2e.test_procurement_journey import load_category_tree
from tests.events.test_registration import make_event
from tests.factories import QuestionFactory, SupplierFactory, UserFactory

# What a template regression would put in a page: each kind of inline code the policy
# blocks.
INLINE_MARKUP = (
    '<div style="color: red">stijl</div>'
    "<style>p { color: red; }</style>"
    "<script>window.injected = true;</script>"
    '<button type="button" onclick="window.clicked = true">knop</button>'
)


def test_every_kind_of_blocked_inline_code_is_noticed(live_server, browser):
    """The check every e2e page runs (tests/e2e/conftest.py) must be able to fail: the
    home page with inline markup added, served with the portal's own policy header."""
    context = _new_context(browser)
    page, problems = _page_in(context)

    def add_inline_markup(route):
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace("</main>", INLINE_MARKUP))

    try:
        page.route(f"{live_server.url}/", add_inline_markup)
        page.goto(f"{live_server.url}/")
        page.get_by_role("button", name="knop").click()
        page.wait_for_timeout(300)
        assert page.evaluate("() => [window.injected, window.clicked]") == [None, None]
        # What the test itself runs in the page (as axe-core does) is not the portal's.
        page.evaluate("() => document.head.appendChild(document.createElement('style'))")
        page.wait_for_timeout(300)
    finally:
        context.close()
    blocked = sorted(p.split(" at ")[0].rsplit(" ", 1)[-1] for p in problems)
    assert blocked == ["script-src-attr", "script-src-elem", "style-src-attr", "style-src-elem"]


def test_public_pages_run_their_scripts_and_styles_under_the_policy(live_server, page: Page):
    load_category_tree()  # a transactional test flushed the migration's categories
    event = make_event()
    supplier = SupplierFactory()
    for path in [
        "/",
        reverse("servicepoint:index"),
        reverse("events:index"),
        event.get_absolute_url(),
        supplier.get_absolute_url(),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"], path

    # The question form: its script suggests articles while typing; the honeypot stays
    # hidden by the portal's stylesheet.
    page.goto(f"{live_server.url}{reverse('servicepoint:ask')}")
    expect(page.locator("#id_website")).to_be_hidden()
    page.locator("#id_text").fill("Welke subsidie is er voor een sociale onderneming?")
    page.wait_for_load_state("networkidle")

    # The supplier search: htmx loads from the portal's own files, with its inline
    # indicator styles switched off.
    page.goto(f"{live_server.url}{reverse('procurement:index')}?q=schoonmaak")
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    axe_check(page)


def test_staff_admin_pages_load_under_the_policy(live_server, page: Page):
    manager = UserFactory(staff=True, roles=[Role.ACCOUNT_MANAGER], totp=True)
    question = QuestionFactory()
    staff_log_in(page, live_server, manager, "/beheer/")
    for path in [
        "/beheer/servicepoint/question/",
        f"/beheer/servicepoint/question/{question.pk}/change/",
    ]:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#content")).to_be_visible()
    # The portal's admin stylesheet applied (it replaced inline <style> blocks).
    border = page.locator(".sp-panel").first.evaluate(
        "(element) => getComputedStyle(element).borderTopStyle"
    )
    assert border == "solid"
