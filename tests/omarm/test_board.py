"""The public Omarm board: what is public, filters and search, detail pages, pinned
query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.constants import OrganisationKind
from accounts.roles import Role
from omarm.constants import HelpKind, PostingState, StoryState, Theme
from omarm.models import Area, Challenge, ChallengeTeam, Report
from tests.factories import (
    HelpRequestFactory,
    MatchFactory,
    MembershipFactory,
    OfferFactory,
    OrganisationFactory,
    UserFactory,
)

BOARD = "/omarm/"


def board_titles(client, **params):
    response = client.get(BOARD, params)
    assert response.status_code == 200
    return {posting.title for posting in response.context["page"].object_list}


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)


@pytest.fixture
def not_public(db):
    """One request in each state that must never be public."""
    organisation = OrganisationFactory(kind=OrganisationKind.SOCIAL, name="Buurthuis De Kring")
    requests = {
        state: HelpRequestFactory(
            organisation=organisation,
            state=state,
            title=f"Geheim {state}",
            story="Geheime fietsenstalling voor de buurt",
        )
        for state in (
            PostingState.DRAFT,
            PostingState.SUBMITTED,
            PostingState.SENT_BACK,
            PostingState.EXPIRED,
            PostingState.WITHDRAWN,
            PostingState.FULFILLED,
        )
    }
    requests["hidden"] = HelpRequestFactory(
        organisation=organisation,
        title="Geheim verborgen",
        story="Geheime fietsenstalling",
        hidden=True,
    )
    return requests


# What is public -----------------------------------------------------------------------


@pytest.mark.django_db
def test_only_open_unhidden_requests_are_public(client, user, not_public):
    public = HelpRequestFactory(
        organisation=not_public["draft"].organisation,
        title="Openbare fietsenstalling",
        story="Fietsen voor iedereen",
    )
    organisation = public.organisation
    assert board_titles(client) == {public.title}
    assert board_titles(client, q="fietsenstalling") == {public.title}
    page = client.get(f"/omarm/organisatie/{organisation.uuid}/").content.decode()
    assert public.title in page
    assert "Geheim" not in page
    for logged_in in (None, user):
        if logged_in:
            client.force_login(logged_in)
        for request in not_public.values():
            assert client.get(request.get_absolute_url()).status_code == 404, request.state
            assert client.get(f"/omarm/foto/{request.uuid}/").status_code == 404


@pytest.mark.django_db
def test_three_reports_hide_a_request(client):
    request = HelpRequestFactory(title="Melden maar")
    reporters = UserFactory.create_batch(3)
    for number, reporter in enumerate(reporters):
        client.force_login(reporter)
        response = client.post(
            f"/omarm/hulpvraag/{request.uuid}/melden/", {"reason": "Dit is reclame"}
        )
        assert response.status_code == 302
        if number < 2:
            assert board_titles(client) == {"Melden maar"}
    assert Report.objects.filter(request=request).count() == 3
    assert board_titles(client) == set()
    assert client.get(request.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_report_needs_a_reason_and_login(client, user):
    request = HelpRequestFactory()
    url = f"/omarm/hulpvraag/{request.uuid}/melden/"
    assert client.post(url, {"reason": "Spam"})["Location"].startswith("/account/login/")
    client.force_login(user)
    for reason in ("", "   ", "x" * 2001):
        response = client.post(url, {"reason": reason})
        assert response.status_code == 400, repr(reason[:10])
        assert "error-summary" in response.content.decode()
    client.post(url, {"reason": "Spam"})
    response = client.post(url, {"reason": "Nog eens"})
    assert response.status_code == 400
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_owner_and_coordinator_see_a_draft_with_its_state(client, coordinator):
    draft = HelpRequestFactory(
        state=PostingState.SENT_BACK, title="Bijna klaar", sent_back_reason="Voeg een datum toe"
    )
    member = MembershipFactory(organisation=draft.organisation).user
    for user in (member, coordinator):
        client.force_login(user)
        response = client.get(draft.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert "Voeg een datum toe" in page
        assert 'id="helpen"' not in page  # no offering help on what is not public


# Filters and search -------------------------------------------------------------------


@pytest.fixture
def board(db):
    oost = Area.objects.get(slug="oost")
    return {
        "walk": HelpRequestFactory(
            title="Wandelmaatje",
            theme=Theme.LONELINESS,
            help_kinds=[HelpKind.HANDS],
            story="Ouderen willen graag samen wandelen in het park.",
        ),
        "money": HelpRequestFactory(
            title="Schoolreisje",
            theme=Theme.POVERTY,
            help_kinds=[HelpKind.MONEY, HelpKind.NETWORK],
            area=oost,
            story="Kinderen kunnen niet mee op schoolreis.",
        ),
        "laptops": OfferFactory(
            title="Laptops over",
            help_kinds=[HelpKind.MATERIALS],
            description="Twintig laptops en beeldschermen.",
        ),
        "advice": OfferFactory(
            title="Boekhoudadvies",
            help_kinds=[HelpKind.EXPERTISE],
            area=oost,
            description="Onze accountants helpen stichtingen.",
        ),
    }


@pytest.mark.django_db
def test_filters(client, board):
    assert board_titles(client) == {
        "Wandelmaatje",
        "Schoolreisje",
        "Laptops over",
        "Boekhoudadvies",
    }
    assert board_titles(client, soort="hulpvragen") == {"Wandelmaatje", "Schoolreisje"}
    assert board_titles(client, soort="aanbod") == {"Laptops over", "Boekhoudadvies"}
    # A theme narrows the requests; offers have no theme.
    assert board_titles(client, thema="armoede", soort="hulpvragen") == {"Schoolreisje"}
    assert board_titles(client, gebied="oost") == {"Schoolreisje", "Boekhoudadvies"}
    # Kinds of help: any of the chosen kinds (overlap).
    assert board_titles(client, hulp=["geld"]) == {"Schoolreisje"}
    assert board_titles(client, hulp=["netwerk", "materialen"]) == {"Schoolreisje", "Laptops over"}
    assert board_titles(client, hulp=["inzet"], gebied="oost") == set()


@pytest.mark.django_db
def test_dutch_search_with_stemming(client, board):
    # "laptop" finds "laptops", "wandeling" finds "wandelen", "kind" finds "Kinderen".
    assert board_titles(client, q="laptop") == {"Laptops over"}
    assert board_titles(client, q="wandelen") == {"Wandelmaatje"}
    assert board_titles(client, q="kinderen schoolreis") == {"Schoolreisje"}
    assert board_titles(client, q="accountant") == {"Boekhoudadvies"}
    assert board_titles(client, q="laptop", soort="hulpvragen") == set()
    # tsquery syntax is harmless.
    assert board_titles(client, q="laptop & | ! :* (") == {"Laptops over"}
    assert board_titles(client, q="!!!") == {p.title for p in board.values()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"gebied": "atlantis"},
        {"thema": "oorlog"},
        {"hulp": ["toverkracht"]},
        {"soort": "allebei"},
        {"q": "x" * 201},
    ],
)
def test_unknown_filter_values_give_an_error_and_no_rows(client, board, params):
    response = client.get(BOARD, params)
    assert response.status_code == 200
    assert not response.context["page"].object_list
    assert "error-summary" in response.content.decode()


@pytest.mark.django_db
def test_pages_keep_the_filters(client):
    for number in range(25):
        HelpRequestFactory(title=f"Vraag {number:02d}", theme=Theme.POVERTY)
    OfferFactory()
    response = client.get(BOARD, {"thema": "armoede", "soort": "hulpvragen"})
    assert response.context["page"].paginator.count == 25
    assert "thema=armoede&amp;soort=hulpvragen&amp;pagina=2" in response.content.decode()
    second = client.get(BOARD, {"thema": "armoede", "soort": "hulpvragen", "pagina": 2})
    assert len(second.context["page"].object_list) == 5


@pytest.mark.django_db
def test_published_success_stories_only(client):
    MatchFactory(published=True, result_story="Gepubliceerd verhaal over laptops")
    MatchFactory(
        published=True,
        story_state=StoryState.SUBMITTED,
        result_story="Nog niet goedgekeurd verhaal",
    )
    page = client.get(BOARD).content.decode()
    assert "Gepubliceerd verhaal over laptops" in page
    assert "Nog niet goedgekeurd" not in page


@pytest.mark.django_db
def test_hostile_text_is_escaped(client):
    request = HelpRequestFactory(
        title="<script>alert(1)</script>", story="<img src=x onerror=alert(2)>"
    )
    for path in (BOARD, request.get_absolute_url()):
        page = client.get(path).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


# Organisation and challenge pages ------------------------------------------------------


@pytest.mark.django_db
def test_organisation_page(client):
    business = OrganisationFactory(kind=OrganisationKind.COMPANY, name="GasTerra")
    OfferFactory(organisation=business, title="Toetsenborden")
    OfferFactory(organisation=business, title="Oud aanbod", state=PostingState.EXPIRED)
    MatchFactory(business=business, published=True, result_story="Computerbank blij")
    MatchFactory(business=business, result_story="Lopend gesprek")
    page = client.get(f"/omarm/organisatie/{business.uuid}/").content.decode()
    assert "Toetsenborden" in page and "Computerbank blij" in page
    assert "Oud aanbod" not in page and "Lopend gesprek" not in page


@pytest.mark.django_db
def test_challenge_page(client):
    challenge = Challenge.objects.create(
        title="Omarm Challenge 2026", slug="2026", date=date(2026, 10, 1), place="Forum Groningen"
    )
    open_request = HelpRequestFactory(challenge=challenge, title="Taalcafé")
    HelpRequestFactory(challenge=challenge, title="Conceptvraag", state=PostingState.DRAFT)
    draft = HelpRequestFactory(challenge=challenge, title="Ingetrokken", state="withdrawn")
    team = ChallengeTeam.objects.create(challenge=challenge, request=open_request, name="Team A")
    team.members.add(OrganisationFactory(name="Bouwbedrijf Noord"))
    ChallengeTeam.objects.create(challenge=challenge, request=draft, name="Team B")
    page = client.get("/omarm/challenge/2026/").content.decode()
    assert "Taalcafé" in page and "Team A" in page and "Bouwbedrijf Noord" in page
    assert "Conceptvraag" not in page and "Ingetrokken" not in page
    assert client.get("/omarm/challenge/bestaat-niet/").status_code == 404


# Query counts ---------------------------------------------------------------------------


def _count(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


# Measured; a change here means a page started querying per row (or got cheaper: lower it).
# Board, anonymous: areas for the filter, request keys, offer keys, the page's requests,
# its offers, the success stories.
BOARD_QUERIES = 6


@pytest.mark.django_db
def test_board_has_a_constant_number_of_queries(client):
    for _ in range(1):
        HelpRequestFactory()
        OfferFactory()
        MatchFactory(published=True)
    client.get(BOARD)
    few = _count(client, BOARD)
    for _ in range(9):
        HelpRequestFactory()
        OfferFactory()
        MatchFactory(published=True)
    many = _count(client, BOARD)
    assert len(client.get(BOARD).context["page"].object_list) == 20
    assert few == many, f"{few} queries with 2 postings, {many} with 20"
    assert many == BOARD_QUERIES
    assert _count(client, BOARD + "?q=laptop&hulp=geld&hulp=inzet&gebied=oost") == BOARD_QUERIES - 1


@pytest.mark.django_db
def test_suggestions_are_for_owners_and_coordinator_only(client, user):
    request = HelpRequestFactory(help_kinds=[HelpKind.MATERIALS])
    OfferFactory(help_kinds=[HelpKind.MATERIALS], title="Twintig laptops")
    for visitor in (None, user):
        if visitor is not None:
            client.force_login(visitor)
        page = client.get(request.get_absolute_url())
        assert not page.context.get("suggestions"), visitor
        assert "Twintig laptops" not in page.content.decode()
    client.force_login(MembershipFactory(organisation=request.organisation).user)
    page = client.get(request.get_absolute_url())
    assert [s.offer.title for s in page.context["suggestions"] if s.offer] == ["Twintig laptops"]
    client.force_login(UserFactory(roles=[Role.COORDINATOR]))
    assert client.get(request.get_absolute_url()).context["suggestions"]


# With the real ranking (omarm.suggestions): the five above plus its
# open offers, track records, and the businesses known only from their track record.
REQUEST_OWNER_WITH_SUGGESTIONS_QUERIES = 8


@pytest.mark.django_db
def test_request_page_with_real_suggestions_has_a_constant_number_of_queries(client):
    request = HelpRequestFactory(state=PostingState.DRAFT, help_kinds=[HelpKind.MATERIALS])
    client.force_login(MembershipFactory(organisation=request.organisation).user)
    OfferFactory.create_batch(2, help_kinds=[HelpKind.MATERIALS])
    MatchFactory(published=True)  # a business known only from its track record
    path = request.get_absolute_url()
    client.get(path)
    few = _count(client, path)
    assert len(client.get(path).context["suggestions"]) == 3
    OfferFactory.create_batch(8, help_kinds=[HelpKind.MATERIALS])
    MatchFactory.create_batch(3, published=True)
    many = _count(client, path)
    assert len(client.get(path).context["suggestions"]) == 8
    assert few == many, f"{few} queries with 3 suggestions, {many} with 8"
    assert many == REQUEST_OWNER_WITH_SUGGESTIONS_QUERIES


@pytest.mark.django_db
def test_challenge_teams_list_their_businesses_alphabetically_at_a_constant_cost(
    client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    challenge = Challenge.objects.create(
        title="Omarm Challenge 2027", slug="2027", date=date(2027, 10, 1), place="Forum"
    )

    def add_team(number):
        request = HelpRequestFactory(challenge=challenge, title=f"Vraag {number}")
        team = ChallengeTeam.objects.create(
            challenge=challenge, request=request, name=f"Team {number}"
        )
        team.members.add(
            OrganisationFactory(name=f"Zuiderbouw {number}"),
            OrganisationFactory(name=f"Aannemer {number}"),
        )

    add_team(1)
    with CaptureQueriesContext(connection) as one_team:
        page = client.get("/omarm/challenge/2027/").content.decode()
    assert page.index("Aannemer 1") < page.index("Zuiderbouw 1")
    add_team(2)
    add_team(3)
    with CaptureQueriesContext(connection) as three_teams:
        page = client.get("/omarm/challenge/2027/").content.decode()
    assert page.index("Aannemer 3") < page.index("Zuiderbouw 3")
    assert len(three_teams) == len(one_team)
