"""The mailbox side of the outbox: what a recipient received, as opposed to the row the
portal keeps. Mails that hold a secret (confirmation and reset links) lose their text in
the outbox once delivered, so tests read those links where a person would: in the mail."""

from django.core import mail


def delivered(message):
    """The e-mail the recipient received for outbox row ``message`` (Django's test mail
    outbox, found by the row's Message-ID)."""
    for sent in mail.outbox:
        if sent.extra_headers.get("Message-ID") == message.message_id:
            return sent
    raise AssertionError(f"{message.kind} to {message.recipient} was not delivered")
