"""What Platform Goed Inkopen holds on a person (AVG export) and what goes on deletion.

A supplier profile belongs to the company, but it can name the person as its contact:
those details are exported, and removed from the profile with the account. A procurement
officer's shortlists are personal working lists and go with the account. Inquiries stay
as the municipality's record of what was asked of which suppliers (the monitor counts
them), without what the person wrote.
"""

from impactportal import privacy
from impactportal.privacy import iso as _iso

from .models import (
    Category,
    Inquiry,
    InquiryRecipient,
    Label,
    Product,
    Shortlist,
    ShortlistEntry,
    Supplier,
)
from .retention import anonymise_inquiries


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


def _as_contact(user):
    addresses = [text for text in privacy.identifying_strings(user) if "@" in text]
    return Supplier.objects.filter(contact_email__in=addresses)


def export_contact_details(user):
    """Supplier profiles that name the person as their contact."""
    return [
        {
            "supplier": supplier.name,
            "contact_name": supplier.contact_name,
            "contact_email": supplier.contact_email,
            "contact_phone": supplier.contact_phone,
        }
        for supplier in _as_contact(user).order_by("name")
    ]


def erase_contact_details(user):
    _as_contact(user).update(contact_name="", contact_email="", contact_phone="")


def erase_inquiries(user):
    theirs = Inquiry.objects.filter(sender=user)
    privacy.forget(text for pair in theirs.values_list("subject", "message") for text in pair)
    anonymise_inquiries(theirs)


def register_sections() -> None:
    privacy.register(
        "procurement_shortlists",
        export=export_shortlists,
        erase=erase_shortlists,
        models=[Shortlist, ShortlistEntry],
    )
    privacy.register(
        "procurement_inquiries",
        export=export_inquiries,
        erase=erase_inquiries,
        models=[Inquiry],
    )
    privacy.register(
        "procurement_contact",
        export=export_contact_details,
        erase=erase_contact_details,
        models=[Supplier],
        order=50,  # reads the person's addresses
    )
    for model, reason in {
        Category: "The directory's category tree, the same for everyone.",
        Product: "A company's products and services, published with its profile.",
        Label: "A company's certificates and their evidence.",
        InquiryRecipient: "A supplier's business address an inquiry went to.",
    }.items():
        privacy.exempt(model, reason)
