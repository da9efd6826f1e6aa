"""The seed command makes consistent suppliers; the benchmark command's client and report
work. The benchmark's numbers come from running it (docs/benchmarks.md), not from here:
no timing is asserted."""

import importlib
import re
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from accounts.constants import OrganisationKind
from accounts.validators import validate_kvk_number
from devtools.management.commands.benchmark_search import (
    WORKLOAD,
    Load,
    Sample,
    report,
    run_load,
    summarise,
    warm_up,
)
from devtools.management.commands.seed_suppliers import (
    SEED_KVK_FIRST,
    seeded_organisations,
    seeded_suppliers,
)
from devtools.server import ServerError, wait_until_up
from devtools.tables import percentile
from procurement.constants import LabelKind, SupplierState
from procurement.models import Category, Label, SearchWord, Supplier
from tests.factories import SupplierFactory

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
    # Interpolated between the two nearest measurements; the lowest is p0, the highest p100.
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([4, 1, 3, 2], 99) == pytest.approx(3.97)
    assert percentile(list(range(1, 101)), 95) == pytest.approx(95.05)
    assert percentile([7.5], 95) == 7.5
    rows = {row.kind: row for row in summarise(load)}
    assert rows["one word"].requests == 100
    assert rows["one word"].rate == 10.0
    word = rows["one word"]
    assert (word.p50, word.p95, word.p99) == pytest.approx((50.5, 95.05, 99.01))
    assert rows["one word"].queries == "5"
    assert rows["no filters"].errors == 1
    assert rows["all"].queries == "4-5"
    assert load.server_errors == 1
    text = report(list(rows.values()))
    assert "p95 ms" in text and "one word" in text
    assert text.splitlines()[0].split()[:2] == ["kind", "requests"]
    markdown = report(list(rows.values()), markdown=True).splitlines()
    assert markdown[0].startswith("| kind ") and markdown[1].startswith("|:---")
    assert [cell.strip() for cell in markdown[2].strip("|").split("|")][:3] == [
        "one word",
        "100",
        "10.0",
    ]


@pytest.mark.django_db
def test_query_count_middleware_reports_what_the_page_ran(client):
    SupplierFactory(name="Koffie Noord")
    middleware = ["devtools.middleware.QueryCountMiddleware"]
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
    assert re.search(r"^\| kind +\| +requests \|", output, re.MULTILINE), output


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
