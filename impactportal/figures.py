"""Programme figures, as each app declares them for the monitor (voortgangsrapportage).

An app registers a ``FigureProvider`` in its ``AppConfig.ready()``: how to compute its raw
figures for a list of periods in one go and how many queries that costs, and its
contributions: which area of the report each fills (an area can be filled by several
apps, such as the SDG view) and how to lay the raw figures out as figures with rows. The
monitor (``monitor.report``) walks the providers; it knows no app. The figures of up to
three periods are computed side by side (the chosen one, the one before and a baseline),
so every figure has one value per period ("column").

A period is anything with ``start`` and ``end`` dates and ``bounds()`` (the aware
datetimes ``[start 00:00, day after end 00:00)`` in Amsterdam), the monitor's ``Period``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from django.utils import translation

COUNT, DAYS, PERCENT, EURO, HOURS = "count", "days", "percent", "euro", "hours"
COLUMN_KEYS = ("current", "previous", "baseline")


class Span(Protocol):
    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]: ...


def percentage(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _difference(current, other):
    difference = current - other
    return round(difference, 1) if isinstance(difference, float) else difference


@dataclass
class Row:
    key: str
    label: str
    values: list
    unit: str = COUNT
    focus: bool = False
    changes: list = field(default_factory=list)

    def compute_changes(self) -> None:
        """Current minus each comparison period (None where either is unknown)."""
        current, *others = self.values
        self.changes = [
            None if current is None or other is None else _difference(current, other)
            for other in others
        ]

    @property
    def cells(self) -> list[tuple]:
        """(column key, value, change) per column; the first column has no change."""
        return list(zip(COLUMN_KEYS, self.values, [None, *self.changes], strict=False))


@dataclass
class Figure:
    slug: str
    title: str
    description: str
    row_heading: str
    rows: list[Row]
    chart: bool = True
    unit: str = COUNT

    @property
    def max_value(self):
        values = [v for row in self.rows for v in row.values if v is not None]
        return max(values, default=0)


# Building rows ------------------------------------------------------------------------


def rows(keys_labels, per_column: list[dict], *, unit=COUNT, focus=()) -> list[Row]:
    """One row per (key, label); values looked up in each column's dict (missing: 0)."""
    return [
        Row(
            key=str(key),
            label=str(label),
            values=[figures.get(key, 0) for figures in per_column],
            unit=unit,
            focus=key in focus,
        )
        for key, label in keys_labels
    ]


def key_row(key: str, label, per_column: list[dict], unit=COUNT) -> Row:
    """A row of one named figure, ``per_column[i][key]``."""
    return Row(key=key, label=str(label), values=[f[key] for f in per_column], unit=unit)


def choices(choices) -> list[tuple]:
    return [(choice.value, choice.label) for choice in choices]


def named_rows(per_column: list[list[dict]], label) -> tuple[list[tuple], list[dict]]:
    """Rows from lists of {"slug", ..., "count"}: keys in first-seen order over the columns."""
    keys: dict[str, str] = {}
    counts = []
    for found in per_column:
        for row in found:
            keys.setdefault(row["slug"], label(row))
        counts.append({row["slug"]: row["count"] for row in found})
    return list(keys.items()), counts


def in_language(dutch: str, english: str) -> str:
    """A name kept in both languages in the data (a topic): the one of the page."""
    return english if translation.get_language() == "en" and english else dutch


# The registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class Contribution:
    """Figures an app adds to one area of the report: ``build(raws)`` lays out the app's
    raw results (``raws[i]`` for column i) as figures."""

    area: str  # the area's slug, also the page's anchor
    area_title: Callable[[], str]
    order: int  # areas in the order of their first contribution; within an area too
    build: Callable[[list[Any]], list[Figure]]
    figure_slugs: tuple[str, ...]


@dataclass(frozen=True)
class FigureProvider:
    """One app's figures: ``compute(periods, today)`` returns one raw result per period,
    computed once however many areas it feeds; ``queries(n)`` is how many queries that
    costs for n periods, which must not depend on the data."""

    name: str
    compute: Callable[[Sequence[Span], date], list[Any]]
    queries: Callable[[int], int]
    contributions: tuple[Contribution, ...]


_PROVIDERS: dict[str, FigureProvider] = {}


def register(provider: FigureProvider) -> None:
    if provider.name in _PROVIDERS:
        raise ValueError(f"figure provider {provider.name!r} is registered twice")
    taken = set(figure_slugs())
    new = {slug for part in provider.contributions for slug in part.figure_slugs}
    if taken & new:
        raise ValueError(f"figures registered twice: {sorted(taken & new)}")
    _PROVIDERS[provider.name] = provider


def _contributions() -> list[tuple[FigureProvider, Contribution]]:
    return sorted(
        ((provider, part) for provider in _PROVIDERS.values() for part in provider.contributions),
        key=lambda pair: pair[1].order,
    )


def figure_slugs() -> tuple[str, ...]:
    """Every figure of the report, in its order (each has a CSV at /monitor/csv/<slug>/)."""
    return tuple(slug for _provider, part in _contributions() for slug in part.figure_slugs)


def query_count(periods: int) -> int:
    """The queries of all figures for ``periods`` periods."""
    return sum(provider.queries(periods) for provider in _PROVIDERS.values())


def compute_all(periods: Sequence[Span], today: date) -> dict[str, list[Any]]:
    """Per provider: its raw results, one per period."""
    return {name: provider.compute(periods, today) for name, provider in _PROVIDERS.items()}


def areas(raws: dict[str, list[Any]]) -> list[tuple[str, str, list[Figure]]]:
    """``(slug, title, figures)`` per area, the contributions to one area in order."""
    merged: dict[str, tuple[str, list[Figure]]] = {}
    for provider, part in _contributions():
        title, figures = merged.setdefault(part.area, (part.area_title(), []))
        figures.extend(part.build(raws[provider.name]))
    return [(slug, title, figures) for slug, (title, figures) in merged.items()]
