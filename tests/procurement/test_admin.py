"""The coordinator's admin for Platform Goed Inkopen: the verification queue and its
actions, the change form through the services, labels, categories, inquiries, the
import, who may get in, and pinned query counts."""

import io
from datetime import timedelta

import pytest
from django import forms
from django.apps import apps
from django.contrib.postgres.search import SearchQuery
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from procurement import importing
from procurement.constants import LabelKind, MvoiTheme, Region, SupplierState
from procurement.importing import preview_token
from procurement.models import Category, Label, Supplier
from procurement.services import inquiry_send
from tests.factories import (
    LabelFactory,
    MembershipFactory,
    SupplierFactory,
    UserFactory,
)
from tests.procurement.test_importer import HEADER, csv_file, row

pytestmark = pytest.mark.django_db

SUPPLIERS = "/beheer/procurement/supplier/"
LABELS = "/beheer/procurement/label/"
CATEGORIES = "/beheer/procurement/category/"
INQUIRIES = "/beheer/procurement/inquiry/"
IMPORT = f"{SUPPLIERS}import/"
# Admin overhead (session, user, two-factor, two for permissions, the user's roles, the
# filtered and the total count) plus ONE query for the page of suppliers with their
# organisation and their valid labels counted.
CHANGELIST_QUERIES = 9


@pytest.fixture
def coordinator():
    # The coordinator's permissions come from ROLE_PERMISSIONS; no superuser.
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def action(client, name, objects, **extra):
    return client.post(
        SUPPLIERS, {"action": name, "_selected_action": [obj.pk for obj in objects], **extra}
    )


def with_owner(supplier):
    owner = MembershipFactory(organisation=supplier.organisation, user=UserFactory()).user
    return supplier, owner


def outbox(kind):
    return OutboxMessage.objects.filter(kind=f"procurement/{kind}")


def table_counts():
    """Rows in every table of the portal (sessions aside: logging in writes those)."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.label != "sessions.Session"
    }


# The changelist -------------------------------------------------------------------------


def test_changelist_counts_valid_labels_with_constant_queries(coordinator_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = coordinator_client.get(SUPPLIERS)
        assert response.status_code == 200
        return len(captured), response

    supplier = SupplierFactory(name="Groenkracht")
    LabelFactory(supplier=supplier)
    LabelFactory(supplier=supplier, kind=LabelKind.BCORP, pso_level="")
    LabelFactory(supplier=supplier, kind=LabelKind.CODE_SOCIAL, pso_level="", expired=True)
    few, response = queries()
    rows = {s.name: s.n_valid_labels for s in response.context["cl"].result_list}
    assert rows == {"Groenkracht": 2}
    assert 'id="supplier-import-link"' in response.content.decode()
    for _n in range(12):
        LabelFactory(supplier=SupplierFactory(state=SupplierState.SUBMITTED))
    many, _response = queries()
    assert few == many == CHANGELIST_QUERIES, (few, many)


def test_verification_queue_and_other_filters(coordinator_client):
    submitted = SupplierFactory(name="Nieuw", state=SupplierState.SUBMITTED)
    changed = SupplierFactory(name="Gewijzigd", changed_since_verification=True)
    SupplierFactory(name="Klaar")
    SupplierFactory(name="Concept", draft=True)
    drenthe = SupplierFactory(name="Drents", region=Region.DRENTHE, themes=[MvoiTheme.CLIMATE])

    def names(query):
        response = coordinator_client.get(f"{SUPPLIERS}?{query}")
        assert response.status_code == 200
        return {s.name for s in response.context["cl"].result_list}

    assert names("wachtrij=ja") == {submitted.name, changed.name}
    assert names("wachtrij=nieuw") == {submitted.name}
    assert names("wachtrij=gewijzigd") == {changed.name}
    assert names("region__exact=drenthe") == {drenthe.name}
    assert names("thema=klimaat") == {drenthe.name}
    assert names("thema=<script>") == names("")  # an unknown value filters nothing
    assert names("q=Drents") == {drenthe.name}


# Actions --------------------------------------------------------------------------------


def test_verify_action_goes_through_the_service(coordinator_client, coordinator):
    supplier, owner = with_owner(SupplierFactory(state=SupplierState.SUBMITTED, verified_at=None))
    draft = SupplierFactory(draft=True)
    response = action(coordinator_client, "verify", [supplier, draft])
    assert response.status_code == 302
    supplier.refresh_from_db()
    draft.refresh_from_db()
    assert supplier.state == SupplierState.VERIFIED and supplier.verified_by == coordinator
    assert draft.state == SupplierState.DRAFT  # not allowed: reported, unchanged
    entry = AuditLogEntry.objects.get(action="supplier.state_changed")
    assert entry.object_id == str(supplier.pk) and entry.actor == coordinator
    assert entry.changes == {"state": ["submitted", "verified"]}
    assert list(outbox("verified").values_list("recipient", flat=True)) == [owner.email]


def test_send_back_asks_for_a_note_first(coordinator_client, coordinator):
    supplier, owner = with_owner(SupplierFactory())
    page = action(coordinator_client, "send_back", [supplier])
    assert page.status_code == 200 and "form" in page.context
    assert 'name="note"' in page.content.decode()
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.VERIFIED

    for note in ("", "   ", "x" * 2001):
        refused = action(coordinator_client, "send_back", [supplier], apply="1", note=note)
        assert refused.status_code == 200 and refused.context["form"].errors, note
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.VERIFIED and not outbox("sent_back").exists()

    note = "Het <b>B Corp</b>-certificaat ontbreekt."
    done = action(coordinator_client, "send_back", [supplier], apply="1", note=note)
    assert done.status_code == 302
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.SENT_BACK and supplier.review_note == note
    entry = AuditLogEntry.objects.get(action="supplier.state_changed")
    assert entry.actor == coordinator and entry.data == {"review_note": note}
    assert list(outbox("sent_back").values_list("recipient", flat=True)) == [owner.email]


def test_withdraw_action(coordinator_client):
    supplier = SupplierFactory()
    assert action(coordinator_client, "withdraw", [supplier]).status_code == 302
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.WITHDRAWN
    assert AuditLogEntry.objects.filter(action="supplier.state_changed").count() == 1


# The change form ------------------------------------------------------------------------


def _change_form_data(page):
    """The change form and its inlines as the browser would post them back."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field, forms.FileField) or value is None:
                continue
            if isinstance(field, forms.BooleanField):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for form in formset.initial_forms:
            add(form)
    return data


def test_change_form_saves_through_the_service_and_audits(coordinator_client, coordinator):
    supplier = SupplierFactory(name="Groenkracht", themes=[MvoiTheme.CLIMATE], sdgs=[13])
    url = f"{SUPPLIERS}{supplier.pk}/change/"
    page = coordinator_client.get(url)
    assert page.status_code == 200
    data = _change_form_data(page)
    data.update(
        {"name": "Groenkracht Noord", "themes": ["klimaat", "circulair"], "sdgs": ["8", "13"]}
    )
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    supplier.refresh_from_db()
    assert supplier.name == "Groenkracht Noord"
    assert supplier.themes == ["klimaat", "circulair"] and supplier.sdgs == [8, 13]
    assert supplier.state == SupplierState.VERIFIED and not supplier.changed_since_verification
    # The service reindexed: the new name is found.
    assert Supplier.objects.filter(
        pk=supplier.pk, search_vector=SearchQuery("noord", config="dutch")
    ).exists()
    entry = AuditLogEntry.objects.get(action="supplier.changed")
    assert entry.actor == coordinator
    assert entry.changes["name"] == ["Groenkracht", "Groenkracht Noord"]


def test_change_form_refuses_bad_input_and_stores_nothing(coordinator_client):
    supplier = SupplierFactory(name="Groenkracht")
    url = f"{SUPPLIERS}{supplier.pk}/change/"
    data = _change_form_data(coordinator_client.get(url))
    for field, value in [
        ("name", ""),
        ("name", "x" * 201),
        ("kvk_number", "1234"),
        ("contact_email", "<script>"),
        ("themes", ["bogus"]),
        ("target_group_share", "101"),
    ]:
        response = coordinator_client.post(url, {**data, field: value})
        assert response.status_code == 200, field
        assert field in response.context["adminform"].form.errors, field
    supplier.refresh_from_db()
    assert supplier.name == "Groenkracht"
    assert not AuditLogEntry.objects.filter(action="supplier.changed").exists()


def test_label_and_product_inlines_go_through_the_services(coordinator_client, coordinator):
    supplier = SupplierFactory(products=[("Kantoorschoonmaak", "90900000")])
    label = LabelFactory(
        supplier=supplier,
        valid_until=timezone.localdate() + timedelta(days=30),
        reminder_sent_at=timezone.now(),
    )
    removed = LabelFactory(supplier=supplier, kind=LabelKind.BCORP, pso_level="")
    url = f"{SUPPLIERS}{supplier.pk}/change/"
    data = _change_form_data(coordinator_client.get(url))
    renewed = timezone.localdate() + timedelta(days=730)
    label_form = next(k for k, v in data.items() if k.startswith("labels-") and v == str(label.pk))
    label_prefix = label_form.rsplit("-", 1)[0]
    removed_form = next(
        k
        for k, v in data.items()
        if k.startswith("labels-") and k.endswith("-id") and v == str(removed.pk)
    )
    data.update(
        {
            f"{label_prefix}-valid_until": renewed.isoformat(),
            f"{removed_form.rsplit('-', 1)[0]}-DELETE": "on",
            "labels-TOTAL_FORMS": "3",
            "labels-2-kind": "other",
            "labels-2-name": "Keurmerk Groen",
            "labels-2-valid_from": "2025-01-01",
            "labels-2-valid_until": "2027-01-01",
            "products-TOTAL_FORMS": "2",
            "products-1-name": "Groenonderhoud",
            "products-1-category": str(Category.objects.get(code="77300000").pk),
        }
    )
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    label.refresh_from_db()
    assert label.valid_until == renewed and label.reminder_sent_at is None
    assert not Label.objects.filter(pk=removed.pk).exists()
    assert supplier.labels.filter(kind=LabelKind.OTHER, name="Keurmerk Groen").exists()
    supplier.refresh_from_db()
    assert "77300000" in supplier.category_codes  # reindexed by product_save
    actions = set(AuditLogEntry.objects.filter(actor=coordinator).values_list("action", flat=True))
    assert {
        "supplier.label_changed",
        "supplier.label_removed",
        "supplier.label_added",
        "supplier.product_added",
    } <= actions


def test_change_page_queries_do_not_grow_with_labels_and_products(coordinator_client):
    def queries(n):
        supplier = SupplierFactory(products=[(f"Dienst {i}", "90900000") for i in range(n)])
        for _i in range(n):
            LabelFactory(supplier=supplier)
        with CaptureQueriesContext(connection) as captured:
            response = coordinator_client.get(f"{SUPPLIERS}{supplier.pk}/change/")
        assert response.status_code == 200
        return len(captured)

    queries(1)  # content types are looked up once per process
    assert queries(1) == queries(6)


def test_label_inline_links_to_the_evidence(coordinator_client):
    from django.core.files.base import ContentFile

    supplier = SupplierFactory()
    label = LabelFactory(supplier=supplier)
    label.evidence.save("certificaat.pdf", ContentFile(b"%PDF-1.4"), save=True)
    page = coordinator_client.get(f"{SUPPLIERS}{supplier.pk}/change/")
    html = page.content.decode()
    assert f"/{supplier.slug}/labels/{label.pk}/bewijs/" in html
    assert label.evidence.name.rsplit("/", 1)[-1] in html
    label.evidence.delete(save=False)


def test_inline_refuses_a_bad_label(coordinator_client):
    supplier = SupplierFactory()
    url = f"{SUPPLIERS}{supplier.pk}/change/"
    data = _change_form_data(coordinator_client.get(url))
    data.update(
        {
            "labels-TOTAL_FORMS": "1",
            "labels-0-kind": "pso",
            "labels-0-pso_level": "",
            "labels-0-valid_from": "2027-01-01",
            "labels-0-valid_until": "2026-01-01",
        }
    )
    response = coordinator_client.post(url, data)
    assert response.status_code == 200
    assert not supplier.labels.exists()


def test_withdrawn_profile_is_read_only(coordinator_client):
    supplier = SupplierFactory(state=SupplierState.WITHDRAWN)
    page = coordinator_client.get(f"{SUPPLIERS}{supplier.pk}/change/")
    assert page.status_code == 200
    assert "name" not in page.context["adminform"].form.fields
    assert SUPPLIERS + "add/" not in page.content.decode()
    assert coordinator_client.get(f"{SUPPLIERS}add/").status_code == 403
    data = _change_form_data(page)
    posted = coordinator_client.post(f"{SUPPLIERS}{supplier.pk}/change/", {**data, "name": "X"})
    assert posted.status_code == 302
    supplier.refresh_from_db()
    assert supplier.name != "X" and supplier.state == SupplierState.WITHDRAWN


# Labels, categories, inquiries ----------------------------------------------------------


def test_label_expiry_overview(coordinator_client):
    today = timezone.localdate()
    soon = LabelFactory(valid_until=today + timedelta(days=60))
    expired = LabelFactory(expired=True)
    valid = LabelFactory(valid_until=today + timedelta(days=200))

    def pks(query=""):
        response = coordinator_client.get(f"{LABELS}?{query}")
        assert response.status_code == 200
        return {label.pk for label in response.context["cl"].result_list}

    assert pks() == {soon.pk, expired.pk, valid.pk}
    assert pks("geldigheid=binnenkort") == {soon.pk}
    assert pks("geldigheid=verlopen") == {expired.pk}
    assert pks("geldigheid=geldig") == {soon.pk, valid.pk}
    page = coordinator_client.get(f"{LABELS}{soon.pk}/change/")
    assert page.status_code == 200
    assert coordinator_client.post(f"{LABELS}{soon.pk}/change/", {}).status_code == 403


def test_label_overview_queries_are_constant(coordinator_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert coordinator_client.get(LABELS).status_code == 200
        return len(captured)

    LabelFactory()
    few = queries()
    for _n in range(10):
        LabelFactory()
    assert queries() == few


def test_renaming_a_category_reindexes_its_suppliers(coordinator_client, coordinator):
    cleaning = SupplierFactory(products=[("Ramen lappen", "90900000")])
    other = SupplierFactory(products=[("Catering", "55520000")])
    parent = Category.objects.get(code="90000000")
    url = f"{CATEGORIES}{parent.pk}/change/"
    assert coordinator_client.get(url).status_code == 200
    data = _change_form_data(coordinator_client.get(url))
    data["name"] = "Afval, schoonmaak en glazenwassers"
    response = coordinator_client.post(url, data)
    assert response.status_code == 302
    found = Supplier.objects.filter(search_vector=SearchQuery("glazenwassers", config="dutch"))
    assert list(found) == [cleaning]
    assert other not in found
    entry = AuditLogEntry.objects.get(action="category.changed")
    assert entry.actor == coordinator and entry.data == {"suppliers_reindexed": 1}
    assert entry.changes == {
        "name": ["Afval, schoonmaak en milieu", "Afval, schoonmaak en glazenwassers"]
    }


def test_adding_a_category_is_audited(coordinator_client, coordinator):
    parent = Category.objects.get(code="90000000")
    page = coordinator_client.get(f"{CATEGORIES}add/")
    assert page.status_code == 200
    data = _change_form_data(page)
    data.update({"code": "90910000", "name": "Glazenwassen", "parent": str(parent.pk)})
    assert coordinator_client.post(f"{CATEGORIES}add/", data).status_code == 302
    category = Category.objects.get(code="90910000")
    entry = AuditLogEntry.objects.get(action="category.created")
    assert entry.actor == coordinator and entry.object_id == str(category.pk)
    for bad in ({"name": ""}, {"code": "x" * 11}):
        response = coordinator_client.post(f"{CATEGORIES}add/", {**data, "code": "1", **bad})
        assert response.status_code == 200, bad
    assert Category.objects.filter(parent=parent, name="Glazenwassen").count() == 1


def test_category_cannot_become_its_own_ancestor(coordinator_client):
    parent = Category.objects.get(code="90000000")
    child = Category.objects.get(code="90900000")
    url = f"{CATEGORIES}{parent.pk}/change/"
    data = _change_form_data(coordinator_client.get(url))
    response = coordinator_client.post(url, {**data, "parent": str(child.pk)})
    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.parent is None
    assert not AuditLogEntry.objects.filter(action="category.changed").exists()


def test_inquiries_are_read_only(coordinator_client):
    supplier = SupplierFactory()
    officer = UserFactory(roles=[Role.PROCUREMENT_OFFICER])
    inquiry = inquiry_send(
        sender=officer, suppliers=[supplier], subject="Marktverkenning", message="Hoi"
    )
    listing = coordinator_client.get(INQUIRIES)
    assert listing.status_code == 200
    assert [i.n_recipients for i in listing.context["cl"].result_list] == [1]
    page = coordinator_client.get(f"{INQUIRIES}{inquiry.pk}/change/")
    assert page.status_code == 200 and supplier.contact_email in page.content.decode()
    assert coordinator_client.post(f"{INQUIRIES}{inquiry.pk}/change/", {}).status_code == 403
    assert coordinator_client.get(f"{INQUIRIES}add/").status_code == 403


# Who may get in -------------------------------------------------------------------------


def _pages(supplier, label):
    return [
        SUPPLIERS,
        f"{SUPPLIERS}{supplier.pk}/change/",
        LABELS,
        f"{LABELS}{label.pk}/change/",
        CATEGORIES,
        INQUIRIES,
        IMPORT,
    ]


def test_account_managers_are_refused(client):
    supplier = SupplierFactory(state=SupplierState.SUBMITTED)
    label = LabelFactory(supplier=supplier)
    client.force_login(UserFactory(roles=[Role.ACCOUNT_MANAGER], staff=True, totp=True))
    for page in _pages(supplier, label):
        assert client.get(page).status_code == 403, page
    assert action(client, "verify", [supplier]).status_code == 403
    before = table_counts()
    assert client.post(IMPORT, {"file": csv_file([row()])}).status_code == 403
    assert table_counts() == before
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.SUBMITTED


@pytest.mark.parametrize("role", [Role.ENTREPRENEUR, Role.PROCUREMENT_OFFICER, None])
def test_non_staff_are_sent_to_the_login(client, role):
    supplier = SupplierFactory(state=SupplierState.SUBMITTED)
    label = LabelFactory(supplier=supplier)
    if role is not None:
        user = UserFactory(roles=[role])
        MembershipFactory(organisation=supplier.organisation, user=user)  # even the owner
        client.force_login(user)
    for page in _pages(supplier, label):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/beheer/login/"), page
    assert action(client, "verify", [supplier]).status_code == 302
    before = table_counts()
    client.post(IMPORT, {"file": csv_file([row()])})
    assert table_counts() == before
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.SUBMITTED


# The import -----------------------------------------------------------------------------


def test_import_page_documents_the_columns(coordinator_client):
    page = coordinator_client.get(IMPORT)
    assert page.status_code == 200
    assert [name for name, *_rest in page.context["columns"]] == [h.lower() for h in HEADER]
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="file"' in html
    assert 'for="id_file"' in html


def test_dry_run_changes_nothing_and_reports_bad_rows(coordinator_client):
    before = table_counts()
    upload = csv_file(
        [
            row(),
            row(kvk="1234", naam="Kapot BV"),
            row(kvk="87654321", themas="Circulair, Duurzaamheid"),
        ]
    )
    response = coordinator_client.post(IMPORT, {"file": upload})
    assert response.status_code == 200
    assert table_counts() == before
    plan = response.context["plan"]
    assert {(e.row, e.column, e.code) for e in plan.errors} == {
        (3, "kvk", "invalid_kvk"),
        (4, "themas", "unknown_theme"),
    }
    assert response.context["apply_form"] is None  # nothing can be imported with errors
    html = response.content.decode()
    assert 'id="import-errors"' in html and 'id="import-apply"' not in html


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("rommel.csv", bytes(range(256)) * 10),
        ("lijst.xlsx", b"naam;kvk\n"),
        ("leeg.csv", b""),
        ("lijst.exe", b"MZ\x90\x00"),
    ],
)
def test_broken_files_get_a_clear_message_and_change_nothing(coordinator_client, name, content):
    before = table_counts()
    response = coordinator_client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert response.context["upload_form"].errors["file"]
    assert response.context["plan"] is None
    assert table_counts() == before


def test_oversized_file_is_refused(coordinator_client):
    before = table_counts()
    big = SimpleUploadedFile("groot.csv", b"naam;kvk\n" + b"x" * (importing.MAX_FILE_BYTES + 1))
    response = coordinator_client.post(IMPORT, {"file": big})
    assert response.status_code == 200
    assert [e.code for e in response.context["upload_form"].errors.as_data()["file"]] == [
        "file_too_large"
    ]
    assert table_counts() == before


def test_dry_run_then_import_then_reimport(coordinator_client, coordinator):
    rows = [row(), row(naam="Groen Doen", kvk="87654321", labels="", producten="")]
    before = table_counts()
    preview = coordinator_client.post(IMPORT, {"file": csv_file(rows)})
    assert preview.status_code == 200 and table_counts() == before
    token = preview.context["apply_form"]["token"].value()
    assert 'id="import-row-2"' in preview.content.decode()

    done = coordinator_client.post(IMPORT, {"token": token, "apply": "1"})
    assert done.status_code == 302 and done["Location"] == SUPPLIERS
    after = table_counts()
    assert after["procurement.Supplier"] - before["procurement.Supplier"] == 2
    assert after["accounts.Organisation"] - before["accounts.Organisation"] == 2
    assert after["procurement.Label"] - before["procurement.Label"] == 2
    assert after["procurement.Product"] - before["procurement.Product"] == 2
    assert set(Supplier.objects.values_list("state", flat=True)) == {SupplierState.SUBMITTED}
    entry = AuditLogEntry.objects.get(action="supplier.imported")
    assert entry.actor == coordinator and entry.data["created"] == 2

    # The same file again: matched, nothing duplicated.
    again = coordinator_client.post(IMPORT, {"file": csv_file(rows)})
    assert [r.is_new for r in again.context["plan"].rows] == [False, False]
    token = again.context["apply_form"]["token"].value()
    assert (
        coordinator_client.post(
            IMPORT, {"token": token, "apply": "1", "mark_verified": "on"}
        ).status_code
        == 302
    )
    final = table_counts()
    for key in ("procurement.Supplier", "accounts.Organisation", "procurement.Label"):
        assert final[key] == after[key], key
    assert final["procurement.Product"] == after["procurement.Product"]
    assert set(Supplier.objects.values_list("state", flat=True)) == {SupplierState.VERIFIED}


def test_a_list_too_large_to_carry_back_is_not_offered_for_import(coordinator_client, monkeypatch):
    monkeypatch.setattr(preview_token, "MAX_TOKEN_CHARS", 100)
    response = coordinator_client.post(IMPORT, {"file": csv_file([row()])})
    assert response.status_code == 200
    assert response.context["apply_form"] is None and response.context["import_error"]


def test_xlsx_import(coordinator_client):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(row(kvk=1234567))
    out = io.BytesIO()
    workbook.save(out)
    preview = coordinator_client.post(
        IMPORT, {"file": SimpleUploadedFile("lijst.xlsx", out.getvalue())}
    )
    token = preview.context["apply_form"]["token"].value()
    coordinator_client.post(IMPORT, {"token": token, "apply": "1"})
    assert Supplier.objects.get().kvk_number == "01234567"


def test_a_forged_or_foreign_token_imports_nothing(coordinator_client, client):
    preview = coordinator_client.post(IMPORT, {"file": csv_file([row()])})
    token = preview.context["apply_form"]["token"].value()
    other = UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)
    client.force_login(other)
    before = table_counts()
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for bad in (forged, "", "x" * 100):
        response = coordinator_client.post(IMPORT, {"token": bad, "apply": "1"})
        assert response.status_code == 200 and response.context["import_error"]
    assert client.post(IMPORT, {"token": token, "apply": "1"}).status_code == 200
    assert table_counts() == before


def test_import_rechecks_the_database_before_applying(coordinator_client):
    preview = coordinator_client.post(IMPORT, {"file": csv_file([row()])})
    token = preview.context["apply_form"]["token"].value()
    SupplierFactory(
        kvk_number="12345678", branch_number="000012345678", state=SupplierState.WITHDRAWN
    )
    before = table_counts()
    response = coordinator_client.post(IMPORT, {"token": token, "apply": "1"})
    assert response.status_code == 200
    assert [e.code for e in response.context["plan"].errors] == ["withdrawn"]
    assert table_counts() == before


def test_hostile_cells_are_shown_escaped_and_refused(coordinator_client):
    upload = csv_file(
        [
            row(naam="<script>alert('x')</script>", kvk="11111111"),
            row(naam="=cmd|' /C calc'!A0", kvk="22222222"),
            row(plaats="Gro\x00ningen", kvk="33333333"),
            row(korte_omschrijving="y" * 10_000, kvk="44444444"),
        ]
    )
    before = table_counts()
    response = coordinator_client.post(IMPORT, {"file": upload})
    assert response.status_code == 200 and table_counts() == before
    html = response.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "y" * 1000 not in html
    assert {(e.row, e.code) for e in response.context["plan"].errors} == {
        (3, "formula"),
        (4, "control_characters"),
        (5, "too_long"),
    }
