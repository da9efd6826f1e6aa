"""Suggested matches: which businesses could help with a help request, and why.

``suggestions_for(request)`` ranks businesses for one request. Candidates are

- businesses with an open, public offer (state open, not hidden after reports), and
- businesses that completed at least one match before (on any request or offer).

Each candidate gets a score; every point comes with a reason the coordinator and the
requesting organisation can read:

=====================================  ======  ==============================================
signal                                 points  reason (example)
=====================================  ======  ==============================================
kind of help the offer gives that the  +3      "Biedt geld" (one reason per kind)
request asks for                       each
offer in the request's area, or the    +2      "Actief in Centrum" / "Helpt in de hele
offer or the request covers the whole          gemeente"
municipality ("hele-gemeente")
completed a match on a request with    +2      "Helpt ook bij armoede"
the same theme before
earlier completed matches              +1      "2 eerdere afgeronde matches"
                                       each,
                                       max +3
=====================================  ======  ==============================================

Kind of help and area come from the business's open offers: a business with several
offers is scored with its best one (the oldest of equals), which is returned as
``Suggestion.offer`` (``None`` when no offer scores, e.g. a business that only has a
track record). Theme and track record come from the
business's completed matches.

Left out: businesses already in an active match (proposed, in conversation, matched) on
this request, the requesting organisation itself, organisations that are not
businesses, and candidates that score nothing. The order is score (high to low), then
organisation name, then id, so equal scores always come out the same way.

The work is three queries whatever the number of candidates: the open offers (with
their organisation and area), the completed-match counts per business (one aggregate)
and the businesses that only have a track record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.constants import OrganisationKind
from accounts.models import Organisation

from .constants import ACTIVE_MATCH_STATES, HelpKind, MatchState, PostingState, Theme
from .models import HelpRequest, Match, Offer

WHOLE_MUNICIPALITY = "hele-gemeente"

POINTS_PER_KIND = 3
POINTS_AREA = 2
POINTS_THEME = 2
POINTS_PER_COMPLETED_MATCH = 1
MAX_POINTS_COMPLETED = 3


@dataclass(frozen=True)
class Suggestion:
    organisation: Organisation
    offer: Offer | None
    score: int
    reasons: list[str]


def _offer_points(request: HelpRequest, offer: Offer) -> tuple[int, list[str]]:
    """Points and reasons for kind of help and area, from one offer."""
    score, reasons = 0, []
    offered = set(offer.help_kinds)
    for kind in request.help_kinds:
        if kind in offered:
            score += POINTS_PER_KIND
            reasons.append(_("Offers %(kind)s") % {"kind": HelpKind(kind).label})
    if offer.area_id == request.area_id:
        score += POINTS_AREA
        reasons.append(_("Active in %(area)s") % {"area": offer.area.name})
    elif offer.area.slug == WHOLE_MUNICIPALITY or request.area.slug == WHOLE_MUNICIPALITY:
        score += POINTS_AREA
        reasons.append(_("Helps across the whole municipality"))
    return score, reasons


def _track_record_points(request: HelpRequest, completed: int, same_theme: int):
    score, reasons = 0, []
    if same_theme:
        score += POINTS_THEME
        reasons.append(_("Also helps with %(theme)s") % {"theme": Theme(request.theme).label})
    if completed:
        score += min(completed * POINTS_PER_COMPLETED_MATCH, MAX_POINTS_COMPLETED)
        reasons.append(
            ngettext(
                "%(count)d earlier completed match",
                "%(count)d earlier completed matches",
                completed,
            )
            % {"count": completed}
        )
    return score, reasons


def suggestions_for(request: HelpRequest, *, limit: int = 8) -> list[Suggestion]:
    """The best ``limit`` businesses for ``request``, best first, each with its reasons."""
    # A subquery, not a query of its own.
    busy = Match.objects.filter(request=request, state__in=ACTIVE_MATCH_STATES).values(
        "business_id"
    )

    offers = (
        Offer.objects.filter(
            state=PostingState.OPEN,
            hidden_at__isnull=True,
            organisation__kind=OrganisationKind.COMPANY,
        )
        .exclude(organisation_id=request.organisation_id)
        .exclude(organisation_id__in=busy)
        .select_related("organisation", "area")
        .order_by("pk")
    )
    # Best offer per business: (points, reasons, offer).
    best_offer: dict[int, tuple[int, list[str], Offer]] = {}
    organisations: dict[int, Organisation] = {}
    for offer in offers:
        points, reasons = _offer_points(request, offer)
        organisations[offer.organisation_id] = offer.organisation
        current = best_offer.get(offer.organisation_id)
        if current is None or points > current[0]:
            best_offer[offer.organisation_id] = (points, reasons, offer)

    track_records = {
        row["business_id"]: (row["completed"], row["same_theme"])
        for row in Match.objects.filter(state=MatchState.COMPLETED)
        .exclude(business_id=request.organisation_id)
        .exclude(business_id__in=busy)
        .values("business_id")
        .annotate(
            completed=Count("pk"),
            same_theme=Count("pk", filter=Q(request__theme=request.theme)),
        )
        .order_by()
    }
    missing = set(track_records) - set(organisations)
    if missing:
        organisations.update(
            Organisation.objects.filter(pk__in=missing, kind=OrganisationKind.COMPANY).in_bulk()
        )

    suggestions = []
    for organisation_id, organisation in organisations.items():
        score, reasons, offer = best_offer.get(organisation_id, (0, [], None))
        if score == 0:
            offer = None  # an offer that fits in no way is no reason to mention it
        completed, same_theme = track_records.get(organisation_id, (0, 0))
        extra_score, extra_reasons = _track_record_points(request, completed, same_theme)
        score += extra_score
        if score <= 0:
            continue
        suggestions.append(
            Suggestion(
                organisation=organisation,
                offer=offer,
                score=score,
                reasons=[*reasons, *extra_reasons],
            )
        )
    suggestions.sort(key=lambda s: (-s.score, s.organisation.name.casefold(), s.organisation.pk))
    return suggestions[:limit]
