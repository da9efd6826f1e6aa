"""Template helpers for procurement officers' tools on other pages (result cards, profiles)."""

from __future__ import annotations

from django import template
from django.contrib.postgres.aggregates import ArrayAgg

from accounts.roles import Role
from procurement.constants import MvoiTheme
from procurement.models import Shortlist

register = template.Library()

_CACHE_ATTRIBUTE = "_procurement_buyer_shortlists"


def shortlists_for_request(request) -> list[Shortlist] | None:
    """The user's shortlists with the ids of their suppliers, loaded once per request.

    None when the user is not a procurement officer. A result page draws the "add to
    shortlist" form on every card; caching on the request keeps that at one query.
    """
    if request is None:
        return None
    if not hasattr(request, _CACHE_ATTRIBUTE):
        user = getattr(request, "user", None)
        shortlists = None
        if user is not None and user.is_authenticated and user.has_role(Role.PROCUREMENT_OFFICER):
            shortlists = list(
                Shortlist.objects.filter(owner=user)
                .only("uuid", "title")
                .annotate(supplier_ids=ArrayAgg("entries__supplier_id", distinct=True, default=[]))
                .order_by("-updated_at", "pk")
            )
            for shortlist in shortlists:
                shortlist.supplier_ids = set(shortlist.supplier_ids) - {None}
        setattr(request, _CACHE_ATTRIBUTE, shortlists)
    return getattr(request, _CACHE_ATTRIBUTE)


@register.simple_tag(takes_context=True)
def buyer_shortlists(context):
    """``{% buyer_shortlists as shortlists %}``: see ``shortlists_for_request``."""
    return shortlists_for_request(context.get("request"))


@register.filter
def theme_labels(codes) -> list[str]:
    """The names of MVOI theme codes, in the order of the themes."""
    return [str(label) for value, label in MvoiTheme.choices if value in (codes or ())]
