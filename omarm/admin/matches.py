"""Matches: read-only pages with the conversation, the success-story actions, the
pipeline overview and the CSV export of the filtered list.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Value, When
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from impactportal import spreadsheets
from impactportal.admin_actions import run_service_per_object
from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline, ReadOnlyAdminMixin

from .. import figures, services
from ..constants import MatchState, StoryState
from ..models import Match, MatchMessage
from .filters import StaleFilter


class MatchMessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = MatchMessage
    extra = 0
    can_delete = False
    fields = ["created_at", "author_name", "body"]
    readonly_fields = fields
    verbose_name_plural = _("conversation")


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@admin.register(Match)
class MatchAdmin(PortalModelAdmin):
    change_list_template = "admin/omarm/match/change_list.html"
    list_display = [
        "created_at",
        "state",
        "business",
        "social_organisation",
        "subject",
        "last_activity_at",
        "stale",
        "proposed_by_coordinator",
        "story_state",
    ]
    list_display_links = ["created_at", "subject"]
    list_filter = ["state", StaleFilter, "proposed_by_coordinator", "story_state"]
    list_select_related = ["business", "social_organisation", "request", "offer"]
    search_fields = [
        "business__name",
        "social_organisation__name",
        "request__title",
        "offer__title",
    ]
    list_per_page = 50
    actions = ["publish_story", "unpublish_story"]
    fields = [
        "state",
        "business",
        "social_organisation",
        "request",
        "offer",
        "started_by",
        "proposed_by_coordinator",
        "created_at",
        "last_activity_at",
        "matched_at",
        "completed_at",
        "broken_off_reason",
        "result_story",
        "hours",
        "value_eur",
        "counts_for_social_return",
        "social_return_eur",
        "story_state",
        "story_published_at",
    ]
    readonly_fields = fields
    inlines = [MatchMessageInline, AuditLogInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .annotate(
                is_stale=Case(
                    When(figures.stale_matches_q(), then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
            )
        )

    def has_add_permission(self, request):
        return False  # matches start on the site or through "propose a match"

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def get_actions(self, request):
        if not super().has_change_permission(request):
            return {}
        return super().get_actions(request)

    @admin.display(description=_("about"))
    def subject(self, match):
        return match.request or match.offer

    @admin.display(description=_("stale"), boolean=True, ordering="is_stale")
    def stale(self, match):
        return match.is_stale

    # Actions --------------------------------------------------------------------------

    @admin.action(description=_("Publish the success story"), permissions=["change"])
    def publish_story(self, request, queryset):
        run_service_per_object(
            self,
            request,
            queryset,
            lambda m: services.match_publish_story(match=m, coordinator=request.user),
            lambda n: ngettext("%(n)d story published.", "%(n)d stories published.", n) % {"n": n},
        )

    @admin.action(description=_("Take the success story down"), permissions=["change"])
    def unpublish_story(self, request, queryset):
        run_service_per_object(
            self,
            request,
            queryset,
            lambda m: services.match_publish_story(
                match=m, coordinator=request.user, publish=False
            ),
            lambda n: (
                ngettext("%(n)d story taken down.", "%(n)d stories taken down.", n) % {"n": n}
            ),
        )

    # Pipeline and export ---------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("pijplijn/", view(require_safe(self.pipeline_view)), name="omarm_match_pipeline"),
            path("export/", view(require_safe(self.export_view)), name="omarm_match_export"),
        ] + super().get_urls()

    def pipeline_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        counts = figures.match_pipeline_counts()
        changelist = reverse("admin:omarm_match_changelist")
        states = [
            {
                "label": state.label,
                "count": counts[state.value],
                "url": f"{changelist}?state__exact={state.value}",
            }
            for state in MatchState
        ]
        stale = (
            Match.objects.filter(figures.stale_matches_q())
            .select_related("business", "social_organisation", "request", "offer")
            .order_by("last_activity_at")
        )
        return TemplateResponse(
            request,
            "admin/omarm/match/pipeline.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Match pipeline"),
                "opts": self.model._meta,
                "counts": counts,
                "states": states,
                "stale_matches": stale,
                "stale_days": figures.stale_match_days(),
                "stale_url": f"{changelist}?stil=ja",
                "changelist_url": changelist,
                "stories_url": f"{changelist}?story_state__exact={StoryState.SUBMITTED.value}",
            },
        )

    def _export_queryset(self, request):
        """The changelist's rows for the filters and search in the query string."""
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return self.get_queryset(request).select_related(*self.list_select_related)
        return changelist.get_queryset(request).select_related(*self.list_select_related)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        header = [
            gettext("started"),
            gettext("state"),
            gettext("business"),
            gettext("social organisation"),
            gettext("help request"),
            gettext("offer"),
            gettext("matched"),
            gettext("completed"),
            gettext("hours"),
            gettext("value (euro)"),
            gettext("counts toward Social Return"),
            gettext("Social Return amount (euro)"),
        ]
        rows = (
            [
                _local(match.created_at),
                match.get_state_display(),
                match.business.name,
                match.social_organisation.name,
                match.request.title if match.request else "",
                match.offer.title if match.offer else "",
                _local(match.matched_at),
                _local(match.completed_at),
                match.hours,
                match.value_eur,
                gettext("Yes") if match.counts_for_social_return else gettext("No"),
                match.social_return_eur,
            ]
            for match in self._export_queryset(request)
        )
        stamp = timezone.localdate().isoformat()
        return spreadsheets.csv_response(header, rows, filename=f"omarm-matches-{stamp}.csv")
