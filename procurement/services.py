"""Writes of Platform Goed Inkopen: supplier profiles, labels, products, shortlists, inquiries.

Every write that changes what search can find calls ``supplier_reindex`` in the same
transaction, so the stored, GIN-indexed search vector and the denormalised category
codes are never stale and never computed per query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.constants import OrganisationKind
from accounts.models import Organisation, User
from accounts.roles import Role
from impactportal.audit.services import audit_diff, audit_log, audit_snapshot
from impactportal.outbox.services import message_queue, notify_user
from impactportal.workflow import check_transition

from .constants import (
    INQUIRIES_PER_DAY,
    MAX_INQUIRY_RECIPIENTS,
    SUPPLIER_TRANSITIONS,
    LabelKind,
    SupplierState,
)
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
LABEL_FIELDS = ("kind", "pso_level", "name", "valid_from", "valid_until", "evidence_url")
PRODUCT_FIELDS = ("name", "description", "category")
CATEGORY_FIELDS = ("code", "name", "parent")


class RateLimited(ValidationError):
    pass


# --- who may do what --------------------------------------------------------------------


def is_owner(user, supplier: Supplier) -> bool:
    """Members of the supplier's organisation own its profile."""
    return bool(
        user
        and user.is_authenticated
        and supplier.organisation.memberships.filter(user=user).exists()
    )


def _check_owner(user, supplier: Supplier) -> None:
    if not is_owner(user, supplier):
        raise PermissionDenied(
            _("Only members of %(organisation)s can change this profile.")
            % {"organisation": supplier.organisation}
        )


def _check_coordinator(user) -> None:
    if not (user and user.is_authenticated and user.has_role(Role.COORDINATOR)):
        raise PermissionDenied(_("Only the coordinator can do this."))


def _check_buyer(user) -> None:
    if not (user and user.is_authenticated and user.has_role(Role.PROCUREMENT_OFFICER)):
        raise PermissionDenied(_("Only procurement officers can do this."))


def _owners(supplier: Supplier):
    return supplier.organisation.members.filter(is_active=True)


def _notify_owners(supplier: Supplier, template: str, **context) -> None:
    for user in _owners(supplier):
        notify_user(
            user=user,
            template=f"procurement/{template}",
            context={"supplier": supplier, **context},
        )


# --- search index -----------------------------------------------------------------------

# One pass over the products of all suppliers concerned (grouped), instead of three
# correlated subqueries per supplier: reindexing 100,000 suppliers takes a fraction of
# the time, one supplier is as quick as before.
_REINDEX_SQL = """
UPDATE procurement_supplier AS s SET
    search_vector =
        setweight(to_tsvector('dutch', s.name), 'A')
        || setweight(to_tsvector('dutch',
            s.short_description || ' ' || coalesce(found.names, '')), 'B')
        || setweight(to_tsvector('dutch',
            s.description || ' ' || coalesce(found.descriptions, '')), 'C'),
    category_codes = coalesce(found.codes, '{{}}')
FROM (
    SELECT s.id, texts.names, texts.descriptions, codes.codes
    FROM procurement_supplier s
    LEFT JOIN (
        SELECT p.supplier_id,
            string_agg(p.name || ' ' || c.name || ' ' || coalesce(c1.name, ''), ' '
                ORDER BY p.id) AS names,
            string_agg(p.description, ' ' ORDER BY p.id) AS descriptions
        FROM procurement_product p
        JOIN procurement_category c ON c.id = p.category_id
        LEFT JOIN procurement_category c1 ON c1.id = c.parent_id
        WHERE {products}
        GROUP BY p.supplier_id
    ) AS texts ON texts.supplier_id = s.id
    LEFT JOIN (
        SELECT p.supplier_id, array_agg(DISTINCT tree.code ORDER BY tree.code) AS codes
        FROM procurement_product p
        JOIN procurement_category c ON c.id = p.category_id
        LEFT JOIN procurement_category c1 ON c1.id = c.parent_id
        LEFT JOIN procurement_category c2 ON c2.id = c1.parent_id
        CROSS JOIN LATERAL unnest(ARRAY[c.code, c1.code, c2.code]) AS tree(code)
        WHERE tree.code IS NOT NULL AND {products}
        GROUP BY p.supplier_id
    ) AS codes ON codes.supplier_id = s.id
    WHERE {where}
) AS found
WHERE s.id = found.id
"""

# Words of public profiles (lower case, unstemmed) for matching misspelt search words.
# Product texts repeat across suppliers ("Catering", "Glazenwassen"): each distinct one is
# split into words once.
_WORDS_SQL = """
INSERT INTO procurement_searchword (word)
SELECT word FROM (
    SELECT DISTINCT unnest(tsvector_to_array(to_tsvector('simple', texts.text))) AS word
    FROM (
        SELECT s.name || ' ' || s.short_description || ' ' || s.description AS text
        FROM procurement_supplier s
        WHERE s.state = %s AND {where}
        UNION
        SELECT p.name || ' ' || p.description || ' ' || c.name
        FROM procurement_product p
        JOIN procurement_category c ON c.id = p.category_id
        JOIN procurement_supplier s ON s.id = p.supplier_id
        WHERE s.state = %s AND {where}
    ) AS texts
) AS words
WHERE char_length(word) BETWEEN 3 AND 60 AND word !~ '^[0-9]+$'
ON CONFLICT (word) DO NOTHING
"""


def supplier_reindex(*, supplier_ids: Sequence[int] | None = None) -> None:
    """Recompute the stored search vector and category codes (all suppliers if no ids).

    Name weighs most (A), then the short description, products and their categories
    (B), then the long descriptions (C).
    """
    if supplier_ids is None:
        where, products, params = "TRUE", "TRUE", []
    else:
        where, products, params = "s.id = ANY(%s)", "p.supplier_id = ANY(%s)", [list(supplier_ids)]
    verified = SupplierState.VERIFIED
    with connection.cursor() as cursor:
        cursor.execute(
            _REINDEX_SQL.format(where=where, products=products), [*params, *params, *params]
        )
        cursor.execute(_WORDS_SQL.format(where=where), [verified, *params, verified, *params])


@transaction.atomic
def search_words_rebuild() -> int:
    """Rebuild the word list from public profiles only, dropping words no profile has any more."""
    verified = SupplierState.VERIFIED
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procurement_searchword")
        cursor.execute(_WORDS_SQL.format(where="TRUE"), [verified, verified])
        return cursor.rowcount


# Only the newest change marker is ever read (selectors: "search cache"); the rest are
# kept a day to show what changed lately, then deleted.
SEARCH_CHANGES_KEPT = timedelta(days=1)


def search_changes_prune(now: datetime | None = None) -> int:
    """Delete the search cache's change markers (migration 0003) older than a day, always
    keeping the newest, so the version never goes back and the table stays small
    instead of gaining a row for every transaction that writes. Returns how many went."""
    before = (now or timezone.now()) - SEARCH_CHANGES_KEPT
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM procurement_searchchange WHERE changed_at < %s"
            " AND id < (SELECT max(id) FROM procurement_searchchange)",
            [before],
        )
        return cursor.rowcount


@transaction.atomic
def category_save(*, category: Category, actor) -> Category:
    """Save a category of the tree and keep the search index of its suppliers right.

    Category names are part of the stored search vector and codes of the denormalised
    category list, so the suppliers with a product in the category or below it are
    reindexed when it changes.
    """
    before = (
        audit_snapshot(Category.objects.get(pk=category.pk), CATEGORY_FIELDS) if category.pk else {}
    )
    category.full_clean()
    category.save()
    changes = audit_diff(before, audit_snapshot(category, CATEGORY_FIELDS))
    reindexed: list[int] = []
    if before and changes:
        reindexed = list(
            Product.objects.filter(
                Q(category=category)
                | Q(category__parent=category)
                | Q(category__parent__parent=category)
            )
            .order_by()
            .values_list("supplier_id", flat=True)
            .distinct()
        )
        if reindexed:
            supplier_reindex(supplier_ids=reindexed)
    if changes:
        audit_log(
            actor=actor,
            action="category.changed" if before else "category.created",
            obj=category,
            changes=changes,
            data={"suppliers_reindexed": len(reindexed)},
        )
    return category


# --- profiles ---------------------------------------------------------------------------


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


def _clean(instance, exclude: Iterable[str] = ()) -> None:
    instance.full_clean(exclude=[*exclude], validate_unique=False, validate_constraints=False)


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


def _check_owner_or_coordinator(user, supplier: Supplier) -> None:
    if user is not None and user.is_authenticated and user.has_role(Role.COORDINATOR):
        return
    _check_owner(user, supplier)


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


# --- labels and products ----------------------------------------------------------------


def _mark_changed(supplier: Supplier, actor) -> None:
    if supplier.state == SupplierState.VERIFIED and not actor.has_role(Role.COORDINATOR):
        Supplier.objects.filter(pk=supplier.pk).update(
            changed_since_verification=True, updated_at=timezone.now()
        )


def _check_editable(supplier: Supplier) -> None:
    if supplier.state == SupplierState.WITHDRAWN:
        raise ValidationError(
            _("A withdrawn profile cannot be changed; submit it again first."),
            code="withdrawn",
        )


@transaction.atomic
def label_save(
    *,
    supplier: Supplier,
    actor,
    data: Mapping[str, Any],
    label: Label | None = None,
    evidence=None,
    remove_evidence: bool = False,
) -> Label:
    """Add a label to the profile, or change one; a changed label is checked again."""
    _check_owner_or_coordinator(actor, supplier)
    _check_editable(supplier)
    if label is not None and label.supplier_id != supplier.pk:
        raise PermissionDenied(_("This label belongs to another profile."))
    label = label or Label(supplier=supplier)
    before = audit_snapshot(label, LABEL_FIELDS) if label.pk else {}
    for field in LABEL_FIELDS:
        if field in data:
            setattr(label, field, data[field])
    if label.kind != LabelKind.PSO:
        label.pso_level = ""
    if label.kind != LabelKind.OTHER:
        label.name = ""
    if evidence:
        label.evidence = evidence
    elif remove_evidence:
        label.evidence = ""
    _clean(label, exclude=["supplier"])
    if label.kind == LabelKind.PSO and not label.pso_level:
        raise ValidationError({"pso_level": _("Choose the PSO level.")}, code="pso_level_required")
    if label.kind == LabelKind.OTHER and not label.name:
        raise ValidationError({"name": _("Give the name of the label.")}, code="name_required")
    if label.valid_until < label.valid_from:
        raise ValidationError(
            {"valid_until": _("A label cannot end before it starts.")}, code="period"
        )
    created = label.pk is None
    if not created and label.valid_until != before.get("valid_until"):
        label.reminder_sent_at = None
    label.save()
    _mark_changed(supplier, actor)
    audit_log(
        actor=actor,
        action="supplier.label_added" if created else "supplier.label_changed",
        obj=supplier,
        changes=audit_diff(before, audit_snapshot(label, LABEL_FIELDS)),
        data={"label": label.display_name},
    )
    return label


@transaction.atomic
def label_remove(*, label: Label, actor) -> None:
    supplier = label.supplier
    _check_owner_or_coordinator(actor, supplier)
    _check_editable(supplier)
    name = label.display_name
    label.delete()
    audit_log(actor=actor, action="supplier.label_removed", obj=supplier, data={"label": name})


@transaction.atomic
def label_send_expiry_reminder(*, label: Label, now: datetime | None = None) -> bool:
    """Tell the owners a label is about to expire; once per validity period."""
    label = Label.objects.select_for_update().select_related("supplier").get(pk=label.pk)
    if label.reminder_sent_at is not None:
        return False
    label.reminder_sent_at = now or timezone.now()
    label.save(update_fields=["reminder_sent_at"])
    _notify_owners(label.supplier, "label_expiring", label=label)
    audit_log(
        actor=None,
        action="supplier.label_reminder_sent",
        obj=label.supplier,
        data={"label": label.display_name, "valid_until": label.valid_until},
    )
    return True


@transaction.atomic
def product_save(
    *, supplier: Supplier, actor, data: Mapping[str, Any], product: Product | None = None
) -> Product:
    _check_owner_or_coordinator(actor, supplier)
    _check_editable(supplier)
    if product is not None and product.supplier_id != supplier.pk:
        raise PermissionDenied(_("This product belongs to another profile."))
    product = product or Product(supplier=supplier)
    before = audit_snapshot(product, PRODUCT_FIELDS) if product.pk else {}
    for field in PRODUCT_FIELDS:
        if field in data:
            setattr(product, field, data[field])
    _clean(product, exclude=["supplier"])
    created = product.pk is None
    product.save()
    supplier_reindex(supplier_ids=[supplier.pk])
    _mark_changed(supplier, actor)
    audit_log(
        actor=actor,
        action="supplier.product_added" if created else "supplier.product_changed",
        obj=supplier,
        changes=audit_diff(before, audit_snapshot(product, PRODUCT_FIELDS)),
        data={"product": product.name},
    )
    return product


@transaction.atomic
def product_remove(*, product: Product, actor) -> None:
    supplier = product.supplier
    _check_owner_or_coordinator(actor, supplier)
    _check_editable(supplier)
    name = product.name
    product.delete()
    supplier_reindex(supplier_ids=[supplier.pk])
    _mark_changed(supplier, actor)
    audit_log(actor=actor, action="supplier.product_removed", obj=supplier, data={"product": name})


# --- shortlists -------------------------------------------------------------------------


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


# --- inquiries --------------------------------------------------------------------------


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
