"""Working-day arithmetic for service levels: weekends and Dutch public holidays are skipped.

Public holidays come from the ``holidays`` package (``holidays.NL``): Nieuwjaarsdag,
Goede Vrijdag, Pasen, Koningsdag, Bevrijdingsdag (every fifth year, as the municipality
observes it), Hemelvaart, Pinksteren and Kerstmis.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db.models.functions import TruncDate
from django.utils import timezone

# Imported with this module (when the URLs are loaded) rather than looked up by country
# code: the lookup loads the Dutch calendar on first use, half a second spent inside the
# first request of each server process that counts working days (an asked question).
from holidays.countries.netherlands import Netherlands

# The municipality's calendar: every day, period and figure is a day in Groningen.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The moments ``[start 00:00, the day after end 00:00)`` in Amsterdam: the calendar
    days from ``start`` up to and including ``end``, for comparing timestamps."""
    return (
        datetime.combine(start, time.min, AMSTERDAM),
        datetime.combine(end + timedelta(days=1), time.min, AMSTERDAM),
    )


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


# Working days in SQL (the monitor's medians) -------------------------------------------
#
# ``working_days_sql(start, end, holidays)`` is an SQL expression for the working days
# after the date ``start`` up to and including the date ``end``, exactly as
# ``working_days_between`` counts them: a question answered on the day it came in took 0
# working days, one received on Friday and answered on Monday 1. Without a loop or a
# calendar table:
#
# * weekdays up to and including a date ``d`` are ``5 * (n / 7) + least(mod(n, 7) + 1, 5)``
#   with ``n`` the days since Monday 1 January 1900 (integer division), so the weekdays in
#   ``(start, end]`` are the difference of that for ``end`` and ``start``;
# * the public holidays that fall on a weekday come in as one sorted ``date[]``
#   (``weekday_holidays``), and ``width_bucket(d, holidays)`` is the number of them on or
#   before ``d``; again the difference for ``end`` and ``start`` is the number inside.
#
# ``start`` and ``end`` should be plain columns (dates already in Europe/Amsterdam): each
# is used several times in the expression.


# A Monday before anything the portal holds; also the sentinel that keeps the holiday
# array non-empty (it lies before every date, so it cancels out of every difference).
EPOCH = date(1900, 1, 1)


def weekday_holidays(first: date, last: date) -> list[date]:
    """Weekdays of the years from ``first`` to ``last`` that are not working days, sorted,
    with the epoch sentinel in front. Loops over calendar days of a few years, never rows."""
    days = []
    day = date(first.year, 1, 1)
    while day <= date(last.year, 12, 31):
        if day.weekday() < 5 and not is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return [EPOCH, *days]


class LocalDate(TruncDate):
    """The calendar date of a moment in Europe/Amsterdam."""

    def __init__(self, expression, **extra):
        super().__init__(expression, tzinfo=AMSTERDAM, **extra)


def working_days_sql(start: str, end: str, holidays: str) -> str:
    """SQL for the working days in ``(start, end]``; ``holidays`` is a ``date[]`` expression."""
    epoch = f"DATE '{EPOCH.isoformat()}'"

    def weekdays(day: str) -> str:
        return f"(5 * (({day} - {epoch}) / 7) + LEAST(MOD({day} - {epoch}, 7) + 1, 5))"

    return (
        f"(({weekdays(end)} - {weekdays(start)})"
        f" - (width_bucket({end}, {holidays}) - width_bucket({start}, {holidays})))"
    )
