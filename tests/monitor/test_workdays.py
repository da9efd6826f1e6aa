"""The SQL working-day count agrees with impactportal.workdays for every pair of moments."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import DateTimeField, Value

from impactportal.workdays import working_days_between
from monitor.workdays import WorkingDays, weekday_holidays
from servicepoint.models import Topic

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def moments():
    """Starts every 2 days around Christmas, Easter, Koningsdag, Ascension and Whitsun of
    2025 and 2026, at 00:30 and 23:30 local time (the UTC date differs from the Amsterdam
    date at both), each with a range of durations."""
    pairs = []
    day = datetime(2025, 12, 15, tzinfo=AMSTERDAM)
    while day < datetime(2026, 6, 10, tzinfo=AMSTERDAM):
        for hour, minute in ((0, 30), (23, 30)):
            start = day.replace(hour=hour, minute=minute)
            for days in (0, 1, 2, 3, 4, 6, 9, 13, 20):
                pairs.append((start, start + timedelta(days=days, hours=5)))
        day += timedelta(days=2)
    return pairs


@pytest.mark.django_db
def test_sql_working_days_match_python():
    pairs = moments()
    holidays = weekday_holidays(pairs[0][0].date(), pairs[-1][1].date())
    field = DateTimeField()
    computed = {}
    for offset in range(0, len(pairs), 200):
        chunk = pairs[offset : offset + 200]
        row = (
            Topic.objects.filter(slug="overig")
            .annotate(
                **{
                    f"p{i}": WorkingDays(Value(s, field), Value(e, field), holidays)
                    for i, (s, e) in enumerate(chunk, start=offset)
                }
            )
            .values(*(f"p{i}" for i in range(offset, offset + len(chunk))))
            .get()
        )
        computed.update(row)
    for i, (start, end) in enumerate(pairs):
        assert computed[f"p{i}"] == working_days_between(start, end), (start, end)


def test_the_holiday_list_holds_weekday_holidays_only():
    days = weekday_holidays(date(2026, 1, 1), date(2026, 12, 31))
    assert [d.isoformat() for d in days[1:]] == [
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-04-27",
        "2026-05-14",
        "2026-05-25",
        "2026-12-25",
    ]
    assert days[0].isoformat() == "1900-01-01"  # the sentinel before every date
