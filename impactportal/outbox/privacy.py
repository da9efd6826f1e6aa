"""E-mail in the AVG export and on account deletion.

The export lists the mails sent to the account (to an address it proved); a mail that
held a secret shows no text (``OutboxMessage.holds_secret``). On deletion every mail to
any of the person's addresses, also the ones sent before the account existed (a guest's
question) or never linked to it, loses its recipient, subject, text and attachments, and
so does every mail to someone else that names them (it may quote what they wrote); mails
still owed are given up. The local capture backend's copies are deleted.
"""

from __future__ import annotations

from django.db.models import Q

from impactportal import privacy

from .models import CapturedMail, OutboxMessage

ANONYMOUS_RECIPIENT = "verwijderd@anoniem.invalid"


def export_notifications(user):
    return [
        {
            "created_at": privacy.iso(message.created_at),
            "to": message.recipient,
            "subject": message.subject,
            "state": message.state,
            "sent_at": privacy.iso(message.sent_at),
            # A confirmation or reset mail's link proves ownership of a mailbox: it is
            # only ever in that mailbox, never in a download an account holder makes.
            "text": None if message.holds_secret else message.body_text,
        }
        for message in OutboxMessage.objects.filter(recipient_user=user).order_by("created_at")
    ]


def erase_notifications(user):
    strings = privacy.identifying_strings(user)
    addresses = [text for text in strings if "@" in text]
    to_them = Q(recipient_user=user) | Q(recipient__in=addresses) | Q(reply_to__in=addresses)
    _blank(OutboxMessage.objects.filter(to_them | _mentioning(strings)))
    OutboxMessage.objects.filter(Q(recipient_user=user) | Q(recipient__in=addresses)).update(
        recipient=ANONYMOUS_RECIPIENT, recipient_user=None
    )
    captured = Q(pk__in=[])
    for address in addresses:
        captured |= Q(to__icontains=address)
    CapturedMail.objects.filter(captured).delete()


def forget_texts(texts: list[str]) -> None:
    """Mails that quote a text an eraser anonymised keep no text either."""
    _blank(OutboxMessage.objects.filter(_mentioning(texts)))


def _mentioning(texts) -> Q:
    # A mail to someone else can name the person or quote what they wrote (a new message
    # in a match thread, a request's title): the portal's copy keeps none of it.
    mentions = Q(pk__in=[])
    for text in texts:
        mentions |= Q(subject__icontains=text) | Q(body_text__icontains=text)
    return mentions


def _blank(messages) -> None:
    messages.filter(state__in=[OutboxMessage.State.PENDING, OutboxMessage.State.SENDING]).update(
        state=OutboxMessage.State.FAILED, last_error="Account deleted before delivery."
    )
    messages.update(reply_to="", subject="", body_text="", body_html="", attachments=[])


def register_sections() -> None:
    privacy.register_forgetter(forget_texts)
    privacy.register(
        "notifications",
        export=export_notifications,
        erase=erase_notifications,
        models=[OutboxMessage, CapturedMail],
        order=900,
    )
