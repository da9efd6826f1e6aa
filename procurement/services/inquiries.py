"""Inquiries: one question from a procurement officer e-mailed to chosen public suppliers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from impactportal.audit.services import audit_log
from impactportal.outbox.services import message_queue

from ..constants import INQUIRIES_PER_DAY, MAX_INQUIRY_RECIPIENTS
from ..models import Inquiry, InquiryRecipient, Shortlist, Supplier
from ._common import _clean
from .access import _check_buyer
from .shortlists import _check_public, _check_shortlist_owner


class RateLimited(ValidationError):
    pass


def inquiries_left(user, *, now: datetime | None = None) -> int:
    """How many inquiries ``user`` may still send in the rolling 24 hours."""
    since = (now or timezone.now()) - timedelta(days=1)
    return max(
        0, INQUIRIES_PER_DAY - Inquiry.objects.filter(sender=user, sent_at__gte=since).count()
    )


@transaction.atomic
def inquiry_send(
    *,
    sender,
    suppliers: Iterable[Supplier],
    subject: str,
    message: str,
    shortlist: Shortlist | None = None,
    now: datetime | None = None,
) -> Inquiry:
    """E-mail one question to the selected public suppliers through the outbox.

    Rate-limited per sender: the sender's row is locked while counting, so parallel
    requests cannot slip past the limit.
    """
    _check_buyer(sender)
    if shortlist is not None:
        _check_shortlist_owner(sender, shortlist)
    suppliers = list({s.pk: s for s in suppliers}.values())
    if not suppliers:
        raise ValidationError(_("Choose at least one supplier."), code="no_recipients")
    if len(suppliers) > MAX_INQUIRY_RECIPIENTS:
        raise ValidationError(
            _("An inquiry can go to at most %(max)d suppliers at once.")
            % {"max": MAX_INQUIRY_RECIPIENTS},
            code="too_many_recipients",
        )
    for supplier in suppliers:
        _check_public(supplier)
    User.objects.select_for_update().filter(pk=sender.pk).first()
    if inquiries_left(sender, now=now) <= 0:
        raise RateLimited(
            _(
                "You have sent %(max)d inquiries in the last 24 hours, the most allowed. "
                "Please try again later or contact the service point."
            )
            % {"max": INQUIRIES_PER_DAY},
            code="rate_limited",
        )
    inquiry = Inquiry(
        sender=sender,
        shortlist=shortlist,
        subject=(subject or "").strip(),
        message=(message or "").strip(),
    )
    _clean(inquiry, exclude=["sender", "shortlist"])
    inquiry.save()
    for supplier in suppliers:
        queued = message_queue(
            to=supplier.contact_email,
            template="procurement/inquiry",
            context={"inquiry": inquiry, "supplier": supplier, "sender": sender},
            language="nl",
            reply_to=sender.email,
        )
        InquiryRecipient.objects.create(
            inquiry=inquiry, supplier=supplier, email=supplier.contact_email, message=queued
        )
    audit_log(
        actor=sender,
        action="inquiry.sent",
        obj=inquiry,
        data={"suppliers": [s.name for s in suppliers]},
    )
    return inquiry
