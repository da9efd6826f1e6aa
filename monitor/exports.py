"""The monitor's figures as files: a CSV per figure and one workbook with a sheet per area.

Both are written from the same ``Report`` the page shows, row for row: the label, the
unit, the value of each period and the change against the chosen period. Text that a
spreadsheet would read as a formula (a topic or directorate name typed in the admin) is
prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .report import COUNT, DAYS, EURO, HOURS, PERCENT, Figure, Report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


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


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, float | Decimal):
        # The decimal separator of the interface language: what Excel here opens as a number.
        return formats.number_format(value, use_l10n=True)
    return str(value)


def figure_csv(report: Report, figure: Figure) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="monitor-{figure.slug}-{report.current.slug}.csv"'
    )
    response.write("\ufeff")  # Excel reads UTF-8 only with a byte order mark
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_csv_value(cell) for cell in header(report, figure)])
    for cells in rows(figure):
        writer.writerow([_csv_value(cell) for cell in cells])
    return response


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in ILLEGAL_CHARACTERS_RE.sub("", title) if c not in "[]:*?/\\")
    return cleaned.strip()[:31] or "Monitor"


def _xlsx_value(value):
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def workbook_bytes(report: Report) -> bytes:
    """A sheet per area: the periods on top, then each figure as a titled table."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for area in report.areas:
        sheet = workbook.create_sheet(_sheet_title(area.title))
        sheet.append([_xlsx_value(area.title)])
        sheet["A1"].font = Font(bold=True, size=14)
        for column in report.columns:
            period = column.period
            sheet.append([column.title, period.label, period.start, period.end])
            for cell in sheet[sheet.max_row][2:4]:
                cell.number_format = "dd-mm-yyyy"
        for figure in area.figures:
            sheet.append([])
            sheet.append([_xlsx_value(figure.title)])
            sheet[sheet.max_row][0].font = bold
            sheet.append([_xlsx_value(cell) for cell in header(report, figure)])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for cells in rows(figure):
                sheet.append([_xlsx_value(cell) for cell in cells])
        sheet.column_dimensions["A"].width = 48
        for letter in "BCDEFG":
            sheet.column_dimensions[letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_response(report: Report) -> HttpResponse:
    response = HttpResponse(workbook_bytes(report), content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="voortgangsrapportage-{report.current.slug}.xlsx"'
    )
    return response
