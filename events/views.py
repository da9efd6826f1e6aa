"""Public pages of the agenda: the list, the month calendar, an event's page with the
registration form, 'Mijn agenda' and the iCal feeds.

Reads go through events.selectors, writes through events.services. Drafts are 404 for
everyone but staff. The online link is shown only to people with a confirmed place
(selectors.may_see_details); never in the JSON-LD or the feeds. The venue and its
address are public: people decide whether to come by where it is.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from impactportal.storage import serve_private_image

from . import selectors, services
from .constants import EventState, EventType, RegistrationStatus
from .filters import EventFilter
from .forms import RegistrationForm
from .ical import feed_ics
from .selectors import may_organise

PAGE_SIZE = 20
MIN_YEAR, MAX_YEAR = 2000, 2100
# What |json_script escapes, so the JSON cannot close its <script> element early.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _filtered(request, queryset):
    """The filter form and the events it leaves (none while the form has errors)."""
    data = request.GET if any(k != "pagina" for k in request.GET) else None
    event_filter = EventFilter(data, queryset=queryset)
    valid = data is None or event_filter.is_valid()
    events = event_filter.qs if valid else queryset.none()
    query = request.GET.copy()
    query.pop("pagina", None)
    return event_filter.form, events, data is not None, query.urlencode()


# The list and the month calendar ---------------------------------------------------------


@require_GET
def index(request):
    form, events, filtered, query_string = _filtered(request, selectors.upcoming_events())
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("pagina"))
    today = timezone.localdate()
    return render(
        request,
        "events/index.html",
        {
            "filter_form": form,
            "filtered": filtered,
            "page": page,
            "query_string": query_string,
            "this_month": today,
        },
    )


@require_GET
def month(request, year, month):
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        raise Http404
    form, events, filtered, query_string = _filtered(request, selectors.calendar_events())
    first = date(year, month, 1)
    previous = date(year - 1, 12, 1) if month == 1 else date(year, month - 1, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return render(
        request,
        "events/month.html",
        {
            "filter_form": form,
            "filtered": filtered,
            "query_string": query_string,
            "first": first,
            "weeks": selectors.month_weeks(events, year, month),
            "previous": previous if previous.year >= MIN_YEAR else None,
            "following": following if following.year <= MAX_YEAR else None,
        },
    )


# An event --------------------------------------------------------------------------------


def _visible_event(request, slug):
    """The event, for whoever may see it: a draft only for its organisers and the
    coordinator (404 for everyone else, staff of other desks included)."""
    event = selectors.event_detail(slug)
    if event is None or (event.state == EventState.DRAFT and not may_organise(request.user, event)):
        raise Http404
    return event


def _attendance_mode(event) -> str:
    online, physical = bool(event.online_link), bool(event.venue or event.address)
    if online and physical:
        return "https://schema.org/MixedEventAttendanceMode"
    if online:
        return "https://schema.org/OnlineEventAttendanceMode"
    return "https://schema.org/OfflineEventAttendanceMode"


def json_ld(request, event) -> str:
    """schema.org Event for search engines; never the online link."""
    locations = []
    if event.online_link:
        locations.append({"@type": "VirtualLocation", "name": _("Online")})
    if event.venue or event.address:
        place = {"@type": "Place", "name": event.venue or _("On location")}
        if event.address:
            place["address"] = event.address
        locations.append(place)
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.description,
        "url": request.build_absolute_uri(reverse("events:detail", args=[event.slug])),
        "startDate": timezone.localtime(event.starts_at).isoformat(),
        "endDate": timezone.localtime(event.ends_at).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled"
        if event.state == EventState.CANCELLED
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": _attendance_mode(event),
    }
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
    if event.organiser:
        data["organizer"] = {"@type": "Organization", "name": event.organiser}
    # Escaped as |json_script does: no "</script>" can end the element early.
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))  # noqa: S308 (escaped above)


def _event_page(request, event, *, form=None, status=200):
    registration = selectors.registration_of(request.user, event)
    window = selectors.registration_window(event)
    if form is None and request.user.is_authenticated and registration is None:
        form = RegistrationForm(questions=event.questions.all())
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "registration": registration,
            "show_details": selectors.may_see_details(registration),
            "window": window,
            "form": form if window == "open" or (form and form.is_bound) else None,
            "json_ld": json_ld(request, event),
            "login_url": f"{reverse('account_login')}?{urlencode({'next': event_url(event)})}",
        },
        status=status,
    )


def event_url(event) -> str:
    return reverse("events:detail", args=[event.slug])


@require_GET
def detail(request, slug):
    return _event_page(request, _visible_event(request, slug))


@require_GET
def image(request, slug):
    """The event's image, for whoever may see the event (404 for drafts)."""
    return serve_private_image(_visible_event(request, slug).image)


@login_required
@require_POST
def register(request, slug):
    event = _visible_event(request, slug)
    form = RegistrationForm(request.POST, questions=event.questions.all())
    if form.is_valid():
        try:
            registration = services.registration_create(
                event=event, user=request.user, answers=form.answers()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if registration.status == RegistrationStatus.WAITING:
                messages.success(
                    request,
                    _(
                        "The event is full. You are on the waiting list; we e-mail you "
                        "when a place becomes free."
                    ),
                )
            else:
                messages.success(
                    request, _("You are registered. The confirmation is on its way by e-mail.")
                )
            return redirect(event_url(event))
    return _event_page(request, event, form=form, status=400)


@login_required
@require_POST
def cancel(request, slug):
    """Cancel one's own registration or leave the waiting list (only one's own: the
    registration is looked up by the logged-in user, so there is nobody else's to name)."""
    event = _visible_event(request, slug)
    registration = selectors.registration_of(request.user, event)
    if registration is None:
        raise Http404
    was_waiting = registration.status == RegistrationStatus.WAITING
    try:
        services.registration_cancel(registration=registration, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("You have left the waiting list.") if was_waiting else _("You have cancelled."),
        )
    if request.POST.get("terug") == "mijn":
        return redirect("events:mine")
    return redirect(event_url(event))


# Mine -------------------------------------------------------------------------------------


@login_required
@require_GET
def mine(request):
    return render(request, "events/mine.html", selectors.registrations_of(request.user))


# Feeds ------------------------------------------------------------------------------------


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=900"
    return response


@require_GET
def feed(request):
    events = selectors.feed_events()
    return _ics_response(feed_ics(events, name=_("Impact agenda Groningen")), "agenda.ics")


@require_GET
def feed_type(request, type):
    if type not in EventType.values:
        raise Http404
    name = f"{_('Impact agenda Groningen')}: {EventType(type).label}"
    return _ics_response(feed_ics(selectors.feed_events(type), name=name), f"agenda-{type}.ics")
