"""List filters of the supplier and label lists."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..constants import LABEL_REMINDER_DAYS, MvoiTheme, SupplierState


class VerificationQueueFilter(admin.SimpleListFilter):
    """What waits for the coordinator: new profiles, and verified ones changed since."""

    title = _("verification queue")
    parameter_name = "wachtrij"

    def lookups(self, request, model_admin):
        return [
            ("ja", _("everything waiting")),
            ("nieuw", _("submitted")),
            ("gewijzigd", _("changed since verification")),
        ]

    def queryset(self, request, queryset):
        submitted = Q(state=SupplierState.SUBMITTED)
        changed = Q(state=SupplierState.VERIFIED, changed_since_verification=True)
        if self.value() == "ja":
            return queryset.filter(submitted | changed)
        if self.value() == "nieuw":
            return queryset.filter(submitted)
        if self.value() == "gewijzigd":
            return queryset.filter(changed)
        return queryset


class ConfirmationFilter(admin.SimpleListFilter):
    """Verified profiles whose owner has not confirmed them for over a year and a grace
    period are "niet recent bevestigd"."""

    title = _("confirmation")
    parameter_name = "bevestigd"

    def lookups(self, request, model_admin):
        return [
            ("niet-recent", _("not recently confirmed")),
            ("gevraagd", _("confirmation requested")),
            ("recent", _("recently confirmed")),
        ]

    def queryset(self, request, queryset):
        since = selectors.confirmed_since()
        verified = queryset.filter(state=SupplierState.VERIFIED)
        if self.value() == "niet-recent":
            return verified.filter(Q(confirmed_at__lt=since) | Q(confirmed_at__isnull=True))
        if self.value() == "gevraagd":
            return verified.filter(reconfirm_requested_at__isnull=False)
        if self.value() == "recent":
            return verified.filter(confirmed_at__gte=since)
        return queryset


class ThemeFilter(admin.SimpleListFilter):
    title = _("MVOI theme")
    parameter_name = "thema"

    def lookups(self, request, model_admin):
        return MvoiTheme.choices

    def queryset(self, request, queryset):
        if self.value() in MvoiTheme.values:
            return queryset.filter(themes__contains=[self.value()])
        return queryset


class LabelValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "geldigheid"

    def lookups(self, request, model_admin):
        return [
            ("binnenkort", _("expires within 3 months")),
            ("verlopen", _("expired")),
            ("geldig", _("valid")),
        ]

    def queryset(self, request, queryset):
        today = selectors.today()
        if self.value() == "binnenkort":
            return queryset.filter(
                valid_until__gte=today, valid_until__lte=today + timedelta(days=LABEL_REMINDER_DAYS)
            )
        if self.value() == "verlopen":
            return queryset.filter(valid_until__lt=today)
        if self.value() == "geldig":
            return queryset.filter(valid_from__lte=today, valid_until__gte=today)
        return queryset
