"""Who reads the monitor: the coordinator and the monitor readers (e.g. council staff).

Access is decided per request from the user's roles (``monitor_reader_required``). The
"Monitor" link in the site header only needs a hint, and the header is on every page: it
reads a flag in the session, set at login (``remember_reader``, connected in
``MonitorConfig.ready``) and refreshed whenever the monitor is opened, so no page pays a
query for it. A role granted or revoked later shows in the header at the next login or
visit to the monitor; the pages themselves always check the roles.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.roles import Role

READER_ROLES = (Role.COORDINATOR, Role.VIEWER)
SESSION_KEY = "monitor_reader"


def reads_monitor(user) -> bool:
    """One query for the user's roles per request (``User.has_role`` keeps them)."""
    if user is None or not user.is_authenticated:
        return False
    return any(user.has_role(role) for role in READER_ROLES)


def _remember(request, reader: bool) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) != reader:
        session[SESSION_KEY] = reader


def remember_reader(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: note in the session whether the header shows the link."""
    _remember(request, reads_monitor(user))


def shows_monitor_link(request) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_KEY))


def monitor_reader_required(view):
    """Anonymous visitors go to the login page; everyone else without a reader role gets 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        reader = reads_monitor(request.user)
        _remember(request, reader)
        if not reader:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
