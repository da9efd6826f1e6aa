"""iCalendar (RFC 5545) for events: the attachment of a confirmation and the feeds.

Times are written with their Europe/Amsterdam time zone (icalendar adds the VTIMEZONE),
so calendars show the right hour on both sides of the change to and from summer time.
"""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as VEvent

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Gemeente Groningen//Impactportaal//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    return calendar


def _vevent(event, *, with_online_link: bool) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", f"{event.uuid}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}")
    vevent.add("summary", event.title)
    vevent.add("dtstart", event.starts_at.astimezone(AMSTERDAM))
    vevent.add("dtend", event.ends_at.astimezone(AMSTERDAM))
    vevent.add("dtstamp", timezone.now())
    description = event.description
    if with_online_link and event.online_link:
        description = f"{description}\n\n{event.online_link}"
    vevent.add("description", description)
    location = ", ".join(part for part in (event.venue, event.address) if part)
    if location:
        vevent.add("location", location)
    vevent.add("status", "CANCELLED" if event.state == "cancelled" else "CONFIRMED")
    return vevent


def event_ics(event) -> bytes:
    """One event for someone with a confirmed place (the online link included)."""
    calendar = _calendar(event.title)
    calendar.add_component(_vevent(event, with_online_link=True))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_ics(events: Iterable, *, name: str) -> bytes:
    """A public feed: never the online link, which only registered people get."""
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_vevent(event, with_online_link=False))
    calendar.add_missing_timezones()
    return calendar.to_ical()
