"""Omarm's matching rules where people meet them: one can only speak for one's own
organisation's postings, a story goes on the board only after a completed match, an
offer's extension moves its own end date, and every refusal says why."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.constants import OrganisationKind
from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.workflow import TransitionNotAllowed
from omarm import services
from omarm.constants import MatchState
from omarm.models import Match
from tests.factories import (
    HelpRequestFactory,
    MatchFactory,
    OfferFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.omarm.test_services import member_of, new_offer, new_request


@pytest.fixture
def coordinator(db):
    return UserFactory(staff=True, roles=[Role.COORDINATOR])


@pytest.mark.django_db
def test_interest_cannot_be_shown_on_behalf_of_another_organisations_request():
    user, organisation = member_of(OrganisationKind.SOCIAL)
    someone_elses = HelpRequestFactory()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.match_show_interest(
            offer=OfferFactory(),
            social_organisation=organisation,
            user=user,
            message="Wij hebben interesse.",
            request=someone_elses,
        )
    assert refused.value.messages == ["That request belongs to another organisation."]
    assert not Match.objects.exists()


@pytest.mark.django_db
def test_the_coordinator_cannot_propose_another_business_offer(coordinator):
    business = OrganisationFactory(kind=OrganisationKind.COMPANY)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.match_propose(
            request=HelpRequestFactory(),
            business=business,
            coordinator=coordinator,
            offer=OfferFactory(),
        )
    assert refused.value.messages == ["That offer belongs to another business."]
    assert not Match.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "values",
    [
        {"state": MatchState.MATCHED, "result_story": "Al een verhaal, nog niet klaar."},
        {"state": MatchState.COMPLETED, "result_story": ""},
    ],
    ids=["not completed", "no story"],
)
def test_only_a_completed_match_with_a_story_goes_on_the_board(coordinator, values):
    match = MatchFactory(**values)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        services.match_publish_story(match=match, coordinator=coordinator)
    assert refused.value.messages == ["Only completed matches with a story can be published."]
    match.refresh_from_db()
    assert match.story_published_at is None


@pytest.mark.django_db
def test_publishing_a_story_is_in_the_history_under_the_coordinators_name(coordinator):
    match = MatchFactory(
        state=MatchState.COMPLETED, result_story="Twintig laptops uitgedeeld.", hours=4
    )
    services.match_publish_story(match=match, coordinator=coordinator)
    entry = AuditLogEntry.objects.get(action="omarm.match.story_published")
    assert (entry.actor, entry.target) == (coordinator, match)


@pytest.mark.django_db
def test_extending_an_offer_moves_its_own_end_date(coordinator):
    user, organisation = member_of(OrganisationKind.COMPANY)
    offer = new_offer(user, organisation)
    services.posting_submit(posting=offer, user=user)
    services.posting_approve(posting=offer, coordinator=coordinator)
    until = timezone.localdate() + timedelta(days=120)
    services.posting_extend(posting=offer, user=user, until=until)
    offer.refresh_from_db()
    assert offer.valid_until == until
    entry = AuditLogEntry.objects.get(action="omarm.offer.extended")
    assert list(entry.changes) == ["valid_until"]


@pytest.mark.django_db
def test_the_history_of_an_edit_holds_the_old_and_the_new_text():
    user, organisation = member_of(OrganisationKind.SOCIAL)
    request = new_request(user, organisation, title="Laptops voor kinderen")
    services.posting_update(posting=request, user=user, title="Twintig laptops voor kinderen")
    entry = AuditLogEntry.objects.get(action="omarm.request.changed")
    assert entry.target == request
    assert entry.changes == {"title": ["Laptops voor kinderen", "Twintig laptops voor kinderen"]}


@pytest.mark.django_db
def test_a_proposal_without_a_note_starts_an_empty_conversation(coordinator):
    request = HelpRequestFactory()
    business = OrganisationFactory(kind=OrganisationKind.COMPANY)
    match = services.match_propose(request=request, business=business, coordinator=coordinator)
    assert not match.messages.exists()


@pytest.mark.django_db
def test_a_social_organisations_page_shows_its_published_stories(client):
    match = MatchFactory(published=True)
    page = client.get(f"/omarm/organisatie/{match.social_organisation.uuid}/")
    assert page.status_code == 200
    assert [story.pk for story in page.context["stories"]] == [match.pk]
