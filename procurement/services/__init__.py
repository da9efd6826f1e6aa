"""Writes of Platform Goed Inkopen: supplier profiles, labels, products, shortlists, inquiries.

Every write that changes what search can find calls ``supplier_reindex`` in the same
transaction, so the stored, GIN-indexed search vector and the denormalised category
codes are never stale and never computed per query.

One module per aggregate (``suppliers``, ``labels``, ``products``, ``categories``,
``shortlists``, ``inquiries``), the search index in ``search_index`` and who may do what
in ``access``; callers use ``from procurement import services`` and the names below.
"""

from __future__ import annotations

from .access import is_owner
from .categories import CATEGORY_FIELDS, category_save
from .inquiries import RateLimited, inquiries_left, inquiry_send
from .labels import LABEL_FIELDS, label_remove, label_save, label_send_expiry_reminder
from .products import PRODUCT_FIELDS, product_remove, product_save
from .search_index import (
    SEARCH_CHANGES_KEPT,
    search_changes_prune,
    search_words_rebuild,
    supplier_reindex,
)
from .shortlists import (
    shortlist_add,
    shortlist_create,
    shortlist_delete,
    shortlist_note,
    shortlist_remove,
    shortlist_update,
)
from .suppliers import (
    PROFILE_FIELDS,
    supplier_confirm,
    supplier_create,
    supplier_request_reconfirmation,
    supplier_send_back,
    supplier_submit,
    supplier_update,
    supplier_verify,
    supplier_withdraw,
)

__all__ = [
    "CATEGORY_FIELDS",
    "LABEL_FIELDS",
    "PRODUCT_FIELDS",
    "PROFILE_FIELDS",
    "SEARCH_CHANGES_KEPT",
    "RateLimited",
    "category_save",
    "inquiries_left",
    "inquiry_send",
    "is_owner",
    "label_remove",
    "label_save",
    "label_send_expiry_reminder",
    "product_remove",
    "product_save",
    "search_changes_prune",
    "search_words_rebuild",
    "shortlist_add",
    "shortlist_create",
    "shortlist_delete",
    "shortlist_note",
    "shortlist_remove",
    "shortlist_update",
    "supplier_confirm",
    "supplier_create",
    "supplier_reindex",
    "supplier_request_reconfirmation",
    "supplier_send_back",
    "supplier_submit",
    "supplier_update",
    "supplier_verify",
    "supplier_withdraw",
]
