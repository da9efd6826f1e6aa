"""The coordinator's agenda admin: publish/cancel through the services, creating a
series across the change of the clocks, who may get in, and a pinned query count."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from events.constants import EventState, QuestionKind, RegistrationStatus
from events.models import Event, Registration, RegistrationQuestion
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from tests.events.test_registration import make_event
from tests.factories import UserFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
EVENTS = "/beheer/events/event/"
REGISTRATIONS = "/beheer/events/registration/"
# Admin overhead (session, user, permissions, counts, date hierarchy) plus ONE query for
# the page of events with their confirmed and waiting counts annotated; independent of
# the number of events and registrations.
CHANGELIST_QUERIES = 11


def amsterdam(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def action(client, name, objects, **extra):
    return client.post(
        EVENTS, {"action": name, "_selected_action": [obj.pk for obj in objects], **extra}
    )


def register(event, status=RegistrationStatus.CONFIRMED):
    return Registration.objects.create(event=event, user=UserFactory(), status=status)


@pytest.fixture
def coordinator(db):
    # The coordinator's events permissions come from ROLE_PERMISSIONS; no superuser.
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


# Publish and cancel ---------------------------------------------------------------------


@pytest.mark.django_db
def test_publish_action_goes_through_the_service(coordinator_client, coordinator):
    draft = make_event(state=EventState.DRAFT)
    cancelled = make_event(state=EventState.CANCELLED)
    response = action(coordinator_client, "publish", [draft, cancelled])
    assert response.status_code == 302
    draft.refresh_from_db()
    cancelled.refresh_from_db()
    assert draft.state == EventState.PUBLISHED
    assert cancelled.state == EventState.CANCELLED  # not allowed: reported, unchanged
    entry = AuditLogEntry.objects.get(action="event.state_changed")
    assert entry.object_id == str(draft.pk) and entry.actor == coordinator
    assert entry.changes == {"state": ["draft", "published"]}


@pytest.mark.django_db
def test_cancel_asks_first_then_tells_everyone_registered(coordinator_client):
    event = make_event()
    confirmed, waiting = register(event), register(event, RegistrationStatus.WAITING)
    register(event, RegistrationStatus.CANCELLED)
    page = action(coordinator_client, "cancel", [event])
    assert page.status_code == 200 and "Ja, annuleren" in page.content.decode()
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED and not OutboxMessage.objects.exists()

    done = action(coordinator_client, "cancel", [event], apply="1")
    assert done.status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED
    told = OutboxMessage.objects.filter(kind="events/event_cancelled")
    assert set(told.values_list("recipient", flat=True)) == {
        confirmed.user.email,
        waiting.user.email,
    }


# Series ---------------------------------------------------------------------------------


def _evening_event(start, **values):
    event = make_event(
        slug="avondcollege-circulair",
        type="avondcollege",
        title="Avondcollege circulair ondernemen",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        registration_closes_at=start - timedelta(days=1),
        capacity=40,
        **values,
    )
    RegistrationQuestion.objects.create(event=event, position=1, label="Organisatie")
    RegistrationQuestion.objects.create(
        event=event, position=2, label="Lunch", kind=QuestionKind.YES_NO, required=True
    )
    return event


@pytest.mark.django_db
def test_weekly_series_keeps_1930_local_across_the_clock_change(coordinator_client, coordinator):
    # Tuesday 13 October 2026, 19:30 summer time; the clocks go back on 25 October.
    event = _evening_event(amsterdam(2026, 10, 13, 19, 30))
    organiser = UserFactory()
    event.organisers.add(organiser)
    form = action(coordinator_client, "create_series", [event])
    assert form.status_code == 200 and "form" in form.context
    assert Event.objects.count() == 1

    done = action(coordinator_client, "create_series", [event], apply="1", every="week", count=4)
    assert done.status_code == 302
    copies = list(Event.objects.exclude(pk=event.pk).order_by("starts_at"))
    assert [c.slug for c in copies] == [
        "avondcollege-circulair-2026-10-20",
        "avondcollege-circulair-2026-10-27",
        "avondcollege-circulair-2026-11-03",
        "avondcollege-circulair-2026-11-10",
    ]
    local = [c.starts_at.astimezone(AMSTERDAM) for c in copies]
    assert [(d.date().isoformat(), d.hour, d.minute) for d in local] == [
        ("2026-10-20", 19, 30),
        ("2026-10-27", 19, 30),
        ("2026-11-03", 19, 30),
        ("2026-11-10", 19, 30),
    ]
    # In UTC the first copy is 17:30 (summer time), the others 18:30 (winter time).
    assert [c.starts_at.astimezone(ZoneInfo("UTC")).hour for c in copies] == [17, 18, 18, 18]
    for copy in copies:
        assert copy.state == EventState.DRAFT
        assert copy.ends_at.astimezone(AMSTERDAM).strftime("%H:%M") == "21:30"
        closes = copy.registration_closes_at.astimezone(AMSTERDAM)
        assert closes.strftime("%H:%M") == "19:30"
        assert closes.date() == copy.starts_at.astimezone(AMSTERDAM).date() - timedelta(days=1)
        assert copy.capacity == 40 and copy.title == event.title
        assert list(copy.questions.values_list("position", "label", "kind", "required")) == [
            (1, "Organisatie", "text", False),
            (2, "Lunch", "yes_no", True),
        ]
        assert list(copy.organisers.all()) == [organiser]
        assert copy.reminder_sent_at is None
    assert RegistrationQuestion.objects.filter(event=event).count() == 2  # original untouched
    assert AuditLogEntry.objects.filter(action="event.created").count() == 4
    series = AuditLogEntry.objects.get(action="event.series_created")
    assert series.object_id == str(event.pk) and series.actor == coordinator
    assert series.data["count"] == 4 and series.data["every"] == "week"


@pytest.mark.django_db
def test_monthly_series_into_summer_time_and_short_months(coordinator_client):
    event = _evening_event(amsterdam(2026, 1, 31, 19, 30))
    action(coordinator_client, "create_series", [event], apply="1", every="month", count=3)
    copies = Event.objects.exclude(pk=event.pk).order_by("starts_at")
    local = [c.starts_at.astimezone(AMSTERDAM) for c in copies]
    assert [d.strftime("%Y-%m-%d %H:%M") for d in local] == [
        "2026-02-28 19:30",
        "2026-03-31 19:30",  # after the clocks went forward on 29 March
        "2026-04-30 19:30",
    ]
    assert [c.starts_at.astimezone(ZoneInfo("UTC")).hour for c in copies] == [18, 17, 17]


@pytest.mark.django_db
@pytest.mark.parametrize("count", ["0", "53", "-1", "veel"])
def test_series_refuses_bad_counts(coordinator_client, count):
    event = _evening_event(amsterdam(2026, 10, 13, 19, 30))
    response = action(
        coordinator_client, "create_series", [event], apply="1", every="week", count=count
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_series_of_52_and_of_a_copy_has_unique_slugs(coordinator_client):
    event = _evening_event(amsterdam(2026, 10, 13, 19, 30))
    action(coordinator_client, "create_series", [event], apply="1", every="week", count=52)
    assert Event.objects.filter(state=EventState.DRAFT).count() == 52
    first_copy = Event.objects.get(slug="avondcollege-circulair-2026-10-20")
    # Repeating the first copy weekly lands on dates that already have a copy.
    action(coordinator_client, "create_series", [first_copy], apply="1", every="week", count=1)
    assert Event.objects.filter(slug="avondcollege-circulair-2026-10-27-2").exists()


@pytest.mark.django_db
def test_series_needs_exactly_one_event(coordinator_client):
    a, b = make_event(), make_event()
    response = action(coordinator_client, "create_series", [a, b], every="week", count=2)
    assert response.status_code == 302
    assert Event.objects.count() == 2


# Pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_changelist_counts_and_constant_queries(coordinator_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = coordinator_client.get(EVENTS)
        assert response.status_code == 200
        return len(captured), response

    first = make_event(capacity=2)
    for status in ("confirmed", "attended", "waiting", "waiting", "cancelled"):
        register(first, status)
    make_event()
    few, response = queries()
    rows = {e.pk: (e.confirmed_total, e.waiting_total) for e in response.context["cl"].result_list}
    assert rows[first.pk] == (2, 2)
    for _ in range(10):
        register(make_event(), "confirmed")
    many, _response = queries()
    assert few == many == CHANGELIST_QUERIES, (few, many)


def _change_form_data(page):
    """The change form as the browser would post it back, management forms included."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(form.fields[name], forms.FileField):
            continue  # a browser posts no file when none is chosen
        if isinstance(value, datetime):
            local = value.astimezone(AMSTERDAM)
            data[f"{name}_0"], data[f"{name}_1"] = f"{local:%d-%m-%Y}", f"{local:%H:%M:%S}"
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = value
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
    return data


@pytest.mark.django_db
def test_change_page_adds_a_question_and_audits(coordinator_client, coordinator):
    start = amsterdam(2026, 12, 7, 10, 0)
    event = make_event(
        state=EventState.DRAFT, capacity=20, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    url = f"{EVENTS}{event.pk}/change/"
    page = coordinator_client.get(url)
    assert page.status_code == 200
    data = _change_form_data(page)
    data.update(
        {
            "capacity": "25",
            "questions-TOTAL_FORMS": "1",
            "questions-0-position": "1",
            "questions-0-label": "Dieetwensen",
            "questions-0-kind": "text",
            "questions-0-choices": "",
        }
    )
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    event.refresh_from_db()
    assert event.capacity == 25 and event.state == EventState.DRAFT
    assert list(event.questions.values_list("label", flat=True)) == ["Dieetwensen"]
    entry = AuditLogEntry.objects.get(action="event.changed")
    assert entry.changes == {"capacity": [20, 25]} and entry.actor == coordinator


@pytest.mark.django_db
def test_registration_admin_is_read_only(coordinator_client):
    registration = register(make_event())
    page = coordinator_client.get(f"{REGISTRATIONS}{registration.pk}/change/")
    assert page.status_code == 200
    posted = coordinator_client.post(
        f"{REGISTRATIONS}{registration.pk}/change/", {"status": "cancelled"}
    )
    assert posted.status_code == 403
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    assert coordinator_client.get(f"{REGISTRATIONS}add/").status_code == 403


@pytest.mark.django_db
def test_account_managers_are_refused(client):
    event = make_event(state=EventState.DRAFT)
    client.force_login(UserFactory(roles=[Role.ACCOUNT_MANAGER], staff=True, totp=True))
    for page in (EVENTS, f"{EVENTS}{event.pk}/change/", REGISTRATIONS):
        assert client.get(page).status_code == 403, page
    assert action(client, "publish", [event]).status_code == 403
    assert (
        action(client, "create_series", [event], apply="1", every="week", count=2).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.state == EventState.DRAFT and Event.objects.count() == 1


@pytest.mark.django_db
def test_entrepreneurs_are_kept_out(client):
    event = make_event()
    client.force_login(UserFactory(roles=[Role.ENTREPRENEUR]))
    response = client.get(EVENTS)
    assert response.status_code == 302 and response["Location"].startswith("/beheer/login/")
    assert action(client, "cancel", [event], apply="1").status_code == 302
    event.refresh_from_db()
    assert event.state == EventState.PUBLISHED


@pytest.mark.django_db
def test_changelist_links_to_the_organiser_pages(coordinator_client):
    event = make_event(slug="inkoop-meets-impact")
    html = coordinator_client.get(EVENTS).content.decode()
    for suffix in ("", "inchecken/", "export.csv", "bericht/"):
        assert f'href="/agenda/organisator/inkoop-meets-impact/{suffix}"' in html
    assert event.pk
