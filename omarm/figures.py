"""Figures of Omarm Groningen for the programme monitor and the coordinator's pipeline.

Every selector is one aggregate query over the period; nothing loops over rows in Python
(turning a handful of grouped rows into a dict is the only Python work). A period runs from
the start of ``start`` up to the end of ``end``, both in Europe/Amsterdam: a request
submitted on 31 March at 23:30 local time (21:30 UTC in summer time) belongs to March.
Dates without a time (a challenge's date) are compared as dates.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DecimalField, F, Func, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from .constants import ACTIVE_MATCH_STATES, MatchState
from .models import ChallengeTeam, HelpRequest, Match

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ZERO = Decimal("0")


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in Amsterdam time."""
    return (
        datetime.combine(start, time.min, AMSTERDAM),
        datetime.combine(end + timedelta(days=1), time.min, AMSTERDAM),
    )


def _between(field: str, start: date, end: date) -> Q:
    low, high = _bounds(start, end)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def _sum(field: str, **extra) -> Coalesce:
    output = DecimalField(max_digits=14, decimal_places=2)
    return Coalesce(Sum(field, **extra), Value(ZERO), output_field=output)


# The programme monitor -----------------------------------------------------------------


def organisations_involved(start: date, end: date) -> int:
    """Distinct social organisations that submitted a help request in the period."""
    return HelpRequest.objects.filter(_between("submitted_at", start, end)).aggregate(
        n=Count("organisation", distinct=True)
    )["n"]


def businesses_involved(start: date, end: date) -> int:
    """Distinct businesses with a match started in the period (by either side or the
    coordinator; broken-off matches count too: the business took part)."""
    return Match.objects.filter(_between("created_at", start, end)).aggregate(
        n=Count("business", distinct=True)
    )["n"]


def networks_involved(start: date, end: date) -> int:
    """Distinct businesses that took part in an Omarm Challenge team in the period.

    The model has no "network" (a business club, an association of entrepreneurs): the
    collective way businesses help is a team at a challenge. So this counts the distinct
    organisations that were member of a ChallengeTeam whose challenge date falls in the
    period. If networks become a concept of their own, replace this figure.
    """
    through = ChallengeTeam.members.through
    return through.objects.filter(
        challengeteam__challenge__date__gte=start, challengeteam__challenge__date__lte=end
    ).aggregate(n=Count("organisation", distinct=True))["n"]


def requests_per_theme(start: date, end: date) -> dict[str, int]:
    """Requests submitted in the period per theme: {theme value: count}, themes with none
    left out."""
    rows = (
        HelpRequest.objects.filter(_between("submitted_at", start, end))
        .values("theme")
        .annotate(count=Count("pk"))
        .order_by("theme")
    )
    return {row["theme"]: row["count"] for row in rows}


def requests_per_help_kind(start: date, end: date) -> dict[str, int]:
    """Requests submitted in the period per kind of help: a request asking for money and
    network counts once under each. {kind value: count}."""
    rows = (
        HelpRequest.objects.filter(_between("submitted_at", start, end))
        .annotate(kind=Func(F("help_kinds"), function="unnest"))
        .values("kind")
        .annotate(count=Count("pk", distinct=True))
        .order_by("kind")
    )
    return {row["kind"]: row["count"] for row in rows}


def matches_per_state_and_month(start: date, end: date) -> list[dict]:
    """Matches started in the period, by month started (Amsterdam) and current state:
    [{"month": date, "state": value, "count": n}, ...] ordered by month and state."""
    rows = (
        Match.objects.filter(_between("created_at", start, end))
        .annotate(month=TruncMonth("created_at", tzinfo=AMSTERDAM))
        .values("month", "state")
        .annotate(count=Count("pk"))
        .order_by("month", "state")
    )
    return [
        {"month": row["month"].date(), "state": row["state"], "count": row["count"]} for row in rows
    ]


def completed_matches(start: date, end: date) -> dict:
    """Matches completed in the period and what they brought: hours, value and the
    amount that counts toward Social Return (only of matches flagged as such)."""
    return Match.objects.filter(
        _between("completed_at", start, end), state=MatchState.COMPLETED
    ).aggregate(
        completed=Count("pk"),
        hours=_sum("hours"),
        value_eur=_sum("value_eur"),
        social_return_matches=Count("pk", filter=Q(counts_for_social_return=True)),
        social_return_eur=_sum("social_return_eur", filter=Q(counts_for_social_return=True)),
    )


def omarm_figures(start: date, end: date) -> dict:
    """Everything the programme monitor shows about Omarm for the period."""
    return {
        "start": start,
        "end": end,
        "organisations": organisations_involved(start, end),
        "businesses": businesses_involved(start, end),
        "networks": networks_involved(start, end),
        "requests_per_theme": requests_per_theme(start, end),
        "requests_per_help_kind": requests_per_help_kind(start, end),
        "matches_per_state_and_month": matches_per_state_and_month(start, end),
        **completed_matches(start, end),
    }


# The coordinator's pipeline ------------------------------------------------------------


def stale_match_days() -> int:
    return getattr(settings, "OMARM_STALE_MATCH_DAYS", 14)


def stale_matches_q(now: datetime | None = None) -> Q:
    """Active matches (proposed, talking, matched) without activity for N days."""
    cutoff = (now or timezone.now()) - timedelta(days=stale_match_days())
    return Q(state__in=ACTIVE_MATCH_STATES, last_activity_at__lt=cutoff)


def match_pipeline_counts() -> dict[str, int]:
    """All matches now: {state value: count} for every state, plus "stale" and "total"."""
    counts = Match.objects.aggregate(
        total=Count("pk"),
        stale=Count("pk", filter=stale_matches_q()),
        **{state.value: Count("pk", filter=Q(state=state)) for state in MatchState},
    )
    return counts
