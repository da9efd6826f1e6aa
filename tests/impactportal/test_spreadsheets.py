"""The spreadsheet kernel: text is never a formula, values stay values, files open in Excel."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from impactportal import spreadsheets
from impactportal.spreadsheets import Row, Sheet

DANGEROUS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x","y")']
UTC = ZoneInfo("UTC")


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    raw = body(response)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def workbook(response):
    return load_workbook(io.BytesIO(body(response)))


# neutralise --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert spreadsheets.neutralise(text) == f"'{text}"


@pytest.mark.parametrize("text", [" =1+1", "   +1", "\n-2+3", "\u00a0@SUM(A1)", " \t=1"])
def test_leading_whitespace_does_not_hide_a_formula(text):
    assert spreadsheets.neutralise(text) == f"'{text}"


@pytest.mark.parametrize("text", ["Groen", "", "1-2", "'al", "e-mail", "a=b", "  ", "50 %"])
def test_harmless_text_is_left_alone(text):
    assert spreadsheets.neutralise(text) == text


def test_characters_excel_refuses_are_dropped_before_the_check():
    assert spreadsheets.neutralise("bel\x07 terug\x1b") == "bel terug"
    assert spreadsheets.neutralise("\x00=1+1") == "'=1+1"
    assert spreadsheets.neutralise("regel\neen\r\ntwee") == "regel\neen\r\ntwee"


# CSV ---------------------------------------------------------------------------------------

HEADER = ["Naam", "=Aantal", "Bedrag", gettext_lazy("Date")]
ROWS = [
    ['=HYPERLINK("http://x","y")', -2, Decimal("-2.50"), -1.5],
    ["+31 50 123 4567", 0, None, date(2026, 3, 31)],
    [" @SUM(A1)", 12, "", datetime(2026, 3, 31, 22, 30, tzinfo=UTC)],
]


def test_csv_is_utf8_with_a_bom_and_semicolons():
    response = spreadsheets.csv_response(
        ["Naam", "Plaats"], [["Zoë", "Groningen"]], filename="x.csv"
    )
    assert isinstance(response, HttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content == "\ufeffNaam;Plaats\r\nZoë;Groningen\r\n".encode()


def test_csv_neutralises_text_and_keeps_values():
    rows = csv_rows(spreadsheets.csv_response(HEADER, ROWS, filename="x.csv"))
    assert rows == [
        ["Naam", "'=Aantal", "Bedrag", "Date"],
        ['\'=HYPERLINK("http://x","y")', "-2", "-2.50", "-1.5"],
        ["'+31 50 123 4567", "0", "", "31-03-2026"],
        ["' @SUM(A1)", "12", "", "01-04-2026 00:30"],  # Amsterdam time
    ]


def test_csv_writes_decimals_with_the_separator_asked_for():
    response = spreadsheets.csv_response(
        ["a"], [[Decimal("-2.50"), -1.5, 7]], filename="x.csv", decimal_separator=","
    )
    assert csv_rows(response)[1] == ["-2,50", "-1,5", "7"]


def test_csv_keeps_tabs_and_line_breaks_inside_a_neutralised_cell():
    rows = csv_rows(spreadsheets.csv_response(["a"], [["\tx"], ["\rx"]], filename="x.csv"))
    assert [row[0] for row in rows[1:]] == ["'\tx", "'\rx"]


def test_a_filename_outside_ascii_is_encoded():
    response = spreadsheets.csv_response(["a"], [], filename="café.csv")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''caf%C3%A9.csv"


def test_streaming_csv_reads_the_rows_while_sending():
    read = []

    def rows():
        for number in range(3):
            read.append(number)
            yield [f"={number}", number]

    response = spreadsheets.streaming_csv_response(["a", "b"], rows(), filename="groot.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="groot.csv"'
    assert read == []  # nothing read before the body is sent
    assert csv_rows(response) == [["a", "b"], ["'=0", "0"], ["'=1", "1"], ["'=2", "2"]]
    assert read == [0, 1, 2]


def test_streaming_and_whole_csv_are_the_same_file():
    whole = spreadsheets.csv_response(HEADER, ROWS, filename="x.csv")
    streamed = spreadsheets.streaming_csv_response(HEADER, iter(ROWS), filename="x.csv")
    assert body(streamed) == body(whole)


# Excel -------------------------------------------------------------------------------------


def test_xlsx_response():
    response = spreadsheets.xlsx_response(Sheet("Lijst", [["a"]]), filename="lijst.xlsx")
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="lijst.xlsx"'
    assert response.content[:2] == b"PK"


def test_xlsx_text_is_never_a_formula_and_values_stay_values():
    sheet = Sheet("Export", ROWS, header=HEADER)
    book = workbook(spreadsheets.xlsx_response(sheet, filename="x.xlsx"))
    rows = list(book.active.iter_rows())
    assert [cell.value for cell in rows[0]] == ["Naam", "'=Aantal", "Bedrag", "Date"]
    assert all(cell.font.bold for cell in rows[0])
    assert book.active.freeze_panes == "A2"
    first, second, third = rows[1:]
    assert first[0].value == '\'=HYPERLINK("http://x","y")'
    assert first[0].data_type == "s"
    assert [cell.value for cell in first[1:]] == [-2, -2.5, -1.5]
    assert {cell.data_type for cell in first[1:]} == {"n"}
    assert second[0].value == "'+31 50 123 4567"
    assert second[3].value.isoformat() == "2026-03-31T00:00:00"
    assert second[3].number_format == "dd-mm-yyyy"
    assert third[0].value == "' @SUM(A1)"
    assert third[3].value.isoformat() == "2026-04-01T00:30:00"  # Amsterdam time, no zone
    assert not any(cell.data_type == "f" for row in rows for cell in row)


def test_xlsx_drops_characters_excel_refuses():
    sheet = Sheet("Lijst [1]: a/b?*", [["bel\x07 terug\x1b", "\x00=1"]])
    book = workbook(spreadsheets.xlsx_response(sheet, filename="x.xlsx"))
    assert book.sheetnames == ["Lijst 1 ab"]
    assert [cell.value for cell in next(book.active.iter_rows())] == ["bel terug", "'=1"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [("'Inkoop'", "Inkoop"), ("x" * 40, "x" * 31), ("[]", "Export"), ("=SUM(A1)", "=SUM(A1)")],
)
def test_sheet_titles_excel_accepts(title, expected):
    book = workbook(spreadsheets.xlsx_response(Sheet(title, []), filename="x.xlsx"))
    assert book.sheetnames == [expected]


def test_xlsx_with_several_sheets_titles_and_widths():
    area = Sheet(
        "Servicepunt",
        [Row(["Servicepunt"], font=spreadsheets.TITLE), [], Row(["=kop", "b"]), ["-x", 1]],
        column_widths={"A": 48, "B": 18},
    )
    book = workbook(spreadsheets.xlsx_response(area, Sheet("Omarm", [["y"]]), filename="x.xlsx"))
    assert book.sheetnames == ["Servicepunt", "Omarm"]
    sheet = book["Servicepunt"]
    rows = list(sheet.iter_rows())
    assert rows[0][0].font.size == 14 and rows[0][0].font.bold
    assert [cell.value for cell in rows[2]] == ["'=kop", "b"]
    assert all(cell.font.bold for cell in rows[2])
    assert [cell.value for cell in rows[3]] == ["'-x", 1]
    assert not rows[3][0].font.bold
    assert sheet.column_dimensions["A"].width == 48
    assert sheet.freeze_panes is None
