"""The SQL working-day count agrees with impactportal.workdays for every pair of dates."""

from datetime import date, timedelta

import pytest
from django.db import connection

from impactportal.workdays import weekday_holidays, working_days_between, working_days_sql


def pairs():
    """Every start date from mid-December 2025 to June 2026 (Christmas, New Year, Easter,
    Koningsdag, Ascension, Whitsun), each with a range of durations, weekends included."""
    result = []
    day = date(2025, 12, 15)
    while day < date(2026, 6, 10):
        for days in (0, 1, 2, 3, 4, 5, 6, 9, 13, 20, 45):
            result.append((day, day + timedelta(days=days)))
        day += timedelta(days=1)
    return result


@pytest.mark.django_db
def test_sql_working_days_match_python():
    dates = pairs()
    holidays = weekday_holidays(date(2025, 1, 1), date(2026, 12, 31))
    rows = ", ".join(["(%s::date, %s::date)"] * len(dates))
    sql = (
        f"SELECT {working_days_sql('s', 'e', 'h.days')} "  # noqa: S608 (test SQL)
        f"FROM (VALUES {rows}) AS v(s, e), (SELECT %s::date[] AS days) AS h"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(d for pair in dates for d in pair), holidays])
        computed = [row[0] for row in cursor.fetchall()]
    expected = [working_days_between(start, end) for start, end in dates]
    assert computed == expected
    assert max(expected) > 25  # long spans with several holidays are in there


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
