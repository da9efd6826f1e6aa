"""The agenda's demo data: every state and status, the waiting list at work, and idempotent."""

from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.demo import LOGINS, load_demo_accounts
from events.constants import EventState, EventType, QuestionKind, RegistrationStatus
from events.demo import (
    CANCELLED_SLUG,
    EVENTS,
    EXCURSION_SLUG,
    IMPACT_CAFE_SLUG,
    IMPACT_DAY_SLUG,
    PAST_SLUG,
    load_demo_events,
)
from events.models import Event, Registration, RegistrationQuestion
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

MODELS = [Event, RegistrationQuestion, Registration, OutboxMessage, AuditLogEntry]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo(db):
    load_demo_accounts()
    assert load_demo_events() == len(EVENTS) == Event.objects.count()


def test_running_the_loader_twice_creates_nothing_new(demo):
    before = counts()
    statuses = sorted(Registration.objects.values_list("pk", "status"))
    load_demo_accounts()
    assert load_demo_events() == 0
    assert counts() == before
    assert sorted(Registration.objects.values_list("pk", "status")) == statuses


def test_every_state_and_status_occurs(demo):
    assert set(Event.objects.values_list("state", flat=True)) == set(EventState.values)
    assert set(Registration.objects.values_list("status", flat=True)) == set(
        RegistrationStatus.values
    )
    # Only the demo people register.
    emails = {login.email for login in LOGINS}
    assert set(Registration.objects.values_list("user__email", flat=True)) <= emails


def test_the_full_excursion_has_a_waiting_list_and_promoted_someone(demo):
    event = Event.objects.get(slug=EXCURSION_SLUG)
    assert event.type == EventType.KNOWLEDGE_EXCURSION
    assert event.capacity == 2
    registrations = event.registrations
    assert registrations.filter(status=RegistrationStatus.CONFIRMED).count() == event.capacity
    assert registrations.filter(status=RegistrationStatus.WAITING).count() >= 1
    cancelled = registrations.get(status=RegistrationStatus.CANCELLED)
    assert cancelled.cancelled_at
    promoted = registrations.get(promoted_at__isnull=False)
    assert promoted.status == RegistrationStatus.CONFIRMED
    assert promoted.waiting_since
    assert AuditLogEntry.objects.filter(action="registration.promoted").count() == 1
    assert OutboxMessage.objects.filter(
        recipient=promoted.user.email, kind="events/promoted"
    ).exists()


def test_the_impact_cafe_next_week_asks_questions(demo):
    event = Event.objects.get(slug=IMPACT_CAFE_SLUG)
    assert event.state == EventState.PUBLISHED
    assert event.capacity == 30
    start = timezone.localtime(event.starts_at, AMSTERDAM)
    assert (start.date() - timezone.localdate()).days == 7
    assert (start.hour, start.minute) == (16, 0)
    required, choice = event.questions.all()
    assert required.required and required.label == "Waar wilt u over praten?"
    assert choice.kind == QuestionKind.CHOICE and choice.label == "Ik kom als"
    assert choice.choice_list == ["ondernemer", "inkoper", "anders"]
    answers = [r.answers for r in event.registrations.all()]
    assert answers and all(a[str(required.pk)] for a in answers)
    assert {a[str(choice.pk)] for a in answers} <= set(choice.choice_list)


def test_the_agenda_covers_the_actieprogramma(demo):
    kinds = set(Event.objects.values_list("type", flat=True))
    assert kinds == set(EventType.values)
    impact_day = Event.objects.get(slug=IMPACT_DAY_SLUG)
    assert impact_day.title == "Noordelijke Impact Day"
    assert impact_day.capacity == 200
    online = Event.objects.get(type=EventType.EVENING_LECTURE)
    assert online.online_link and not online.venue
    assert Event.objects.filter(title__startswith="MVOI-training").exists()
    assert Event.objects.filter(title="Inkoop Meets Impact").exists()
    assert Event.objects.filter(title__startswith="Fietstour").exists()
    assert Event.objects.get(state=EventState.DRAFT).registrations.count() == 0


def test_the_cancelled_event_told_everyone(demo):
    event = Event.objects.get(slug=CANCELLED_SLUG)
    assert event.state == EventState.CANCELLED
    registered = list(event.registrations.values_list("user__email", flat=True))
    assert registered
    for email in registered:
        assert OutboxMessage.objects.filter(recipient=email, kind="events/event_cancelled").exists()


def test_the_past_event_was_checked_in(demo):
    event = Event.objects.get(slug=PAST_SLUG)
    assert event.state == EventState.PAST
    assert event.starts_at < timezone.now()
    statuses = set(event.registrations.values_list("status", flat=True))
    assert statuses == {RegistrationStatus.ATTENDED, RegistrationStatus.NO_SHOW}
    assert not event.registrations.filter(
        status=RegistrationStatus.ATTENDED, checked_in_at__isnull=True
    ).exists()
    # Nobody is still confirmed or waiting for an event that is over.
    assert not Registration.objects.filter(
        event__starts_at__lt=timezone.now(),
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING],
    ).exists()
