"""Service levels: the daily list of overdue questions for each assignee."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from impactportal.outbox.services import message_queue


def overdue_digest_send(*, today=None) -> int:
    """E-mail each assignee the list of their overdue questions. Returns e-mails queued."""
    from ..selectors import overdue_by_person

    sent = 0
    with transaction.atomic():
        for person, questions in overdue_by_person(today=today or timezone.localdate()):
            message_queue(
                to=person.email,
                user=person,
                template="servicepoint/overdue_digest",
                context={"recipient_name": person.get_short_name(), "questions": questions},
            )
            sent += 1
    return sent
