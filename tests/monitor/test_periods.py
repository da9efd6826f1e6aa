"""Periods: Amsterdam day boundaries, the period before, labels and the form round trip."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from monitor.forms import PeriodForm
from monitor.periods import Period

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = ZoneInfo("UTC")


def contains(period: Period, moment: datetime) -> bool:
    low, high = period.bounds()
    return low <= moment < high


def test_a_quarter_runs_from_midnight_to_midnight_in_amsterdam():
    q1 = Period.quarter(2026, 1)
    assert q1.bounds() == (
        datetime(2026, 1, 1, tzinfo=AMSTERDAM),
        datetime(2026, 4, 1, tzinfo=AMSTERDAM),
    )
    # 23:30 on 31 March (summer time) is 21:30 UTC: first quarter.
    assert contains(q1, datetime(2026, 3, 31, 21, 30, tzinfo=UTC))
    # 00:30 on 1 April is 22:30 UTC on 31 March: second quarter.
    assert not contains(q1, datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    assert contains(Period.quarter(2026, 2), datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    # 00:15 on 1 January (winter time) is 23:15 UTC on 31 December: inside.
    assert contains(q1, datetime(2025, 12, 31, 23, 15, tzinfo=UTC))


@pytest.mark.parametrize(
    "period, previous, following",
    [
        (Period.month(2026, 1), Period.month(2025, 12), Period.month(2026, 2)),
        (Period.month(2024, 3), Period.month(2024, 2), Period.month(2024, 4)),
        (Period.quarter(2026, 1), Period.quarter(2025, 4), Period.quarter(2026, 2)),
        (Period.year(2026), Period.year(2025), Period.year(2027)),
        (
            Period.custom(date(2026, 3, 1), date(2026, 3, 10)),
            Period.custom(date(2026, 2, 19), date(2026, 2, 28)),
            Period.custom(date(2026, 3, 11), date(2026, 3, 20)),
        ),
    ],
)
def test_the_period_before_and_after(period, previous, following):
    assert period.previous() == previous
    assert period.next() == following
    assert previous.days == period.days or period.kind != "eigen"


def test_february_of_a_leap_year():
    assert Period.month(2024, 2).end == date(2024, 2, 29)
    assert Period.month(2024, 2).days == 29


def test_labels_and_slugs():
    with translation.override("en"):
        assert Period.quarter(2026, 1).label == "Q1 2026"
        assert Period.month(2026, 3).label == "March 2026"
        assert Period.year(2026).label == "2026"
        assert (
            Period.custom(date(2026, 1, 1), date(2026, 3, 15)).label
            == "1 January 2026 – 15 March 2026"
        )
    with translation.override("nl"):
        assert Period.month(2026, 3).label == "maart 2026"
    assert [
        p.slug
        for p in (
            Period.month(2026, 3),
            Period.quarter(2026, 1),
            Period.year(2026),
            Period.custom(date(2026, 1, 1), date(2026, 3, 15)),
        )
    ] == ["2026-03", "2026-q1", "2026", "2026-01-01_2026-03-15"]


@pytest.mark.parametrize(
    "period",
    [
        Period.month(2026, 3),
        Period.quarter(2025, 4),
        Period.year(2024),
        Period.custom(date(2026, 1, 1), date(2026, 3, 15)),
    ],
)
def test_the_form_reads_back_every_period_it_links_to(period):
    form = PeriodForm(period.query())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["period"] == period
    assert form.cleaned_data["baseline"] is None
