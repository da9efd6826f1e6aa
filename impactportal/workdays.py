"""Working-day arithmetic for service levels: weekends and Dutch public holidays are skipped.

Public holidays come from the ``holidays`` package (``holidays.NL``): Nieuwjaarsdag,
Goede Vrijdag, Pasen, Koningsdag, Bevrijdingsdag (every fifth year, as the municipality
observes it), Hemelvaart, Pinksteren and Kerstmis.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from django.utils import timezone

# Imported with this module (when the URLs are loaded) rather than looked up by country
# code: the lookup loads the Dutch calendar on first use, half a second spent inside the
# first request of each server process that counts working days (an asked question).
from holidays.countries.netherlands import Netherlands


@lru_cache(maxsize=64)
def _holidays_for(year: int) -> frozenset[date]:
    return frozenset(Netherlands(years=year).keys())


def holiday_name(day: date) -> str | None:
    """The name of the public holiday on ``day``, or None."""
    return Netherlands(years=day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays_for(day.year)


def _as_local_date(moment: date | datetime) -> date:
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def add_working_days(start: date | datetime, days: int) -> date:
    """The date ``days`` working days after ``start`` (a date, or an aware datetime).

    Counting starts the day after ``start``: a question received on Friday with a
    service level of one working day is due on Monday (or Tuesday after Easter).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    current = _as_local_date(start)
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    first, last = _as_local_date(start), _as_local_date(end)
    if last < first:
        return -working_days_between(last, first)
    return sum(
        1
        for offset in range(1, (last - first).days + 1)
        if is_working_day(first + timedelta(days=offset))
    )
