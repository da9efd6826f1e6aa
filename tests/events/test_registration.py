from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from events import services
from events.constants import EventState, QuestionKind, RegistrationStatus
from events.ical import feed_ics
from events.models import Event, Registration, RegistrationQuestion
from impactportal.outbox.models import OutboxMessage
from impactportal.workflow import TransitionNotAllowed
from tests.factories import UserFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def make_event(**values):
    start = timezone.now() + timedelta(days=14)
    defaults = {
        "slug": f"impactcafe-{Event.objects.count() + 1}",
        "type": "impactcafe",
        "title": "Impactcafé: sociaal ondernemen in de wijk",
        "description": "Ondernemers vertellen hoe zij werken met mensen met een afstand tot werk.",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "venue": "Forum Groningen",
        "address": "Nieuwe Markt 1, Groningen",
        "state": EventState.PUBLISHED,
    }
    return Event.objects.create(**{**defaults, **values})


@pytest.mark.django_db(transaction=True)
def test_200_parallel_sign_ups_for_50_places_confirm_exactly_50():
    event = make_event(capacity=50)
    users = [UserFactory() for _ in range(200)]

    def register(user):
        try:
            return services.registration_create(event=event, user=user).status
        finally:
            connection.close()

    # 20 connections at a time, each registration in its own transaction.
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(register, users))
    assert statuses.count(RegistrationStatus.CONFIRMED) == 50
    assert statuses.count(RegistrationStatus.WAITING) == 150
    assert Registration.objects.filter(status=RegistrationStatus.CONFIRMED).count() == 50
    waiting = Registration.objects.filter(status=RegistrationStatus.WAITING)
    assert waiting.count() == 150 and not waiting.filter(waiting_since__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_promotes_exactly_one_person_once():
    event = make_event(capacity=2)
    first, second, third, fourth = (UserFactory() for _ in range(4))
    registrations = [
        services.registration_create(event=event, user=u) for u in (first, second, third, fourth)
    ]
    assert [r.status for r in registrations] == ["confirmed", "confirmed", "waiting", "waiting"]

    services.registration_cancel(registration=registrations[0], user=first)
    states = dict(Registration.objects.values_list("user_id", "status"))
    assert states[third.pk] == RegistrationStatus.CONFIRMED  # first on the list
    assert states[fourth.pk] == RegistrationStatus.WAITING
    assert OutboxMessage.objects.filter(kind="events/promoted").count() == 1
    # Cancelling again changes nothing and promotes nobody else.
    with pytest.raises(ValidationError):
        services.registration_cancel(registration=registrations[0], user=first)
    assert Registration.objects.filter(status=RegistrationStatus.CONFIRMED).count() == 2
    # Leaving the waiting list frees no place.
    services.registration_cancel(registration=registrations[3], user=fourth)
    assert OutboxMessage.objects.filter(kind="events/promoted").count() == 1


@pytest.mark.django_db
def test_unlimited_events_confirm_everyone():
    event = make_event(capacity=None)
    for _ in range(5):
        services.registration_create(event=event, user=UserFactory())
    assert set(Registration.objects.values_list("status", flat=True)) == {"confirmed"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"state": EventState.DRAFT}, "not_published"),
        ({"state": EventState.CANCELLED}, "not_published"),
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, "not_open_yet"),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, "closed"),
        (
            {
                "starts_at": timezone.now() - timedelta(minutes=5),
                "ends_at": timezone.now() + timedelta(hours=1),
            },
            "started",
        ),
    ],
)
def test_registration_outside_the_window_is_refused_with_a_clear_message(values, code):
    event = make_event(**values)
    with pytest.raises(ValidationError) as error:
        services.registration_create(event=event, user=UserFactory())
    assert error.value.code == code
    assert error.value.messages[0]
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_one_live_registration_per_person():
    event = make_event()
    user = UserFactory()
    registration = services.registration_create(event=event, user=user)
    with pytest.raises(ValidationError):
        services.registration_create(event=event, user=user)
    services.registration_cancel(registration=registration, user=user)
    services.registration_create(event=event, user=user)  # may register again after cancelling
    assert Registration.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_self_cancellation_stops_at_the_cutoff_and_only_for_oneself():
    event = make_event(cancellation_cutoff=timezone.now() + timedelta(days=1))
    user = UserFactory()
    registration = services.registration_create(event=event, user=user)
    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=registration, user=UserFactory())
    with pytest.raises(ValidationError) as error:
        services.registration_cancel(
            registration=registration, user=user, now=timezone.now() + timedelta(days=2)
        )
    assert error.value.code == "after_cutoff"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


@pytest.mark.django_db
def test_answers_are_checked_against_the_questions():
    event = make_event()
    diet = RegistrationQuestion.objects.create(event=event, label="Dieetwensen", required=True)
    role = RegistrationQuestion.objects.create(
        event=event, label="Ik ben", kind=QuestionKind.CHOICE, choices="ondernemer\ninkoper"
    )
    parking = RegistrationQuestion.objects.create(
        event=event, label="Parkeren?", kind=QuestionKind.YES_NO
    )
    user = UserFactory()
    for bad in (
        {},
        {str(diet.pk): "  "},
        {str(diet.pk): "x" * 3000},
        {str(diet.pk): "geen", str(role.pk): "hacker"},
        {str(diet.pk): "geen", str(parking.pk): "misschien"},
    ):
        with pytest.raises(ValidationError):
            services.registration_create(event=event, user=user, answers=bad)
    assert not Registration.objects.exists()
    registration = services.registration_create(
        event=event,
        user=user,
        answers={
            str(diet.pk): " vegetarisch\n",
            str(role.pk): "inkoper",
            str(parking.pk): "ja",
            "999": "ignored",
        },
    )
    assert registration.answers == {
        str(diet.pk): "vegetarisch",
        str(role.pk): "inkoper",
        str(parking.pk): "ja",
    }


@pytest.mark.django_db
def test_confirmation_carries_a_valid_ics_with_the_right_time_zone_across_dst(
    django_capture_on_commit_callbacks,
):
    # 29 March 2027: the first Monday of summer time; 1 November 2027: back to winter time.
    summer = make_event(
        starts_at=datetime(2027, 3, 29, 19, 30, tzinfo=AMSTERDAM),
        ends_at=datetime(2027, 3, 29, 21, 30, tzinfo=AMSTERDAM),
        online_link="https://meet.example/impact",
    )
    winter = make_event(
        starts_at=datetime(2027, 11, 1, 19, 30, tzinfo=AMSTERDAM),
        ends_at=datetime(2027, 11, 1, 21, 30, tzinfo=AMSTERDAM),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(event=summer, user=UserFactory())
    mail = OutboxMessage.objects.get(kind="events/registration_confirmed")
    import base64

    ics = base64.b64decode(mail.attachments[0]["content_base64"])
    calendar = icalendar.Calendar.from_ical(ics)
    (vevent,) = calendar.walk("VEVENT")
    start = vevent.decoded("dtstart")
    assert start.tzinfo is not None and start.utcoffset() == timedelta(hours=2)
    assert start.astimezone(AMSTERDAM).hour == 19
    assert "https://meet.example/impact" in str(vevent.get("description"))
    assert calendar.walk("VTIMEZONE")

    feed = icalendar.Calendar.from_ical(feed_ics([summer, winter], name="Agenda"))
    offsets = [e.decoded("dtstart").utcoffset() for e in feed.walk("VEVENT")]
    assert offsets == [timedelta(hours=2), timedelta(hours=1)]
    # The public feed never carries the online link.
    assert b"meet.example" not in feed.to_ical()


@pytest.mark.django_db
def test_reminders_go_once_even_if_the_task_runs_twice(django_capture_on_commit_callbacks):
    event = make_event(
        starts_at=timezone.now() + timedelta(hours=30),
        ends_at=timezone.now() + timedelta(hours=32),
        capacity=1,
    )
    confirmed = services.registration_create(event=event, user=UserFactory())
    services.registration_create(event=event, user=UserFactory())  # waiting list
    assert services.send_due_reminders() == 0  # 30 hours out, reminder is at 24
    later = timezone.now() + timedelta(hours=7)
    assert services.send_due_reminders(now=later) == 1
    assert services.send_due_reminders(now=later) == 0
    reminders = OutboxMessage.objects.filter(kind="events/reminder")
    assert list(reminders.values_list("recipient", flat=True)) == [confirmed.user.email]


@pytest.mark.django_db
def test_cancelling_an_event_tells_everyone_registered():
    event = make_event(capacity=1)
    people = [UserFactory() for _ in range(3)]
    registrations = [services.registration_create(event=event, user=p) for p in people]
    services.registration_cancel(registration=registrations[2], user=people[2])
    services.event_cancel(event=event, actor=None)
    told = set(
        OutboxMessage.objects.filter(kind="events/event_cancelled").values_list(
            "recipient", flat=True
        )
    )
    assert told == {people[0].email, people[1].email}
    with pytest.raises(TransitionNotAllowed):
        services.event_publish(event=event, actor=None)


@pytest.mark.django_db
def test_check_in_marks_attendance():
    event = make_event(capacity=1)
    attendee = services.registration_create(event=event, user=UserFactory())
    waiting = services.registration_create(event=event, user=UserFactory())
    services.registration_check_in(registration=attendee, actor=None)
    attendee.refresh_from_db()
    assert attendee.status == RegistrationStatus.ATTENDED and attendee.checked_in_at
    with pytest.raises(TransitionNotAllowed):
        services.registration_check_in(registration=waiting, actor=None)


@pytest.mark.django_db
def test_ended_events_become_past_once():
    ended = make_event(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    upcoming = make_event()
    assert services.mark_past_events() == 1
    assert services.mark_past_events() == 0
    ended.refresh_from_db()
    upcoming.refresh_from_db()
    assert (ended.state, upcoming.state) == (EventState.PAST, EventState.PUBLISHED)


@pytest.mark.django_db
def test_event_image_is_served_only_while_the_event_is_public(client):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, "PNG")
    event = make_event(slug="met-beeld", image_description="Ondernemers aan een lange tafel")
    event.image.save("cafe.png", SimpleUploadedFile("cafe.png", buffer.getvalue()))
    response = client.get("/agenda/met-beeld/afbeelding/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert (
        'alt="Ondernemers aan een lange tafel"' in client.get("/agenda/met-beeld/").content.decode()
    )
    Event.objects.filter(pk=event.pk).update(state=EventState.DRAFT)
    assert client.get("/agenda/met-beeld/afbeelding/").status_code == 404
    assert client.get("/agenda/geen-beeld/afbeelding/").status_code == 404
