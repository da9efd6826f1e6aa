"""Every form of the portal in its error state, with JavaScript on.

One browser page per form: the test opens the form (logged in through a session cookie
where the form needs a member, which saves a login page per form), submits it so that
the server sends it back with errors, and checks that each error is announced: the
field is ``aria-invalid`` and its ``aria-describedby`` (or that of its fieldset) names
the element with the error text, every error text is named by its field, and each link
in the error summary leads to a field. axe-core checks the error page like every page
the browser loads (tests/e2e/conftest.py).

The portal's forms carry ``novalidate`` where the browser's own checks would stop an
empty submit; allauth's forms (sign-up, login, password reset, reauthentication) do
not, so their cases type what the browser accepts and the server does not.

Forms with no error state a visitor can reach are left out: the knowledge-base search,
the agenda and board filters (every value is optional), the follow-up comment and the
shortlist note (optional, and the browser keeps the text under the maximum length), and
"extend" on a posting (its date error comes back as a message, not as a form).
"""

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.constants import OrganisationKind
from accounts.roles import Role
from events.constants import QuestionKind
from omarm.constants import MatchState
from omarm.models import Area
from tests.e2e.journey import PASSWORD_LABEL, main
from tests.e2e.test_procurement_journey import load_category_tree
from tests.events.test_registration import make_event
from tests.factories import (
    PASSWORD,
    HelpRequestFactory,
    MatchFactory,
    MembershipFactory,
    OfferFactory,
    OrganisationFactory,
    QuestionFactory,
    ShortlistEntryFactory,
    SupplierFactory,
    TopicFactory,
    UserFactory,
)

# What the page announces, checked in the page: a list of what is wrong, empty if all is.
ANNOUNCED = """
() => {
  const problems = [];
  const main = document.querySelector("main");
  const describedBy = (element) =>
    (element.getAttribute("aria-describedby") || "").split(/\\s+/).filter(Boolean);
  const text = (id) => (document.getElementById(id)?.textContent || "").trim();
  const named = new Set();
  const invalid = [...main.querySelectorAll("[aria-invalid=true]")];
  for (const field of invalid) {
    const owner = field.hasAttribute("aria-describedby") ? field : field.closest("fieldset");
    const ids = owner ? describedBy(owner) : [];
    ids.forEach((id) => named.add(id));
    const missing = ids.filter((id) => !document.getElementById(id));
    if (missing.length) problems.push(`${field.name}: aria-describedby names no ${missing}`);
    const errors = ids.filter((id) => document.getElementById(id)?.matches(".errorlist"));
    if (!errors.length || !errors.every((id) => text(id)))
      problems.push(`${field.name}: aria-invalid, but no error text in its aria-describedby`);
  }
  for (const list of main.querySelectorAll(".errorlist:not(.nonfield)")) {
    if (!list.id || !named.has(list.id))
      problems.push(`error "${list.textContent.trim()}" is not named by its field`);
  }
  for (const link of main.querySelectorAll(".error-summary a[href^='#']")) {
    if (!document.getElementById(link.getAttribute("href").slice(1)))
      problems.push(`error summary link ${link.getAttribute("href")} leads nowhere`);
  }
  const errorTexts = main.querySelectorAll(".errorlist li, .error-summary li");
  if (!errorTexts.length) problems.push("no error shown");
  return { problems, invalid: invalid.length };
}
"""


def log_in_quickly(page: Page, live_server, user) -> None:
    """Log in through a session cookie (the login page itself has its own case)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )


def go(page: Page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")


def member(live_server, page: Page, kind: str | None = None, **user) -> tuple:
    """A logged-in member of a new organisation of ``kind`` (or of none)."""
    if kind is None:
        person = UserFactory(**user)
        organisation = None
    else:
        organisation = OrganisationFactory(kind=kind)
        person = MembershipFactory(organisation=organisation, **user).user
    log_in_quickly(page, live_server, person)
    return person, organisation


def areas() -> None:
    """A transactional test may have flushed the data migration's areas."""
    for position, slug in enumerate(["centrum", "oost"]):
        Area.objects.get_or_create(
            slug=slug, defaults={"name": slug.capitalize(), "position": position}
        )


def submit(page: Page, form) -> None:
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state()


# The forms: each opens its page, submits it with errors and ends on the error page. ---


def servicepoint_ask(page: Page, live_server) -> None:
    TopicFactory()
    go(page, live_server, reverse("servicepoint:ask"))
    form = main(page).locator("form.ask-form")
    form.get_by_label("E-mailadres").fill("geen-adres")
    submit(page, form)


def servicepoint_reply(page: Page, live_server) -> None:
    person, _ = member(live_server, page)
    question = QuestionFactory(requester=person)
    go(page, live_server, reverse("servicepoint:my_question", kwargs={"uuid": question.uuid}))
    submit(page, main(page).locator("form[action$='#reply']"))


def signup(page: Page, live_server) -> None:
    go(page, live_server, reverse("account_signup"))
    page.get_by_label("Naam").fill("   ")  # passes "required" in the browser, not the server
    page.get_by_label("E-mailadres").fill("formulier@example.nl")
    page.get_by_label(PASSWORD_LABEL).fill("Martinitoren-Formulier-1")
    page.get_by_label("Wachtwoord (bevestigen)").fill("Martinitoren-Formulier-2")
    main(page).get_by_role("button", name="Registreren").click()
    expect(main(page)).to_contain_text("Dit veld is verplicht.")


def login(page: Page, live_server) -> None:
    go(page, live_server, reverse("account_login"))
    page.get_by_label("E-mailadres").fill("onbekend@example.nl")
    page.get_by_label(PASSWORD_LABEL).fill("Niet-Het-Goede-Wachtwoord")
    main(page).get_by_role("button", name="Aanmelden").click()
    expect(main(page)).to_contain_text("niet correct")


def password_reset(page: Page, live_server) -> None:
    go(page, live_server, reverse("account_reset_password"))
    # A valid address for the browser (type="email"), not for the server (no domain).
    page.get_by_label("E-mailadres").fill("iemand@voorbeeld")
    main(page).locator("button[type=submit]").click()
    expect(main(page).locator(".errorlist")).to_be_visible()


def profile(page: Page, live_server) -> None:
    member(live_server, page)
    go(page, live_server, reverse("accounts:profile"))
    form = main(page).locator("form[method=post]").filter(has=page.locator("#id_phone"))
    form.locator("#id_name").fill("")
    form.locator("#id_phone").fill("bel mij")
    submit(page, form)


def delete_account(page: Page, live_server) -> None:
    """Two forms: allauth asks for the password again (a wrong one first), then the
    portal's own form comes back because the box is not ticked."""
    member(live_server, page)
    go(page, live_server, reverse("accounts:delete"))
    submit(page, main(page).locator("form[method=post]"))
    page.get_by_label(PASSWORD_LABEL).fill("Niet-Het-Goede-Wachtwoord")
    main(page).locator("button[type=submit]").click()
    expect(main(page).locator(".errorlist")).to_be_visible()
    assert not page.evaluate(ANNOUNCED)["problems"]
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    main(page).locator("button[type=submit]").click()
    expect(page.locator("#id_confirm")).to_have_attribute("aria-invalid", "true")


def omarm_request_new(page: Page, live_server) -> None:
    areas()
    member(live_server, page, OrganisationKind.SOCIAL)
    go(page, live_server, reverse("omarm:request_new"))
    submit(page, main(page).locator("form.omarm-form"))


def omarm_offer_new(page: Page, live_server) -> None:
    areas()
    member(live_server, page, OrganisationKind.COMPANY)
    go(page, live_server, reverse("omarm:offer_new"))
    submit(page, main(page).locator("form.omarm-form"))


def omarm_offer_help(page: Page, live_server) -> None:
    areas()
    request = HelpRequestFactory()
    member(live_server, page, OrganisationKind.COMPANY)
    go(page, live_server, request.get_absolute_url())
    submit(page, page.locator("#helpen form"))


def omarm_report(page: Page, live_server) -> None:
    areas()
    request = HelpRequestFactory()
    member(live_server, page)
    go(page, live_server, request.get_absolute_url())
    page.locator("#melden summary").click()
    submit(page, page.locator("#melden form"))


def omarm_show_interest(page: Page, live_server) -> None:
    areas()
    offer = OfferFactory()
    member(live_server, page, OrganisationKind.SOCIAL)
    go(page, live_server, offer.get_absolute_url())
    submit(page, page.locator("#interesse form"))


def omarm_match(page: Page, live_server) -> None:
    """Two forms on the match page: a message, then completing the match."""
    areas()
    match = MatchFactory(state=MatchState.MATCHED)
    person = MembershipFactory(organisation=match.business).user
    log_in_quickly(page, live_server, person)
    go(page, live_server, match.get_absolute_url())
    submit(page, page.locator("#bericht form"))
    expect(page.locator("#bericht .error-summary")).to_be_visible()
    assert not page.evaluate(ANNOUNCED)["problems"]
    page.locator("#id_hours").fill("-3")
    submit(page, page.locator("#afronden form"))
    expect(page.locator("#afronden .error-summary")).to_be_visible()


def owner_with_draft_profile(page: Page, live_server):
    load_category_tree()
    person, company = member(
        live_server, page, OrganisationKind.COMPANY, user__roles=[Role.ENTREPRENEUR]
    )
    return SupplierFactory(organisation=company, draft=True)


def procurement_profile_create(page: Page, live_server) -> None:
    _person, company = member(
        live_server, page, OrganisationKind.COMPANY, user__roles=[Role.ENTREPRENEUR]
    )
    go(page, live_server, reverse("procurement:create", args=[company.uuid]))
    form = main(page).locator("form.gi-owner-form")
    form.locator("#id_name").fill("")
    submit(page, form)


def procurement_profile_edit(page: Page, live_server) -> None:
    supplier = owner_with_draft_profile(page, live_server)
    go(page, live_server, reverse("procurement:edit", args=[supplier.slug]))
    form = main(page).locator("form.gi-owner-form")
    form.locator("#id_short_description").fill("")
    form.locator("#id_contact_email").fill("geen-adres")
    submit(page, form)


def procurement_product(page: Page, live_server) -> None:
    supplier = owner_with_draft_profile(page, live_server)
    go(page, live_server, reverse("procurement:product_create", args=[supplier.slug]))
    submit(page, main(page).locator("form.gi-owner-form"))


def procurement_label(page: Page, live_server) -> None:
    supplier = owner_with_draft_profile(page, live_server)
    go(page, live_server, reverse("procurement:label_create", args=[supplier.slug]))
    submit(page, main(page).locator("form.gi-owner-form"))


def officer(page: Page, live_server):
    load_category_tree()
    person, _ = member(live_server, page, roles=[Role.PROCUREMENT_OFFICER])
    return person


def procurement_shortlist_new(page: Page, live_server) -> None:
    officer(page, live_server)
    go(page, live_server, reverse("procurement:shortlists"))
    submit(page, main(page).locator("form[method=post]"))


def procurement_shortlist_add(page: Page, live_server) -> None:
    officer(page, live_server)
    supplier = SupplierFactory()
    go(page, live_server, supplier.get_absolute_url())
    details = main(page).locator("details.shortlist-add")
    details.locator("summary").click()
    submit(page, details.locator("form"))


def procurement_inquiry(page: Page, live_server) -> None:
    person = officer(page, live_server)
    entry = ShortlistEntryFactory(shortlist__owner=person)
    go(page, live_server, entry.shortlist.get_absolute_url())
    page.locator("#send-inquiry").click()
    form = main(page).locator("form[method=post]")
    form.locator("input[name=suppliers]").first.uncheck()
    submit(page, form)


def event_registration(page: Page, live_server) -> None:
    event = make_event(capacity=10)
    event.questions.create(
        position=1, label="Welke vraag hebt u?", kind=QuestionKind.TEXT, required=True
    )
    event.questions.create(
        position=2, label="Komt u met de fiets?", kind=QuestionKind.YES_NO, required=True
    )
    member(live_server, page)
    go(page, live_server, event.get_absolute_url())
    submit(page, page.locator("#aanmelden form[action$='#aanmelden']"))


FORMS: dict[str, Callable[[Page, object], None]] = {
    "servicepoint-ask": servicepoint_ask,
    "servicepoint-reply": servicepoint_reply,
    "signup": signup,
    "login": login,
    "password-reset": password_reset,
    "profile": profile,
    "delete-account": delete_account,
    "omarm-request": omarm_request_new,
    "omarm-offer": omarm_offer_new,
    "omarm-offer-help": omarm_offer_help,
    "omarm-report": omarm_report,
    "omarm-show-interest": omarm_show_interest,
    "omarm-match": omarm_match,
    "procurement-profile-create": procurement_profile_create,
    "procurement-profile-edit": procurement_profile_edit,
    "procurement-product": procurement_product,
    "procurement-label": procurement_label,
    "procurement-shortlist": procurement_shortlist_new,
    "procurement-shortlist-add": procurement_shortlist_add,
    "procurement-inquiry": procurement_inquiry,
    "event-registration": event_registration,
}


@pytest.mark.parametrize("name", FORMS)
def test_form_errors_are_announced(live_server, page: Page, name: str):
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    FORMS[name](page, live_server)
    # The errors came from the server (the browser's own checks did not stop the submit).
    assert posts, "the form was never sent"
    expect(main(page).locator(".errorlist, .error-summary").first).to_be_visible()
    announced = page.evaluate(ANNOUNCED)
    assert announced["problems"] == [], announced
    # axe-core checks this page when the test ends (tests/e2e/conftest.py).


def test_the_announcement_check_can_fail(page: Page):
    """An error list that no field names, and a field marked invalid without its error."""
    page.set_content(
        '<main><label for="a">A</label><input id="a" name="a" aria-invalid="true">'
        '<ul class="errorlist" id="b_error"><li>Fout</li></ul></main>'
    )
    problems = page.evaluate(ANNOUNCED)["problems"]
    assert problems == [
        "a: aria-invalid, but no error text in its aria-describedby",
        'error "Fout" is not named by its field',
    ]
