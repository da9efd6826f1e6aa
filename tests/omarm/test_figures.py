"""The Omarm programme-monitor figures on a fixed dataset with known answers."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from omarm import figures
from omarm.constants import MatchState, PostingState
from omarm.models import Area, Challenge, ChallengeTeam, HelpRequest, Match
from tests.factories import OrganisationFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def amsterdam(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def request_(organisation, submitted, *, theme="armoede", kinds=("geld",), state="open"):
    return HelpRequest.objects.create(
        organisation=organisation,
        title=f"Vraag van {organisation}",
        story="Een verhaal.",
        theme=theme,
        help_kinds=list(kinds),
        area=Area.objects.get(slug="centrum"),
        wanted_by=date(2026, 12, 31),
        state=state,
        submitted_at=submitted,
    )


def match_(
    business,
    social,
    request,
    started,
    state,
    *,
    completed=None,
    hours=None,
    value=None,
    social_return=None,
):
    match = Match.objects.create(
        business=business,
        social_organisation=social,
        request=request,
        state=state,
        completed_at=completed,
        hours=hours,
        value_eur=value,
        counts_for_social_return=social_return is not None,
        social_return_eur=social_return,
    )
    Match.objects.filter(pk=match.pk).update(created_at=started, last_activity_at=started)
    return match


def team(challenge, name, members, request):
    created = ChallengeTeam.objects.create(challenge=challenge, name=name, request=request)
    created.members.set(members)
    return created


@pytest.fixture
def dataset(db):
    """Q1 2026 with noise around its edges. Summer time starts on 29 March 2026, so
    31 March 23:30 in Groningen is 21:30 UTC (still March) and 1 April 00:30 is
    22:30 UTC on 31 March (already April in Groningen: outside). 1 January 00:15 is
    23:15 UTC on 31 December: inside.

    Requests (submitted)                       theme             kinds
      A  10 Jan 10:00                          armoede           geld, netwerk
      A  15 Feb                                eenzaamheid       inzet
      B  31 Mar 23:30                          armoede           geld
      D   1 Jan 00:15                          laaggeletterdheid expertise, geld
      C   1 Apr 00:30      (outside)           duurzaamheid      materialen
      C  31 Dec 2025 23:59 (outside)
      E  never submitted   (draft, outside)

    Matches     business  started          state       completed        hours value SR
      m1        X         20 Jan           completed   10 Mar           10.5  500   400
      m2        X         25 Jan           talking
      m3        Y          3 Feb           completed   31 Mar 23:30      4.0   -     -
      m4        Z         31 Mar 23:30     proposed
      m5        W          1 Apr 00:30     broken off  (outside)
      m6        W          1 Nov 2025      completed   1 Apr 00:10 (outside)  99 999 999
      m7        V          1 Dec 2025      completed    5 Jan            2.0   100    50

    Challenges: 31 Mar (teams X+Y and Y+Q), 1 Jan (team X), 1 Apr (team Z, outside).
    """
    a, b, c, d, e = (OrganisationFactory(kind="social", name=f"Stichting {n}") for n in "ABCDE")
    x, y, z, w, v, q = (OrganisationFactory(kind="company", name=f"Bedrijf {n}") for n in "XYZWVQ")
    r1 = request_(a, amsterdam(2026, 1, 10, 10), kinds=("geld", "netwerk"))
    request_(a, amsterdam(2026, 2, 15, 12), theme="eenzaamheid", kinds=("inzet",))
    request_(b, amsterdam(2026, 3, 31, 23, 30))
    request_(
        d, amsterdam(2026, 1, 1, 0, 15), theme="laaggeletterdheid", kinds=("expertise", "geld")
    )
    request_(c, amsterdam(2026, 4, 1, 0, 30), theme="duurzaamheid", kinds=("materialen",))
    request_(c, amsterdam(2025, 12, 31, 23, 59))
    request_(e, None, state=PostingState.DRAFT)

    done = MatchState.COMPLETED
    match_(
        x,
        a,
        r1,
        amsterdam(2026, 1, 20, 9),
        done,
        completed=amsterdam(2026, 3, 10, 15),
        hours=Decimal("10.5"),
        value=Decimal("500.00"),
        social_return=Decimal("400.00"),
    )
    match_(x, a, r1, amsterdam(2026, 1, 25, 9), MatchState.TALKING)
    match_(
        y,
        a,
        r1,
        amsterdam(2026, 2, 3, 9),
        done,
        completed=amsterdam(2026, 3, 31, 23, 30),
        hours=Decimal("4.0"),
    )
    match_(z, a, r1, amsterdam(2026, 3, 31, 23, 30), MatchState.PROPOSED)
    match_(w, a, r1, amsterdam(2026, 4, 1, 0, 30), MatchState.BROKEN_OFF)
    match_(
        w,
        a,
        r1,
        amsterdam(2025, 11, 1, 9),
        done,
        completed=amsterdam(2026, 4, 1, 0, 10),
        hours=Decimal("99"),
        value=Decimal("999"),
        social_return=Decimal("999"),
    )
    match_(
        v,
        a,
        r1,
        amsterdam(2025, 12, 1, 9),
        done,
        completed=amsterdam(2026, 1, 5, 9),
        hours=Decimal("2.0"),
        value=Decimal("100.00"),
        social_return=Decimal("50.00"),
    )

    march = Challenge.objects.create(
        title="Maart", slug="maart", date=date(2026, 3, 31), place="Forum"
    )
    january = Challenge.objects.create(
        title="Januari", slug="januari", date=date(2026, 1, 1), place="Stadhuis"
    )
    april = Challenge.objects.create(
        title="April", slug="april", date=date(2026, 4, 1), place="Forum"
    )
    team(march, "Team 1", [x, y], r1)
    team(march, "Team 2", [y, q], r1)
    team(january, "Team 3", [x], r1)
    team(april, "Team 4", [z], r1)


def test_organisations_involved(dataset):
    assert figures.organisations_involved(*Q1) == 3  # A, B and D


def test_businesses_involved(dataset):
    assert figures.businesses_involved(*Q1) == 3  # X, Y and Z


def test_networks_count_distinct_challenge_businesses(dataset):
    assert figures.networks_involved(*Q1) == 3  # X, Y and Q
    assert figures.networks_involved(date(2026, 4, 1), date(2026, 4, 30)) == 1  # Z


def test_requests_per_theme(dataset):
    assert figures.requests_per_theme(*Q1) == {
        "armoede": 2,
        "eenzaamheid": 1,
        "laaggeletterdheid": 1,
    }


def test_requests_per_help_kind_unnests_the_array(dataset):
    assert figures.requests_per_help_kind(*Q1) == {
        "expertise": 1,
        "geld": 3,
        "inzet": 1,
        "netwerk": 1,
    }


def test_matches_per_state_and_month(dataset):
    assert figures.matches_per_state_and_month(*Q1) == [
        {"month": date(2026, 1, 1), "state": "completed", "count": 1},
        {"month": date(2026, 1, 1), "state": "talking", "count": 1},
        {"month": date(2026, 2, 1), "state": "completed", "count": 1},
        {"month": date(2026, 3, 1), "state": "proposed", "count": 1},
    ]


def test_completed_matches_and_their_results(dataset):
    assert figures.completed_matches(*Q1) == {
        "completed": 3,  # m1, m3 (31 March 23:30) and m7
        "hours": Decimal("16.5"),
        "value_eur": Decimal("600.00"),
        "social_return_matches": 2,
        "social_return_eur": Decimal("450.00"),
    }


def test_march_alone_keeps_the_last_half_hour(dataset):
    march = (date(2026, 3, 1), date(2026, 3, 31))
    assert figures.organisations_involved(*march) == 1  # B, 23:30 on 31 March
    assert figures.businesses_involved(*march) == 1  # Z
    assert figures.completed_matches(*march)["completed"] == 2  # m1 and m3
    april = (date(2026, 4, 1), date(2026, 4, 30))
    assert figures.organisations_involved(*april) == 1  # C, 00:30 on 1 April
    assert figures.completed_matches(*april)["hours"] == Decimal("99")


def test_omarm_figures_returns_everything_in_one_query_each(dataset, django_assert_num_queries):
    with django_assert_num_queries(7):
        result = figures.omarm_figures(*Q1)
    assert result == {
        "start": Q1[0],
        "end": Q1[1],
        "organisations": 3,
        "businesses": 3,
        "networks": 3,
        "requests_per_theme": {"armoede": 2, "eenzaamheid": 1, "laaggeletterdheid": 1},
        "requests_per_help_kind": {"expertise": 1, "geld": 3, "inzet": 1, "netwerk": 1},
        "matches_per_state_and_month": figures.matches_per_state_and_month(*Q1),
        "completed": 3,
        "hours": Decimal("16.5"),
        "value_eur": Decimal("600.00"),
        "social_return_matches": 2,
        "social_return_eur": Decimal("450.00"),
    }


@pytest.mark.django_db
def test_an_empty_period_gives_zeros():
    result = figures.omarm_figures(date(2020, 1, 1), date(2020, 12, 31))
    assert result["organisations"] == result["businesses"] == result["networks"] == 0
    assert result["requests_per_theme"] == result["requests_per_help_kind"] == {}
    assert result["matches_per_state_and_month"] == []
    assert (result["completed"], result["hours"], result["social_return_eur"]) == (
        0,
        Decimal("0"),
        Decimal("0"),
    )


def test_pipeline_counts_every_state_and_the_stale_ones(dataset, settings):
    settings.OMARM_STALE_MATCH_DAYS = 14
    now = timezone.now()
    Match.objects.update(last_activity_at=now - timedelta(days=30))
    Match.objects.filter(state=MatchState.PROPOSED).update(
        last_activity_at=now - timedelta(days=13)
    )
    assert figures.match_pipeline_counts() == {
        "total": 7,
        "stale": 1,  # the talking match; completed and broken-off matches are never stale
        "proposed": 1,
        "talking": 1,
        "matched": 0,
        "completed": 4,
        "broken_off": 1,
    }
    settings.OMARM_STALE_MATCH_DAYS = 10
    assert figures.match_pipeline_counts()["stale"] == 2
