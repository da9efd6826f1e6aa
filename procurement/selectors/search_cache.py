"""The per-process search cache: facet counts, result pages and the rendered results
region, reused while they are still exactly right."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from ..models import Supplier
from .profiles import confirmed_since

if TYPE_CHECKING:
    from .facets import FacetCounts

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
