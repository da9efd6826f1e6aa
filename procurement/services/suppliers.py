"""Supplier profiles: creating and changing them, and their workflow (submit, verify,
send back, withdraw, the yearly confirmation) by ``SUPPLIER_TRANSITIONS``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.constants import OrganisationKind
from accounts.models import Organisation, User
from accounts.roles import Role
from impactportal.audit.services import audit_diff, audit_log, audit_snapshot
from impactportal.outbox.services import notify_user
from impactportal.workflow import check_transition

from ..constants import SUPPLIER_TRANSITIONS, SupplierState
from ..models import Supplier
from ._common import _clean, _notify_owners
from .access import _check_coordinator, _check_owner, _check_owner_or_coordinator
from .search_index import supplier_reindex

# What the owner edits on the profile form; everything else is the workflow's.
PROFILE_FIELDS = (
    "name",
    "kvk_number",
    "branch_number",
    "short_description",
    "description",
    "themes",
    "sdgs",
    "impact_first",
    "target_group_share",
    "municipality",
    "region",
    "size",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = (slugify(name) or "leverancier")[:200]
    taken = set(
        Supplier.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def supplier_create(
    *, organisation: Organisation, actor, data: Mapping[str, Any], logo=None
) -> Supplier:
    """Start a draft profile for a company; its members own it."""
    if actor is not None and not actor.has_role(Role.COORDINATOR):
        if not organisation.memberships.filter(user=actor).exists():
            raise PermissionDenied(_("You can only create a profile for your own organisation."))
    if organisation.kind != OrganisationKind.COMPANY:
        raise ValidationError(
            _("Only companies can have a supplier profile."), code="not_a_company"
        )
    if Supplier.objects.filter(organisation=organisation).exists():
        raise ValidationError(
            _("%(organisation)s already has a supplier profile.") % {"organisation": organisation},
            code="duplicate_profile",
        )
    supplier = Supplier(
        organisation=organisation, **{f: data[f] for f in PROFILE_FIELDS if f in data}
    )
    if logo:
        supplier.logo = logo
    supplier.slug = _unique_slug(supplier.name)
    _clean(supplier, exclude=["organisation", "slug"])
    supplier.save()
    supplier_reindex(supplier_ids=[supplier.pk])
    audit_log(actor=actor, action="supplier.created", obj=supplier)
    return supplier


@transaction.atomic
def supplier_update(
    *, supplier: Supplier, actor, data: Mapping[str, Any], logo=None, remove_logo: bool = False
) -> Supplier:
    """Change the profile. A verified profile stays public and is queued for a new check."""
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    _check_owner_or_coordinator(actor, supplier)
    if supplier.state == SupplierState.WITHDRAWN:
        raise ValidationError(
            _("A withdrawn profile cannot be changed; submit it again first."),
            code="withdrawn",
        )
    before = audit_snapshot(supplier, PROFILE_FIELDS)
    for field in PROFILE_FIELDS:
        if field in data:
            setattr(supplier, field, data[field])
    if logo:
        supplier.logo = logo
    elif remove_logo:
        supplier.logo = ""
    _clean(supplier, exclude=["organisation", "slug"])
    changes = audit_diff(before, audit_snapshot(supplier, PROFILE_FIELDS))
    if logo or remove_logo:
        changes["logo"] = ["", supplier.logo.name if supplier.logo else ""]
    if not changes:
        return supplier
    if supplier.state == SupplierState.VERIFIED and not actor.has_role(Role.COORDINATOR):
        supplier.changed_since_verification = True
    supplier.save()
    supplier_reindex(supplier_ids=[supplier.pk])
    audit_log(actor=actor, action="supplier.changed", obj=supplier, changes=changes)
    return supplier


def _transition(supplier: Supplier, to: SupplierState, *, actor, **extra) -> None:
    current = SupplierState(supplier.state)
    check_transition(
        SUPPLIER_TRANSITIONS,
        current,
        to,
        message=_("A profile that is %(current)s cannot become %(to)s."),
    )
    supplier.state = to
    for name, value in extra.items():
        setattr(supplier, name, value)
    supplier.save(update_fields=["state", *extra, "updated_at"])
    audit_log(
        actor=actor,
        action="supplier.state_changed",
        obj=supplier,
        changes={"state": [current.value, to.value]},
        data={k: v for k, v in extra.items() if k == "review_note" and v},
    )


@transaction.atomic
def supplier_submit(*, supplier: Supplier, actor, now: datetime | None = None) -> Supplier:
    """The owner asks the coordinator to verify the profile."""
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    _check_owner(actor, supplier)
    if not supplier.themes:
        raise ValidationError(
            _("Choose at least one MVOI theme before you submit the profile."),
            code="no_theme",
        )
    if not supplier.products.exists():
        raise ValidationError(
            _("Add at least one product or service before you submit the profile."),
            code="no_product",
        )
    _transition(supplier, SupplierState.SUBMITTED, actor=actor, submitted_at=now or timezone.now())
    for coordinator in User.objects.filter(groups__name=Role.COORDINATOR, is_active=True):
        notify_user(
            user=coordinator,
            template="procurement/submitted",
            context={"supplier": supplier},
        )
    return supplier


@transaction.atomic
def supplier_verify(*, supplier: Supplier, actor, now: datetime | None = None) -> Supplier:
    """The coordinator has checked the profile and its labels: it is public from now on."""
    _check_coordinator(actor)
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    now = now or timezone.now()
    first = supplier.state != SupplierState.VERIFIED
    _transition(
        supplier,
        SupplierState.VERIFIED,
        actor=actor,
        verified_at=now,
        verified_by=actor,
        confirmed_at=now,
        reconfirm_requested_at=None,
        changed_since_verification=False,
        review_note="",
    )
    supplier_reindex(supplier_ids=[supplier.pk])
    if first:
        _notify_owners(supplier, "verified")
    return supplier


@transaction.atomic
def supplier_send_back(*, supplier: Supplier, actor, note: str) -> Supplier:
    """The coordinator returns the profile with what needs to change; it leaves the platform."""
    _check_coordinator(actor)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Tell the owner what needs to change."), code="note_required")
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    _transition(supplier, SupplierState.SENT_BACK, actor=actor, review_note=note[:2000])
    _notify_owners(supplier, "sent_back", note=supplier.review_note)
    return supplier


@transaction.atomic
def supplier_withdraw(*, supplier: Supplier, actor) -> Supplier:
    """The owner takes the profile off the platform."""
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    _check_owner_or_coordinator(actor, supplier)
    _transition(supplier, SupplierState.WITHDRAWN, actor=actor)
    return supplier


@transaction.atomic
def supplier_confirm(*, supplier: Supplier, actor, now: datetime | None = None) -> Supplier:
    """The owner confirms that the verified profile is still right (the yearly check)."""
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    _check_owner(actor, supplier)
    if supplier.state != SupplierState.VERIFIED:
        raise ValidationError(_("Only a verified profile can be confirmed."), code="not_verified")
    before = supplier.confirmed_at
    supplier.confirmed_at = now or timezone.now()
    supplier.reconfirm_requested_at = None
    supplier.save(update_fields=["confirmed_at", "reconfirm_requested_at", "updated_at"])
    audit_log(
        actor=actor,
        action="supplier.confirmed",
        obj=supplier,
        changes={"confirmed_at": [before, supplier.confirmed_at]},
    )
    return supplier


@transaction.atomic
def supplier_request_reconfirmation(*, supplier: Supplier, now: datetime | None = None) -> bool:
    """Ask the owners once to confirm the profile; False if already asked since the last one."""
    supplier = Supplier.objects.select_for_update().get(pk=supplier.pk)
    if supplier.state != SupplierState.VERIFIED or supplier.reconfirm_requested_at:
        return False
    supplier.reconfirm_requested_at = now or timezone.now()
    supplier.save(update_fields=["reconfirm_requested_at"])
    _notify_owners(supplier, "reconfirm")
    audit_log(actor=None, action="supplier.reconfirm_requested", obj=supplier)
    return True
