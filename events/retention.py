"""How long the agenda keeps registrations (registered in ``EventsConfig.ready``)."""

from __future__ import annotations

from datetime import datetime

from impactportal.retention import registry
from impactportal.retention.helpers import deleted_count, scrub_audit

from .figures import HELD_STATES
from .models import Event, Registration


def purge_past_event_registrations(cutoff: datetime, *, dry_run: bool) -> int:
    """Registrations of events that ended before ``cutoff``.

    Events that took place (``figures.HELD_STATES``) keep their registrations,
    because the monitor counts them per status; their answers to the registration
    questions (dietary wishes, accessibility needs) are cleared. Registrations of events
    that never took place (draft, cancelled) count nowhere and are deleted.
    """
    ended = Registration.objects.filter(event__ends_at__lt=cutoff)
    held = ended.filter(event__state__in=HELD_STATES).exclude(answers={})
    not_held = ended.exclude(event__state__in=HELD_STATES)
    if dry_run:
        return held.count() + not_held.count()
    scrub_audit(not_held)
    deleted = deleted_count(not_held.delete(), Registration)
    return deleted + held.update(answers={})


def register_kinds() -> None:
    registry.register(
        "past_event_registrations",
        outcome="anonymised or deleted",
        purge=purge_past_event_registrations,
        days=365,  # from the end of the event
        models=[Registration],
    )
    registry.exempt(
        Event,
        "The programme's public record of what took place; its organisers are taken off "
        "with their account (events.privacy).",
    )
