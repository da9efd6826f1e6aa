"""Every CSV and Excel file the portal hands out is written here.

Exports hold text that other people typed (names, titles, notes, answers), and the file
is opened by someone else in Excel or LibreOffice on a municipal workstation. A cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read there as a
formula (CSV or formula injection), so every text cell that does, also after leading
whitespace, gets an apostrophe in front, as the OWASP guidance advises. Numbers, dates and
Decimals are passed as values and stay values: a negative number is a number, not a
formula. Control characters that Excel refuses are dropped.

An export hands over a header and rows of plain values (text, numbers, dates, ``None``)
and gets a response back:

- ``csv_response``: the whole file at once, for a few hundred rows;
- ``streaming_csv_response``: rows are written as they are read (``QuerySet.iterator``),
  for exports of thousands of rows;
- ``xlsx_response``: one or more ``Sheet`` in a workbook written in openpyxl's
  write-only mode.

CSV is what Dutch Excel opens as is: UTF-8 with a byte order mark, ``;`` between fields.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from typing import Any

from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils import numberformat, timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is a formula (or becomes one) in Excel/LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "%d-%m-%Y"
DATETIME_FORMAT = "%d-%m-%Y %H:%M"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet should show it: as typed, never evaluated.

    Leading whitespace does not help: some programs trim it on import.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if text.startswith(FORMULA_PREFIXES) or text.lstrip().startswith(FORMULA_PREFIXES):
        return f"'{text}"
    return text


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


# CSV ---------------------------------------------------------------------------------------


def _csv_text(value: Any, decimal_separator: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime(DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(DATE_FORMAT)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return numberformat.format(value, decimal_separator)
    return neutralise(str(value))


class _Echo:
    """A file-like object whose ``write`` hands the written line back."""

    def write(self, line: str) -> str:
        return line


def _csv_lines(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], decimal_separator: str
) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")

    def line(row: Sequence[Any]) -> str:
        return writer.writerow([_csv_text(value, decimal_separator) for value in row])

    # The header now, in the request's language: a streamed body is written later.
    return chain(["\ufeff" + line(header)], map(line, rows))


def csv_response(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    decimal_separator: str = ".",
) -> HttpResponse:
    """A CSV file of ``header`` and ``rows``, written at once.

    Floats and Decimals are written with ``decimal_separator`` (pass the interface
    language's, ``formats.get_format("DECIMAL_SEPARATOR")``, for numbers Dutch Excel
    reads as numbers); dates as dd-mm-yyyy, datetimes in local time.
    """
    response = HttpResponse(
        "".join(_csv_lines(header, rows, decimal_separator)), content_type=CSV_CONTENT_TYPE
    )
    _attachment(response, filename)
    return response


def streaming_csv_response(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    filename: str,
    decimal_separator: str = ".",
) -> StreamingHttpResponse:
    """``csv_response`` for large exports: ``rows`` is read while the file is sent."""
    lines = _csv_lines(header, rows, decimal_separator)
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in lines), content_type=CSV_CONTENT_TYPE
    )
    _attachment(response, filename)
    return response


# Excel -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A row in a font of its own: a title, or the header of a block further down a sheet."""

    cells: Sequence[Any]
    font: Font = BOLD


@dataclass(frozen=True)
class Sheet:
    """One worksheet: the header (bold, stays in view while scrolling), then the rows.

    A row is a sequence of values, or a ``Row``. ``column_widths`` maps column letters to
    widths in characters.
    """

    title: str
    rows: Iterable[Sequence[Any] | Row]
    header: Sequence[Any] = ()
    column_widths: Mapping[str, float] = field(default_factory=dict)


def _sheet_title(title: str) -> str:
    # Excel allows 31 characters, none of []:*?/\ and no apostrophe at either end.
    cleaned = "".join(c for c in ILLEGAL_CHARACTERS_RE.sub("", title) if c not in "[]:*?/\\")
    return cleaned.strip(" '")[:31].rstrip(" '") or "Export"


def _xlsx_cell(worksheet: Any, value: Any, font: Font | None) -> Any:
    number_format = None
    if isinstance(value, datetime):
        # Excel has no time zones: the local time, as the portal shows it.
        value = _local(value).replace(tzinfo=None)
        number_format = "dd-mm-yyyy hh:mm"
    elif isinstance(value, date):
        number_format = "dd-mm-yyyy"
    elif value is not None and not isinstance(value, int | float | Decimal):
        value = neutralise(str(value))
    if font is None and number_format is None:
        return value
    cell = WriteOnlyCell(worksheet, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _write_sheet(workbook: Workbook, sheet: Sheet) -> None:
    worksheet = workbook.create_sheet(title=_sheet_title(str(sheet.title)))
    for letter, width in sheet.column_widths.items():
        worksheet.column_dimensions[letter].width = width
    if sheet.header:
        worksheet.freeze_panes = "A2"
        worksheet.append([_xlsx_cell(worksheet, value, BOLD) for value in sheet.header])
    for row in sheet.rows:
        cells, font = (row.cells, row.font) if isinstance(row, Row) else (row, None)
        worksheet.append([_xlsx_cell(worksheet, value, font) for value in cells])


def xlsx_response(*sheets: Sheet, filename: str) -> HttpResponse:
    """An Excel workbook of ``sheets``, in their order.

    Numbers, dates and datetimes (in local time) stay values Excel can calculate with.
    """
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    _attachment(response, filename)
    return response


def _attachment(response: HttpResponseBase, filename: str) -> None:
    # Every response above passes here; the spreadsheet injection test counts on that to
    # tell which export made a file.
    response["Content-Disposition"] = content_disposition_header(True, filename)
