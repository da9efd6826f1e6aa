"""The search form of Platform Goed Inkopen. One GET form, so every result is a link that
can be shared (``?q=catering&thema=circulair&label=pso&regio=groningen``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import MAX_QUERY_LENGTH, LabelKind, MvoiTheme, Region, Sdg, SizeClass, SortOrder
from .selectors import TextSearch, apply_text_search, confirmed_since, text_search, with_valid_label

IMPACT_CHOICES = [("first", _("Impact first")), ("second", _("Impact second"))]
CONFIRMED_CHOICES = [
    ("recent", _("Recently confirmed")),
    ("niet-recent", _("Not recently confirmed")),
]


class SupplierFilter(django_filters.FilterSet):
    # Choices are given as callables: the filters and the form copy their fields for
    # every request, and deep-copying the choice lists (some ninety pairs) took longer
    # than the rest of building and checking the form.
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=MAX_QUERY_LENGTH,
        help_text=_("A name, product or service, for example: catering, bedrijfskleding."),
    )
    thema = django_filters.MultipleChoiceFilter(
        label=_("MVOI theme"),
        choices=lambda: MvoiTheme.choices,
        method="filter_themes",
        widget=forms.CheckboxSelectMultiple,
    )
    label = django_filters.MultipleChoiceFilter(
        label=_("Label"),
        choices=lambda: LabelKind.choices,
        method="filter_labels",
        widget=forms.CheckboxSelectMultiple,
    )
    regio = django_filters.ChoiceFilter(
        label=_("Region"),
        choices=lambda: Region.choices,
        field_name="region",
        empty_label=_("All regions"),
    )
    # Choices are the category tree, given by the view (it draws the tree anyway).
    categorie = django_filters.ChoiceFilter(
        label=_("Category"), choices=[], method="filter_category", empty_label=_("All categories")
    )
    omvang = django_filters.ChoiceFilter(
        label=_("Size"),
        choices=lambda: SizeClass.choices,
        field_name="size",
        empty_label=_("All sizes"),
    )
    impact = django_filters.ChoiceFilter(
        label=_("Impact"),
        choices=lambda: IMPACT_CHOICES,
        method="filter_impact",
        empty_label=_("All"),
    )
    sdg = django_filters.MultipleChoiceFilter(
        label=_("SDG"),
        choices=lambda: Sdg.choices,
        method="filter_sdgs",
        widget=forms.CheckboxSelectMultiple,
    )
    bevestigd = django_filters.ChoiceFilter(
        label=_("Verification"),
        choices=lambda: CONFIRMED_CHOICES,
        method="filter_confirmed",
        empty_label=_("All"),
    )
    sortering = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=lambda: SortOrder.choices,
        method="filter_nothing",
        empty_label=None,
        null_label=None,
    )

    class Meta:
        fields: list[str] = []

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories or {}
        self.filters["categorie"].extra["choices"] = lambda: [
            (code, category.name) for code, category in self.categories.items()
        ]
        self.search = TextSearch("", None)

    def filter_text(self, queryset, name, value):
        self.search = text_search(value)
        return apply_text_search(queryset, self.search)

    def filter_themes(self, queryset, name, value):
        return queryset.filter(themes__contains=list(value)) if value else queryset

    def filter_sdgs(self, queryset, name, value):
        return queryset.filter(sdgs__contains=[int(v) for v in value]) if value else queryset

    def filter_labels(self, queryset, name, value):
        for kind in value:
            queryset = with_valid_label(queryset, kind)
        return queryset

    def filter_category(self, queryset, name, value):
        return queryset.filter(category_codes__contains=[value])

    def filter_impact(self, queryset, name, value):
        return queryset.filter(impact_first=value == "first")

    def filter_confirmed(self, queryset, name, value):
        if value == "recent":
            return queryset.filter(confirmed_at__gte=confirmed_since())
        return queryset.exclude(confirmed_at__gte=confirmed_since())

    def filter_nothing(self, queryset, name, value):
        return queryset

    @property
    def sort(self) -> str:
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        return data.get("sortering") or SortOrder.RELEVANCE
