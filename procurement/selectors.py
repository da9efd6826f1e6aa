"""Reads of Platform Goed Inkopen, with the joins each page needs (query counts are pinned).

What the public sees is decided here: only verified profiles (``PUBLIC_STATES``), and a
label only counts on the days it is valid (``Label.objects.valid_on``), computed at
query time so an expired label can never be shown or counted as valid.

A search page costs a constant number of queries whatever the size of the result:
the category tree (1), the typo lookup when there are words (1), the facet counts with
the total (1), the page of results (1) and their valid labels (1).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Membership
from impactportal.search import prefix, search_words

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


# --- search cache -----------------------------------------------------------------------
#
# A search page over 100,000 suppliers costs up to a second of database time when a word
# or the whole directory matches tens of thousands of profiles (ranking them all, counting
# every facet over them). Facet counts and the ids of a result page are therefore kept per
# process and reused while they are still exactly right:
#
# - The version of the data: triggers (migration 0003) add a row to
#   procurement_searchchange in every transaction that writes suppliers, labels, products
#   or categories, however it writes them. A kept answer carries the newest id it saw and
#   is only used while that is still the newest id.
# - The date is part of the key: labels expire (and start) at midnight.
# - "Niet recent bevestigd" moves with the clock: a kept facet count is only used if no
#   profile crossed that line since it was made.
# - Checking and computing is one statement, so a page costs the same number of queries
#   whether the answer was kept or not; the expensive part is skipped by the database
#   (a one-time filter) when the kept answer is still right.
# - An answer is only kept when it was read outside any transaction that wrote, and no
#   other such transaction was in progress (the snapshot lists none): so it cannot
#   contain uncommitted data, nor miss a commit that lands later under an older change
#   id. (Tests run inside a transaction that wrote their data, so they never keep.)
# - What the search page draws from kept answers (the results region: facets and cards)
#   is kept with their version, per language, day and request; it is shown only when
#   both the facet counts and the page are kept answers of that same version.

SEARCH_CACHE_SIZE = 1000
_VERSION_SQL = "(SELECT coalesce(max(id), 0) FROM procurement_searchchange)"
# Nothing uncommitted can be in the answer: neither this transaction nor any other has
# written. (The function is also parallel-unsafe, which keeps the planner from starting
# worker processes for a branch that the one-time filter skips anyway.)
_STORABLE_SQL = (
    "(pg_current_xact_id_if_assigned() IS NULL"
    " AND NOT EXISTS (SELECT FROM pg_snapshot_xip(pg_current_snapshot())))"
)


class _Lru:
    """A small thread-safe least-recently-used map (gunicorn threads share a process)."""

    def __init__(self, size: int):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_facet_cache = _Lru(SEARCH_CACHE_SIZE)
_page_cache = _Lru(SEARCH_CACHE_SIZE)


# The rendered results region of a search (facets and cards), for visitors who are not
# procurement officers (officers see their own shortlists in it). Smaller: a page is
# some 40 kB.
RESULTS_CACHE_SIZE = 200
_results_cache = _Lru(RESULTS_CACHE_SIZE)


def search_cache_clear() -> None:
    """Forget every kept answer (never needed for correctness; for benchmarks)."""
    _facet_cache.clear()
    _page_cache.clear()
    _results_cache.clear()


def kept_version(counts: FacetCounts, suppliers: list[Supplier]) -> int | None:
    """The version of the data when the facet counts and the result page both are kept
    answers that are still right, and of the same version; None otherwise. What was drawn
    from those answers before (``kept_results``) is then still right as well."""
    if counts.kept_version is None or not suppliers:
        return None
    first = suppliers[0]
    if not first.search_cache_hit or first.search_cache_version != counts.kept_version:
        return None
    return counts.kept_version


def kept_results(parts: tuple, version: int) -> str | None:
    """The results region rendered before for the same search (``parts``: everything
    else it was drawn from, such as the language) from the same ``version``."""
    if not _search_cache_enabled():
        return None
    kept = _results_cache.get(_cache_key(DEFAULT_DB_ALIAS, "results", *parts))
    return kept[1] if kept and kept[0] == version else None


def keep_results(parts: tuple, version: int, html: str) -> None:
    if _search_cache_enabled():
        _results_cache.put(_cache_key(DEFAULT_DB_ALIAS, "results", *parts), (version, html))


def _cache_key(using: str, *parts) -> str:
    database = connections[using].settings_dict["NAME"]
    return hashlib.sha256(repr((database, *parts)).encode()).hexdigest()


def _without_confirmed_line(sql: str, params, now: datetime) -> tuple[tuple, list[datetime]]:
    """The query's parameters for a cache key, with the "recently confirmed" line of the
    ``bevestigd`` filter (now minus a fixed period, so different every request) taken
    out, and the lines that were taken out (a kept answer for them is checked for
    profiles that crossed the line since)."""
    if '"confirmed_at"' not in sql:
        return tuple(params), []
    line, lines, keyed = confirmed_since(now), [], []
    for param in params:
        if isinstance(param, datetime) and abs(param - line) < timedelta(hours=1):
            lines.append(param)
            keyed.append("<confirmed line>")
        else:
            keyed.append(param)
    return tuple(keyed), lines


def _search_cache_enabled() -> bool:
    return getattr(settings, "PROCUREMENT_SEARCH_CACHE", True)


# --- facets -----------------------------------------------------------------------------


@dataclass
class FacetCounts:
    """Counts per facet value within one filtered result, and the result's size."""

    total: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    # Set when the counts are a kept answer: the version of the data they are right for.
    kept_version: int | None = field(default=None, compare=False)

    def of(self, facet: str, value) -> int:
        return self.counts.get(facet, {}).get(str(value), 0)

    def copy(self) -> FacetCounts:
        return FacetCounts(
            self.total, defaultdict(dict, {k: dict(v) for k, v in self.counts.items()})
        )


@dataclass(frozen=True)
class _KeptFacets:
    version: int
    # The earliest and latest "recently confirmed" line the counts were made with.
    lines: tuple[datetime, datetime]
    counts: FacetCounts


# The single-valued facets are counted in one pass over the hits, the array facets per
# distinct combination (a few hundred) before unnesting: few passes over many rows.
# ``meta`` says whether a kept answer (version %s, made with the "recently confirmed"
# line at the first of the two moments) is still right; only if not are the hits read.
_FACETS_SQL = f"""
WITH hits AS MATERIALIZED ({{hits}}),
meta AS MATERIALIZED (
    SELECT {_VERSION_SQL} AS version, {_STORABLE_SQL} AS storable
),
kept AS MATERIALIZED (
    SELECT meta.version = %s AND NOT EXISTS (
        SELECT FROM procurement_supplier
        WHERE confirmed_at >= %s AND confirmed_at < %s
    ) AS valid FROM meta
),
plain AS MATERIALIZED (
    SELECT region, size, impact_first, coalesce(confirmed_at >= %s, FALSE) AS recent,
        count(*) AS n
    FROM hits WHERE NOT (SELECT valid FROM kept) GROUP BY 1, 2, 3, 4
)
SELECT 'meta', CASE WHEN meta.storable THEN 'storable' ELSE '' END
    || CASE WHEN kept.valid THEN ' valid' ELSE '' END, meta.version
    FROM meta, kept
UNION ALL SELECT 'total', '', coalesce(sum(n), 0)::bigint FROM plain
UNION ALL SELECT 'thema', t, sum(n)::bigint FROM (
    SELECT themes, count(*) AS n FROM hits WHERE NOT (SELECT valid FROM kept) GROUP BY themes
) AS g, unnest(g.themes) AS t GROUP BY t
UNION ALL SELECT 'categorie', c, sum(n)::bigint FROM (
    SELECT category_codes, count(*) AS n FROM hits WHERE NOT (SELECT valid FROM kept)
    GROUP BY category_codes
) AS g, unnest(g.category_codes) AS c GROUP BY c
UNION ALL SELECT 'sdg', s::text, sum(n)::bigint FROM (
    SELECT sdgs, count(*) AS n FROM hits WHERE NOT (SELECT valid FROM kept) GROUP BY sdgs
) AS g, unnest(g.sdgs) AS s GROUP BY s
UNION ALL SELECT 'regio', region, sum(n)::bigint FROM plain GROUP BY region
UNION ALL SELECT 'omvang', size, sum(n)::bigint FROM plain GROUP BY size
UNION ALL SELECT 'impact', CASE WHEN impact_first THEN 'first' ELSE 'second' END, sum(n)::bigint
    FROM plain GROUP BY impact_first
UNION ALL SELECT 'bevestigd', CASE WHEN recent THEN 'recent' ELSE 'niet-recent' END,
    sum(n)::bigint FROM plain GROUP BY recent
UNION ALL SELECT 'label', l.kind, count(DISTINCT l.supplier_id)
    FROM procurement_label l JOIN hits ON hits.id = l.supplier_id
    WHERE NOT (SELECT valid FROM kept) AND l.valid_from <= %s AND l.valid_until >= %s
    GROUP BY l.kind
"""  # noqa: S608 (built from constants; values are parameters)


def facet_counts(queryset: QuerySet[Supplier], *, now: datetime | None = None) -> FacetCounts:
    """Every facet's counts for the filtered ``queryset`` in one aggregate query.

    A count is the number of suppliers in the current result that have the value, so
    choosing a value shows exactly that many; expired labels are not counted. Counts
    made earlier are reused while they are exactly right (see "search cache" above);
    it is one query either way.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    line = confirmed_since(now)
    hits = queryset.order_by().values(
        "id", "themes", "category_codes", "sdgs", "region", "size", "impact_first", "confirmed_at"
    )
    sql, params = hits.query.get_compiler(using=queryset.db).as_sql()
    keyed, lines = _without_confirmed_line(sql, params, now)
    lines = (min([line, *lines]), max([line, *lines]))
    key = _cache_key(queryset.db, "facets", sql, keyed, day)
    kept = _facet_cache.get(key) if _search_cache_enabled() else None
    # Any profile confirmed between the earliest and the latest line, then or now,
    # may have changed sides.
    window = (min(kept.lines[0], lines[0]), max(kept.lines[1], lines[1])) if kept else lines
    result, flags, version = FacetCounts(), "", 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            _FACETS_SQL.format(hits=sql),
            [*params, kept.version if kept else -1, *window, line, day, day],
        )
        for facet, value, count in cursor.fetchall():
            if facet == "meta":
                flags, version = value, count
            elif facet == "total":
                result.total = count
            else:
                result.counts[facet][value] = count
    if kept and "valid" in flags:
        counts = kept.counts.copy()
        counts.kept_version = kept.version
        return counts
    if "storable" in flags and _search_cache_enabled():
        _facet_cache.put(key, _KeptFacets(version, lines, result.copy()))
    return result


def category_tree() -> dict[str, Category]:
    """All categories by code (one query); the tree is small and drawn on every page."""
    return {category.code: category for category in Category.objects.all()}


@dataclass(frozen=True)
class _KeptPage:
    version: int
    lines: tuple[datetime, datetime] | None
    ids: tuple[int, ...]
    # The page query for next time: re-read these rows if they are still the answer,
    # search anew if not (placeholders in ``params`` are filled in with ``_fill``).
    sql: str
    params: tuple


class _Mark:
    """A placeholder among the parameters of a kept page query."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


_KEPT_VERSION, _LINE_FROM, _LINE_UNTIL, _KEPT_IDS = (
    _Mark(name) for name in ("version", "line from", "line until", "ids")
)


_LINE_MARKS: dict[int, _Mark] = {}


def _line_mark(number: int) -> _Mark:
    return _LINE_MARKS.setdefault(number, _Mark(f"confirmed line {number}"))


def _page_query(marked: QuerySet, offset: int, limit: int, lines: list) -> tuple[str, tuple]:
    """The kept page query: the ``lines`` of the ``bevestigd`` filter become placeholders
    too, so a later search anew uses the line of that moment."""
    table = connection.ops.quote_name(Supplier._meta.db_table)
    still_valid = RawSQL(  # noqa: S611 (constants only; values are parameters)
        f"{_VERSION_SQL} = %s AND NOT EXISTS (SELECT FROM {table}"
        " WHERE confirmed_at >= %s AND confirmed_at < %s)",
        [_KEPT_VERSION, _LINE_FROM, _LINE_UNTIL],
        output_field=BooleanField(),
    )
    kept_ids = RawSQL(f"{table}.id = ANY(%s)", [_KEPT_IDS], output_field=BooleanField())  # noqa: S611
    again = marked.filter(still_valid, kept_ids).annotate(search_cache_hit=Value(True))
    anew = marked.filter(~Q(still_valid)).annotate(search_cache_hit=Value(False))
    # Put together here rather than with QuerySet.union(), which renames the columns.
    again_sql, again_params = again[:limit].query.sql_with_params()
    anew_sql, anew_params = anew[offset : offset + limit].query.sql_with_params()
    params, seen = [], 0
    for param in (*again_params, *anew_params):
        if lines and isinstance(param, datetime) and param in lines:
            param, seen = _line_mark(seen % len(lines)), seen + 1
        params.append(param)
    return f"({again_sql}) UNION ALL ({anew_sql})", tuple(params)


def _fill(params: tuple, values: dict) -> list:
    return [values[p] if isinstance(p, _Mark) else p for p in params]


_VALID_LABELS_SQL = """
SELECT id, supplier_id, kind, pso_level, name FROM procurement_label
WHERE supplier_id = ANY(%s) AND valid_from <= %s AND valid_until >= %s
ORDER BY kind, pso_level, id
"""


def _attach_valid_labels(suppliers: list[Supplier], day: date, using: str) -> None:
    """What ``valid_labels_prefetch`` does (``supplier.valid_labels``), in one plain query:
    building the ORM query cost more than running it."""
    if not suppliers:
        return
    by_id = {supplier.pk: supplier for supplier in suppliers}
    for supplier in suppliers:
        supplier.valid_labels = []
    cache_supplier = Label._meta.get_field("supplier").set_cached_value
    for label in Label.objects.db_manager(using).raw(_VALID_LABELS_SQL, [list(by_id), day, day]):
        supplier = by_id[label.supplier_id]
        cache_supplier(label, supplier)
        supplier.valid_labels.append(label)


# What a result card shows (``procurement_search.supplier_cards``); reading only these
# columns halves the work of turning rows into objects.
CARD_FIELDS = (
    "slug",
    "name",
    "municipality",
    "region",
    "short_description",
    "impact_first",
    "themes",
    "verified_at",
    "confirmed_at",
)


def results_page(queryset: QuerySet[Supplier], *, offset: int, limit: int, day: date | None = None):
    """One page of suppliers for the result list, with their valid labels (2 queries).
    Only the ``CARD_FIELDS`` are read (and of the labels what names them).

    Ranking every match is what makes a broad search slow, so the ids of a page are
    kept (see "search cache" above). When they are, the first query reads just those
    rows again if they are still the answer and runs the full search if not: one query
    with two branches, of which the database runs only one.
    """
    day = day or today()
    now = timezone.now()
    rows = queryset.only(*CARD_FIELDS)
    sql, params = rows[offset : offset + limit].query.sql_with_params()
    keyed, found = _without_confirmed_line(sql, params, now)
    lines = (min(found), max(found)) if found else None
    key = _cache_key(queryset.db, "page", sql, keyed, day)
    kept = _page_cache.get(key) if _search_cache_enabled() else None
    marked = rows.annotate(
        search_cache_version=RawSQL(_VERSION_SQL, [], output_field=IntegerField()),  # noqa: S611
        search_cache_storable=RawSQL(_STORABLE_SQL, [], output_field=BooleanField()),  # noqa: S611
    )
    if kept:
        both = [line for pair in (kept.lines, lines) if pair for line in pair]
        window = (min(both), max(both)) if both else (now, now)
        values = {
            _KEPT_VERSION: kept.version,
            _LINE_FROM: window[0],
            _LINE_UNTIL: window[1],
            _KEPT_IDS: list(kept.ids),
            # The search anew (if needed) uses today's "recently confirmed" line.
            **{_line_mark(n): line for n, line in enumerate(found)},
        }
        raw = queryset.model._base_manager.db_manager(queryset.db).raw(
            kept.sql, _fill(kept.params, values)
        )
        suppliers = list(raw)
    else:
        suppliers = list(marked.annotate(search_cache_hit=Value(False))[offset : offset + limit])
    _attach_valid_labels(suppliers, day, queryset.db)
    if suppliers and not suppliers[0].search_cache_hit:
        first = suppliers[0]
        if first.search_cache_storable and _search_cache_enabled():
            if kept:
                page_sql, page_params = kept.sql, kept.params
            else:
                page_sql, page_params = _page_query(marked, offset, limit, found)
            ids = tuple(supplier.pk for supplier in suppliers)
            _page_cache.put(
                key, _KeptPage(first.search_cache_version, lines, ids, page_sql, page_params)
            )
    return suppliers


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
