"""Cancelling one's registration: the moments it is refused, and what one is told then."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from events import services
from events.constants import RegistrationStatus
from impactportal.audit.models import AuditLogEntry
from impactportal.workflow import TransitionNotAllowed
from tests.events.test_registration import make_event


@pytest.mark.django_db
def test_from_the_moment_the_event_starts_one_can_no_longer_cancel(user):
    event = make_event()
    registration = services.registration_create(event=event, user=user)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.registration_cancel(registration=registration, user=user, now=event.starts_at)
    assert refused.value.code == "started"
    assert refused.value.messages == ["The event has already started."]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.django_db
def test_a_cancelled_registration_cannot_be_cancelled_again(user):
    registration = services.registration_create(event=make_event(), user=user)
    services.registration_cancel(registration=registration, user=user)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        services.registration_cancel(registration=registration, user=user)
    assert refused.value.messages == ["This registration cannot be cancelled any more."]


@pytest.mark.django_db
def test_from_the_cancellation_cutoff_one_must_ask_the_organiser(user):
    event = make_event()
    event.cancellation_cutoff = event.starts_at - timedelta(days=1)
    event.save(update_fields=["cancellation_cutoff"])
    registration = services.registration_create(event=event, user=user)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.registration_cancel(
            registration=registration, user=user, now=event.cancellation_cutoff
        )
    assert refused.value.code == "after_cutoff"
    assert refused.value.messages == [
        "You can no longer cancel yourself; please contact the organiser."
    ]


@pytest.mark.django_db
def test_the_history_shows_the_status_a_cancelled_registration_had(user):
    registration = services.registration_create(event=make_event(), user=user)
    services.registration_cancel(registration=registration, user=user)
    entry = AuditLogEntry.objects.get(action="registration.cancelled")
    assert entry.actor == user
    assert entry.changes == {"status": ["confirmed", "cancelled"]}
