"""Figures of Omarm Groningen for the programme monitor and the coordinator's pipeline.

Every selector is one aggregate query over the period; nothing loops over rows in Python
(turning a handful of grouped rows into a dict is the only Python work). A period runs from
the start of ``start`` up to the end of ``end``, both in Europe/Amsterdam: a request
submitted on 31 March at 23:30 local time (21:30 UTC in summer time) belongs to March.
Dates without a time (a challenge's date) are compared as dates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DecimalField, F, Func, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from impactportal import figures as portal_figures
from impactportal.figures import EURO, HOURS, Figure, choices, key_row, rows
from impactportal.sdg import sdg_rows
from impactportal.workdays import AMSTERDAM, day_bounds

from .constants import ACTIVE_MATCH_STATES, HelpKind, MatchState, Theme
from .models import ChallengeTeam, HelpRequest, Match

ZERO = Decimal("0")


def _between(field: str, start: date, end: date) -> Q:
    low, high = day_bounds(start, end)
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


# The monitor: the Omarm area -----------------------------------------------------------


def _period_figures(start: date, end: date) -> dict:
    figures = omarm_figures(start, end)
    matches_per_state = dict.fromkeys(MatchState.values, 0)
    for row in figures["matches_per_state_and_month"]:
        matches_per_state[row["state"]] += row["count"]
    figures["matches_per_state"] = matches_per_state
    figures["matches_started"] = sum(matches_per_state.values())
    figures["requests"] = sum(figures["requests_per_theme"].values())
    return figures


def monitor_figures(per_column: list[dict]) -> list[Figure]:
    key_rows = [
        key_row("organisations", _("Social organisations involved"), per_column),
        key_row("businesses", _("Businesses involved"), per_column),
        key_row("networks", _("Businesses in challenge teams"), per_column),
        key_row("requests", _("Requests submitted"), per_column),
        key_row("matches_started", _("Matches started"), per_column),
        key_row("completed", _("Matches completed"), per_column),
        key_row("hours", _("Hours contributed"), per_column, HOURS),
        key_row("value_eur", _("Value contributed"), per_column, EURO),
        key_row(
            "social_return_matches",
            _("Completed matches counting toward Social Return"),
            per_column,
        ),
        key_row("social_return_eur", _("Social Return value"), per_column, EURO),
    ]
    return [
        Figure(
            "omarm-kerncijfers",
            _("Omarm: key figures"),
            _(
                "Organisations with a request submitted in the period, businesses with a "
                "match started in it, and what the matches completed in it contributed."
            ),
            _("Figure"),
            key_rows,
            chart=False,
        ),
        Figure(
            "omarm-themas",
            _("Requests per theme"),
            _("Requests submitted in the period, per theme."),
            _("Theme"),
            rows(choices(Theme), [f["requests_per_theme"] for f in per_column]),
        ),
        Figure(
            "omarm-soorten-hulp",
            _("Requests per kind of help"),
            _("Requests submitted in the period; a request asking for two kinds counts twice."),
            _("Kind of help"),
            rows(choices(HelpKind), [f["requests_per_help_kind"] for f in per_column]),
        ),
        Figure(
            "omarm-matches",
            _("Matches per state"),
            _("Matches started in the period, by the state they are in now."),
            _("State"),
            rows(choices(MatchState), [f["matches_per_state"] for f in per_column]),
        ),
    ]


# The monitor: Omarm in the SDG view -----------------------------------------------------
#
# Omarm requests have a theme, not SDGs, so each theme stands for the goals in
# ``THEME_SDGS``. A request counts once under each goal of its theme; so does a match, by
# the theme of its request (a match on an offer alone has no theme and counts nowhere).
# Broken-off matches contribute to no goal and are left out.

# Omarm theme -> the SDGs it works on. Agreed with the programme; "overig" maps to none.
THEME_SDGS: dict[str, tuple[int, ...]] = {
    Theme.POVERTY: (1, 10),
    Theme.LONELINESS: (3,),
    Theme.LOW_LITERACY: (4,),
    Theme.OPPORTUNITIES: (8, 10),
    Theme.SUSTAINABILITY: (11, 13),
    Theme.LACK_OF_EXERCISE: (3,),
}


def per_sdg(per_theme: dict[str, int]) -> dict[int, int]:
    """Spread counts per Omarm theme over the SDGs: {sdg: count}, SDGs with none left out."""
    result: dict[int, int] = {}
    for theme, count in per_theme.items():
        for sdg in THEME_SDGS.get(theme, ()):
            if count:
                result[sdg] = result.get(sdg, 0) + count
    return dict(sorted(result.items()))


def matches_per_theme(start: date, end: date) -> dict[str, int]:
    """Matches started in the period and not broken off, per theme of their request."""
    found = (
        Match.objects.filter(_between("created_at", start, end), request__isnull=False)
        .exclude(state=MatchState.BROKEN_OFF)
        .values("request__theme")
        .annotate(count=Count("pk"))
        .order_by("request__theme")
    )
    return {row["request__theme"]: row["count"] for row in found}


def sdg_figures(per_column: list[dict]) -> list[Figure]:
    return [
        Figure(
            "sdg-hulpvragen",
            _("Omarm requests per SDG"),
            _("Requests submitted in the period, by the goals of their theme."),
            _("Sustainable Development Goal"),
            sdg_rows([per_sdg(f["requests_per_theme"]) for f in per_column]),
        ),
        Figure(
            "sdg-matches",
            _("Omarm matches per SDG"),
            _(
                "Matches started in the period and not broken off, by the goals of the "
                "request's theme."
            ),
            _("Sustainable Development Goal"),
            sdg_rows([per_sdg(f["matches_per_theme"]) for f in per_column]),
        ),
    ]


def _monitor_raw(start: date, end: date) -> dict:
    figures = _period_figures(start, end)
    figures["matches_per_theme"] = matches_per_theme(start, end)
    return figures


def register_figures() -> None:
    portal_figures.register(
        portal_figures.FigureProvider(
            name="omarm",
            compute=lambda periods, today: [
                _monitor_raw(period.start, period.end) for period in periods
            ],
            queries=lambda periods: 8 * periods,  # omarm_figures' 7 and the SDG matches
            contributions=(
                portal_figures.Contribution(
                    area="omarm",
                    area_title=lambda: _("Omarm Groningen"),
                    order=20,
                    build=monitor_figures,
                    figure_slugs=(
                        "omarm-kerncijfers",
                        "omarm-themas",
                        "omarm-soorten-hulp",
                        "omarm-matches",
                    ),
                ),
                portal_figures.Contribution(
                    area="sdg",
                    area_title=lambda: _("SDG view"),
                    order=60,
                    build=sdg_figures,
                    figure_slugs=("sdg-hulpvragen", "sdg-matches"),
                ),
            ),
        )
    )
