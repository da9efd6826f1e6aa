"""CSV and Excel exports of a search result and of a shortlist: exactly the filtered public
rows, only valid labels, no formulas, a cap, and a constant number of queries."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.roles import Role
from impactportal import spreadsheets
from procurement import exports
from procurement.constants import LabelKind, MvoiTheme, PsoLevel, Region, SupplierState
from procurement.filters import SupplierFilter
from procurement.selectors import category_tree, order_results, public_suppliers
from procurement.services import search_words_rebuild
from tests.factories import (
    LabelFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER_NAME = 0


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROCUREMENT_OFFICER])


@pytest.fixture
def buyer(client, officer):
    client.force_login(officer)
    return client


def search_url(fmt, **params):
    address = reverse("procurement:search_export", kwargs={"fmt": fmt})
    return f"{address}?{urlencode(params, doseq=True)}"


def content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def csv_rows(response) -> list[list[str]]:
    raw = content(response)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(content(response)))
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def xlsx_cells(response):
    workbook = openpyxl.load_workbook(io.BytesIO(content(response)))
    return list(workbook.worksheets[0].iter_rows())


def search_result(**params) -> list[str]:
    filterset = SupplierFilter(params, queryset=public_suppliers(), categories=category_tree())
    assert filterset.is_valid(), filterset.errors
    ordered = order_results(filterset.qs, filterset.search, filterset.sort)
    return [supplier.name for supplier in ordered]


@pytest.fixture
def directory():
    """Suppliers that differ in theme, label (valid or expired), words and state."""
    hit_a = SupplierFactory(
        name="Groenkracht",
        short_description="Groenonderhoud met leerwerkplekken",
        themes=[MvoiTheme.CLIMATE, MvoiTheme.SOCIAL_RETURN],
        region=Region.CITY,
        impact_first=True,
        target_group_share=60,
        website="https://groenkracht.example",
        contact_name="Gerda Groen",
        contact_phone="050 123 4567",
        kvk_number="12345678",
        branch_number="000012345678",
    )
    LabelFactory(supplier=hit_a, kind=LabelKind.PSO, pso_level=PsoLevel.STEP_3)
    hit_b = SupplierFactory(
        name="Groene Handen",
        short_description="Groenonderhoud en tuinen",
        themes=[MvoiTheme.CLIMATE],
        region=Region.DRENTHE,
    )
    LabelFactory(supplier=hit_b, kind=LabelKind.PSO, pso_level=PsoLevel.BASE)
    expired = SupplierFactory(
        name="Groen Verlopen",
        short_description="Groenonderhoud in de regio",
        themes=[MvoiTheme.CLIMATE],
    )
    LabelFactory(supplier=expired, expired=True)
    other_theme = SupplierFactory(
        name="Groen Circulair", short_description="Groenonderhoud", themes=[MvoiTheme.CIRCULAR]
    )
    LabelFactory(supplier=other_theme)
    no_word = SupplierFactory(
        name="Schoon en Sociaal", short_description="Schoonmaak", themes=[MvoiTheme.CLIMATE]
    )
    LabelFactory(supplier=no_word)
    draft = SupplierFactory(
        name="Groen Concept",
        short_description="Groenonderhoud",
        themes=[MvoiTheme.CLIMATE],
        draft=True,
    )
    LabelFactory(supplier=draft)
    search_words_rebuild()
    return {"a": hit_a, "b": hit_b}


FILTERS = {"q": "groenonderhoud", "thema": [MvoiTheme.CLIMATE], "label": [LabelKind.PSO]}


def test_search_export_contains_exactly_the_filtered_rows(buyer, directory):
    expected = search_result(**FILTERS)
    assert sorted(expected) == ["Groene Handen", "Groenkracht"]

    response = buyer.get(search_url("csv", **FILTERS))
    assert response.status_code == 200
    rows = csv_rows(response)
    assert [row[HEADER_NAME] for row in rows[1:]] == expected

    response = buyer.get(search_url("xlsx", **FILTERS))
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert [row[HEADER_NAME] for row in rows[1:]] == expected


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"thema": [MvoiTheme.CLIMATE]},
        {"label": [LabelKind.PSO]},
        {"q": "groen", "sortering": "naam"},
        {"regio": Region.DRENTHE},
        {"q": "groenonderhoudd"},  # a typo
        {"impact": "first"},
    ],
)
def test_every_search_exports_its_own_result(buyer, directory, params):
    expected = search_result(**params)
    for fmt, read in (("csv", csv_rows), ("xlsx", xlsx_rows)):
        rows = read(buyer.get(search_url(fmt, **params)))
        assert [row[HEADER_NAME] for row in rows[1:]] == expected, fmt


def test_drafts_and_expired_labels_never_appear(buyer, directory):
    rows = csv_rows(buyer.get(search_url("csv")))
    names = [row[HEADER_NAME] for row in rows[1:]]
    assert "Groen Concept" not in names
    assert sorted(names) == sorted(search_result())
    by_name = {row[HEADER_NAME]: row for row in rows[1:]}
    labels_column = 7
    assert by_name["Groen Verlopen"][labels_column] == ""
    assert "PSO" in by_name["Groenkracht"][labels_column]


def test_columns_and_values(buyer, directory):
    supplier = directory["a"]
    until = (timezone.localdate() + timedelta(days=365)).strftime("%d-%m-%Y")
    rows = csv_rows(buyer.get(search_url("csv", q="groenkracht")))
    assert len(rows[0]) == 16
    row = dict(zip(range(16), rows[1], strict=True))
    assert row[0] == "Groenkracht"
    assert row[1] == "12345678"
    assert row[2] == "000012345678"
    assert row[3] == "Groningen"
    assert row[6].count(",") == 1  # two themes
    assert "trede" in row[7] and until in row[7]
    assert row[9] == "60"
    assert row[10] == "https://groenkracht.example"
    assert row[11] == "Gerda Groen"
    assert row[12] == supplier.contact_email
    assert row[13] == "050 123 4567"
    assert row[14] == timezone.localdate(supplier.verified_at).strftime("%d-%m-%Y")
    assert row[15] == f"http://localhost:8000{supplier.get_absolute_url()}"

    xlsx = xlsx_rows(buyer.get(search_url("xlsx", q="groenkracht")))
    assert xlsx[1][0] == "Groenkracht"
    assert xlsx[1][9] == 60
    assert xlsx[1][14].date() == timezone.localdate(supplier.verified_at)


def test_response_headers(buyer, directory):
    today = timezone.localdate().isoformat()
    response = buyer.get(search_url("csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="goed-inkopen-leveranciers-{today}.csv"'
    )
    response = buyer.get(search_url("xlsx"))
    assert response["Content-Type"] == spreadsheets.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith(f'-{today}.xlsx"')
    assert content(response)[:2] == b"PK"


def test_unknown_format_is_not_found(buyer):
    assert buyer.get(search_url("pdf")).status_code == 404
    assert buyer.get(search_url("xls")).status_code == 404


@pytest.mark.parametrize(
    "params", [{"thema": ["onbekend"]}, {"regio": "mars"}, {"sortering": "prijs"}, {"sdg": ["99"]}]
)
def test_bad_search_parameters_are_refused(buyer, directory, params):
    response = buyer.get(search_url("csv", **params))
    assert response.status_code == 400
    assert response.context["reason"] == "invalid"
    assert not response.streaming


def test_hostile_search_text_is_harmless(buyer, directory):
    for text in ("<script>alert(1)</script>", "' OR 1=1 --", "a:* & !b"):
        response = buyer.get(search_url("csv", q=text))
        assert response.status_code == 200, text
        csv_rows(response)
    # A NUL byte is refused before any view runs (impactportal.middleware).
    assert buyer.get(search_url("csv", q="groen\x00onderhoud")).status_code == 400


def test_too_many_rows_are_refused(buyer, directory, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 3)
    response = buyer.get(search_url("xlsx"))
    assert response.status_code == 400
    assert response.context["reason"] == "too_many"
    assert response.context["total"] == len(search_result())
    assert 'id="export-too-many"' in response.content.decode()
    # A narrower search is fine.
    response = buyer.get(search_url("xlsx", **FILTERS))
    assert response.status_code == 200


def test_formulas_are_neutralised(buyer, officer):
    supplier = SupplierFactory(
        name='=HYPERLINK("https://evil.example","klik")',
        contact_name="@SUM(A1:A2)",
        contact_phone="+31 50 123 4567",
        municipality="-2+3",
        website="",
    )
    shortlist = ShortlistFactory(owner=officer)
    ShortlistEntryFactory(shortlist=shortlist, supplier=supplier, note="\t=cmd|' /C calc'!A0")
    address = reverse("procurement:shortlist_export", kwargs={"uuid": shortlist.uuid, "fmt": "csv"})
    row = csv_rows(buyer.get(address))[1]
    assert row[0] == '\'=HYPERLINK("https://evil.example","klik")'
    assert row[3] == "'-2+3"
    assert row[11] == "'@SUM(A1:A2)"
    assert row[13] == "'+31 50 123 4567"
    assert row[16] == "'\t=cmd|' /C calc'!A0"

    address = address.replace("export.csv", "export.xlsx")
    cells = xlsx_cells(buyer.get(address))[1]
    assert cells[0].data_type == "s"
    assert cells[0].value.startswith("'=")
    assert cells[16].value.startswith("'\t=")
    assert not any(cell.data_type == "f" for row in xlsx_cells(buyer.get(address)) for cell in row)


def test_control_characters_do_not_break_the_excel_file(buyer, officer):
    shortlist = ShortlistFactory(owner=officer, title="Lijst [1]: a/b?*")
    ShortlistEntryFactory(shortlist=shortlist, note="bel\x07 terug\x1b")
    address = reverse(
        "procurement:shortlist_export", kwargs={"uuid": shortlist.uuid, "fmt": "xlsx"}
    )
    response = buyer.get(address)
    assert response.status_code == 200
    assert xlsx_rows(response)[1][16] == "bel terug"


# Shortlist exports -----------------------------------------------------------------------------


def test_shortlist_export_has_its_public_suppliers_and_notes(buyer, officer):
    shortlist = ShortlistFactory(owner=officer, title="Catering stadhuis")
    first = SupplierFactory(name="Zuiderzon")
    second = SupplierFactory(name="Appelhof")
    gone = SupplierFactory(name="Vertrokken")
    LabelFactory(supplier=second, kind=LabelKind.BCORP, pso_level="")
    ShortlistEntryFactory(shortlist=shortlist, supplier=first, note="Offerte gevraagd")
    ShortlistEntryFactory(shortlist=shortlist, supplier=gone, note="weg")
    ShortlistEntryFactory(shortlist=shortlist, supplier=second)
    ShortlistEntryFactory(supplier=SupplierFactory(name="Op andere lijst"))
    gone.state = SupplierState.SENT_BACK
    gone.save()

    base = reverse("procurement:shortlist_export", kwargs={"uuid": shortlist.uuid, "fmt": "csv"})
    response = buyer.get(base)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="shortlist-catering-stadhuis-{today}.csv"'
    )
    rows = csv_rows(response)
    assert len(rows[0]) == 17
    assert [(row[0], row[16]) for row in rows[1:]] == [
        ("Zuiderzon", "Offerte gevraagd"),
        ("Appelhof", ""),
    ]
    assert "B Corp" in rows[2][7]

    rows = xlsx_rows(buyer.get(base.replace("export.csv", "export.xlsx")))
    assert [(row[0], row[16]) for row in rows[1:]] == [
        ("Zuiderzon", "Offerte gevraagd"),
        ("Appelhof", None),
    ]


def test_empty_shortlist_exports_a_header(buyer, officer):
    shortlist = ShortlistFactory(owner=officer)
    address = reverse("procurement:shortlist_export", kwargs={"uuid": shortlist.uuid, "fmt": "csv"})
    assert len(csv_rows(buyer.get(address))) == 1


# Query counts ----------------------------------------------------------------------------------


def count_queries(client, address):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        assert response.status_code == 200
        body = content(response)
    return len(queries), body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_search_export_runs_a_constant_number_of_queries(buyer, fmt):
    def add(n):
        for supplier in SupplierFactory.create_batch(n, themes=[MvoiTheme.CLIMATE]):
            LabelFactory(supplier=supplier)
            LabelFactory(supplier=supplier, kind=LabelKind.BCORP, pso_level="")
        search_words_rebuild()

    params = {"q": "schoonmaak", "thema": [MvoiTheme.CLIMATE], "label": [LabelKind.PSO]}
    add(3)
    small, body = count_queries(buyer, search_url(fmt, **params))
    add(27)
    large, body = count_queries(buyer, search_url(fmt, **params))
    assert small == large
    # session, user, roles, category tree, typo lookup, count, rows with their labels
    assert large == 7
    assert body


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_shortlist_export_runs_a_constant_number_of_queries(buyer, officer, fmt):
    shortlist = ShortlistFactory(owner=officer)
    address = reverse("procurement:shortlist_export", kwargs={"uuid": shortlist.uuid, "fmt": fmt})

    def add(n):
        for _n in range(n):
            LabelFactory(supplier=ShortlistEntryFactory(shortlist=shortlist).supplier)

    add(3)
    small, _body = count_queries(buyer, address)
    add(27)
    large, _body = count_queries(buyer, address)
    assert small == large == 5  # session, user, roles, shortlist, rows with their labels
