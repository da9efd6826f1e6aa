"""What an owner may change in an Omarm draft: only the fields of that kind of posting,
only while it is a draft or sent back, and the history names every change."""

import pytest
from django.utils import translation

from accounts.constants import OrganisationKind
from impactportal.audit.models import AuditLogEntry
from impactportal.workflow import TransitionNotAllowed
from omarm import services
from omarm.constants import PostingState
from tests.factories import OrganisationFactory
from tests.omarm.test_services import member_of, new_offer, new_request


@pytest.mark.django_db
def test_an_owner_edits_a_draft_request_and_cannot_touch_what_is_not_theirs_to_edit():
    user, organisation = member_of(OrganisationKind.SOCIAL)
    request = new_request(user, organisation)
    other = OrganisationFactory(kind=OrganisationKind.SOCIAL)
    services.posting_update(
        posting=request,
        user=user,
        story="Het gaat om 40 kinderen.",
        state=PostingState.OPEN,
        organisation=other,
    )
    request.refresh_from_db()
    assert request.story == "Het gaat om 40 kinderen."
    assert request.state == PostingState.DRAFT
    assert request.organisation == organisation
    entry = AuditLogEntry.objects.get(action="omarm.request.changed")
    assert entry.actor == user
    assert list(entry.changes) == ["story"]


@pytest.mark.django_db
def test_an_owner_edits_the_fields_of_an_offer():
    user, organisation = member_of(OrganisationKind.COMPANY)
    offer = new_offer(user, organisation)
    services.posting_update(
        posting=offer,
        user=user,
        description="Tien laptops met oplader.",
        story="niet van een aanbod",
    )
    offer.refresh_from_db()
    assert offer.description == "Tien laptops met oplader."
    entry = AuditLogEntry.objects.get(action="omarm.offer.changed")
    assert list(entry.changes) == ["description"]


@pytest.mark.django_db
def test_a_posting_under_review_cannot_be_edited_and_the_owner_is_told_why():
    user, organisation = member_of(OrganisationKind.SOCIAL)
    request = new_request(user, organisation)
    services.posting_submit(posting=request, user=user)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as refused:
        services.posting_update(posting=request, user=user, title="Toch anders")
    assert refused.value.messages == ["Only drafts and sent-back postings can be edited."]
