"""Search of Platform Goed Inkopen: ranking, typo tolerance, facets, visibility."""

import pytest

from procurement.constants import LabelKind, MvoiTheme, Region, SupplierState
from procurement.filters import SupplierFilter
from procurement.selectors import (
    category_tree,
    facet_counts,
    order_results,
    public_suppliers,
    text_search,
)
from procurement.services import search_words_rebuild
from tests.factories import LabelFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def search(**params):
    data = {k: v for k, v in params.items()}
    filterset = SupplierFilter(data, queryset=public_suppliers(), categories=category_tree())
    assert filterset.is_valid(), filterset.errors
    qs = filterset.qs
    return filterset, list(order_results(qs, filterset.search, filterset.sort)), facet_counts(qs)


def test_smoke():
    a = SupplierFactory(name="Groenkracht", short_description="Groenonderhoud met leerwerkplekken", themes=[MvoiTheme.CLIMATE])
    b = SupplierFactory(name="Schoon en Sociaal", themes=[MvoiTheme.SOCIAL_RETURN, MvoiTheme.CLIMATE])
    LabelFactory(supplier=b)
    LabelFactory(supplier=a, kind=LabelKind.BCORP, pso_level="", expired=True)
    SupplierFactory(name="Verborgen", state=SupplierState.DRAFT)
    search_words_rebuild()
    f, results, facets = search(q="groenkragt")
    assert [s.name for s in results] == ["Groenkracht"], (f.search, results)
    f, results, facets = search(thema=[MvoiTheme.CLIMATE])
    assert facets.total == 2
    assert facets.of("label", "pso") == 1
    assert facets.of("label", "bcorp") == 0
    assert facets.of("regio", Region.CITY) == 2
