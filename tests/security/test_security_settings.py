"""Security settings (issue #8): Content-Security-Policy, session timeouts, the password
rules with the breached-password check, and axes behind the admin's login.

The rate limits and honeypots of the public forms are in test_public_form_limits.py.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template import engines
from django.urls import reverse
from django.utils import timezone

from accounts import validators
from accounts.models import User
from accounts.roles import Role
from tests.events.test_registration import make_event
from tests.factories import SupplierFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parents[2]
LOGIN = reverse("account_login")
ADMIN = "/beheer/"

# Content-Security-Policy -----------------------------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.django_db
def test_every_page_carries_the_strict_policy(client):
    response = client.get("/")
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no nonce on a page that needs none
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_friendly_503_page_carries_the_policy_too(client, monkeypatch):
    from django.db.utils import OperationalError

    from impactportal import views

    def down(request):
        raise OperationalError("the database is restarting")

    monkeypatch.setattr(views.HomeView, "get", lambda self, request: down(request))
    response = client.get("/")
    assert response.status_code == 503
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_a_nonce_used_in_a_template_is_the_one_in_the_header(rf):
    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">go()</script>')

    def view(request):
        return HttpResponse(template.render({}, request))

    response = CSPMiddleware(view)(rf.get("/"))
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert len(nonce) >= 16
    assert f"'nonce-{nonce}'" in _directives(response["Content-Security-Policy"])["script-src"]


# What the policy would block: the templates must not contain it. E-mails are not pages.
INLINE_STYLE_BLOCK = re.compile(r"<style\b", re.I)
INLINE_STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I | re.S)
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I | re.S)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)
# A <script> without src that is not a data block (JSON, JSON-LD): CSP would block it.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=\"application/(?:ld\+)?json\")[^>]*>", re.I
)
BLOCKED = {
    "<style>": INLINE_STYLE_BLOCK,
    "style=": INLINE_STYLE_ATTRIBUTE,
    "on…= handler": INLINE_HANDLER,
    "javascript: URL": JAVASCRIPT_URL,
    "inline <script>": INLINE_SCRIPT,
}


def _blocked_in(html: str) -> list[str]:
    return [name for name, pattern in BLOCKED.items() if pattern.search(html)]


def test_no_template_has_inline_script_style_or_handlers():
    found = {}
    for path in sorted((BASE_DIR / "templates").rglob("*.html")):
        relative = path.relative_to(BASE_DIR / "templates")
        if relative.parts[0] == "email":
            continue
        blocked = _blocked_in(path.read_text(encoding="utf-8"))
        if blocked:
            found[str(relative)] = blocked
    assert not found


@pytest.mark.django_db
def test_rendered_pages_have_no_inline_script_or_style(client, staff_with_totp):
    event = make_event()  # its page has a JSON-LD block
    supplier = SupplierFactory()  # public, with JSON-LD too
    pages = [
        "/",
        "/servicepunt/vraag/",
        "/agenda/",
        event.get_absolute_url(),
        supplier.get_absolute_url(),
        "/goed-inkopen/",
        "/omarm/",
        LOGIN,
        reverse("account_signup"),
        reverse("account_reset_password"),
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Content-Security-Policy" in response, path
        assert not _blocked_in(response.content.decode()), path
    client.force_login(staff_with_totp)
    for path in [ADMIN, "/beheer/servicepoint/question/", "/beheer/accounts/organisation/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert not _blocked_in(response.content.decode()), path


# Session timeouts (ASVS V3.3) ------------------------------------------------------------


def test_session_lifetimes_are_the_asvs_level_2_ones():
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS == 12 * 60 * 60
    assert settings.STAFF_IDLE_TIMEOUT_SECONDS == 30 * 60
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


@pytest.mark.django_db
def test_staff_stay_logged_in_up_to_30_minutes_idle(client, clock, staff_with_totp):
    client.force_login(staff_with_totp)
    assert client.get(ADMIN).status_code == 200
    clock.shift(timedelta(minutes=29, seconds=59))
    assert client.get(ADMIN).status_code == 200
    # The request just now counts as activity: another 29:59 is fine again.
    clock.shift(timedelta(minutes=29, seconds=59))
    assert client.get(ADMIN).status_code == 200
    assert _logged_in(client)


@pytest.mark.django_db
def test_staff_are_logged_out_after_30_minutes_idle(client, clock, staff_with_totp):
    client.force_login(staff_with_totp)
    assert client.get(ADMIN).status_code == 200
    clock.shift(timedelta(minutes=30, seconds=1))
    response = client.get("/beheer/servicepoint/question/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "next=/beheer/servicepoint/question/" in response["Location"]
    assert not _logged_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.ACCOUNT_MANAGER, Role.COORDINATOR])
def test_staff_idle_timeout_holds_for_every_staff_role(client, clock, role):
    staff = UserFactory(staff=True, roles=[role], totp=True)
    client.force_login(staff)
    clock.shift(timedelta(minutes=31))
    client.get("/")
    assert not _logged_in(client)


@pytest.mark.django_db
def test_entrepreneurs_have_no_idle_timeout(client, clock, user):
    client.force_login(user)
    assert client.get("/").status_code == 200
    clock.shift(timedelta(minutes=31))
    assert client.get(reverse("accounts:profile")).status_code == 200
    clock.shift(timedelta(hours=3))
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert _logged_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("elapsed", "still_in"),
    [(timedelta(hours=11, minutes=59), True), (timedelta(hours=12, seconds=1), False)],
)
def test_every_session_ends_12_hours_after_login_even_when_active(
    client, clock, staff_with_totp, elapsed, still_in
):
    """A staff member active every 20 minutes: Django's own expiry keeps moving, the
    absolute limit does not."""
    client.force_login(staff_with_totp)
    step = timedelta(minutes=20)
    waited = timedelta(0)
    while waited + step < elapsed:
        clock.shift(step)
        waited += step
        assert client.get(ADMIN).status_code == 200
    clock.shift(elapsed - waited)
    response = client.get(ADMIN)
    assert _logged_in(client) is still_in
    assert response.status_code == (200 if still_in else 302)


# Passwords -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Kort-wacht1", "password_too_short"),  # 11 characters
        ("password1234", "password_too_common"),
        ("123456789012345", "password_entirely_numeric"),
    ],
)
def test_password_rules_refuse_short_common_and_numeric(password, code):
    with pytest.raises(ValidationError) as caught:
        validate_password(password)
    assert code in {error.code for error in caught.value.error_list}


@pytest.mark.django_db
def test_a_twelve_character_password_passes_the_rules():
    validate_password("lang-Genoeg1")


PASSWORD = "een-lang-Wachtwoord-2026"
SHA1 = hashlib.sha1(PASSWORD.encode(), usedforsecurity=False).hexdigest().upper()


def _production_hashers():
    """The hashers of the base settings (the test settings use a fast one)."""
    source = (BASE_DIR / "impactportal" / "settings" / "base.py").read_text()
    block = re.search(r"^PASSWORD_HASHERS = \[(.*?)^\]", source, re.S | re.M).group(1)
    return re.findall(r'"([\w.]+)"', block)


def test_passwords_are_stored_with_argon2id_at_the_owasp_parameters(settings):
    settings.PASSWORD_HASHERS = _production_hashers()
    encoded = make_password("Groningen-Impact-2026")
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("Groningen-Impact-2026", encoded)
    assert not check_password("Groningen-Impact-2025", encoded)


@pytest.mark.django_db
def test_a_password_stored_before_is_rehashed_with_argon2id_at_login(client, settings):
    settings.PASSWORD_HASHERS = _production_hashers()
    user = UserFactory(email="oud@example.nl")
    user.password = PBKDF2PasswordHasher().encode("Groningen-Impact-2026", "zoutzoutzout")
    user.save(update_fields=["password"])
    response = client.post(LOGIN, {"login": user.email, "password": "Groningen-Impact-2026"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("Groningen-Impact-2026", user.password)


class FakeRangeApi:
    """Stands in for the one call that leaves the machine (urllib's urlopen)."""

    def __init__(self, lines=(), error: Exception | None = None):
        self.body = "\r\n".join(lines).encode("ascii")
        self.error = error
        self.requests = []

    def __call__(self, request, timeout):
        self.requests.append((request, timeout))
        if self.error:
            raise self.error
        return io.BytesIO(self.body)


@pytest.fixture
def breach_check(settings):
    settings.PASSWORD_BREACH_CHECK = True


def _use(monkeypatch, api: FakeRangeApi) -> FakeRangeApi:
    monkeypatch.setattr(validators, "urlopen", api)
    return api


def test_breach_check_is_on_by_default_and_off_in_the_test_settings():
    assert settings.PASSWORD_BREACH_CHECK is False
    names = [v["NAME"] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "accounts.validators.BreachedPasswordValidator" in names
    base = (BASE_DIR / "impactportal" / "settings" / "base.py").read_text()
    assert 'PASSWORD_BREACH_CHECK = env.bool("PASSWORD_BREACH_CHECK", default=True)' in base


def test_breached_password_is_refused_and_only_a_hash_prefix_leaves(monkeypatch, breach_check):
    api = _use(
        monkeypatch,
        FakeRangeApi([f"{SHA1[5:10]}0000000000000000000000000000000:3", f"{SHA1[5:]}:42"]),
    )
    with pytest.raises(ValidationError) as caught:
        validators.BreachedPasswordValidator().validate(PASSWORD)
    assert caught.value.code == "password_breached"
    [(request, timeout)] = api.requests
    assert request.full_url == f"https://api.pwnedpasswords.com/range/{SHA1[:5]}"
    assert request.get_header("Add-padding") == "true"
    assert timeout <= 2.0
    assert PASSWORD not in request.full_url and SHA1[5:] not in request.full_url


def test_password_not_in_the_range_is_accepted(monkeypatch, breach_check):
    _use(monkeypatch, FakeRangeApi(["0" * 35 + ":12", "F" * 35 + ":1"]))
    validators.BreachedPasswordValidator().validate(PASSWORD)


def test_padding_lines_with_count_zero_are_not_breaches(monkeypatch, breach_check):
    _use(monkeypatch, FakeRangeApi([f"{SHA1[5:]}:0"]))
    validators.BreachedPasswordValidator().validate(PASSWORD)


@pytest.mark.parametrize("error", [TimeoutError("timed out"), OSError("unreachable")])
def test_unreachable_service_accepts_the_password_with_a_warning(
    monkeypatch, breach_check, caplog, error
):
    _use(monkeypatch, FakeRangeApi(error=error))
    with caplog.at_level(logging.WARNING, logger="accounts.validators"):
        validators.BreachedPasswordValidator().validate(PASSWORD)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_nothing_is_asked_while_the_check_is_off(monkeypatch):
    api = _use(monkeypatch, FakeRangeApi([f"{SHA1[5:]}:42"]))
    validators.BreachedPasswordValidator().validate(PASSWORD)
    assert api.requests == []


@pytest.mark.django_db
def test_signup_with_a_breached_password_stores_nothing(client, monkeypatch, breach_check):
    _use(monkeypatch, FakeRangeApi([f"{SHA1[5:]}:42"]))
    data = {
        "name": "Ilse",
        "email": "ilse@example.nl",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.exists()


# Axes behind the admin's login -------------------------------------------------------------


@pytest.mark.django_db
def test_five_failed_logins_through_the_admin_entrance_lock_the_account(
    client, staff_with_totp, password
):
    response = client.get(f"{ADMIN}login/?next={ADMIN}")
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(LOGIN)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(login_url, {"login": staff_with_totp.email, "password": "fout-Wachtwoord-1"})
    response = client.post(login_url, {"login": staff_with_totp.email, "password": password})
    assert response.status_code == 429
    assert not _logged_in(client)
    assert AccessAttempt.objects.get(username=staff_with_totp.email).failures_since_start >= 5
    assert client.get(ADMIN).status_code == 302


@pytest.mark.django_db
def test_credentials_posted_to_the_admin_login_itself_log_no_one_in(
    client, staff_with_totp, password
):
    response = client.post(
        f"{ADMIN}login/", {"username": staff_with_totp.email, "password": password}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not _logged_in(client)


@pytest.mark.django_db
def test_authenticate_as_the_admin_form_calls_it_is_locked_by_axes(rf, staff_with_totp, password):
    """Django's admin login form calls authenticate(request, username, password): axes's
    backend comes first in AUTHENTICATION_BACKENDS, so it counts and locks there too."""
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"

    def attempt(secret):
        request = rf.post(f"{ADMIN}login/", REMOTE_ADDR="203.0.113.9")
        return authenticate(request, username=staff_with_totp.email, password=secret)

    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert attempt("fout-Wachtwoord-1") is None
    assert attempt(password) is None
