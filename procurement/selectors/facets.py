"""The facet counts of a search (one aggregate query) and the category tree they name."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from ..models import Category, Supplier
from .profiles import confirmed_since
from .search_cache import (
    _STORABLE_SQL,
    _VERSION_SQL,
    _cache_key,
    _facet_cache,
    _search_cache_enabled,
    _without_confirmed_line,
)


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
    made earlier are reused while they are exactly right (see ``search_cache``);
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
