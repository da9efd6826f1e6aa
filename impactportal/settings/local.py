"""Settings for ``make run``: everything defaults, mail is captured, never sent."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")  # noqa: S105 (local only)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
# Nothing leaves the machine unless asked for (PASSWORD_BREACH_CHECK=1).
PASSWORD_BREACH_CHECK = env.bool("PASSWORD_BREACH_CHECK", default=False)

# Mail lands in the database (readable in the admin) and on the console.
EMAIL_BACKEND = "impactportal.outbox.backends.CaptureBackend"
OUTBOX_CAPTURE_ECHO = True

# The demo logins work at once; ``make run`` says so when it prints them.
PORTAL_REQUIRE_STAFF_MFA = env.bool("PORTAL_REQUIRE_STAFF_MFA", default=False)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The development tools (seeders, benchmarks, load test); never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
