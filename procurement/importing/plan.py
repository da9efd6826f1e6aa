"""What an import would do: per row the profile data, the labels and products, the
supplier or organisation it updates, and the errors per cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from accounts.models import Organisation

from ..constants import MvoiTheme, Region
from ..models import Category, Label, Supplier


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
