"""The labels of a profile (PSO, Code Sociale Ondernemingen, B Corp, ...) and their expiry
reminders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from impactportal.audit.services import audit_diff, audit_log, audit_snapshot

from ..constants import LabelKind
from ..models import Label, Supplier
from ._common import _check_editable, _clean, _mark_changed, _notify_owners
from .access import _check_owner_or_coordinator

LABEL_FIELDS = ("kind", "pso_level", "name", "valid_from", "valid_until", "evidence_url")


@transaction.atomic
def label_save(
    *,
    supplier: Supplier,
    actor,
    data: Mapping[str, Any],
    label: Label | None = None,
    evidence=None,
    remove_evidence: bool = False,
) -> Label:
    """Add a label to the profile, or change one; a changed label is checked again."""
    _check_owner_or_coordinator(actor, supplier)
    _check_editable(supplier)
    if label is not None and label.supplier_id != supplier.pk:
        raise PermissionDenied(_("This label belongs to another profile."))
    label = label or Label(supplier=supplier)
    before = audit_snapshot(label, LABEL_FIELDS) if label.pk else {}
    for field in LABEL_FIELDS:
        if field in data:
            setattr(label, field, data[field])
    if label.kind != LabelKind.PSO:
        label.pso_level = ""
    if label.kind != LabelKind.OTHER:
        label.name = ""
    if evidence:
        label.evidence = evidence
    elif remove_evidence:
        label.evidence = ""
    _clean(label, exclude=["supplier"])
    if label.kind == LabelKind.PSO and not label.pso_level:
        raise ValidationError({"pso_level": _("Choose the PSO level.")}, code="pso_level_required")
    if label.kind == LabelKind.OTHER and not label.name:
        raise ValidationError({"name": _("Give the name of the label.")}, code="name_required")
    if label.valid_until < label.valid_from:
        raise ValidationError(
            {"valid_until": _("A label cannot end before it starts.")}, code="period"
        )
    created = label.pk is None
    if not created and label.valid_until != before.get("valid_until"):
        label.reminder_sent_at = None
    label.save()
    _mark_changed(supplier, actor)
    audit_log(
        actor=actor,
        action="supplier.label_added" if created else "supplier.label_changed",
        obj=supplier,
        changes=audit_diff(before, audit_snapshot(label, LABEL_FIELDS)),
        data={"label": label.display_name},
    )
    return label


@transaction.atomic
def label_remove(*, label: Label, actor) -> None:
    supplier = label.supplier
    _check_owner_or_coordinator(actor, supplier)
    _check_editable(supplier)
    name = label.display_name
    label.delete()
    audit_log(actor=actor, action="supplier.label_removed", obj=supplier, data={"label": name})


@transaction.atomic
def label_send_expiry_reminder(*, label: Label, now: datetime | None = None) -> bool:
    """Tell the owners a label is about to expire; once per validity period."""
    label = Label.objects.select_for_update().select_related("supplier").get(pk=label.pk)
    if label.reminder_sent_at is not None:
        return False
    label.reminder_sent_at = now or timezone.now()
    label.save(update_fields=["reminder_sent_at"])
    _notify_owners(label.supplier, "label_expiring", label=label)
    audit_log(
        actor=None,
        action="supplier.label_reminder_sent",
        obj=label.supplier,
        data={"label": label.display_name, "valid_until": label.valid_until},
    )
    return True
