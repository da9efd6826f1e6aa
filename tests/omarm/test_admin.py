"""The Omarm coordinator's admin: moderation through the services, matches, pipeline,
CSV export, proposing a match, who may get in, and pinned query counts."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from omarm.constants import MatchState, PostingState, StoryState
from omarm.models import Area, HelpRequest, Match, MatchMessage, Offer, Report
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

BASE = "/beheer/omarm/"
REQUESTS = f"{BASE}helprequest/"
OFFERS = f"{BASE}offer/"
MATCHES = f"{BASE}match/"
PIPELINE = f"{MATCHES}pijplijn/"
EXPORT = f"{MATCHES}export/"


# Data -----------------------------------------------------------------------------------


def centrum():
    return Area.objects.get(slug="centrum")


def social_org(**kwargs):
    return OrganisationFactory(kind="social", **kwargs)


def company(**kwargs):
    return OrganisationFactory(kind="company", **kwargs)


def help_request(
    organisation, *, state=PostingState.OPEN, title="Laptops voor huiswerkklas", **kwargs
):
    now = timezone.now()
    values = {
        "organisation": organisation,
        "title": title,
        "story": "Kinderen in de Indische Buurt hebben geen laptop voor hun huiswerk.",
        "theme": "armoede",
        "help_kinds": ["geld"],
        "area": centrum(),
        "wanted_by": timezone.localdate() + timedelta(days=60),
        "state": state,
        "submitted_at": now if state != PostingState.DRAFT else None,
        "approved_at": now if state == PostingState.OPEN else None,
        **kwargs,
    }
    return HelpRequest.objects.create(**values)


def offer(organisation, *, state=PostingState.OPEN, title="20 laptops", **kwargs):
    values = {
        "organisation": organisation,
        "title": title,
        "description": "Afgeschreven laptops, schoon geïnstalleerd.",
        "capacity": "20 laptops",
        "help_kinds": ["materialen"],
        "area": centrum(),
        "valid_until": timezone.localdate() + timedelta(days=60),
        "state": state,
        **kwargs,
    }
    return Offer.objects.create(**values)


def match(business, social, request=None, *, state=MatchState.TALKING, idle_days=0, **kwargs):
    created = Match.objects.create(
        business=business,
        social_organisation=social,
        request=request or help_request(social),
        state=state,
        **kwargs,
    )
    if idle_days:
        Match.objects.filter(pk=created.pk).update(
            last_activity_at=timezone.now() - timedelta(days=idle_days)
        )
        created.refresh_from_db()
    return created


def member_of(organisation, **kwargs):
    return MembershipFactory(organisation=organisation, **kwargs).user


def action(client, url, name, objects, **extra):
    return client.post(
        url, {"action": name, "_selected_action": [obj.pk for obj in objects], **extra}
    )


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True, name="Carla Coördinator")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


# Moderation -----------------------------------------------------------------------------


def test_approve_action_puts_postings_on_the_board(coordinator_client, coordinator):
    social, business = social_org(), company()
    waiting = help_request(social, state=PostingState.SUBMITTED)
    draft = help_request(social, state=PostingState.DRAFT, title="Nog een concept")
    waiting_offer = offer(business, state=PostingState.SUBMITTED)
    seller = member_of(business)

    response = action(coordinator_client, REQUESTS, "approve", [waiting, draft])
    assert response.status_code == 302
    assert action(coordinator_client, OFFERS, "approve", [waiting_offer]).status_code == 302

    waiting.refresh_from_db()
    draft.refresh_from_db()
    waiting_offer.refresh_from_db()
    assert waiting.state == PostingState.OPEN and waiting.approved_at is not None
    assert waiting_offer.state == PostingState.OPEN
    assert draft.state == PostingState.DRAFT  # the service refused: a draft cannot be approved
    entry = AuditLogEntry.objects.get(action="omarm.request.state_changed")
    assert entry.object_id == str(waiting.pk)
    assert entry.changes == {"state": ["submitted", "open"]}
    assert entry.actor_label == coordinator.email
    assert AuditLogEntry.objects.filter(action="omarm.offer.state_changed").count() == 1
    # The request's organisation has no members here: only the business is told.
    assert list(OutboxMessage.objects.values_list("kind", "recipient")) == [
        ("omarm/approved", seller.email)
    ]


def test_approving_a_request_tells_its_organisation(coordinator_client):
    social = social_org()
    owner = member_of(social)
    waiting = help_request(social, state=PostingState.SUBMITTED)
    action(coordinator_client, REQUESTS, "approve", [waiting])
    waiting.refresh_from_db()
    assert waiting.state == PostingState.OPEN
    assert list(OutboxMessage.objects.values_list("kind", "recipient")) == [
        ("omarm/approved", owner.email)
    ]


def test_moderation_queue_lists_submitted_and_hidden_postings(coordinator_client):
    social = social_org()
    waiting = help_request(social, state=PostingState.SUBMITTED, title="Wacht op goedkeuring")
    hidden = help_request(social, title="Verborgen na meldingen", hidden_at=timezone.now())
    help_request(social, title="Gewoon open")
    response = coordinator_client.get(REQUESTS, {"wachtrij": "ja"})
    assert response.status_code == 200
    assert {r.pk for r in response.context["cl"].result_list} == {waiting.pk, hidden.pk}
    assert "?wachtrij=ja" in response.content.decode()  # the queue link on the list


def test_send_back_asks_for_a_reason_first(coordinator_client):
    social = social_org()
    owner = member_of(social)
    waiting = help_request(social, state=PostingState.SUBMITTED)

    page = action(coordinator_client, REQUESTS, "send_back", [waiting])
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()

    refused = action(coordinator_client, REQUESTS, "send_back", [waiting], apply="1", reason=" ")
    assert refused.status_code == 200  # the form again, with an error
    assert refused.context["form"].errors
    waiting.refresh_from_db()
    assert waiting.state == PostingState.SUBMITTED
    assert not OutboxMessage.objects.exists()

    reason = "Vertel wat meer over de kinderen en hoeveel laptops nodig zijn."
    done = action(coordinator_client, REQUESTS, "send_back", [waiting], apply="1", reason=reason)
    assert done.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == PostingState.SENT_BACK
    assert waiting.sent_back_reason == reason
    entry = AuditLogEntry.objects.get(action="omarm.request.state_changed")
    assert entry.data == {"reason": reason}
    message = OutboxMessage.objects.get()
    assert (message.kind, message.recipient) == ("omarm/sent_back", owner.email)


def test_withdraw_action_on_offers(coordinator_client):
    business = company()
    open_offer = offer(business)
    response = action(coordinator_client, OFFERS, "withdraw", [open_offer])
    assert response.status_code == 302
    open_offer.refresh_from_db()
    assert open_offer.state == PostingState.WITHDRAWN and open_offer.closed_at is not None
    assert AuditLogEntry.objects.filter(
        action="omarm.offer.state_changed", object_id=str(open_offer.pk)
    ).exists()


def _reported(social, title):
    request = help_request(social, title=title, hidden_at=timezone.now())
    for number in range(3):
        Report.objects.create(request=request, reporter=UserFactory(), reason=f"Spam {number}")
    return request


@pytest.mark.parametrize(
    ("name", "state"),
    [("keep_after_reports", PostingState.OPEN), ("withdraw_after_reports", PostingState.WITHDRAWN)],
)
def test_coordinator_decides_on_hidden_requests(coordinator_client, name, state):
    social = social_org()
    reported = _reported(social, "Gemeld")
    not_reported = help_request(social, title="Niet gemeld")

    response = action(coordinator_client, REQUESTS, name, [reported, not_reported])

    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.hidden_at is None
    assert reported.state == state
    assert not reported.reports.filter(resolved_at__isnull=True).exists()
    assert AuditLogEntry.objects.get(action="omarm.request.reports_reviewed").data == {
        "kept": state == PostingState.OPEN
    }
    not_reported.refresh_from_db()
    assert not_reported.state == PostingState.OPEN  # skipped, with a warning
    assert not AuditLogEntry.objects.filter(object_id=str(not_reported.pk)).exists()


def test_request_list_counts_open_reports_and_filters_on_them(coordinator_client):
    social = social_org()
    reported = _reported(social, "Gemeld")
    first = reported.reports.order_by("pk").first()
    Report.objects.filter(pk=first.pk).update(resolved_at=timezone.now())
    help_request(social, title="Zonder meldingen")
    response = coordinator_client.get(REQUESTS, {"meldingen": "ja"})
    rows = response.context["cl"].result_list
    assert [(r.pk, r.open_reports) for r in rows] == [(reported.pk, 2)]


def test_posting_page_is_read_only_with_reports_and_history(coordinator_client, coordinator):
    social = social_org()
    reported = _reported(social, "Gemeld")
    page = coordinator_client.get(f"{REQUESTS}{reported.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Spam 0" in content  # the reports inline
    assert 'name="_save"' not in content
    posted = coordinator_client.post(f"{REQUESTS}{reported.pk}/change/", {"title": "Gewijzigd"})
    assert posted.status_code == 403
    reported.refresh_from_db()
    assert reported.title == "Gemeld"


# Matches --------------------------------------------------------------------------------


def test_publish_and_unpublish_a_success_story(coordinator_client):
    business, social = company(), social_org()
    done = match(
        business,
        social,
        state=MatchState.COMPLETED,
        result_story="Twintig kinderen hebben nu een laptop.",
        story_state=StoryState.SUBMITTED,
        completed_at=timezone.now(),
    )
    talking = match(business, social)
    action(coordinator_client, MATCHES, "publish_story", [done, talking])
    done.refresh_from_db()
    talking.refresh_from_db()
    assert done.story_state == StoryState.PUBLISHED and done.story_published_at
    assert talking.story_state == StoryState.NONE  # refused by the service
    action(coordinator_client, MATCHES, "unpublish_story", [done])
    done.refresh_from_db()
    assert done.story_state == StoryState.SUBMITTED and done.story_published_at is None
    assert list(
        AuditLogEntry.objects.filter(object_id=str(done.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["omarm.match.story_published", "omarm.match.story_unpublished"]


def test_match_page_shows_the_thread_read_only(coordinator_client, coordinator):
    business, social = company(), social_org()
    talking = match(business, social)
    MatchMessage.objects.create(match=talking, author_name="Bert Bedrijf", body="Wij helpen!")
    page = coordinator_client.get(f"{MATCHES}{talking.pk}/change/")
    assert page.status_code == 200
    assert "Wij helpen!" in page.content.decode()
    assert coordinator_client.post(f"{MATCHES}{talking.pk}/change/", {}).status_code == 403


def test_stale_flag_and_filter(coordinator_client, settings):
    business, social = company(), social_org()
    fresh = match(business, social, idle_days=3)
    quiet = match(business, social, idle_days=15)
    closed = match(business, social, state=MatchState.BROKEN_OFF, idle_days=40)

    response = coordinator_client.get(MATCHES)
    flags = {m.pk: m.is_stale for m in response.context["cl"].result_list}
    assert flags == {fresh.pk: False, quiet.pk: True, closed.pk: False}
    stale = coordinator_client.get(MATCHES, {"stil": "ja"}).context["cl"].result_list
    assert [m.pk for m in stale] == [quiet.pk]

    settings.OMARM_STALE_MATCH_DAYS = 2
    stale = coordinator_client.get(MATCHES, {"stil": "ja"}).context["cl"].result_list
    assert {m.pk for m in stale} == {fresh.pk, quiet.pk}


def test_pipeline_counts_equal_the_data(coordinator_client):
    business, social = company(), social_org()
    wanted = {
        MatchState.PROPOSED: 3,
        MatchState.TALKING: 2,
        MatchState.MATCHED: 1,
        MatchState.COMPLETED: 4,
        MatchState.BROKEN_OFF: 0,
    }
    for state, n in wanted.items():
        for _ in range(n):
            match(business, social, state=state)
    quiet = match(business, social, state=MatchState.MATCHED, idle_days=30)

    response = coordinator_client.get(PIPELINE)

    assert response.status_code == 200
    counts = response.context["counts"]
    assert {state: counts[state.value] for state in MatchState} == {
        **wanted,
        MatchState.MATCHED: 2,
    }
    assert counts["total"] == 11
    assert counts["stale"] == 1
    assert [m.pk for m in response.context["stale_matches"]] == [quiet.pk]
    links = {row["label"]: row["url"] for row in response.context["states"]}
    assert links[MatchState.TALKING.label] == f"{MATCHES}?state__exact=talking"
    assert f"{MATCHES}?stil=ja" in response.content.decode()


def _rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_export_has_exactly_the_filtered_rows(coordinator_client):
    business = company(name="Bouwbedrijf Noord")
    social = social_org(name="Stichting Huiswerk")
    completed = match(
        business,
        social,
        state=MatchState.COMPLETED,
        completed_at=timezone.now(),
        hours=Decimal("12.5"),
        value_eur=Decimal("1500.00"),
        counts_for_social_return=True,
        social_return_eur=Decimal("1000.00"),
        result_story="Gelukt.",
    )
    for _ in range(2):
        match(business, social, state=MatchState.TALKING)
    match(business, social, state=MatchState.PROPOSED, idle_days=20)

    everything = _rows(coordinator_client.get(EXPORT))
    assert len(everything) == 1 + 4
    assert len(everything[0]) == 12

    only_completed = _rows(coordinator_client.get(EXPORT, {"state__exact": "completed"}))
    assert len(only_completed) == 2
    row = only_completed[1]
    assert row[1] == completed.get_state_display()
    assert row[2:6] == ["Bouwbedrijf Noord", "Stichting Huiswerk", completed.request.title, ""]
    assert row[8:] == ["12.5", "1500.00", "Ja", "1000.00"]

    assert len(_rows(coordinator_client.get(EXPORT, {"stil": "ja"}))) == 1 + 1
    assert len(_rows(coordinator_client.get(EXPORT, {"state__exact": "talking"}))) == 1 + 2
    # The changelist links to the export with its own filters.
    page = coordinator_client.get(MATCHES, {"state__exact": "talking"}).content.decode()
    assert f"{EXPORT}?state__exact=talking" in page


# Propose a match ------------------------------------------------------------------------


def test_coordinator_proposes_a_match(coordinator_client, coordinator):
    social, business = social_org(), company()
    open_request = help_request(social)
    its_offer = offer(business)
    url = f"{REQUESTS}{open_request.pk}/koppelen/"

    form = coordinator_client.get(url)
    assert form.status_code == 200
    assert (
        coordinator_client.get(f"{REQUESTS}{open_request.pk}/change/").content.decode().count(url)
    )

    response = coordinator_client.post(
        url, {"business": business.pk, "offer": its_offer.pk, "message": "Kennismaken?"}
    )

    created = Match.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{MATCHES}{created.pk}/change/"
    assert created.proposed_by_coordinator is True
    assert created.state == MatchState.PROPOSED
    assert (created.request, created.offer, created.business, created.social_organisation) == (
        open_request,
        its_offer,
        business,
        social,
    )
    assert created.started_by == coordinator
    assert created.messages.get().body == "Kennismaken?"
    assert AuditLogEntry.objects.get(action="omarm.match.started").data == {"by_coordinator": True}


def test_propose_refuses_another_business_offer_and_a_social_organisation(coordinator_client):
    social, business, other = social_org(), company(), company()
    open_request = help_request(social)
    url = f"{REQUESTS}{open_request.pk}/koppelen/"
    wrong_offer = coordinator_client.post(url, {"business": business.pk, "offer": offer(other).pk})
    assert wrong_offer.status_code == 200 and wrong_offer.context["form"].errors
    not_a_business = coordinator_client.post(url, {"business": social.pk})
    assert not_a_business.status_code == 200 and not_a_business.context["form"].errors
    closed = help_request(social, state=PostingState.WITHDRAWN)
    refused = coordinator_client.post(f"{REQUESTS}{closed.pk}/koppelen/", {"business": business.pk})
    assert refused.status_code == 200 and refused.context["form"].non_field_errors()
    assert not Match.objects.exists()


# Who gets in ----------------------------------------------------------------------------


def _omarm_pages():
    social, business = social_org(), company()
    request = help_request(social)
    a_match = match(business, social, request)
    return (
        request,
        a_match,
        [
            REQUESTS,
            f"{REQUESTS}{request.pk}/change/",
            f"{REQUESTS}{request.pk}/koppelen/",
            OFFERS,
            MATCHES,
            f"{MATCHES}{a_match.pk}/change/",
            PIPELINE,
            EXPORT,
            f"{BASE}report/",
            f"{BASE}challenge/",
            f"{BASE}area/",
        ],
    )


@pytest.mark.django_db
def test_entrepreneurs_are_kept_out(client):
    request, a_match, pages = _omarm_pages()
    client.force_login(UserFactory(roles=[Role.ENTREPRENEUR]))
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/beheer/login/"), page
        assert client.get(response["Location"]).status_code == 403, page


@pytest.mark.django_db
def test_account_managers_are_refused(client):
    request, a_match, pages = _omarm_pages()
    client.force_login(UserFactory(roles=[Role.ACCOUNT_MANAGER], staff=True, totp=True))
    for page in pages:
        assert client.get(page).status_code == 403, page
    business = company()
    posted = client.post(f"{REQUESTS}{request.pk}/koppelen/", {"business": business.pk})
    assert posted.status_code == 403
    request.state = PostingState.SUBMITTED
    request.save()
    assert action(client, REQUESTS, "approve", [request]).status_code == 403
    request.refresh_from_db()
    assert request.state == PostingState.SUBMITTED
    assert Match.objects.count() == 1


def test_coordinator_reaches_every_page(coordinator_client):
    request, a_match, pages = _omarm_pages()
    for page in pages:
        assert coordinator_client.get(page).status_code == 200, page


# Query counts ---------------------------------------------------------------------------


def _count(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


def _matches(n, *, business=None, social=None):
    for number in range(n):
        match(
            business or company(),
            social or social_org(),
            state=list(MatchState)[number % 5],
            idle_days=30 if number % 2 else 0,
        )


# Measured; a change means a page started querying per row (or got cheaper: lower it).
# Changelist: session, user, TOTP check, permissions (2), roles, two counts, the page.
MATCH_CHANGELIST_QUERIES = 9
# Pipeline: session, user, TOTP check, permissions (2), roles, the counts, the stale list.
PIPELINE_QUERIES = 8


def test_match_changelist_has_a_constant_number_of_queries(coordinator_client):
    _matches(2)
    coordinator_client.get(MATCHES)
    few = _count(coordinator_client, MATCHES)
    _matches(18)
    many = _count(coordinator_client, MATCHES)
    assert coordinator_client.get(MATCHES).context["cl"].result_count == 20
    assert few == many, f"{few} queries with 2 matches, {many} with 20"
    assert many == MATCH_CHANGELIST_QUERIES


def test_pipeline_has_a_constant_number_of_queries(coordinator_client):
    _matches(2)
    coordinator_client.get(PIPELINE)
    few = _count(coordinator_client, PIPELINE)
    _matches(18)
    many = _count(coordinator_client, PIPELINE)
    assert coordinator_client.get(PIPELINE).context["counts"]["total"] == 20
    assert few == many, f"{few} queries with 2 matches, {many} with 20"
    assert many == PIPELINE_QUERIES


def test_challenge_pages_with_teams(coordinator_client):
    from omarm.models import Challenge, ChallengeTeam

    social, business = social_org(), company()
    challenge = Challenge.objects.create(
        title="Omarm Challenge voorjaar", slug="voorjaar", date=timezone.localdate(), place="Forum"
    )
    team = ChallengeTeam.objects.create(
        challenge=challenge, name="Team Noord", request=help_request(social)
    )
    team.members.set([business])
    assert coordinator_client.get(f"{BASE}challenge/add/").status_code == 200
    page = coordinator_client.get(f"{BASE}challenge/{challenge.pk}/change/")
    assert page.status_code == 200
    assert "Team Noord" in page.content.decode()
    listing = coordinator_client.get(f"{BASE}challenge/")
    row = listing.context["cl"].result_list[0]
    assert (row.n_requests, row.n_teams) == (0, 1)
