"""Omarm services: every allowed and forbidden move, ownership, reports, matches."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.constants import OrganisationKind
from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.workflow import TransitionNotAllowed
from omarm import services
from omarm.constants import (
    MATCH_TRANSITIONS,
    POSTING_TRANSITIONS,
    REPORT_THRESHOLD,
    MatchState,
    PostingState,
    StoryState,
)
from omarm.models import Area, HelpRequest, Match, Offer
from omarm.services.matches import _match_transition
from omarm.services.postings import _posting_transition
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


def member_of(kind):
    organisation = OrganisationFactory(kind=kind)
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation)
    return user, organisation


def new_request(user, organisation, **values):
    defaults = {
        "title": "Laptops voor kinderen uit gezinnen met een smalle beurs",
        "story": "Veel kinderen in Selwerd hebben thuis geen computer om huiswerk te maken.",
        "theme": "armoede",
        "help_kinds": ["materialen", "geld"],
        "area": Area.objects.get(slug="centrum"),
        "wanted_by": timezone.localdate() + timedelta(days=60),
    }
    return services.request_create(user=user, organisation=organisation, **{**defaults, **values})


def new_offer(user, organisation, **values):
    defaults = {
        "title": "20 laptops",
        "description": "Afgeschreven laptops, schoongemaakt.",
        "help_kinds": ["materialen"],
        "capacity": "20 laptops",
        "area": Area.objects.get(slug="hele-gemeente"),
        "valid_until": timezone.localdate() + timedelta(days=60),
    }
    return services.offer_create(user=user, organisation=organisation, **{**defaults, **values})


@pytest.fixture
def coordinator(db):
    return UserFactory(staff=True, roles=[Role.COORDINATOR])


@pytest.fixture
def social(db):
    return member_of(OrganisationKind.SOCIAL)


@pytest.fixture
def business(db):
    return member_of(OrganisationKind.COMPANY)


def open_request(social, coordinator):
    request = new_request(*social)
    services.posting_submit(posting=request, user=social[0])
    services.posting_approve(posting=request, coordinator=coordinator)
    request.refresh_from_db()
    return request


# The rules, written out: a move added to or dropped from omarm/constants.py must be
# made here too, on purpose.
POSTING_ALLOWED = {
    "draft": {"submitted", "withdrawn"},
    "submitted": {"open", "sent_back", "withdrawn"},
    "sent_back": {"submitted", "withdrawn"},
    "open": {"fulfilled", "expired", "withdrawn"},
    "expired": {"open", "withdrawn"},
    "fulfilled": set(),
    "withdrawn": set(),
}
MATCH_ALLOWED = {
    "proposed": {"talking", "broken_off"},
    "talking": {"matched", "broken_off"},
    "matched": {"completed", "broken_off"},
    "completed": set(),
    "broken_off": set(),
}
POSTING_MOVES = list(itertools.product(PostingState, PostingState))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "target"), POSTING_MOVES, ids=[f"{a.value}->{b.value}" for a, b in POSTING_MOVES]
)
@pytest.mark.parametrize("kind", ["request", "offer"])
def test_posting_transition_table(kind, current, target, social, business):
    user, organisation = social if kind == "request" else business
    posting = (new_request if kind == "request" else new_offer)(user, organisation)
    type(posting).objects.filter(pk=posting.pk).update(state=current)
    posting.refresh_from_db()
    if target.value in POSTING_ALLOWED[current.value]:
        _posting_transition(posting, target, actor=user, reason="omdat")
        posting.refresh_from_db()
        assert posting.state == target
        assert AuditLogEntry.objects.filter(action=f"omarm.{kind}.state_changed").count() == 1
    else:
        with pytest.raises(TransitionNotAllowed):
            _posting_transition(posting, target, actor=user)
        posting.refresh_from_db()
        assert posting.state == current


@pytest.mark.django_db
def test_request_goes_from_draft_through_approval_to_the_board(social, coordinator):
    user, organisation = social
    request = new_request(user, organisation)
    assert request.state == PostingState.DRAFT and not request.is_public
    services.posting_submit(posting=request, user=user)
    services.posting_send_back(
        posting=request, coordinator=coordinator, reason="Noem het aantal kinderen."
    )
    request.refresh_from_db()
    assert request.state == PostingState.SENT_BACK
    assert request.sent_back_reason == "Noem het aantal kinderen."
    services.posting_update(posting=request, user=user, story="Het gaat om 40 kinderen.")
    services.posting_submit(posting=request, user=user)
    services.posting_approve(posting=request, coordinator=coordinator)
    request.refresh_from_db()
    assert request.is_public and request.approved_at and request.sent_back_reason == ""
    # A search vector is stored for the board's full-text search.
    query = SearchQuery("kinderen", config="dutch")
    assert HelpRequest.objects.filter(pk=request.pk, search_vector=query).exists()


@pytest.mark.django_db
def test_send_back_needs_a_reason(social, coordinator):
    request = new_request(*social)
    services.posting_submit(posting=request, user=social[0])
    with pytest.raises(ValidationError):
        services.posting_send_back(posting=request, coordinator=coordinator, reason="  ")
    request.refresh_from_db()
    assert request.state == PostingState.SUBMITTED


@pytest.mark.django_db
def test_only_members_of_the_owning_organisation_change_a_request(social, business):
    request = new_request(*social)
    stranger = UserFactory()
    for call in (
        lambda: services.posting_update(posting=request, user=stranger, title="Gekaapt"),
        lambda: services.posting_submit(posting=request, user=stranger),
        lambda: services.posting_withdraw(posting=request, user=stranger),
        lambda: services.posting_update(posting=request, user=business[0], title="Gekaapt"),
    ):
        with pytest.raises(PermissionDenied):
            call()
    request.refresh_from_db()
    assert request.title.startswith("Laptops") and request.state == PostingState.DRAFT


@pytest.mark.django_db
def test_requests_belong_to_social_organisations_and_offers_to_businesses(social, business):
    with pytest.raises(ValidationError):
        new_request(*business)
    with pytest.raises(ValidationError):
        new_offer(*social)
    with pytest.raises(PermissionDenied):
        new_request(UserFactory(), social[1])
    assert not HelpRequest.objects.exists() and not Offer.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {"title": ""},
        {"title": "x" * 151},
        {"help_kinds": []},
        {"help_kinds": ["toverkracht"]},
        {"theme": "onbekend"},
        {"story": ""},
    ],
)
def test_bad_request_values_store_nothing(social, values):
    with pytest.raises(ValidationError):
        new_request(*social, **values)
    assert not HelpRequest.objects.exists()


@pytest.mark.django_db
def test_only_drafts_and_sent_back_postings_can_be_edited(social, coordinator):
    request = open_request(social, coordinator)
    with pytest.raises(TransitionNotAllowed):
        services.posting_update(posting=request, user=social[0], title="Anders")


@pytest.mark.django_db
def test_three_reports_by_different_people_hide_a_request(social, coordinator):
    request = open_request(social, coordinator)
    reporters = [UserFactory() for _ in range(REPORT_THRESHOLD)]
    services.request_report(request=request, reporter=reporters[0], reason="Reclame")
    with pytest.raises(ValidationError):  # the same person twice counts once
        services.request_report(request=request, reporter=reporters[0], reason="Nog eens")
    services.request_report(request=request, reporter=reporters[1], reason="Reclame")
    request.refresh_from_db()
    assert request.is_public
    services.request_report(request=request, reporter=reporters[2], reason="Klopt niet")
    request.refresh_from_db()
    assert request.hidden_at is not None and not request.is_public
    # The coordinator puts it back; the reports are resolved.
    services.request_review_reports(request=request, coordinator=coordinator, keep=True)
    request.refresh_from_db()
    assert request.is_public
    assert not request.reports.filter(resolved_at__isnull=True).exists()


@pytest.mark.django_db
def test_coordinator_can_withdraw_a_reported_request(social, coordinator):
    request = open_request(social, coordinator)
    for _ in range(REPORT_THRESHOLD):
        services.request_report(request=request, reporter=UserFactory(), reason="Spam")
    services.request_review_reports(request=request, coordinator=coordinator, keep=False)
    request.refresh_from_db()
    assert request.state == PostingState.WITHDRAWN and request.hidden_at is None


@pytest.mark.django_db
def test_extend_moves_the_date_and_reopens_an_expired_posting(social, coordinator):
    request = open_request(social, coordinator)
    HelpRequest.objects.filter(pk=request.pk).update(state=PostingState.EXPIRED)
    later = timezone.localdate() + timedelta(days=90)
    with pytest.raises(ValidationError):
        services.posting_extend(
            posting=request, user=social[0], until=timezone.localdate() - timedelta(days=1)
        )
    services.posting_extend(posting=request, user=social[0], until=later)
    request.refresh_from_db()
    assert request.state == PostingState.OPEN and request.wanted_by == later


MATCH_MOVES = list(itertools.product(MatchState, MatchState))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("current", "target"), MATCH_MOVES, ids=[f"{a.value}->{b.value}" for a, b in MATCH_MOVES]
)
def test_match_transition_table(current, target, social, business, coordinator):
    request = open_request(social, coordinator)
    match = services.match_offer_help(
        request=request, business=business[1], user=business[0], message="Wij helpen graag"
    )
    Match.objects.filter(pk=match.pk).update(state=current)
    match.refresh_from_db()
    if target.value in MATCH_ALLOWED[current.value]:
        _match_transition(match, target, actor=coordinator, reason="reden")
        match.refresh_from_db()
        assert match.state == target
    else:
        with pytest.raises(TransitionNotAllowed):
            _match_transition(match, target, actor=coordinator)
        match.refresh_from_db()
        assert match.state == current


@pytest.mark.django_db
def test_match_life_from_offer_to_published_story(social, business, coordinator):
    request = open_request(social, coordinator)
    match = services.match_offer_help(
        request=request,
        business=business[1],
        user=business[0],
        message="Wij hebben 20 laptops over.",
    )
    assert match.state == MatchState.PROPOSED
    with pytest.raises(ValidationError):  # no second active match for the same pair
        services.match_offer_help(
            request=request, business=business[1], user=business[0], message="Nog eens"
        )
    # The other side answers: in conversation.
    services.match_message_add(match=match, author=social[0], body="Graag! Wanneer?")
    match.refresh_from_db()
    assert match.state == MatchState.TALKING
    services.match_transition(match=match, to=MatchState.MATCHED, actor=social[0])
    with pytest.raises(ValidationError):
        services.match_complete(match=match, actor=business[0], result_story="", hours=Decimal("4"))
    with pytest.raises(ValidationError):
        services.match_complete(
            match=match, actor=business[0], result_story="Gelukt", counts_for_social_return=True
        )
    services.match_complete(
        match=match,
        actor=business[0],
        result_story="20 kinderen hebben nu een laptop.",
        hours=Decimal("12"),
        value_eur=Decimal("4000"),
        counts_for_social_return=True,
        social_return_eur=Decimal("4000"),
    )
    match.refresh_from_db()
    assert match.state == MatchState.COMPLETED and match.story_state == StoryState.SUBMITTED
    services.match_publish_story(match=match, coordinator=coordinator)
    match.refresh_from_db()
    assert match.story_state == StoryState.PUBLISHED


@pytest.mark.django_db
def test_only_the_two_sides_and_the_coordinator_take_part_in_a_match(social, business, coordinator):
    request = open_request(social, coordinator)
    match = services.match_offer_help(
        request=request, business=business[1], user=business[0], message=""
    )
    assert services.can_take_part(social[0], match)
    assert services.can_take_part(business[0], match)
    assert services.can_take_part(coordinator, match)
    stranger = UserFactory()
    assert not services.can_take_part(stranger, match)
    with pytest.raises(PermissionDenied):
        services.match_message_add(match=match, author=stranger, body="Mag ik meelezen?")
    with pytest.raises(PermissionDenied):
        services.match_transition(match=match, to=MatchState.BROKEN_OFF, actor=stranger, reason="x")


@pytest.mark.django_db
def test_breaking_off_needs_a_reason(social, business, coordinator):
    request = open_request(social, coordinator)
    match = services.match_offer_help(
        request=request, business=business[1], user=business[0], message=""
    )
    with pytest.raises(ValidationError):
        services.match_transition(match=match, to=MatchState.BROKEN_OFF, actor=social[0])
    services.match_transition(
        match=match,
        to=MatchState.BROKEN_OFF,
        actor=social[0],
        reason="Inmiddels geregeld via de school.",
    )
    match.refresh_from_db()
    assert match.broken_off_reason == "Inmiddels geregeld via de school."


@pytest.mark.django_db
def test_no_match_on_a_request_that_is_not_public(social, business, coordinator):
    request = new_request(*social)
    with pytest.raises(ValidationError):
        services.match_offer_help(
            request=request, business=business[1], user=business[0], message=""
        )
    assert not Match.objects.exists()


@pytest.mark.django_db
def test_coordinator_proposes_a_match_to_both_sides(social, business, coordinator):
    request = open_request(social, coordinator)
    match = services.match_propose(
        request=request,
        business=business[1],
        coordinator=coordinator,
        message="Past dit bij jullie?",
    )
    assert match.proposed_by_coordinator
    assert match.social_organisation == social[1]


@pytest.mark.django_db
def test_the_starting_side_cannot_accept_its_own_proposal(social, business, coordinator, client):
    request = open_request(social, coordinator)
    match = services.match_offer_help(
        request=request, business=business[1], user=business[0], message="Wij helpen"
    )
    with pytest.raises(PermissionDenied):
        services.match_transition(match=match, to=MatchState.TALKING, actor=business[0])
    client.force_login(business[0])
    page = client.get(match.get_absolute_url())
    assert MatchState.TALKING.value not in dict(
        page.context["transition_form"].fields["to"].choices
    )
    response = client.post(match.get_absolute_url(), {"action": "transition", "to": "talking"})
    # The form offers no such choice: the page again with the error (400), nothing changed.
    assert response.status_code == 400
    assert response.context["transition_form"].errors["to"]
    match.refresh_from_db()
    assert match.state == MatchState.PROPOSED
    services.match_transition(match=match, to=MatchState.TALKING, actor=social[0])
    match.refresh_from_db()
    assert match.state == MatchState.TALKING


def test_the_tables_are_the_rules_written_here():
    assert {k.value: {v.value for v in vs} for k, vs in POSTING_TRANSITIONS.items()} == (
        POSTING_ALLOWED
    )
    assert {k.value: {v.value for v in vs} for k, vs in MATCH_TRANSITIONS.items()} == (
        MATCH_ALLOWED
    )
