"""Percentiles and tables for the reports of the benchmarks and the load test."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from tabulate import tabulate


def percentile(values: Sequence[float], percent: int) -> float:
    """The ``percent`` percentile (95 for p95) of a non-empty list of measurements.

    The list is every request of a run, not a sample of more, so the inclusive method:
    the lowest value is p0, the highest p100, and between two measurements the value
    is interpolated."""
    if len(values) == 1:
        return float(values[0])
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def value_range(values) -> str:
    """ "4" or "4-9" for the values that are not None (query counts), "-" for none."""
    values = [value for value in values if value is not None]
    if not values:
        return "-"
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, markdown: bool = False) -> str:
    """Rows of text cells as aligned columns for the terminal, or as a Markdown table for
    docs/benchmarks.md; the first column left-aligned, the numbers right-aligned."""
    return tabulate(
        rows,
        headers=header,
        tablefmt="pipe" if markdown else "simple",
        disable_numparse=True,  # the cells are formatted already ("1-4", "12.0")
        colalign=("left",) + ("right",) * (len(header) - 1),
    )
