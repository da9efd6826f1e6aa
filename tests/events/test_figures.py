"""The agenda figures for the programme monitor on a fixed dataset with known answers."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.constants import EventState, RegistrationStatus
from events.figures import attendance_rate, event_figures
from events.models import Registration
from tests.events.test_registration import make_event
from tests.factories import UserFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
Q1 = (date(2026, 1, 1), date(2026, 3, 31))
S = RegistrationStatus


def amsterdam(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def event_(type_, start, state=EventState.PUBLISHED):
    return make_event(type=type_, starts_at=start, ends_at=start + timedelta(hours=2), state=state)


def registrations(event, *statuses, promoted_at=None):
    for status in statuses:
        Registration.objects.create(
            event=event, user=UserFactory(), status=status, promoted_at=promoted_at
        )


@pytest.fixture
def dataset(db):
    cafe = event_("impactcafe", amsterdam(2026, 1, 15, 19, 0))
    registrations(cafe, S.ATTENDED, S.ATTENDED, S.NO_SHOW, S.WAITING, S.CANCELLED)
    registrations(cafe, S.CONFIRMED, promoted_at=amsterdam(2026, 1, 10, 12, 0))
    # 31 March 23:30 summer time is 21:30 UTC: still in the first quarter.
    late_cafe = event_("impactcafe", amsterdam(2026, 3, 31, 23, 30), EventState.PAST)
    registrations(late_cafe, S.ATTENDED)
    # 1 April 00:30 local (31 March 22:30 UTC) is outside; its promotion in March counts.
    april_training = event_("training", amsterdam(2026, 4, 1, 0, 30))
    registrations(april_training, S.ATTENDED, promoted_at=amsterdam(2026, 3, 20, 9, 0))
    training = event_("training", amsterdam(2026, 2, 10, 13, 0))
    registrations(training, S.CONFIRMED)
    registrations(training, S.NO_SHOW, promoted_at=amsterdam(2025, 12, 31, 23, 30))  # before
    registrations(training, S.NO_SHOW, promoted_at=amsterdam(2026, 1, 1, 0, 10))  # in
    # Drafts and cancelled events never count; nor does an event just before the period.
    registrations(event_("impactcafe", amsterdam(2026, 2, 1, 10, 0), EventState.DRAFT), S.CONFIRMED)
    registrations(
        event_("avondcollege", amsterdam(2026, 2, 1, 19, 0), EventState.CANCELLED), S.CANCELLED
    )
    registrations(event_("impactcafe", amsterdam(2025, 12, 31, 23, 59)), S.ATTENDED, S.NO_SHOW)


def test_every_figure_of_the_first_quarter(dataset):
    figures = event_figures(*Q1)
    assert (figures["start"], figures["end"]) == Q1
    assert figures["per_type"] == {
        "impactcafe": {
            "events": 2,
            "registrations": 6,
            "cancelled": 1,
            "attended": 3,
            "no_show": 1,
            "promotions": 1,
            "attendance_rate": 75,
        },
        "training": {
            "events": 1,
            "registrations": 3,
            "cancelled": 0,
            "attended": 0,
            "no_show": 2,
            "promotions": 2,
            "attendance_rate": 0,
        },
    }
    assert figures["total"] == {
        "events": 3,
        "registrations": 9,
        "cancelled": 1,
        "attended": 3,
        "no_show": 3,
        "promotions": 3,
        "attendance_rate": 50,
    }


def test_april_holds_the_late_training_only(dataset):
    figures = event_figures(date(2026, 4, 1), date(2026, 4, 30))
    assert figures["per_type"] == {
        "training": {
            "events": 1,
            "registrations": 1,
            "cancelled": 0,
            "attended": 1,
            "no_show": 0,
            "promotions": 0,
            "attendance_rate": 100,
        }
    }


def test_one_query_per_figure(dataset):
    with CaptureQueriesContext(connection) as queries:
        event_figures(*Q1)
    assert len(queries) == 3


@pytest.mark.django_db
def test_an_empty_period():
    assert event_figures(*Q1)["per_type"] == {}
    assert event_figures(*Q1)["total"] == {
        "events": 0,
        "registrations": 0,
        "cancelled": 0,
        "attended": 0,
        "no_show": 0,
        "promotions": 0,
        "attendance_rate": None,
    }


def test_attendance_rate():
    assert attendance_rate(0, 0) is None
    assert attendance_rate(2, 1) == 67
    assert attendance_rate(0, 4) == 0
