"""Bar chart geometry: bars scale to the largest value, missing values draw no bar."""

from datetime import date

from monitor.charts import BAR_AREA, PATTERNS, bar_chart
from monitor.periods import Period
from monitor.report import Column, Figure, Row

COLUMNS = [
    Column("current", "This period", Period.quarter(2026, 2)),
    Column("previous", "Previous period", Period.quarter(2026, 1)),
    Column("baseline", "Baseline", Period.custom(date(2025, 1, 1), date(2025, 12, 31))),
]


def test_bars_scale_to_the_largest_value_and_carry_their_values():
    figure = Figure(
        "x",
        "Title",
        "Description",
        "Row",
        [Row("a", "A", [10, 5, None]), Row("b", "B", [0, 20, 2], focus=True)],
    )
    chart = bar_chart(figure, COLUMNS)
    assert [item.pattern for item in chart["legend"]] == list(PATTERNS)
    assert [item.period for item in chart["legend"]][:2] == ["Q2 2026", "Q1 2026"]
    first, second = chart["groups"]
    assert [bar.width for bar in first.bars] == [BAR_AREA / 2, BAR_AREA / 4, 0]
    assert [bar.value for bar in first.bars] == [10, 5, None]
    assert [bar.width for bar in second.bars] == [0, BAR_AREA, BAR_AREA / 10]
    assert second.focus and not first.focus
    # Rows and bars never overlap, and the chart is tall enough for all of them.
    bars = [bar for group in chart["groups"] for bar in group.bars]
    assert all(b.y > a.y for a, b in zip(bars, bars[1:], strict=False))
    assert chart["height"] > bars[-1].y + chart["bar_height"]


def test_a_figure_of_zeros_draws_no_bars():
    figure = Figure("x", "T", "D", "R", [Row("a", "A", [0, 0])])
    chart = bar_chart(figure, COLUMNS[:2])
    assert [bar.width for bar in chart["groups"][0].bars] == [0, 0]
