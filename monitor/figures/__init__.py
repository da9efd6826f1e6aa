"""All figures of the programme monitor for one period, from the apps' own figure selectors.

Caching: none. Every figure is an aggregate query (18 per period, whatever the amount of
data) and the page computes at most three periods (the chosen one, the previous one and
the baseline). ``manage.py benchmark_monitor`` measured the whole page with 100,000
suppliers and 50,000 questions well under one second (see docs/benchmarks.md), so a cache
would only add invalidation on every write in four apps for no gain that anyone notices.
If the benchmark ever goes over a second, cache ``period_figures`` per period and clear it
from the apps' services.

Reused selectors: ``omarm.figures.omarm_figures``, ``events.figures.event_figures`` and
``procurement.figures.supplier_figures``; the service point figures are the monitor's own
(``.servicepoint``) because the monitor reports working days where the desk's report
(``servicepoint.reports``) shows calendar days, and it reuses that report's ``Median``.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from events.figures import event_figures
from omarm.constants import MatchState
from omarm.figures import omarm_figures
from procurement.figures import supplier_figures

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


def period_figures(period: Period, *, holidays: list[date], today: date | None = None) -> dict:
    """``{area: figures}`` for every area in ``AREAS``; see each selector for what counts."""
    omarm = _omarm(period)
    suppliers = supplier_figures(period.start, period.end, today=today)
    return {
        "servicepoint": servicepoint_figures(period, holidays),
        "omarm": omarm,
        "suppliers": suppliers,
        "events": event_figures(period.start, period.end),
        "sdg": sdg_figures(
            period,
            requests_per_theme=omarm["requests_per_theme"],
            suppliers_per_sdg=suppliers["verified"]["sdgs"],
        ),
    }
