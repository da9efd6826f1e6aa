"""Reads of Omarm Groningen, with the joins each page needs (query counts are pinned).

What the public sees is decided here, in one place: a posting is public while it is
open and not hidden after reports (``Posting.is_public``). Owners (members of the
organisation) and the coordinator see their postings in every state.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from accounts.constants import OrganisationKind
from accounts.models import Membership, Organisation
from accounts.roles import Role
from impactportal.search import prefix_query

from .constants import PostingState, StoryState
from .models import Challenge, ChallengeTeam, HelpRequest, Match, MatchMessage, Offer

# Who is looking ----------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """The organisations a user belongs to and whether they coordinate Omarm (2 queries
    for a logged-in user, none for a visitor), so pages decide access without a query
    per posting."""

    organisation_ids: frozenset[int]
    is_coordinator: bool

    def is_member(self, organisation_id: int) -> bool:
        return organisation_id in self.organisation_ids

    def may_manage(self, posting) -> bool:
        return self.is_member(posting.organisation_id) or self.is_coordinator

    def may_see(self, posting) -> bool:
        return posting.is_public or self.may_manage(posting)


def viewer_for(user) -> Viewer:
    if not (user and user.is_authenticated):
        return Viewer(frozenset(), False)
    ids = frozenset(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))
    return Viewer(ids, user.has_role(Role.COORDINATOR))


def organisations_of(user, kind: str) -> QuerySet[Organisation]:
    """The user's organisations of one kind (businesses or social organisations)."""
    if not (user and user.is_authenticated):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, kind=kind).order_by("name")


# The board ---------------------------------------------------------------------------


def public_requests() -> QuerySet[HelpRequest]:
    return HelpRequest.objects.filter(
        state=PostingState.OPEN, hidden_at__isnull=True
    ).select_related("organisation", "area")


def public_offers() -> QuerySet[Offer]:
    return Offer.objects.filter(state=PostingState.OPEN, hidden_at__isnull=True).select_related(
        "organisation", "area"
    )


def search_postings(queryset: QuerySet, text: str) -> QuerySet:
    """The postings holding every word of ``text`` (Dutch full-text, words as prefixes:
    ``impactportal.search``), e.g. "laptop" finds "laptops"."""
    query = prefix_query(text)
    if query is None:
        return queryset
    return queryset.filter(search_vector=query)


def board_page_items(requests: QuerySet[HelpRequest], offers: QuerySet[Offer]) -> list[tuple]:
    """Requests and offers in one list, newest first, as light (kind, pk) keys: the
    page's objects are loaded afterwards by ``load_board_items`` (2 + 2 queries)."""
    keys = [
        (approved, created, "request", pk)
        for approved, created, pk in requests.order_by().values_list(
            "approved_at", "created_at", "pk"
        )
    ] + [
        (approved, created, "offer", pk)
        for approved, created, pk in offers.order_by().values_list(
            "approved_at", "created_at", "pk"
        )
    ]
    keys.sort(key=lambda key: (key[0] or key[1], key[1], key[3]), reverse=True)
    return [(kind, pk) for _approved, _created, kind, pk in keys]


def load_board_items(keys: list[tuple]) -> list:
    request_ids = [pk for kind, pk in keys if kind == "request"]
    offer_ids = [pk for kind, pk in keys if kind == "offer"]
    loaded = {}
    if request_ids:
        for item in public_requests().filter(pk__in=request_ids):
            loaded["request", item.pk] = item
    if offer_ids:
        for item in public_offers().filter(pk__in=offer_ids):
            loaded["offer", item.pk] = item
    return [loaded[key] for key in keys if key in loaded]


def published_stories() -> QuerySet[Match]:
    """Completed matches whose result story the coordinator published."""
    return (
        Match.objects.filter(story_state=StoryState.PUBLISHED)
        .select_related("request", "offer", "business", "social_organisation")
        .order_by("-story_published_at", "-pk")
    )


# Details -------------------------------------------------------------------------------


def request_detail(uuid) -> HelpRequest | None:
    return (
        HelpRequest.objects.select_related("organisation", "area", "challenge")
        .filter(uuid=uuid)
        .first()
    )


def offer_detail(uuid) -> Offer | None:
    return Offer.objects.select_related("organisation", "area").filter(uuid=uuid).first()


def match_detail(uuid) -> Match | None:
    return (
        Match.objects.select_related(
            "request__area", "offer__area", "business", "social_organisation"
        )
        .prefetch_related(
            Prefetch("messages", queryset=MatchMessage.objects.order_by("created_at", "pk"))
        )
        .filter(uuid=uuid)
        .first()
    )


def organisation_page(organisation: Organisation) -> dict:
    """What an organisation's public page shows: open postings and published stories."""
    return {
        "requests": list(public_requests().filter(organisation=organisation)),
        "offers": list(public_offers().filter(organisation=organisation)),
        "stories": list(
            published_stories().filter(
                Q(business=organisation) | Q(social_organisation=organisation)
            )
        ),
    }


def challenge_detail(slug: str) -> Challenge | None:
    teams = ChallengeTeam.objects.select_related("request").prefetch_related(
        Prefetch("members", queryset=Organisation.objects.order_by("name"))
    )
    return (
        Challenge.objects.prefetch_related(
            Prefetch("requests", queryset=public_requests(), to_attr="open_requests"),
            Prefetch("teams", queryset=teams),
        )
        .filter(slug=slug)
        .first()
    )


# Owners --------------------------------------------------------------------------------


def mine(user) -> dict:
    """'Mijn Omarm': the postings and matches of the user's organisations, every state
    (querysets: the page shows them a page at a time)."""
    organisations = list(Organisation.objects.filter(memberships__user=user).order_by("name"))
    ids = [organisation.pk for organisation in organisations]
    return {
        "organisations": organisations,
        "has_social": any(o.kind == OrganisationKind.SOCIAL for o in organisations),
        "has_business": any(o.kind == OrganisationKind.COMPANY for o in organisations),
        "requests": HelpRequest.objects.filter(organisation_id__in=ids)
        .select_related("organisation", "area")
        .order_by("-created_at", "-pk"),
        "offers": Offer.objects.filter(organisation_id__in=ids)
        .select_related("organisation", "area")
        .order_by("-created_at", "-pk"),
        "matches": Match.objects.filter(Q(business_id__in=ids) | Q(social_organisation_id__in=ids))
        .select_related("request", "offer", "business", "social_organisation")
        .order_by("-last_activity_at", "-pk"),
    }


def open_requests_of(user) -> QuerySet[HelpRequest]:
    """The user's organisations' public requests, to link an interest in an offer to."""
    return public_requests().filter(organisation__memberships__user=user).order_by("title")
