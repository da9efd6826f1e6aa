"""Owners post and manage requests and offers; businesses offer help; both sides and
the coordinator work in the match thread. Bad input and permission boundaries."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.constants import OrganisationKind
from accounts.roles import Role
from omarm import services
from omarm.constants import MatchState, PostingState, StoryState
from omarm.models import Area, HelpRequest, Match, MatchMessage, Offer
from tests.factories import (
    HelpRequestFactory,
    MatchFactory,
    MembershipFactory,
    OfferFactory,
    OrganisationFactory,
    UserFactory,
)

NEW_REQUEST = "/omarm/hulpvraag/nieuw/"
NEW_OFFER = "/omarm/aanbod/nieuw/"
SCRIPT = "<script>alert(1)</script>"


def png(name="foto.png", size=(20, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def social(db):
    return OrganisationFactory(kind=OrganisationKind.SOCIAL, name="Stichting De Brug")


@pytest.fixture
def owner(social):
    return MembershipFactory(
        organisation=social, user=UserFactory(roles=[Role.SOCIAL_ORGANISATION])
    ).user


@pytest.fixture
def business(db):
    return OrganisationFactory(kind=OrganisationKind.COMPANY, name="Drukkerij Zuid")


@pytest.fixture
def entrepreneur(business):
    return MembershipFactory(organisation=business).user


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)


@pytest.fixture
def request_data(social):
    return {
        "organisation": social.pk,
        "title": "Vrijwilligers voor het taalcafé",
        "story": "Wij zoeken mensen die wekelijks met nieuwkomers Nederlands praten.",
        "theme": "laaggeletterdheid",
        "help_kinds": ["inzet", "expertise"],
        "area": Area.objects.get(slug="centrum").pk,
        "wanted_by": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "photo_description": "",
    }


# Posting a request ----------------------------------------------------------------------


@pytest.mark.django_db
def test_post_a_draft_and_submit_it(client, owner, request_data):
    client.force_login(owner)
    assert client.get(NEW_REQUEST).status_code == 200
    response = client.post(NEW_REQUEST, {**request_data, "draft": "1"})
    assert response.status_code == 302
    request = HelpRequest.objects.get()
    assert request.state == PostingState.DRAFT
    assert request.help_kinds == ["inzet", "expertise"]
    assert request.search_vector is not None
    client.post(NEW_REQUEST, {**request_data, "title": "Tweede", "submit": "1"})
    assert HelpRequest.objects.get(title="Tweede").state == PostingState.SUBMITTED
    # Not public until the coordinator approves.
    assert client.logout() is None
    assert client.get(request.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_photo_is_stored_and_served_only_to_who_may_see_the_request(
    client, owner, request_data, user, coordinator
):
    client.force_login(owner)
    client.post(
        NEW_REQUEST, {**request_data, "photo": png(), "photo_description": "Mensen aan een tafel"}
    )
    request = HelpRequest.objects.get()
    assert request.photo
    photo_url = f"/omarm/foto/{request.uuid}/"
    response = client.get(photo_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(user)
    assert client.get(photo_url).status_code == 404
    services.posting_submit(posting=request, user=owner)
    services.posting_approve(posting=request, coordinator=coordinator)
    response = client.get(photo_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert 'alt="Mensen aan een tafel"' in client.get(request.get_absolute_url()).content.decode()


def _exe():
    return SimpleUploadedFile("foto.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")


def _big_png():
    """A valid PNG above 5 MB (random pixels do not compress)."""
    import os

    buffer = io.BytesIO()
    Image.frombytes("RGB", (1400, 1400), os.urandom(1400 * 1400 * 3)).save(buffer, "PNG")
    assert buffer.tell() > 5 * 1024 * 1024
    return SimpleUploadedFile("groot.png", buffer.getvalue(), content_type="image/png")


BAD_REQUESTS = {
    "empty": lambda d: {k: "" for k in d},
    "title too long": lambda d: {**d, "title": "x" * 151},
    "story of 100 kB": lambda d: {**d, "story": "x" * 100_000},
    "wanted_by in the past": lambda d: {**d, "wanted_by": "2020-01-01"},
    "wanted_by not a date": lambda d: {**d, "wanted_by": "morgen"},
    "no kind of help": lambda d: {**d, "help_kinds": []},
    "unknown kind of help": lambda d: {**d, "help_kinds": ["toverkracht"]},
    "unknown area": lambda d: {**d, "area": "99999"},
    "area not a number": lambda d: {**d, "area": "centrum"},
    "unknown theme": lambda d: {**d, "theme": "oorlog"},
    "exe renamed .jpg": lambda d: {**d, "photo": _exe(), "photo_description": "Foto"},
    "oversized photo": lambda d: {**d, "photo": _big_png(), "photo_description": "Foto"},
    "photo without description": lambda d: {**d, "photo": png()},
    "organisation not mine": lambda d: {
        **d,
        "organisation": OrganisationFactory(kind=OrganisationKind.SOCIAL).pk,
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", BAD_REQUESTS)
def test_bad_request_input_is_refused(client, owner, request_data, case):
    client.force_login(owner)
    response = client.post(NEW_REQUEST, {**BAD_REQUESTS[case](request_data), "submit": "1"})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    assert not HelpRequest.objects.exists()


@pytest.mark.django_db
def test_hostile_html_is_stored_as_text_and_escaped(client, owner, request_data):
    client.force_login(owner)
    client.post(NEW_REQUEST, {**request_data, "title": SCRIPT, "story": SCRIPT})
    request = HelpRequest.objects.get()
    assert request.title == SCRIPT
    page = client.get(request.get_absolute_url()).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page
    assert SCRIPT not in client.get("/omarm/mijn/").content.decode()


@pytest.mark.django_db
def test_only_social_organisations_post_requests_and_businesses_offers(
    client, user, entrepreneur, owner
):
    client.force_login(user)  # no organisation at all
    assert client.get(NEW_REQUEST).status_code == 403
    assert client.get(NEW_OFFER).status_code == 403
    client.force_login(entrepreneur)
    assert client.get(NEW_REQUEST).status_code == 403
    assert client.get(NEW_OFFER).status_code == 200
    client.force_login(owner)
    assert client.get(NEW_OFFER).status_code == 403
    client.logout()
    assert client.get(NEW_REQUEST)["Location"].startswith("/account/login/")


@pytest.mark.django_db
def test_post_an_offer(client, entrepreneur, business):
    client.force_login(entrepreneur)
    data = {
        "organisation": business.pk,
        "title": "Drukwerk",
        "description": "Gratis flyers",
        "help_kinds": ["materialen"],
        "capacity": "500 flyers",
        "area": Area.objects.get(slug="zuid").pk,
        "valid_until": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    assert client.post(NEW_OFFER, {**data, "valid_until": "2001-01-01"}).status_code == 400
    assert client.post(NEW_OFFER, {**data, "capacity": ""}).status_code == 400
    assert not Offer.objects.exists()
    assert client.post(NEW_OFFER, {**data, "submit": "1"}).status_code == 302
    assert Offer.objects.get().state == PostingState.SUBMITTED


# Editing and actions --------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_a_sent_back_request(client, owner, social, request_data):
    request = HelpRequestFactory(
        organisation=social,
        state=PostingState.SENT_BACK,
        sent_back_reason="Noem de wijk in de tekst",
    )
    url = f"/omarm/hulpvraag/{request.uuid}/bewerken/"
    client.force_login(owner)
    page = client.get(url).content.decode()
    assert "Noem de wijk in de tekst" in page
    assert client.post(url, {**request_data, "title": ""}).status_code == 400
    response = client.post(url, {**request_data, "title": "Taalcafé in Centrum", "submit": "1"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.title == "Taalcafé in Centrum"
    assert request.state == PostingState.SUBMITTED
    # Submitted: no longer editable.
    response = client.get(url)
    assert response.status_code == 302
    assert client.post(url, {**request_data, "title": "Stiekem"}).status_code == 302
    request.refresh_from_db()
    assert request.title == "Taalcafé in Centrum"


@pytest.mark.django_db
def test_strangers_cannot_edit_submit_or_withdraw(client, user, entrepreneur, request_data, social):
    draft = HelpRequestFactory(organisation=social, state=PostingState.DRAFT)
    public = HelpRequestFactory(organisation=social)
    offer = OfferFactory()
    for stranger in (user, entrepreneur):
        client.force_login(stranger)
        assert client.get(f"/omarm/hulpvraag/{draft.uuid}/bewerken/").status_code == 404
        assert client.post(f"/omarm/hulpvraag/{draft.uuid}/indienen/").status_code == 404
        assert client.get(f"/omarm/hulpvraag/{public.uuid}/bewerken/").status_code == 403
        for action in ("indienen", "intrekken", "vervuld"):
            assert client.post(f"/omarm/hulpvraag/{public.uuid}/{action}/").status_code == 403
        assert (
            client.post(
                f"/omarm/hulpvraag/{public.uuid}/verlengen/", {"until": "2099-01-01"}
            ).status_code
            == 403
        )
    client.force_login(user)
    assert client.post(f"/omarm/aanbod/{offer.uuid}/intrekken/").status_code == 403
    assert client.post(f"/omarm/taart/{offer.uuid}/intrekken/").status_code == 404
    draft.refresh_from_db(), public.refresh_from_db(), offer.refresh_from_db()
    assert (draft.state, public.state, offer.state) == ("draft", "open", "open")
    client.logout()
    response = client.post(f"/omarm/hulpvraag/{public.uuid}/intrekken/")
    assert response["Location"].startswith("/account/login/")
    assert client.get(f"/omarm/hulpvraag/{public.uuid}/intrekken/").status_code == 302


@pytest.mark.django_db
def test_owner_actions(client, owner, social):
    draft = HelpRequestFactory(organisation=social, state=PostingState.DRAFT)
    public = HelpRequestFactory(organisation=social)
    expired = HelpRequestFactory(organisation=social, state=PostingState.EXPIRED)
    client.force_login(owner)
    page = client.get("/omarm/mijn/").content.decode()
    assert draft.title in page and expired.title in page
    assert client.post(f"/omarm/hulpvraag/{draft.uuid}/indienen/").status_code == 302
    draft.refresh_from_db()
    assert draft.state == PostingState.SUBMITTED
    # An illegal move is a message, not an error page.
    response = client.post(f"/omarm/hulpvraag/{draft.uuid}/vervuld/", follow=True)
    assert response.status_code == 200
    assert "message--error" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == PostingState.SUBMITTED
    for until in ("", "2020-01-01", timezone.localdate().isoformat(), "gisteren"):
        response = client.post(
            f"/omarm/hulpvraag/{expired.uuid}/verlengen/", {"until": until}, follow=True
        )
        assert "message--error" in response.content.decode(), until
    expired.refresh_from_db()
    assert expired.state == PostingState.EXPIRED
    new_date = timezone.localdate() + timedelta(days=40)
    client.post(f"/omarm/hulpvraag/{expired.uuid}/verlengen/", {"until": new_date.isoformat()})
    expired.refresh_from_db()
    assert (expired.state, expired.wanted_by) == (PostingState.OPEN, new_date)
    client.post(f"/omarm/hulpvraag/{public.uuid}/vervuld/")
    public.refresh_from_db()
    assert public.state == PostingState.FULFILLED
    client.post(f"/omarm/hulpvraag/{expired.uuid}/intrekken/")
    expired.refresh_from_db()
    assert expired.state == PostingState.WITHDRAWN


# Starting a match -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_business_offers_help(
    client, entrepreneur, business, owner, django_capture_on_commit_callbacks
):
    request = HelpRequestFactory(organisation=owner.organisations.get())
    url = f"/omarm/hulpvraag/{request.uuid}/helpen/"
    client.force_login(entrepreneur)
    assert 'id="id_business"' in client.get(request.get_absolute_url()).content.decode()
    for bad in (
        {"business": business.pk, "message": ""},
        {"business": business.pk, "message": "x" * 5001},
        {"business": business.pk, "message": "Hoi\x00"},
        {"business": OrganisationFactory().pk, "message": "Hoi"},
    ):
        assert client.post(url, bad).status_code == 400
    assert not Match.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"business": business.pk, "message": "Wij helpen graag!"})
    match = Match.objects.get()
    assert response["Location"] == f"{match.get_absolute_url()}#bericht"
    assert (match.business, match.request, match.state) == (business, request, "proposed")
    assert match.messages.get().body == "Wij helpen graag!"
    # Twice is refused with a clear message.
    response = client.post(url, {"business": business.pk, "message": "Nog eens"})
    assert response.status_code == 400
    assert Match.objects.count() == 1


@pytest.mark.django_db
def test_only_businesses_offer_help_and_only_on_public_requests(
    client, owner, entrepreneur, business
):
    request = HelpRequestFactory()
    client.force_login(owner)  # a social organisation
    page = client.get(request.get_absolute_url()).content.decode()
    assert 'id="id_business"' not in page
    response = client.post(
        f"/omarm/hulpvraag/{request.uuid}/helpen/",
        {"business": owner.organisations.get().pk, "message": "Hoi"},
    )
    assert response.status_code == 403  # the page offers the form to companies only
    draft = HelpRequestFactory(state=PostingState.DRAFT)
    client.force_login(entrepreneur)
    response = client.post(
        f"/omarm/hulpvraag/{draft.uuid}/helpen/", {"business": business.pk, "message": "Hoi"}
    )
    assert response.status_code == 404
    assert not Match.objects.exists()


@pytest.mark.django_db
def test_a_social_organisation_shows_interest_in_an_offer(client, owner, social):
    offer = OfferFactory()
    mine = HelpRequestFactory(organisation=social, title="Onze vraag")
    other = HelpRequestFactory()
    url = f"/omarm/aanbod/{offer.uuid}/interesse/"
    client.force_login(owner)
    assert "Onze vraag" in client.get(offer.get_absolute_url()).content.decode()
    response = client.post(
        url, {"social_organisation": social.pk, "request": other.pk, "message": "Graag"}
    )
    assert response.status_code == 400
    assert not Match.objects.exists()
    response = client.post(
        url, {"social_organisation": social.pk, "request": mine.pk, "message": "Graag"}
    )
    match = Match.objects.get()
    assert response["Location"] == f"{match.get_absolute_url()}#bericht"
    assert (match.offer, match.request, match.social_organisation) == (offer, mine, social)


# The match page -------------------------------------------------------------------------


@pytest.fixture
def match(owner, entrepreneur, business):
    request = HelpRequestFactory(organisation=owner.organisations.get())
    return services.match_offer_help(
        request=request, business=business, user=entrepreneur, message="Wij willen helpen"
    )


@pytest.mark.django_db
def test_only_the_parties_and_the_coordinator_read_the_thread(
    client, match, owner, entrepreneur, coordinator, user
):
    for party in (owner, entrepreneur, coordinator):
        client.force_login(party)
        response = client.get(match.get_absolute_url())
        assert response.status_code == 200
        assert "Wij willen helpen" in response.content.decode()
    for stranger in (user, MembershipFactory(organisation=OrganisationFactory()).user):
        client.force_login(stranger)
        assert client.get(match.get_absolute_url()).status_code == 404
        response = client.post(match.get_absolute_url(), {"action": "message", "body": "Hoi"})
        assert response.status_code == 404
    client.logout()
    assert client.get(match.get_absolute_url())["Location"].startswith("/account/login/")
    assert MatchMessage.objects.count() == 1


@pytest.mark.django_db
def test_the_conversation_and_the_states(client, match, owner, entrepreneur):
    url = match.get_absolute_url()
    client.force_login(owner)
    for body in ("", "x" * 5001, "a\x00"):
        assert client.post(url, {"action": "message", "body": body}).status_code == 400
    assert client.post(url, {"action": "onbekend"}).status_code == 404
    client.post(url, {"action": "message", "body": SCRIPT})
    match.refresh_from_db()
    assert match.state == MatchState.TALKING  # the other side answered
    page = client.get(url).content.decode()
    assert SCRIPT not in page and "&lt;script&gt;" in page
    # Completing through the state form, or skipping a step, is refused.
    for to in ("completed", "proposed", "onzin"):
        assert client.post(url, {"action": "transition", "to": to}).status_code == 400
    client.post(url, {"action": "transition", "to": "matched"})
    match.refresh_from_db()
    assert match.state == MatchState.MATCHED
    # Breaking off needs a reason.
    response = client.post(url, {"action": "transition", "to": "broken_off", "reason": " "})
    assert response.status_code == 400
    match.refresh_from_db()
    assert match.state == MatchState.MATCHED


@pytest.fixture
def matched(match, owner):
    services.match_transition(match=match, to=MatchState.TALKING, actor=owner)
    services.match_transition(match=match, to=MatchState.MATCHED, actor=owner)
    return match


GOOD_RESULT = {
    "action": "complete",
    "result_story": "Twintig gezinnen hebben een laptop.",
    "hours": "12.5",
    "value_eur": "4000",
    "counts_for_social_return": "on",
    "social_return_eur": "2500.00",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        {"result_story": ""},
        {"result_story": "x" * 100_000},
        {"hours": "-3"},
        {"value_eur": "-0.01"},
        {"hours": "veel"},
        {"hours": "1.25"},
        {"social_return_eur": ""},
        {"social_return_eur": "-10"},
        {"value_eur": "12345678901"},
    ],
)
def test_bad_completion_is_refused(client, matched, entrepreneur, bad):
    client.force_login(entrepreneur)
    response = client.post(matched.get_absolute_url(), {**GOOD_RESULT, **bad})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    matched.refresh_from_db()
    assert matched.state == MatchState.MATCHED
    assert matched.result_story == "" and matched.hours is None


@pytest.mark.django_db
def test_complete_a_match(client, matched, entrepreneur):
    client.force_login(entrepreneur)
    response = client.post(matched.get_absolute_url(), GOOD_RESULT)
    assert response.status_code == 302
    matched.refresh_from_db()
    assert matched.state == MatchState.COMPLETED
    assert matched.story_state == StoryState.SUBMITTED
    assert str(matched.social_return_eur) == "2500.00"
    # Closed: no more messages or state changes.
    page = client.get(matched.get_absolute_url()).content.decode()
    assert 'name="action"' not in page
    assert (
        client.post(
            matched.get_absolute_url(), {"action": "message", "body": "Nog iets"}
        ).status_code
        == 400
    )


@pytest.mark.django_db
def test_social_return_amount_is_dropped_when_not_ticked(client, matched, entrepreneur):
    client.force_login(entrepreneur)
    data = {**GOOD_RESULT}
    del data["counts_for_social_return"]
    client.post(matched.get_absolute_url(), data)
    matched.refresh_from_db()
    assert matched.state == MatchState.COMPLETED
    assert not matched.counts_for_social_return and matched.social_return_eur is None


@pytest.mark.django_db
def test_mine_lists_matches_of_my_organisations_only(client, match, owner):
    MatchFactory(result_story="", request=HelpRequestFactory(title="Van een ander"))
    client.force_login(owner)
    page = client.get("/omarm/mijn/").content.decode()
    assert match.request.title in page
    assert "Van een ander" not in page


@pytest.mark.django_db
def test_mine_shows_each_list_a_page_at_a_time_with_a_constant_query_count(
    client, owner, social, django_assert_num_queries
):
    for number in range(3):
        HelpRequestFactory(organisation=social, title=f"Vraag {number:02d}")
    client.force_login(owner)
    client.get("/omarm/mijn/")
    with django_assert_num_queries(MINE_QUERIES) as few:
        client.get("/omarm/mijn/")
    for number in range(3, 45):
        HelpRequestFactory(organisation=social, title=f"Vraag {number:02d}")
    with django_assert_num_queries(len(few.captured_queries)):
        first = client.get("/omarm/mijn/").content.decode()
    # newest first, 20 a page, with a link to the next page of help requests only
    assert "Vraag 44" in first and "Vraag 25" in first and "Vraag 24" not in first
    assert 'href="?hulpvragen=2" rel="next"' in first
    assert 'aria-label="Pagina\'s met hulpvragen"' in first
    last = client.get("/omarm/mijn/", {"hulpvragen": "3", "matches": "1"}).content.decode()
    assert "Vraag 04" in last and "Vraag 00" in last and "Vraag 05" not in last
    assert 'href="?matches=1&amp;hulpvragen=2" rel="prev"' in last
    for hostile in ("abc", "-1", "0", "99999999999999999999", "<script>"):
        response = client.get("/omarm/mijn/", {"hulpvragen": hostile})
        assert response.status_code == 200
        assert "<script>" not in response.content.decode().split("<main", 1)[1]


MINE_QUERIES = 7  # session, user, organisations; a count per list, the rows of a list with any
