import logging

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid

from .models import CapturedMail

logger = logging.getLogger(__name__)


class CaptureBackend(BaseEmailBackend):
    """Stores mail in ``CapturedMail`` instead of sending it. Never used in production.

    A second delivery of the same Message-ID is dropped, as a relay deduplicates.
    """

    def send_messages(self, email_messages):
        stored = 0
        for message in email_messages:
            html = next(
                (
                    content
                    for content, mimetype in getattr(message, "alternatives", [])
                    if mimetype == "text/html"
                ),
                "",
            )
            message_id = message.extra_headers.get("Message-ID") or make_msgid()
            CapturedMail.objects.bulk_create(
                [
                    CapturedMail(
                        message_id=message_id,
                        from_email=message.from_email,
                        to=", ".join(message.recipients()),
                        subject=message.subject,
                        body_text=message.body,
                        body_html=html,
                        attachment_names=[
                            getattr(attachment, "filename", None) or attachment[0]
                            for attachment in message.attachments
                        ],
                    )
                ],
                ignore_conflicts=True,
            )
            stored += 1
            if getattr(settings, "OUTBOX_CAPTURE_ECHO", False):
                logger.info(
                    "Captured mail to %s: %s\n%s",
                    ", ".join(message.recipients()),
                    message.subject,
                    message.body,
                )
        return stored
