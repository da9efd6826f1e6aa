"""Registering, the waiting list and cancelling through the pages; who sees the online
link and the address; bad input; 'Mijn agenda'."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events import services
from events.constants import EventState, QuestionKind, RegistrationStatus
from events.models import Registration, RegistrationQuestion
from impactportal.outbox.models import OutboxMessage
from tests.events.test_registration import make_event
from tests.factories import UserFactory

LINK = "https://meet.example.nl/geheim-123"
ADDRESS = "Geheimstraat 7, Groningen"


@pytest.fixture
def event(db):
    return make_event(slug="cafe", capacity=1, online_link=LINK, address=ADDRESS)


@pytest.fixture
def questions(event):
    return {
        "text": RegistrationQuestion.objects.create(
            event=event, position=1, label="Wat is uw dieetwens?", kind=QuestionKind.TEXT
        ),
        "choice": RegistrationQuestion.objects.create(
            event=event,
            position=2,
            label="Welke workshop?",
            kind=QuestionKind.CHOICE,
            choices="Inkopen\nFinancieren",
            required=True,
        ),
        "yes_no": RegistrationQuestion.objects.create(
            event=event, position=3, label="Blijft u eten?", kind=QuestionKind.YES_NO, required=True
        ),
    }


def answers(questions, **values):
    data = {
        f"vraag_{questions['text'].pk}": "Vegetarisch",
        f"vraag_{questions['choice'].pk}": "Inkopen",
        f"vraag_{questions['yes_no'].pk}": "ja",
    }
    for kind, value in values.items():
        data[f"vraag_{questions[kind].pk}"] = value
    return data


def page(client, slug="cafe"):
    response = client.get(f"/agenda/{slug}/")
    assert response.status_code == 200
    return response.content.decode()


# Who sees the link -----------------------------------------------------


@pytest.mark.django_db
def test_link_only_for_confirmed_people(client, event, user, other_user):
    third = UserFactory()
    services.registration_create(event=event, user=user)  # confirmed
    services.registration_create(event=event, user=other_user)  # waiting list

    body = page(client)  # anonymous
    assert LINK not in body and ADDRESS in body
    assert "/account/login/?next=%2Fagenda%2Fcafe%2F" in body

    client.force_login(third)  # not registered
    body = page(client)
    assert LINK not in body
    assert 'action="/agenda/cafe/aanmelden/' in body

    client.force_login(other_user)  # waiting list
    body = page(client)
    assert LINK not in body
    assert "agenda-status--waiting" in body

    client.force_login(user)  # confirmed
    body = page(client)
    assert LINK in body
    assert "agenda-status--confirmed" in body
    # ...but never in the JSON-LD, not even for them.
    ld = body.split('application/ld+json">')[1].split("</script>")[0]
    assert LINK not in ld


@pytest.mark.django_db
def test_promoted_person_sees_the_link(client, event, user, other_user):
    first = services.registration_create(event=event, user=user)
    services.registration_create(event=event, user=other_user)
    services.registration_cancel(registration=first, user=user)
    client.force_login(other_user)
    body = page(client)
    assert LINK in body and "agenda-status--confirmed" in body
    client.force_login(user)  # cancelled: sees nothing, may register again
    body = page(client)
    assert LINK not in body and 'action="/agenda/cafe/aanmelden/' in body


# Registering through the form -----------------------------------------------------------


@pytest.mark.django_db
def test_register_confirmed_then_waiting_list_then_duplicate(
    client, event, questions, user, other_user, django_capture_on_commit_callbacks
):
    client.force_login(user)
    body = page(client)
    assert 'type="radio"' in body and "Welke workshop?" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/agenda/cafe/aanmelden/", answers(questions), follow=True)
    assert response.redirect_chain == [("/agenda/cafe/", 302)]
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    registration = Registration.objects.get(user=user)
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.answers == {
        str(questions["text"].pk): "Vegetarisch",
        str(questions["choice"].pk): "Inkopen",
        str(questions["yes_no"].pk): "ja",
    }
    assert OutboxMessage.objects.filter(kind="events/registration_confirmed").count() == 1

    # The same person again: refused, nothing stored.
    response = client.post("/agenda/cafe/aanmelden/", answers(questions))
    assert response.status_code == 400
    assert Registration.objects.filter(user=user).count() == 1

    client.force_login(other_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/agenda/cafe/aanmelden/", answers(questions))
    assert response.status_code == 302
    assert Registration.objects.get(user=other_user).status == RegistrationStatus.WAITING
    assert "agenda-status--waiting" in client.get(response["Location"]).content.decode()
    assert OutboxMessage.objects.filter(kind="events/waiting_list").count() == 1
    assert "agenda-status--waiting" in page(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        {"choice": ""},  # required
        {"yes_no": ""},  # required
        {"choice": "Iets anders"},  # not one of the choices
        {"yes_no": "misschien"},
        {"text": "x" * 100_000},  # 100 kB
    ],
    ids=["missing-choice", "missing-yes-no", "bad-choice", "bad-yes-no", "100kB"],
)
def test_bad_answers_are_refused_and_nothing_is_stored(client, event, questions, user, bad):
    client.force_login(user)
    response = client.post("/agenda/cafe/aanmelden/", answers(questions, **bad))
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_script_in_an_answer_is_escaped_when_shown_back(client, event, questions, user):
    client.force_login(user)
    evil = "<script>alert(1)</script>"
    # Refused (choice missing), so the text comes back in the form.
    response = client.post("/agenda/cafe/aanmelden/", answers(questions, text=evil, choice=""))
    body = response.content.decode()
    assert response.status_code == 400
    assert evil not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


@pytest.mark.django_db
def test_registration_outside_the_window(client, user):
    now = timezone.now()
    make_event(slug="later", registration_opens_at=now + timedelta(days=3))
    make_event(slug="dicht", registration_closes_at=now - timedelta(hours=1))
    make_event(slug="afgelast", state=EventState.CANCELLED)
    client.force_login(user)
    opens = timezone.localtime(now + timedelta(days=3)).strftime("%d-%m-%Y")
    response = client.post("/agenda/later/aanmelden/", {})
    assert response.status_code == 400
    assert opens in response.content.decode()
    for slug in ("dicht", "afgelast"):
        response = client.post(f"/agenda/{slug}/aanmelden/", {})
        assert response.status_code == 400
        assert "error-summary" in response.content.decode()
    assert not Registration.objects.exists()
    # The page says so instead of showing the form.
    assert 'action="/agenda/later/aanmelden/' not in page(client, "later")


@pytest.mark.django_db
def test_register_needs_login_and_post(client, event, user):
    response = client.post("/agenda/cafe/aanmelden/", {})
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert not Registration.objects.exists()
    client.force_login(user)
    assert client.get("/agenda/cafe/aanmelden/").status_code == 405
    assert client.post("/agenda/bestaat-niet/aanmelden/", {}).status_code == 404
    draft = make_event(slug="concept", state=EventState.DRAFT)
    assert client.post(f"/agenda/{draft.slug}/aanmelden/", {}).status_code == 404


# Cancelling -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cancel_own_registration_promotes_the_next(
    client, event, user, other_user, django_capture_on_commit_callbacks
):
    services.registration_create(event=event, user=user)
    services.registration_create(event=event, user=other_user)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/agenda/cafe/afmelden/")
    assert response.status_code == 302 and response["Location"] == "/agenda/cafe/"
    statuses = dict(Registration.objects.values_list("user_id", "status"))
    assert statuses == {user.pk: "cancelled", other_user.pk: "confirmed"}
    assert OutboxMessage.objects.filter(kind="events/promoted").count() == 1
    # Nothing left to cancel.
    assert client.post("/agenda/cafe/afmelden/").status_code == 404


@pytest.mark.django_db
def test_nobody_can_cancel_someone_elses_registration(client, event, user, other_user):
    services.registration_create(event=event, user=user)
    assert client.post("/agenda/cafe/afmelden/")["Location"].startswith("/account/login/")
    client.force_login(other_user)
    assert client.post("/agenda/cafe/afmelden/").status_code == 404
    assert client.get("/agenda/cafe/afmelden/").status_code == 405
    assert Registration.objects.get(user=user).status == RegistrationStatus.CONFIRMED


@pytest.mark.django_db
def test_cancel_after_the_cutoff_is_refused_with_a_message(client, user):
    event = make_event(slug="cutoff", cancellation_cutoff=timezone.now() - timedelta(hours=1))
    services.registration_create(event=event, user=user)
    client.force_login(user)
    response = client.post("/agenda/cutoff/afmelden/", follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Registration.objects.get(user=user).status == RegistrationStatus.CONFIRMED


# Mijn agenda --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_mine_lists_own_registrations_with_buttons(client, user, other_user):
    now = timezone.now()
    coming = make_event(slug="komend", title="Komend café", capacity=1)
    past = make_event(
        slug="voorbij",
        title="Voorbij college",
        starts_at=now + timedelta(minutes=1),
        ends_at=now + timedelta(hours=1),
    )
    services.registration_create(event=coming, user=other_user)
    services.registration_create(event=coming, user=user)  # waiting list
    services.registration_create(event=past, user=user)
    past.starts_at, past.ends_at = now - timedelta(days=3), now - timedelta(days=3, hours=-1)
    past.save()
    make_event(slug="andermans", title="Andermans training")
    services.registration_create(event=make_event(slug="x", title="Niet van mij"), user=other_user)

    assert client.get("/agenda/mijn/")["Location"].startswith("/account/login/")
    client.force_login(user)
    response = client.get("/agenda/mijn/")
    body = response.content.decode()
    assert [r.event.title for r in response.context["upcoming"]] == ["Komend café"]
    assert [r.event.title for r in response.context["past"]] == ["Voorbij college"]
    assert "Niet van mij" not in body
    assert 'action="/agenda/komend/afmelden/"' in body
    assert 'action="/agenda/voorbij/afmelden/"' not in body
    response = client.post("/agenda/komend/afmelden/", {"terug": "mijn"})
    assert response["Location"] == "/agenda/mijn/"
    assert Registration.objects.get(user=user, event=coming).status == "cancelled"


@pytest.mark.django_db
def test_mine_shows_an_event_once_however_often_one_cancelled_and_came_back(
    client, user, django_assert_num_queries
):
    back = make_event(slug="terug", title="Terug van weggeweest")
    gone = make_event(slug="weg", title="Toch niet")
    for _ in range(3):
        services.registration_cancel(
            registration=services.registration_create(event=back, user=user), user=user
        )
        services.registration_cancel(
            registration=services.registration_create(event=gone, user=user), user=user
        )
    services.registration_create(event=back, user=user)
    client.force_login(user)
    client.get("/agenda/mijn/")
    with django_assert_num_queries(4):  # session, user, upcoming, past
        response = client.get("/agenda/mijn/")
    rows = [(r.event.title, r.status) for r in response.context["upcoming"]]
    assert sorted(rows) == [
        ("Terug van weggeweest", RegistrationStatus.CONFIRMED),
        ("Toch niet", RegistrationStatus.CANCELLED),
    ]
    body = response.content.decode()
    assert body.count('href="/agenda/terug/"') == 1
    assert body.count('href="/agenda/weg/"') == 1
