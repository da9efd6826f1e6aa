"""What Platform Goed Inkopen holds on a person (AVG export) and what goes on deletion.

A supplier profile belongs to the company, not to a person, so it is neither exported
nor erased with an account. A procurement officer's shortlists are personal working
lists and go with the account. Inquiries stay: they are the municipality's record of
what was asked of which suppliers, and the account they point to is anonymised.
"""

from .models import Inquiry, Shortlist, ShortlistEntry


def _iso(value):
    return value.isoformat() if value else None


def export_shortlists(user):
    entries = (
        ShortlistEntry.objects.filter(shortlist__owner=user)
        .select_related("supplier")
        .order_by("shortlist_id", "added_at", "pk")
    )
    by_shortlist: dict[int, list] = {}
    for entry in entries:
        by_shortlist.setdefault(entry.shortlist_id, []).append(
            {"supplier": entry.supplier.name, "note": entry.note, "added_at": _iso(entry.added_at)}
        )
    return [
        {
            "title": shortlist.title,
            "reference": shortlist.reference,
            "created_at": _iso(shortlist.created_at),
            "suppliers": by_shortlist.get(shortlist.pk, []),
        }
        for shortlist in Shortlist.objects.filter(owner=user).order_by("created_at", "pk")
    ]


def erase_shortlists(user):
    Shortlist.objects.filter(owner=user).delete()


def export_inquiries(user):
    inquiries = Inquiry.objects.filter(sender=user).prefetch_related("recipients__supplier")
    return [
        {
            "subject": inquiry.subject,
            "message": inquiry.message,
            "sent_at": _iso(inquiry.sent_at),
            "suppliers": [recipient.supplier.name for recipient in inquiry.recipients.all()],
        }
        for inquiry in inquiries.order_by("sent_at", "pk")
    ]
