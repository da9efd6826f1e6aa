"""The monitor's figures as files: a CSV per figure and one workbook with a sheet per area.

Both are written from the same ``Report`` the page shows, row for row: the label, the
unit, the value of each period and the change against the chosen period. The files are
written by ``impactportal.spreadsheets``, which keeps a topic or directorate name typed
in the admin from being read as a formula.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _

from impactportal import spreadsheets

from .report import COUNT, DAYS, EURO, HOURS, PERCENT, Area, Figure, Report


def unit_label(unit: str) -> str:
    return {
        COUNT: _("number"),
        DAYS: _("working days"),
        PERCENT: "%",
        EURO: "EUR",
        HOURS: _("hours"),
    }[unit]


def header(report: Report, figure: Figure) -> list[str]:
    cells = [figure.row_heading, _("Unit")]
    for index, column in enumerate(report.columns):
        cells.append(f"{column.title}: {column.period.label}")
        if index:
            cells.append(_("Difference from %(column)s") % {"column": column.title.lower()})
    return cells


def rows(figure: Figure) -> list[list]:
    """Label, unit, then per period its value (and, after the first, the change)."""
    result = []
    for row in figure.rows:
        cells = [row.label, unit_label(row.unit)]
        for index, (_key, value, change) in enumerate(row.cells):
            cells.append(value)
            if index:
                cells.append(change)
        result.append(cells)
    return result


def figure_csv(report: Report, figure: Figure) -> HttpResponse:
    # The decimal separator of the interface language: what Excel here opens as a number.
    return spreadsheets.csv_response(
        header(report, figure),
        rows(figure),
        filename=f"monitor-{figure.slug}-{report.current.slug}.csv",
        decimal_separator=formats.get_format("DECIMAL_SEPARATOR"),
    )


def _area_rows(report: Report, area: Area) -> list[list | spreadsheets.Row]:
    """The area's title, the periods, then each figure as a titled table."""
    result: list[list | spreadsheets.Row] = [
        spreadsheets.Row([area.title], font=spreadsheets.TITLE)
    ]
    for column in report.columns:
        period = column.period
        result.append([column.title, period.label, period.start, period.end])
    for figure in area.figures:
        result.append([])
        result.append(spreadsheets.Row([figure.title]))
        result.append(spreadsheets.Row(header(report, figure)))
        result.extend(rows(figure))
    return result


def workbook_response(report: Report) -> HttpResponse:
    """A sheet per area."""
    widths = {"A": 48, **dict.fromkeys("BCDEFG", 18)}
    sheets = [
        spreadsheets.Sheet(title=area.title, rows=_area_rows(report, area), column_widths=widths)
        for area in report.areas
    ]
    return spreadsheets.xlsx_response(
        *sheets, filename=f"voortgangsrapportage-{report.current.slug}.xlsx"
    )
