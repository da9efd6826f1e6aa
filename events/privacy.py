"""What the agenda holds on a person, for the AVG export and on account deletion.

A registration and its answers to the organiser's questions (dietary wishes, access
needs: possibly health data) are the participant's; the events they organise name them
as organiser. On deletion the answers go; the registration stays as a count for the
monitor (its account is anonymised); a seat for an event still to come is given back,
so the waiting list moves up, unless the cancellation cutoff has passed (then the
organiser decides). The organiser role on events goes.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from impactportal import privacy
from impactportal.privacy import iso
from impactportal.retention.helpers import scrub_audit

from . import services
from .constants import RegistrationStatus
from .models import Event, Registration, RegistrationQuestion


def export_registrations(user):
    registrations = (
        Registration.objects.filter(user=user)
        .select_related("event")
        .prefetch_related("event__questions")
        .order_by("created_at", "pk")
    )
    exported = []
    for registration in registrations:
        labels = {
            str(question.pk): question.label for question in registration.event.questions.all()
        }
        exported.append(
            {
                "event": registration.event.title,
                "starts_at": iso(registration.event.starts_at),
                "status": registration.status,
                "registered_at": iso(registration.created_at),
                "cancelled_at": iso(registration.cancelled_at),
                "checked_in_at": iso(registration.checked_in_at),
                "answers": {
                    labels.get(key, key): value for key, value in registration.answers.items()
                },
            }
        )
    return exported


def export_organised(user):
    return [
        {"event": event.title, "starts_at": iso(event.starts_at), "state": event.state}
        for event in Event.objects.filter(organisers=user).order_by("starts_at")
    ]


def erase_registrations(user):
    now = timezone.now()
    live = Registration.objects.filter(
        user=user,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING],
        event__starts_at__gt=now,
    )
    for registration in live:
        try:
            services.registration_cancel(registration=registration, user=user, now=now)
        except ValidationError:  # past the cancellation cutoff: the organiser decides
            pass
    Registration.objects.filter(user=user).exclude(answers={}).update(answers={})
    # Their registrations are described by their name in the audit log.
    scrub_audit(Registration.objects.filter(user=user))


def erase_organised(user):
    Event.organisers.through.objects.filter(user=user).delete()


def register_sections() -> None:
    privacy.register(
        "event_registrations",
        export=export_registrations,
        erase=erase_registrations,
        models=[Registration],
    )
    privacy.register(
        "events_organised", export=export_organised, erase=erase_organised, models=[Event]
    )
    privacy.exempt(RegistrationQuestion, "The organiser's questions, the same for everyone.")
