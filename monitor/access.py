"""Who reads the monitor: the coordinator and the monitor readers (e.g. council staff)."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.roles import Role

READER_ROLES = (Role.COORDINATOR, Role.VIEWER)


def reads_monitor(user) -> bool:
    """One query for the user's roles per request (``User.has_role`` keeps them)."""
    if user is None or not user.is_authenticated:
        return False
    return any(user.has_role(role) for role in READER_ROLES)


def monitor_reader_required(view):
    """Anonymous visitors go to the login page; everyone else without a reader role gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not reads_monitor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
