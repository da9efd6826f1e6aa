"""Suggested matches: who is ranked where, why, and in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.constants import OrganisationKind
from omarm.constants import MatchState, PostingState, Theme
from omarm.models import Area, HelpRequest, Match, Offer
from omarm.suggestions import Suggestion, suggestions_for
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

END = date(2030, 1, 31)


def area(slug: str) -> Area:
    return Area.objects.get(slug=slug)


def business(name: str):
    return OrganisationFactory(name=name, kind=OrganisationKind.COMPANY)


def social(name: str):
    return OrganisationFactory(name=name, kind=OrganisationKind.SOCIAL, kvk_number="")


def help_request(
    organisation,
    *,
    theme=Theme.POVERTY,
    kinds=("geld", "inzet"),
    area_slug="centrum",
    state=PostingState.OPEN,
    title="Laptops voor de buurt",
):
    return HelpRequest.objects.create(
        organisation=organisation,
        title=title,
        story="Wij zoeken hulp.",
        theme=theme,
        help_kinds=list(kinds),
        area=area(area_slug),
        wanted_by=END,
        state=state,
    )


def offer(organisation, *, kinds, area_slug, state=PostingState.OPEN, hidden=False):
    return Offer.objects.create(
        organisation=organisation,
        title=f"Aanbod van {organisation.name}",
        description="Wij helpen graag.",
        capacity="4 vrijwilligers per maand",
        help_kinds=list(kinds),
        area=area(area_slug),
        valid_until=END,
        state=state,
        hidden_at=timezone.now() if hidden else None,
    )


def completed_match(business, *, theme, social_organisation=None):
    social_organisation = social_organisation or social(f"Stichting voor {business.name}")
    done = help_request(
        social_organisation, theme=theme, state=PostingState.FULFILLED, title="Eerdere hulpvraag"
    )
    return Match.objects.create(
        request=done,
        business=business,
        social_organisation=social_organisation,
        state=MatchState.COMPLETED,
        result_story="Gelukt.",
    )


@pytest.fixture
def board():
    """A request with businesses around it whose places in the ranking are known."""
    asker = social("Stichting De Schakel")
    request = help_request(asker)
    b = {}
    # 3 + 3 (money, hands) + 2 (Centrum) = 8
    b["A"] = business("Bakkerij Aaltje")
    b["A_offer"] = offer(b["A"], kinds=["geld", "inzet"], area_slug="centrum")
    # 3 (money) + 2 (poverty before) + 2 (two completed matches) = 7; its other offer
    # (materials, Noord) scores nothing and is not the one shown.
    b["B"] = business("Bouwbedrijf Berends")
    offer(b["B"], kinds=["materialen"], area_slug="noord")
    b["B_offer"] = offer(b["B"], kinds=["geld"], area_slug="noord")
    completed_match(b["B"], theme=Theme.POVERTY)
    completed_match(b["B"], theme=Theme.POVERTY)
    # 3 (hands) + 2 (whole municipality) = 5
    b["H"] = business("Hoveniers Hele Stad")
    b["H_offer"] = offer(b["H"], kinds=["inzet"], area_slug="hele-gemeente")
    # 3 (hands); a broken-off match on this request does not exclude it, nor count.
    b["J"] = business("Jansen Installatie")
    b["J_offer"] = offer(b["J"], kinds=["inzet"], area_slug="west")
    Match.objects.create(
        request=request,
        business=b["J"],
        social_organisation=asker,
        state=MatchState.BROKEN_OFF,
        broken_off_reason="Geen tijd.",
    )
    # 2 (Centrum) each: the name decides, "Aannemer" before "Zeefdrukkerij".
    b["C"] = business("Zeefdrukkerij Centraal")
    b["C_offer"] = offer(b["C"], kinds=["materialen"], area_slug="centrum")
    b["I"] = business("Aannemer Ida")
    b["I_offer"] = offer(b["I"], kinds=["expertise"], area_slug="centrum")
    # 1 (one completed match, other theme), no offer.
    b["F"] = business("Fietsenmaker Fokke")
    completed_match(b["F"], theme=Theme.LONELINESS)
    # Already in conversation about this request: left out despite a perfect offer.
    b["D"] = business("Drukkerij Dijkstra")
    offer(b["D"], kinds=["geld", "inzet"], area_slug="centrum")
    Match.objects.create(
        request=request, business=b["D"], social_organisation=asker, state=MatchState.TALKING
    )
    # Perfect offers that are not public: hidden after reports, expired, a draft.
    b["E"] = business("Energie Eelde")
    offer(b["E"], kinds=["geld", "inzet"], area_slug="centrum", hidden=True)
    offer(b["E"], kinds=["geld", "inzet"], area_slug="centrum", state=PostingState.EXPIRED)
    offer(b["E"], kinds=["geld", "inzet"], area_slug="centrum", state=PostingState.DRAFT)
    # Nothing in common: an offer of network in Noord and no track record.
    b["G"] = business("Garage Groen")
    offer(b["G"], kinds=["netwerk"], area_slug="noord")
    return request, b


def test_ranking_and_reasons(board):
    request, b = board
    with translation.override("en"):
        suggestions = suggestions_for(request)

    assert [(s.organisation, s.score) for s in suggestions] == [
        (b["A"], 8),
        (b["B"], 7),
        (b["H"], 5),
        (b["J"], 3),
        (b["I"], 2),
        (b["C"], 2),
        (b["F"], 1),
    ]
    by_name = {s.organisation.name: s for s in suggestions}
    assert by_name["Bakkerij Aaltje"] == Suggestion(
        organisation=b["A"],
        offer=b["A_offer"],
        score=8,
        reasons=["Offers money", "Offers hands (volunteers)", "Active in Centrum"],
    )
    assert by_name["Bouwbedrijf Berends"].offer == b["B_offer"]
    assert by_name["Bouwbedrijf Berends"].reasons == [
        "Offers money",
        "Also helps with poverty",
        "2 earlier completed matches",
    ]
    assert by_name["Hoveniers Hele Stad"].reasons == [
        "Offers hands (volunteers)",
        "Helps across the whole municipality",
    ]
    assert by_name["Jansen Installatie"].reasons == ["Offers hands (volunteers)"]
    assert by_name["Zeefdrukkerij Centraal"].reasons == ["Active in Centrum"]
    assert by_name["Fietsenmaker Fokke"] == Suggestion(
        organisation=b["F"],
        offer=None,
        score=1,
        reasons=["1 earlier completed match"],
    )


def test_limit_and_left_out(board):
    request, b = board
    top = suggestions_for(request, limit=3)
    assert [s.organisation for s in top] == [b["A"], b["B"], b["H"]]
    everyone = {s.organisation for s in suggestions_for(request, limit=100)}
    assert not everyone & {b["D"], b["E"], b["G"], request.organisation}


def test_reasons_follow_the_language(board):
    request, _b = board
    with translation.override("nl"):
        reasons = suggestions_for(request)[1].reasons
    assert len(reasons) == 3
    assert "2" in reasons[-1]
    assert all("%(" not in reason for reason in reasons)


def test_a_match_becoming_active_drops_the_business(board):
    request, b = board
    Match.objects.create(request=request, business=b["A"], social_organisation=request.organisation)
    assert b["A"] not in {s.organisation for s in suggestions_for(request)}


def test_whole_municipality_request_matches_every_area():
    asker = social("Buurtcentrum Overal")
    request = help_request(asker, kinds=["expertise"], area_slug="hele-gemeente")
    nearby = business("Adviesbureau Haren")
    offer(nearby, kinds=["netwerk"], area_slug="haren")
    with translation.override("en"):
        [suggestion] = suggestions_for(request)
    assert suggestion.organisation == nearby
    assert suggestion.reasons == ["Helps across the whole municipality"]


def test_the_requesting_organisation_is_never_suggested():
    # A social organisation that once completed a match "as business" (data entered by
    # hand in the admin) must not be suggested for its own request.
    asker = social("Stichting Eigenwijs")
    request = help_request(asker)
    Match.objects.create(
        request=help_request(asker, state=PostingState.FULFILLED),
        business=asker,
        social_organisation=asker,
        state=MatchState.COMPLETED,
    )
    assert suggestions_for(request) == []


def _add_candidates(first: int, count: int) -> None:
    for n in range(first, first + count):
        company = business(f"Bedrijf {n:02d}")
        offer(
            company,
            kinds=["geld"] if n % 2 else ["inzet", "netwerk"],
            area_slug="centrum" if n % 3 else "zuid",
        )
        if n % 2:
            completed_match(company, theme=Theme.POVERTY if n % 4 else Theme.OTHER)
        if n % 5 == 0:  # one with only a track record
            completed_match(business(f"Oud-bedrijf {n:02d}"), theme=Theme.POVERTY)


def _queries(request) -> int:
    request = HelpRequest.objects.get(pk=request.pk)  # nothing cached
    with CaptureQueriesContext(connection) as queries:
        suggestions = suggestions_for(request, limit=100)
        # What a page shows must not cost queries either.
        for suggestion in suggestions:
            str(suggestion.organisation.name)
            if suggestion.offer:
                str(suggestion.offer.area.name)
                str(suggestion.offer.title)
    assert suggestions
    return len(queries)


def test_query_count_does_not_grow_with_candidates():
    request = help_request(social("Stichting Telling"))
    _add_candidates(0, 5)
    few = _queries(request)
    assert len(suggestions_for(request, limit=100)) == 6
    _add_candidates(5, 25)
    many = _queries(request)
    assert len(suggestions_for(request, limit=100)) == 36
    assert few == many <= 5


def test_offers_past_their_date_still_count_until_they_expire():
    # Expiry is the beat task's job; until it has run an open offer is public.
    asker = social("Stichting Morgen")
    request = help_request(asker)
    late = business("Laatkomers BV")
    stale = offer(late, kinds=["geld"], area_slug="centrum")
    Offer.objects.filter(pk=stale.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert [s.organisation for s in suggestions_for(request)] == [late]
