"""Settings for the test suite. The servers come from ``devtools.testing.services``."""

from .base import *  # noqa: F403
from .base import BASE_DIR, INSTALLED_APPS, env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105 (test runs only)
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The real capture backend, so a worker process delivers into a table the tests read.
# (pytest-django swaps in the locmem backend inside the test process itself.)
EMAIL_BACKEND = "impactportal.outbox.backends.CaptureBackend"
OUTBOX_CAPTURE_ECHO = False

# Unit tests run tasks inline; the integration tests run a real worker and turn this off.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

PORTAL_REQUIRE_STAFF_MFA = True
MEDIA_ROOT = BASE_DIR / ".data" / "test-media"
PRIVATE_MEDIA_ROOT = MEDIA_ROOT / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Nothing leaves the machine: the tests that check breached passwords stand in for the API.
PASSWORD_BREACH_CHECK = False
# Rate-limit counters in this process's memory; tests/conftest.py empties it before each
# test, so that one test's requests never count against the next.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Static files straight from static/ without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The development tools (seeders, benchmarks, load test); never installed in production.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]
