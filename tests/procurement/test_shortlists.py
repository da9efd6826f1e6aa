"""Procurement officers' shortlists: who gets in, create/edit/delete, adding suppliers
(also from the partial on result cards), notes, removal; pinned query counts."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from accounts.roles import Role
from impactportal.audit.models import AuditLogEntry
from procurement.constants import SupplierState
from procurement.models import Shortlist, ShortlistEntry
from tests.factories import (
    LabelFactory,
    ShortlistEntryFactory,
    ShortlistFactory,
    SupplierFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROCUREMENT_OFFICER], name="Ingrid Inkoper")


@pytest.fixture
def buyer(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def shortlist(officer):
    return ShortlistFactory(owner=officer, title="Schoonmaak stadhuis")


def url(name, **kwargs):
    return reverse(f"procurement:{name}", kwargs=kwargs)


def error_codes(response, field="__all__"):
    form = response.context["form"]
    return [error.code for error in form.errors.as_data().get(field, [])]


# Who gets in --------------------------------------------------------------------------------


def officer_pages(shortlist, entry):
    uuid = shortlist.uuid
    return [
        ("get", url("shortlists")),
        ("post", url("shortlists")),
        ("get", url("shortlist", uuid=uuid)),
        ("get", url("shortlist_edit", uuid=uuid)),
        ("post", url("shortlist_edit", uuid=uuid)),
        ("get", url("shortlist_delete", uuid=uuid)),
        ("post", url("shortlist_delete", uuid=uuid)),
        ("post", url("shortlist_add", slug=entry.supplier.slug)),
        ("post", url("shortlist_entry_note", uuid=uuid, entry_id=entry.pk)),
        ("post", url("shortlist_entry_remove", uuid=uuid, entry_id=entry.pk)),
        ("get", url("shortlist_export", uuid=uuid, fmt="csv")),
        ("get", url("search_export", fmt="xlsx")),
        ("get", url("inquiries")),
        ("get", url("inquiry_new")),
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, shortlist):
    entry = ShortlistEntryFactory(shortlist=shortlist)
    for method, address in officer_pages(shortlist, entry):
        response = getattr(client, method)(address)
        assert response.status_code == 302, address
        assert response.url.startswith(reverse("account_login")), address
    assert Shortlist.objects.filter(pk=shortlist.pk).exists()
    assert ShortlistEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("role", [Role.ENTREPRENEUR, Role.COORDINATOR, Role.VIEWER])
def test_other_roles_are_refused(client, shortlist, role):
    entry = ShortlistEntryFactory(shortlist=shortlist)
    client.force_login(UserFactory(roles=[role]))
    for method, address in officer_pages(shortlist, entry):
        response = getattr(client, method)(address, {"title": "X", "note": "x"})
        assert response.status_code == 403, address
    assert Shortlist.objects.count() == 1
    assert ShortlistEntry.objects.get(pk=entry.pk).note == ""


def test_another_officers_shortlist_is_not_found(buyer, officer):
    foreign = ShortlistFactory(title="Van iemand anders")
    entry = ShortlistEntryFactory(shortlist=foreign, note="geheim")
    uuid = foreign.uuid
    for method, address in [
        ("get", url("shortlist", uuid=uuid)),
        ("get", url("shortlist_edit", uuid=uuid)),
        ("post", url("shortlist_edit", uuid=uuid)),
        ("get", url("shortlist_delete", uuid=uuid)),
        ("post", url("shortlist_delete", uuid=uuid)),
        ("post", url("shortlist_entry_note", uuid=uuid, entry_id=entry.pk)),
        ("post", url("shortlist_entry_remove", uuid=uuid, entry_id=entry.pk)),
        ("get", url("shortlist_export", uuid=uuid, fmt="csv")),
        ("get", url("shortlist_export", uuid=uuid, fmt="xlsx")),
    ]:
        response = getattr(buyer, method)(address, {"title": "Overgenomen", "note": "weg"})
        assert response.status_code == 404, address
    foreign.refresh_from_db()
    assert foreign.title == "Van iemand anders"
    assert ShortlistEntry.objects.get(pk=entry.pk).note == "geheim"
    response = buyer.get(url("shortlists"))
    assert "Van iemand anders" not in response.content.decode()


def test_an_entry_of_another_shortlist_is_not_found_through_my_own(buyer, shortlist):
    foreign_entry = ShortlistEntryFactory(note="geheim")
    for name in ("shortlist_entry_note", "shortlist_entry_remove"):
        response = buyer.post(
            url(name, uuid=shortlist.uuid, entry_id=foreign_entry.pk), {"note": "weg"}
        )
        assert response.status_code == 404
    assert ShortlistEntry.objects.get(pk=foreign_entry.pk).note == "geheim"


# Create, edit, delete -------------------------------------------------------------------------


def test_create_a_shortlist(buyer, officer):
    response = buyer.post(url("shortlists"), {"title": " Catering 2027 ", "reference": "ZK-12"})
    shortlist = Shortlist.objects.get(owner=officer)
    assert response.status_code == 302
    assert response.url == shortlist.get_absolute_url()
    assert (shortlist.title, shortlist.reference) == ("Catering 2027", "ZK-12")
    assert AuditLogEntry.objects.filter(action="shortlist.created", object_id=shortlist.pk).exists()


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"title": ""}, "title", "required"),
        ({"title": "   "}, "title", "required"),
        ({"title": "x" * 201}, "title", "max_length"),
        ({"title": "Ok", "reference": "r" * 101}, "reference", "max_length"),
    ],
)
def test_bad_shortlist_input_is_refused(buyer, data, field, code):
    response = buyer.post(url("shortlists"), data)
    assert response.status_code == 400
    assert code in error_codes(response, field)
    assert not Shortlist.objects.exists()


def test_hostile_title_is_stored_as_typed_and_escaped_on_the_pages(buyer, officer):
    buyer.post(url("shortlists"), {"title": HOSTILE})
    shortlist = Shortlist.objects.get(owner=officer)
    assert shortlist.title == HOSTILE
    for address in (url("shortlists"), shortlist.get_absolute_url()):
        html = buyer.get(address).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html


def test_edit_a_shortlist(buyer, shortlist):
    assert buyer.get(url("shortlist_edit", uuid=shortlist.uuid)).status_code == 200
    response = buyer.post(
        url("shortlist_edit", uuid=shortlist.uuid), {"title": "Groenonderhoud", "reference": "A1"}
    )
    assert response.status_code == 302
    shortlist.refresh_from_db()
    assert (shortlist.title, shortlist.reference) == ("Groenonderhoud", "A1")

    response = buyer.post(url("shortlist_edit", uuid=shortlist.uuid), {"title": ""})
    assert response.status_code == 400
    assert "required" in error_codes(response, "title")
    shortlist.refresh_from_db()
    assert shortlist.title == "Groenonderhoud"


def test_delete_a_shortlist_after_confirmation(buyer, shortlist):
    ShortlistEntryFactory(shortlist=shortlist)
    response = buyer.get(url("shortlist_delete", uuid=shortlist.uuid))
    assert response.status_code == 200
    assert Shortlist.objects.filter(pk=shortlist.pk).exists()
    response = buyer.post(url("shortlist_delete", uuid=shortlist.uuid))
    assert response.status_code == 302
    assert response.url == url("shortlists")
    assert not Shortlist.objects.filter(pk=shortlist.pk).exists()
    assert not ShortlistEntry.objects.exists()
    assert AuditLogEntry.objects.filter(action="shortlist.deleted").exists()


# Adding suppliers -----------------------------------------------------------------------------


def test_add_a_supplier_to_a_shortlist_and_back_to_the_results(buyer, shortlist):
    supplier = SupplierFactory(name="Groenkracht")
    next_url = "/goed-inkopen/?q=groen&thema=klimaat"
    response = buyer.post(
        url("shortlist_add", slug=supplier.slug),
        {"shortlist": str(shortlist.uuid), "next": next_url},
    )
    assert response.status_code == 302
    assert response.url == next_url
    assert list(shortlist.entries.values_list("supplier__name", flat=True)) == ["Groenkracht"]
    assert AuditLogEntry.objects.filter(action="shortlist.supplier_added").count() == 1


def test_adding_twice_is_harmless(buyer, shortlist):
    supplier = SupplierFactory()
    data = {"shortlist": str(shortlist.uuid)}
    buyer.post(url("shortlist_add", slug=supplier.slug), {**data, "note": "eerste"})
    ShortlistEntry.objects.filter(shortlist=shortlist).update(note="eerste")
    response = buyer.post(url("shortlist_add", slug=supplier.slug), data)
    assert response.status_code == 302
    assert response.url == shortlist.get_absolute_url()
    assert list(shortlist.entries.values_list("note", flat=True)) == ["eerste"]
    assert AuditLogEntry.objects.filter(action="shortlist.supplier_added").count() == 1


def test_add_to_a_new_shortlist(buyer, officer):
    supplier = SupplierFactory()
    response = buyer.post(
        url("shortlist_add", slug=supplier.slug), {"shortlist": "new", "title": "Bedrijfskleding"}
    )
    shortlist = Shortlist.objects.get(owner=officer)
    assert response.status_code == 302
    assert shortlist.title == "Bedrijfskleding"
    assert list(shortlist.entries.values_list("supplier", flat=True)) == [supplier.pk]


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"shortlist": "new", "title": ""}, "title", "required"),
        ({"title": ""}, "title", "required"),
        ({"shortlist": "new", "title": "x" * 201}, "title", "max_length"),
        ({"shortlist": "not-a-list"}, "shortlist", "invalid_choice"),
    ],
)
def test_bad_add_input_is_refused(buyer, shortlist, data, field, code):
    supplier = SupplierFactory()
    response = buyer.post(url("shortlist_add", slug=supplier.slug), data)
    assert response.status_code == 400
    assert code in error_codes(response, field)
    assert Shortlist.objects.count() == 1
    assert not ShortlistEntry.objects.exists()


def test_cannot_add_to_someone_elses_shortlist(buyer):
    foreign = ShortlistFactory()
    supplier = SupplierFactory()
    response = buyer.post(
        url("shortlist_add", slug=supplier.slug), {"shortlist": str(foreign.uuid)}
    )
    assert response.status_code == 400
    assert "invalid_choice" in error_codes(response, "shortlist")
    assert not ShortlistEntry.objects.exists()


@pytest.mark.parametrize(
    "state", [SupplierState.DRAFT, SupplierState.SUBMITTED, SupplierState.WITHDRAWN]
)
def test_only_public_suppliers_can_be_added(buyer, shortlist, state):
    supplier = SupplierFactory(state=state)
    response = buyer.post(
        url("shortlist_add", slug=supplier.slug), {"shortlist": str(shortlist.uuid)}
    )
    assert response.status_code == 404
    assert not ShortlistEntry.objects.exists()


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/pad",
        "javascript:alert(1)",
        "http://testserver\\@evil",
    ],
)
def test_add_never_redirects_off_site(buyer, shortlist, next_url):
    supplier = SupplierFactory()
    response = buyer.post(
        url("shortlist_add", slug=supplier.slug),
        {"shortlist": str(shortlist.uuid), "next": next_url},
    )
    assert response.status_code == 302
    assert response.url == shortlist.get_absolute_url()


def test_add_only_by_post(buyer):
    supplier = SupplierFactory()
    assert buyer.get(url("shortlist_add", slug=supplier.slug)).status_code == 405


# Notes and removal ----------------------------------------------------------------------------


def test_note_per_entry(buyer, shortlist):
    entry = ShortlistEntryFactory(shortlist=shortlist)
    response = buyer.post(
        url("shortlist_entry_note", uuid=shortlist.uuid, entry_id=entry.pk),
        {"note": "Referentie gebeld: goed."},
    )
    assert response.status_code == 302
    assert response.url == f"{shortlist.get_absolute_url()}#entry-{entry.pk}"
    entry.refresh_from_db()
    assert entry.note == "Referentie gebeld: goed."


@pytest.mark.parametrize(("note", "code"), [("x" * 2001, "max_length")])
def test_bad_note_is_refused(buyer, shortlist, note, code):
    entry = ShortlistEntryFactory(shortlist=shortlist, note="oud")
    other = ShortlistEntryFactory(shortlist=shortlist)
    response = buyer.post(
        url("shortlist_entry_note", uuid=shortlist.uuid, entry_id=entry.pk), {"note": note}
    )
    assert response.status_code == 400
    forms = {e.pk: form for e, form in response.context["rows"]}
    assert code in [e.code for e in forms[entry.pk].errors.as_data()["note"]]
    assert not forms[other.pk].is_bound
    entry.refresh_from_db()
    assert entry.note == "oud"


def test_hostile_note_is_escaped(buyer, shortlist):
    entry = ShortlistEntryFactory(shortlist=shortlist)
    buyer.post(
        url("shortlist_entry_note", uuid=shortlist.uuid, entry_id=entry.pk), {"note": HOSTILE}
    )
    entry.refresh_from_db()
    assert entry.note == HOSTILE
    html = buyer.get(shortlist.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_an_empty_note_clears_it(buyer, shortlist):
    entry = ShortlistEntryFactory(shortlist=shortlist, note="weg ermee")
    buyer.post(url("shortlist_entry_note", uuid=shortlist.uuid, entry_id=entry.pk), {"note": ""})
    entry.refresh_from_db()
    assert entry.note == ""


def test_remove_an_entry(buyer, shortlist):
    entry = ShortlistEntryFactory(shortlist=shortlist)
    keep = ShortlistEntryFactory(shortlist=shortlist)
    response = buyer.post(url("shortlist_entry_remove", uuid=shortlist.uuid, entry_id=entry.pk))
    assert response.status_code == 302
    assert list(shortlist.entries.all()) == [keep]
    assert AuditLogEntry.objects.filter(action="shortlist.supplier_removed").count() == 1
    # A second click on a stale page finds nothing to remove.
    response = buyer.post(url("shortlist_entry_remove", uuid=shortlist.uuid, entry_id=entry.pk))
    assert response.status_code == 404


# The shortlist page ---------------------------------------------------------------------------


def test_shortlist_page_shows_valid_labels_and_suppliers_that_left(buyer, shortlist):
    public = SupplierFactory(name="Groenkracht")
    LabelFactory(supplier=public)
    LabelFactory(supplier=public, kind="bcorp", pso_level="", expired=True)
    gone = SupplierFactory(name="Vertrokken BV")
    ShortlistEntryFactory(shortlist=shortlist, supplier=public)
    ShortlistEntryFactory(shortlist=shortlist, supplier=gone)
    gone.state = SupplierState.WITHDRAWN
    gone.save()

    response = buyer.get(shortlist.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["public_count"] == 1
    rows = {entry.supplier.name: entry for entry, _form in response.context["rows"]}
    assert [label.kind for label in rows["Groenkracht"].supplier.valid_labels] == ["pso"]
    assert public.get_absolute_url() in html
    assert gone.get_absolute_url() not in html
    assert 'data-state="gone"' in html
    assert url("shortlist_export", uuid=shortlist.uuid, fmt="xlsx") in html
    assert f"{url('inquiry_new')}?shortlist={shortlist.uuid}" in html


def test_shortlists_list_shows_only_mine_with_sizes(buyer, shortlist):
    ShortlistEntryFactory.create_batch(2, shortlist=shortlist)
    ShortlistFactory(title="Andermans lijst")
    response = buyer.get(url("shortlists"))
    assert [(s.title, s.size) for s in response.context["shortlists"]] == [
        ("Schoonmaak stadhuis", 2)
    ]


@pytest.mark.parametrize("size", [1, 6])
def test_shortlists_list_query_count(buyer, officer, size, django_assert_num_queries):
    for _n in range(size):
        ShortlistEntryFactory.create_batch(2, shortlist=ShortlistFactory(owner=officer))
    # session, user, roles, shortlists with their sizes
    with django_assert_num_queries(4):
        response = buyer.get(url("shortlists"))
    assert len(response.context["shortlists"]) == size


@pytest.mark.parametrize("size", [1, 8])
def test_shortlist_page_query_count(buyer, shortlist, size, django_assert_num_queries):
    for _n in range(size):
        LabelFactory(supplier=ShortlistEntryFactory(shortlist=shortlist).supplier)
    # session, user, roles, shortlist, entries with suppliers, their valid labels
    with django_assert_num_queries(6):
        response = buyer.get(shortlist.get_absolute_url())
    assert len(response.context["rows"]) == size


# The "add to shortlist" partial ---------------------------------------------------------------


def render_cards(user, suppliers):
    request = RequestFactory().get("/goed-inkopen/?q=groen")
    request.user = user
    return "".join(
        render_to_string("procurement/buyer/_shortlist_add.html", {"supplier": s}, request=request)
        for s in suppliers
    )


def test_partial_loads_the_shortlists_once_per_request(officer, django_assert_num_queries):
    suppliers = SupplierFactory.create_batch(5)
    mine = ShortlistFactory(owner=officer, title="Mijn lijst")
    ShortlistEntryFactory(shortlist=mine, supplier=suppliers[0])
    ShortlistFactory(title="Andermans lijst")
    officer.has_role(Role.PROCUREMENT_OFFICER)  # the request's user has its roles loaded
    with django_assert_num_queries(1):
        html = render_cards(officer, suppliers)
    assert html.count("<form") == 5
    assert html.count("Mijn lijst") == 5
    assert "Andermans lijst" not in html
    assert html.count(f'value="{mine.uuid}"') == 5
    assert 'name="next" value="/goed-inkopen/?q=groen"' in html
    assert html.count(url("shortlist_add", slug=suppliers[0].slug)) == 1


def test_partial_for_an_officer_without_shortlists_starts_a_new_one(officer):
    html = render_cards(officer, [SupplierFactory()])
    assert 'name="shortlist" value="new"' in html
    assert "<select" not in html


def test_partial_renders_nothing_for_others(db):
    from django.contrib.auth.models import AnonymousUser

    supplier = SupplierFactory()
    assert render_cards(AnonymousUser(), [supplier]).strip() == ""
    assert render_cards(UserFactory(roles=[Role.ENTREPRENEUR]), [supplier]).strip() == ""
