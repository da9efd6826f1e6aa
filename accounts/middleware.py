from django.conf import settings
from django.contrib import messages
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMFARequiredMiddleware:
    """Staff cannot open any admin page until they have set up an authenticator app.

    Applies when ``PORTAL_REQUIRE_STAFF_MFA`` is on (always in production). Once TOTP is
    active, allauth asks for a code at every login, so the admin is only reached with it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        user = request.user
        if (
            settings.PORTAL_REQUIRE_STAFF_MFA
            and request.path.startswith(self.admin_prefix)
            and user.is_authenticated
            and user.is_staff
            and not user_has_totp(user)
        ):
            messages.warning(
                request,
                _(
                    "Set up two-factor authentication with an authenticator app before you "
                    "use the management pages."
                ),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return self.get_response(request)


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
