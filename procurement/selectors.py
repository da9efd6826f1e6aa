"""Reads of Platform Goed Inkopen, with the joins each page needs (query counts are pinned).

What the public sees is decided here: only verified profiles (``PUBLIC_STATES``), and a
label only counts on the days it is valid (``Label.objects.valid_on``), computed at
query time so an expired label can never be shown or counted as valid.

A search page costs a constant number of queries whatever the size of the result:
the category tree (1), the typo lookup when there are words (1), the facet counts with
the total (1), the page of results (1) and their valid labels (1).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Membership

from .constants import (
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
    RECONFIRM_AFTER_DAYS,
    RECONFIRM_GRACE_DAYS,
    TYPO_SIMILARITY,
    SortOrder,
    SupplierState,
)
from .models import Category, Inquiry, Label, Product, Shortlist, ShortlistEntry, Supplier

# Letters and digits only: everything else could be tsquery syntax.
_WORD = re.compile(r"[^\W_]+")
# An exact name match always outranks any weighted full-text score (those stay below 1).
EXACT_NAME_BONUS = 10.0


def today() -> date:
    return timezone.localdate()


def confirmed_since(now: datetime | None = None) -> datetime:
    """Profiles confirmed before this moment are "niet recent bevestigd"."""
    return (now or timezone.now()) - timedelta(days=RECONFIRM_AFTER_DAYS + RECONFIRM_GRACE_DAYS)


def public_suppliers() -> QuerySet[Supplier]:
    return Supplier.objects.filter(state=SupplierState.VERIFIED)


def valid_labels_prefetch(day: date | None = None) -> Prefetch:
    return Prefetch(
        "labels",
        queryset=Label.objects.valid_on(day or today()).order_by("kind", "pso_level"),
        to_attr="valid_labels",
    )


def with_valid_label(queryset: QuerySet[Supplier], kind: str, day: date | None = None):
    """Suppliers holding a label of ``kind`` that is valid on ``day`` (today)."""
    return queryset.filter(
        Exists(Label.objects.valid_on(day or today()).filter(supplier=OuterRef("pk"), kind=kind))
    )


# --- text search ------------------------------------------------------------------------


@dataclass(frozen=True)
class TextSearch:
    """A searched text as a full-text query, with the spelling corrections it used."""

    text: str
    query: SearchQuery | None
    corrections: tuple[tuple[str, str], ...] = ()


_TYPO_SQL = """
SELECT typed.word, best.word
FROM unnest(%s::text[]) WITH ORDINALITY AS typed(word, n)
LEFT JOIN LATERAL (
    SELECT w.word FROM procurement_searchword w
    WHERE w.word %% typed.word AND similarity(w.word, typed.word) >= %s
    ORDER BY similarity(w.word, typed.word) DESC, w.word
    LIMIT 1
) AS best ON TRUE
ORDER BY typed.n
"""


def text_search(text: str) -> TextSearch:
    """Turn typed text into a Dutch full-text query that tolerates typos (1 query).

    Every word must match (as the prefix of a stemmed word, so half-typed words work),
    either as typed or as the most similar word (pg_trgm) that occurs in public
    profiles: "cirkulair" also finds "circulair".
    """
    text = text.replace("\x00", " ")[:MAX_QUERY_LENGTH].strip()
    words = [w.lower() for w in _WORD.findall(text) if len(w) > 1][:MAX_QUERY_WORDS]
    if not words:
        return TextSearch(text, None)
    with connection.cursor() as cursor:
        cursor.execute(_TYPO_SQL, [words, TYPO_SIMILARITY])
        rows = cursor.fetchall()
    terms, corrections = [], []
    for typed, best in rows:
        if best and best != typed and not best.startswith(typed):
            terms.append(f"({typed}:* | {best}:*)")
            corrections.append((typed, best))
        else:
            terms.append(f"{typed}:*")
    query = SearchQuery(" & ".join(terms), search_type="raw", config="dutch")
    return TextSearch(text, query, tuple(corrections))


def apply_text_search(queryset: QuerySet[Supplier], search: TextSearch) -> QuerySet[Supplier]:
    if search.query is None:
        return queryset
    return queryset.filter(search_vector=search.query)


def order_results(queryset: QuerySet[Supplier], search: TextSearch, sort: str) -> QuerySet:
    if sort == SortOrder.NAME:
        return queryset.order_by(Lower("name"), "pk")
    if sort == SortOrder.VERIFIED:
        return queryset.order_by(F("verified_at").desc(nulls_last=True), "pk")
    if search.query is None:
        return queryset.order_by(Lower("name"), "pk")
    exact = Case(
        When(Q(name__iexact=search.text), then=Value(EXACT_NAME_BONUS)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return queryset.annotate(rank=SearchRank(F("search_vector"), search.query) + exact).order_by(
        "-rank", Lower("name"), "pk"
    )


# --- facets -----------------------------------------------------------------------------


@dataclass
class FacetCounts:
    """Counts per facet value within one filtered result, and the result's size."""

    total: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def of(self, facet: str, value) -> int:
        return self.counts.get(facet, {}).get(str(value), 0)


_FACETS_SQL = """
WITH hits AS MATERIALIZED ({hits})
SELECT 'total', '', count(*) FROM hits
UNION ALL SELECT 'thema', t, count(*) FROM hits, unnest(hits.themes) AS t GROUP BY t
UNION ALL SELECT 'categorie', c, count(*) FROM hits, unnest(hits.category_codes) AS c GROUP BY c
UNION ALL SELECT 'sdg', s::text, count(*) FROM hits, unnest(hits.sdgs) AS s GROUP BY s
UNION ALL SELECT 'regio', hits.region, count(*) FROM hits GROUP BY hits.region
UNION ALL SELECT 'omvang', hits.size, count(*) FROM hits GROUP BY hits.size
UNION ALL SELECT 'impact', CASE WHEN hits.impact_first THEN 'first' ELSE 'second' END, count(*)
    FROM hits GROUP BY hits.impact_first
UNION ALL SELECT 'bevestigd',
    CASE WHEN hits.confirmed_at >= %s THEN 'recent' ELSE 'niet-recent' END, count(*)
    FROM hits GROUP BY 2
UNION ALL SELECT 'label', l.kind, count(DISTINCT l.supplier_id)
    FROM procurement_label l JOIN hits ON hits.id = l.supplier_id
    WHERE l.valid_from <= %s AND l.valid_until >= %s GROUP BY l.kind
"""


def facet_counts(queryset: QuerySet[Supplier], *, now: datetime | None = None) -> FacetCounts:
    """Every facet's counts for the filtered ``queryset`` in one aggregate query.

    A count is the number of suppliers in the current result that have the value, so
    choosing a value shows exactly that many; expired labels are not counted.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    hits = queryset.order_by().values(
        "id", "themes", "category_codes", "sdgs", "region", "size", "impact_first", "confirmed_at"
    )
    sql, params = hits.query.get_compiler(using=queryset.db).as_sql()
    result = FacetCounts()
    with connection.cursor() as cursor:
        cursor.execute(_FACETS_SQL.format(hits=sql), [*params, confirmed_since(now), day, day])
        for facet, value, count in cursor.fetchall():
            if facet == "total":
                result.total = count
            else:
                result.counts[facet][value] = count
    return result


def category_tree() -> dict[str, Category]:
    """All categories by code (one query); the tree is small and drawn on every page."""
    return {category.code: category for category in Category.objects.all()}


def results_page(queryset: QuerySet[Supplier], *, offset: int, limit: int, day: date | None = None):
    """One page of suppliers for the result list, with their valid labels (2 queries)."""
    return list(
        queryset.defer("search_vector", "description", "category_codes").prefetch_related(
            valid_labels_prefetch(day)
        )[offset : offset + limit]
    )


# --- profile pages ----------------------------------------------------------------------


def supplier_detail(slug: str) -> Supplier | None:
    """A profile with its organisation, products (with category) and all its labels."""
    return (
        Supplier.objects.select_related("organisation", "verified_by")
        .prefetch_related(
            Prefetch("products", queryset=_products()),
            Prefetch("labels", queryset=Label.objects.order_by("kind", "-valid_until")),
        )
        .filter(slug=slug)
        .first()
    )


def _products():
    return Product.objects.select_related("category__parent").order_by("name")


def suppliers_of(user) -> QuerySet[Supplier]:
    """The profiles of the user's organisations (what they may edit)."""
    if not (user and user.is_authenticated):
        return Supplier.objects.none()
    return Supplier.objects.filter(
        organisation__in=Membership.objects.filter(user=user).values("organisation")
    ).select_related("organisation")


# --- procurement officers ---------------------------------------------------------------


def shortlists_of(user) -> QuerySet[Shortlist]:
    return (
        Shortlist.objects.filter(owner=user)
        .annotate(size=Count("entries"))
        .order_by("-updated_at", "pk")
    )


def shortlist_entries(shortlist: Shortlist, day: date | None = None) -> QuerySet[ShortlistEntry]:
    return (
        ShortlistEntry.objects.filter(shortlist=shortlist)
        .select_related("supplier")
        .prefetch_related(
            Prefetch(
                "supplier__labels",
                queryset=Label.objects.valid_on(day or today()).order_by("kind"),
                to_attr="valid_labels",
            )
        )
    )


def shortlisted_ids(user, supplier_ids) -> set[int]:
    """Which of these suppliers are on any of the user's shortlists (1 query)."""
    return set(
        ShortlistEntry.objects.filter(
            shortlist__owner=user, supplier_id__in=list(supplier_ids)
        ).values_list("supplier_id", flat=True)
    )


def inquiries_of(user) -> QuerySet[Inquiry]:
    return (
        Inquiry.objects.filter(sender=user)
        .select_related("shortlist")
        .annotate(recipient_count=Count("recipients"))
        .order_by("-sent_at", "pk")
    )
