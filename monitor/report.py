"""The monitor's report: the figures of up to three periods side by side, per area.

``build_report`` computes the figures of the chosen period, the period before it and, if
chosen, the baseline (*nulmeting*), and lays them out as areas of figures with rows. The
figures themselves come from the apps (``impactportal.figures``: each app declares what it
counts and how to show it); the monitor knows no app. The page, the printable report, the
CSV files and the workbook all render this one structure, so they always hold the same
numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from impactportal import figures
from impactportal.figures import (  # noqa: F401 (the report's building blocks, for its users)
    COLUMN_KEYS,
    COUNT,
    DAYS,
    EURO,
    HOURS,
    PERCENT,
    Figure,
    Row,
)

from .periods import Period

CURRENT, PREVIOUS, BASELINE = COLUMN_KEYS


def figure_slugs() -> tuple[str, ...]:
    """Every figure the report holds, in order (each has a CSV at /monitor/csv/<slug>/)."""
    return figures.figure_slugs()


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    period: Period


@dataclass
class Area:
    slug: str
    title: str
    figures: list[Figure]


@dataclass
class Report:
    columns: list[Column]
    areas: list[Area]

    @property
    def figures(self) -> list[Figure]:
        return [figure for area in self.areas for figure in area.figures]

    def figure(self, slug: str) -> Figure | None:
        return next((figure for figure in self.figures if figure.slug == slug), None)

    @property
    def current(self) -> Period:
        return self.columns[0].period


def report_columns(period: Period, *, baseline: Period | None = None) -> list[Column]:
    """The columns of the report: ``period``, the period before it and the baseline."""
    columns = [
        Column(CURRENT, _("This period"), period),
        Column(PREVIOUS, _("Previous period"), period.previous()),
    ]
    if baseline is not None:
        columns.append(Column(BASELINE, _("Baseline"), baseline))
    return columns


def build_report(
    period: Period, *, baseline: Period | None = None, today: date | None = None
) -> Report:
    """The report for ``period``, compared with the period before it and the baseline."""
    columns = report_columns(period, baseline=baseline)
    periods = [column.period for column in columns]
    raws = figures.compute_all(periods, today or timezone.localdate())
    areas = [Area(slug, title, found) for slug, title, found in figures.areas(raws)]
    for area in areas:
        for figure in area.figures:
            for row in figure.rows:
                if figure.unit != COUNT and row.unit == COUNT:
                    row.unit = figure.unit
                row.compute_changes()
    return Report(columns=columns, areas=areas)
