"""What the browser journeys share: logging in (with the authenticator code for staff),
waiting for a page, and reading the messages the portal shows."""

import re
import time
from urllib.parse import urlencode

from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import totp_code
from tests.factories import PASSWORD

PASSWORD_LABEL = re.compile(r"^Wachtwoord:?$")


# Helpers -------------------------------------------------------------------------------


def path_is(live_server, path: str | re.Pattern) -> re.Pattern:
    pattern = path.pattern if isinstance(path, re.Pattern) else re.escape(path)
    return re.compile(rf"^{re.escape(live_server.url)}{pattern}(\?.*)?(#.*)?$")


def main(page: Page):
    return page.get_by_role("main")


def fresh_totp_code(secret: str) -> str:
    """A code that stays valid for a few seconds more (no tolerance for the next window)."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.2)
    return totp_code(secret)


def log_in(page: Page, live_server, email: str, next_path: str) -> None:
    page.goto(f"{live_server.url}{reverse('account_login')}?{urlencode({'next': next_path})}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Aanmelden")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    main(page).get_by_role("button", name="Aanmelden").click()


def member_log_in(page: Page, live_server, user, next_path: str) -> None:
    """Password only (no staff, no second factor); ends on ``next_path``."""
    log_in(page, live_server, user.email, next_path)
    page.wait_for_url(path_is(live_server, next_path))


def staff_log_in(page: Page, live_server, user, next_path: str) -> None:
    """Password, then the authenticator code; ends on ``next_path``."""
    log_in(page, live_server, user.email, next_path)
    page.wait_for_url(path_is(live_server, reverse("mfa_authenticate")))
    page.locator("#id_code").fill(fresh_totp_code(user.totp_secret))
    main(page).get_by_role("button", name="Aanmelden").click()
    page.wait_for_url(path_is(live_server, next_path))


def success_message(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)
