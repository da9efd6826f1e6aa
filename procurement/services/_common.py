"""Helpers the services of profiles, labels, products, shortlists and inquiries share."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Role
from impactportal.outbox.services import notify_user

from ..constants import SupplierState
from ..models import Supplier


def _clean(instance, exclude: Iterable[str] = ()) -> None:
    instance.full_clean(exclude=[*exclude], validate_unique=False, validate_constraints=False)


def _owners(supplier: Supplier):
    return supplier.organisation.members.filter(is_active=True)


def _notify_owners(supplier: Supplier, template: str, **context) -> None:
    for user in _owners(supplier):
        notify_user(
            user=user,
            template=f"procurement/{template}",
            context={"supplier": supplier, **context},
        )


def _mark_changed(supplier: Supplier, actor) -> None:
    if supplier.state == SupplierState.VERIFIED and not actor.has_role(Role.COORDINATOR):
        Supplier.objects.filter(pk=supplier.pk).update(
            changed_since_verification=True, updated_at=timezone.now()
        )


def _check_editable(supplier: Supplier) -> None:
    if supplier.state == SupplierState.WITHDRAWN:
        raise ValidationError(
            _("A withdrawn profile cannot be changed; submit it again first."),
            code="withdrawn",
        )
