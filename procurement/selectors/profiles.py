"""Supplier profiles as the public, their owners and the coordinator see them: only
verified profiles are public, and a label counts only on the days it is valid."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Membership

from ..constants import RECONFIRM_AFTER_DAYS, RECONFIRM_GRACE_DAYS, SupplierState
from ..models import Label, Product, Supplier


def today() -> date:
    return timezone.localdate()


def confirmed_since(now: datetime | None = None) -> datetime:
    """Profiles confirmed before this moment are "niet recent bevestigd"."""
    return (now or timezone.now()) - timedelta(days=RECONFIRM_AFTER_DAYS + RECONFIRM_GRACE_DAYS)


def public_suppliers() -> QuerySet[Supplier]:
    return Supplier.objects.filter(state=SupplierState.VERIFIED)


def with_valid_label(queryset: QuerySet[Supplier], kind: str, day: date | None = None):
    """Suppliers holding a label of ``kind`` that is valid on ``day`` (today)."""
    return queryset.filter(
        Exists(Label.objects.valid_on(day or today()).filter(supplier=OuterRef("pk"), kind=kind))
    )


def supplier_detail(slug: str) -> Supplier | None:
    """A profile with its organisation, products (with category) and all its labels."""
    return (
        Supplier.objects.select_related("organisation", "verified_by")
        .prefetch_related(
            Prefetch("products", queryset=_products()),
            Prefetch("labels", queryset=Label.objects.order_by("kind", "-valid_until")),
        )
        .filter(slug=slug)
        .first()
    )


def _products():
    return Product.objects.select_related("category__parent").order_by("name")


def suppliers_of(user) -> QuerySet[Supplier]:
    """The profiles of the user's organisations (what they may edit)."""
    if not (user and user.is_authenticated):
        return Supplier.objects.none()
    return Supplier.objects.filter(
        organisation__in=Membership.objects.filter(user=user).values("organisation")
    ).select_related("organisation")
