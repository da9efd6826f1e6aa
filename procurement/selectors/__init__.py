"""Reads of Platform Goed Inkopen, with the joins each page needs (query counts are pinned).

What the public sees is decided here: only verified profiles (``PUBLIC_STATES``), and a
label only counts on the days it is valid (``Label.objects.valid_on``), computed at
query time so an expired label can never be shown or counted as valid.

A search page costs a constant number of queries whatever the size of the result:
the category tree (1), the typo lookup when there are words (1), the facet counts with
the total (1), the page of results (1) and their valid labels (1).

The plain reads of profiles (``profiles``) and of what procurement officers keep
(``buyers``) stand apart from the search machinery: the text query (``search``), the
facet counts (``facets``), the result page (``results``) and the per-process cache both
of these reuse (``search_cache``). Callers use ``from procurement import selectors`` and
the names below.
"""

from __future__ import annotations

from .buyers import inquiries_of, shortlist_entries, shortlisted_ids, shortlists_of
from .facets import FacetCounts, category_tree, facet_counts
from .profiles import (
    confirmed_since,
    public_suppliers,
    supplier_detail,
    suppliers_of,
    today,
    with_valid_label,
)
from .results import CARD_FIELDS, results_page
from .search import EXACT_NAME_BONUS, TextSearch, apply_text_search, order_results, text_search
from .search_cache import (
    RESULTS_CACHE_SIZE,
    SEARCH_CACHE_SIZE,
    keep_results,
    kept_results,
    kept_version,
    search_cache_clear,
)

__all__ = [
    "CARD_FIELDS",
    "EXACT_NAME_BONUS",
    "RESULTS_CACHE_SIZE",
    "SEARCH_CACHE_SIZE",
    "FacetCounts",
    "TextSearch",
    "apply_text_search",
    "category_tree",
    "confirmed_since",
    "facet_counts",
    "inquiries_of",
    "keep_results",
    "kept_results",
    "kept_version",
    "order_results",
    "public_suppliers",
    "results_page",
    "search_cache_clear",
    "shortlist_entries",
    "shortlisted_ids",
    "shortlists_of",
    "supplier_detail",
    "suppliers_of",
    "text_search",
    "today",
    "with_valid_label",
]
