"""Writing and delivering notification e-mails.

``message_queue`` is what every other service calls: it renders the e-mail in the
recipient's language and writes an ``OutboxMessage`` row in the caller's transaction.
When that transaction commits, a Celery task is enqueued with the row's id. If Redis
is down the enqueue fails quietly and ``outbox_sweep`` (run by beat) enqueues it later;
if Redis hangs, one request waits for the broker's socket timeout and the process then
stops trying for a while, so the pages stay fast (tests/faults/test_redis_outage.py).

Delivery claims the row (pending → sending) in its own committed transaction before
talking to the mail server, so two tasks for the same row never both send it. A worker
that dies mid-send leaves the row in "sending"; the sweeper hands it out again after
``OUTBOX_SENDING_TIMEOUT_SECONDS`` with the same Message-ID, which mail relays and
clients use to drop the duplicate.
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation
from kombu.exceptions import OperationalError as KombuOperationalError

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# SMTP and network failures (all OSErrors) get another try later with backoff; anything
# else is a bug in the message itself and fails the row at once.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OSError,)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    content_type: str

    def as_json(self) -> dict[str, str]:
        return {
            "filename": self.filename,
            "content_type": self.content_type,
            "content_base64": base64.b64encode(self.content).decode("ascii"),
        }


def _render(template: str, context: Mapping[str, Any], language: str) -> tuple[str, str, str]:
    context = {"base_url": settings.PORTAL_BASE_URL, "LANGUAGE_CODE": language, **context}
    with translation.override(language):
        subject = render_to_string(f"email/{template}_subject.txt", context)
        text = render_to_string(f"email/{template}_message.txt", context)
        try:
            html = render_to_string(f"email/{template}_message.html", context)
        except TemplateDoesNotExist:
            html = ""
    return " ".join(subject.split()), text.strip() + "\n", html


def message_queue(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    language: str | None = None,
    user=None,
    attachments: Iterable[Attachment] = (),
    reply_to: str = "",
    holds_secret: bool = False,
) -> OutboxMessage:
    """Render ``email/<template>_{subject,message}.txt`` (+ ``.html``) and queue it.

    ``language`` defaults to the recipient user's language, then the site default.
    ``holds_secret``: the mail carries a link that opens something for whoever holds it
    (see ``message_queue_rendered``).
    """
    language = language or getattr(user, "language", "") or settings.LANGUAGE_CODE
    subject, text, html = _render(template, context, language)
    return message_queue_rendered(
        to=to,
        kind=template,
        subject=subject,
        body_text=text,
        body_html=html,
        language=language,
        user=user,
        attachments=attachments,
        reply_to=reply_to,
        holds_secret=holds_secret,
    )


def notify_user(*, user, template: str, context: Mapping[str, Any], **kwargs) -> OutboxMessage:
    """Queue a notification to a user's primary address, in their language."""
    return message_queue(
        to=user.email,
        user=user,
        template=template,
        context={"recipient": user, **context},
        **kwargs,
    )


def message_queue_rendered(
    *,
    to: str,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str | None = None,
    user=None,
    attachments: Iterable[Attachment] = (),
    reply_to: str = "",
    holds_secret: bool = False,
) -> OutboxMessage:
    """Queue an already rendered e-mail (allauth renders its own).

    ``holds_secret``: the text holds a credential (a confirmation or reset link, a login
    code). It is kept only until the mail is delivered or given up (``_forget_secret``).
    """
    message = OutboxMessage.objects.create(
        kind=kind[:100],
        recipient=to,
        reply_to=reply_to,
        recipient_user=user if getattr(user, "pk", None) else None,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        subject=subject[:255],
        body_text=body_text,
        body_html=body_html,
        attachments=[attachment.as_json() for attachment in attachments],
        holds_secret=holds_secret,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: message_enqueue(message_id=message.pk))
    return message


# What a publish raises when Redis cannot be reached (kombu wraps the redis errors).
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuOperationalError, OSError)
# A publish that fails this slowly means Redis hangs rather than refuses (a frozen
# server, a dropped network): every further try would cost a request the same wait.
SLOW_ENQUEUE_FAILURE_SECONDS = 1.0
_enqueue_paused_until = 0.0  # time.monotonic() of this process


def message_enqueue(*, message_id: int, countdown: float | None = None) -> bool:
    """Hand a row to Celery. Returns False (and leaves it to the sweeper) if Redis is down.

    Runs in the request that committed the row, so it must never raise and never wait
    long: no publish retry, the broker's short timeouts (settings), and after a slow
    failure no tries at all for ``OUTBOX_ENQUEUE_PAUSE_SECONDS``.
    """
    global _enqueue_paused_until
    from .tasks import deliver_message

    if time.monotonic() < _enqueue_paused_until:
        return False
    started = time.monotonic()
    try:
        deliver_message.apply_async((message_id,), countdown=countdown, retry=False)
    except Exception as error:  # kombu and redis raise several types when the broker is away
        slow = time.monotonic() - started >= SLOW_ENQUEUE_FAILURE_SECONDS
        if slow and isinstance(error, BROKER_ERRORS):
            _enqueue_paused_until = time.monotonic() + settings.OUTBOX_ENQUEUE_PAUSE_SECONDS
        logger.warning(
            "Could not enqueue outbox message %s; the sweeper will retry", message_id, exc_info=True
        )
        return False
    return True


@dataclass(frozen=True)
class DeliveryResult:
    sent: bool = False
    retry_in: float | None = None


def _backoff_seconds(attempts: int) -> float:
    return min(60 * 2 ** (attempts - 1), 3600)


def _claim(message_id: int) -> OutboxMessage | None:
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, state=OutboxMessage.State.PENDING)
            .first()
        )
        if message is None:
            return None
        message.state = OutboxMessage.State.SENDING
        message.attempts += 1
        message.last_attempt_at = timezone.now()
        message.save(update_fields=["state", "attempts", "last_attempt_at"])
        return message


def _build_email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        headers={"Message-ID": message.message_id, "Content-Language": message.language},
        reply_to=[message.reply_to] if message.reply_to else None,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        email.attach(
            attachment["filename"],
            base64.b64decode(attachment["content_base64"]),
            attachment["content_type"],
        )
    return email


# What is left of a mail that held a secret once it is delivered or given up.
REMOVED_AFTER_DELIVERY = "[removed after delivery: it held a personal link or code]"


def _forget_secret(message: OutboxMessage) -> list[str]:
    """Blank the text of a mail that held a credential; the fields to save."""
    if not message.holds_secret:
        return []
    message.body_text, message.body_html, message.attachments = REMOVED_AFTER_DELIVERY, "", []
    return list(OutboxMessage.CONTENT_FIELDS)


def _mark_sent(message: OutboxMessage) -> None:
    message.state = OutboxMessage.State.SENT
    message.sent_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["state", "sent_at", "last_error", *_forget_secret(message)])


def _mark_failed(message: OutboxMessage, error: BaseException) -> None:
    message.state = OutboxMessage.State.FAILED
    message.next_attempt_at = None
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.save(update_fields=["state", "next_attempt_at", "last_error", *_forget_secret(message)])


def message_deliver(*, message_id: int) -> DeliveryResult:
    """Send one outbox row if it is still pending; never sends a row twice concurrently."""
    message = _claim(message_id)
    if message is None:
        return DeliveryResult()
    try:
        get_connection(fail_silently=False).send_messages([_build_email(message)])
    except TRANSIENT_ERRORS as error:
        exhausted = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
        delay = _backoff_seconds(message.attempts)
        if exhausted:
            _mark_failed(message, error)
        else:
            message.state = OutboxMessage.State.PENDING
            message.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            message.last_error = f"{type(error).__name__}: {error}"[:2000]
            message.save(update_fields=["state", "next_attempt_at", "last_error"])
        logger.warning(
            "Delivery of outbox message %s failed (attempt %s): %s",
            message.pk,
            message.attempts,
            error,
        )
        return DeliveryResult(retry_in=None if exhausted else delay)
    except Exception as error:
        _mark_failed(message, error)
        logger.exception("Outbox message %s cannot be delivered", message.pk)
        return DeliveryResult()
    _mark_sent(message)
    return DeliveryResult(sent=True)


def outbox_sweep() -> int:
    """Re-enqueue rows nobody is delivering. Returns how many were handed out.

    Pending rows past their next attempt (and older than the grace period, so a fresh
    row's own enqueue gets its chance) and rows stuck in "sending" after a worker died.
    """
    now = timezone.now()
    stale_sending = now - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
    with transaction.atomic():
        OutboxMessage.objects.filter(
            state=OutboxMessage.State.SENDING, last_attempt_at__lt=stale_sending
        ).update(
            state=OutboxMessage.State.PENDING,
            next_attempt_at=now,
            last_error="Delivery was interrupted; sending again with the same Message-ID.",
        )
    grace = now - timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)
    due = list(
        OutboxMessage.objects.filter(
            state=OutboxMessage.State.PENDING, next_attempt_at__lte=now, created_at__lt=grace
        ).values_list("pk", flat=True)[:1000]
    )
    return sum(message_enqueue(message_id=pk) for pk in due)


def message_retry(*, message_id: int) -> bool:
    """Put a failed row back in the queue (admin action after fixing the cause).

    A mail that held a secret has lost its text and cannot be sent again; its recipient
    asks for a new link. Returns whether the row was queued again.
    """
    updated = (
        OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.FAILED)
        .exclude(holds_secret=True)
        .update(state=OutboxMessage.State.PENDING, next_attempt_at=timezone.now(), attempts=0)
    )
    if updated:
        transaction.on_commit(lambda: message_enqueue(message_id=message_id))
    return bool(updated)
