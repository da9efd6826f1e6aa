"""How long Platform Goed Inkopen keeps personal data (registered in
``ProcurementConfig.ready``).

A supplier profile is a company's, but it names a contact person; a buyer's shortlists
are their working lists; an inquiry is what a buyer wrote to suppliers. The monitor counts
verified profiles, labels and inquiries with their recipients: those rows stay.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from impactportal.retention import registry
from impactportal.retention.helpers import (
    ANONYMISED_SUBJECT,
    delete_files_after_commit,
    deleted_count,
    scrub_audit,
)

from .constants import SupplierState
from .models import (
    Inquiry,
    Label,
    Shortlist,
    ShortlistEntry,
    Supplier,
)


def purge_withdrawn_suppliers(cutoff: datetime, *, dry_run: bool) -> int:
    """Profiles withdrawn before ``cutoff``: the contact person's name, address and phone
    go, and so do the logo and the labels' evidence files. The profile and its labels stay
    for the history of the directory (verified when, which labels)."""
    withdrawn = Supplier.objects.filter(state=SupplierState.WITHDRAWN, updated_at__lt=cutoff)
    pending = withdrawn.filter(
        ~Q(contact_name="") | ~Q(contact_email="") | ~Q(contact_phone="") | ~Q(logo="")
    )
    evidence = Label.objects.filter(supplier__in=withdrawn).exclude(evidence="")
    if dry_run:
        return pending.count()
    logos = list(pending.exclude(logo="").values_list("logo", flat=True))
    files = list(evidence.values_list("evidence", flat=True))
    count = pending.update(contact_name="", contact_email="", contact_phone="", logo="")
    evidence.update(evidence="")
    delete_files_after_commit(Supplier._meta.get_field("logo").storage, logos)
    delete_files_after_commit(Label._meta.get_field("evidence").storage, files)
    return count


def purge_shortlists(cutoff: datetime, *, dry_run: bool) -> int:
    """Shortlists nobody changed since ``cutoff``: a buyer's working lists, deleted with
    their notes. Inquiries sent from them stay (they lose the link)."""
    shortlists = Shortlist.objects.filter(updated_at__lt=cutoff)
    if dry_run:
        return shortlists.count()
    return deleted_count(shortlists.delete(), Shortlist)


def anonymise_inquiries(inquiries) -> int:
    """Blank what a buyer wrote; sender, time and recipients stay for the monitor."""
    inquiries = inquiries.exclude(subject=ANONYMISED_SUBJECT, message="")
    count = inquiries.update(subject=ANONYMISED_SUBJECT, message="")
    scrub_audit(Inquiry.objects.filter(subject=ANONYMISED_SUBJECT))
    return count


def purge_inquiries(cutoff: datetime, *, dry_run: bool) -> int:
    """Inquiries sent before ``cutoff``: subject and message anonymised."""
    inquiries = Inquiry.objects.filter(sent_at__lt=cutoff).exclude(
        subject=ANONYMISED_SUBJECT, message=""
    )
    if dry_run:
        return inquiries.count()
    return anonymise_inquiries(inquiries)


def register_kinds() -> None:
    registry.register(
        "withdrawn_suppliers",
        outcome="anonymised",
        purge=purge_withdrawn_suppliers,
        days=365,  # from the withdrawal
        models=[Supplier, Label],
    )
    registry.register(
        "shortlists",
        outcome="deleted",
        purge=purge_shortlists,
        days=2 * 365,  # from the last change
        models=[Shortlist, ShortlistEntry],
    )
    registry.register(
        "inquiries",
        outcome="anonymised",
        purge=purge_inquiries,
        days=2 * 365,  # from sending
        models=[Inquiry],
    )
