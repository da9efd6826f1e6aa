"""Reporting periods of the programme monitor: a month, a quarter, a year or any dates.

A period runs from 00:00 on its first day up to (not including) 00:00 on the day after its
last day, both in Europe/Amsterdam, whatever the server's or the database's time zone: a
question received at 23:30 on 31 March (21:30 UTC in summer time) belongs to the first
quarter, one at 00:30 on 1 April (22:30 UTC on 31 March) to the second.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import formats
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from impactportal.workdays import day_bounds

MONTH, QUARTER, YEAR, CUSTOM = "maand", "kwartaal", "jaar", "eigen"
KINDS = (
    (MONTH, gettext_lazy("Month")),
    (QUARTER, gettext_lazy("Quarter")),
    (YEAR, gettext_lazy("Year")),
    (CUSTOM, gettext_lazy("Own dates")),
)

# The programme started in 2019 (seeds: "Groningen kiest voor ondernemen met impact!
# 2019-2022"); nothing in the portal is older than this.
FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2099, 12, 31)
# Longer custom periods are refused: a council report covers at most a programme term.
MAX_DAYS = 10 * 366


def _quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class Period:
    """An inclusive range of calendar days (``start`` up to and including ``end``)."""

    start: date
    end: date
    kind: str = CUSTOM

    # Constructors -----------------------------------------------------------------------

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(date(year, month, 1), date(year, month, last), MONTH)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first_month = 3 * (quarter - 1) + 1
        last_month = first_month + 2
        last = calendar.monthrange(year, last_month)[1]
        return cls(date(year, first_month, 1), date(year, last_month, last), QUARTER)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), YEAR)

    @classmethod
    def custom(cls, start: date, end: date) -> Period:
        return cls(start, end, CUSTOM)

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        return cls.quarter(day.year, _quarter_of(day))

    # Arithmetic -------------------------------------------------------------------------

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """[first day 00:00, the day after the last day 00:00) in Amsterdam time."""
        return day_bounds(self.start, self.end)

    def previous(self) -> Period:
        """The period just before: the previous month, quarter or year, or for own dates
        the same number of days right before the start."""
        if self.kind == MONTH:
            day = self.start - timedelta(days=1)
            return Period.month(day.year, day.month)
        if self.kind == QUARTER:
            day = self.start - timedelta(days=1)
            return Period.quarter_of(day)
        if self.kind == YEAR:
            return Period.year(self.start.year - 1)
        end = self.start - timedelta(days=1)
        return Period.custom(end - timedelta(days=self.days - 1), end)

    def next(self) -> Period:
        if self.kind == MONTH:
            day = self.end + timedelta(days=1)
            return Period.month(day.year, day.month)
        if self.kind == QUARTER:
            return Period.quarter_of(self.end + timedelta(days=1))
        if self.kind == YEAR:
            return Period.year(self.start.year + 1)
        start = self.end + timedelta(days=1)
        return Period.custom(start, start + timedelta(days=self.days - 1))

    def within_limits(self) -> bool:
        return FIRST_DAY <= self.start <= self.end <= LAST_DAY

    # Presentation -----------------------------------------------------------------------

    @property
    def label(self) -> str:
        """ "Q1 2026", "maart 2026", "2026" or "1 januari 2026 – 15 maart 2026"."""
        if self.kind == MONTH:
            return f"{MONTHS[self.start.month]} {self.start.year}"
        if self.kind == QUARTER:
            return _("Q%(quarter)d %(year)d") % {
                "quarter": _quarter_of(self.start),
                "year": self.start.year,
            }
        if self.kind == YEAR:
            return str(self.start.year)
        first, last = (formats.date_format(day, "j F Y") for day in (self.start, self.end))
        return f"{first} – {last}"

    @property
    def slug(self) -> str:
        """For file names: 2026-03, 2026-q1, 2026 or 2026-01-01_2026-03-15."""
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.start.year}-q{_quarter_of(self.start)}"
        if self.kind == YEAR:
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d}_{self.end:%Y-%m-%d}"

    def query(self) -> dict[str, str]:
        """The GET parameters of the period form that select this period."""
        if self.kind == MONTH:
            return {"soort": MONTH, "jaar": str(self.start.year), "maand": str(self.start.month)}
        if self.kind == QUARTER:
            return {
                "soort": QUARTER,
                "jaar": str(self.start.year),
                "kwartaal": str(_quarter_of(self.start)),
            }
        if self.kind == YEAR:
            return {"soort": YEAR, "jaar": str(self.start.year)}
        return {"soort": CUSTOM, "van": self.start.isoformat(), "tot": self.end.isoformat()}
