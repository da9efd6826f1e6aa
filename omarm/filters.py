"""Filters of the Omarm board. One GET form filters requests and offers alike, so a
filtered board is a link that can be shared (``?thema=armoede&hulp=geld&gebied=oost``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .constants import HelpKind, Theme
from .models import Area, HelpRequest, Offer
from .selectors import search_postings

KIND_CHOICES = [("hulpvragen", _("Help requests")), ("aanbod", _("Offers"))]


class PostingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        max_length=200,
        help_text=_("Words in the title or the text, for example: laptops, taalles."),
    )
    soort = django_filters.ChoiceFilter(
        label=_("Show"),
        choices=KIND_CHOICES,
        empty_label=_("Requests and offers"),
        method="filter_kind",
    )
    thema = django_filters.ChoiceFilter(
        label=_("Theme"),
        choices=Theme.choices,
        empty_label=_("All themes"),
        method="filter_theme",
        help_text=_("Offers have no theme; they stay in the list."),
    )
    hulp = django_filters.MultipleChoiceFilter(
        label=_("Kind of help"),
        choices=HelpKind.choices,
        method="filter_help_kinds",
        widget=forms.CheckboxSelectMultiple,
    )
    gebied = django_filters.ModelChoiceFilter(
        label=_("Area"),
        queryset=Area.objects.all(),
        to_field_name="slug",
        field_name="area",
        empty_label=_("All areas"),
    )

    # Which value of ``soort`` this filter set's postings belong to.
    kind = ""

    class Meta:
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return search_postings(queryset, value)

    def filter_kind(self, queryset, name, value):
        return queryset if value == self.kind else queryset.none()

    def filter_theme(self, queryset, name, value):
        return queryset

    def filter_help_kinds(self, queryset, name, value):
        return queryset.filter(help_kinds__overlap=list(value)) if value else queryset

    @property
    def has_filters(self) -> bool:
        return self.is_bound and any(self.form.cleaned_data.get(name) for name in self.filters)


class RequestFilter(PostingFilter):
    kind = "hulpvragen"

    class Meta:
        model = HelpRequest
        fields: list[str] = []

    def filter_theme(self, queryset, name, value):
        return queryset.filter(theme=value)


class OfferFilter(PostingFilter):
    kind = "aanbod"

    class Meta:
        model = Offer
        fields: list[str] = []
