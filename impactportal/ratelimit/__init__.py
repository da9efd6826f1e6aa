"""Rate limits on the portal's public forms, per client address.

``rate_limit("servicepoint_question")`` on a view counts each anonymous POST from the
visitor's address against ``settings.PORTAL_RATE_LIMITS["servicepoint_question"]``
(e.g. ``"10/h"``: ten an hour). Past the limit the visitor gets the 429 page
(``too_many_requests``) and the view does not run, so nothing is stored. allauth's own
limits (login, sign-up, password reset) answer with the same page through
``impactportal.urls.handler429``.

The counters live in Django's default cache (the database in production, see
settings.CACHES) in fixed windows: ``count/period`` allows at most ``count`` requests in
each period, which may mean up to twice that across the boundary of two windows. The
address is stored only as a keyed hash; an IPv6 address counts per /64 network, as one
household or office has one. The address is the one axes and allauth see too
(``client_ip``): ``TRUSTED_PROXY_COUNT`` proxies in front of the portal are trusted with
X-Forwarded-For.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")


def parse_rate(rate: str) -> tuple[int, int]:
    """``"10/h"`` → (10, 3600); ``"5/10m"`` → (5, 600)."""
    match = _RATE.match(rate)
    if not match:
        raise ValueError(f"Not a rate (count/period, e.g. 10/h): {rate!r}")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNITS[unit]


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's IP address, or None if there is no usable one.

    The one source of the address for the whole portal: allauth's, which trusts
    ``ALLAUTH_TRUSTED_PROXY_COUNT`` proxies with X-Forwarded-For. axes uses it too
    (``AXES_CLIENT_IP_CALLABLE``), so a lockout counts the visitor behind the proxy,
    never the proxy itself.
    """
    from allauth.account.adapter import get_adapter

    try:
        return str(ipaddress.ip_address(get_adapter().get_client_ip(request)))
    except (ValueError, PermissionDenied):
        return None


def client_address(request: HttpRequest) -> str:
    """The visitor's address for counting: an IPv6 address stands for its /64 network."""
    ip = client_ip(request)
    if ip is None:  # no usable address: such requests share a bucket
        return "unknown"
    address = ipaddress.ip_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def _bucket(request: HttpRequest, scope: str, period: int, now: float) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), client_address(request).encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"portal:rl:{scope}:{digest}:{int(now // period)}"


def hit(request: HttpRequest, scope: str) -> tuple[bool, int]:
    """Count one request of ``scope`` from this visitor's address.

    Returns whether it is within the limit, and the seconds until the window ends.
    """
    count, period = parse_rate(settings.PORTAL_RATE_LIMITS[scope])
    now = time.time()
    key = _bucket(request, scope, period, now)
    cache.add(key, 0, timeout=period)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)
        used = 1
    retry_after = max(1, int(period - now % period))
    return used <= count, retry_after


def too_many_requests(request: HttpRequest, retry_after: int | None = None) -> HttpResponse:
    """The friendly 429 page (also allauth's, through ``impactportal.urls.handler429``)."""
    context = {"retry_after": retry_after, "retry_after_minutes": -(-(retry_after or 0) // 60)}
    response = render(request, "429.html", context, status=429)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    scope: str, *, when: Callable[[HttpRequest], bool] | None = None
) -> Callable[[Callable], Callable]:
    """Limit anonymous POSTs to a view per client address (``PORTAL_RATE_LIMITS[scope]``).

    ``when(request)`` may narrow which POSTs count (e.g. not the "search the knowledge
    base first" button of a form). Logged-in users are not counted: they are known.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if (
                request.method == "POST"
                and not request.user.is_authenticated
                and (when is None or when(request))
            ):
                allowed, retry_after = hit(request, scope)
                if not allowed:
                    logger.warning(
                        "Rate limit %s exceeded by %s; answered 429",
                        scope,
                        client_address(request),
                    )
                    return too_many_requests(request, retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
