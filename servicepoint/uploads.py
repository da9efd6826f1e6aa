"""What the service point takes as attachments: any document type the portal knows, up to
``SERVICEPOINT_MAX_ATTACHMENT_BYTES`` each (the checks: ``impactportal.uploads``)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from impactportal.uploads import DOCUMENT_TYPES, CheckedFile, DocumentPolicy, check_document


def attachment_policy() -> DocumentPolicy:
    # Built per call: the limit is a setting.
    return DocumentPolicy(
        max_bytes=settings.SERVICEPOINT_MAX_ATTACHMENT_BYTES,
        extensions=DOCUMENT_TYPES.keys(),
        wrong_type=_(
            "%(name)s is not a PDF, image (PNG, JPEG) or office document, or its content does "
            "not match its name."
        ),
    )


def check_attachment(uploaded) -> CheckedFile:
    """Validate one attachment or raise ValidationError with a message for the person."""
    return check_document(uploaded, attachment_policy())
