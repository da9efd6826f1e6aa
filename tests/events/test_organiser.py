"""The organisers' pages: who gets in, attendee list with answers, check-in, CSV export
and the e-mail to attendees by status; pinned query counts."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from events import services
from events.constants import QuestionKind, RegistrationStatus
from events.models import Registration, RegistrationQuestion
from events.services import attendees_message_send
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from tests.events.test_registration import make_event
from tests.factories import UserFactory

S = RegistrationStatus


def pages(event):
    base = f"/agenda/organisator/{event.slug}/"
    return {
        "attendees": base,
        "check_in": f"{base}inchecken/",
        "export": f"{base}export.csv",
        "message": f"{base}bericht/",
    }


def register(event, name, status=S.CONFIRMED, answers=None):
    user = UserFactory(name=name)
    return Registration.objects.create(event=event, user=user, status=status, answers=answers or {})


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True, name="Carla Coördinator")


@pytest.fixture
def organiser(db):
    return UserFactory(roles=[Role.ENTREPRENEUR], name="Olaf Organisator")


@pytest.fixture
def event(organiser):
    event = make_event(title="Impactcafé De Wijk", slug="impactcafe-de-wijk")
    event.organisers.add(organiser)
    return event


@pytest.fixture
def questions(event):
    diet = RegistrationQuestion.objects.create(
        event=event, position=1, label="Dieetwensen", kind=QuestionKind.TEXT
    )
    lunch = RegistrationQuestion.objects.create(
        event=event, position=2, label="Blijft u lunchen?", kind=QuestionKind.YES_NO
    )
    return diet, lunch


@pytest.fixture
def people(event, questions):
    diet, lunch = questions
    return {
        "anna": register(
            event, "Anna Aalders", S.CONFIRMED, {str(diet.pk): "vegetarisch", str(lunch.pk): "ja"}
        ),
        "bram": register(event, "Bram Bakker", S.ATTENDED, {str(lunch.pk): "nee"}),
        "cees": register(event, "Cees Cramer", S.NO_SHOW),
        "dirk": register(event, "Dirk Dijkstra", S.WAITING),
        "eva": register(event, "Eva Evers", S.CANCELLED, {str(diet.pk): "=HYPERLINK(1)"}),
    }


# Who gets in ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_login_page(client, event):
    for name, url in pages(event).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/account/login/"), name


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make_user",
    [
        lambda: UserFactory(roles=[Role.ENTREPRENEUR]),
        lambda: UserFactory(roles=[Role.ACCOUNT_MANAGER], staff=True, totp=True),
        lambda: UserFactory(roles=[Role.DIRECTORATE_CONTACT], staff=True, totp=True),
    ],
)
def test_others_get_404_and_change_nothing(client, event, people, make_user):
    client.force_login(make_user())
    for name, url in pages(event).items():
        assert client.get(url).status_code == 404, name
    check_in = client.post(
        pages(event)["check_in"], {"registration": people["anna"].uuid, "attended": "1"}
    )
    message = client.post(
        pages(event)["message"], {"statuses": ["confirmed"], "subject": "Hoi", "body": "Hallo"}
    )
    assert check_in.status_code == message.status_code == 404
    people["anna"].refresh_from_db()
    assert people["anna"].status == S.CONFIRMED
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_organiser_of_another_event_gets_404(client, event, organiser):
    other = make_event(slug="ander-event")
    client.force_login(organiser)
    assert client.get(pages(other)["attendees"]).status_code == 404
    assert client.get("/agenda/organisator/bestaat-niet/").status_code == 404


@pytest.mark.django_db
def test_organiser_and_coordinator_get_in(client, event, organiser, coordinator):
    for user in (organiser, coordinator):
        client.force_login(user)
        for name, url in pages(event).items():
            assert client.get(url).status_code == 200, (user, name)


# Attendee list --------------------------------------------------------------------------


@pytest.mark.django_db
def test_attendee_list_shows_status_answers_and_counts(client, organiser, event, people):
    client.force_login(organiser)
    response = client.get(pages(event)["attendees"])
    html = response.content.decode()
    assert "Dieetwensen" in html and "Blijft u lunchen?" in html
    rows = {r.user.name: answers for r, answers in response.context["rows"]}
    assert rows["Anna Aalders"] == ["vegetarisch", "ja"]
    assert rows["Bram Bakker"] == ["", "nee"]
    assert rows["Cees Cramer"] == ["", ""]
    assert len(rows) == 5
    counts = {status.value: n for status, n in response.context["status_counts"]}
    assert counts == {"confirmed": 1, "waiting": 1, "cancelled": 1, "attended": 1, "no_show": 1}
    assert 'data-status="attended">1<' in html


@pytest.mark.django_db
def test_answers_are_escaped(client, organiser, event, questions):
    register(event, "Mallory", answers={str(questions[0].pk): "<script>alert(1)</script>"})
    client.force_login(organiser)
    html = client.get(pages(event)["attendees"]).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _attendee_list_queries(client, event):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(pages(event)["attendees"])
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_attendee_list_query_count_is_constant(client, organiser, event, questions):
    client.force_login(organiser)
    for i in range(2):
        register(event, f"Deelnemer {i}", answers={str(questions[0].pk): f"antwoord {i}"})
    two = _attendee_list_queries(client, event)
    for i in range(2, 30):
        register(event, f"Deelnemer {i}", answers={str(questions[0].pk): f"antwoord {i}"})
    thirty = _attendee_list_queries(client, event)
    # session, user, event, the user's roles, organiser check, registrations (+ users),
    # questions
    assert two == thirty == 7


# Check-in -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_check_in_marks_attended_and_no_show_and_is_audited(client, organiser, event, people):
    client.force_login(organiser)
    url = pages(event)["check_in"]
    page = client.get(url).content.decode()
    assert "Anna Aalders" in page and "Dirk Dijkstra" not in page  # waiting: no place
    response = client.post(url, {"registration": people["anna"].uuid, "attended": "1"})
    assert response.status_code == 302 and response["Location"] == url
    people["anna"].refresh_from_db()
    assert people["anna"].status == S.ATTENDED and people["anna"].checked_in_at
    client.post(url, {"registration": people["bram"].uuid, "attended": "0", "q": "bram"})
    people["bram"].refresh_from_db()
    assert people["bram"].status == S.NO_SHOW and people["bram"].checked_in_at is None
    entries = AuditLogEntry.objects.filter(action="registration.checked_in").order_by("pk")
    assert [(e.object_id, e.actor_id, e.changes["status"]) for e in entries] == [
        (str(people["anna"].pk), organiser.pk, ["confirmed", "attended"]),
        (str(people["bram"].pk), organiser.pk, ["attended", "no_show"]),
    ]


@pytest.mark.django_db
def test_check_in_refuses_waiting_people_and_other_events(client, organiser, event, people):
    client.force_login(organiser)
    url = pages(event)["check_in"]
    client.post(url, {"registration": people["dirk"].uuid, "attended": "1"})
    people["dirk"].refresh_from_db()
    assert people["dirk"].status == S.WAITING
    elsewhere = register(make_event(slug="elders"), "Frank Fokkema")
    missing = client.post(url, {"registration": elsewhere.uuid, "attended": "1"})
    assert missing.status_code == 404
    assert client.post(url, {"registration": "geen-uuid", "attended": "1"}).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == S.CONFIRMED
    assert not AuditLogEntry.objects.filter(action="registration.checked_in").exists()


@pytest.mark.django_db
def test_check_in_search_by_name(client, organiser, event, people):
    client.force_login(organiser)
    response = client.get(pages(event)["check_in"], {"q": "  bakker "})
    assert [r.user.name for r in response.context["registrations"]] == ["Bram Bakker"]
    assert response.context["query"] == "bakker"


# CSV ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_has_exactly_the_attendees_with_answers(client, organiser, event, people):
    register(make_event(slug="ander"), "Niet Hier")
    client.force_login(organiser)
    response = client.get(pages(event)["export"])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][-2:] == ["Dieetwensen", "Blijft u lunchen?"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"Anna Aalders", "Bram Bakker", "Cees Cramer", "Dirk Dijkstra"}
    assert by_name["Anna Aalders"][-2:] == ["vegetarisch", "ja"]
    assert by_name["Bram Bakker"][-2:] == ["", "nee"]
    assert by_name["Anna Aalders"][1] == people["anna"].user.email
    assert "Eva Evers" not in text  # cancelled


@pytest.mark.django_db
def test_csv_neutralises_formulas(client, organiser, event, questions):
    register(event, "=cmd|calc", answers={str(questions[0].pk): "+SUM(A1)"})
    client.force_login(organiser)
    text = client.get(pages(event)["export"]).content.decode("utf-8")
    assert "'=cmd|calc" in text and "'+SUM(A1)" in text


# E-mail to attendees ---------------------------------------------------------------------


@pytest.mark.django_db
def test_message_goes_to_exactly_the_chosen_status(client, organiser, event, people):
    client.force_login(organiser)
    response = client.post(
        pages(event)["message"],
        {
            "statuses": ["attended"],
            "subject": "Hoe was het?",
            "body": "Vul onze enquête in: https://example.nl/enquete?x=1&y=2",
        },
    )
    assert response.status_code == 302
    sent = OutboxMessage.objects.filter(kind="events/attendee_message")
    assert [m.recipient for m in sent] == [people["bram"].user.email]
    message = sent.get()
    assert message.subject == "Hoe was het?"
    assert "https://example.nl/enquete?x=1&y=2" in message.body_text  # not escaped
    assert "Impactcafé De Wijk" in message.body_text
    entry = AuditLogEntry.objects.get(action="event.attendees_messaged")
    assert entry.actor == organiser and entry.object_id == str(event.pk)
    assert entry.data["statuses"] == ["attended"] and entry.data["recipients"] == 1


@pytest.mark.django_db
def test_message_to_several_statuses(coordinator, event, people):
    sent = attendees_message_send(
        event=event,
        statuses=["confirmed", "no_show", "waiting"],
        subject="Nieuws",
        body="Er is parkeerplek bij de achteringang.",
        actor=coordinator,
    )
    assert sent == 3
    recipients = set(OutboxMessage.objects.values_list("recipient", flat=True))
    assert recipients == {people[p].user.email for p in ("anna", "cees", "dirk")}
    assert AuditLogEntry.objects.filter(action="event.attendees_messaged").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"statuses": ["attended"], "subject": "", "body": "Hallo"},
        {"statuses": ["attended"], "subject": "Hoi", "body": "   "},
        {"subject": "Hoi", "body": "Hallo"},
        {"statuses": ["cancelled"], "subject": "Hoi", "body": "Hallo"},
        {"statuses": ["bogus"], "subject": "Hoi", "body": "Hallo"},
        {"statuses": ["attended"], "subject": "Hoi", "body": "x" * 100_000},
        {"statuses": ["attended"], "subject": "Hoi", "body": "<script>alert(1)</script>"},
        {"statuses": ["attended"], "subject": "<script>alert(1)</script>", "body": "Hallo"},
        {"statuses": ["attended"], "subject": "Hoi", "body": "klik <a href='x'>hier</a>"},
        {"statuses": ["waiting", "confirmed"], "subject": "x" * 201, "body": "Hallo"},
    ],
)
def test_bad_message_input_sends_and_stores_nothing(client, organiser, event, people, data):
    client.force_login(organiser)
    response = client.post(pages(event)["message"], data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not OutboxMessage.objects.exists()
    assert not AuditLogEntry.objects.filter(action="event.attendees_messaged").exists()


@pytest.mark.django_db
def test_message_to_a_status_nobody_has_sends_nothing(client, organiser, event):
    register(event, "Alleen Bevestigd")
    client.force_login(organiser)
    response = client.post(
        pages(event)["message"], {"statuses": ["attended"], "subject": "Hoi", "body": "Hallo"}
    )
    assert response.status_code == 400
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_service_itself_refuses_bad_input_and_outsiders(event, people, organiser):
    bad = [
        {"statuses": [], "subject": "Hoi", "body": "Hallo"},
        {"statuses": ["attended"], "subject": "Hoi", "body": "y" * 100_000},
        {"statuses": ["attended"], "subject": "Hoi", "body": "<script>x</script>"},
        {"statuses": ["attended"], "subject": "\n", "body": "Hallo"},
    ]
    for kwargs in bad:
        with pytest.raises(ValidationError):
            attendees_message_send(event=event, actor=organiser, **kwargs)
    with pytest.raises(PermissionDenied):
        attendees_message_send(
            event=event,
            statuses=["attended"],
            subject="Hoi",
            body="Hallo",
            actor=UserFactory(roles=[Role.ENTREPRENEUR]),
        )
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_service_check_in_via_registration_flow(client, organiser):
    """End to end with real sign-ups: register, check in on the page, message attendees."""
    event = make_event(slug="training-mvoi")
    event.organisers.add(organiser)
    came, stayed_away = UserFactory(name="Kwam Wel"), UserFactory(name="Kwam Niet")
    r1 = services.registration_create(event=event, user=came)
    r2 = services.registration_create(event=event, user=stayed_away)
    client.force_login(organiser)
    url = pages(event)["check_in"]
    client.post(url, {"registration": r1.uuid, "attended": "1"})
    client.post(url, {"registration": r2.uuid, "attended": "0"})
    client.post(
        pages(event)["message"],
        {"statuses": ["attended"], "subject": "Enquête", "body": "https://example.nl/e"},
    )
    assert list(
        OutboxMessage.objects.filter(kind="events/attendee_message").values_list(
            "recipient", flat=True
        )
    ) == [came.email]
