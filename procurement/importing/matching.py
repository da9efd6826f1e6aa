"""Step 2 of the import: validate every row and match it to the supplier or organisation
it updates (on KvK + vestigingsnummer).

Only reads the database, a fixed number of queries whatever the number of rows (the
category tree, the existing suppliers and organisations with their labels and products
are loaded once).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from accounts.validators import normalise_number

from ..constants import SupplierState
from ..models import Supplier
from ..selectors import category_tree
from .plan import ImportPlan, PlannedRow, _RowErrors
from .reading import Table
from .validation import _labels, _products, _profile_data


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
