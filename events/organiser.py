"""Tools for the people who run an event: attendee list, check-in, CSV export and an
e-mail to attendees by status; plus copying an event into a series (used by the admin).

Who may use the pages: the coordinator and the users in ``event.organisers``; anyone
else gets a 404, so the pages do not even reveal which events exist as drafts.
All writes go through services: ``services.registration_check_in`` and the two service
functions below (``attendees_message_send``, ``event_create_series``), which run in a
transaction and write the audit log.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.roles import Role
from impactportal import spreadsheets
from impactportal.audit.services import audit_log
from impactportal.outbox.services import notify_user

from . import services
from .constants import SEAT_HOLDING, EventState, RegistrationStatus
from .models import Event, Registration, RegistrationQuestion

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

MAX_SUBJECT_LENGTH = 200
MAX_BODY_LENGTH = 10_000
MAX_SERIES = 52
SERIES_EVERY = ("week", "month")

# Statuses an organiser can write to; cancelled people are left alone.
MESSAGE_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITING,
    RegistrationStatus.ATTENDED,
    RegistrationStatus.NO_SHOW,
)
# Shown on the check-in page: the people who hold a place.
CHECK_IN_STATUSES = tuple(s for s in RegistrationStatus if s in SEAT_HOLDING)


# Access ----------------------------------------------------------------------------------


def may_organise(user, event: Event) -> bool:
    """The coordinator, or one of the event's organisers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_role(Role.COORDINATOR):
        return True
    return event.organisers.filter(pk=user.pk).exists()


def _event_for(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
    if not may_organise(request.user, event):
        raise Http404
    return event


# Services --------------------------------------------------------------------------------

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")


def _plain_text(value: str, *, field: str, max_length: int, single_line: bool = False) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if single_line:
        value = " ".join(value.split())
    if not value:
        raise ValidationError({field: _("This field is required.")}, code="required")
    if len(value) > max_length:
        raise ValidationError(
            {field: _("At most %(n)d characters.") % {"n": max_length}}, code="too_long"
        )
    if _TAG.search(value) or strip_tags(value) != value:
        raise ValidationError(
            {field: _("Write plain text without HTML tags.")}, code="html_not_allowed"
        )
    return value


@transaction.atomic
def attendees_message_send(
    *, event: Event, statuses: Iterable[str], subject: str, body: str, actor
) -> int:
    """E-mail everyone registered for ``event`` with one of ``statuses``.

    One outbox e-mail per recipient (template ``events/attendee_message``), written in
    this transaction, and one audit entry. Nothing is queued if any input is invalid or
    nobody has the chosen statuses. Returns the number of e-mails queued.
    """
    if not may_organise(actor, event):
        raise PermissionDenied
    chosen = sorted({str(s) for s in statuses})
    allowed = {s.value for s in MESSAGE_STATUSES}
    if not chosen or not set(chosen) <= allowed:
        raise ValidationError({"statuses": _("Choose who receives the message.")}, code="statuses")
    subject = _plain_text(subject, field="subject", max_length=MAX_SUBJECT_LENGTH, single_line=True)
    body = _plain_text(body, field="body", max_length=MAX_BODY_LENGTH)
    recipients = list(
        event.registrations.filter(status__in=chosen, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    if not recipients:
        raise ValidationError(_("Nobody has the chosen status."), code="no_recipients")
    context = {"event": event, "subject": subject, "body": body}
    for registration in recipients:
        notify_user(user=registration.user, template="events/attendee_message", context=context)
    audit_log(
        actor=actor,
        action="event.attendees_messaged",
        obj=event,
        data={"statuses": chosen, "subject": subject, "recipients": len(recipients)},
    )
    return len(recipients)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _shift(moment: datetime | None, start_local: datetime, new_start_date: date):
    """Move ``moment`` as many calendar days as the start moves, keeping its wall-clock
    time in Amsterdam (19:30 stays 19:30 across a change to or from summer time)."""
    if moment is None:
        return None
    local = timezone.localtime(moment, AMSTERDAM).replace(tzinfo=None)
    days = (new_start_date - start_local.date()).days
    return (local + timedelta(days=days)).replace(tzinfo=AMSTERDAM)


_DATE_SUFFIX = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def _series_slug(event: Event, day: date, taken: set[str]) -> str:
    base = _DATE_SUFFIX.sub("", event.slug) or slugify(event.title) or "event"
    base = f"{base[:185]}-{day:%Y-%m-%d}"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


COPIED_FIELDS = (
    "type",
    "title",
    "description",
    "venue",
    "address",
    "online_link",
    "organiser",
    "themes",
    "audience",
    "capacity",
    "reminder_hours",
)
SHIFTED_FIELDS = (
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "cancellation_cutoff",
)


@transaction.atomic
def event_create_series(*, event: Event, every: str, count: int, actor) -> list[Event]:
    """Copy ``event`` ``count`` times, every week or every month after it.

    The copies are drafts with the same registration questions and organisers, a new
    slug ending in their date, and the same Amsterdam wall-clock times. A monthly copy
    falls on the same day of the month (the last day for months that are shorter).
    """
    if not actor.has_perm("events.add_event"):
        raise PermissionDenied
    if every not in SERIES_EVERY:
        raise ValidationError({"every": _("Choose every week or every month.")}, code="every")
    if not isinstance(count, int) or not 1 <= count <= MAX_SERIES:
        raise ValidationError(
            {"count": _("Between 1 and %(n)d copies.") % {"n": MAX_SERIES}}, code="count"
        )
    event = Event.objects.select_for_update().get(pk=event.pk)
    questions = list(event.questions.all())
    organisers = list(event.organisers.all())
    start_local = timezone.localtime(event.starts_at, AMSTERDAM)
    day = start_local.date()
    dates = [
        day + timedelta(weeks=i) if every == "week" else _add_months(day, i)
        for i in range(1, count + 1)
    ]
    base = _DATE_SUFFIX.sub("", event.slug)
    taken = set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    copies = []
    for new_date in dates:
        copy = Event(
            slug=_series_slug(event, new_date, taken),
            state=EventState.DRAFT,
            **{name: getattr(event, name) for name in COPIED_FIELDS},
            **{
                name: _shift(getattr(event, name), start_local, new_date) for name in SHIFTED_FIELDS
            },
        )
        copy.full_clean(exclude=["organisers"])
        copy.save()
        copy.organisers.set(organisers)
        RegistrationQuestion.objects.bulk_create(
            RegistrationQuestion(
                event=copy,
                position=q.position,
                label=q.label,
                kind=q.kind,
                choices=q.choices,
                required=q.required,
            )
            for q in questions
        )
        audit_log(
            actor=actor,
            action="event.created",
            obj=copy,
            data={"copied_from": event.slug, "series": every},
        )
        copies.append(copy)
    audit_log(
        actor=actor,
        action="event.series_created",
        obj=event,
        data={"every": every, "count": count, "slugs": [c.slug for c in copies]},
    )
    return copies


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


class AttendeeMessageForm(forms.Form):
    statuses = forms.MultipleChoiceField(
        label=_("Send to everyone who is"),
        choices=[(s.value, s.label) for s in MESSAGE_STATUSES],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose who receives the message.")},
    )
    subject = forms.CharField(label=_("Subject"), max_length=MAX_SUBJECT_LENGTH)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Plain text. A link (e.g. to a survey) can be pasted as it is."),
    )

    def _clean_text(self, field, **kwargs):
        try:
            return _plain_text(self.cleaned_data[field], field=field, **kwargs)
        except ValidationError as error:
            raise ValidationError(error.message_dict[field]) from error

    def clean_subject(self):
        return self._clean_text("subject", max_length=MAX_SUBJECT_LENGTH, single_line=True)

    def clean_body(self):
        return self._clean_text("body", max_length=MAX_BODY_LENGTH)


@login_required
@require_http_methods(["GET", "POST"])
def message(request, slug):
    event = _event_for(request, slug)
    form = AttendeeMessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = attendees_message_send(event=event, actor=request.user, **form.cleaned_data)
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
