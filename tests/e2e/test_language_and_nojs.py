"""The language switch in the header, and the account forms without JavaScript."""

import re

from django.core import mail
from playwright.sync_api import Page, expect

from accounts.models import User
from impactportal.outbox.models import OutboxMessage

PASSWORD_LABEL = re.compile(r"^Wachtwoord:?$")


def path_is(live_server, path: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(live_server.url)}{re.escape(path)}(\?.*)?$")


def language_switch(page: Page):
    return page.locator("header form.language-switch")


def test_language_switch_to_english_and_back(live_server, page: Page):
    page.goto(f"{live_server.url}/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "nl")
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()
    # The choices are named in their own language and the current one is not a button.
    expect(language_switch(page).get_by_role("button")).to_have_count(1)

    language_switch(page).get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    page.wait_for_url(path_is(live_server, "/"))
    expect(page.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Inloggen")).to_have_count(0)

    # The choice sticks (a cookie) on the next page, and switching back returns to it.
    page.goto(f"{live_server.url}/account/login/")
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign In")

    language_switch(page).get_by_role("button", name="Nederlands").click()
    expect(html).to_have_attribute("lang", "nl")
    page.wait_for_url(path_is(live_server, "/account/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden")
    expect(language_switch(page).get_by_role("button", name="English")).to_be_visible()


def test_signup_without_javascript(live_server, nojs_page: Page):
    page = nojs_page
    page.goto(f"{live_server.url}/account/signup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Registreren")

    # A name of only spaces passes the browser's "required" check but not the server's,
    # and the passwords differ. The errors come back from the server, in Dutch.
    page.get_by_label("Naam").fill("   ")
    page.get_by_label("E-mailadres").fill("zonder.js@example.nl")
    page.get_by_label(PASSWORD_LABEL).fill("Martinitoren-Zonder-JS")
    page.get_by_label("Wachtwoord (bevestigen)").fill("Martinitoren-Zonder-Js")
    page.get_by_role("main").get_by_role("button", name="Registreren").click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("Dit veld is verplicht.")
    expect(main).to_contain_text("Je moet hetzelfde wachtwoord twee keer intoetsen.")
    expect(page).to_have_url(path_is(live_server, "/account/signup/"))
    assert not User.objects.filter(email="zonder.js@example.nl").exists()
    # What the visitor typed is kept (except the passwords).
    expect(page.get_by_label("E-mailadres")).to_have_value("zonder.js@example.nl")

    page.get_by_label("Naam").fill("Zonder Script")
    page.get_by_label(PASSWORD_LABEL).fill("Martinitoren-Zonder-JS")
    page.get_by_label("Wachtwoord (bevestigen)").fill("Martinitoren-Zonder-JS")
    page.get_by_role("main").get_by_role("button", name="Registreren").click()
    page.wait_for_url(path_is(live_server, "/account/confirm-email/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Verifieer je e-mailadres")
    assert User.objects.get(email="zonder.js@example.nl").name == "Zonder Script"
    message = OutboxMessage.objects.get(recipient="zonder.js@example.nl")
    assert message.state == OutboxMessage.State.SENT, message.last_error
    assert len(mail.outbox) == 1


def test_password_too_short_error_is_dutch(live_server, nojs_page: Page):
    page = nojs_page
    page.goto(f"{live_server.url}/account/signup/")
    page.get_by_label("Naam").fill("Kort Wachtwoord")
    page.get_by_label("E-mailadres").fill("bezoeker@example.nl")
    page.get_by_label(PASSWORD_LABEL).fill("Kort-1")
    page.get_by_label("Wachtwoord (bevestigen)").fill("Kort-1")
    page.get_by_role("main").get_by_role("button", name="Registreren").click()
    main = page.get_by_role("main")
    expect(main.locator(".errorlist")).to_have_count(1)
    assert "Dit wachtwoord is te kort" in main.locator(".errorlist").inner_text()


def test_login_without_javascript(live_server, nojs_page: Page):
    page = nojs_page
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{live_server.url}/account/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden")

    # An empty form does not leave the browser: the fields are "required", and the
    # browser's own constraint validation needs no JavaScript (checked at the end:
    # only the second submit reaches the server).
    page.get_by_role("main").get_by_role("button", name="Aanmelden").click()
    expect(page.locator("#id_login:invalid")).to_have_count(1)

    # Wrong credentials reach the server and come back with a Dutch error.
    page.get_by_label("E-mailadres").fill("onbekend@example.nl")
    page.get_by_label(PASSWORD_LABEL).fill("Niet-Het-Goede-Wachtwoord")
    page.get_by_role("main").get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("main")).to_contain_text(
        "Het door jou opgegeven e-mailadres en/of wachtwoord is niet correct."
    )
    expect(page).to_have_url(path_is(live_server, "/account/login/"))
    expect(page.get_by_label("E-mailadres")).to_have_value("onbekend@example.nl")
    assert posts == [f"{live_server.url}/account/login/"]
