"""Import of a supplier list: reading files, validating rows into a plan, applying it."""

import io
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from accounts.constants import OrganisationKind
from accounts.models import Membership, Organisation
from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from procurement import importing
from procurement.constants import LabelKind, MvoiTheme, PsoLevel, Region, SizeClass, SupplierState
from procurement.models import Category, Label, Product, SearchWord, Supplier
from tests.factories import LabelFactory, OrganisationFactory, SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HEADER = [
    "Naam",
    "KvK",
    "Vestigingsnummer",
    "Plaats",
    "Regio",
    "Omvang",
    "Themas",
    "Labels",
    "Impact_first",
    "Korte_omschrijving",
    "Website",
    "Email",
    "Telefoon",
    "Contactpersoon",
    "Producten",
]


def row(**values):
    base = {
        "naam": "Schoon en Sociaal BV",
        "kvk": "12345678",
        "vestigingsnummer": "000012345678",
        "plaats": "Groningen",
        "regio": "groningen",
        "omvang": "klein",
        "themas": "Circulair, Social Return",
        "labels": "PSO trede 2 tot 2027-06-30; B Corp tot 2026-12-31",
        "impact_first": "ja",
        "korte_omschrijving": "Schoonmaak met mensen met een afstand tot de arbeidsmarkt.",
        "website": "www.schoonensociaal.example",
        "email": "info@schoonensociaal.example",
        "telefoon": "050 123 4567",
        "contactpersoon": "Anna de Vries",
        "producten": "Kantoorschoonmaak [90900000]; Glasbewassing [90900000]",
    }
    base.update(values)
    return [base[h.lower()] for h in HEADER]


def csv_file(rows, *, header=HEADER, delimiter=";", bom=True, name="leveranciers.csv"):
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    return SimpleUploadedFile(name, (b"\xef\xbb\xbf" if bom else b"") + data)


def xlsx_file(rows, *, header=HEADER, name="leveranciers.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def plan_of(upload):
    return importing.plan_import(importing.read_table(upload))


def errors_of(plan):
    return {(e.row, e.column, e.code) for e in plan.errors}


@pytest.fixture
def coordinator():
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)


TABLES = [Organisation, Membership, Supplier, Label, Product, Category, SearchWord]


def counts():
    return {
        model.__name__: model.objects.count() for model in [*TABLES, AuditLogEntry, OutboxMessage]
    }


# Reading and planning -------------------------------------------------------------------


def test_csv_with_bom_and_semicolons_is_planned_without_touching_the_database():
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        plan = plan_of(csv_file([row(), row(naam="Groen Doen", kvk="87654321")]))
    assert not any(
        q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in queries
    )
    assert counts() == before
    assert plan.errors == []
    assert [r.row for r in plan.creates] == [2, 3]
    first = plan.rows[0]
    assert first.data == {
        "name": "Schoon en Sociaal BV",
        "kvk_number": "12345678",
        "branch_number": "000012345678",
        "municipality": "Groningen",
        "region": Region.CITY,
        "size": SizeClass.SMALL,
        "themes": [MvoiTheme.CIRCULAR, MvoiTheme.SOCIAL_RETURN],
        "impact_first": True,
        "short_description": "Schoonmaak met mensen met een afstand tot de arbeidsmarkt.",
        "website": "https://www.schoonensociaal.example",
        "contact_email": "info@schoonensociaal.example",
        "contact_phone": "050 123 4567",
        "contact_name": "Anna de Vries",
    }
    assert [(lbl.kind, lbl.pso_level, lbl.valid_until) for lbl in first.labels] == [
        (LabelKind.PSO, PsoLevel.STEP_2, date(2027, 6, 30)),
        (LabelKind.BCORP, "", date(2026, 12, 31)),
    ]
    assert [(p.name, p.category.code) for p in first.products] == [
        ("Kantoorschoonmaak", "90900000"),
        ("Glasbewassing", "90900000"),
    ]


def test_comma_separated_csv_without_bom_and_dutch_labels():
    plan = plan_of(
        csv_file(
            [row(themas="Klimaat; Diversiteit & Inclusie", regio="Fryslân", omvang="ZZP")],
            delimiter=",",
            bom=False,
        )
    )
    assert plan.errors == []
    data = plan.rows[0].data
    assert data["themes"] == [MvoiTheme.CLIMATE, MvoiTheme.DIVERSITY]
    assert data["region"] == Region.FRYSLAN and data["size"] == SizeClass.SOLO


def test_headers_are_case_insensitive_with_aliases_and_unknown_columns_ignored():
    header = [
        "NAAM",
        "KvK-nummer",
        "plaats",
        "regio",
        "omvang",
        "Korte omschrijving",
        "E-mail",
        "Opmerking",
    ]
    upload = csv_file(
        [
            [
                "Groen Doen",
                "8765 4321",
                "Haren",
                "ommelanden",
                "micro",
                "Tuinen.",
                "a@b.example",
                "x",
            ]
        ],
        header=header,
    )
    table = importing.read_table(upload)
    assert table.ignored_columns == ["Opmerking"]
    plan = importing.plan_import(table)
    assert plan.errors == []
    assert plan.rows[0].data["kvk_number"] == "87654321"
    assert "branch_number" not in plan.rows[0].data  # no such column: left as it is


def test_xlsx_with_number_cells_and_a_formula_is_read_safely():
    upload = xlsx_file(
        [
            row(kvk=1234567, vestigingsnummer=12345678, impact_first=True),
            row(kvk="23456789", naam="=cmd|' /C calc'!A0"),
        ]
    )
    plan = plan_of(upload)
    # A number cell lost the leading zero of the KvK number; it is put back.
    assert plan.rows[0].data["kvk_number"] == "01234567"
    assert plan.rows[0].data["branch_number"] == "000012345678"
    assert plan.rows[0].data["impact_first"] is True
    # openpyxl stores a string starting with "=" as a formula; with cached values only,
    # it has no value at all, so the required name is missing.
    assert {(e.row, e.column) for e in plan.errors} == {(3, "naam")}


def test_missing_required_column_refuses_the_file():
    upload = csv_file([["Groen Doen", "87654321"]], header=["naam", "kvk"])
    with pytest.raises(importing.ImportFileError) as refused:
        importing.read_table(upload)
    assert refused.value.code == "missing_columns"


def test_bad_rows_are_reported_with_row_number_column_and_code():
    rows = [
        row(),  # 2: fine
        row(kvk="1234", naam="Te kort"),  # 3
        row(kvk="11111111", themas="Circulair, Duurzaamheid"),  # 4
        row(kvk="22222222", regio="Utrecht", omvang="reus"),  # 5
        row(kvk="33333333", labels="PSO trede 2 tot 31-02-2027"),  # 6
        row(kvk="44444444", producten="Koffie [12345678]"),  # 7
        row(),  # 8: same KvK + branch as row 2
        row(kvk="55555555", naam="", email=""),  # 9
        row(kvk="66666666", email="geen-adres", website="niet een site", telefoon="bel maar"),  # 10
        row(kvk="77777777", labels="PSO trede 5 tot 2027-01-01; Keurmerk X tot 2027-01-01"),  # 11
        row(
            kvk="88888888",
            labels="B Corp",
            producten="Koffie zonder code",
            impact_first="misschien",
        ),  # 12
        row(kvk="99999999", vestigingsnummer="123"),  # 13
    ]
    plan = plan_of(csv_file(rows))
    assert errors_of(plan) == {
        (3, "kvk", "invalid_kvk"),
        (4, "themas", "unknown_theme"),
        (5, "regio", "unknown_region"),
        (5, "omvang", "unknown_size"),
        (6, "labels", "bad_date"),
        (7, "producten", "unknown_category"),
        (8, "kvk", "duplicate_row"),
        (9, "naam", "required"),
        (9, "email", "required"),
        (10, "email", "invalid_email"),
        (10, "website", "invalid_url"),
        (10, "telefoon", "invalid_phone"),
        (11, "labels", "unknown_pso_level"),
        (11, "labels", "unknown_label"),
        (12, "labels", "label_without_date"),
        (12, "producten", "product_without_category"),
        (12, "impact_first", "invalid_yes_no"),
        (13, "vestigingsnummer", "invalid_branch_number"),
    }
    assert [r.row for r in plan.rows] == [2]
    assert all(e.message for e in plan.errors)


def test_hostile_cells_are_refused_or_kept_as_plain_text():
    rows = [
        row(naam="<script>alert(1)</script> BV", kvk="11111111"),
        row(naam="=cmd|' /C calc'!A0", kvk="22222222"),
        row(naam="+31 evil", kvk="33333333", producten="@SUM(1) [90900000]"),
        row(plaats="Gron\x00ingen", kvk="44444444"),
        row(korte_omschrijving="x" * 10_000, kvk="55555555"),
        row(labels="anders: =HYPERLINK(1) tot 2027-01-01", kvk="66666666"),
    ]
    plan = plan_of(csv_file(rows))
    assert errors_of(plan) == {
        (3, "naam", "formula"),
        (4, "naam", "formula"),
        (4, "producten", "formula"),
        (5, "plaats", "control_characters"),
        (6, "korte_omschrijving", "too_long"),
        (7, "labels", "formula"),
    }
    # HTML is just text: stored as typed, escaped wherever it is shown.
    assert [r.data["name"] for r in plan.rows] == ["<script>alert(1)</script> BV"]


def test_labels_with_start_dates_other_labels_and_dutch_dates():
    plan = plan_of(
        csv_file(
            [
                row(
                    labels=(
                        "Code Sociale Ondernemingen van 2024-01-01 tot 31-12-2026;\n"
                        "anders: Keurmerk Groen tot en met 30-06-2027; "
                        "PSO basistrede t/m 2026-01-31"
                    )
                )
            ]
        )
    )
    assert plan.errors == []
    assert [
        (lbl.kind, lbl.pso_level, lbl.name, lbl.valid_from, lbl.valid_until)
        for lbl in plan.rows[0].labels
    ] == [
        (LabelKind.CODE_SOCIAL, "", "", date(2024, 1, 1), date(2026, 12, 31)),
        (LabelKind.OTHER, "", "Keurmerk Groen", None, date(2027, 6, 30)),
        (LabelKind.PSO, PsoLevel.BASE, "", None, date(2026, 1, 31)),
    ]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("leeg.csv", b"", "empty_file"),
        ("leeg.csv", b"   \n  ", "empty_file"),
        ("rommel.csv", bytes(range(256)) * 40, "file_type"),
        ("lijst.pdf", b"%PDF-1.4 naam;kvk\n", "file_type"),
        ("lijst.xlsx", b"naam;kvk;plaats\n", "file_type"),
        ("lijst.csv", b"PK\x03\x04 not really a zip", "file_type"),
        ("oud.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "file_type"),
        ("oud.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old_excel"),
        ("kapot.xlsx", b"PK\x03\x04" + b"\x00" * 100, "file_type"),
        ("alleen-kop.csv", ";".join(HEADER).encode(), "no_rows"),
    ],
)
def test_broken_files_are_refused_with_a_code(name, content, code):
    with pytest.raises(importing.ImportFileError) as refused:
        importing.read_table(SimpleUploadedFile(name, content))
    assert refused.value.code == code
    assert refused.value.messages


def test_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hallo")
    with pytest.raises(importing.ImportFileError) as refused:
        importing.read_table(SimpleUploadedFile("lijst.xlsx", out.getvalue()))
    assert refused.value.code == "file_type"


def test_zip_bomb_disguised_as_xlsx_is_refused_before_opening():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (importing.MAX_UNPACKED_BYTES + 1))
    assert len(out.getvalue()) < importing.MAX_FILE_BYTES
    with pytest.raises(importing.ImportFileError) as refused:
        importing.read_table(SimpleUploadedFile("bom.xlsx", out.getvalue()))
    assert refused.value.code == "zip_bomb"


def test_files_over_5_mb_or_5000_rows_are_refused():
    big = SimpleUploadedFile("groot.csv", b"naam;kvk\n" + b"x" * importing.MAX_FILE_BYTES)
    with pytest.raises(importing.ImportFileError) as refused:
        importing.read_table(big)
    assert refused.value.code == "file_too_large"

    many = csv_file([row(kvk=f"{10000000 + n}") for n in range(importing.MAX_ROWS + 1)])
    with pytest.raises(importing.ImportFileError) as refused:
        importing.read_table(many)
    assert refused.value.code == "too_many_rows"


def test_planning_costs_a_fixed_number_of_queries(django_assert_num_queries):
    SupplierFactory(kvk_number="10000001", branch_number="")
    few = csv_file([row(kvk=f"{10000000 + n}", vestigingsnummer="") for n in range(2)])
    many = csv_file([row(kvk=f"{10000000 + n}", vestigingsnummer="") for n in range(40)])
    # categories, suppliers, their labels, their products, organisations
    with django_assert_num_queries(5):
        small = plan_of(few)
    with django_assert_num_queries(5):
        large = plan_of(many)
    assert len(small.updates) == len(large.updates) == 1


def test_existing_suppliers_and_organisations_are_matched():
    supplier = SupplierFactory(
        kvk_number="12345678",
        branch_number="000012345678",
        name="Oude naam",
        short_description="Schoonmaak met mensen met een afstand tot de arbeidsmarkt.",
        products=[("Kantoorschoonmaak", "90900000")],
    )
    organisation = OrganisationFactory(kvk_number="87654321", name="Groen Doen")
    OrganisationFactory(kvk_number="11111111", kind=OrganisationKind.SOCIAL, name="Stichting")
    withdrawn = SupplierFactory(kvk_number="22222222", state=SupplierState.WITHDRAWN)
    plan = plan_of(
        csv_file(
            [
                row(),
                row(kvk="87654321", vestigingsnummer=""),
                row(kvk="11111111", vestigingsnummer=""),
                row(kvk=withdrawn.kvk_number, vestigingsnummer=""),
            ]
        )
    )
    assert errors_of(plan) == {(4, "kvk", "not_a_company"), (5, "kvk", "withdrawn")}
    update, create = plan.rows
    assert update.supplier == supplier and "name" in update.changed_fields
    # The product it has already is not added again; the new one is.
    assert [p.name for p in update.products] == ["Glasbewassing"]
    assert create.is_new and create.organisation == organisation


def test_a_row_without_branch_number_matches_the_only_profile_with_that_kvk():
    supplier = SupplierFactory(kvk_number="12345678", branch_number="000012345678")
    other_org = OrganisationFactory(kvk_number="87654321", branch_number="000087654321")
    plan = plan_of(
        csv_file(
            [
                row(vestigingsnummer=""),
                row(vestigingsnummer="000012345678"),  # the same profile again
                row(kvk="87654321", vestigingsnummer=""),
            ]
        )
    )
    assert errors_of(plan) == {(3, "kvk", "duplicate_row")}
    update, create = plan.rows
    assert update.supplier == supplier
    assert "branch_number" not in update.data  # an empty cell does not clear it
    assert create.organisation == other_org
    assert create.data["branch_number"] == "000087654321"


def test_a_kvk_with_several_branches_needs_the_branch_number():
    SupplierFactory(kvk_number="12345678", branch_number="000012345678")
    SupplierFactory(kvk_number="12345678", branch_number="000012345679")
    plan = plan_of(csv_file([row(vestigingsnummer="")]))
    assert plan.errors == [] and plan.rows[0].is_new


# Applying -------------------------------------------------------------------------------


def test_apply_creates_exactly_the_rows_through_the_services(coordinator):
    plan = plan_of(
        csv_file([row(), row(naam="Groen Doen", kvk="87654321", labels="", producten="")])
    )
    before = counts()
    result = importing.apply_import(plan, actor=coordinator)
    after = counts()
    assert (result.created, result.updated, result.verified) == (2, 0, 0)
    assert after["Organisation"] - before["Organisation"] == 2
    assert after["Supplier"] - before["Supplier"] == 2
    assert after["Label"] - before["Label"] == 2
    assert after["Product"] - before["Product"] == 2
    assert after["Membership"] == before["Membership"] and after["Category"] == before["Category"]
    assert after["OutboxMessage"] == before["OutboxMessage"]  # no owners to tell yet

    supplier = Supplier.objects.get(kvk_number="12345678")
    assert supplier.state == SupplierState.SUBMITTED and supplier.submitted_at
    assert supplier.organisation.kind == OrganisationKind.COMPANY
    assert supplier.organisation.branch_number == "000012345678"
    assert supplier.themes == [MvoiTheme.CIRCULAR, MvoiTheme.SOCIAL_RETURN]
    assert supplier.category_codes == ["90000000", "90900000"]  # indexed by the service
    assert sorted(supplier.labels.values_list("kind", flat=True)) == ["bcorp", "pso"]
    assert set(supplier.labels.values_list("valid_from", flat=True)) == {timezone.localdate()}

    actions = list(AuditLogEntry.objects.values_list("action", flat=True))
    assert actions.count("supplier.created") == 2 and actions.count("organisation.created") == 2
    assert (
        actions.count("supplier.label_added") == 2 and actions.count("supplier.product_added") == 2
    )
    assert actions.count("supplier.state_changed") == 2
    entry = AuditLogEntry.objects.get(action="supplier.imported")
    assert entry.actor == coordinator
    assert entry.data["created"] == 2 and entry.data["labels"] == 2 and entry.data["products"] == 2


def test_apply_marked_as_verified(coordinator):
    plan = plan_of(csv_file([row()]))
    result = importing.apply_import(plan, actor=coordinator, mark_verified=True)
    supplier = Supplier.objects.get()
    assert result.verified == 1
    assert supplier.state == SupplierState.VERIFIED and supplier.verified_by == coordinator
    assert supplier.confirmed_at == supplier.verified_at


def test_reimport_updates_instead_of_duplicating(coordinator):
    upload = csv_file([row()])
    importing.apply_import(plan_of(upload), actor=coordinator)
    snapshot = counts()

    again = plan_of(csv_file([row()]))
    assert [r.has_changes for r in again.rows] == [False]
    result = importing.apply_import(again, actor=coordinator)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    after = counts()
    assert after["AuditLogEntry"] == snapshot["AuditLogEntry"] + 1  # only the import itself
    assert {k: v for k, v in after.items() if k != "AuditLogEntry"} == {
        k: v for k, v in snapshot.items() if k != "AuditLogEntry"
    }

    changed = plan_of(
        csv_file(
            [
                row(
                    naam="Schoon & Sociaal",
                    labels="PSO trede 2 tot 2028-06-30",
                    producten="Ramen [90900000]",
                )
            ]
        )
    )
    result = importing.apply_import(changed, actor=coordinator)
    assert (result.created, result.updated, result.labels, result.products) == (0, 1, 1, 1)
    supplier = Supplier.objects.get()
    assert supplier.name == "Schoon & Sociaal"
    assert supplier.labels.get(kind=LabelKind.PSO).valid_until == date(2028, 6, 30)
    assert supplier.labels.count() == 2 and supplier.products.count() == 3
    assert Organisation.objects.count() == snapshot["Organisation"]
    change = AuditLogEntry.objects.filter(action="supplier.changed").get()
    assert change.changes == {"name": ["Schoon en Sociaal BV", "Schoon & Sociaal"]}


def test_reimport_renews_a_reminded_label(coordinator):
    supplier = SupplierFactory(kvk_number="12345678", branch_number="000012345678")
    label = LabelFactory(
        supplier=supplier,
        valid_until=timezone.localdate() + timedelta(days=30),
        reminder_sent_at=datetime(2026, 1, 1, tzinfo=AMSTERDAM),
    )
    importing.apply_import(
        plan_of(csv_file([row(labels="PSO trede 2 tot 2029-01-31")])), actor=coordinator
    )
    label.refresh_from_db()
    assert label.valid_until == date(2029, 1, 31) and label.reminder_sent_at is None


def test_a_refusing_service_rolls_the_whole_import_back(coordinator):
    plan = plan_of(csv_file([row(), row(naam="Groen Doen", kvk="87654321")]))
    # Someone registers the second company between the preview and the import.
    OrganisationFactory(kvk_number="87654321", branch_number="000012345678")
    before = counts()
    with pytest.raises(importing.ImportRowFailed) as failed:
        importing.apply_import(plan, actor=coordinator)
    assert failed.value.row == 3 and failed.value.messages
    assert counts() == before


def test_import_costs_a_bounded_number_of_queries_per_row(coordinator):
    calls = iter(range(1, 100))

    def cost(n):
        call = next(calls)
        plan = plan_of(csv_file([row(kvk=f"{20000000 + call * 10 + i}") for i in range(n)]))
        with CaptureQueriesContext(connection) as captured:
            importing.apply_import(plan, actor=coordinator)
        return len(captured)

    cost(1)  # content types and other per-process caches are filled once
    one, three, five = cost(1), cost(3), cost(5)
    # Each row here has two labels and two products; the category tree is never asked.
    per_row = (three - one) / 2
    assert per_row < 60 and five - three == three - one, (one, three, five)


# The token between preview and import ---------------------------------------------------


def test_token_round_trip_and_refusals(coordinator):
    table = importing.read_table(csv_file([row()]))
    token = importing.sign_table(table, actor=coordinator)
    back = importing.unsign_table(token, actor=coordinator)
    assert back.rows == table.rows and back.columns == table.columns

    tampered = token.replace(token[5], "A" if token[5] != "A" else "B", 1)
    with pytest.raises(importing.ImportFileError) as refused:
        importing.unsign_table(tampered, actor=coordinator)
    assert refused.value.code == "bad_signature"

    someone_else = UserFactory(roles=[Role.COORDINATOR], staff=True)
    with pytest.raises(importing.ImportFileError) as refused:
        importing.unsign_table(token, actor=someone_else)
    assert refused.value.code == "bad_signature"

    with time_machine.travel(datetime.now(tz=AMSTERDAM) + timedelta(hours=2)):
        with pytest.raises(importing.ImportFileError) as refused:
            importing.unsign_table(token, actor=coordinator)
    assert refused.value.code == "expired"
