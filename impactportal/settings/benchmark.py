"""Settings for ``manage.py benchmark_search`` and ``manage.py loadtest``: the production
settings on a loopback server.

What differs from production, and why:

- the secret key, hosts and mail have defaults, and the TLS redirect, HSTS and secure
  cookies are off: the benchmark speaks plain HTTP to 127.0.0.1;
- static files are served uncollected (the benchmark only fetches HTML);
- every response says how many SQL queries it took (``X-Query-Count``), how long they
  took and how long the whole request took in Django (``X-Query-Time``,
  ``X-Server-Time``, both in milliseconds);
- the per-address rate limits of the public forms and the login are raised far out of
  reach: every virtual user of the load test comes from 127.0.0.1, where in production
  each visitor has an address of their own. The counters still run, so their cost is
  measured.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-not-secret")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("EMAIL_URL", "consolemail://")

from .production import *  # noqa: E402, F403
from .production import (  # noqa: E402
    ACCOUNT_RATE_LIMITS,
    INSTALLED_APPS,
    MIDDLEWARE,
    PORTAL_RATE_LIMITS,
    env,
)

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The development tools: the query count headers below, and the commands that drive it.
INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]

MIDDLEWARE = [
    "devtools.middleware.QueryCountMiddleware",
    *MIDDLEWARE,
]

# ``benchmark_search --no-cache`` measures every page computed afresh.
PROCUREMENT_SEARCH_CACHE = env.bool("PROCUREMENT_SEARCH_CACHE", default=True)

PORTAL_RATE_LIMITS = {scope: "1000000/h" for scope in PORTAL_RATE_LIMITS}
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": "100000/m/ip"}
