"""Step 3 of the import: carry out a plan without errors in one transaction, through the
services, so validation, the search index and the audit log apply as everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.constants import OrganisationKind
from impactportal.audit.services import audit_log

from .. import services
from ..constants import SUPPLIER_TRANSITIONS, SupplierState
from ..models import Supplier
from .plan import ImportPlan, PlannedRow


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
