"""A registration belongs to one event: being registered for one does not show as
registered for another."""

from __future__ import annotations

import pytest

from events import services
from events.selectors import registration_of
from tests.events.test_registration import make_event
from tests.factories import UserFactory


@pytest.mark.django_db
def test_a_registration_for_one_event_is_not_one_for_another(client):
    person = UserFactory()
    cafe = make_event(title="Impactcafé", slug="impactcafe-noord")
    training = make_event(title="Training impact meten", slug="training-impact-meten")
    registration = services.registration_create(event=cafe, user=person)
    assert registration_of(person, cafe) == registration
    assert registration_of(person, training) is None
    client.force_login(person)
    page = client.get(training.get_absolute_url()).content.decode()
    assert f'action="/agenda/{training.slug}/aanmelden/#aanmelden"' in page
    assert f'action="/agenda/{training.slug}/afmelden/"' not in page
