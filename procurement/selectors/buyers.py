"""What procurement officers keep: their shortlists and the inquiries they sent."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Prefetch, QuerySet

from ..models import Inquiry, Label, Shortlist, ShortlistEntry
from .profiles import today


def shortlists_of(user) -> QuerySet[Shortlist]:
    return (
        Shortlist.objects.filter(owner=user)
        .annotate(size=Count("entries"))
        .order_by("-updated_at", "pk")
    )


def shortlist_entries(shortlist: Shortlist, day: date | None = None) -> QuerySet[ShortlistEntry]:
    return (
        ShortlistEntry.objects.filter(shortlist=shortlist)
        .select_related("supplier")
        .prefetch_related(
            Prefetch(
                "supplier__labels",
                queryset=Label.objects.valid_on(day or today()).order_by("kind"),
                to_attr="valid_labels",
            )
        )
    )


def shortlisted_ids(user, supplier_ids) -> set[int]:
    """Which of these suppliers are on any of the user's shortlists (1 query)."""
    return set(
        ShortlistEntry.objects.filter(
            shortlist__owner=user, supplier_id__in=list(supplier_ids)
        ).values_list("supplier_id", flat=True)
    )


def inquiries_of(user) -> QuerySet[Inquiry]:
    return (
        Inquiry.objects.filter(sender=user)
        .select_related("shortlist")
        .annotate(recipient_count=Count("recipients"))
        .order_by("-sent_at", "pk")
    )
