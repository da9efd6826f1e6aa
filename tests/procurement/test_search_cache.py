"""The search cache of the supplier directory (``procurement.selectors.search_cache``):
answers and the results region drawn from them are kept while the data is unchanged, and
never outlive a write, a day or a language."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from procurement.constants import LabelKind, MvoiTheme, SupplierState
from procurement.filters import SupplierFilter
from procurement.models import Category, Label, Supplier
from procurement.selectors import (
    category_tree,
    confirmed_since,
    facet_counts,
    order_results,
    public_suppliers,
    results_page,
    search_cache,
    search_cache_clear,
)
from procurement.services import search_words_rebuild
from tests.factories import LabelFactory, ShortlistEntryFactory, SupplierFactory


@pytest.fixture
def tree(transactional_db):
    """The category tree of the data migration (a transactional test flushes it away)."""
    if not Category.objects.exists():
        migration = importlib.import_module("procurement.migrations.0002_category_tree")
        migration.load_tree(django_apps, None)


# --- the search cache (procurement.selectors.search_cache) --------------------------------
#
# Answers are only kept outside transactions that wrote, so these tests commit their data
# (transactional_db) and ask as a request would, in autocommit.


def page(**params):
    filterset = SupplierFilter(params, queryset=public_suppliers(), categories=category_tree())
    assert filterset.is_valid(), filterset.errors
    qs = filterset.qs
    facets = facet_counts(qs)
    ordered = order_results(qs, filterset.search, filterset.sort)
    suppliers = results_page(ordered, offset=0, limit=20)
    return facets, suppliers


@pytest.fixture
def cache(tree):
    search_cache_clear()
    yield
    search_cache_clear()


@pytest.mark.django_db(transaction=True)
def test_kept_answers_are_reused_at_the_same_query_count(cache, django_assert_num_queries):
    for n in range(3):
        supplier = SupplierFactory(name=f"Koffiebranderij {n}", themes=[MvoiTheme.SUPPLY_CHAIN])
        LabelFactory(supplier=supplier)
    search_words_rebuild()
    # category tree, typo lookup, facets, page, labels
    with django_assert_num_queries(5):
        first_facets, first = page(q="koffie")
    with django_assert_num_queries(5):
        facets, again = page(q="koffie")
    assert [s.name for s in again] == [s.name for s in first]
    assert [s.search_cache_hit for s in first] == [False] * 3
    assert [s.search_cache_hit for s in again] == [True] * 3
    assert [[str(label) for label in s.valid_labels] for s in again] == [
        [str(label) for label in s.valid_labels] for s in first
    ]
    assert facets == first_facets and facets.total == 3 and facets.of("label", "pso") == 3


@pytest.mark.django_db(transaction=True)
def test_any_write_makes_kept_answers_stale(cache, django_assert_num_queries):
    a = SupplierFactory(name="Schoon Noord", themes=[MvoiTheme.SOCIAL_RETURN])
    b = SupplierFactory(name="Schoon Zuid", themes=[MvoiTheme.SOCIAL_RETURN])
    label = LabelFactory(supplier=a)
    facets, suppliers = page(thema=[MvoiTheme.SOCIAL_RETURN])
    assert (facets.total, facets.of("label", "pso")) == (2, 1)
    page(thema=[MvoiTheme.SOCIAL_RETURN])  # kept

    # A write the ORM's signals would not see: the triggers do.
    Label.objects.filter(pk=label.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    with django_assert_num_queries(4):  # tree, facets, page, labels: the same count
        facets, suppliers = page(thema=[MvoiTheme.SOCIAL_RETURN])
    assert (facets.total, facets.of("label", "pso")) == (2, 0)
    assert not any(s.search_cache_hit for s in suppliers)

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procurement_supplier SET state = %s WHERE id = %s",
            [SupplierState.WITHDRAWN, b.pk],
        )
    facets, suppliers = page(thema=[MvoiTheme.SOCIAL_RETURN])
    assert facets.total == 1 and [s.name for s in suppliers] == ["Schoon Noord"]


@pytest.mark.django_db(transaction=True)
def test_a_label_expiring_at_midnight_is_not_counted_the_next_day(cache):
    today = timezone.localdate()
    supplier = SupplierFactory(name="Drukkerij Noord")
    LabelFactory(supplier=supplier, valid_until=today)
    facets, suppliers = page(label=[LabelKind.PSO])
    assert facets.total == 1 and facets.of("label", "pso") == 1
    assert [str(label) for label in suppliers[0].valid_labels]
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        facets, suppliers = page(label=[LabelKind.PSO])
        assert facets.total == 0 and suppliers == []
        facets, suppliers = page()
        assert facets.of("label", "pso") == 0 and suppliers[0].valid_labels == []


@pytest.mark.django_db(transaction=True)
def test_a_profile_crossing_the_recently_confirmed_line_is_counted_on_the_right_side(cache):
    now = timezone.now()
    crossing = confirmed_since(now) + timedelta(minutes=5)
    SupplierFactory(name="Groen A", confirmed_at=crossing)
    SupplierFactory(name="Groen B", confirmed_at=now)
    facets, _ = page()
    assert (facets.of("bevestigd", "recent"), facets.of("bevestigd", "niet-recent")) == (2, 0)
    facets, suppliers = page(bevestigd="recent")
    assert facets.total == 2
    _, suppliers = page(bevestigd="recent")  # kept, although the line moved a little
    assert len(suppliers) == 2 and all(s.search_cache_hit for s in suppliers)
    with time_machine.travel(now + timedelta(minutes=10)):
        facets, _ = page()
        assert (facets.of("bevestigd", "recent"), facets.of("bevestigd", "niet-recent")) == (1, 1)
        facets, suppliers = page(bevestigd="recent")
        assert facets.total == 1 and [s.name for s in suppliers] == ["Groen B"]
        facets, suppliers = page(bevestigd="niet-recent")
        assert [s.name for s in suppliers] == ["Groen A"]


# The rendered results region, kept with the answers it was drawn from.

SEARCH = "/goed-inkopen/"
RESULTS = "procurement/_results.html"


def drawn(response) -> bool:
    """Whether the results region was rendered for this response (not taken as kept)."""
    return RESULTS in [template.name for template in response.templates]


def region(response) -> str:
    """The results region of a page (the rest carries a new CSRF token each time)."""
    page = response.content.decode()
    return page[page.index('id="search-results"') : page.index("</main>")]


def kept_search(client, path=SEARCH):
    """Ask three times: the first computes and keeps the answers, the second draws the
    region from kept answers and keeps it, the third gets the kept region."""
    first, second, third = (client.get(path) for _ in range(3))
    assert drawn(first) and drawn(second) and not drawn(third)
    assert region(third) == region(second)
    return third


@pytest.mark.django_db(transaction=True)
def test_the_results_region_is_kept_and_drawn_anew_after_any_write(
    cache, client, django_assert_num_queries
):
    supplier = SupplierFactory(name="Koffiebranderij Noord", themes=[MvoiTheme.SUPPLY_CHAIN])
    page = kept_search(client, f"{SEARCH}?thema={MvoiTheme.SUPPLY_CHAIN}").content.decode()
    assert "Koffiebranderij Noord" in page and "<title>" in page
    # The same queries still run: they are what says the kept answers are still right.
    with django_assert_num_queries(4):  # tree, facets, page, labels
        assert not drawn(client.get(f"{SEARCH}?thema={MvoiTheme.SUPPLY_CHAIN}"))
    # A write the ORM's signals would not see: the triggers do.
    Supplier.objects.filter(pk=supplier.pk).update(name="Koffiebranderij Zuid")
    response = client.get(f"{SEARCH}?thema={MvoiTheme.SUPPLY_CHAIN}")
    assert drawn(response)
    assert "Koffiebranderij Zuid" in response.content.decode()
    assert "Koffiebranderij Noord" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_kept_region_is_per_language_and_per_kind_of_response(cache, client):
    SupplierFactory(name="Groenkracht", themes=[MvoiTheme.CLIMATE])
    dutch = kept_search(client).content.decode()
    # The answers are kept now: each other language or kind of response is drawn once.
    english = type(client)()
    english.cookies["django_language"] = "en"
    first, again = english.get(SEARCH), english.get(SEARCH)
    assert drawn(first) and not drawn(again) and region(again) == region(first)
    english = again.content.decode()
    assert "<li>Klimaat</li>" in dutch and "<li>Climate</li>" not in dutch
    assert "<li>Climate</li>" in english and "<li>Klimaat</li>" not in english
    first, again = (client.get(SEARCH, headers={"HX-Request": "true"}) for _ in range(2))
    assert drawn(first) and not drawn(again) and again.content == first.content
    fragment = again.content.decode()
    assert "<title>" in fragment and "<html" not in fragment and "Groenkracht" in fragment
    assert "<html" in client.get(SEARCH).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_kept_region_of_hostile_input_stays_escaped(cache, client):
    SupplierFactory(name="Catering Noord", themes=[MvoiTheme.SOCIAL_RETURN])
    hostile = "<script>alert(1)</script>"
    path = f"{SEARCH}?thema={MvoiTheme.SOCIAL_RETURN}&regio={hostile}&omvang=%25"
    kept = region(kept_search(client, path))
    assert hostile not in kept and "&lt;script&gt;" in kept
    assert "Catering Noord" in kept
    # Another hostile value is another search: drawn for itself, not the kept one.
    other = client.get(f"{SEARCH}?thema={MvoiTheme.SOCIAL_RETURN}&regio=%22%3E%3Cb%3E")
    assert drawn(other) and "&lt;script&gt;" not in region(other)


@pytest.mark.django_db(transaction=True)
def test_procurement_officers_never_get_the_kept_region(cache, client):
    supplier = SupplierFactory(name="Drukkerij Noord")
    kept_search(client)
    entry = ShortlistEntryFactory(supplier=supplier)
    officer = type(client)()
    officer.force_login(entry.shortlist.owner)
    for _ in range(3):
        response = officer.get(SEARCH)
        assert drawn(response)
        assert "gi-badge--shortlisted" in response.content.decode()
    assert "gi-badge--shortlisted" not in client.get(SEARCH).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_kept_region_is_not_shown_the_next_day(cache, client):
    supplier = SupplierFactory(name="Schoonmaak Noord")
    LabelFactory(supplier=supplier, kind=LabelKind.BCORP, valid_until=timezone.localdate())
    assert "B Corp" in kept_search(client).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        response = client.get(SEARCH)
        assert drawn(response) and "B Corp</span>" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_without_the_search_cache_the_region_is_always_drawn(cache, client, settings):
    settings.PROCUREMENT_SEARCH_CACHE = False
    SupplierFactory(name="Fietskoeriers Noord")
    assert all(drawn(client.get(SEARCH)) for _ in range(3))
    assert not search_cache._results_cache.items


@pytest.mark.django_db
def test_nothing_is_kept_inside_a_transaction_that_wrote():
    search_cache_clear()
    SupplierFactory(name="Wasserij Noord")
    page(q="wasserij")
    facets, suppliers = page(q="wasserij")
    assert facets.total == 1 and not suppliers[0].search_cache_hit
    assert not search_cache._facet_cache.items and not search_cache._page_cache.items


@pytest.mark.django_db(transaction=True)
def test_the_cache_can_be_switched_off(cache, settings):
    settings.PROCUREMENT_SEARCH_CACHE = False
    SupplierFactory(name="Fietskoeriers Noord")
    page()
    _, suppliers = page()
    assert not suppliers[0].search_cache_hit
    assert not search_cache._facet_cache.items and not search_cache._page_cache.items
