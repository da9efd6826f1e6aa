"""What a signed-in visitor of an event page is told about registering: not yet open
(and from when), open (the form), closed, or not possible. The boundaries are the
moments themselves: registration opens at its opening time and closes at its closing
time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from events.constants import EventState
from tests.events.test_registration import make_event

OPENS = "Aanmelden kan vanaf"
CLOSED = "Aanmelden voor deze bijeenkomst is gesloten."
NOT_POSSIBLE = "Aanmelden is voor deze bijeenkomst niet mogelijk."


def page(client, user, event, at):
    with time_machine.travel(at, tick=False):
        client.force_login(user)  # a session of that moment
        response = client.get(f"/agenda/{event.slug}/")
    body = response.content.decode()
    return body, response.context["form"] is not None


@pytest.fixture
def event(db):
    start = timezone.now() + timedelta(days=30)
    return make_event(
        slug="inloopavond",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        registration_opens_at=start - timedelta(days=20),
        registration_closes_at=start - timedelta(days=1),
    )


def test_before_the_opening_time_the_page_says_from_when(client, user, event):
    body, has_form = page(client, user, event, event.registration_opens_at - timedelta(seconds=1))
    assert OPENS in body and not has_form


def test_at_the_opening_time_the_form_is_there(client, user, event):
    body, has_form = page(client, user, event, event.registration_opens_at)
    assert has_form and OPENS not in body


def test_at_the_closing_time_registration_has_closed(client, user, event):
    body, has_form = page(client, user, event, event.registration_closes_at)
    assert CLOSED in body and not has_form


def test_once_the_event_starts_registration_is_not_possible(client, user, event):
    event.registration_closes_at = None
    event.save(update_fields=["registration_closes_at"])
    body, has_form = page(client, user, event, event.starts_at)
    assert NOT_POSSIBLE in body and not has_form


def test_a_cancelled_event_takes_no_registrations(client, user, event):
    event.state = EventState.CANCELLED
    event.save(update_fields=["state"])
    body, has_form = page(client, user, event, event.registration_opens_at + timedelta(days=1))
    assert not has_form and OPENS not in body
