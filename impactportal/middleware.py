"""Middleware of the whole portal: a 400 for NUL bytes, a 503 while the database is away.

NUL bytes
---------
PostgreSQL can neither store nor compare text holding a NUL byte, and no browser sends
one from what a person types. A request with one in its address, query parameters or
form fields (names and values) gets a 400 page here, before any view, form, filter or
search sees it: the one place that rule lives. What uploaded files contain is not a
parameter and is left to ``impactportal.uploads``.

The database away
-----------------
A friendly 503 instead of a 500 while PostgreSQL is unreachable. During a database
restart or failover every query fails with ``OperationalError`` (or ``InterfaceError``
on a connection that died under it). That is not a bug in the page: the visitor gets a
short "try again in a moment" page with ``Retry-After``, and the next request after
the database is back simply reconnects (``CONN_HEALTH_CHECKS``).

The error can surface in the view, but just as often in a middleware further in (the
session is loaded lazily, e.g. when the language middleware looks at the user). Django
turns an exception inside a middleware into a 500 response before an outer middleware
sees it, so besides ``process_exception`` (errors in the view) the request is marked
from the ``got_request_exception`` signal that Django sends for every such error, and
the 500 that comes back out is replaced here.
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# A restart or failover of PostgreSQL takes seconds, not minutes.
RETRY_AFTER_SECONDS = 30
_MARK = "_portal_database_unavailable"


def _note_database_error(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        setattr(request, _MARK, True)


got_request_exception.connect(_note_database_error, dispatch_uid="portal-database-unavailable")


def _language(request) -> str:
    # The profile's language is in the database; the cookie and the default are not.
    supported = {code for code, _name in settings.LANGUAGES}
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in supported else settings.LANGUAGE_CODE


def service_unavailable(request) -> HttpResponse:
    """The 503 page, built without the database: no user, no messages, no profile."""
    with translation.override(_language(request)):
        # The context processors would read the user and the messages, which may need
        # the session table; overriding them keeps the page free of queries.
        content = render_to_string(
            "503.html",
            {"user": AnonymousUser(), "messages": [], "retry_after": RETRY_AFTER_SECONDS},
            request=request,
        )
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 (friendly page, ``Retry-After``) when the database cannot be reached.

    Sits above the session and authentication middlewares so that it also covers the
    errors they raise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, _MARK, False) and response.status_code != 503:
            return self._unavailable(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            setattr(request, _MARK, True)
            return self._unavailable(request)
        return None

    def _unavailable(self, request):
        logger.warning(
            "Database unavailable while answering %s %s; sent 503",
            request.method,
            request.path,
        )
        return service_unavailable(request)


def _has_nul(params: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in params.lists())


def holds_nul(request) -> bool:
    """Whether the request's address, parameters or form fields hold a NUL byte."""
    if "\x00" in request.path or _has_nul(request.GET):
        return True
    if request.method != "POST":  # Django reads form fields from POST bodies only
        return False
    # Django already drops unprintable characters from the names of uploaded files.
    return _has_nul(request.POST) or any("\x00" in name for name in request.FILES)


class RefuseNulBytesMiddleware:
    """Answers 400 with a page that says what to do to any request holding a NUL byte.

    Sits below the session, authentication and language middlewares, so the page is in
    the visitor's language and layout, and above everything that reads parameters.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if holds_nul(request):
            return render(request, "400_nul_byte.html", status=400)
        return self.get_response(request)
