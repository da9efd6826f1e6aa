"""Working days as SQL: the monitor's medians are computed by PostgreSQL, not per row in Python.

``WorkingDays(start, end, holidays)`` counts the working days after ``start`` up to and
including ``end`` (the dates of both moments in Europe/Amsterdam), exactly as
``impactportal.workdays.working_days_between`` does: a question answered on the day it
came in took 0 working days, one received on Friday and answered on Monday 1.

How, without a loop or a calendar table:

* weekdays up to and including a date ``d`` are ``5 * (n / 7) + least(mod(n, 7) + 1, 5)``
  with ``n`` the days since Monday 1 January 1900 (integer division), so the weekdays in
  ``(start, end]`` are the difference of that for ``end`` and ``start``;
* the public holidays that fall on a weekday are passed in as one sorted ``date[]``
  parameter (from ``impactportal.workdays``, i.e. ``holidays.NL``), and
  ``width_bucket(d, holidays)`` is the number of them on or before ``d``; again the
  difference for ``end`` and ``start`` is the number inside the range.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.postgres.fields import ArrayField
from django.db.models import DateField, Func, IntegerField, Value
from django.db.models.functions import TruncDate

from impactportal.workdays import is_working_day

from .periods import AMSTERDAM

# A Monday before anything the portal holds; also the sentinel that keeps the holiday
# array non-empty (it lies before every date, so it cancels out of every difference).
EPOCH = date(1900, 1, 1)


def weekday_holidays(first: date, last: date) -> list[date]:
    """Weekdays between ``first`` and ``last`` (inclusive) that are not working days, sorted,
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


class WorkingDays(Func):
    """Working days after the date of ``start`` up to and including the date of ``end``."""

    output_field = IntegerField()

    def __init__(self, start, end, holidays: list[date], **extra):
        super().__init__(
            LocalDate(start),
            LocalDate(end),
            Value(holidays, output_field=ArrayField(DateField())),
            **extra,
        )

    def as_sql(self, compiler, connection, **extra_context):
        (start, start_params), (end, end_params), (days, days_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        epoch = f"DATE '{EPOCH.isoformat()}'"

        def weekdays(day: str) -> str:
            return f"(5 * (({day} - {epoch}) / 7) + LEAST(MOD({day} - {epoch}, 7) + 1, 5))"

        sql = (
            f"(({weekdays(end)} - {weekdays(start)})"
            f" - (width_bucket({end}, {days}::date[]) - width_bucket({start}, {days}::date[])))"
        )
        params = [
            *end_params,
            *end_params,
            *start_params,
            *start_params,
            *end_params,
            *days_params,
            *start_params,
            *days_params,
        ]
        return sql, params
