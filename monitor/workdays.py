"""Working days as SQL: the monitor's medians are computed by PostgreSQL, not per row in Python.

``working_days_sql(start, end, holidays)`` is an SQL expression for the working days after
the date ``start`` up to and including the date ``end``, exactly as
``impactportal.workdays.working_days_between`` counts them: a question answered on the day
it came in took 0 working days, one received on Friday and answered on Monday 1.

How, without a loop or a calendar table:

* weekdays up to and including a date ``d`` are ``5 * (n / 7) + least(mod(n, 7) + 1, 5)``
  with ``n`` the days since Monday 1 January 1900 (integer division), so the weekdays in
  ``(start, end]`` are the difference of that for ``end`` and ``start``;
* the public holidays that fall on a weekday come in as one sorted ``date[]`` (from
  ``impactportal.workdays``, i.e. ``holidays.NL``), and ``width_bucket(d, holidays)`` is
  the number of them on or before ``d``; again the difference for ``end`` and ``start``
  is the number inside the range.

``start`` and ``end`` should be plain columns (dates already in Europe/Amsterdam): each is
used several times in the expression.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models.functions import TruncDate

from impactportal.workdays import is_working_day

from .periods import AMSTERDAM

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
