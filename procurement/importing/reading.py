"""Step 1 of the import: the uploaded bytes as rows of text cells per known column.

Broken, disguised, oversized or zip-bomb files are refused with one clear message.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from impactportal.uploads import open_zip

from .columns import _HEADER_ALIASES, COLUMN_BY_NAME, COLUMNS, REQUIRED_COLUMNS, _header_key

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Empty rows are skipped, but only so many: a sheet of a million empty rows is refused.
MAX_SCANNED_ROWS = 4 * MAX_ROWS
MAX_COLUMNS = 60
# An .xlsx is a zip file; what it claims to unpack to is checked before it is opened.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_EXTENSIONS = {".csv", ".txt", ".xlsx"}


class ImportFileError(ValidationError):
    """The file as a whole cannot be read; nothing in it is imported."""


@dataclass
class Table:
    """The rows of the file: per data row its number (as the spreadsheet shows it) and
    the text of each known column that the file has."""

    file_name: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    ignored_columns: list[str] = field(default_factory=list)


def _refuse(message: str, code: str) -> ImportFileError:
    return ImportFileError(message, code=code)


def _not_a_table(name: str) -> ImportFileError:
    return _refuse(
        _(
            "%(name)s is not a CSV file (UTF-8, separated by ; or ,) or an Excel workbook "
            "(.xlsx), or its content does not match its name."
        )
        % {"name": name},
        "file_type",
    )


def read_table(uploaded) -> Table:
    """Read an uploaded CSV or XLSX file, or raise ImportFileError saying what is wrong."""
    name = PurePath(getattr(uploaded, "name", "") or "").name[:255] or "bestand"
    extension = PurePath(name).suffix.lower()
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise _too_large(name, size)
    uploaded.seek(0)
    data = uploaded.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(name, len(data))
    if not data.strip():
        raise _refuse(_("%(name)s is empty.") % {"name": name}, "empty_file")
    if extension not in _EXTENSIONS:
        raise _not_a_table(name)
    if data.startswith(_OLE2):
        raise _refuse(
            _(
                "%(name)s is in the old Excel format (.xls). Save it as an Excel workbook "
                "(.xlsx) or as CSV UTF-8 and upload that."
            )
            % {"name": name},
            "old_excel",
        )
    if extension == ".xlsx" or data.startswith(_ZIP):
        if extension != ".xlsx" or not data.startswith(_ZIP):
            raise _not_a_table(name)
        header, body = _read_xlsx(data, name)
    else:
        header, body = _read_csv(data, name)
    return _table(name, header, body)


def _too_large(name: str, size: int) -> ImportFileError:
    return _refuse(
        _("%(name)s is %(size)s; the file can be at most %(max)s.")
        % {"name": name, "size": filesizeformat(size), "max": filesizeformat(MAX_FILE_BYTES)},
        "file_too_large",
    )


def _too_many_rows(name: str) -> ImportFileError:
    return _refuse(
        _("%(name)s has more than %(max)d rows; split it into smaller files.")
        % {"name": name, "max": MAX_ROWS},
        "too_many_rows",
    )


def _read_csv(data: bytes, name: str) -> tuple[list[str], Iterable[tuple[int, list[Any]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _not_a_table(name) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise _not_a_table(name) from error
    if not records:
        raise _refuse(_("%(name)s is empty.") % {"name": name}, "empty_file")
    if len(records) > MAX_SCANNED_ROWS + 1:
        raise _too_many_rows(name)
    return records[0], ((number, record) for number, record in enumerate(records[1:], start=2))


def _check_zip(data: bytes, name: str) -> None:
    try:
        with open_zip(
            io.BytesIO(data),
            name=name,
            max_unpacked_bytes=MAX_UNPACKED_BYTES,
            max_entries=MAX_ZIP_ENTRIES,
        ) as archive:
            names = set(archive.namelist())
    except ValidationError as bomb:
        raise _refuse(bomb.message, bomb.code) from bomb
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as error:
        raise _not_a_table(name) from error
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_a_table(name)


def _read_xlsx(data: bytes, name: str) -> tuple[list[str], Iterable[tuple[int, list[Any]]]]:
    # Sizes first: openpyxl would unpack whatever the archive claims to hold.
    _check_zip(data, name)
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = []
        for number, values in enumerate(
            sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            if number > MAX_SCANNED_ROWS + 1:
                raise _too_many_rows(name)
            rows.append((number, list(values)))
        workbook.close()
    except ImportFileError:
        raise
    except Exception as error:
        # openpyxl raises many kinds of errors for damaged or hostile workbooks (zip,
        # XML, KeyError for missing parts, ValueError for bad cells); all mean the same.
        raise _not_a_table(name) from error
    if not rows:
        raise _refuse(_("%(name)s is empty.") % {"name": name}, "empty_file")
    return [_cell_text(v) for v in rows[0][1]], rows[1:]


def _cell_text(value: Any, column: str = "") -> str:
    """A spreadsheet cell as the text the validation reads."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        # A number cell loses leading zeros: KvK 01234567 arrives as 1234567.
        width = {"kvk": 8, "vestigingsnummer": 12}.get(column)
        return str(value).zfill(width) if width and value >= 0 else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _table(name: str, header: list[Any], body: Iterable[tuple[int, list[Any]]]) -> Table:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, title in enumerate(header[:MAX_COLUMNS]):
        text = _cell_text(title).lstrip("\ufeff")
        if not text:
            continue
        key = _header_key(text)
        column = key if key in COLUMN_BY_NAME else _HEADER_ALIASES.get(key)
        if column is None:
            ignored.append(text[:60])
        elif column in positions:
            raise _refuse(
                _("The column %(column)s occurs twice in the first row.") % {"column": column},
                "duplicate_column",
            )
        else:
            positions[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        raise _refuse(
            _(
                "The first row must hold the column names; these are missing: %(columns)s. "
                "See the list of columns below."
            )
            % {"columns": ", ".join(missing)},
            "missing_columns",
        )
    rows = []
    for number, values in body:
        cells = {
            column: _cell_text(values[index], column) if index < len(values) else ""
            for column, index in positions.items()
        }
        if not any(cells.values()):
            continue
        if len(rows) == MAX_ROWS:
            raise _too_many_rows(name)
        rows.append((number, cells))
    if not rows:
        raise _refuse(_("%(name)s has column names but no suppliers.") % {"name": name}, "no_rows")
    columns = [c.name for c in COLUMNS if c.name in positions]
    return Table(file_name=name, columns=columns, rows=rows, ignored_columns=ignored)
