"""Periodic work of Platform Goed Inkopen, run by Celery beat (see CELERY_BEAT_SCHEDULE).

Each task selects primary keys and hands them one by one to a service that locks the
row and checks again, so a task that runs twice (or overlaps itself) never sends an
e-mail twice. A profile or label that fails is logged and the others still go out.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import services
from .constants import LABEL_REMINDER_DAYS, RECONFIRM_AFTER_DAYS, SupplierState
from .models import Label, Supplier

logger = logging.getLogger(__name__)

# Owners of these profiles hear about expiring labels: the public ones, and those the
# coordinator is about to check (an expired label would be sent back otherwise).
REMINDED_STATES = (SupplierState.VERIFIED, SupplierState.SUBMITTED)


def labels_due_for_reminder(now: datetime | None = None):
    """Labels still valid today that expire within LABEL_REMINDER_DAYS and were not
    reminded of in this validity period (``label_save`` clears the mark on renewal).

    A label the owner has already followed up with a later one of the same kind (the
    new certificate added as a label of its own) needs no reminder.
    """
    today = timezone.localdate(now or timezone.now())
    successor = Label.objects.filter(
        supplier=OuterRef("supplier"),
        kind=OuterRef("kind"),
        name=OuterRef("name"),
        valid_until__gt=OuterRef("valid_until"),
    )
    return Label.objects.filter(
        ~Exists(successor),
        supplier__state__in=REMINDED_STATES,
        reminder_sent_at__isnull=True,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=LABEL_REMINDER_DAYS),
    )


def suppliers_due_for_reconfirmation(now: datetime | None = None):
    """Verified profiles last confirmed more than RECONFIRM_AFTER_DAYS ago, not yet asked."""
    since = (now or timezone.now()) - timedelta(days=RECONFIRM_AFTER_DAYS)
    return Supplier.objects.filter(
        state=SupplierState.VERIFIED,
        reconfirm_requested_at__isnull=True,
        confirmed_at__lt=since,
    )


@shared_task(ignore_result=True)
def send_label_reminders() -> int:
    """Daily: tell the owners about each label that expires within three months, once per
    validity period. Returns how many reminders were sent."""
    sent = 0
    for pk in labels_due_for_reminder().order_by("valid_until", "pk").values_list("pk", flat=True):
        try:
            if services.label_send_expiry_reminder(label=Label(pk=pk)):
                sent += 1
        except Label.DoesNotExist:
            continue  # removed by its owner since the selection
        except Exception:
            logger.exception("Expiry reminder for label %s failed", pk)
    return sent


@shared_task(ignore_result=True)
def request_reconfirmations() -> int:
    """Daily: ask the owners of profiles verified or confirmed a year ago to confirm them
    again, once. Returns how many profiles were asked."""
    asked = 0
    for pk in suppliers_due_for_reconfirmation().order_by("pk").values_list("pk", flat=True):
        try:
            if services.supplier_request_reconfirmation(supplier=Supplier(pk=pk)):
                asked += 1
        except Supplier.DoesNotExist:
            continue
        except Exception:
            logger.exception("Reconfirmation request for supplier %s failed", pk)
    return asked


@shared_task(ignore_result=True)
def rebuild_search_words() -> int:
    """Nightly: rebuild the word list that misspelt search words are matched to, so words
    of profiles that left the platform stop being suggested. Returns the number of words."""
    return services.search_words_rebuild()


@shared_task(ignore_result=True)
def prune_search_changes() -> int:
    """Nightly: delete the search cache's change markers older than a day (the newest
    stays). Returns how many were deleted."""
    return services.search_changes_prune()
