import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def holds_staff_powers(user) -> bool:
    """Staff (the account manager, directorate contact and coordinator roles grant it)
    and superusers: whoever can see other people's data or act for the programme."""
    return user.is_authenticated and (user.is_staff or user.is_superuser)


class StaffMFARequiredMiddleware:
    """No staff power without a second factor, wherever the power is used.

    Applies when ``PORTAL_REQUIRE_STAFF_MFA`` is on (always in production). A staff
    account without an authenticator app may only set one up (and log out); for every
    other page it is an anonymous visitor: public pages show what anyone sees, and a page
    that needs a login sends it to the setup instead. So the admin, the organiser's
    exports, the monitor, supplier and Omarm moderation and attachments are all out of
    reach until TOTP is active. Once it is, allauth asks for a code at every login.
    """

    # URL names reachable without the second factor: setting it up (allauth asks to
    # confirm the password first), and leaving.
    SETUP_URL_NAMES = frozenset(
        {
            "mfa_index",
            "mfa_activate_totp",
            "mfa_reauthenticate",
            "account_reauthenticate",
            "account_logout",
            "set_language",
            "health",
            "javascript-catalog",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            not settings.PORTAL_REQUIRE_STAFF_MFA
            or not holds_staff_powers(user)
            or self._is_setup_page(request)
            or user_has_totp(user)
        ):
            return self.get_response(request)
        request.user = AnonymousUser()
        response = self.get_response(request)
        if self._sends_to_login(response):
            messages.warning(
                request,
                _(
                    "Set up two-factor authentication with an authenticator app before you "
                    "use your staff account."
                ),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.path})}")
        return response

    def _is_setup_page(self, request) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name in self.SETUP_URL_NAMES

    @staticmethod
    def _sends_to_login(response) -> bool:
        if response.status_code not in (301, 302):
            return False
        target = urlsplit(response["Location"]).path
        return target in (reverse("account_login"), reverse("admin:login"))


class LanguageMiddleware(LocaleMiddleware):
    """Dutch unless the visitor chose otherwise.

    The choice is the language switch (a cookie) or, for logged-in users, the language
    on their profile. The browser's Accept-Language is not used: the municipality's
    portal speaks Dutch first, also to visitors whose browser is set to English.
    """

    def process_request(self, request):
        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            user = getattr(request, "user", None)
            authenticated = user is not None and user.is_authenticated
            language = user.language if authenticated and user.language in supported else None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()


class SessionTimeoutMiddleware:
    """Ends sessions per ASVS L2 (V3.3): 12 hours after login for everyone, and for staff
    also after 30 minutes without a request.

    ``SESSION_ABSOLUTE_TIMEOUT_SECONDS`` counts from the login, also while the user stays
    active (Django's own cookie age restarts whenever the session is saved).
    ``STAFF_IDLE_TIMEOUT_SECONDS`` applies to users with admin access (``is_staff``, which
    the account manager, coordinator and directorate contact roles grant): they see
    personal data of many entrepreneurs, so an unattended screen must not stay logged in.
    Whoever runs into either is logged out and sent to the login page, which brings them
    back to where they were.

    The last activity is written at most once per ``ACTIVITY_GRANULARITY`` seconds, so a
    staff member's page views do not each cost a session write; the idle timeout may so
    strike up to that much early, never late.
    """

    STARTED_KEY = "_portal_session_started"
    ACTIVITY_KEY = "_portal_last_activity"
    ACTIVITY_GRANULARITY = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            session = request.session
            now = time.time()
            staff = user.is_staff or user.is_superuser
            # Sessions from before this middleware count from their first request here.
            started = session.setdefault(self.STARTED_KEY, now)
            last_activity = session.get(self.ACTIVITY_KEY, now)
            too_old = now - started > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            idle = staff and now - last_activity > settings.STAFF_IDLE_TIMEOUT_SECONDS
            if too_old or idle:
                logout(request)
                messages.info(request, _("For your security you were logged out. Log in again."))
                return redirect_to_login(request.get_full_path())
            if staff and (
                self.ACTIVITY_KEY not in session or now - last_activity >= self.ACTIVITY_GRANULARITY
            ):
                session[self.ACTIVITY_KEY] = now
        return self.get_response(request)


def start_session_clocks(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: both timeouts of SessionTimeoutMiddleware count from
    the login."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SessionTimeoutMiddleware.STARTED_KEY] = now
        request.session[SessionTimeoutMiddleware.ACTIVITY_KEY] = now
