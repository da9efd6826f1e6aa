"""List filters shared by the Omarm admin pages: the moderation queue, hidden after
reports, open reports and stale matches.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import figures
from ..constants import PostingState


class ModerationQueueFilter(admin.SimpleListFilter):
    """What waits for the coordinator: submitted postings and postings hidden by reports."""

    title = _("moderation queue")
    parameter_name = "wachtrij"

    def lookups(self, request, model_admin):
        return [
            ("ja", _("everything waiting")),
            ("goedkeuren", _("waiting for approval")),
            ("gemeld", _("hidden after reports")),
        ]

    def queryset(self, request, queryset):
        submitted = Q(state=PostingState.SUBMITTED)
        hidden = Q(hidden_at__isnull=False)
        if self.value() == "ja":
            return queryset.filter(submitted | hidden)
        if self.value() == "goedkeuren":
            return queryset.filter(submitted)
        if self.value() == "gemeld":
            return queryset.filter(hidden)
        return queryset


class YesNoFilter(admin.SimpleListFilter):
    """A yes/no filter; subclasses give the two conditions."""

    yes: Q
    no: Q

    def lookups(self, request, model_admin):
        return [("ja", _("Yes")), ("nee", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "ja":
            return queryset.filter(self.yes)
        if self.value() == "nee":
            return queryset.filter(self.no)
        return queryset


class HiddenFilter(YesNoFilter):
    title = _("hidden after reports")
    parameter_name = "verborgen"
    yes = Q(hidden_at__isnull=False)
    no = Q(hidden_at__isnull=True)


class OpenReportsFilter(YesNoFilter):
    title = _("open reports")
    parameter_name = "meldingen"
    yes = Q(open_reports__gt=0)
    no = Q(open_reports=0)


class StaleFilter(admin.SimpleListFilter):
    title = _("stale")
    parameter_name = "stil"

    def lookups(self, request, model_admin):
        return [("ja", _("Yes")), ("nee", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "ja":
            return queryset.filter(figures.stale_matches_q())
        if self.value() == "nee":
            return queryset.exclude(figures.stale_matches_q())
        return queryset
