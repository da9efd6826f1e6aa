"""How long sent e-mail is kept (registered in ``OutboxConfig.ready``)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from impactportal.retention import registry
from impactportal.retention.helpers import deleted_count

from .models import CapturedMail, OutboxMessage


def purge_outbox_messages(cutoff: datetime, *, dry_run: bool) -> int:
    """E-mails delivered (or given up on) before ``cutoff``: deleted. Pending and
    sending rows are still owed to someone and are never touched."""
    messages = OutboxMessage.objects.filter(
        Q(state=OutboxMessage.State.SENT, sent_at__lt=cutoff)
        | Q(state=OutboxMessage.State.FAILED, created_at__lt=cutoff)
    )
    if dry_run:
        return messages.count()
    # Only the keys are loaded: rows of other apps that point at a message are set to
    # NULL by the delete, and the bodies and attachments need not travel to Python.
    return deleted_count(messages.only("pk").delete(), OutboxMessage)


def purge_captured_mail(cutoff: datetime, *, dry_run: bool) -> int:
    """Mail the capture backend kept instead of sending (local and test only)."""
    mails = CapturedMail.objects.filter(received_at__lt=cutoff)
    if dry_run:
        return mails.count()
    return deleted_count(mails.delete(), CapturedMail)


def register_kinds() -> None:
    registry.register(
        "outbox_messages",
        outcome="deleted",
        purge=purge_outbox_messages,
        days=90,  # from delivery (or failure)
        models=[OutboxMessage],
    )
    registry.register(
        "captured_mail",
        outcome="deleted",
        purge=purge_captured_mail,
        days=30,  # the local and test capture backend only
        models=[CapturedMail],
    )
