"""Omarm's demo data: every state of requests, offers and matches, and idempotent."""

import pytest

from accounts.constants import OrganisationKind
from accounts.demo import load_demo_accounts
from accounts.models import Membership, Organisation, User
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from omarm import selectors
from omarm.constants import REPORT_THRESHOLD, MatchState, PostingState, StoryState
from omarm.demo import CHALLENGE_SLUG, load_demo_omarm
from omarm.models import (
    Challenge,
    ChallengeTeam,
    HelpRequest,
    Match,
    MatchMessage,
    Offer,
    Report,
)

MODELS = [
    Organisation,
    Membership,
    User,
    HelpRequest,
    Offer,
    Match,
    MatchMessage,
    Report,
    Challenge,
    ChallengeTeam,
    OutboxMessage,
    AuditLogEntry,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo(db):
    load_demo_accounts()
    assert load_demo_omarm() == HelpRequest.objects.count() + Offer.objects.count()


def test_running_the_loader_twice_creates_nothing_new(demo):
    before = counts()
    team_members = sorted(ChallengeTeam.objects.values_list("members__name", flat=True))
    load_demo_accounts()
    assert load_demo_omarm() == 0
    assert counts() == before
    assert sorted(ChallengeTeam.objects.values_list("members__name", flat=True)) == team_members


def test_every_posting_state_occurs_among_requests(demo):
    states = set(HelpRequest.objects.values_list("state", flat=True))
    assert states == set(PostingState.values)
    assert HelpRequest.objects.filter(state=PostingState.OPEN).count() >= 4
    sent_back = HelpRequest.objects.get(state=PostingState.SENT_BACK)
    assert sent_back.sent_back_reason
    # One open request is hidden after reports by three different people.
    hidden = HelpRequest.objects.get(hidden_at__isnull=False)
    assert hidden.state == PostingState.OPEN
    assert hidden.reports.values("reporter").distinct().count() >= REPORT_THRESHOLD
    # Every public request has its own theme, and they span areas and kinds of help.
    public = list(selectors.public_requests())
    assert len(public) >= 4
    assert len({r.theme for r in public}) == len(public)
    assert len({r.area_id for r in public}) >= 4
    assert len({kind for r in public for kind in r.help_kinds}) >= 4
    assert not HelpRequest.objects.filter(search_vector__isnull=True).exists()


def test_offers_in_several_states(demo):
    states = list(Offer.objects.values_list("state", flat=True))
    assert states.count(PostingState.OPEN) == 3
    assert PostingState.SUBMITTED in states
    assert PostingState.EXPIRED in states
    assert all(offer.organisation.kind == OrganisationKind.COMPANY for offer in Offer.objects.all())


def test_every_match_state_occurs(demo):
    states = set(Match.objects.values_list("state", flat=True))
    assert states == set(MatchState.values)
    proposed = Match.objects.get(state=MatchState.PROPOSED)
    assert proposed.proposed_by_coordinator
    assert proposed.offer is not None
    talking = Match.objects.get(state=MatchState.TALKING)
    assert talking.messages.count() >= 2
    broken = Match.objects.get(state=MatchState.BROKEN_OFF)
    assert broken.broken_off_reason
    completed = Match.objects.filter(state=MatchState.COMPLETED)
    assert {m.story_state for m in completed} == {StoryState.PUBLISHED, StoryState.SUBMITTED}
    social_return = completed.get(counts_for_social_return=True)
    assert social_return.social_return_eur > 0


def test_a_published_story(demo):
    stories = list(selectors.published_stories())
    assert stories
    keyboards = next(s for s in stories if s.business.name == "GasTerra")
    assert keyboards.social_organisation.name == "De Computerbank Noord"
    assert "40 toetsenborden" in keyboards.result_story
    assert keyboards.hours and keyboards.value_eur
    assert keyboards.request.state == PostingState.FULFILLED
    assert all(s.state == MatchState.COMPLETED for s in stories)


def test_the_board_lists_only_public_postings(demo):
    requests = list(selectors.public_requests())
    offers = list(selectors.public_offers())
    assert all(r.is_public for r in requests)
    assert all(o.is_public for o in offers)
    assert {r.pk for r in requests} == {r.pk for r in HelpRequest.objects.all() if r.is_public}
    assert {o.pk for o in offers} == {o.pk for o in Offer.objects.all() if o.is_public}
    assert not any(r.hidden_at for r in requests)
    keys = selectors.board_page_items(selectors.public_requests(), selectors.public_offers())
    assert len(selectors.load_board_items(keys)) == len(requests) + len(offers)


def test_the_challenge_has_a_team_of_two_businesses_on_an_open_request(demo):
    challenge = selectors.challenge_detail(CHALLENGE_SLUG)
    assert challenge is not None
    assert len(challenge.open_requests) == 1
    (team,) = challenge.teams.all()
    assert team.request.is_public
    assert team.request.challenge_id == challenge.pk
    members = list(team.members.all())
    assert len(members) == 2
    assert all(m.kind == OrganisationKind.COMPANY for m in members)


def test_every_demo_organisation_can_act(demo):
    for name in (
        "GasTerra",
        "Hullabaloo Festival",
        "Journey to Jupiter",
        "ASBR",
        "Fietsenwerkplaats Oosterpoort",
        "De Computerbank Noord",
        "Stichting Leergeld Groningen",
        "Peers",
        "Stichting Klushulp",
    ):
        organisation = Organisation.objects.get(name=name)
        assert organisation.members.filter(email__endswith="@demo.impactportaal.nl").exists()
    kvk = [k for k in Organisation.objects.values_list("kvk_number", flat=True) if k]
    assert len(kvk) == len(set(kvk))
