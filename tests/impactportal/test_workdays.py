from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from impactportal.workdays import (
    add_working_days,
    holiday_name,
    is_working_day,
    working_days_between,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_weekend_is_skipped():
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1) == date(2026, 11, 23)  # Monday
    assert add_working_days(friday, 5) == date(2026, 11, 27)


def test_koningsdag_is_skipped():
    # Koningsdag 2027 falls on Tuesday 27 April.
    assert holiday_name(date(2027, 4, 27)) is not None
    assert not is_working_day(date(2027, 4, 27))
    assert add_working_days(date(2027, 4, 26), 1) == date(2027, 4, 28)


def test_christmas_and_new_year_are_skipped():
    # Wed 23 Dec 2026 + 3 working days: Thu 24, (Fri 25 and Sat 26 Christmas, weekend),
    # Mon 28, Tue 29.
    assert add_working_days(date(2026, 12, 23), 3) == date(2026, 12, 29)
    # Thu 31 Dec + 1: Fri 1 Jan is Nieuwjaarsdag, so Mon 4 Jan.
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_easter_monday_is_skipped():
    assert not is_working_day(date(2027, 3, 29))  # Tweede Paasdag
    assert add_working_days(date(2027, 3, 26), 1) == date(2027, 3, 30)


def test_aware_datetime_uses_amsterdam_date():
    # 23:30 UTC on Friday is already Saturday 00:30 in Amsterdam.
    late_friday_utc = datetime(2026, 11, 20, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert add_working_days(late_friday_utc, 1) == date(2026, 11, 23)
    assert add_working_days(datetime(2026, 11, 20, 9, tzinfo=AMSTERDAM), 1) == date(2026, 11, 23)


def test_working_days_between():
    assert working_days_between(date(2026, 12, 23), date(2026, 12, 29)) == 3
    assert working_days_between(date(2026, 12, 29), date(2026, 12, 23)) == -3
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 20)) == 0


def test_zero_days_is_same_day_and_negative_is_refused():
    assert add_working_days(date(2026, 11, 21), 0) == date(2026, 11, 21)
    with pytest.raises(ValueError):
        add_working_days(date(2026, 11, 21), -1)
