"""The SDG view: suppliers, Omarm requests and Omarm matches per Sustainable Development Goal.

Suppliers state their SDGs on their profile (``Supplier.sdgs``, verified profiles only).
Omarm requests have a theme, not SDGs, so each theme stands for the goals in
``THEME_SDGS``. A request counts once under each goal of its theme; so does a match, by
the theme of its request (a match on an offer alone has no theme and counts nowhere).
Broken-off matches contribute to no goal and are left out.
"""

from __future__ import annotations

from django.db.models import Count

from omarm.constants import MatchState, Theme
from omarm.models import Match

from ..periods import Period

# Omarm theme -> the SDGs it works on. Agreed with the programme; "overig" maps to none.
THEME_SDGS: dict[str, tuple[int, ...]] = {
    Theme.POVERTY: (1, 10),
    Theme.LONELINESS: (3,),
    Theme.LOW_LITERACY: (4,),
    Theme.OPPORTUNITIES: (8, 10),
    Theme.SUSTAINABILITY: (11, 13),
    Theme.LACK_OF_EXERCISE: (3,),
}

# The goals the impact agenda monitors (Provincie Drenthe: SDG 8, 10, 11 and 17); the
# monitor always lists them, also when nothing counts toward them yet.
FOCUS_SDGS = (8, 10, 11, 17)


def per_sdg(per_theme: dict[str, int]) -> dict[int, int]:
    """Spread counts per Omarm theme over the SDGs: {sdg: count}, SDGs with none left out."""
    result: dict[int, int] = {}
    for theme, count in per_theme.items():
        for sdg in THEME_SDGS.get(theme, ()):
            if count:
                result[sdg] = result.get(sdg, 0) + count
    return dict(sorted(result.items()))


def matches_per_theme(period: Period) -> dict[str, int]:
    """Matches started in the period and not broken off, per theme of their request."""
    low, high = period.bounds()
    rows = (
        Match.objects.filter(created_at__gte=low, created_at__lt=high, request__isnull=False)
        .exclude(state=MatchState.BROKEN_OFF)
        .values("request__theme")
        .annotate(count=Count("pk"))
        .order_by("request__theme")
    )
    return {row["request__theme"]: row["count"] for row in rows}


def sdg_figures(period: Period, *, requests_per_theme: dict, suppliers_per_sdg: dict) -> dict:
    """``{"suppliers": {sdg: n}, "requests": {sdg: n}, "matches": {sdg: n}}``: the requests
    and suppliers come from the Omarm and supplier figures already computed for the period
    (no second query); the matches take one grouped query."""
    return {
        "suppliers": dict(suppliers_per_sdg),
        "requests": per_sdg(requests_per_theme),
        "matches": per_sdg(matches_per_theme(period)),
    }
