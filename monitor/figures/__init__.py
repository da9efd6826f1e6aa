"""All figures of the programme monitor for the periods on the page, from the apps' own
figure selectors.

Caching: the figures themselves are computed per request. Every figure is an aggregate
query, the big tables (questions, suppliers, labels) are read once for all periods on the
page (the chosen one, the one before and the baseline) and the small ones once per
period: a fixed number of queries whatever the amount of data (``query_count``).
``manage.py benchmark_monitor`` measures the whole page with 100,000 suppliers and 50,000
questions at about 0.7 s, also on a busy machine (docs/benchmarks.md). The page itself
(``monitor.views``) keeps the rendered figures five minutes per period choice and
language: under load the monitor's 0.1 s of CPU per view on the demo data queued every
other page behind it. No invalidation: figures five minutes old serve a progress report,
and the page says of when they are.

Reused selectors: ``omarm.figures.omarm_figures`` and ``events.figures.event_figures``
(per period; those tables are small) and ``procurement.figures.supplier_figures_for``.
The service point figures are the monitor's own (``.servicepoint``) because the monitor
reports working days where the desk's report (``servicepoint.reports``) shows calendar
days.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from events.figures import event_figures
from omarm.constants import MatchState
from omarm.figures import omarm_figures
from procurement.figures import supplier_figures_for

from ..periods import Period
from ..workdays import weekday_holidays
from .sdg import sdg_figures
from .servicepoint import servicepoint_figures

AREAS = ("servicepoint", "omarm", "suppliers", "events", "sdg")


def holidays_for(periods: list[Period], today: date | None = None) -> list[date]:
    """The weekday holidays a question received in any of ``periods`` can have met: from
    the first period's start up to today (answers do not lie in the future)."""
    today = today or timezone.localdate()
    first = min(period.start for period in periods)
    last = max(max(period.end for period in periods), today)
    return weekday_holidays(first, last)


def _omarm(period: Period) -> dict:
    figures = omarm_figures(period.start, period.end)
    matches_per_state = dict.fromkeys(MatchState.values, 0)
    for row in figures["matches_per_state_and_month"]:
        matches_per_state[row["state"]] += row["count"]
    figures["matches_per_state"] = matches_per_state
    figures["matches_started"] = sum(matches_per_state.values())
    figures["requests"] = sum(figures["requests_per_theme"].values())
    return figures


# Queries for the figures of n periods (see the selectors).
SERVICEPOINT_QUERIES = 3
SUPPLIER_QUERIES = 2
PER_PERIOD_QUERIES = 7 + 3 + 1  # Omarm, events, SDG matches


def query_count(periods: int) -> int:
    return SERVICEPOINT_QUERIES + SUPPLIER_QUERIES + PER_PERIOD_QUERIES * periods


def figures_for(
    periods: list[Period], *, holidays: list[date], today: date | None = None
) -> list[dict]:
    """Per period: ``{area: figures}`` for every area in ``AREAS``; see each selector for
    what counts."""
    servicepoint = servicepoint_figures(periods, holidays)
    suppliers = supplier_figures_for([(p.start, p.end) for p in periods], today=today)
    result = []
    for period, service, supplier in zip(periods, servicepoint, suppliers, strict=True):
        omarm = _omarm(period)
        result.append(
            {
                "servicepoint": service,
                "omarm": omarm,
                "suppliers": supplier,
                "events": event_figures(period.start, period.end),
                "sdg": sdg_figures(
                    period,
                    requests_per_theme=omarm["requests_per_theme"],
                    suppliers_per_sdg=supplier["verified"]["sdgs"],
                ),
            }
        )
    return result
