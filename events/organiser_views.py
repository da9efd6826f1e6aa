"""Tools for the people who run an event: attendee list, check-in, CSV export and an
e-mail to attendees by status.

Who may use the pages: the coordinator and the users in ``event.organisers``
(``selectors.may_organise``); anyone else gets a 404, so the pages do not even reveal
which events exist as drafts. All writes go through services:
``services.registration_check_in`` and ``services.attendees_message_send``, which run in
a transaction and write the audit log. Copying an event into a series
(``services.event_create_series``) is done in the admin.
"""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from impactportal import spreadsheets

from . import services
from .constants import SEAT_HOLDING, RegistrationStatus
from .forms import AttendeeMessageForm
from .models import Event, Registration
from .selectors import may_organise
from .services import MESSAGE_STATUSES

# Shown on the check-in page: the people who hold a place.
CHECK_IN_STATUSES = tuple(s for s in RegistrationStatus if s in SEAT_HOLDING)


# Access ----------------------------------------------------------------------------------


def _event_for(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not may_organise(request.user, event):
        raise Http404
    return event


# Reading ---------------------------------------------------------------------------------


def _attendees(event: Event, *, exclude_cancelled: bool = False):
    """(registrations with the user, questions): two queries whatever the size."""
    registrations = event.registrations.select_related("user").order_by("created_at", "pk")
    if exclude_cancelled:
        registrations = registrations.exclude(status=RegistrationStatus.CANCELLED)
    registrations = list(registrations)
    questions = list(event.questions.all())
    return registrations, questions


def _answer_row(registration: Registration, questions) -> list[str]:
    answers = registration.answers or {}
    return [str(answers.get(str(q.pk), "")) for q in questions]


def _status_counts(registrations) -> list[tuple[RegistrationStatus, int]]:
    counts = Counter(r.status for r in registrations)
    return [(status, counts.get(status.value, 0)) for status in RegistrationStatus]


def _nav(event: Event) -> dict[str, str]:
    return {
        name: reverse(f"events:organiser_{name}", kwargs={"slug": event.slug})
        for name in ("attendees", "check_in", "export", "message")
    }


# Views -----------------------------------------------------------------------------------


@login_required
@require_safe
def attendees(request, slug):
    event = _event_for(request, slug)
    registrations, questions = _attendees(event)
    rows = [(r, _answer_row(r, questions)) for r in registrations]
    return TemplateResponse(
        request,
        "events/organiser/attendees.html",
        {
            "event": event,
            "questions": questions,
            "rows": rows,
            "status_counts": _status_counts(registrations),
            "nav": _nav(event),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, slug):
    event = _event_for(request, slug)
    query = _search_text(request.GET.get("q", ""))
    if request.method == "POST":
        query = _search_text(request.POST.get("q", ""))
        registration = (
            event.registrations.filter(uuid=request.POST.get("registration"))
            .select_related("user")
            .first()
            if _is_uuid(request.POST.get("registration"))
            else None
        )
        if registration is None:
            raise Http404
        attended = request.POST.get("attended") == "1"
        try:
            services.registration_check_in(
                registration=registration, actor=request.user, attended=attended
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                (
                    gettext("%(name)s is checked in.")
                    if attended
                    else gettext("%(name)s is marked as no-show.")
                )
                % {"name": registration.user.get_full_name()},
            )
        url = reverse("events:organiser_check_in", kwargs={"slug": event.slug})
        return redirect(f"{url}?{urlencode({'q': query})}" if query else url)
    registrations = event.registrations.filter(status__in=CHECK_IN_STATUSES).select_related("user")
    if query:
        registrations = registrations.filter(
            Q(user__name__icontains=query) | Q(user__email__icontains=query)
        )
    registrations = list(registrations.order_by("user__name", "pk"))
    return TemplateResponse(
        request,
        "events/organiser/check_in.html",
        {
            "event": event,
            "registrations": registrations,
            "query": query,
            "attended_count": sum(r.status == RegistrationStatus.ATTENDED for r in registrations),
            "nav": _nav(event),
        },
    )


def _search_text(value: str) -> str:
    """The search words, with single spaces between them."""
    return " ".join(value.split())[:100]


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@login_required
@require_safe
def export_csv(request, slug):
    event = _event_for(request, slug)
    registrations, questions = _attendees(event, exclude_cancelled=True)
    header = [
        gettext("name"),
        gettext("e-mail"),
        gettext("status"),
        gettext("registered"),
        gettext("checked in"),
        *[q.label for q in questions],
    ]
    rows = (
        [
            registration.user.get_full_name(),
            registration.user.email,
            registration.get_status_display(),
            registration.created_at,
            registration.checked_in_at,
            *_answer_row(registration, questions),
        ]
        for registration in registrations
    )
    response = spreadsheets.csv_response(header, rows, filename=f"deelnemers-{event.slug}.csv")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def message(request, slug):
    event = _event_for(request, slug)
    form = AttendeeMessageForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = services.attendees_message_send(
                    event=event, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "The message is being sent to %(n)d person.",
                        "The message is being sent to %(n)d people.",
                        sent,
                    )
                    % {"n": sent},
                )
                return redirect("events:organiser_attendees", slug=event.slug)
        status = 400
    counts = dict((status_, n) for status_, n in _status_counts(event.registrations.only("status")))
    return TemplateResponse(
        request,
        "events/organiser/message.html",
        {
            "event": event,
            "form": form,
            "counts": [(s, counts.get(s, 0)) for s in MESSAGE_STATUSES],
            "nav": _nav(event),
        },
        status=status,
    )
