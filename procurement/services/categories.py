"""The category tree (CPV codes) that products are filed under."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from impactportal.audit.services import audit_diff, audit_log, audit_snapshot

from ..models import Category, Product
from .search_index import supplier_reindex

CATEGORY_FIELDS = ("code", "name", "parent")


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
