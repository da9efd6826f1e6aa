"""Challenges and their teams."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline

from ..models import Challenge, ChallengeTeam


class ChallengeTeamInline(admin.StackedInline):
    model = ChallengeTeam
    extra = 0
    fields = ["name", "request", "members"]
    autocomplete_fields = ["request"]
    filter_horizontal = ["members"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrganisationKind.COMPANY)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Challenge)
class ChallengeAdmin(PortalModelAdmin):
    list_display = ["title", "date", "place", "requests_count", "teams_count"]
    search_fields = ["title", "place"]
    date_hierarchy = "date"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ChallengeTeamInline, AuditLogInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_requests=Count("requests", distinct=True),
                n_teams=Count("teams", distinct=True),
            )
        )

    @admin.display(description=_("help requests"), ordering="n_requests")
    def requests_count(self, challenge):
        return challenge.n_requests

    @admin.display(description=_("teams"), ordering="n_teams")
    def teams_count(self, challenge):
        return challenge.n_teams
