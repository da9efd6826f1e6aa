"""The agenda's rules as people meet them: the mail and the history entry when an event
is cancelled, the order of "Mijn aanmeldingen", a refused check-in, and the month
calendar's today and neighbouring-month days."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone, translation

from accounts.roles import Role
from events import services
from events.constants import EventState, RegistrationStatus
from events.models import Event
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from impactportal.workflow import TransitionNotAllowed
from tests.events.test_registration import make_event
from tests.factories import UserFactory

HOUR = timedelta(hours=1)


@pytest.mark.django_db
def test_the_cancellation_mail_names_the_event_and_the_history_names_who_cancelled():
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    event = make_event(title="Impactcafé in de Oosterparkwijk")
    services.registration_create(event=event, user=UserFactory())
    services.event_cancel(event=event, actor=coordinator)
    mail = OutboxMessage.objects.get(kind="events/event_cancelled")
    assert "Impactcafé in de Oosterparkwijk" in mail.subject
    assert "Impactcafé in de Oosterparkwijk" in mail.body_text
    entry = AuditLogEntry.objects.get(action="event.state_changed")
    assert entry.actor == coordinator


@pytest.mark.django_db
def test_mine_lists_the_next_event_first_and_the_latest_past_event_first(client, user):
    now = timezone.now()
    for slug, title, days in (("later", "Over een maand", 30), ("eerder", "Over een week", 7)):
        start = now + timedelta(days=days)
        event = make_event(
            slug=slug, title=title, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        services.registration_create(event=event, user=user)
    for slug, days in (("vorige-week", 7), ("lang-geleden", 30)):
        past = make_event(slug=slug, title=slug)
        services.registration_create(event=past, user=user)
        past.starts_at = now - timedelta(days=days)
        past.ends_at = past.starts_at + timedelta(hours=2)
        past.save()
    client.force_login(user)
    response = client.get("/agenda/mijn/")
    assert [r.event.title for r in response.context["upcoming"]] == [
        "Over een week",
        "Over een maand",
    ]
    assert [r.event.title for r in response.context["past"]] == ["vorige-week", "lang-geleden"]


@pytest.mark.django_db
def test_checking_in_a_cancelled_registration_is_refused_with_a_reason(user):
    event = make_event()
    registration = services.registration_create(event=event, user=user)
    services.registration_cancel(registration=registration, user=user)
    organiser = UserFactory(roles=[Role.COORDINATOR])
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        services.registration_check_in(registration=registration, actor=organiser)
    assert refused.value.messages == ["Only confirmed registrations can be checked in."]
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


@pytest.mark.django_db
def test_the_month_marks_today_and_greys_out_the_neighbouring_months_days(client):
    today = timezone.localdate()
    response = client.get(f"/agenda/maand/{today.year}/{today.month}/")
    days = [day for week in response.context["weeks"] for day in week]
    assert [day.date for day in days if day.is_today] == [today]
    assert all(day.in_month == (day.date.month == today.month) for day in days)
    assert response.content.decode().count('aria-current="date"') == 1


@pytest.mark.django_db
def test_a_day_in_the_month_lists_its_events_by_starting_time(client):
    day = timezone.localdate() + timedelta(days=40)
    evening = timezone.make_aware(datetime.combine(day, time(19, 0)))
    morning = timezone.make_aware(datetime.combine(day, time(9, 0)))
    make_event(slug="avond", title="Avondcollege", starts_at=evening, ends_at=evening + HOUR)
    make_event(slug="ochtend", title="Ontbijtsessie", starts_at=morning, ends_at=morning + HOUR)
    response = client.get(f"/agenda/maand/{day.year}/{day.month}/")
    cell = next(d for week in response.context["weeks"] for d in week if d.date == day)
    assert [event.title for event in cell.events] == ["Ontbijtsessie", "Avondcollege"]


@pytest.mark.django_db
def test_every_event_that_has_ended_is_marked_past_and_counted():
    now = timezone.now()
    for slug in ("gisteren", "eergisteren"):
        ended = make_event(slug=slug, starts_at=now - timedelta(days=2), ends_at=now - HOUR)
        assert ended.state == EventState.PUBLISHED
    make_event(slug="morgen")
    assert services.mark_past_events() == 2
    states = dict(Event.objects.values_list("slug", "state"))
    assert states == {"gisteren": "past", "eergisteren": "past", "morgen": "published"}
