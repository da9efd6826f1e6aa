"""The pages where members of a company keep its supplier profile: who may open them,
bad input on every form (nothing stored), uploads, the workflow buttons, query counts."""

import io
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.constants import OrganisationKind
from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from impactportal.outbox.models import OutboxMessage
from procurement import services
from procurement.constants import LabelKind, MvoiTheme, PsoLevel, Region, SizeClass, SupplierState
from procurement.forms import MAX_EVIDENCE_BYTES, MAX_LOGO_BYTES
from procurement.models import Category, Label, Product, Supplier
from tests.factories import (
    LabelFactory,
    MembershipFactory,
    OrganisationFactory,
    ProductFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

BASE = "/goed-inkopen/mijn-profiel/"
SCRIPT = "<script>alert(1)</script>"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 400


def image_bytes(image_format="PNG", size=(40, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, format=image_format)
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def company(db):
    return OrganisationFactory(
        kind=OrganisationKind.COMPANY,
        name="Groen en Wel BV",
        kvk_number="12345678",
        branch_number="000012345678",
        city="Groningen",
        website="https://groenenwel.example",
    )


@pytest.fixture
def owner(company):
    return MembershipFactory(organisation=company, user=UserFactory(roles=[Role.ENTREPRENEUR])).user


@pytest.fixture
def supplier(company):
    return SupplierFactory(
        organisation=company, name="Groen en Wel", slug="groen-en-wel", draft=True
    )


@pytest.fixture
def label(supplier):
    return LabelFactory(supplier=supplier, evidence=upload("bewijs.pdf", PDF))


@pytest.fixture
def other_company_user(db):
    """An entrepreneur of another company, which has its own profile."""
    other = SupplierFactory(name="Ander Bedrijf")
    return MembershipFactory(organisation=other.organisation).user


@pytest.fixture
def coordinator(db):
    return UserFactory(roles=[Role.COORDINATOR], staff=True, totp=True)


def profile_post(**overrides):
    return {
        "name": "Groen en Wel",
        "kvk_number": "1234 5678",
        "branch_number": "",
        "short_description": "Groenonderhoud met mensen met een afstand tot de arbeidsmarkt.",
        "description": "Wij onderhouden parken en schoolpleinen in de stad.",
        "themes": [MvoiTheme.SOCIAL_RETURN, MvoiTheme.CLIMATE],
        "sdgs": ["8", "13"],
        "impact": "first",
        "target_group_share": "60",
        "municipality": "Groningen",
        "region": Region.CITY,
        "size": SizeClass.SMALL,
        "website": "https://groenenwel.example",
        "contact_name": "Fatima de Vries",
        "contact_email": "info@groenenwel.example",
        "contact_phone": "050 123 4567",
        **overrides,
    }


def product_post(**overrides):
    return {
        "name": "Tuinonderhoud",
        "description": "Maaien, snoeien en onkruid wieden.",
        "category": str(Category.objects.get(code="77300000").pk),
        **overrides,
    }


def label_post(**overrides):
    today = timezone.localdate()
    return {
        "kind": LabelKind.PSO,
        "pso_level": PsoLevel.STEP_1,
        "name": "",
        "valid_from": (today - timedelta(days=30)).isoformat(),
        "valid_until": (today + timedelta(days=700)).isoformat(),
        "evidence_url": "https://www.pso-nederland.nl/register",
        **overrides,
    }


def pages(supplier, label, product=None):
    """Every owner page of a profile, as (method, path)."""
    product = product or supplier.products.first()
    s = f"{BASE}{supplier.slug}/"
    return [
        ("get", s),
        ("get", f"{s}intrekken/"),
        ("get", f"{s}producten/nieuw/"),
        ("get", f"{s}producten/{product.pk}/"),
        ("get", f"{s}producten/{product.pk}/verwijderen/"),
        ("get", f"{s}labels/nieuw/"),
        ("get", f"{s}labels/{label.pk}/"),
        ("get", f"{s}labels/{label.pk}/verwijderen/"),
        ("get", f"{s}labels/{label.pk}/bewijs/"),
    ]


def form_errors(response, field=None):
    """Error codes of the page's form (of one field, or all of them)."""
    errors = response.context["form"].errors.as_data()
    if field is not None:
        return {error.code for error in errors.get(field, [])}
    return {name: {error.code for error in found} for name, found in errors.items()}


def snapshot():
    """What the tests check stays untouched when a form is refused."""
    return (
        list(Supplier.objects.order_by("pk").values()),
        list(Product.objects.order_by("pk").values()),
        list(Label.objects.order_by("pk").values()),
        AuditLogEntry.objects.count(),
    )


# Who may open what ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, supplier, label, company):
    paths = [("get", BASE), ("get", f"{BASE}nieuw/{company.uuid}/"), *pages(supplier, label)]
    s = f"{BASE}{supplier.slug}/"
    paths += [("post", f"{s}indienen/"), ("post", f"{s}bevestigen/"), ("post", f"{s}intrekken/")]
    for method, path in paths:
        response = getattr(client, method)(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/login/"), path
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.DRAFT


def test_the_owner_opens_every_page(client, owner, supplier, label):
    client.force_login(owner)
    for _method, path in pages(supplier, label):
        assert client.get(path).status_code == 200, path


def test_another_company_gets_404_for_every_page_and_action(
    client, other_company_user, supplier, label, company
):
    client.force_login(other_company_user)
    before = snapshot()
    product = supplier.products.get()
    s = f"{BASE}{supplier.slug}/"
    for _method, path in pages(supplier, label):
        assert client.get(path).status_code == 404, path
    assert client.get(f"{BASE}nieuw/{company.uuid}/").status_code == 404
    posts = {
        s: profile_post(name="Gekaapt"),
        f"{s}indienen/": {},
        f"{s}bevestigen/": {},
        f"{s}intrekken/": {},
        f"{s}producten/nieuw/": product_post(),
        f"{s}producten/{product.pk}/": product_post(name="Gekaapt"),
        f"{s}producten/{product.pk}/verwijderen/": {},
        f"{s}labels/nieuw/": label_post(),
        f"{s}labels/{label.pk}/": label_post(),
        f"{s}labels/{label.pk}/verwijderen/": {},
        f"{BASE}nieuw/{company.uuid}/": profile_post(),
    }
    for path, data in posts.items():
        assert client.post(path, data).status_code == 404, path
    assert snapshot() == before


def test_a_slug_that_does_not_exist_is_404_too(client, owner, supplier):
    client.force_login(owner)
    assert client.get(f"{BASE}bestaat-niet/").status_code == 404
    other = SupplierFactory()
    assert (
        client.get(f"{BASE}{supplier.slug}/producten/{other.products.get().pk}/").status_code == 404
    )


def test_a_coordinator_may_open_the_pages_but_not_press_the_owner_buttons(
    client, coordinator, supplier, label
):
    client.force_login(coordinator)
    for _method, path in pages(supplier, label):
        assert client.get(path).status_code == 200, path
    response = client.get(f"{BASE}{supplier.slug}/")
    assert response.context["is_owner"] is False
    assert response.context["can_submit"] is False
    # The service refuses: the owner submits, the coordinator verifies in the admin.
    assert client.post(f"{BASE}{supplier.slug}/indienen/").status_code == 403
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.DRAFT


def test_no_get_changes_anything(client, owner, supplier, label):
    client.force_login(owner)
    before = snapshot()
    for path in ("indienen/", "bevestigen/"):
        assert client.get(f"{BASE}{supplier.slug}/{path}").status_code == 405
    for _method, path in pages(supplier, label):
        client.get(path)
    assert snapshot() == before


# The overview --------------------------------------------------------------------------------


def test_my_profiles_lists_profiles_and_companies_without_one(client, owner, supplier):
    second = MembershipFactory(user=owner, organisation=OrganisationFactory(name="Zuid BV"))
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL, kvk_number="")
    MembershipFactory(user=owner, organisation=social)
    SupplierFactory(name="Niet van mij")
    client.force_login(owner)
    response = client.get(BASE)
    assert response.status_code == 200
    assert [s.name for s in response.context["suppliers"]] == ["Groen en Wel"]
    assert response.context["suppliers"][0].product_count == 1
    assert [o.name for o in response.context["without_profile"]] == ["Zuid BV"]
    html = response.content.decode()
    assert f'href="{BASE}nieuw/{second.organisation.uuid}/"' in html
    assert f'href="{BASE}{supplier.slug}/"' in html
    assert "Niet van mij" not in html


def test_my_profiles_shows_the_coordinators_note_when_sent_back(client, owner, supplier):
    Supplier.objects.filter(pk=supplier.pk).update(
        state=SupplierState.SENT_BACK, review_note=f"Voeg het PSO-certificaat toe. {SCRIPT}"
    )
    client.force_login(owner)
    html = client.get(BASE).content.decode()
    assert "Voeg het PSO-certificaat toe." in html
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_user_without_a_company_gets_an_explanation(client, user):
    client.force_login(user)
    response = client.get(BASE)
    assert response.status_code == 200
    assert response.context["suppliers"] == []
    assert response.context["without_profile"] == []
    html = response.content.decode()
    assert 'id="geen-bedrijf"' in html
    assert 'href="/account/profiel/"' in html


# Creating ------------------------------------------------------------------------------------


def test_create_is_prefilled_from_the_organisation(client, owner, company):
    client.force_login(owner)
    response = client.get(f"{BASE}nieuw/{company.uuid}/")
    assert response.status_code == 200
    initial = response.context["form"].initial
    assert initial["name"] == "Groen en Wel BV"
    assert initial["kvk_number"] == "12345678"
    assert initial["branch_number"] == "000012345678"
    assert initial["municipality"] == "Groningen"
    assert initial["region"] == Region.CITY
    assert initial["website"] == "https://groenenwel.example"


def test_create_a_profile(client, owner, company):
    client.force_login(owner)
    response = client.post(f"{BASE}nieuw/{company.uuid}/", profile_post())
    supplier = Supplier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{supplier.slug}/"
    assert supplier.organisation == company
    assert supplier.state == SupplierState.DRAFT
    assert supplier.kvk_number == "12345678"  # spaces typed inside are dropped
    assert supplier.themes == [MvoiTheme.SOCIAL_RETURN, MvoiTheme.CLIMATE]
    assert supplier.sdgs == [8, 13]
    assert supplier.impact_first is True
    assert supplier.target_group_share == 60
    # A second visit goes to the profile instead of a second form.
    response = client.get(f"{BASE}nieuw/{company.uuid}/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{supplier.slug}/"
    client.post(f"{BASE}nieuw/{company.uuid}/", profile_post(name="Tweede"))
    assert Supplier.objects.count() == 1


def test_create_is_only_for_own_companies(client, owner, company):
    client.force_login(owner)
    social = OrganisationFactory(kind=OrganisationKind.SOCIAL, kvk_number="")
    MembershipFactory(user=owner, organisation=social)
    not_mine = OrganisationFactory()
    for organisation in (social, not_mine):
        assert client.get(f"{BASE}nieuw/{organisation.uuid}/").status_code == 404
        assert client.post(f"{BASE}nieuw/{organisation.uuid}/", profile_post()).status_code == 404
    assert client.get(f"{BASE}nieuw/niet-een-uuid/").status_code == 404
    assert not Supplier.objects.exists()


BAD_PROFILES = {
    "empty": (lambda d: {k: "" for k in d}, {"name", "kvk_number", "short_description"}),
    "name too long": (lambda d: {**d, "name": "x" * 201}, {"name"}),
    "short description too long": (
        lambda d: {**d, "short_description": "x" * 301},
        {"short_description"},
    ),
    "description of 100 kB": (lambda d: {**d, "description": "x" * 100_000}, {"description"}),
    "kvk letters": (lambda d: {**d, "kvk_number": "1234567A"}, {"kvk_number"}),
    "kvk too short": (lambda d: {**d, "kvk_number": "1234"}, {"kvk_number"}),
    "kvk zeros": (lambda d: {**d, "kvk_number": "00000000"}, {"kvk_number"}),
    "branch too short": (lambda d: {**d, "branch_number": "12345"}, {"branch_number"}),
    "unknown theme": (lambda d: {**d, "themes": ["oorlog"]}, {"themes"}),
    "sdg 18": (lambda d: {**d, "sdgs": ["18"]}, {"sdgs"}),
    "sdg text": (lambda d: {**d, "sdgs": ["veel"]}, {"sdgs"}),
    "impact missing": (lambda d: {**d, "impact": ""}, {"impact"}),
    "share 101": (lambda d: {**d, "target_group_share": "101"}, {"target_group_share"}),
    "share negative": (lambda d: {**d, "target_group_share": "-1"}, {"target_group_share"}),
    "share text": (lambda d: {**d, "target_group_share": "veel"}, {"target_group_share"}),
    "unknown region": (lambda d: {**d, "region": "mars"}, {"region"}),
    "unknown size": (lambda d: {**d, "size": "reus"}, {"size"}),
    "bad website": (lambda d: {**d, "website": "niet een adres"}, {"website"}),
    "javascript website": (lambda d: {**d, "website": "javascript:alert(1)"}, {"website"}),
    "ftp website": (lambda d: {**d, "website": "ftp://bestanden.example"}, {"website"}),
    "bad e-mail": (lambda d: {**d, "contact_email": "info@"}, {"contact_email"}),
    "e-mail with script": (lambda d: {**d, "contact_email": f"{SCRIPT}@x.nl"}, {"contact_email"}),
    "bad phone": (lambda d: {**d, "contact_phone": "bel me"}, {"contact_phone"}),
}


@pytest.mark.parametrize("case", BAD_PROFILES)
def test_bad_profile_input_on_create_stores_nothing(client, owner, company, case):
    change, fields = BAD_PROFILES[case]
    client.force_login(owner)
    response = client.post(f"{BASE}nieuw/{company.uuid}/", change(profile_post()))
    assert response.status_code == 400
    assert fields <= set(response.context["form"].errors)
    assert 'class="error-summary"' in response.content.decode()
    assert not Supplier.objects.exists()


@pytest.mark.parametrize("case", BAD_PROFILES)
def test_bad_profile_input_on_edit_stores_nothing(client, owner, supplier, case):
    change, fields = BAD_PROFILES[case]
    client.force_login(owner)
    before = snapshot()
    response = client.post(f"{BASE}{supplier.slug}/", change(profile_post()))
    assert response.status_code == 400
    assert fields <= set(response.context["form"].errors)
    assert snapshot() == before


def test_nul_bytes_are_refused_before_the_form(client, owner, company, supplier):
    client.force_login(owner)
    before = snapshot()
    response = client.post(f"{BASE}nieuw/{company.uuid}/", profile_post(name="a\x00b"))
    assert response.status_code == 400
    response = client.post(f"{BASE}{supplier.slug}/", profile_post(description="a\x00b"))
    assert response.status_code == 400
    assert snapshot() == before


def test_hostile_html_is_stored_as_text_and_escaped(client, owner, company):
    client.force_login(owner)
    client.post(
        f"{BASE}nieuw/{company.uuid}/",
        profile_post(
            name=f"Groen {SCRIPT}",
            short_description=f'<img src=x onerror="alert(1)"> {SCRIPT}',
            contact_name=SCRIPT,
        ),
    )
    supplier = Supplier.objects.get()
    assert supplier.name == f"Groen {SCRIPT}"
    client.post(
        f"{BASE}{supplier.slug}/producten/nieuw/", product_post(name=SCRIPT, description=SCRIPT)
    )
    client.post(
        f"{BASE}{supplier.slug}/labels/nieuw/",
        label_post(kind=LabelKind.OTHER, pso_level="", name=SCRIPT),
    )
    assert Product.objects.get().name == SCRIPT
    assert Label.objects.get().name == SCRIPT
    for path in (BASE, f"{BASE}{supplier.slug}/"):
        html = client.get(path).content.decode()
        assert "<script>alert(1)" not in html, path
        assert "<img src=x" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path


def test_single_line_fields_collapse_pasted_newlines(client, owner, company):
    client.force_login(owner)
    client.post(f"{BASE}nieuw/{company.uuid}/", profile_post(name="Groen\r\n  en\tWel "))
    assert Supplier.objects.get().name == "Groen en Wel"


# Editing and the logo -----------------------------------------------------------------------------


def test_edit_shows_the_profile_and_saves_changes(client, owner, supplier):
    client.force_login(owner)
    response = client.get(f"{BASE}{supplier.slug}/")
    assert response.context["form"].initial["name"] == "Groen en Wel"
    assert response.context["form"].initial["impact"] == "second"
    assert "remove_logo" not in response.context["form"].fields
    response = client.post(
        f"{BASE}{supplier.slug}/", profile_post(municipality="Haren", impact="second")
    )
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.municipality == "Haren"
    assert supplier.impact_first is False
    assert AuditLogEntry.objects.filter(action="supplier.changed").count() == 1


def test_an_owner_edit_of_a_verified_profile_is_marked_for_the_coordinator(client, owner, supplier):
    Supplier.objects.filter(pk=supplier.pk).update(state=SupplierState.VERIFIED)
    client.force_login(owner)
    client.post(f"{BASE}{supplier.slug}/", profile_post(municipality="Haren"))
    supplier.refresh_from_db()
    assert supplier.changed_since_verification
    assert supplier.state == SupplierState.VERIFIED


def test_upload_replace_and_remove_a_logo(client, owner, supplier):
    client.force_login(owner)
    response = client.post(
        f"{BASE}{supplier.slug}/",
        profile_post(logo=upload("Logo Groen.PNG", image_bytes("PNG"), "image/png")),
    )
    assert response.status_code == 302
    supplier.refresh_from_db()
    first = supplier.logo.name
    assert first.startswith("goed-inkopen/logo/") and first.endswith(".png")
    assert "Groen" not in first  # stored under a name of our choosing
    with supplier.logo.open("rb") as stored:
        assert stored.read(4) == b"\x89PNG"
    response = client.get(f"{BASE}{supplier.slug}/")
    assert "remove_logo" in response.context["form"].fields
    client.post(
        f"{BASE}{supplier.slug}/",
        profile_post(logo=upload("logo.jpg", image_bytes("JPEG"), "image/jpeg")),
    )
    supplier.refresh_from_db()
    assert supplier.logo.name.endswith(".jpg") and supplier.logo.name != first
    # Saving without a file keeps the logo.
    client.post(f"{BASE}{supplier.slug}/", profile_post(municipality="Haren"))
    supplier.refresh_from_db()
    assert supplier.logo
    client.post(f"{BASE}{supplier.slug}/", profile_post(remove_logo="on"))
    supplier.refresh_from_db()
    assert not supplier.logo


def _big_png():
    """A valid PNG above 2 MB (random pixels do not compress)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (900, 900), os.urandom(900 * 900 * 3)).save(buffer, "PNG")
    assert buffer.tell() > MAX_LOGO_BYTES
    return buffer.getvalue()


def _svg():
    return b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'


BAD_LOGOS = {
    "executable named png": (lambda: upload("logo.png", EXE, "image/png"), "file_type"),
    "executable named jpg": (lambda: upload("logo.jpg", EXE, "image/jpeg"), "file_type"),
    "empty file": (lambda: upload("logo.png", b"", "image/png"), "empty"),
    "too large": (lambda: upload("logo.png", _big_png(), "image/png"), "file_too_large"),
    "gif": (lambda: upload("logo.gif", image_bytes("GIF"), "image/gif"), "file_type"),
    "svg": (lambda: upload("logo.svg", _svg(), "image/svg+xml"), "file_type"),
    "jpeg named png": (lambda: upload("logo.png", image_bytes("JPEG"), "image/png"), "file_type"),
    "png header, broken body": (
        lambda: upload("logo.png", image_bytes("PNG")[:40] + b"\x00" * 200, "image/png"),
        "file_type",
    ),
    "html named png": (lambda: upload("logo.png", SCRIPT.encode(), "image/png"), "file_type"),
    "pdf named jpg": (lambda: upload("logo.jpg", PDF, "image/jpeg"), "file_type"),
}


@pytest.mark.parametrize("case", BAD_LOGOS)
def test_bad_logos_are_refused(client, owner, supplier, company, case):
    make, code = BAD_LOGOS[case]
    client.force_login(owner)
    before = snapshot()
    response = client.post(f"{BASE}{supplier.slug}/", profile_post(logo=make()))
    assert response.status_code == 400
    assert form_errors(response, "logo") == {code}
    assert snapshot() == before
    other = MembershipFactory(user=owner, organisation=OrganisationFactory()).organisation
    response = client.post(f"{BASE}nieuw/{other.uuid}/", profile_post(logo=make()))
    assert form_errors(response, "logo") == {code}
    assert not Supplier.objects.filter(organisation=other).exists()


def test_a_withdrawn_profile_shows_no_form_and_refuses_changes(client, owner, supplier):
    Supplier.objects.filter(pk=supplier.pk).update(state=SupplierState.WITHDRAWN)
    client.force_login(owner)
    response = client.get(f"{BASE}{supplier.slug}/")
    assert response.context["can_edit"] is False
    assert 'action="/goed-inkopen/mijn-profiel/groen-en-wel/"' not in response.content.decode()
    before = snapshot()
    response = client.post(f"{BASE}{supplier.slug}/", profile_post(name="Nieuw"))
    assert response.status_code == 400
    assert form_errors(response) == {"__all__": {"withdrawn"}}
    response = client.post(f"{BASE}{supplier.slug}/producten/nieuw/", product_post())
    assert form_errors(response) == {"__all__": {"withdrawn"}}
    assert snapshot() == before


# The workflow buttons -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "buttons"),
    [
        (SupplierState.DRAFT, {"can_submit", "can_withdraw", "can_edit"}),
        (SupplierState.SUBMITTED, {"can_withdraw", "can_edit"}),
        (SupplierState.SENT_BACK, {"can_submit", "can_withdraw", "can_edit"}),
        (SupplierState.VERIFIED, {"can_confirm", "can_withdraw", "can_edit"}),
        (SupplierState.WITHDRAWN, {"can_submit"}),
    ],
)
def test_the_buttons_shown_in_each_state(client, owner, supplier, state, buttons):
    Supplier.objects.filter(pk=supplier.pk).update(state=state)
    client.force_login(owner)
    response = client.get(f"{BASE}{supplier.slug}/")
    shown = {
        k for k in ("can_submit", "can_confirm", "can_withdraw", "can_edit") if response.context[k]
    }
    assert shown == buttons
    html = response.content.decode()
    assert (f'action="{BASE}{supplier.slug}/indienen/"' in html) is ("can_submit" in buttons)
    assert (f'action="{BASE}{supplier.slug}/bevestigen/"' in html) is ("can_confirm" in buttons)
    assert (f'href="{BASE}{supplier.slug}/intrekken/"' in html) is ("can_withdraw" in buttons)


def test_submit_says_what_is_missing(client, owner, company):
    supplier = SupplierFactory(organisation=company, draft=True, themes=[], products=[])
    client.force_login(owner)
    response = client.post(f"{BASE}{supplier.slug}/indienen/")
    assert response.status_code == 400
    assert response.context["action_error"].code == "no_theme"
    assert 'id="actie-fout"' in response.content.decode()
    Supplier.objects.filter(pk=supplier.pk).update(themes=[MvoiTheme.CLIMATE])
    response = client.post(f"{BASE}{supplier.slug}/indienen/")
    assert response.context["action_error"].code == "no_product"
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.DRAFT
    assert not OutboxMessage.objects.exists()


def test_confirm_only_a_verified_profile(client, owner, supplier):
    client.force_login(owner)
    response = client.post(f"{BASE}{supplier.slug}/bevestigen/")
    assert response.status_code == 400
    assert response.context["action_error"].code == "not_verified"
    Supplier.objects.filter(pk=supplier.pk).update(
        state=SupplierState.VERIFIED, reconfirm_requested_at=timezone.now()
    )
    response = client.post(f"{BASE}{supplier.slug}/bevestigen/")
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.reconfirm_requested_at is None
    assert supplier.confirmed_at is not None


def test_withdraw_after_confirmation_and_submit_again(client, owner, supplier):
    client.force_login(owner)
    response = client.get(f"{BASE}{supplier.slug}/intrekken/")
    assert response.status_code == 200
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.DRAFT
    response = client.post(f"{BASE}{supplier.slug}/intrekken/")
    assert response.status_code == 302
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.WITHDRAWN
    # Withdrawing twice is refused clearly; the confirmation page sends you back.
    assert client.get(f"{BASE}{supplier.slug}/intrekken/").status_code == 302
    response = client.post(f"{BASE}{supplier.slug}/intrekken/")
    assert response.status_code == 400
    assert response.context["action_error"].code == "transition_not_allowed"
    client.post(f"{BASE}{supplier.slug}/indienen/")
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.SUBMITTED


# Products ------------------------------------------------------------------------------------


def test_category_select_is_grouped_by_top_level_category(client, owner, supplier):
    client.force_login(owner)
    response = client.get(f"{BASE}{supplier.slug}/producten/nieuw/")
    choices = response.context["form"].fields["category"].choices
    groups = dict(choices[1:])
    catering = Category.objects.get(code="55520000")
    assert (catering.pk, "55520000 Catering") in groups["Hotel-, restaurant- en cateringdiensten"]
    assert sum(len(options) for options in groups.values()) == Category.objects.count()
    html = response.content.decode()
    assert '<optgroup label="Hotel-, restaurant- en cateringdiensten">' in html


def test_add_change_and_remove_a_product(client, owner, supplier):
    client.force_login(owner)
    response = client.post(f"{BASE}{supplier.slug}/producten/nieuw/", product_post())
    assert response.status_code == 302
    product = supplier.products.get(name="Tuinonderhoud")
    supplier.refresh_from_db()
    assert "77300000" in supplier.category_codes
    path = f"{BASE}{supplier.slug}/producten/{product.pk}/"
    assert client.get(path).context["form"].initial["category"] == product.category_id
    client.post(path, product_post(name="Groenonderhoud"))
    product.refresh_from_db()
    assert product.name == "Groenonderhoud"
    assert client.get(f"{path}verwijderen/").status_code == 200
    assert Product.objects.filter(pk=product.pk).exists()
    client.post(f"{path}verwijderen/")
    assert not Product.objects.filter(pk=product.pk).exists()
    supplier.refresh_from_db()
    assert "77300000" not in supplier.category_codes


BAD_PRODUCTS = {
    "empty": (lambda d: {k: "" for k in d}, {"name", "category"}),
    "name too long": (lambda d: {**d, "name": "x" * 201}, {"name"}),
    "description too long": (lambda d: {**d, "description": "x" * 1001}, {"description"}),
    "unknown category": (lambda d: {**d, "category": "999999"}, {"category"}),
    "category text": (lambda d: {**d, "category": "schoonmaak"}, {"category"}),
}


@pytest.mark.parametrize("case", BAD_PRODUCTS)
def test_bad_product_input_stores_nothing(client, owner, supplier, case):
    change, fields = BAD_PRODUCTS[case]
    client.force_login(owner)
    product = supplier.products.get()
    before = snapshot()
    for path in (
        f"{BASE}{supplier.slug}/producten/nieuw/",
        f"{BASE}{supplier.slug}/producten/{product.pk}/",
    ):
        response = client.post(path, change(product_post()))
        assert response.status_code == 400
        assert fields <= set(response.context["form"].errors)
    assert snapshot() == before


# Labels --------------------------------------------------------------------------------------


def test_add_a_label_with_a_certificate_and_download_it(client, owner, coordinator, supplier):
    client.force_login(owner)
    response = client.post(
        f"{BASE}{supplier.slug}/labels/nieuw/",
        label_post(evidence=upload("Certificaat PSO.pdf", PDF, "application/pdf")),
    )
    assert response.status_code == 302
    label = Label.objects.get()
    assert (label.kind, label.pso_level) == (LabelKind.PSO, PsoLevel.STEP_1)
    assert label.evidence.name.startswith("goed-inkopen/bewijs/")
    assert "Certificaat" not in label.evidence.name
    path = f"{BASE}{supplier.slug}/labels/{label.pk}/bewijs/"
    for user in (owner, coordinator):
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "pso-trede-1-groen-en-wel.pdf" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]


def test_no_certificate_is_404(client, owner, supplier):
    label = LabelFactory(supplier=supplier)
    client.force_login(owner)
    assert client.get(f"{BASE}{supplier.slug}/labels/{label.pk}/bewijs/").status_code == 404


def test_a_label_of_another_profile_is_404(client, owner, supplier):
    other = LabelFactory(evidence=upload("bewijs.pdf", PDF))
    client.force_login(owner)
    for path in ("", "verwijderen/", "bewijs/"):
        assert client.get(f"{BASE}{supplier.slug}/labels/{other.pk}/{path}").status_code == 404
    assert client.post(f"{BASE}{supplier.slug}/labels/{other.pk}/verwijderen/").status_code == 404
    assert Label.objects.filter(pk=other.pk).exists()


def test_change_the_period_of_a_label_and_remove_it(client, owner, supplier, label):
    Label.objects.filter(pk=label.pk).update(reminder_sent_at=timezone.now())
    client.force_login(owner)
    path = f"{BASE}{supplier.slug}/labels/{label.pk}/"
    response = client.get(path)
    assert response.context["form"].initial["pso_level"] == PsoLevel.STEP_2
    new_end = timezone.localdate() + timedelta(days=1000)
    response = client.post(path, label_post(valid_until=new_end.isoformat()))
    assert response.status_code == 302
    label.refresh_from_db()
    assert label.valid_until == new_end
    assert label.reminder_sent_at is None
    assert label.evidence  # kept when no new file is chosen
    client.post(f"{path}verwijderen/")
    assert not Label.objects.filter(pk=label.pk).exists()


def test_an_expired_label_may_be_entered_and_is_shown_as_expired(client, owner, supplier):
    today = timezone.localdate()
    client.force_login(owner)
    response = client.post(
        f"{BASE}{supplier.slug}/labels/nieuw/",
        label_post(
            kind=LabelKind.BCORP,
            pso_level="",
            valid_from=(today - timedelta(days=800)).isoformat(),
            valid_until=(today - timedelta(days=5)).isoformat(),
        ),
    )
    assert response.status_code == 302
    label = Label.objects.get()
    response = client.get(f"{BASE}{supplier.slug}/")
    shown = next(item for item in response.context["labels"] if item.pk == label.pk)
    assert shown.is_expired and not shown.is_current
    assert "gi-label--expired" in response.content.decode()


def test_the_kind_decides_level_and_name(client, owner, supplier):
    client.force_login(owner)
    client.post(
        f"{BASE}{supplier.slug}/labels/nieuw/",
        label_post(kind=LabelKind.OTHER, pso_level=PsoLevel.STEP_3, name="Fair Wear"),
    )
    label = Label.objects.get()
    assert (label.kind, label.pso_level, label.name) == (LabelKind.OTHER, "", "Fair Wear")


BAD_LABELS = {
    "empty": (lambda d: {k: "" for k in d}, {"kind": {"required"}, "valid_from": {"required"}}),
    "pso without level": (lambda d: {**d, "pso_level": ""}, {"pso_level": {"pso_level_required"}}),
    "other without name": (
        lambda d: {**d, "kind": LabelKind.OTHER, "name": ""},
        {"name": {"name_required"}},
    ),
    "ends before it starts": (
        lambda d: {**d, "valid_from": "2025-06-01", "valid_until": "2025-05-31"},
        {"valid_until": {"period"}},
    ),
    "year 0202": (
        lambda d: {**d, "valid_from": "0202-01-01"},
        {"valid_from": {"date_out_of_range"}},
    ),
    "no date": (lambda d: {**d, "valid_until": "morgen"}, {"valid_until": {"invalid"}}),
    "impossible date": (lambda d: {**d, "valid_until": "2025-02-30"}, {"valid_until": {"invalid"}}),
    "unknown kind": (lambda d: {**d, "kind": "keurmerk"}, {"kind": {"invalid_choice"}}),
    "unknown level": (lambda d: {**d, "pso_level": "trede-9"}, {"pso_level": {"invalid_choice"}}),
    "name too long": (
        lambda d: {**d, "kind": LabelKind.OTHER, "name": "x" * 101},
        {"name": {"max_length"}},
    ),
    "javascript link": (
        lambda d: {**d, "evidence_url": "javascript:alert(1)"},
        {"evidence_url": {"invalid"}},
    ),
}


@pytest.mark.parametrize("case", BAD_LABELS)
def test_bad_label_input_stores_nothing(client, owner, supplier, label, case):
    change, expected = BAD_LABELS[case]
    client.force_login(owner)
    before = snapshot()
    for path in (
        f"{BASE}{supplier.slug}/labels/nieuw/",
        f"{BASE}{supplier.slug}/labels/{label.pk}/",
    ):
        response = client.post(path, change(label_post()))
        assert response.status_code == 400
        errors = form_errors(response)
        for field, codes in expected.items():
            assert codes <= errors.get(field, set()), (field, errors)
    assert snapshot() == before


def _big_pdf(limit):
    return PDF + b"%" + b"x" * limit


BAD_EVIDENCE = {
    "executable named pdf": (lambda: upload("bewijs.pdf", EXE, "application/pdf"), "file_type"),
    "executable": (lambda: upload("bewijs.exe", EXE), "file_type"),
    "empty file": (lambda: upload("bewijs.pdf", b"", "application/pdf"), "empty"),
    "too large": (lambda: upload("bewijs.pdf", _big_pdf(MAX_EVIDENCE_BYTES)), "file_too_large"),
    "word document": (lambda: upload("bewijs.docx", b"PK\x03\x04" + b"\x00" * 100), "file_type"),
    "html named pdf": (lambda: upload("bewijs.pdf", SCRIPT.encode()), "file_type"),
    "png named pdf": (lambda: upload("bewijs.pdf", image_bytes("PNG")), "file_type"),
    "svg": (lambda: upload("bewijs.svg", _svg(), "image/svg+xml"), "file_type"),
}


@pytest.mark.parametrize("case", BAD_EVIDENCE)
def test_bad_certificates_are_refused(client, owner, supplier, case):
    make, code = BAD_EVIDENCE[case]
    client.force_login(owner)
    before = snapshot()
    response = client.post(f"{BASE}{supplier.slug}/labels/nieuw/", label_post(evidence=make()))
    assert response.status_code == 400
    assert form_errors(response, "evidence") == {code}
    assert snapshot() == before


def test_certificates_have_their_own_size_limit(client, owner, supplier, settings):
    settings.SERVICEPOINT_MAX_ATTACHMENT_BYTES = 1024  # the service point's, not theirs
    client.force_login(owner)
    response = client.post(
        f"{BASE}{supplier.slug}/labels/nieuw/",
        label_post(evidence=upload("pso.pdf", _big_pdf(2048))),
    )
    assert response.status_code == 302
    assert Label.objects.get().evidence.size > 2048


def test_image_certificates_are_accepted(client, owner, supplier):
    client.force_login(owner)
    for name, content in (("bewijs.png", image_bytes("PNG")), ("bewijs.jpeg", image_bytes("JPEG"))):
        response = client.post(
            f"{BASE}{supplier.slug}/labels/nieuw/", label_post(evidence=upload(name, content))
        )
        assert response.status_code == 302
    assert sorted(label.evidence.name[-4:] for label in Label.objects.all()) == [".png", "jpeg"]


# The whole journey ---------------------------------------------------------------------------


def test_create_to_verified_to_confirmed(client, owner, company, coordinator):
    client.force_login(owner)
    response = client.post(f"{BASE}nieuw/{company.uuid}/", profile_post())
    supplier = Supplier.objects.get()
    edit = response["Location"]
    assert client.post(f"{edit}producten/nieuw/", product_post()).status_code == 302
    response = client.post(
        f"{edit}labels/nieuw/",
        label_post(evidence=upload("pso.pdf", PDF, "application/pdf")),
    )
    assert response.status_code == 302
    assert client.post(f"{edit}indienen/").status_code == 302
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.SUBMITTED
    assert OutboxMessage.objects.filter(
        kind="procurement/submitted", recipient=coordinator.email
    ).exists()

    services.supplier_verify(supplier=supplier, actor=coordinator)
    assert OutboxMessage.objects.filter(kind="procurement/verified", recipient=owner.email).exists()

    client.post(edit, profile_post(short_description="Nu ook met bedrijfstuinen."))
    supplier.refresh_from_db()
    assert supplier.state == SupplierState.VERIFIED
    assert supplier.changed_since_verification

    Supplier.objects.filter(pk=supplier.pk).update(reconfirm_requested_at=timezone.now())
    assert client.post(f"{edit}bevestigen/").status_code == 302
    supplier.refresh_from_db()
    assert supplier.reconfirm_requested_at is None
    actions = list(
        AuditLogEntry.objects.filter(object_id=str(supplier.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "supplier.created",
        "supplier.product_added",
        "supplier.label_added",
        "supplier.state_changed",
        "supplier.state_changed",
        "supplier.changed",
        "supplier.confirmed",
    ]


# Query counts --------------------------------------------------------------------------------


def _grow(owner, supplier, n):
    for i in range(n):
        ProductFactory(supplier=supplier, name=f"Dienst {i}")
        LabelFactory(supplier=supplier, kind=LabelKind.BCORP, pso_level="")
        other = SupplierFactory(name=f"Ook van mij {i}")
        MembershipFactory(user=owner, organisation=other.organisation)
        MembershipFactory(user=owner, organisation=OrganisationFactory(name=f"Zonder profiel {i}"))


# Measured; a change here means a page started querying per row (or got cheaper: lower it).
# session, user, the user's roles (header menu), the user's profiles with their product
# counts, the companies without one
MY_PROFILES_QUERIES = 4
# session, user, the user's roles (header menu), the profile (membership checked in the
# same query), its products with their category, its labels
EDIT_QUERIES = 5


def test_my_profiles_query_count_is_constant(client, owner, supplier, django_assert_num_queries):
    client.force_login(owner)
    _grow(owner, supplier, 1)
    with django_assert_num_queries(MY_PROFILES_QUERIES):
        assert client.get(BASE).status_code == 200
    _grow(owner, supplier, 15)
    with django_assert_num_queries(MY_PROFILES_QUERIES):
        response = client.get(BASE)
    assert len(response.context["suppliers"]) == 17
    assert len(response.context["without_profile"]) == 16


def test_edit_query_count_is_constant(client, owner, supplier, django_assert_num_queries):
    client.force_login(owner)
    _grow(owner, supplier, 1)
    with django_assert_num_queries(EDIT_QUERIES):
        assert client.get(f"{BASE}{supplier.slug}/").status_code == 200
    _grow(owner, supplier, 15)
    with django_assert_num_queries(EDIT_QUERIES):
        response = client.get(f"{BASE}{supplier.slug}/")
    assert len(response.context["products"]) == 17
    assert len(response.context["labels"]) == 16
