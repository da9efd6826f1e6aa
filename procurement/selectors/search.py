"""Typed text as a Dutch full-text query that tolerates typos, and the order of the
results."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Lower

from impactportal.search import prefix, search_words

from ..constants import MAX_QUERY_LENGTH, MAX_QUERY_WORDS, TYPO_SIMILARITY, SortOrder
from ..models import Supplier

# An exact name match always outranks any weighted full-text score (those stay below 1).
EXACT_NAME_BONUS = 10.0


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

    The words and their prefix rule are the portal's (``impactportal.search``). Every
    word must match as the prefix of a stored word, stemmed or as typed (so half-typed
    words work), either as typed or as the most similar word (pg_trgm) that occurs in
    public profiles: "cirkulair" also finds "circulair". Each word costs a lookup of
    similar words, so fewer words count than elsewhere (``MAX_QUERY_WORDS``).
    """
    text = text[:MAX_QUERY_LENGTH].strip()
    words = search_words(text)[:MAX_QUERY_WORDS]
    if not words:
        return TextSearch(text, None)
    with connection.cursor() as cursor:
        cursor.execute(_TYPO_SQL, [words, TYPO_SIMILARITY])
        rows = cursor.fetchall()
    query, corrections = None, []
    for typed, best in rows:
        spellings = [typed]
        if best and best != typed and not best.startswith(typed):
            spellings.append(best)
            corrections.append((typed, best))
        word = None
        for spelling in spellings:
            # The Dutch stemmer also shortens a typed prefix ("schoon" becomes "schon"),
            # which no longer starts the stored "schoonmak": the unstemmed prefix does.
            for config in ("dutch", "simple"):
                part = prefix(spelling, config=config)
                word = part if word is None else word | part
        query = word if query is None else query & word
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
