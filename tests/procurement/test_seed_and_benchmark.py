"""The seed command makes consistent suppliers; the benchmark command's client and report
work. The benchmark's numbers come from running it (docs/benchmarks.md), not from here:
no timing is asserted."""

import importlib
import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from accounts.constants import OrganisationKind
from accounts.validators import validate_kvk_number
from impactportal.loadtest.server import ServerError, wait_until_up
from procurement import selectors
from procurement.constants import LabelKind, MvoiTheme, SupplierState
from procurement.filters import SupplierFilter
from procurement.management.commands.benchmark_search import (
    WORKLOAD,
    Load,
    Sample,
    percentile,
    report,
    run_load,
    summarise,
    warm_up,
)
from procurement.management.commands.seed_suppliers import (
    SEED_KVK_FIRST,
    seeded_organisations,
    seeded_suppliers,
)
from procurement.models import Category, Label, SearchWord, Supplier
from procurement.selectors import (
    category_tree,
    confirmed_since,
    facet_counts,
    order_results,
    public_suppliers,
    results_page,
    search_cache_clear,
)
from procurement.services import search_words_rebuild
from tests.factories import LabelFactory, ShortlistEntryFactory, SupplierFactory

SEARCH = "/goed-inkopen/"


@pytest.fixture
def tree(transactional_db):
    """The category tree of the data migration (a transactional test flushes it away)."""
    if not Category.objects.exists():
        migration = importlib.import_module("procurement.migrations.0002_category_tree")
        migration.load_tree(django_apps, None)


def seed(count: int, **options) -> str:
    out = StringIO()
    call_command("seed_suppliers", count=count, stdout=out, **options)
    return out.getvalue()


# --- seed_suppliers -----------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_makes_consistent_searchable_suppliers():
    output = seed(300)
    assert re.search(r"Seeded 300 suppliers in [0-9.]+ s", output)

    suppliers = list(seeded_suppliers().select_related("organisation"))
    assert len(suppliers) == Supplier.objects.count() == 300
    kvks = [s.organisation.kvk_number for s in suppliers]
    assert len(set(kvks)) == 300
    for supplier in suppliers:
        validate_kvk_number(supplier.organisation.kvk_number)
        assert int(supplier.kvk_number) >= SEED_KVK_FIRST
        assert supplier.kvk_number == supplier.organisation.kvk_number
        assert supplier.organisation.kind == OrganisationKind.COMPANY
        assert supplier.name == supplier.organisation.name
        assert supplier.search_vector
        assert 1 <= len(supplier.themes) <= 3
        assert supplier.sdgs
        supplier.full_clean(exclude=["organisation", "slug", "logo"])

    categories = {c.pk: c for c in Category.objects.select_related("parent__parent")}
    for supplier in Supplier.objects.prefetch_related("products"):
        products = list(supplier.products.all())
        assert 1 <= len(products) <= 5
        codes = set()
        for product in products:
            node = categories[product.category_id]
            assert not node.children.exists()  # filed under a leaf of the tree
            while node is not None:
                codes.add(node.code)
                node = node.parent
        assert supplier.category_codes == sorted(codes)

    states = {s.state for s in suppliers}
    assert SupplierState.VERIFIED in states and len(states) > 1
    verified = [s for s in suppliers if s.state == SupplierState.VERIFIED]
    assert 0.8 < len(verified) / 300 < 0.97
    assert all(s.verified_at and s.confirmed_at for s in verified)
    assert {LabelKind.PSO, LabelKind.CODE_SOCIAL} <= set(
        Label.objects.values_list("kind", flat=True)
    )
    for label in Label.objects.all():
        label.full_clean(exclude=["supplier", "evidence"])

    # The typo list holds the words of the public profiles.
    words = set(SearchWord.objects.values_list("word", flat=True))
    for supplier in verified[:20]:
        name_words = {w for w in re.findall(r"\w+", supplier.name.lower()) if len(w) > 2}
        assert name_words & words, supplier.name


@pytest.mark.django_db
def test_seeded_suppliers_are_found_by_the_search_page(client):
    seed(120)
    supplier = seeded_suppliers().filter(state=SupplierState.VERIFIED).first()
    response = client.get(SEARCH, {"q": supplier.name})
    assert response.status_code == 200
    assert supplier in response.context["page"].object_list


@pytest.mark.django_db
def test_the_same_seed_makes_the_same_suppliers():
    seed(60, seed=7)
    first = list(seeded_suppliers().order_by("kvk_number").values_list("name", "themes"))
    seed(60, seed=7, replace=True)
    again = list(seeded_suppliers().order_by("kvk_number").values_list("name", "themes"))
    assert again == first
    seed(60, seed=8, replace=True)
    other = list(seeded_suppliers().order_by("kvk_number").values_list("name", "themes"))
    assert other != first


@pytest.mark.django_db
def test_seeding_again_is_refused_unless_replacing_and_keeps_other_suppliers():
    demo = SupplierFactory(name="Demo Schoonmaak")
    output = seed(50)
    assert "1 suppliers that were not seeded" in output
    with pytest.raises(CommandError, match="--replace"):
        seed(50)
    assert "nothing to do" in seed(50, if_missing=True)
    seed(30, replace=True)
    assert seeded_suppliers().count() == seeded_organisations().count() == 30
    assert Supplier.objects.filter(pk=demo.pk).exists()
    # --if-missing with another count replaces.
    seed(40, if_missing=True)
    assert seeded_suppliers().count() == 40
    assert Supplier.objects.count() == 41


@pytest.mark.django_db
def test_seed_refuses_a_production_database_and_bad_counts(settings):
    with pytest.raises(CommandError):
        seed(0)
    settings.SETTINGS_MODULE = "impactportal.settings.production"
    with pytest.raises(CommandError, match="production"):
        seed(10)
    assert not Supplier.objects.exists()


# --- benchmark_search -----------------------------------------------------------------------


def test_workload_has_every_kind_and_valid_search_urls():
    assert set(WORKLOAD) == {
        "one word",
        "two words, typo",
        "word + facets",
        "three facets",
        "no filters",
    }
    for paths in WORKLOAD.values():
        assert paths
        assert all(path.startswith(SEARCH) for path in paths)


def test_percentiles_and_report():
    samples = [Sample("one word", 200, n / 1000, 5, 1.0, 10.0) for n in range(1, 101)]
    samples += [Sample("no filters", 200, 0.050, 4, 2.0, 20.0), Sample("no filters", 500, 1.0)]
    load = Load(samples, seconds=10)
    assert percentile([1, 2, 3, 4], 0.5) == 2
    assert percentile(list(range(1, 101)), 0.95) == 95
    rows = {row.kind: row for row in summarise(load)}
    assert rows["one word"].requests == 100
    assert rows["one word"].rate == 10.0
    assert (rows["one word"].p50, rows["one word"].p95, rows["one word"].p99) == (50, 95, 99)
    assert rows["one word"].queries == "5"
    assert rows["no filters"].errors == 1
    assert rows["all"].queries == "4-5"
    assert load.server_errors == 1
    text = report(list(rows.values()))
    assert "p95 ms" in text and "one word" in text
    markdown = report(list(rows.values()), markdown=True)
    assert markdown.splitlines()[1].startswith("|---|")


@pytest.mark.django_db
def test_query_count_middleware_reports_what_the_page_ran(client):
    SupplierFactory(name="Koffie Noord")
    middleware = ["procurement.management.commands.benchmark_search.QueryCountMiddleware"]
    with override_settings(MIDDLEWARE=middleware + settings.MIDDLEWARE):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(SEARCH, {"q": "koffie"})
    assert response.status_code == 200
    assert int(response["X-Query-Count"]) == len(queries) > 0
    assert float(response["X-Query-Time"]) >= 0
    assert float(response["X-Server-Time"]) >= float(response["X-Query-Time"])


@pytest.mark.django_db(transaction=True)
def test_client_drives_a_live_server_for_a_few_seconds(tree, live_server):
    seed(40)
    statuses = warm_up(live_server.url, WORKLOAD, rounds=1, concurrency=2)
    assert statuses == {200: sum(len(paths) for paths in WORKLOAD.values())}
    load = run_load(live_server.url, WORKLOAD, seconds=2, concurrency=2)
    assert load.samples and load.seconds >= 2
    assert {sample.status for sample in load.samples} == {200}
    rows = summarise(load)
    assert {row.kind for row in rows} == {*WORKLOAD, "all"}
    assert all(row.errors == 0 and row.requests > 0 for row in rows)


@pytest.mark.django_db(transaction=True)
def test_command_against_a_running_server(tree, live_server):
    seed(30)
    out = StringIO()
    call_command(
        "benchmark_search",
        url=live_server.url,
        duration=1.5,
        concurrency=2,
        warmup_rounds=0,
        markdown=True,
        stdout=out,
    )
    output = out.getvalue()
    for kind in WORKLOAD:
        assert kind in output
    assert "| kind | requests |" in output


def test_command_refuses_bad_arguments():
    with pytest.raises(CommandError):
        call_command("benchmark_search", concurrency=0, url="http://127.0.0.1:9")


def test_a_server_that_does_not_answer_is_reported():
    with pytest.raises(ServerError, match="No answer"):
        wait_until_up("http://127.0.0.1:9", seconds=0.5)


def test_validate_kvk_of_seed_range():
    with pytest.raises(ValidationError):
        validate_kvk_number("9900000")
    validate_kvk_number(str(SEED_KVK_FIRST))


# --- the search cache (procurement.selectors) ---------------------------------------------
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
    path = f"{SEARCH}?thema={MvoiTheme.SOCIAL_RETURN}&regio={hostile}&omvang=%00"
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
    assert not selectors._results_cache.items


@pytest.mark.django_db
def test_nothing_is_kept_inside_a_transaction_that_wrote():
    search_cache_clear()
    SupplierFactory(name="Wasserij Noord")
    page(q="wasserij")
    facets, suppliers = page(q="wasserij")
    assert facets.total == 1 and not suppliers[0].search_cache_hit
    assert not selectors._facet_cache.items and not selectors._page_cache.items


@pytest.mark.django_db(transaction=True)
def test_the_cache_can_be_switched_off(cache, settings):
    settings.PROCUREMENT_SEARCH_CACHE = False
    SupplierFactory(name="Fietskoeriers Noord")
    page()
    _, suppliers = page()
    assert not suppliers[0].search_cache_hit
    assert not selectors._facet_cache.items and not selectors._page_cache.items
