"""A visitor signs up, confirms the e-mail address, logs out and logs in again."""

import re
from urllib.parse import urlsplit, urlunsplit

from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from impactportal.outbox.models import OutboxMessage
from tests.mailbox import delivered

NAME = "Grietje Hoogeveen"
EMAIL = "grietje.hoogeveen@example.nl"
PASSWORD = "Stadspark-Wolken-2025"

# Django renders labels with a colon ("Wachtwoord:"); "Wachtwoord (bevestigen)" must not match.
PASSWORD_LABEL = re.compile(r"^Wachtwoord:?$")
CONFIRM_LINK = re.compile(r"https?://[^\s/]+/account/confirm-email/[^\s/]+/")


def url_on(live_server, url: str) -> str:
    """``url`` with the live server's scheme and host (the link is built from the request)."""
    server = urlsplit(live_server.url)
    parts = urlsplit(url)
    return urlunsplit((server.scheme, server.netloc, parts.path, parts.query, parts.fragment))


def path_is(live_server, path: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(live_server.url)}{re.escape(path)}(\?.*)?$")


def account_nav(page: Page):
    return page.get_by_role("navigation", name="Account")


def log_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("main").get_by_role("button", name="Aanmelden").click()


def test_sign_up_confirm_log_out_and_in(live_server, page: Page):
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")

    # Sign up through the link in the header.
    account_nav(page).get_by_role("link", name="Registreren").click()
    page.wait_for_url(path_is(live_server, "/account/signup/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Registreren")
    page.get_by_label("Naam").fill(NAME)
    page.get_by_label("E-mailadres").fill(EMAIL)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Wachtwoord (bevestigen)").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Registreren").click()

    page.wait_for_url(path_is(live_server, "/account/confirm-email/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verifieer je e-mailadres")
    user = User.objects.get(email=EMAIL)
    assert user.name == NAME
    assert not user.emailaddress_set.get(email=EMAIL).verified

    # The verification e-mail went through the outbox and was delivered inline
    # (CELERY_TASK_ALWAYS_EAGER) by the live server's request thread.
    message = OutboxMessage.objects.get(recipient=EMAIL)
    assert message.state == OutboxMessage.State.SENT, message.last_error
    assert message.kind == "allauth/email_confirmation_signup"
    # Not the account's yet: the address is unproved, and the link is only in the mailbox.
    assert message.recipient_user is None
    assert message.holds_secret and "/account/confirm-email/" not in message.body_text
    assert [sent.to for sent in mail.outbox] == [[EMAIL]]
    links = CONFIRM_LINK.findall(delivered(message).body)
    assert len(set(links)) == 1, delivered(message).body
    confirm_url = url_on(live_server, links[0])

    # Not verified yet: logging in leads back to "verify your e-mail", not the profile.
    page.goto(f"{live_server.url}/account/login/")
    log_in(page, EMAIL, PASSWORD)
    page.wait_for_url(path_is(live_server, "/account/confirm-email/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verifieer je e-mailadres")
    expect(account_nav(page).get_by_role("link", name="Inloggen")).to_be_visible()
    expect(account_nav(page).get_by_role("button", name="Uitloggen")).to_have_count(0)

    # Confirm the address; that logs the user in and lands on the profile.
    page.goto(confirm_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig e-mailadres")
    expect(page.get_by_role("main")).to_contain_text(EMAIL)
    page.get_by_role("main").get_by_role("button", name="Bevestigen").click()
    page.wait_for_url(path_is(live_server, "/account/profiel/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn profiel")
    expect(page.get_by_label("Naam")).to_have_value(NAME)
    expect(page.get_by_role("main")).to_contain_text(EMAIL)
    assert user.emailaddress_set.get(email=EMAIL).verified

    # Log out with the header button, then log in again.
    account_nav(page).get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(path_is(live_server, "/"))
    expect(account_nav(page).get_by_role("link", name="Inloggen")).to_be_visible()
    page.goto(f"{live_server.url}/account/profiel/")
    page.wait_for_url(path_is(live_server, "/account/login/"))

    page.goto(f"{live_server.url}/account/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden")
    log_in(page, EMAIL, PASSWORD)
    page.wait_for_url(path_is(live_server, "/account/profiel/"))
    expect(page.get_by_label("Naam")).to_have_value(NAME)
    expect(account_nav(page).get_by_role("button", name="Uitloggen")).to_be_visible()
