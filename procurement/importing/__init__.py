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

The steps live in their own modules: ``columns`` and ``vocabulary`` (what a file may
hold), ``reading`` (step 1), ``validation``, ``plan`` and ``matching`` (step 2),
``applying`` (step 3) and ``preview_token`` (the signed rows).
"""

from __future__ import annotations

from .applying import ImportResult, ImportRowFailed, apply_import
from .columns import COLUMN_BY_NAME, COLUMNS, PROFILE_COLUMNS, REQUIRED_COLUMNS, Column
from .matching import plan_import
from .plan import ImportPlan, PlannedLabel, PlannedProduct, PlannedRow, RowError
from .preview_token import MAX_TOKEN_CHARS, TOKEN_MAX_AGE, sign_table, unsign_table
from .reading import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_SCANNED_ROWS,
    MAX_UNPACKED_BYTES,
    MAX_ZIP_ENTRIES,
    ImportFileError,
    Table,
    read_table,
)
from .validation import MAX_LABELS_PER_ROW, MAX_PRODUCTS_PER_ROW

__all__ = [
    "COLUMNS",
    "COLUMN_BY_NAME",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_LABELS_PER_ROW",
    "MAX_PRODUCTS_PER_ROW",
    "MAX_ROWS",
    "MAX_SCANNED_ROWS",
    "MAX_TOKEN_CHARS",
    "MAX_UNPACKED_BYTES",
    "MAX_ZIP_ENTRIES",
    "PROFILE_COLUMNS",
    "REQUIRED_COLUMNS",
    "TOKEN_MAX_AGE",
    "Column",
    "ImportFileError",
    "ImportPlan",
    "ImportResult",
    "ImportRowFailed",
    "PlannedLabel",
    "PlannedProduct",
    "PlannedRow",
    "RowError",
    "Table",
    "apply_import",
    "plan_import",
    "read_table",
    "sign_table",
    "unsign_table",
]
