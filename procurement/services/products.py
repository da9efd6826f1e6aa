"""The products and services of a profile; they are part of its search index."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from impactportal.audit.services import audit_diff, audit_log, audit_snapshot

from ..models import Product, Supplier
from ._common import _check_editable, _clean, _mark_changed
from .access import _check_owner_or_coordinator
from .search_index import supplier_reindex

PRODUCT_FIELDS = ("name", "description", "category")


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
