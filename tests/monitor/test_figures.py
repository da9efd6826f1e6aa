"""Every figure of the monitor on the fixed dataset of conftest.py: Q2 2026 against Q1 2026
(the previous period) and 2025 (the baseline)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from impactportal import figures
from monitor.periods import Period
from monitor.report import build_report

from .conftest import BASELINE, Q1, Q2, TODAY

TOPIC_ORDER = [
    "vergunningen",
    "financiering",
    "vestigingslocatie",
    "ondernemingsplan",
    "social-return",
    "personeel-jobcoach",
    "inkoop",
    "duurzaamheid",
    "impact-meten",
    "overig",
]


# The report's figures in order, written out: a figure added, moved or dropped is a
# decision this test records.
FIGURE_SLUGS = [
    "servicepunt-kerncijfers",
    "servicepunt-onderwerpen",
    "servicepunt-directies",
    "omarm-kerncijfers",
    "omarm-themas",
    "omarm-soorten-hulp",
    "omarm-matches",
    "leveranciers-kerncijfers",
    "leveranciers-themas",
    "leveranciers-labels",
    "leveranciers-regios",
    "leveranciers-nieuwe-labels",
    "leveranciers-verlopen-labels",
    "agenda-kerncijfers",
    "agenda-bijeenkomsten",
    "agenda-aanmeldingen",
    "agenda-opkomst",
    "sdg-leveranciers",
    "sdg-hulpvragen",
    "sdg-matches",
]


def figures_for(periods, today=TODAY) -> list[dict]:
    """Per period: the apps' raw figures, by app."""
    raws = figures.compute_all(periods, today)
    return [
        {
            "servicepoint": raws["servicepoint"][i],
            "omarm": raws["omarm"][i],
            "events": raws["events"][i],
            "suppliers": raws["procurement"][i],
        }
        for i in range(len(periods))
    ]


def table(report, slug) -> dict[str, list]:
    return {row.key: row.values for row in report.figure(slug).rows}


@pytest.fixture
def report(dataset):
    with translation.override("en"):
        return build_report(Q2, baseline=BASELINE, today=TODAY)


def test_the_columns_are_the_period_the_previous_one_and_the_baseline(report):
    assert [(c.key, c.period) for c in report.columns] == [
        ("current", Q2),
        ("previous", Q1),
        ("baseline", BASELINE),
    ]
    assert [figure.slug for figure in report.figures] == FIGURE_SLUGS
    assert list(figures.figure_slugs()) == FIGURE_SLUGS


def test_service_point_key_figures_in_working_days(report):
    assert table(report, "servicepunt-kerncijfers") == {
        "received": [7, 2, 1],
        "answered": [5, 2, 1],
        "within_service_level": [3, 1, 1],
        "service_level_rate": [60, 50, 100],
        # 1.5 and 5.0 if Good Friday, Easter Monday, Koningsdag, Ascension and Whit
        # Monday were counted as working days.
        "median_first_response": [1.0, 2.5, 1.0],
        "closed": [3, 2, 1],
        "median_close": [3.0, 6.0, 2.0],
        "follow_ups_answered": [3, 0, 0],
        "satisfaction_rate": [67, None, None],
        "reopened": [1, 1, 0],
        "reopen_rate": [14, 50, 0],
    }


def test_service_point_changes_against_previous_period_and_baseline(report):
    changes = {row.key: row.changes for row in report.figure("servicepunt-kerncijfers").rows}
    assert changes["received"] == [5, 6]
    assert changes["service_level_rate"] == [10, -40]
    assert changes["median_first_response"] == [-1.5, 0.0]
    assert changes["median_close"] == [-3.0, 1.0]
    assert changes["satisfaction_rate"] == [None, None]
    assert changes["reopen_rate"] == [-36, 14]


def test_questions_per_topic_and_directorate(report):
    topics = report.figure("servicepunt-onderwerpen")
    assert [row.key for row in topics.rows] == TOPIC_ORDER
    assert [row.label for row in topics.rows][:2] == ["Permits", "Financing"]
    assert table(report, "servicepunt-onderwerpen") == {
        "vergunningen": [3, 1, 0],
        "financiering": [4, 1, 1],
        **{slug: [0, 0, 0] for slug in TOPIC_ORDER[2:]},
    }
    # q2 went to both directorates; the routing of q3 to WMP was withdrawn.
    directorates = report.figure("servicepunt-directies")
    assert [row.label for row in directorates.rows] == [
        "Inkomen",
        "Werk en Maatschappelijke Participatie",
    ]
    assert table(report, "servicepunt-directies") == {"inkomen": [2, 0, 0], "wmp": [3, 1, 0]}


def test_omarm_figures(report):
    assert table(report, "omarm-kerncijfers") == {
        "organisations": [2, 1, 0],
        "businesses": [3, 1, 0],
        "networks": [2, 0, 0],
        "requests": [3, 1, 0],
        "matches_started": [5, 1, 0],
        "completed": [2, 0, 0],
        "hours": [Decimal("12.5"), 0, 0],
        "value_eur": [Decimal("350"), 0, 0],
        "social_return_matches": [1, 0, 0],
        "social_return_eur": [Decimal("200"), 0, 0],
    }
    assert table(report, "omarm-themas") == {
        "armoede": [1, 0, 0],
        "eenzaamheid": [0, 0, 0],
        "laaggeletterdheid": [0, 1, 0],
        "kansen": [1, 0, 0],
        "duurzaamheid": [1, 0, 0],
        "bewegingsarmoede": [0, 0, 0],
        "overig": [0, 0, 0],
    }
    assert table(report, "omarm-soorten-hulp") == {
        "inzet": [1, 0, 0],
        "geld": [1, 0, 0],
        "netwerk": [1, 0, 0],
        "materialen": [1, 0, 0],
        "expertise": [0, 1, 0],
    }
    assert table(report, "omarm-matches") == {
        "proposed": [1, 0, 0],
        "talking": [1, 0, 0],
        "matched": [1, 0, 0],
        "completed": [1, 1, 0],
        "broken_off": [1, 0, 0],
    }


def test_supplier_figures(report):
    assert table(report, "leveranciers-kerncijfers") == {
        "verified": [3, 2, 2],
        "new_labels": [1, 1, 2],
        "lapsed_labels": [1, 1, 1],
        "inquiries": [2, 1, 0],
        "recipients": [3, 1, 0],
        "suppliers_reached": [2, 1, 0],
    }
    assert table(report, "leveranciers-themas") == {
        "klimaat": [1, 1, 1],
        "milieu": [1, 1, 1],
        "circulair": [1, 1, 1],
        "keten": [0, 0, 0],
        "social-return": [1, 0, 0],
        "diversiteit": [1, 0, 0],
    }
    # Valid on the last day: s1's PSO ends on 30 June (still valid), s5's B Corp on 28 Feb.
    assert table(report, "leveranciers-labels") == {
        "cso": [1, 0, 0],
        "pso": [1, 1, 1],
        "bcorp": [1, 0, 1],
        "other": [0, 0, 0],
    }
    assert table(report, "leveranciers-regios") == {
        "groningen": [2, 2, 2],
        "ommelanden": [0, 0, 0],
        "drenthe": [1, 0, 0],
        "fryslan": [0, 0, 0],
        "elders": [0, 0, 0],
    }
    # The draft's PSO from 1 May never counts.
    assert table(report, "leveranciers-nieuwe-labels") == {
        "cso": [0, 1, 0],
        "pso": [0, 0, 1],
        "bcorp": [1, 0, 1],
        "other": [0, 0, 0],
    }
    assert table(report, "leveranciers-verlopen-labels") == {
        "cso": [0, 0, 0],
        "pso": [1, 0, 1],
        "bcorp": [0, 1, 0],
        "other": [0, 0, 0],
    }


def test_event_figures(report):
    assert table(report, "agenda-kerncijfers") == {
        "events": [3, 1, 0],
        "registrations": [10, 1, 0],
        "cancelled": [1, 0, 0],
        "attended": [4, 1, 0],
        "no_show": [2, 0, 0],
        "attendance_rate": [67, 100, None],
        "promotions": [1, 0, 0],
    }
    assert table(report, "agenda-bijeenkomsten") == {
        "impactcafe": [1, 1, 0],
        "training": [1, 0, 0],
        "inkoop-meets-impact": [1, 0, 0],
    }
    assert table(report, "agenda-aanmeldingen") == {
        "impactcafe": [6, 1, 0],
        "training": [2, 0, 0],
        "inkoop-meets-impact": [2, 0, 0],
    }
    assert table(report, "agenda-opkomst") == {
        "impactcafe": [75, 100, None],
        "training": [50, None, None],
        "inkoop-meets-impact": [None, None, None],
    }


def test_sdg_view(report):
    """Each figure lists the focus goals (8, 10, 11, 17) and the goals it has counts for."""
    suppliers = report.figure("sdg-leveranciers")
    assert [row.key for row in suppliers.rows if row.focus] == ["8", "10", "11", "17"]
    assert table(report, "sdg-leveranciers") == {
        "8": [3, 2, 2],
        "10": [1, 0, 0],
        "11": [0, 0, 0],
        "12": [1, 1, 1],
        "13": [1, 1, 1],
        "17": [1, 1, 1],
    }
    # armoede -> 1, 10; kansen -> 8, 10; duurzaamheid -> 11, 13; laaggeletterdheid -> 4.
    assert table(report, "sdg-hulpvragen") == {
        "1": [1, 0, 0],
        "4": [0, 1, 0],
        "8": [1, 0, 0],
        "10": [2, 0, 0],
        "11": [1, 0, 0],
        "13": [1, 0, 0],
        "17": [0, 0, 0],
    }
    # Matches on r1 (armoede) and r2 (duurzaamheid); the broken-off one on r3 is left out.
    assert table(report, "sdg-matches") == {
        "1": [2, 0, 0],
        "4": [0, 1, 0],
        "8": [0, 0, 0],
        "10": [2, 0, 0],
        "11": [2, 0, 0],
        "13": [2, 0, 0],
        "17": [0, 0, 0],
    }
    assert [row.key for row in report.figure("sdg-matches").rows] == [
        "1",
        "4",
        "8",
        "10",
        "11",
        "13",
        "17",
    ]


def test_a_report_without_baseline_has_two_columns(dataset):
    report = build_report(Q2, today=TODAY)
    assert [c.key for c in report.columns] == ["current", "previous"]
    assert table(report, "servicepunt-kerncijfers")["received"] == [7, 2]


def test_period_boundaries_are_amsterdam_days(dataset):
    """30 June 23:30 belongs to Q2 and 1 July 00:30 to Q3 (both 21:30/22:30 UTC on
    30 June); 31 March 23:30 belongs to Q1."""
    july = Period.month(2026, 7)
    march = Period.month(2026, 3)
    in_july, in_march = figures_for([july, march])
    assert in_july["servicepoint"]["received"] == 1
    assert in_march["servicepoint"]["received"] == 1  # p1 at 23:30 on 31 March
    assert in_july["omarm"]["requests_per_theme"] == {"eenzaamheid": 1}
    assert in_march["omarm"]["requests_per_theme"] == {"laaggeletterdheid": 1}
    assert in_july["events"]["total"]["events"] == 1
    assert in_march["events"]["total"]["events"] == 1
    assert in_july["suppliers"]["inquiries"] == 1
    assert in_march["suppliers"]["inquiries"] == 1


@pytest.mark.parametrize("periods, queries", [([Q2], 16), ([Q2, Q1], 27), ([Q2, Q1, BASELINE], 38)])
def test_the_figures_take_a_fixed_number_of_queries(dataset, periods, queries):
    """The questions, suppliers and labels are read once for all periods."""
    with CaptureQueriesContext(connection) as captured:
        figures.compute_all(periods, TODAY)
    assert len(captured) == queries == figures.query_count(len(periods))


def test_each_period_gets_the_same_figures_alone_or_together(dataset):
    together = figures_for([Q2, Q1, BASELINE])
    alone = [figures_for([p])[0] for p in (Q2, Q1, BASELINE)]
    assert together == alone


def test_overlapping_periods_count_a_question_in_each(dataset):
    year = Period.year(2026)
    in_year, in_q2 = figures_for([year, Q2])
    assert in_q2["servicepoint"]["received"] == 7
    assert in_year["servicepoint"]["received"] == 7 + 2 + 1  # Q1 and the July question
    assert in_q2["suppliers"]["verified"]["total"] == 3
    assert in_year["suppliers"]["verified"]["total"] == 4  # s3, created in August
