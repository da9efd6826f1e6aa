"""Writes of the agenda: publishing and cancelling events, registering, the waiting list.

Sign-ups for one event are serialised by a row lock on the event (SELECT ... FOR UPDATE):
the count of confirmed places and the new registration happen under that lock, so
concurrent sign-ups can never confirm more people than there are places. Freed places go
to the first person on the waiting list, under the same lock.

The organisers' writes live here too: the e-mail to attendees by status
(``attendees_message_send``) and copying an event into a series (``event_create_series``,
used by the admin).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _

from impactportal.audit.services import audit_log
from impactportal.outbox.services import Attachment, notify_user
from impactportal.workflow import TransitionNotAllowed, check_transition

from .constants import (
    EVENT_TRANSITIONS,
    SEAT_HOLDING,
    EventState,
    QuestionKind,
    RegistrationStatus,
)
from .ical import event_ics
from .models import Event, Registration, RegistrationQuestion
from .selectors import AMSTERDAM, may_organise

MAX_ANSWER_LENGTH = 2000
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


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _ics_attachment(event: Event) -> Attachment:
    return Attachment(f"{event.slug}.ics", event_ics(event), "text/calendar")


def _event_transition(event: Event, to: EventState, *, actor) -> None:
    current = EventState(event.state)
    check_transition(
        EVENT_TRANSITIONS,
        current,
        to,
        message=_("An event that is %(current)s cannot become %(to)s."),
    )
    event.state = to
    event.save(update_fields=["state"])
    audit_log(
        actor=actor,
        action="event.state_changed",
        obj=event,
        changes={"state": [current.value, to.value]},
    )


@transaction.atomic
def event_publish(*, event: Event, actor) -> Event:
    event = Event.objects.select_for_update().get(pk=event.pk)
    _event_transition(event, EventState.PUBLISHED, actor=actor)
    return event


@transaction.atomic
def event_cancel(*, event: Event, actor) -> Event:
    """Cancel the event and tell everyone registered (confirmed and waiting)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    _event_transition(event, EventState.CANCELLED, actor=actor)
    live = event.registrations.exclude(status=RegistrationStatus.CANCELLED).select_related("user")
    for registration in live:
        notify_user(
            user=registration.user, template="events/event_cancelled", context={"event": event}
        )
    return event


def _clean_answers(event: Event, answers: Mapping[str, object]) -> dict[str, str]:
    """Check the answers against the event's questions; keyed by question id."""
    cleaned, errors = {}, []
    for question in event.questions.all():
        raw = answers.get(str(question.pk), "")
        value = str(raw).strip() if raw is not None else ""
        if len(value) > MAX_ANSWER_LENGTH:
            errors.append(
                _("The answer to “%(question)s” is too long.") % {"question": question.label}
            )
            continue
        if not value:
            if question.required:
                errors.append(_("Answer “%(question)s”.") % {"question": question.label})
            continue
        if question.kind == QuestionKind.CHOICE and value not in question.choice_list:
            errors.append(
                _("Choose one of the options for “%(question)s”.") % {"question": question.label}
            )
            continue
        if question.kind == QuestionKind.YES_NO and value not in ("ja", "nee"):
            errors.append(_("Answer yes or no to “%(question)s”.") % {"question": question.label})
            continue
        cleaned[str(question.pk)] = value
    if errors:
        raise ValidationError(errors, code="answers")
    return cleaned


def _check_window(event: Event, now: datetime) -> None:
    if event.state != EventState.PUBLISHED:
        raise ValidationError(_("You cannot register for this event."), code="not_published")
    if now >= event.starts_at:
        raise ValidationError(_("This event has already started."), code="started")
    if event.registration_opens_at and now < event.registration_opens_at:
        raise ValidationError(
            _("Registration opens on %(date)s.")
            % {"date": timezone.localtime(event.registration_opens_at).strftime("%d-%m-%Y %H:%M")},
            code="not_open_yet",
        )
    if event.registration_closes_at and now >= event.registration_closes_at:
        raise ValidationError(_("Registration for this event has closed."), code="closed")


def confirmed_count(event: Event) -> int:
    return event.registrations.filter(status__in=SEAT_HOLDING).count()


@transaction.atomic
def registration_create(
    *, event: Event, user, answers: Mapping[str, object] | None = None, now: datetime | None = None
) -> Registration:
    """Register ``user``: confirmed while places last, otherwise on the waiting list."""
    now = _now(now)
    event = Event.objects.select_for_update().get(pk=event.pk)
    _check_window(event, now)
    if event.registrations.filter(user=user).exclude(status=RegistrationStatus.CANCELLED).exists():
        raise ValidationError(_("You are already registered for this event."), code="duplicate")
    cleaned = _clean_answers(event, answers or {})
    full = event.capacity is not None and confirmed_count(event) >= event.capacity
    registration = Registration.objects.create(
        event=event,
        user=user,
        answers=cleaned,
        status=RegistrationStatus.WAITING if full else RegistrationStatus.CONFIRMED,
        waiting_since=now if full else None,
    )
    audit_log(
        actor=user,
        action="registration.created",
        obj=registration,
        data={"status": registration.status},
    )
    if full:
        notify_user(user=user, template="events/waiting_list", context={"event": event})
    else:
        notify_user(
            user=user,
            template="events/registration_confirmed",
            context={"event": event},
            attachments=[_ics_attachment(event)],
        )
    return registration


def _promote_next(event: Event, now: datetime) -> Registration | None:
    """Give a freed place to the first on the waiting list (caller holds the event lock)."""
    if event.capacity is not None and confirmed_count(event) >= event.capacity:
        return None
    nxt = (
        event.registrations.select_for_update()
        .filter(status=RegistrationStatus.WAITING)
        .order_by("waiting_since", "pk")
        .select_related("user")
        .first()
    )
    if nxt is None:
        return None
    nxt.status = RegistrationStatus.CONFIRMED
    nxt.promoted_at = now
    nxt.save(update_fields=["status", "promoted_at"])
    audit_log(actor=None, action="registration.promoted", obj=nxt)
    notify_user(
        user=nxt.user,
        template="events/promoted",
        context={"event": event},
        attachments=[_ics_attachment(event)],
    )
    return nxt


@transaction.atomic
def registration_cancel(
    *, registration: Registration, user, now: datetime | None = None
) -> Registration:
    """Cancel one's own registration (until the cutoff) or leave the waiting list."""
    now = _now(now)
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.user_id != user.pk:
        raise PermissionDenied
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING):
        raise TransitionNotAllowed(_("This registration cannot be cancelled any more."))
    if now >= event.starts_at:
        raise ValidationError(_("The event has already started."), code="started")
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    if was_confirmed and event.cancellation_cutoff and now >= event.cancellation_cutoff:
        raise ValidationError(
            _("You can no longer cancel yourself; please contact the organiser."),
            code="after_cutoff",
        )
    old = registration.status
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    audit_log(
        actor=user,
        action="registration.cancelled",
        obj=registration,
        changes={"status": [old, RegistrationStatus.CANCELLED.value]},
    )
    if was_confirmed and event.state == EventState.PUBLISHED:
        _promote_next(event, now)
    return registration


@transaction.atomic
def registration_check_in(
    *, registration: Registration, actor, attended: bool = True, now: datetime | None = None
) -> Registration:
    """The organiser marks someone as attended (or no-show)."""
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status not in SEAT_HOLDING:
        raise TransitionNotAllowed(_("Only confirmed registrations can be checked in."))
    old = registration.status
    registration.status = RegistrationStatus.ATTENDED if attended else RegistrationStatus.NO_SHOW
    registration.checked_in_at = _now(now) if attended else None
    registration.save(update_fields=["status", "checked_in_at"])
    audit_log(
        actor=actor,
        action="registration.checked_in",
        obj=registration,
        changes={"status": [old, registration.status]},
    )
    return registration


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Beat: remind confirmed people ``reminder_hours`` before the start, once per event.

    The conditional UPDATE claims the event, so two runs at the same moment (or a task
    delivered twice) send the reminder once.
    """
    now = _now(now)
    sent = 0
    candidates = Event.objects.filter(
        state=EventState.PUBLISHED, reminder_sent_at__isnull=True, starts_at__gt=now
    )
    for event in candidates:
        if event.starts_at - now > timedelta(hours=event.reminder_hours):
            continue
        with transaction.atomic():
            claimed = Event.objects.filter(pk=event.pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            for registration in event.registrations.filter(
                status=RegistrationStatus.CONFIRMED
            ).select_related("user"):
                notify_user(
                    user=registration.user, template="events/reminder", context={"event": event}
                )
                sent += 1
    return sent


def mark_past_events(*, now: datetime | None = None) -> int:
    """Beat: published events that have ended become 'past'. Returns how many."""
    now = _now(now)
    done = 0
    for pk in Event.objects.filter(state=EventState.PUBLISHED, ends_at__lt=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            event = Event.objects.select_for_update().get(pk=pk)
            if event.state == EventState.PUBLISHED and event.ends_at < now:
                _event_transition(event, EventState.PAST, actor=None)
                done += 1
    return done


# Organisers -------------------------------------------------------------------------------

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
