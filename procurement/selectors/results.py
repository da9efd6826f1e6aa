"""One page of search results with their valid labels, its ids kept by the search cache."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.db.models import BooleanField, IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..models import Label, Supplier
from .profiles import today
from .search_cache import (
    _STORABLE_SQL,
    _VERSION_SQL,
    _cache_key,
    _page_cache,
    _search_cache_enabled,
    _without_confirmed_line,
)


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
    """``supplier.valid_labels``: the labels valid on ``day``, by kind and PSO level, in
    one plain query (building the ORM prefetch cost more than running it)."""
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
    kept (see ``search_cache``). When they are, the first query reads just those
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
