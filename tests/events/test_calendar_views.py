"""The public agenda: the list, filters, the month calendar, an event's page and its
JSON-LD, the iCal feeds, pinned query counts."""

import json
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext, override

from accounts.roles import Role
from events import services
from events.constants import EventState, QuestionKind, RegistrationStatus
from events.models import Registration, RegistrationQuestion
from tests.events.test_registration import make_event
from tests.factories import UserFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
AGENDA = "/agenda/"
SECRET_LINK = "https://meet.example.nl/geheim-123"
SECRET_ADDRESS = "Geheimstraat 7, Groningen"


def list_titles(client, **params):
    response = client.get(AGENDA, params)
    assert response.status_code == 200
    return [event.title for event in response.context["page"].object_list]


def month_titles(client, year, month, **params):
    response = client.get(f"/agenda/maand/{year}/{month}/", params)
    assert response.status_code == 200
    return {
        day.date: [event.title for event in day.events]
        for week in response.context["weeks"]
        for day in week
        if day.events
    }


def fill(event, count, status=RegistrationStatus.CONFIRMED):
    for user in UserFactory.create_batch(count):
        Registration.objects.create(event=event, user=user, status=status)


# The list ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_only_published_upcoming_events(client):
    now = timezone.now()
    make_event(title="Gepubliceerd", slug="gepubliceerd")
    make_event(title="Concept", slug="concept", state=EventState.DRAFT)
    make_event(title="Afgelast", slug="afgelast", state=EventState.CANCELLED)
    make_event(
        title="Voorbij",
        slug="voorbij",
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=2),
    )
    make_event(title="Afgerond", slug="afgerond", state=EventState.PAST)
    make_event(
        title="Bezig",
        slug="bezig",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=1),
    )
    assert list_titles(client) == ["Bezig", "Gepubliceerd"]
    page = client.get(AGENDA).content.decode()
    assert "Concept" not in page and "Afgelast" not in page
    # A draft is 404, a cancelled event has its page with a clear notice.
    assert client.get("/agenda/concept/").status_code == 404
    response = client.get("/agenda/afgelast/")
    assert response.status_code == 200
    with override("nl"):
        notice = gettext("This event does not take place: it has been cancelled.")
    assert notice in response.content.decode()
    data = json_ld(response)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"


@pytest.mark.django_db
def test_a_draft_is_visible_to_its_organisers_and_the_coordinator_only(client, user):
    event = make_event(slug="concept", state=EventState.DRAFT)
    organiser = UserFactory(roles=[Role.ENTREPRENEUR])
    event.organisers.add(organiser)
    others = [
        user,
        UserFactory(roles=[Role.ACCOUNT_MANAGER], totp=True),
        UserFactory(roles=[Role.DIRECTORATE_CONTACT], totp=True),
    ]
    for other in others:
        client.force_login(other)
        assert client.get("/agenda/concept/").status_code == 404, other
        assert client.post("/agenda/concept/aanmelden/").status_code == 404, other
    for allowed in (organiser, UserFactory(roles=[Role.COORDINATOR], totp=True)):
        client.force_login(allowed)
        assert client.get("/agenda/concept/").status_code == 200, allowed
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_filters_by_type_and_online(client):
    make_event(title="Training online", type="training", online_link=SECRET_LINK, venue="")
    make_event(title="Café fysiek", type="impactcafe")
    make_event(title="College fysiek", type="avondcollege")
    assert list_titles(client, soort="training") == ["Training online"]
    assert list_titles(client, vorm="online") == ["Training online"]
    assert set(list_titles(client, vorm="fysiek")) == {"Café fysiek", "College fysiek"}
    assert list_titles(client, soort="impactcafe", vorm="online") == []
    # Nonsense gives the error summary and no rows, not a crash.
    response = client.get(AGENDA, {"soort": "<script>x</script>", "vorm": "vliegend"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body and "<script>x</script>" not in body
    assert list(response.context["page"].object_list) == []


@pytest.mark.django_db
def test_has_places_filter_and_places_left(client):
    full = make_event(title="Vol", capacity=2)
    almost = make_event(title="Bijna vol", capacity=3)
    make_event(title="Onbeperkt", capacity=None)
    fill(full, 2)
    fill(full, 1, RegistrationStatus.WAITING)
    fill(almost, 2)
    fill(almost, 4, RegistrationStatus.CANCELLED)  # cancelled ones free their place
    assert set(list_titles(client)) == {"Vol", "Bijna vol", "Onbeperkt"}
    assert set(list_titles(client, plek="on")) == {"Bijna vol", "Onbeperkt"}
    rows = {e.title: e.places_left for e in client.get(AGENDA).context["page"].object_list}
    assert rows == {"Vol": 0, "Bijna vol": 1, "Onbeperkt": None}


@pytest.mark.django_db
def test_list_is_paginated(client):
    for number in range(23):
        make_event(
            title=f"Event {number}",
            starts_at=timezone.now() + timedelta(days=number + 1),
            ends_at=timezone.now() + timedelta(days=number + 1, hours=2),
        )
    assert len(list_titles(client)) == 20
    assert list_titles(client, pagina=2) == ["Event 20", "Event 21", "Event 22"]


# The month calendar ------------------------------------------------------------------------


@pytest.mark.django_db
def test_month_uses_amsterdam_dates(client):
    # 23:30 on 31 March in Groningen is 21:30 UTC: March, not April.
    late = datetime(2030, 3, 31, 23, 30, tzinfo=AMSTERDAM)
    make_event(title="Laat in maart", starts_at=late, ends_at=late + timedelta(hours=1))
    # 00:30 on 1 March in Groningen is 23:30 UTC on 28 February: March, not February.
    early = datetime(2030, 3, 1, 0, 30, tzinfo=AMSTERDAM)
    make_event(title="Vroeg in maart", starts_at=early, ends_at=early + timedelta(hours=1))
    make_event(
        title="Concept", state=EventState.DRAFT, starts_at=late, ends_at=late + timedelta(hours=1)
    )
    march = month_titles(client, 2030, 3)
    assert march == {
        date(2030, 3, 1): ["Vroeg in maart"],
        date(2030, 3, 31): ["Laat in maart"],
    }
    assert month_titles(client, 2030, 4) == {}
    assert month_titles(client, 2030, 2) == {}
    response = client.get("/agenda/maand/2030/3/")
    weeks = response.context["weeks"]
    assert all(len(week) == 7 for week in weeks)
    assert all(week[0].date.weekday() == 0 for week in weeks)  # Monday first
    body = response.content.decode()
    assert 'href="/agenda/maand/2030/2/"' in body and 'href="/agenda/maand/2030/4/"' in body


@pytest.mark.django_db
def test_month_marks_cancelled_events_and_applies_filters(client):
    day = datetime(2030, 12, 31, 10, 0, tzinfo=AMSTERDAM)
    make_event(
        title="Afgelast",
        state=EventState.CANCELLED,
        starts_at=day,
        ends_at=day + timedelta(hours=1),
    )
    make_event(title="Training", type="training", starts_at=day, ends_at=day + timedelta(hours=1))
    assert month_titles(client, 2030, 12) == {day.date(): ["Afgelast", "Training"]}
    assert month_titles(client, 2030, 12, soort="training") == {day.date(): ["Training"]}
    body = client.get("/agenda/maand/2030/12/").content.decode()
    assert "agenda-day__event--cancelled" in body
    assert 'href="/agenda/maand/2031/1/"' in body


@pytest.mark.django_db
def test_impossible_months_are_404(client):
    for path in ("2030/13", "2030/0", "0/1", "99999/1"):
        assert client.get(f"/agenda/maand/{path}/").status_code == 404, path


# An event's page and its JSON-LD -----------------------------------------------------------


def json_ld(response):
    match = re.search(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match
    return json.loads(match.group(1))


@pytest.mark.django_db
def test_json_ld_is_valid_and_has_no_online_link(client):
    start = datetime(2030, 6, 1, 14, 0, tzinfo=AMSTERDAM)
    make_event(
        slug="hybride",
        title='Impact </script><script>alert("x")</script> & meer',
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        online_link=SECRET_LINK,
        address=SECRET_ADDRESS,
        organiser="Gemeente Groningen",
    )
    response = client.get("/agenda/hybride/")
    body = response.content.decode()
    assert SECRET_LINK not in body
    assert SECRET_ADDRESS in body  # where it is, is public; the link is not
    assert '<script>alert("x")' not in body
    data = json_ld(response)
    assert data["@type"] == "Event"
    assert data["name"] == 'Impact </script><script>alert("x")</script> & meer'
    assert data["startDate"] == "2030-06-01T14:00:00+02:00"
    assert data["endDate"] == "2030-06-01T16:00:00+02:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    types = {location["@type"] for location in data["location"]}
    assert types == {"Place", "VirtualLocation"}
    assert data["organizer"]["name"] == "Gemeente Groningen"
    assert SECRET_LINK not in json.dumps(data)


@pytest.mark.django_db
def test_json_ld_attendance_modes(client):
    winter = datetime(2030, 1, 10, 19, 0, tzinfo=AMSTERDAM)
    make_event(
        slug="online",
        venue="",
        address="",
        online_link=SECRET_LINK,
        starts_at=winter,
        ends_at=winter + timedelta(hours=1),
    )
    make_event(slug="fysiek")
    online = json_ld(client.get("/agenda/online/"))
    assert online["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert online["location"] == {"@type": "VirtualLocation", "name": online["location"]["name"]}
    assert online["startDate"] == "2030-01-10T19:00:00+01:00"
    physical = json_ld(client.get("/agenda/fysiek/"))
    assert physical["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert physical["location"]["@type"] == "Place"


# Feeds --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_feed_is_valid_ical_without_drafts_or_online_links(client):
    now = timezone.now()
    make_event(title="Komend", type="training", online_link=SECRET_LINK)
    make_event(
        title="Vorige week",
        starts_at=now - timedelta(days=7),
        ends_at=now - timedelta(days=7) + timedelta(hours=2),
        state=EventState.PAST,
    )
    make_event(
        title="Lang geleden",
        starts_at=now - timedelta(days=60),
        ends_at=now - timedelta(days=60) + timedelta(hours=2),
        state=EventState.PAST,
    )
    make_event(title="Concept", state=EventState.DRAFT)
    response = client.get("/agenda/feed.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    summaries = {str(e["summary"]) for e in calendar.walk("VEVENT")}
    assert summaries == {"Komend", "Vorige week"}
    assert SECRET_LINK.encode() not in response.content


@pytest.mark.django_db
def test_feed_per_type(client):
    make_event(title="Training", type="training")
    make_event(title="Café", type="impactcafe")
    response = client.get("/agenda/feed/training.ics")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == ["Training"]
    empty = icalendar.Calendar.from_ical(client.get("/agenda/feed/impact-day.ics").content)
    assert empty.walk("VEVENT") == []
    assert client.get("/agenda/feed/bestaat-niet.ics").status_code == 404


# Pinned query counts --------------------------------------------------------------------------


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


# Measured; a change here means a page started querying per row (or got cheaper: lower it).
# The list, anonymous: the count for the paginator, the page's events with their places.
LIST_QUERIES = 2
# An event's page for a logged-in user: session, user, the event with its places, its
# questions, the user's registration.
DETAIL_QUERIES = 5


@pytest.mark.django_db
def test_list_query_count_is_constant(client):
    for _ in range(2):
        fill(make_event(capacity=10), 3)
    assert count_queries(client, AGENDA) == LIST_QUERIES
    for _ in range(18):
        fill(make_event(capacity=10), 3)
    assert count_queries(client, AGENDA) == LIST_QUERIES
    assert count_queries(client, f"{AGENDA}?plek=on&vorm=fysiek") == LIST_QUERIES


@pytest.mark.django_db
def test_detail_query_count_is_constant(client, user):
    event = make_event(slug="vragen", capacity=30)
    for position, kind in enumerate(QuestionKind):
        RegistrationQuestion.objects.create(
            event=event, position=position, label=f"Vraag {position}", kind=kind, choices="a\nb"
        )
    fill(event, 2)
    client.force_login(user)
    services.registration_create(event=event, user=user, answers={})
    assert count_queries(client, "/agenda/vragen/") == DETAIL_QUERIES
    fill(event, 18)
    assert count_queries(client, "/agenda/vragen/") == DETAIL_QUERIES
    client.logout()
    assert count_queries(client, "/agenda/vragen/") == 2


@pytest.mark.django_db
def test_theme_filter_lists_only_events_on_that_theme(client):
    start = timezone.now() + timedelta(days=3)
    make_event(
        slug="inkoop",
        title="Inkoop Meets Impact",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        themes=["inkoop", "social-return"],
    )
    make_event(
        slug="circulair",
        title="Circulair café",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        themes=["circulair"],
    )
    page = client.get("/agenda/", {"thema": "social-return"}).content.decode()
    assert "Inkoop Meets Impact" in page and "Circulair café" not in page
    detail = client.get("/agenda/inkoop/").content.decode()
    assert "social return" in detail.lower()
    # An unknown theme is no filter error to shout about: the calendar shows everything.
    response = client.get("/agenda/", {"thema": "<script>"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main", 1)[1]
