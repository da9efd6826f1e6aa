"""Who may do what: owners (members of the supplier's organisation), the coordinator,
procurement officers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.roles import Role

from ..models import Supplier


def is_owner(user, supplier: Supplier) -> bool:
    """Members of the supplier's organisation own its profile."""
    return bool(
        user
        and user.is_authenticated
        and supplier.organisation.memberships.filter(user=user).exists()
    )


def _check_owner(user, supplier: Supplier) -> None:
    if not is_owner(user, supplier):
        raise PermissionDenied(
            _("Only members of %(organisation)s can change this profile.")
            % {"organisation": supplier.organisation}
        )


def _check_coordinator(user) -> None:
    if not (user and user.is_authenticated and user.has_role(Role.COORDINATOR)):
        raise PermissionDenied(_("Only the coordinator can do this."))


def _check_buyer(user) -> None:
    if not (user and user.is_authenticated and user.has_role(Role.PROCUREMENT_OFFICER)):
        raise PermissionDenied(_("Only procurement officers can do this."))


def _check_owner_or_coordinator(user, supplier: Supplier) -> None:
    if user is not None and user.is_authenticated and user.has_role(Role.COORDINATOR):
        return
    _check_owner(user, supplier)
