"""Procurement officers' shortlists of public suppliers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from impactportal.audit.services import audit_diff, audit_log, audit_snapshot

from ..constants import SupplierState
from ..models import Shortlist, ShortlistEntry, Supplier
from ._common import _clean
from .access import _check_buyer


def _check_shortlist_owner(user, shortlist: Shortlist) -> None:
    if shortlist.owner_id != getattr(user, "pk", None):
        raise PermissionDenied(_("This is someone else's shortlist."))


def _check_public(supplier: Supplier) -> None:
    if supplier.state != SupplierState.VERIFIED:
        raise ValidationError(
            _("%(name)s is not on the platform.") % {"name": supplier.name},
            code="not_public",
        )


@transaction.atomic
def shortlist_create(*, owner, title: str, reference: str = "") -> Shortlist:
    _check_buyer(owner)
    shortlist = Shortlist(
        owner=owner, title=(title or "").strip(), reference=(reference or "").strip()
    )
    _clean(shortlist, exclude=["owner"])
    shortlist.save()
    audit_log(actor=owner, action="shortlist.created", obj=shortlist)
    return shortlist


@transaction.atomic
def shortlist_update(*, shortlist: Shortlist, actor, title: str, reference: str = "") -> Shortlist:
    _check_shortlist_owner(actor, shortlist)
    before = audit_snapshot(shortlist, ["title", "reference"])
    shortlist.title, shortlist.reference = (title or "").strip(), (reference or "").strip()
    _clean(shortlist, exclude=["owner"])
    shortlist.save()
    audit_log(
        actor=actor,
        action="shortlist.changed",
        obj=shortlist,
        changes=audit_diff(before, audit_snapshot(shortlist, ["title", "reference"])),
    )
    return shortlist


@transaction.atomic
def shortlist_delete(*, shortlist: Shortlist, actor) -> None:
    _check_shortlist_owner(actor, shortlist)
    audit_log(actor=actor, action="shortlist.deleted", obj=shortlist)
    shortlist.delete()


@transaction.atomic
def shortlist_add(
    *, shortlist: Shortlist, supplier: Supplier, actor, note: str = ""
) -> ShortlistEntry:
    """Put a public supplier on the shortlist (a second add keeps the first entry)."""
    _check_shortlist_owner(actor, shortlist)
    _check_public(supplier)
    entry, created = ShortlistEntry.objects.get_or_create(
        shortlist=shortlist, supplier=supplier, defaults={"note": (note or "").strip()}
    )
    if created:
        _clean(entry, exclude=["shortlist", "supplier"])
        Shortlist.objects.filter(pk=shortlist.pk).update(updated_at=timezone.now())
        audit_log(
            actor=actor,
            action="shortlist.supplier_added",
            obj=shortlist,
            data={"supplier": supplier.name},
        )
    return entry


@transaction.atomic
def shortlist_remove(*, shortlist: Shortlist, supplier: Supplier, actor) -> None:
    _check_shortlist_owner(actor, shortlist)
    deleted, _rows = ShortlistEntry.objects.filter(shortlist=shortlist, supplier=supplier).delete()
    if deleted:
        Shortlist.objects.filter(pk=shortlist.pk).update(updated_at=timezone.now())
        audit_log(
            actor=actor,
            action="shortlist.supplier_removed",
            obj=shortlist,
            data={"supplier": supplier.name},
        )


@transaction.atomic
def shortlist_note(*, entry: ShortlistEntry, actor, note: str) -> ShortlistEntry:
    _check_shortlist_owner(actor, entry.shortlist)
    entry.note = (note or "").strip()
    _clean(entry, exclude=["shortlist", "supplier"])
    entry.save(update_fields=["note"])
    return entry
