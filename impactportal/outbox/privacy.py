"""E-mail in the AVG export and on account deletion.

The export lists the mails sent to the account (to an address it proved); a mail that
held a secret shows no text (``OutboxMessage.holds_secret``). On deletion every mail to
any of the person's addresses, also the ones sent before the account existed (a guest's
question) or never linked to it, loses its recipient, subject, text and attachments;
mails still owed are given up. The local capture backend's copies are deleted.
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
    addresses = [text for text in privacy.identifying_strings(user) if "@" in text]
    messages = OutboxMessage.objects.filter(
        Q(recipient_user=user) | Q(recipient__in=addresses) | Q(reply_to__in=addresses)
    )
    messages.filter(state__in=[OutboxMessage.State.PENDING, OutboxMessage.State.SENDING]).update(
        state=OutboxMessage.State.FAILED, last_error="Account deleted before delivery."
    )
    messages.update(
        recipient=ANONYMOUS_RECIPIENT,
        reply_to="",
        subject="",
        body_text="",
        body_html="",
        attachments=[],
        recipient_user=None,
    )
    captured = Q()
    for address in addresses:
        captured |= Q(to__icontains=address)
    if addresses:
        CapturedMail.objects.filter(captured).delete()


def register_sections() -> None:
    privacy.register(
        "notifications",
        export=export_notifications,
        erase=erase_notifications,
        models=[OutboxMessage, CapturedMail],
        order=900,
    )
