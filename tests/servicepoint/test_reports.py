"""The service point report: every figure on a dataset with known answers."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from servicepoint import reports
from servicepoint.constants import QuestionState
from servicepoint.models import FollowUp
from tests.factories import AssignmentFactory, DirectorateFactory, QuestionFactory, TopicFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
REPORT_URL = "/beheer/servicepoint/question/rapportage/"
START, END = date(2026, 9, 1), date(2026, 10, 31)


def amsterdam(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def month(year, number) -> datetime:
    return amsterdam(year, number, 1)


@pytest.fixture
def dataset(db):
    """Five questions in September and October 2026 (no daylight-saving change between
    submission and answer, so a day is exactly 24 hours), plus noise outside the period.

    ======  =============  ==========  =====================  ==========  ======  =======
    ref     topic          submitted   directorates           1st reply   closed  helped
    ======  =============  ==========  =====================  ==========  ======  =======
    q1      Financiering   7 Sep       WMP                    +1 day      +3      yes
    q2      Financiering   14 Sep      WMP, Inkomen           +2 days     +5      yes
    q3      Vergunningen   21 Sep      -                      +4 days     -       -
    q4      Financiering   5 Oct       WMP                    -           -       no
    q5      Vergunningen   30 Oct      -                      -           -       (asked)
    ======  =============  ==========  =====================  ==========  ======  =======
    """
    financiering = TopicFactory(slug="financiering")
    vergunningen = TopicFactory(slug="vergunningen")
    wmp = DirectorateFactory(slug="wmp", name="Werk en Maatschappelijke Participatie")
    inkomen = DirectorateFactory(slug="inkomen", name="Inkomen")

    def question(topic, submitted, *, first=None, closed=None, state=QuestionState.IN_PROGRESS):
        return QuestionFactory(
            topic=topic,
            submitted_at=submitted,
            state=state,
            first_response_at=submitted + timedelta(days=first) if first else None,
            closed_at=submitted + timedelta(days=closed) if closed else None,
        )

    def follow_up(question, helped, answered=True):
        return FollowUp.objects.create(
            question=question,
            helped=helped,
            answered_at=question.submitted_at + timedelta(days=10) if answered else None,
        )

    q1 = question(
        financiering, amsterdam(2026, 9, 7, 10), first=1, closed=3, state=QuestionState.CLOSED
    )
    q2 = question(
        financiering, amsterdam(2026, 9, 14, 9, 15), first=2, closed=5, state=QuestionState.CLOSED
    )
    q3 = question(vergunningen, amsterdam(2026, 9, 21, 14), first=4)
    q4 = question(financiering, amsterdam(2026, 10, 5, 11), state=QuestionState.REOPENED)
    q5 = question(vergunningen, amsterdam(2026, 10, 30, 16), state=QuestionState.NEW)
    for routed, directorate in [(q1, wmp), (q2, wmp), (q2, inkomen), (q4, wmp)]:
        AssignmentFactory(question=routed, directorate=directorate)
    follow_up(q1, helped=True)
    follow_up(q2, helped=True)
    follow_up(q4, helped=False)
    follow_up(q5, helped=None, answered=False)  # sent, not answered: not counted

    # Outside the period, or never confirmed: counted nowhere.
    before = question(
        vergunningen, amsterdam(2026, 8, 31, 23, 59), first=9, closed=20, state=QuestionState.CLOSED
    )
    AssignmentFactory(question=before, directorate=inkomen)
    follow_up(before, helped=False)
    after = question(financiering, amsterdam(2026, 11, 1, 0, 1), first=1)
    AssignmentFactory(question=after, directorate=inkomen)
    unconfirmed = QuestionFactory(guest=True, topic=vergunningen)
    AssignmentFactory(question=unconfirmed, directorate=inkomen)
    return [q1, q2, q3, q4, q5]


EXPECTED_PER_TOPIC = [
    (month(2026, 9), "Financiering", 2),
    (month(2026, 9), "Vergunningen", 1),
    (month(2026, 10), "Financiering", 1),
    (month(2026, 10), "Vergunningen", 1),
]
EXPECTED_PER_DIRECTORATE = [
    (month(2026, 9), "Inkomen", 1),
    (month(2026, 9), "Werk en Maatschappelijke Participatie", 2),
    (month(2026, 10), "Werk en Maatschappelijke Participatie", 1),
]


def test_every_figure_of_the_report(dataset):
    report = reports.build_report(START, END)
    assert report["start"] == START and report["end"] == END
    assert [(r["month"], r["topic__name"], r["count"]) for r in report["per_topic"]] == (
        EXPECTED_PER_TOPIC
    )
    assert [
        (r["month"], r["directorate__name"], r["count"]) for r in report["per_directorate"]
    ] == EXPECTED_PER_DIRECTORATE
    assert report["total"] == 5
    assert report["closed"] == 2
    assert report["median_first_response_days"] == 2.0  # of 1, 2 and 4 days
    assert report["median_close_days"] == 4.0  # of 3 and 5 days
    assert report["follow_ups_answered"] == 3
    assert report["satisfaction_rate"] == 67  # 2 of 3


def test_months_are_amsterdam_months(dataset):
    report = reports.build_report(START, END)
    months = {row["month"] for row in report["per_topic"] + report["per_directorate"]}
    assert {m.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M") for m in months} == {
        "2026-09-01 00:00",
        "2026-10-01 00:00",
    }


def test_a_question_routed_to_two_directorates_counts_once_per_directorate(dataset):
    q2 = dataset[1]
    AssignmentFactory(question=q2, directorate=DirectorateFactory(name="SSC-Inkoop"))
    report = reports.build_report(START, END)
    september = {
        r["directorate__name"]: r["count"]
        for r in report["per_directorate"]
        if r["month"] == month(2026, 9)
    }
    assert september == {"Inkomen": 1, "SSC-Inkoop": 1, "Werk en Maatschappelijke Participatie": 2}
    assert report["total"] == 5  # a question is counted once, however often it is routed


@pytest.mark.django_db
def test_empty_period_has_no_medians_and_no_rate():
    report = reports.build_report(date(2020, 1, 1), date(2020, 12, 31))
    assert report["per_topic"] == [] and report["per_directorate"] == []
    assert (report["total"], report["closed"], report["follow_ups_answered"]) == (0, 0, 0)
    assert report["median_first_response_days"] is None
    assert report["median_close_days"] is None
    assert report["satisfaction_rate"] is None


# Period boundaries (Europe/Amsterdam, not UTC) ---------------------------------------------


@pytest.fixture
def around_midnight(db):
    """31 March 23:30 and 1 April 00:30 in Groningen are both 31 March in UTC (CEST)."""
    topic = TopicFactory(slug="financiering")
    late = QuestionFactory(topic=topic, submitted_at=amsterdam(2026, 3, 31, 23, 30))
    early = QuestionFactory(topic=topic, submitted_at=amsterdam(2026, 4, 1, 0, 30))
    assert late.submitted_at.astimezone(ZoneInfo("UTC")).date() == date(2026, 3, 31)
    assert early.submitted_at.astimezone(ZoneInfo("UTC")).date() == date(2026, 3, 31)
    return late, early


def test_question_late_on_31_march_belongs_to_march(around_midnight):
    report = reports.build_report(date(2026, 3, 1), date(2026, 4, 30))
    assert [(r["month"], r["count"]) for r in report["per_topic"]] == [
        (month(2026, 3), 1),
        (month(2026, 4), 1),
    ]


def test_end_date_31_march_excludes_1_april_after_midnight(around_midnight):
    report = reports.build_report(date(2026, 3, 1), date(2026, 3, 31))
    assert report["total"] == 1
    assert [(r["month"], r["count"]) for r in report["per_topic"]] == [(month(2026, 3), 1)]
    april = reports.build_report(date(2026, 4, 1), date(2026, 4, 30))
    assert april["total"] == 1
    assert [(r["month"], r["count"]) for r in april["per_topic"]] == [(month(2026, 4), 1)]


# The admin page and its CSV -------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_csv_export_has_the_same_numbers(client, staff_with_totp, dataset):
    client.force_login(staff_with_totp)
    response = client.get(REPORT_URL, {"start": "2026-09-01", "end": "2026-10-31", "export": "csv"})
    assert response.status_code == 200
    assert (
        'filename="servicepunt-rapportage-2026-09-01-2026-10-31.csv"'
        in (response["Content-Disposition"])
    )
    rows = _csv_rows(response)
    assert len(rows) == 1 + 4 + 3 + 6
    assert all(len(row) == 4 for row in rows)
    assert [row[1:] for row in rows[1:5]] == [
        ["2026-09", "Financiering", "2"],
        ["2026-09", "Vergunningen", "1"],
        ["2026-10", "Financiering", "1"],
        ["2026-10", "Vergunningen", "1"],
    ]
    assert [row[1:] for row in rows[5:8]] == [
        ["2026-09", "Inkomen", "1"],
        ["2026-09", "Werk en Maatschappelijke Participatie", "2"],
        ["2026-10", "Werk en Maatschappelijke Participatie", "1"],
    ]
    assert len({row[0] for row in rows[1:5]}) == 1  # one label per kind of figure
    assert len({row[0] for row in rows[5:8]}) == 1
    assert [row[1:] for row in rows[8:]] == [
        ["", "", "5"],
        ["", "", "2"],
        ["", "", "2.0"],
        ["", "", "4.0"],
        ["", "", "3"],
        ["", "", "67"],
    ]


def test_csv_month_of_a_question_just_after_midnight_is_april(
    client, staff_with_totp, around_midnight
):
    client.force_login(staff_with_totp)
    response = client.get(REPORT_URL, {"start": "2026-03-01", "end": "2026-04-30", "export": "csv"})
    rows = _csv_rows(response)
    assert [row[1:] for row in rows[1:3]] == [
        ["2026-03", "Financiering", "1"],
        ["2026-04", "Financiering", "1"],
    ]


def test_report_page_shows_the_figures(client, staff_with_totp, dataset):
    client.force_login(staff_with_totp)
    response = client.get(REPORT_URL, {"start": "2026-09-01", "end": "2026-10-31"})
    assert response.status_code == 200
    assert response.context["report"] == reports.build_report(START, END)
    page = response.content.decode()
    assert "Werk en Maatschappelijke Participatie" in page
    assert "67%" in page
    assert "?start=2026-09-01&amp;end=2026-10-31&amp;export=csv" in page


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-10-31", "end": "2026-09-01"},
        {"start": "2026-10-31", "end": "2026-09-01", "export": "csv"},
        {"start": "gisteren"},
        {"start": "gisteren", "export": "csv"},
        {"start": "2026-09-01", "end": "31-31-2026"},
    ],
)
def test_bad_period_shows_the_form_error_and_no_report(client, staff_with_totp, dataset, query):
    client.force_login(staff_with_totp)
    response = client.get(REPORT_URL, query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response.context["report"] is None
    form = response.context["form"]
    assert form.errors
    page = response.content.decode()
    assert 'class="errorlist' in page
    assert "export=csv" not in page  # no download link without a report


@pytest.mark.django_db
def test_report_is_for_account_managers_and_coordinator_only(client):

    from accounts.roles import Role
    from tests.factories import UserFactory

    contact = UserFactory(
        staff=True, roles=[Role.DIRECTORATE_CONTACT], directorate=DirectorateFactory(), totp=True
    )
    client.force_login(contact)
    assert client.get(REPORT_URL, {"export": "csv"}).status_code == 403
