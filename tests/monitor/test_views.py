"""The monitor page: the period form (including hostile input), what it shows, query count."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from monitor.periods import Period
from monitor.report import figure_slugs
from omarm.constants import MatchState
from tests.factories import (
    LabelFactory,
    MatchFactory,
    QuestionFactory,
    SupplierFactory,
)

from .conftest import BASELINE, Q1, Q2

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
INDEX = reverse("monitor:index")
Q2_QUERY = {
    "soort": "kwartaal",
    "jaar": "2026",
    "kwartaal": "2",
    "nulmeting_van": "2025-01-01",
    "nulmeting_tot": "2025-12-31",
}
TODAY = datetime(2026, 11, 23, 12, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def reader(client, viewer):
    client.force_login(viewer)
    return client


def error_codes(response) -> dict[str, list[str]]:
    form = response.context["form"]
    return {
        field: [error.code for error in errors] for field, errors in form.errors.as_data().items()
    }


# The period form ---------------------------------------------------------------------------


def test_without_parameters_the_current_quarter_is_shown(reader):
    response = reader.get(INDEX)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.current == Period.quarter(2026, 4)
    assert [c.key for c in report.columns] == ["current", "previous"]
    # Parameters the form does not know are ignored.
    assert reader.get(INDEX, {"utm_source": "x"}).context["report"].current == report.current


@pytest.mark.parametrize(
    "params, period",
    [
        ({"soort": "maand", "jaar": "2026", "maand": "3"}, Period.month(2026, 3)),
        ({"soort": "kwartaal", "jaar": "2026", "kwartaal": "1"}, Q1),
        ({"soort": "jaar", "jaar": "2025"}, Period.year(2025)),
        (
            {"soort": "eigen", "van": "2026-02-01", "tot": "2026-02-10"},
            Period.custom(date(2026, 2, 1), date(2026, 2, 10)),
        ),
        # Leftovers of another kind of period do not matter.
        ({"soort": "jaar", "jaar": "2026", "maand": "3", "van": "rubbish"}, Period.year(2026)),
    ],
)
def test_every_kind_of_period(reader, params, period):
    response = reader.get(INDEX, params)
    assert response.status_code == 200
    assert response.context["report"].current == period


def test_the_baseline_is_a_third_column(reader):
    report = reader.get(INDEX, Q2_QUERY).context["report"]
    assert [(c.key, c.period) for c in report.columns] == [
        ("current", Q2),
        ("previous", Q1),
        ("baseline", BASELINE),
    ]


LONG = "9" * 10_000


@pytest.mark.parametrize(
    "params, errors",
    [
        ({"soort": "kwartaal", "jaar": "0", "kwartaal": "1"}, {"jaar": ["invalid_choice"]}),
        ({"soort": "kwartaal", "jaar": "-1", "kwartaal": "1"}, {"jaar": ["invalid_choice"]}),
        ({"soort": "kwartaal", "jaar": LONG, "kwartaal": "1"}, {"jaar": ["invalid_choice"]}),
        ({"soort": "kwartaal", "jaar": "2026"}, {"kwartaal": ["required"]}),
        ({"soort": "kwartaal", "jaar": "2026", "kwartaal": "5"}, {"kwartaal": ["invalid_choice"]}),
        ({"soort": "maand", "jaar": "2026", "maand": "13"}, {"maand": ["invalid_choice"]}),
        ({"soort": "maand", "maand": "3"}, {"jaar": ["required"]}),
        ({"soort": "jaar"}, {"jaar": ["required"]}),
        ({"soort": "eigen", "van": "2026-02-30", "tot": "2026-03-01"}, {"van": ["invalid"]}),
        ({"soort": "eigen", "van": "2026-03-01", "tot": "2026-01-01"}, {"tot": ["order"]}),
        ({"soort": "eigen", "van": "0000-01-01", "tot": "2026-01-01"}, {"van": ["invalid"]}),
        ({"soort": "eigen", "van": "1900-01-01", "tot": "2026-01-01"}, {"van": ["out_of_range"]}),
        ({"soort": "eigen", "van": "2026-01-01", "tot": "10000-01-01"}, {"tot": ["invalid"]}),
        ({"soort": "eigen", "van": "2015-01-01", "tot": "2026-12-31"}, {"tot": ["too_long"]}),
        ({"soort": "eigen", "van": "2026-01-01"}, {"tot": ["required"]}),
        ({"soort": "eigen", "van": "a" * 10_000, "tot": "2026-01-01"}, {"van": ["invalid"]}),
        ({"soort": "x" * 10_000}, {"soort": ["invalid_choice"]}),
        ({"soort": "<script>alert(1)</script>"}, {"soort": ["invalid_choice"]}),
        ({"jaar": "2026"}, {"soort": ["required"]}),
        (
            {"soort": "jaar", "jaar": "2026", "nulmeting_van": "2025-01-01"},
            {"nulmeting_tot": ["required"]},
        ),
        (
            {
                "soort": "jaar",
                "jaar": "2026",
                "nulmeting_van": "2025-12-31",
                "nulmeting_tot": "2025-01-01",
            },
            {"nulmeting_tot": ["order"]},
        ),
        (
            {"soort": "jaar", "jaar": "2026", "nulmeting_van": "<b>", "nulmeting_tot": "2025"},
            {"nulmeting_van": ["invalid"], "nulmeting_tot": ["invalid"]},
        ),
    ],
)
def test_malformed_and_hostile_periods_give_form_errors_never_a_500(reader, params, errors):
    response = reader.get(INDEX, params)
    assert response.status_code == 200
    assert response.context["report"] is None
    assert error_codes(response) == errors
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert "<script>alert(1)" not in page
    # The exports refuse the same input with the form and its errors (400).
    for url in [
        reverse("monitor:report"),
        reverse("monitor:workbook"),
        reverse("monitor:figure_csv", kwargs={"slug": figure_slugs()[0]}),
    ]:
        refused = reader.get(url, params)
        assert refused.status_code == 400, url
        assert error_codes(refused) == errors


def test_the_form_shows_the_chosen_period(reader):
    page = reader.get(INDEX, Q2_QUERY).content.decode()
    assert re.search(r'<input[^>]*name="soort"[^>]*value="kwartaal"[^>]*checked', page)
    assert re.search(r'<option value="2" selected>Q2</option>', page)
    assert 'name="nulmeting_van" value="2025-01-01"' in page


# What the page shows ------------------------------------------------------------------------


def cell(page: str, figure: str, row: str, column: str) -> str:
    """The data-value of one table cell."""
    table = page[page.index(f'data-table="{figure}"') :]
    table = table[: table.index("</table>")]
    row_html = table[table.index(f'data-row="{row}"') :]
    match = re.search(rf'data-column="{column}" data-value="([^"]*)"', row_html)
    return match.group(1)


def test_every_figure_has_a_table_and_the_breakdowns_an_accessible_chart(reader, dataset):
    response = reader.get(INDEX, Q2_QUERY)
    page = response.content.decode()
    for figure in response.context["report"].figures:
        assert f'id="figuur-{figure.slug}"' in page
        assert f'data-table="{figure.slug}"' in page
        csv_url = reverse("monitor:figure_csv", kwargs={"slug": figure.slug})
        assert f'href="{csv_url}?' in page
        chart = re.search(
            rf'<svg class="monitor-chart"[^>]*aria-labelledby="chart-{figure.slug}-title '
            rf'chart-{figure.slug}-desc"[^>]*>(.*?)</svg>',
            page,
            re.S,
        )
        assert (chart is not None) is figure.chart, figure.slug
        if chart:
            svg = chart.group(0)
            assert 'role="img"' in svg
            assert f'<title id="chart-{figure.slug}-title">' in svg
            assert f'<desc id="chart-{figure.slug}-desc">' in svg
            # Numbers in SVG attributes are never localised ("12,5" would break the chart).
            assert not re.search(r'(x|y|width|height)="[0-9]+,[0-9]', svg)
            # Every period has its own pattern, named in a legend.
            assert svg.count("url(#") >= 2
    assert "<script" not in page.split("<main", 1)[1].split("</main>")[0]


def test_the_tables_hold_the_figures(reader, dataset):
    page = reader.get(INDEX, Q2_QUERY).content.decode()
    assert cell(page, "servicepunt-kerncijfers", "received", "current") == "7"
    assert cell(page, "servicepunt-kerncijfers", "received", "previous") == "2"
    assert cell(page, "servicepunt-kerncijfers", "received", "baseline") == "1"
    assert cell(page, "servicepunt-kerncijfers", "median_first_response", "current") == "1.0"
    assert cell(page, "servicepunt-kerncijfers", "satisfaction_rate", "previous") == ""
    assert cell(page, "omarm-kerncijfers", "hours", "current") == "12.5"
    assert cell(page, "leveranciers-kerncijfers", "verified", "current") == "3"
    assert cell(page, "agenda-kerncijfers", "attendance_rate", "current") == "67"
    assert cell(page, "sdg-hulpvragen", "10", "current") == "2"


def test_the_printable_report_holds_the_same_figures_without_the_form(reader, dataset):
    response = reader.get(reverse("monitor:report"), Q2_QUERY)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="monitor-period-form"' not in page
    assert cell(page, "servicepunt-kerncijfers", "received", "current") == "7"
    assert 'media="print"' not in page  # the print rules live in monitor.css
    assert "css/monitor.css" in page


def test_navigation_to_the_previous_and_next_period_keeps_the_baseline(reader):
    context = reader.get(INDEX, Q2_QUERY).context
    assert context["previous_query"] == (
        "soort=kwartaal&jaar=2026&kwartaal=1&nulmeting_van=2025-01-01&nulmeting_tot=2025-12-31"
    )
    assert context["next_query"].startswith("soort=kwartaal&jaar=2026&kwartaal=3&")


# Query count -------------------------------------------------------------------------------

# Session, user and the user's roles (once: User.has_role keeps them), then the figures:
# 5 queries for questions, suppliers and labels of all periods together, and 11 per period
# for the small tables (Omarm, events).
PAGE_QUERIES = 3 + 5 + 3 * 11


def more_data():
    """Rows of every kind inside Q2, so the counts grow but the queries must not."""
    moment = datetime(2026, 5, 12, 10, tzinfo=AMSTERDAM)
    for _ in range(5):
        QuestionFactory(submitted_at=moment, first_response_at=moment + timedelta(days=1))
        LabelFactory(
            supplier=SupplierFactory(sdgs=[8, 11]),
            valid_from=date(2026, 5, 1),
            valid_until=date(2027, 5, 1),
        )
        match = MatchFactory(state=MatchState.TALKING)
        type(match).objects.filter(pk=match.pk).update(created_at=moment)


def test_the_query_count_does_not_grow_with_the_data(reader, dataset, django_assert_num_queries):
    with django_assert_num_queries(PAGE_QUERIES):
        small = reader.get(INDEX, Q2_QUERY)
    more_data()
    cache.clear()  # the figures are kept for five minutes (see the tests below)
    with django_assert_num_queries(PAGE_QUERIES):
        large = reader.get(INDEX, Q2_QUERY)
    received = "servicepunt-kerncijfers", "received", "current"
    assert cell(small.content.decode(), *received) == "7"
    assert cell(large.content.decode(), *received) == "12"


def test_without_a_baseline_the_page_takes_two_periods_of_queries(
    reader, dataset, django_assert_num_queries
):
    with django_assert_num_queries(3 + 5 + 2 * 11):
        reader.get(INDEX, {"soort": "kwartaal", "jaar": "2026", "kwartaal": "2"})


def test_an_invalid_period_costs_no_figure_queries(reader, django_assert_num_queries):
    with django_assert_num_queries(3):
        reader.get(INDEX, {"soort": "jaar", "jaar": "0"})


# The figures are kept for five minutes ------------------------------------------------------


def test_the_figures_are_kept_for_five_minutes_and_say_of_when(
    reader, dataset, django_assert_num_queries
):
    received = "servicepunt-kerncijfers", "received", "current"
    with time_machine.travel(TODAY, tick=False):
        first = reader.get(INDEX, Q2_QUERY).content.decode()
    assert "Cijfers van 12:00" in first
    more_data()
    with time_machine.travel(TODAY + timedelta(minutes=4, seconds=59), tick=False):
        with django_assert_num_queries(3):  # session, user, roles: no figure is computed
            kept = reader.get(INDEX, Q2_QUERY).content.decode()
    assert cell(kept, *received) == cell(first, *received) == "7"
    assert "Cijfers van 12:00" in kept
    with time_machine.travel(TODAY + timedelta(minutes=5, seconds=1), tick=False):
        fresh = reader.get(INDEX, Q2_QUERY).content.decode()
    assert cell(fresh, *received) == "12"
    assert "Cijfers van 12:05" in fresh


def test_the_kept_figures_are_per_period_choice_and_language(reader, dataset):
    with time_machine.travel(TODAY, tick=False):
        q2 = reader.get(INDEX, Q2_QUERY).content.decode()
        q1 = reader.get(INDEX, {**Q2_QUERY, "kwartaal": "1"}).content.decode()
        reader.cookies["django_language"] = "en"
        english = reader.get(INDEX, Q2_QUERY).content.decode()
    received = "servicepunt-kerncijfers", "received", "current"
    assert cell(q2, *received) == "7"
    assert cell(q1, *received) != cell(q2, *received)
    assert "Q4 2025" in q1 and "Q4 2025" not in q2  # the period before each
    assert 'href="/monitor/csv/' in q1 and "kwartaal=1" in q1
    assert "Figures of 12:00" in english and "Cijfers van" not in english
    assert 'id="monitor-toc-heading" class="h3">Areas<' in english  # not the Dutch figures


def test_the_printable_report_is_always_computed_afresh(reader, dataset):
    with time_machine.travel(TODAY, tick=False):
        reader.get(INDEX, Q2_QUERY)
        more_data()
        report = reader.get(reverse("monitor:report"), Q2_QUERY).content.decode()
    assert cell(report, "servicepunt-kerncijfers", "received", "current") == "12"


def test_today_is_amsterdam_today():
    assert timezone.localdate() == date(2026, 11, 23)
