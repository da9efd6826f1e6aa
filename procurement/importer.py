"""Import of an existing supplier list (CSV or Excel) by the coordinator.

Three steps, so a dry run can never change anything:

1. ``read_table`` turns the uploaded bytes into rows of text cells per known column,
   refusing broken, disguised, oversized or zip-bomb files with one clear message.
2. ``plan_import`` validates every row and decides per row whether it creates or
   updates a supplier (matched on KvK + vestigingsnummer). It only reads the database,
   a fixed number of queries whatever the number of rows (the category tree, the
   existing suppliers and organisations with their labels and products are loaded once).
3. ``apply_import`` carries out a plan without errors in one transaction, through the
   services, so validation, the search index and the audit log apply as everywhere.

Between the preview and the import the rows travel to the browser and back as a
signed token (``sign_table``/``unsign_table``): a token that was changed, is older than
an hour or belongs to someone else is refused, and the rows are validated again.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.constants import OrganisationKind
from accounts.models import Organisation
from accounts.validators import normalise_number
from impactportal.audit.services import audit_log
from impactportal.uploads import open_zip

from . import services
from .constants import (
    SUPPLIER_TRANSITIONS,
    LabelKind,
    MvoiTheme,
    PsoLevel,
    Region,
    SizeClass,
    SupplierState,
)
from .models import Category, Label, Supplier
from .selectors import category_tree

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
# Empty rows are skipped, but only so many: a sheet of a million empty rows is refused.
MAX_SCANNED_ROWS = 4 * MAX_ROWS
MAX_COLUMNS = 60
# An .xlsx is a zip file; what it claims to unpack to is checked before it is opened.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
MAX_LABELS_PER_ROW = 20
MAX_PRODUCTS_PER_ROW = 100
TOKEN_MAX_AGE = 60 * 60
MAX_TOKEN_CHARS = 4 * 1024 * 1024
_SALT = "procurement.supplier-import"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_EXTENSIONS = {".csv", ".txt", ".xlsx"}


# --- columns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = False
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("naam", required=True, max_length=200),
    Column("kvk", required=True),
    Column("vestigingsnummer"),
    Column("plaats", required=True, max_length=100),
    Column("regio", required=True),
    Column("omvang", required=True),
    Column("themas"),
    Column("labels"),
    Column("impact_first"),
    Column("korte_omschrijving", required=True, max_length=300),
    Column("website", max_length=200),
    Column("email", required=True, max_length=254),
    Column("telefoon", max_length=30),
    Column("contactpersoon", max_length=200),
    Column("producten"),
)
COLUMN_BY_NAME = {column.name: column for column in COLUMNS}
REQUIRED_COLUMNS = tuple(c.name for c in COLUMNS if c.required)

# Other ways people head these columns; compared after ``_header_key``.
_HEADER_ALIASES = {
    "kvk_nummer": "kvk",
    "kvknummer": "kvk",
    "kvk_number": "kvk",
    "vestigingsnr": "vestigingsnummer",
    "vestiging": "vestigingsnummer",
    "thema": "themas",
    "mvoi_themas": "themas",
    "label": "labels",
    "keurmerken": "labels",
    "impactfirst": "impact_first",
    "omschrijving_kort": "korte_omschrijving",
    "e_mail": "email",
    "emailadres": "email",
    "e_mailadres": "email",
    "telefoonnummer": "telefoon",
    "contact": "contactpersoon",
    "gemeente": "plaats",
    "product": "producten",
    "producten_en_diensten": "producten",
}

# Column -> the profile field it fills (labels and products are handled apart).
PROFILE_COLUMNS = {
    "naam": "name",
    "kvk": "kvk_number",
    "vestigingsnummer": "branch_number",
    "plaats": "municipality",
    "regio": "region",
    "omvang": "size",
    "themas": "themes",
    "impact_first": "impact_first",
    "korte_omschrijving": "short_description",
    "website": "website",
    "email": "contact_email",
    "telefoon": "contact_phone",
    "contactpersoon": "contact_name",
}


def _header_key(text: str) -> str:
    text = _plain(text).replace("'", "").replace("\u2019", "")
    return re.sub(r"[\s\-]+", "_", text).strip("_")


def _plain(text: str) -> str:
    """Lower case without accents or surrounding space: "Fryslân " -> "fryslan"."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _key(text: str) -> str:
    return " ".join(_plain(text).replace("&", " en ").replace("-", " ").split())


# --- lookups for choice columns ---------------------------------------------------------


def _choice_lookup(choices, aliases: Mapping[str, str]) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[_key(value)] = value
        lookup[_key(str(label))] = value
    lookup.update({_key(alias): value for alias, value in aliases.items()})
    return lookup


_THEMES = _choice_lookup(
    MvoiTheme.choices,
    {
        "Klimaat": MvoiTheme.CLIMATE,
        "Milieu": MvoiTheme.ENVIRONMENT,
        "Circulair": MvoiTheme.CIRCULAR,
        "Circulaire economie": MvoiTheme.CIRCULAR,
        "Ketenverantwoordelijkheid": MvoiTheme.SUPPLY_CHAIN,
        "Internationale sociale voorwaarden": MvoiTheme.SUPPLY_CHAIN,
        "Social Return": MvoiTheme.SOCIAL_RETURN,
        "SROI": MvoiTheme.SOCIAL_RETURN,
        "Diversiteit & Inclusie": MvoiTheme.DIVERSITY,
        "Diversiteit": MvoiTheme.DIVERSITY,
    },
)
_REGIONS = _choice_lookup(
    Region.choices,
    {
        "Gemeente Groningen": Region.CITY,
        "Stad Groningen": Region.CITY,
        "Ommelanden": Region.PROVINCE,
        "Provincie Groningen": Region.PROVINCE,
        "Rest van de provincie Groningen": Region.PROVINCE,
        "Friesland": Region.FRYSLAN,
        "Elders": Region.ELSEWHERE,
        "Elders in Nederland": Region.ELSEWHERE,
        "Nederland": Region.ELSEWHERE,
    },
)
_SIZES = _choice_lookup(
    SizeClass.choices,
    {
        "zzp'er": SizeClass.SOLO,
        "zelfstandige": SizeClass.SOLO,
        "1": SizeClass.SOLO,
        "2-9": SizeClass.MICRO,
        "10-49": SizeClass.SMALL,
        "50-249": SizeClass.MEDIUM,
        "250+": SizeClass.LARGE,
        "midden": SizeClass.MEDIUM,
        "middelgroot": SizeClass.MEDIUM,
    },
)
_PSO_LEVELS = _choice_lookup(
    PsoLevel.choices,
    {
        "trede1": PsoLevel.STEP_1,
        "trede2": PsoLevel.STEP_2,
        "trede3": PsoLevel.STEP_3,
        "basis": PsoLevel.BASE,
        "basis trede": PsoLevel.BASE,
    },
)
_LABEL_KINDS = {
    _key(name): kind
    for name, kind in (
        ("Code Sociale Ondernemingen", LabelKind.CODE_SOCIAL),
        ("Code Sociaal Ondernemen", LabelKind.CODE_SOCIAL),
        ("Code Sociale Onderneming", LabelKind.CODE_SOCIAL),
        ("CSO", LabelKind.CODE_SOCIAL),
        ("B Corp", LabelKind.BCORP),
        ("BCorp", LabelKind.BCORP),
        ("B Corporation", LabelKind.BCORP),
    )
}
_OTHER_LABEL = re.compile(r"^(?:anders|overig|ander label|other)\s*:\s*(?P<name>.+)$", re.I)
_YES = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
_NO = {"nee", "n", "no", "false", "onwaar", "0", ""}

_LABEL_ITEM = re.compile(
    r"^(?P<label>.+?)\s+"
    r"(?:(?:van|vanaf|from)\s+(?P<start>\S+)\s+)?"
    r"(?:tot\s+en\s+met|tot|t/m|until|to)\s+(?P<until>\S+)$",
    re.I,
)
_PRODUCT_ITEM = re.compile(r"^(?P<name>.*?)\s*\[(?P<code>[^\[\]]*)\]$")
_CPV_CODE = re.compile(r"^(?P<code>[0-9]{8})(?:-[0-9])?$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-/.]{4,28}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@")
_SPLIT_LIST = re.compile(r"[;\n]+")
_SPLIT_THEMES = re.compile(r"[,;\n]+")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")
_url = URLValidator(schemes=["http", "https"])


# --- reading the file -------------------------------------------------------------------


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


# --- the signed token between preview and import ----------------------------------------


def sign_table(table: Table, *, actor) -> str:
    """The table as a token the import form carries back; tamper-proof, not secret."""
    token = signing.dumps(
        {
            "user": actor.pk,
            "file": table.file_name,
            "columns": table.columns,
            "ignored": table.ignored_columns,
            "rows": [[number, [cells[c] for c in table.columns]] for number, cells in table.rows],
        },
        salt=_SALT,
        compress=True,
    )
    if len(token) > MAX_TOKEN_CHARS:
        # The form posting it back would exceed the request size Django accepts.
        raise _refuse(
            _("%(name)s holds too much to import at once; split it into smaller files.")
            % {"name": table.file_name},
            "too_large_to_import",
        )
    return token


def unsign_table(token: str, *, actor) -> Table:
    try:
        payload = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired as error:
        raise _refuse(
            _("The preview is more than an hour old. Upload the file again."), "expired"
        ) from error
    except signing.BadSignature as error:
        raise _refuse(
            _("The import could not be checked. Upload the file again."), "bad_signature"
        ) from error
    if payload.get("user") != actor.pk:
        raise _refuse(_("The import could not be checked. Upload the file again."), "bad_signature")
    columns = payload["columns"]
    return Table(
        file_name=payload["file"],
        columns=columns,
        rows=[
            (number, dict(zip(columns, values, strict=True))) for number, values in payload["rows"]
        ],
        ignored_columns=payload.get("ignored", []),
    )


# --- the plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    code: str


@dataclass
class PlannedLabel:
    kind: str
    pso_level: str
    name: str
    valid_from: date | None
    valid_until: date
    existing: Label | None = None

    @property
    def display_name(self) -> str:
        return Label(kind=self.kind, pso_level=self.pso_level, name=self.name).display_name

    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.pso_level, self.name.casefold())

    @property
    def changes_existing(self) -> bool:
        """The supplier holds this label already, with other dates than in the file."""
        if self.existing is None:
            return False
        start = self.valid_from or self.existing.valid_from
        return (start, self.valid_until) != (self.existing.valid_from, self.existing.valid_until)


@dataclass
class PlannedProduct:
    name: str
    category: Category


@dataclass
class PlannedRow:
    row: int
    data: dict[str, Any]
    labels: list[PlannedLabel]
    products: list[PlannedProduct]
    supplier: Supplier | None = None
    organisation: Organisation | None = None
    changed_fields: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.supplier is None

    @property
    def name(self) -> str:
        return self.data.get("name") or (self.supplier.name if self.supplier else "")

    @property
    def region_label(self) -> str:
        region = self.data.get("region")
        return str(Region(region).label) if region else ""

    @property
    def theme_labels(self) -> list[str]:
        return [str(MvoiTheme(theme).label) for theme in self.data.get("themes", [])]

    @property
    def changed_field_labels(self) -> list[str]:
        return [str(Supplier._meta.get_field(name).verbose_name) for name in self.changed_fields]

    @property
    def new_labels(self) -> list[PlannedLabel]:
        return [label for label in self.labels if label.existing is None]

    @property
    def changed_labels(self) -> list[PlannedLabel]:
        return [label for label in self.labels if label.existing and label.changes_existing]

    @property
    def has_changes(self) -> bool:
        return bool(
            self.is_new
            or self.changed_fields
            or self.new_labels
            or self.changed_labels
            or self.products
        )


@dataclass
class ImportPlan:
    file_name: str
    columns: list[str]
    rows: list[PlannedRow]
    errors: list[RowError]
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def creates(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.is_new]

    @property
    def updates(self) -> list[PlannedRow]:
        return [row for row in self.rows if not row.is_new]

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})


class _RowErrors:
    def __init__(self, row: int):
        self.row = row
        self.errors: list[RowError] = []

    def add(self, column: str, message: str, code: str) -> None:
        self.errors.append(RowError(self.row, column, message, code))


def plan_import(table: Table, *, today: date | None = None) -> ImportPlan:
    """Validate every row and decide what it does; reads the database, never writes."""
    today = today or timezone.localdate()
    categories = category_tree()
    keys = {
        (
            normalise_number(cells.get("kvk", "")),
            normalise_number(cells.get("vestigingsnummer", "")),
        )
        for _number, cells in table.rows
    }
    kvk_numbers = sorted({kvk for kvk, _branch in keys if kvk})
    suppliers = _by_kvk(
        Supplier.objects.filter(kvk_number__in=kvk_numbers)
        .select_related("organisation")
        .prefetch_related("labels", "products")
        .order_by("pk")
    )
    organisations = _by_kvk(
        Organisation.objects.filter(kvk_number__in=kvk_numbers)
        .select_related("supplier")
        .order_by("pk")
    )
    seen: dict[tuple[str, str], int] = {}
    claimed: dict[tuple[str, int], int] = {}
    planned, errors = [], []
    for number, cells in table.rows:
        row_errors = _RowErrors(number)
        data = _profile_data(cells, table.columns, row_errors)
        labels = _labels(cells.get("labels", ""), row_errors, today)
        products = _products(cells.get("producten", ""), row_errors, categories)
        key = (data.get("kvk_number", ""), data.get("branch_number", ""))
        if key[0]:
            if key in seen:
                _duplicate(row_errors, seen[key])
            else:
                seen[key] = number
        row = PlannedRow(row=number, data=data, labels=labels, products=products)
        if not row_errors.errors:
            supplier = _lookup(suppliers, *key)
            organisation = None if supplier else _lookup(organisations, *key)
            match = ("supplier", supplier.pk) if supplier else None
            match = match or (("organisation", organisation.pk) if organisation else None)
            if match in claimed:
                _duplicate(row_errors, claimed[match])
            else:
                if match:
                    claimed[match] = number
                _match(row, supplier, organisation, row_errors)
        if row_errors.errors:
            errors.extend(row_errors.errors)
        else:
            planned.append(row)
    return ImportPlan(
        file_name=table.file_name,
        columns=table.columns,
        rows=planned,
        errors=errors,
        ignored_columns=table.ignored_columns,
    )


def _by_kvk(objects) -> dict[str, list]:
    found: dict[str, list] = {}
    for obj in objects:
        found.setdefault(obj.kvk_number, []).append(obj)
    return found


def _lookup(by_kvk: Mapping[str, list], kvk: str, branch: str):
    """The supplier or organisation with this KvK and branch number. A row without a
    branch number also matches the only one with that KvK number: lists often leave the
    branch number out, and a second profile for the same company would be worse."""
    candidates = by_kvk.get(kvk, [])
    for candidate in candidates:
        if candidate.branch_number == branch:
            return candidate
    if not branch and len(candidates) == 1:
        return candidates[0]
    return None


def _duplicate(errors: _RowErrors, row: int) -> None:
    errors.add(
        "kvk",
        _("The same KvK number and branch number as row %(row)d.") % {"row": row},
        "duplicate_row",
    )


def _match(row: PlannedRow, supplier, organisation, errors: _RowErrors) -> None:
    if supplier is not None and supplier.branch_number != row.data.get("branch_number", ""):
        # Matched without a branch number: keep the one the profile has.
        row.data.pop("branch_number", None)
    if organisation is not None and organisation.branch_number != row.data.get("branch_number", ""):
        row.data["branch_number"] = organisation.branch_number
    if supplier is not None:
        if supplier.state == SupplierState.WITHDRAWN:
            errors.add(
                "kvk",
                _("%(name)s withdrew its profile; it cannot be changed by an import.")
                % {"name": supplier.name},
                "withdrawn",
            )
            return
        row.supplier = supplier
        row.changed_fields = [
            name for name, value in row.data.items() if getattr(supplier, name) != value
        ]
        existing = {
            (label.kind, label.pso_level, label.name.casefold()): label
            for label in supplier.labels.all()
        }
        for label in row.labels:
            label.existing = existing.get(label.key())
        have = {(p.name.casefold(), p.category_id) for p in supplier.products.all()}
        row.products = [p for p in row.products if (p.name.casefold(), p.category.pk) not in have]
        return
    if organisation is not None:
        if organisation.kind != OrganisationKind.COMPANY:
            errors.add(
                "kvk",
                _("This KvK number belongs to %(name)s, which is not a company.")
                % {"name": organisation.name},
                "not_a_company",
            )
            return
        if hasattr(organisation, "supplier"):
            errors.add(
                "kvk",
                _("%(name)s already has a supplier profile under another KvK number.")
                % {"name": organisation.name},
                "duplicate_profile",
            )
            return
        row.organisation = organisation


def _text(value: str, column: str, errors: _RowErrors, *, single_line=True) -> str | None:
    if _CONTROL.search(value):
        errors.add(
            column,
            _("The cell contains invisible control characters; remove them."),
            "control_characters",
        )
        return None
    if single_line:
        value = " ".join(value.split())
    limit = COLUMN_BY_NAME[column].max_length
    if limit and len(value) > limit:
        errors.add(
            column,
            _("Too long: %(length)d characters, at most %(max)d.")
            % {"length": len(value), "max": limit},
            "too_long",
        )
        return None
    return value


def _no_formula(value: str, column: str, errors: _RowErrors) -> bool:
    if value.startswith(_FORMULA_START):
        errors.add(
            column,
            _("A cell may not start with =, +, - or @ (spreadsheet programs run it as a formula)."),
            "formula",
        )
        return False
    return True


def _profile_data(cells: Mapping[str, str], columns: list[str], errors: _RowErrors) -> dict:
    data: dict[str, Any] = {}
    for column in columns:
        if column not in PROFILE_COLUMNS:
            continue
        name = PROFILE_COLUMNS[column]
        value = _text(cells.get(column, ""), column, errors)
        if value is None:
            continue
        if not value:
            if COLUMN_BY_NAME[column].required:
                errors.add(column, _("This column is required."), "required")
            else:
                data[name] = _blank(name)
            continue
        parsed = _PARSERS.get(column, _free_text)(value, column, errors)
        if parsed is not _INVALID:
            data[name] = parsed
    return data


def _blank(name: str) -> Any:
    return {"themes": [], "impact_first": False}.get(name, "")


_INVALID = object()


def _free_text(value: str, column: str, errors: _RowErrors):
    return value if _no_formula(value, column, errors) else _INVALID


def _kvk(value: str, column: str, errors: _RowErrors):
    number = normalise_number(value)
    if not re.fullmatch(r"[0-9]{8}", number) or set(number) == {"0"}:
        errors.add(
            column, _("A KvK number has exactly 8 digits, for example 12345678."), "invalid_kvk"
        )
        return _INVALID
    return number


def _branch(value: str, column: str, errors: _RowErrors):
    number = normalise_number(value)
    if not re.fullmatch(r"[0-9]{12}", number) or set(number) == {"0"}:
        errors.add(
            column,
            _(
                "A branch number (vestigingsnummer) has exactly 12 digits, for example "
                "000012345678."
            ),
            "invalid_branch_number",
        )
        return _INVALID
    return number


def _choice(lookup: Mapping[str, str], code: str, choices):
    def parse(value: str, column: str, errors: _RowErrors):
        found = lookup.get(_key(value))
        if found is None:
            errors.add(
                column,
                _("Unknown value %(value)s; use one of: %(choices)s.")
                % {"value": _quote(value), "choices": ", ".join(v for v, _label in choices)},
                code,
            )
            return _INVALID
        return found

    return parse


def _themes(value: str, column: str, errors: _RowErrors):
    themes: list[str] = []
    for part in _SPLIT_THEMES.split(value):
        if not part.strip():
            continue
        theme = _THEMES.get(_key(part))
        if theme is None:
            errors.add(
                column,
                _("Unknown theme %(value)s; use one of: %(choices)s.")
                % {
                    "value": _quote(part),
                    "choices": "Klimaat, Milieu, Circulair, Ketenverantwoordelijkheid, "
                    "Social Return, Diversiteit & Inclusie",
                },
                "unknown_theme",
            )
            return _INVALID
        if theme not in themes:
            themes.append(theme)
    return themes


def _yes_no(value: str, column: str, errors: _RowErrors):
    key = _plain(value)
    if key in _YES:
        return True
    if key in _NO:
        return False
    errors.add(column, _("Write ja or nee."), "invalid_yes_no")
    return _INVALID


def _website(value: str, column: str, errors: _RowErrors):
    url = value if re.match(r"^[a-z][a-z0-9+.\-]*://", value, re.I) else f"https://{value}"
    try:
        _url(url)
    except ValidationError:
        errors.add(column, _("Not a web address, e.g. https://www.example.nl."), "invalid_url")
        return _INVALID
    if len(url) > COLUMN_BY_NAME[column].max_length:
        errors.add(column, _("Too long."), "too_long")
        return _INVALID
    return url


def _email(value: str, column: str, errors: _RowErrors):
    try:
        validate_email(value)
    except ValidationError:
        errors.add(column, _("Not an e-mail address."), "invalid_email")
        return _INVALID
    return value


def _phone(value: str, column: str, errors: _RowErrors):
    if not _PHONE.fullmatch(value):
        errors.add(column, _("Not a telephone number, e.g. 050 123 4567."), "invalid_phone")
        return _INVALID
    return value


_PARSERS = {
    "kvk": _kvk,
    "vestigingsnummer": _branch,
    "regio": _choice(_REGIONS, "unknown_region", Region.choices),
    "omvang": _choice(_SIZES, "unknown_size", SizeClass.choices),
    "themas": _themes,
    "impact_first": _yes_no,
    "website": _website,
    "email": _email,
    "telefoon": _phone,
}


def _quote(value: str) -> str:
    value = " ".join(value.split())
    return f"“{value[:40]}…”" if len(value) > 40 else f"“{value}”"


def _date(text: str, errors: _RowErrors, column: str) -> date | None:
    for pattern in _DATE_FORMATS:
        try:
            day = datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
        if 1990 <= day.year <= 2100:
            return day
    errors.add(
        column,
        _("%(value)s is not a date; write it as 2027-06-30 or 30-06-2027.")
        % {"value": _quote(text)},
        "bad_date",
    )
    return None


def _labels(value: str, errors: _RowErrors, today: date) -> list[PlannedLabel]:
    column = "labels"
    if _CONTROL.search(value):
        errors.add(
            column,
            _("The cell contains invisible control characters; remove them."),
            "control_characters",
        )
        return []
    items = [" ".join(item.split()) for item in _SPLIT_LIST.split(value) if item.strip()]
    if len(items) > MAX_LABELS_PER_ROW:
        errors.add(
            column,
            _("At most %(max)d labels per supplier.") % {"max": MAX_LABELS_PER_ROW},
            "too_many",
        )
        return []
    labels: dict[tuple[str, str, str], PlannedLabel] = {}
    for item in items:
        match = _LABEL_ITEM.match(item)
        if match is None:
            errors.add(
                column,
                _("%(value)s: write a label with its end date, e.g. “PSO trede 2 tot 2027-06-30”.")
                % {"value": _quote(item)},
                "label_without_date",
            )
            continue
        label = _label_kind(match["label"], errors)
        until = _date(match["until"], errors, column)
        start = _date(match["start"], errors, column) if match["start"] else None
        if label is None or until is None or (match["start"] and start is None):
            continue
        kind, level, name = label
        if start is not None and start > until:
            errors.add(
                column,
                _("%(value)s: a label cannot end before it starts.") % {"value": _quote(item)},
                "period",
            )
            continue
        planned = PlannedLabel(kind, level, name, start, until)
        if planned.key() in labels:
            errors.add(
                column, _("%(value)s is listed twice.") % {"value": _quote(item)}, "duplicate_label"
            )
            continue
        labels[planned.key()] = planned
    return list(labels.values())


def _label_kind(text: str, errors: _RowErrors) -> tuple[str, str, str] | None:
    other = _OTHER_LABEL.match(text)
    if other:
        name = other["name"].strip()
        if len(name) > 100:
            errors.add(
                "labels", _("The name of a label can be at most 100 characters."), "too_long"
            )
            return None
        if not _no_formula(name, "labels", errors):
            return None
        return LabelKind.OTHER, "", name
    key = _key(text)
    if key == "pso" or key.startswith("pso "):
        level = _PSO_LEVELS.get(key[4:].strip())
        if level is None:
            errors.add(
                "labels",
                _("Unknown PSO level in %(value)s; use aspirant, basistrede, trede 1, 2 or 3.")
                % {"value": _quote(text)},
                "unknown_pso_level",
            )
            return None
        return LabelKind.PSO, level, ""
    kind = _LABEL_KINDS.get(key)
    if kind is None:
        errors.add(
            "labels",
            _(
                "Unknown label %(value)s; use PSO <level>, Code Sociale Ondernemingen, B Corp "
                "or “anders: <name>”."
            )
            % {"value": _quote(text)},
            "unknown_label",
        )
        return None
    return kind, "", ""


def _products(
    value: str, errors: _RowErrors, categories: Mapping[str, Category]
) -> list[PlannedProduct]:
    column = "producten"
    if _CONTROL.search(value):
        errors.add(
            column,
            _("The cell contains invisible control characters; remove them."),
            "control_characters",
        )
        return []
    items = [" ".join(item.split()) for item in _SPLIT_LIST.split(value) if item.strip()]
    if len(items) > MAX_PRODUCTS_PER_ROW:
        errors.add(
            column,
            _("At most %(max)d products per supplier.") % {"max": MAX_PRODUCTS_PER_ROW},
            "too_many",
        )
        return []
    products: dict[tuple[str, str], PlannedProduct] = {}
    for item in items:
        match = _PRODUCT_ITEM.match(item)
        if match is None or not match["name"]:
            errors.add(
                column,
                _(
                    "%(value)s: write a product with its category code, e.g. "
                    "“Glasbewassing [90900000]”."
                )
                % {"value": _quote(item)},
                "product_without_category",
            )
            continue
        name = match["name"]
        code_match = _CPV_CODE.match(match["code"].strip())
        category = categories.get(code_match["code"]) if code_match else None
        if category is None:
            errors.add(
                column,
                _("Unknown category code %(code)s; see the category list in the admin.")
                % {"code": _quote(match["code"])},
                "unknown_category",
            )
            continue
        if len(name) > 200:
            errors.add(column, _("A product name can be at most 200 characters."), "too_long")
            continue
        if not _no_formula(name, column, errors):
            continue
        products.setdefault((name.casefold(), category.code), PlannedProduct(name, category))
    return list(products.values())


# --- applying the plan ------------------------------------------------------------------


class ImportRowFailed(Exception):
    """A service refused a row while importing; the whole import was rolled back."""

    def __init__(self, row: int, messages: list[str]):
        super().__init__(row, messages)
        self.row = row
        self.messages = messages


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    verified: int = 0
    labels: int = 0
    products: int = 0


def apply_import(plan: ImportPlan, *, actor, mark_verified: bool = False) -> ImportResult:
    """Create and update the suppliers of an error-free plan, all or nothing.

    New suppliers wait for verification (submitted); with ``mark_verified`` the
    coordinator verifies every imported supplier that waits for it, as the list comes
    from the existing, already checked platform.
    """
    if plan.errors:
        raise ValueError("A plan with errors cannot be imported.")
    result = ImportResult()
    now = timezone.now()
    with transaction.atomic():
        for row in plan.rows:
            try:
                _apply_row(row, actor=actor, mark_verified=mark_verified, now=now, result=result)
            except ValidationError as error:
                raise ImportRowFailed(row.row, error.messages) from error
            except PermissionDenied as error:
                raise ImportRowFailed(row.row, [_("You may not do this.")]) from error
        audit_log(
            actor=actor,
            action="supplier.imported",
            data={
                "file": plan.file_name,
                "rows": len(plan.rows),
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "verified": result.verified,
                "labels": result.labels,
                "products": result.products,
                "mark_verified": mark_verified,
            },
        )
    return result


def _apply_row(row: PlannedRow, *, actor, mark_verified: bool, now, result: ImportResult):
    if row.supplier is None:
        organisation = row.organisation or account_services.organisation_create(
            actor=actor,
            name=row.data["name"],
            kind=OrganisationKind.COMPANY,
            kvk_number=row.data["kvk_number"],
            branch_number=row.data.get("branch_number", ""),
            city=row.data.get("municipality", ""),
            website=row.data.get("website", ""),
        )
        supplier = services.supplier_create(organisation=organisation, actor=actor, data=row.data)
        result.created += 1
    else:
        supplier = row.supplier
        if row.changed_fields:
            supplier = services.supplier_update(
                supplier=supplier,
                actor=actor,
                data={name: row.data[name] for name in row.changed_fields},
            )
        if row.has_changes:
            result.updated += 1
        else:
            result.unchanged += 1
    for planned in row.labels:
        existing = planned.existing
        if existing is not None and not planned.changes_existing:
            continue
        start = planned.valid_from or (existing.valid_from if existing else None)
        if start is None or start > planned.valid_until:
            # Without a start date the label counts from the import on.
            start = min(timezone.localdate(now), planned.valid_until)
        services.label_save(
            supplier=supplier,
            actor=actor,
            label=existing,
            data={
                "kind": planned.kind,
                "pso_level": planned.pso_level,
                "name": planned.name,
                "valid_from": start,
                "valid_until": planned.valid_until,
            },
        )
        result.labels += 1
    for product in row.products:
        services.product_save(
            supplier=supplier,
            actor=actor,
            data={"name": product.name, "description": "", "category": product.category},
        )
        result.products += 1
    if supplier.state == SupplierState.DRAFT and row.supplier is None:
        _submit_imported(supplier, actor=actor, now=now)
    if mark_verified and supplier.state == SupplierState.SUBMITTED:
        services.supplier_verify(supplier=supplier, actor=actor, now=now)
        result.verified += 1


def _submit_imported(supplier: Supplier, *, actor, now) -> None:
    """Put an imported profile in the verification queue.

    ``services.supplier_submit`` is for owners; an imported company has no members
    yet, so the coordinator submits on its behalf, by the same transition table.
    """
    current = SupplierState(supplier.state)
    if SupplierState.SUBMITTED not in SUPPLIER_TRANSITIONS[current]:
        return
    supplier.state = SupplierState.SUBMITTED
    supplier.submitted_at = now
    supplier.save(update_fields=["state", "submitted_at", "updated_at"])
    audit_log(
        actor=actor,
        action="supplier.state_changed",
        obj=supplier,
        changes={"state": [current.value, SupplierState.SUBMITTED.value]},
        data={"source": "import"},
    )
