"""Search of Platform Goed Inkopen: ranking, typo tolerance, facets, visibility, sorting.

Mostly through the search page (``/goed-inkopen/``), so what is tested is what a buyer gets;
the result is read from ``response.context``.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from procurement.constants import (
    LabelKind,
    MvoiTheme,
    PsoLevel,
    Region,
    SizeClass,
    SortOrder,
    SupplierState,
)
from procurement.filters import SupplierFilter
from procurement.models import Category
from procurement.selectors import (
    category_tree,
    confirmed_since,
    facet_counts,
    order_results,
    public_suppliers,
)
from procurement.services import search_words_rebuild
from tests.factories import LabelFactory, SupplierFactory

pytestmark = pytest.mark.django_db

SEARCH = "/goed-inkopen/"
NOT_PUBLIC = (
    SupplierState.DRAFT,
    SupplierState.SUBMITTED,
    SupplierState.SENT_BACK,
    SupplierState.WITHDRAWN,
)


def results(client, **params):
    """Names of the suppliers on the page, in order."""
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    return [supplier.name for supplier in response.context["page"].object_list]


def total(client, params) -> int:
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert not response.context["form"].errors, response.context["form"].errors
    return response.context["total"]


def filtered_count(params) -> int:
    filterset = SupplierFilter(params, queryset=public_suppliers(), categories=category_tree())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs.count()


def filtered(**params):
    filterset = SupplierFilter(params, queryset=public_suppliers(), categories=category_tree())
    assert filterset.is_valid(), filterset.errors
    qs = filterset.qs
    return filterset, list(order_results(qs, filterset.search, filterset.sort)), facet_counts(qs)


def test_smoke():
    a = SupplierFactory(
        name="Groenkracht",
        short_description="Groenonderhoud met leerwerkplekken",
        themes=[MvoiTheme.CLIMATE],
    )
    b = SupplierFactory(
        name="Schoon en Sociaal", themes=[MvoiTheme.SOCIAL_RETURN, MvoiTheme.CLIMATE]
    )
    LabelFactory(supplier=b)
    LabelFactory(supplier=a, kind=LabelKind.BCORP, pso_level="", expired=True)
    SupplierFactory(name="Verborgen", state=SupplierState.DRAFT)
    search_words_rebuild()
    f, found, facets = filtered(q="groenkragt")
    assert [s.name for s in found] == ["Groenkracht"], (f.search, found)
    f, found, facets = filtered(thema=[MvoiTheme.CLIMATE])
    assert facets.total == 2
    assert facets.of("label", "pso") == 1
    assert facets.of("label", "bcorp") == 0
    assert facets.of("regio", Region.CITY) == 2


# Ranking ---------------------------------------------------------------------------------


def test_an_exact_name_match_comes_first(client):
    # All three have the word in their name and short description; only one is named it.
    SupplierFactory(
        name="Catering Plus Groningen",
        short_description="Catering, catering en nog eens catering voor kantoren",
        products=[("Catering op locatie", "55520000")],
    )
    SupplierFactory(name="Catering", short_description="Lunches voor bedrijven")
    SupplierFactory(name="Aa Catering", short_description="Catering voor evenementen")
    assert results(client, q="catering")[0] == "Catering"
    assert results(client, q="CATERING")[0] == "Catering"


def test_field_weights_name_over_products_and_summary_over_long_description(client):
    # Alphabetical order is the opposite of the expected rank, so a tie cannot pass.
    SupplierFactory(
        name="Aaa Bouw",
        short_description="Bouwbedrijf",
        description="Wij leggen ook een zonnedak aan.",
    )
    SupplierFactory(name="Aab Installatie", short_description="Wij leggen een zonnedak aan")
    SupplierFactory(
        name="Aac Techniek",
        short_description="Technisch installatiebedrijf",
        products=[("Zonnedak montage", "45300000")],
    )
    SupplierFactory(name="Zonnedak Noord", short_description="Installatiebedrijf")
    ranked = results(client, q="zonnedak")
    assert ranked[0] == "Zonnedak Noord"  # name (A)
    assert set(ranked[1:3]) == {"Aab Installatie", "Aac Techniek"}  # short description, product (B)
    assert ranked[3] == "Aaa Bouw"  # long description only (C)


def test_a_typo_still_finds_the_supplier(client):
    SupplierFactory(
        name="Groenkracht",
        short_description="Groenonderhoud en circulaire tuinen",
        products=[("Groenonderhoud", "77300000")],
    )
    SupplierFactory(
        name="Poetsploeg", short_description="Schoonmaak van kantoren en scholen", products=[]
    )
    SupplierFactory(name="Drukkerij Noord", short_description="Drukwerk", products=[])
    search_words_rebuild()
    assert results(client, q="groenkragt") == ["Groenkracht"]
    assert results(client, q="schoonmak") == ["Poetsploeg"]
    assert results(client, q="schonmaak") == ["Poetsploeg"]
    assert results(client, q="poetsplog kantoren") == ["Poetsploeg"]
    response = client.get(SEARCH, {"q": "cirkulaire"})
    assert [s.name for s in response.context["page"].object_list] == ["Groenkracht"]
    assert ("cirkulaire", "circulaire") in response.context["search"].corrections
    # The page says what else it searched for.
    page = response.content.decode()
    assert 'class="gi-corrections"' in page
    assert "<strong>circulaire</strong>" in page


def test_a_half_typed_word_finds_the_supplier(client):
    SupplierFactory(name="Groenkracht", short_description="Tuinen")
    SupplierFactory(name="Textiel Noord", products=[("Bedrijfskleding met logo", "18100000")])
    assert results(client, q="groenk") == ["Groenkracht"]
    assert results(client, q="bedrijfskl") == ["Textiel Noord"]
    assert results(client, q="groenk tuin") == ["Groenkracht"]  # every word must match


def test_a_prefix_the_stemmer_would_change_still_finds_the_supplier(client):
    """Dutch stemming turns "schoon" into "schon", which does not start "schoonmak"."""
    SupplierFactory(name="Poetsploeg", short_description="Schoonmaak van kantoren", products=[])
    SupplierFactory(name="Drukkerij Noord", short_description="Drukwerk", products=[])
    assert results(client, q="schoon") == ["Poetsploeg"]
    assert results(client, q="schoon kantoren") == ["Poetsploeg"]


def test_words_that_match_nothing_give_no_results(client):
    SupplierFactory(name="Groenkracht")
    search_words_rebuild()
    assert results(client, q="xylofoonquartet") == []
    assert results(client, q="groenkracht xylofoonquartet") == []


# Facets ----------------------------------------------------------------------------------


@pytest.fixture
def catalogue(db):
    """Suppliers spread over every facet, with valid, expired and future labels."""
    today = timezone.localdate()
    old = timezone.now() - timedelta(days=900)
    suppliers = [
        SupplierFactory(
            name="Groenkracht",
            themes=[MvoiTheme.CLIMATE, MvoiTheme.CIRCULAR],
            sdgs=[13, 15],
            region=Region.CITY,
            size=SizeClass.SMALL,
            impact_first=True,
            products=[("Groenonderhoud", "77300000"), ("Kantoorschoonmaak", "90900000")],
        ),
        SupplierFactory(
            name="Schoon en Sociaal",
            themes=[MvoiTheme.SOCIAL_RETURN, MvoiTheme.CLIMATE],
            sdgs=[8],
            region=Region.PROVINCE,
            size=SizeClass.MEDIUM,
            impact_first=True,
            products=[("Glasbewassing", "90900000")],
        ),
        SupplierFactory(
            name="Drukkerij Noord",
            themes=[MvoiTheme.CIRCULAR],
            sdgs=[12, 13],
            region=Region.DRENTHE,
            size=SizeClass.MICRO,
            products=[("Drukwerk", "79800000"), ("Schoonmaak van drukpersen", "90900000")],
        ),
        SupplierFactory(
            name="Koffie Kollektief",
            themes=[MvoiTheme.SUPPLY_CHAIN, MvoiTheme.DIVERSITY],
            sdgs=[8, 10],
            region=Region.CITY,
            size=SizeClass.SOLO,
            impact_first=True,
            products=[("Koffie", "15860000"), ("Catering", "55520000")],
            verified_at=old,
            confirmed_at=old,
        ),
        SupplierFactory(
            name="Fietskoerier Stad",
            themes=[MvoiTheme.CLIMATE],
            region=Region.FRYSLAN,
            size=SizeClass.SMALL,
            products=[("Pakketbezorging", "60160000")],
        ),
    ]
    groen, schoon, druk, koffie, fiets = suppliers
    LabelFactory(supplier=groen, kind=LabelKind.PSO, pso_level=PsoLevel.STEP_3)
    LabelFactory(supplier=groen, kind=LabelKind.BCORP, pso_level="")
    LabelFactory(supplier=schoon, kind=LabelKind.PSO)
    LabelFactory(supplier=schoon, kind=LabelKind.CODE_SOCIAL, pso_level="", expired=True)
    LabelFactory(supplier=druk, kind=LabelKind.BCORP, pso_level="", expired=True)
    LabelFactory(
        supplier=koffie,
        kind=LabelKind.CODE_SOCIAL,
        pso_level="",
        valid_from=today + timedelta(days=1),
        valid_until=today + timedelta(days=400),
    )
    LabelFactory(supplier=koffie, kind=LabelKind.OTHER, pso_level="", name="Fairtrade")
    # Not public: must never be counted.
    for state in NOT_PUBLIC:
        hidden = SupplierFactory(
            name=f"Verborgen {state}",
            state=state,
            themes=list(MvoiTheme),
            sdgs=[8, 13],
            products=[("Kantoorschoonmaak", "90900000")],
        )
        LabelFactory(supplier=hidden)
    search_words_rebuild()
    return suppliers


FACET_CHOICES = {
    "thema": [value for value, _label in MvoiTheme.choices],
    "label": [value for value, _label in LabelKind.choices],
    "regio": [value for value, _label in Region.choices],
    "omvang": [value for value, _label in SizeClass.choices],
    "impact": ["first", "second"],
    "bevestigd": ["recent", "niet-recent"],
    "sdg": [str(n) for n in range(1, 18)],
}
MULTIPLE = {"thema", "label", "sdg"}


def with_choice(base: dict, facet: str, value: str) -> dict:
    params = {
        key: list(values) if isinstance(values, list) else values for key, values in base.items()
    }
    if facet in MULTIPLE:
        params[facet] = [*params.get(facet, []), value]
    else:
        params[facet] = value
    return params


@pytest.mark.parametrize(
    "base",
    [
        {},
        {"q": "schoonmaak"},
        {"thema": [MvoiTheme.CLIMATE]},
        {"label": [LabelKind.PSO], "impact": "first"},
        {"categorie": "90000000"},
        {"regio": Region.CITY, "sdg": ["8"]},
    ],
    ids=["nothing", "words", "theme", "label+impact", "category", "region+sdg"],
)
def test_every_facet_count_is_the_size_of_the_result_it_leads_to(client, catalogue, base):
    response = client.get(SEARCH, base)
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts.total == response.context["total"] == filtered_count(base) > 0
    # Every choice the page offers: choosing it shows exactly the count next to it.
    offered = 0
    for facet in response.context["facets"]:
        for option in facet.options:
            if option.count is not None and not option.selected:
                assert total(client, with_choice(base, facet.name, option.value)) == option.count
                offered += 1
    assert offered >= 5
    # Every value of every facet, also those not offered (count 0). Single-choice facets
    # only while nothing is chosen in them: a second choice replaces the first.
    choices = {**FACET_CHOICES, "categorie": list(category_tree())}
    for facet, values in choices.items():
        if facet in base and facet not in MULTIPLE:
            continue
        for value in values:
            if value in base.get(facet, []):
                continue
            assert filtered_count(with_choice(base, facet, value)) == counts.of(facet, value), (
                facet,
                value,
            )


def test_facets_show_only_choices_with_results_unless_chosen(client, catalogue):
    response = client.get(SEARCH, {"thema": [MvoiTheme.DIVERSITY], "label": [LabelKind.BCORP]})
    assert response.context["total"] == 0
    facets = {facet.name: facet for facet in response.context["facets"]}
    assert [(o.value, o.count, o.selected) for o in facets["label"].options] == [("bcorp", 0, True)]
    assert [(o.value, o.selected) for o in facets["thema"].options] == [("diversiteit", True)]
    response = client.get(SEARCH)
    facets = {facet.name: facet for facet in response.context["facets"]}
    assert {o.value for o in facets["regio"].options} == {
        "",
        "groningen",
        "ommelanden",
        "drenthe",
        "fryslan",
    }
    assert all(o.count for o in facets["sdg"].options)
    assert {o.value for o in facets["sdg"].options} == {"8", "10", "12", "13", "15"}


def test_category_facet_drills_down_and_back(client, catalogue):
    response = client.get(SEARCH)
    options = next(f for f in response.context["facets"] if f.name == "categorie").options
    tops = {c.code for c in Category.objects.filter(parent=None)}
    assert options[0].value == "" and options[0].selected
    assert {o.value for o in options[1:]} <= tops
    assert {o.value for o in options[1:]} == {
        "15000000",
        "55000000",
        "60000000",
        "77000000",
        "79000000",
        "90000000",
    }
    response = client.get(SEARCH, {"categorie": "90000000"})
    options = next(f for f in response.context["facets"] if f.name == "categorie").options
    assert [(o.value, o.kind, o.count, o.selected) for o in options] == [
        ("", "all", None, False),
        ("90000000", "current", 3, True),
        ("90900000", "child", 3, False),
    ]
    response = client.get(SEARCH, {"categorie": "15860000"})
    options = next(f for f in response.context["facets"] if f.name == "categorie").options
    assert [(o.value, o.kind) for o in options] == [
        ("", "all"),
        ("15000000", "up"),
        ("15800000", "up"),
        ("15860000", "current"),
    ]
    assert response.context["total"] == 1
    page = response.content.decode()
    assert 'id="f-categorie-15800000"' in page  # the way back is a real choice


def test_an_expired_or_future_label_never_counts_nor_filters(client, catalogue):
    groen, schoon, druk, koffie, _fiets = catalogue
    response = client.get(SEARCH)
    counts = response.context["counts"]
    assert counts.of("label", LabelKind.PSO) == 2
    assert counts.of("label", LabelKind.BCORP) == 1  # Drukkerij's has expired
    assert counts.of("label", LabelKind.CODE_SOCIAL) == 0  # one expired, one from tomorrow
    assert results(client, label=LabelKind.BCORP) == ["Groenkracht"]
    assert results(client, label=LabelKind.CODE_SOCIAL) == []
    # The cards show only labels valid today.
    shown = {
        s.name: [label.kind for label in s.valid_labels]
        for s in response.context["page"].object_list
    }
    assert shown["Drukkerij Noord"] == []
    assert shown["Schoon en Sociaal"] == [LabelKind.PSO]
    assert shown["Koffie Kollektief"] == [LabelKind.OTHER]


def test_a_label_that_expires_drops_out_the_day_after(client, catalogue):
    groen = catalogue[0]
    groen.labels.filter(kind=LabelKind.BCORP).update(valid_until=timezone.localdate())
    assert results(client, label=LabelKind.BCORP) == ["Groenkracht"]  # last valid day
    groen.labels.filter(kind=LabelKind.BCORP).update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    assert results(client, label=LabelKind.BCORP) == []


def test_recently_confirmed_facet_uses_the_grace_period(client, catalogue):
    assert results(client, bevestigd="niet-recent") == ["Koffie Kollektief"]
    assert "Koffie Kollektief" not in results(client, bevestigd="recent")
    koffie = catalogue[3]
    koffie.confirmed_at = confirmed_since() + timedelta(days=1)
    koffie.save()
    assert results(client, bevestigd="niet-recent") == []


# Visibility ------------------------------------------------------------------------------


def test_profiles_that_are_not_verified_never_appear(client, catalogue):
    everything = results(client)
    assert len(everything) == 5
    assert not [name for name in everything if name.startswith("Verborgen")]
    assert results(client, q="verborgen") == []
    for state in NOT_PUBLIC:
        assert results(client, q=f"Verborgen {state}") == []
    response = client.get(SEARCH, {"thema": [MvoiTheme.DIVERSITY]})
    assert response.context["counts"].of("thema", MvoiTheme.DIVERSITY) == 1


# Sorting ---------------------------------------------------------------------------------


def test_sort_orders(client):
    now = timezone.now()
    SupplierFactory(
        name="Appeltaart", verified_at=now - timedelta(days=90), short_description="Brood en taart"
    )
    SupplierFactory(
        name="bakkerij Zoet", verified_at=now - timedelta(days=2), short_description="Brood"
    )
    SupplierFactory(
        name="Brood", verified_at=now - timedelta(days=30), short_description="Bakkerij"
    )
    by_name = ["Appeltaart", "bakkerij Zoet", "Brood"]
    by_verified = ["bakkerij Zoet", "Brood", "Appeltaart"]
    # Without words: by name (case does not matter); relevance is not offered.
    response = client.get(SEARCH)
    assert [s.name for s in response.context["page"].object_list] == by_name
    assert [value for value, _label in response.context["sort_choices"]] == ["", "geverifieerd"]
    assert response.context["sort_selected"] == ""
    assert results(client, sortering=SortOrder.RELEVANCE) == by_name
    assert results(client, sortering=SortOrder.NAME) == by_name
    assert results(client, sortering=SortOrder.VERIFIED) == by_verified
    response = client.get(SEARCH, {"sortering": SortOrder.VERIFIED})
    assert response.context["sort_selected"] == SortOrder.VERIFIED
    # With words: relevance by default (the exact name first), or as chosen.
    response = client.get(SEARCH, {"q": "brood"})
    assert [s.name for s in response.context["page"].object_list][0] == "Brood"
    assert response.context["sort_selected"] == ""
    assert [value for value, _label in response.context["sort_choices"]] == [
        "",
        "naam",
        "geverifieerd",
    ]
    assert results(client, q="brood", sortering=SortOrder.NAME) == by_name
    assert results(client, q="brood", sortering=SortOrder.VERIFIED) == by_verified
