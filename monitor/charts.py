"""Server-drawn bar charts: plain SVG, no JavaScript, no external library or CDN.

``bar_chart`` only computes geometry; ``templates/monitor/_bar_chart.html`` draws it, so
every label goes through the template's escaping. Each period has its own fill pattern
(solid, hatched, dotted) with a dark outline and every bar carries its value as text, so
the chart reads without colour and in black-and-white print. The chart is one image for
assistive technology (``role="img"`` with a title and a description); the table next to
it holds the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .report import Column, Figure

WIDTH = 520
BAR_AREA = 400  # room left of the value labels
LEGEND_ROW = 24
LABEL_HEIGHT = 22
BAR_HEIGHT = 16
BAR_GAP = 3
GROUP_GAP = 12
# One per column, in order: this period, the previous period, the baseline.
PATTERNS = ("solid", "hatch", "dots")


@dataclass(frozen=True)
class Bar:
    column: int
    pattern: str
    y: float
    width: float
    value: object
    unit: str
    text_x: float
    text_y: float


@dataclass(frozen=True)
class Group:
    label: str
    focus: bool
    label_y: float
    bars: list[Bar]


@dataclass(frozen=True)
class LegendItem:
    pattern: str
    title: str
    period: str
    y: float
    text_y: float


def bar_chart(figure: Figure, columns: list[Column]) -> dict:
    """Geometry of a horizontal bar chart for ``figure``: a legend, then per row its label
    and one bar per period."""
    legend = [
        LegendItem(
            PATTERNS[index],
            column.title,
            column.period.label,
            y=index * LEGEND_ROW,
            text_y=index * LEGEND_ROW + 14,
        )
        for index, column in enumerate(columns)
    ]
    top = len(columns) * LEGEND_ROW + 8
    highest = figure.max_value or 1
    groups = []
    y = top
    for row in figure.rows:
        label_y = y + LABEL_HEIGHT - 6
        bar_y = y + LABEL_HEIGHT
        bars = []
        for index, value in enumerate(row.values):
            width = 0 if value is None else BAR_AREA * float(value) / float(highest)
            bars.append(
                Bar(
                    column=index,
                    pattern=PATTERNS[index],
                    y=bar_y,
                    width=round(max(width, 0), 1),
                    value=value,
                    unit=row.unit,
                    text_x=round(max(width, 0) + 6, 1),
                    text_y=bar_y + BAR_HEIGHT - 3,
                )
            )
            bar_y += BAR_HEIGHT + BAR_GAP
        groups.append(Group(row.label, row.focus, label_y, bars))
        y = bar_y + GROUP_GAP - BAR_GAP
    return {
        "width": WIDTH,
        "height": y,
        "bar_height": BAR_HEIGHT,
        "legend": legend,
        "groups": groups,
    }
