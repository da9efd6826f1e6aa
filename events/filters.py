"""Filters of the agenda. One GET form for the list and the month calendar, so a
filtered agenda is a link that can be shared (``?soort=training&vorm=online&plek=on``)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .constants import EventTheme, EventType
from .models import Event

FORM_CHOICES = [("online", _("Online")), ("fysiek", _("On location"))]


class CheckboxFilter(django_filters.Filter):
    """A single checkbox: ticked filters, unticked leaves the list as it is."""

    field_class = forms.BooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)


class EventFilter(django_filters.FilterSet):
    soort = django_filters.ChoiceFilter(
        label=_("Type"), choices=EventType.choices, empty_label=_("All types"), field_name="type"
    )
    thema = django_filters.ChoiceFilter(
        label=_("Theme"),
        choices=EventTheme.choices,
        empty_label=_("All themes"),
        method="filter_theme",
    )
    vorm = django_filters.ChoiceFilter(
        label=_("Online or on location"),
        choices=FORM_CHOICES,
        empty_label=_("Both"),
        method="filter_form",
    )
    plek = CheckboxFilter(label=_("Only with places left"), method="filter_places")

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_theme(self, queryset, name, value):
        return queryset.filter(themes__contains=[value]) if value else queryset

    def filter_form(self, queryset, name, value):
        if value == "online":
            return queryset.exclude(online_link="")
        if value == "fysiek":
            return queryset.filter(online_link="")
        return queryset

    def filter_places(self, queryset, name, value):
        # ``seats_taken`` is annotated by selectors.with_places.
        if not value:
            return queryset
        return queryset.filter(Q(capacity__isnull=True) | Q(capacity__gt=F("seats_taken")))
