"""State machines: the one check of a state change against a workflow's table.

Each workflow keeps its allowed transitions in one table in its app's ``constants.py``
(state -> the states it may become), and its services call ``check_transition`` before
they change a state. A refused change is a ``TransitionNotAllowed``, a ValidationError,
so forms and views show its message like any other refusal.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class TransitionNotAllowed(ValidationError):
    """A state change the workflow does not allow, or not now."""


NOT_ALLOWED = _("Something that is %(current)s cannot become %(to)s.")


def check_transition(
    transitions: Mapping[str, Collection[str]],
    current: str,
    to: str,
    *,
    message: str | Promise = NOT_ALLOWED,
) -> None:
    """Raise ``TransitionNotAllowed`` (code ``transition_not_allowed``) unless the table
    lets ``current`` become ``to``.

    The states are the workflow's ``TextChoices``; ``message`` names them as
    ``%(current)s`` and ``%(to)s`` (their labels), e.g. "A question that is
    %(current)s cannot become %(to)s.".
    """
    if to in transitions.get(current, ()):
        return
    raise TransitionNotAllowed(
        str(message) % {"current": _label(current), "to": _label(to)},
        code="transition_not_allowed",
    )


def _label(state) -> str:
    return str(getattr(state, "label", state))
