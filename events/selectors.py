"""Reads of the agenda, with the joins each page needs (query counts are pinned).

What the public sees is decided here: published events that have not ended yet in the
list, published/past/cancelled ones on the month calendar and on their own page. The
number of places taken is annotated in the same query as the events, never per row.
Who may run an event (``may_organise``) is decided here too.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, When
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.roles import Role

from .constants import SEAT_HOLDING, EventState, RegistrationStatus
from .models import Event, Registration

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FEED_PAST_DAYS = 30
# Registrations that give access to the online link and the address.
DETAILS_FOR = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED})
LIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING)


def with_places(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """``seats_taken`` and ``places_left`` (None without a capacity) in the same query."""
    return queryset.annotate(
        seats_taken=Count("registrations", filter=Q(registrations__status__in=SEAT_HOLDING))
    ).annotate(
        places_left=Case(
            When(capacity__isnull=True, then=None),
            default=Greatest(F("capacity") - F("seats_taken"), 0),
            output_field=IntegerField(),
        )
    )


def upcoming_events(now: datetime | None = None) -> QuerySet[Event]:
    """The public list: published events that have not ended yet."""
    now = now or timezone.now()
    return with_places(Event.objects.filter(state=EventState.PUBLISHED, ends_at__gt=now)).order_by(
        "starts_at", "pk"
    )


def calendar_events() -> QuerySet[Event]:
    """What the month calendar may show: no drafts (cancelled ones are marked)."""
    return with_places(
        Event.objects.filter(
            state__in=[EventState.PUBLISHED, EventState.PAST, EventState.CANCELLED]
        )
    ).order_by("starts_at", "pk")


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The first moment of the month and of the next one, in Europe/Amsterdam."""
    start = datetime(year, month, 1, tzinfo=AMSTERDAM)
    following = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=AMSTERDAM)
    return start, following


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    events: list = field(default_factory=list)


def month_weeks(events: QuerySet[Event], year: int, month: int) -> list[list[Day]]:
    """Weeks × days (Monday first) with each event in the cell of its (Amsterdam) start day."""
    start, following = month_bounds(year, month)
    today = timezone.localdate()
    weeks = [
        [Day(day, day.month == month, day == today) for day in week]
        for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(year, month)
    ]
    cells = {day.date: day for week in weeks for day in week}
    for event in events.filter(starts_at__gte=start, starts_at__lt=following):
        cells[event.starts_at.astimezone(AMSTERDAM).date()].events.append(event)
    return weeks


def event_detail(slug: str) -> Event | None:
    """One event with its places and questions (2 queries); drafts included, the view decides."""
    return with_places(Event.objects.filter(slug=slug)).prefetch_related("questions").first()


def registration_of(user, event: Event) -> Registration | None:
    """The user's live (confirmed, waiting, attended...) registration, if any."""
    if not (user and user.is_authenticated):
        return None
    return (
        Registration.objects.filter(event=event, user=user)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )


def may_organise(user, event: Event) -> bool:
    """The coordinator, or one of the event's organisers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    return event.organisers.filter(pk=user.pk).exists()


def may_see_details(registration: Registration | None) -> bool:
    """The online link and the address: only for a confirmed place (or having attended)."""
    return registration is not None and registration.status in DETAILS_FOR


def registrations_of(user, now: datetime | None = None) -> dict:
    """'Mijn agenda': the user's registrations, upcoming and past, one per event: the
    live one, or the last cancelled one when none is live (someone who cancelled and
    registered again sees the event once, with where they stand now)."""
    now = now or timezone.now()
    current = (
        Registration.objects.filter(user=user)
        .order_by(
            "event_id",
            Case(When(status=RegistrationStatus.CANCELLED, then=1), default=0),
            "-created_at",
            "-pk",
        )
        .distinct("event_id")
        .values("pk")
    )
    registrations = Registration.objects.filter(pk__in=current).select_related("event")
    return {
        "upcoming": list(
            registrations.filter(event__ends_at__gt=now).order_by("event__starts_at", "pk")
        ),
        "past": list(
            registrations.filter(event__ends_at__lte=now).order_by("-event__starts_at", "-pk")
        ),
    }


def feed_events(event_type: str | None = None, now: datetime | None = None) -> QuerySet[Event]:
    """The iCal feed: upcoming and the last 30 days (cancelled ones too, so subscribed
    calendars learn of the cancellation)."""
    now = now or timezone.now()
    events = Event.objects.filter(
        state__in=[EventState.PUBLISHED, EventState.PAST, EventState.CANCELLED],
        ends_at__gte=now - timedelta(days=FEED_PAST_DAYS),
    ).order_by("starts_at", "pk")
    if event_type:
        events = events.filter(type=event_type)
    return events


def registration_window(event: Event, now: datetime | None = None) -> str:
    """'open', 'not_open_yet', 'closed' or 'unavailable' (not published or started);
    the service checks again when someone registers."""
    now = now or timezone.now()
    if event.state != EventState.PUBLISHED or now >= event.starts_at:
        return "unavailable"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_open_yet"
    if event.registration_closes_at and now >= event.registration_closes_at:
        return "closed"
    return "open"
