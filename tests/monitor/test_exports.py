"""The CSV of every figure and the Excel workbook hold exactly the figures the page shows."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from monitor.report import figure_slugs
from tests.factories import AssignmentFactory, DirectorateFactory, QuestionFactory

from .conftest import Q2

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
QUERY = {
    "soort": "kwartaal",
    "jaar": "2026",
    "kwartaal": "2",
    "nulmeting_van": "2025-01-01",
    "nulmeting_tot": "2025-12-31",
}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=AMSTERDAM), tick=True):
        yield


@pytest.fixture
def reader(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def report(reader, dataset):
    return reader.get(reverse("monitor:index"), QUERY).context["report"]


def read_csv(response) -> list[list[str]]:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def number(text: str):
    """A CSV cell back into a number (Dutch decimal comma), None when empty."""
    if text == "":
        return None
    return Decimal(text.replace(".", "").replace(",", ".")) if "," in text else int(text)


def shown(row):
    """What a report row holds: per column its value, and after the first its change."""
    cells = []
    for index, (_key, value, change) in enumerate(row.cells):
        cells.append(value)
        if index:
            cells.append(change)
    return cells


def test_every_figure_as_csv(reader, report):
    for figure in report.figures:
        response = reader.get(reverse("monitor:figure_csv", kwargs={"slug": figure.slug}), QUERY)
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == (
            f'attachment; filename="monitor-{figure.slug}-2026-q2.csv"'
        )
        header, *rows = read_csv(response)
        assert header[0] == str(figure.row_heading)
        assert len(header) == 2 + 5  # label, unit, 3 periods and 2 changes
        assert [row[0] for row in rows] == [row.label for row in figure.rows]
        for csv_row, row in zip(rows, figure.rows, strict=True):
            expected = [None if v is None else Decimal(str(v)) for v in shown(row)]
            assert [number(cell) for cell in csv_row[2:]] == expected, (figure.slug, row.key)


def test_the_key_figures_csv_in_plain_numbers(reader, dataset):
    with translation.override("nl"):
        response = reader.get(
            reverse("monitor:figure_csv", kwargs={"slug": "servicepunt-kerncijfers"}), QUERY
        )
    rows = {row[0]: row[2:] for row in read_csv(response)[1:]}
    by_key = dict(
        zip(
            [
                "received",
                "answered",
                "within_service_level",
                "service_level_rate",
                "median_first_response",
                "closed",
                "median_close",
                "follow_ups_answered",
                "satisfaction_rate",
                "reopened",
                "reopen_rate",
            ],
            rows.values(),
            strict=True,
        )
    )
    assert by_key["received"] == ["7", "2", "5", "1", "6"]
    assert by_key["median_first_response"] == ["1,0", "2,5", "-1,5", "1,0", "0,0"]
    assert by_key["satisfaction_rate"] == ["67", "", "", "", ""]


def test_the_workbook_has_a_sheet_per_area_with_every_figure(reader, report):
    response = reader.get(reverse("monitor:workbook"), QUERY)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="voortgangsrapportage-2026-q2.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [str(area.title)[:31] for area in report.areas]
    for area in report.areas:
        rows = list(workbook[str(area.title)[:31]].iter_rows(values_only=True))
        assert rows[0][0] == area.title
        assert [row[:2] for row in rows[1:4]] == [
            (column.title, column.period.label) for column in report.columns
        ]
        assert rows[1][2].date() == Q2.start and rows[1][3].date() == Q2.end
        for figure in area.figures:
            start = next(i for i, row in enumerate(rows) if row[0] == figure.title)
            header = rows[start + 1]
            assert header[0] == figure.row_heading
            body = rows[start + 2 : start + 2 + len(figure.rows)]
            for sheet_row, row in zip(body, figure.rows, strict=True):
                assert sheet_row[0] == row.label
                expected = [None if v is None else float(v) for v in shown(row)]
                assert [None if v is None else float(v) for v in sheet_row[2:7]] == expected


def test_the_workbook_holds_the_key_figures(reader, dataset):
    workbook = load_workbook(io.BytesIO(reader.get(reverse("monitor:workbook"), QUERY).content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[1] == "%")  # the first percentage row
    assert rows[start][2:7] == (60, 50, 10, 100, -40)


def test_text_that_a_spreadsheet_would_run_is_neutralised(reader, db):
    directorate = DirectorateFactory(slug="evil", name='=HYPERLINK("http://evil.example","x")')
    question = QuestionFactory(submitted_at=datetime(2026, 5, 1, 10, tzinfo=AMSTERDAM))
    AssignmentFactory(question=question, directorate=directorate)
    response = reader.get(
        reverse("monitor:figure_csv", kwargs={"slug": "servicepunt-directies"}), QUERY
    )
    labels = [row[0] for row in read_csv(response)[1:]]
    assert "'" + directorate.name in labels
    workbook = load_workbook(io.BytesIO(reader.get(reverse("monitor:workbook"), QUERY).content))
    cells = [row[0] for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert "'" + directorate.name in cells
    assert directorate.name not in cells


def test_the_slugs_are_the_figures_of_the_report(report):
    assert tuple(figure.slug for figure in report.figures) == figure_slugs()
