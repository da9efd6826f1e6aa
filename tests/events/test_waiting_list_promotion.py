"""A freed place and the waiting list, as the people on it meet it: who moves up, what
they are told, what the history shows, and the capacity the organiser set."""

import pytest
from django.utils import translation

from events import services
from events.constants import EventState, RegistrationStatus
from events.models import Registration
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from impactportal.workflow import TransitionNotAllowed
from tests.events.test_registration import make_event
from tests.factories import UserFactory


@pytest.mark.django_db
def test_the_person_moved_up_gets_a_mail_naming_the_event_with_a_calendar_file():
    event = make_event(slug="impactcafe-zernike", title="Impactcafé Zernike", capacity=1)
    first, second = UserFactory(), UserFactory()
    place = services.registration_create(event=event, user=first)
    waiting = services.registration_create(event=event, user=second)
    services.registration_cancel(registration=place, user=first)

    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    mail = OutboxMessage.objects.get(kind="events/promoted", recipient=second.email)
    assert "Impactcafé Zernike" in mail.subject
    assert "Impactcafé Zernike" in mail.body_text
    assert [a["filename"] for a in mail.attachments] == ["impactcafe-zernike.ics"]
    # The history of that registration shows the move.
    entry = AuditLogEntry.objects.get(action="registration.promoted")
    assert entry.target == waiting


@pytest.mark.django_db
def test_after_the_capacity_was_lowered_a_freed_place_moves_nobody_up_while_full():
    event = make_event(capacity=3)
    people = [UserFactory() for _ in range(4)]
    places = [services.registration_create(event=event, user=p) for p in people]
    assert places[3].status == RegistrationStatus.WAITING
    # The organiser makes the room smaller: three confirmed for two places.
    event.capacity = 2
    event.save(update_fields=["capacity"])

    services.registration_cancel(registration=places[0], user=people[0])
    assert Registration.objects.filter(event=event, status="confirmed").count() == 2
    places[3].refresh_from_db()
    assert places[3].status == RegistrationStatus.WAITING
    assert not OutboxMessage.objects.filter(kind="events/promoted").exists()


@pytest.mark.django_db
def test_a_refused_event_move_says_which_move():
    event = make_event(state=EventState.CANCELLED)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        services.event_publish(event=event, actor=None)
    assert refused.value.messages == ["An event that is cancelled cannot become published."]
