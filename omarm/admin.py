"""The Omarm coordinator's tools: moderation, matches, challenges and areas.

Requests, offers and matches are read-only here: every change goes through
``omarm.services`` (the actions and the views below call them), so the state machines,
the audit log and the e-mails always apply.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from impactportal import spreadsheets
from impactportal.admin_actions import run_service_per_object
from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline, ReadOnlyAdminMixin

from . import figures, services
from .constants import MatchState, PostingState, StoryState
from .models import (
    Area,
    Challenge,
    ChallengeTeam,
    HelpRequest,
    Match,
    MatchMessage,
    Offer,
    Report,
)

# Filters ------------------------------------------------------------------------------


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


# Shared by the actions ------------------------------------------------------------------


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("What needs to change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("The organisation receives this by e-mail."),
    )


class OfferChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.organisation}: {obj.title}"


class ProposeMatchForm(forms.Form):
    business = forms.ModelChoiceField(
        label=_("Business"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.COMPANY),
    )
    offer = OfferChoiceField(
        label=_("Through one of its offers (optional)"),
        required=False,
        queryset=Offer.objects.filter(state=PostingState.OPEN, hidden_at__isnull=True)
        .select_related("organisation")
        .order_by("organisation__name", "title"),
    )
    message = forms.CharField(
        label=_("Message to both sides"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
    )

    def clean(self):
        cleaned = super().clean()
        business, offer = cleaned.get("business"), cleaned.get("offer")
        if business and offer and offer.organisation_id != business.pk:
            self.add_error("offer", _("That offer belongs to another business."))
        return cleaned


# Requests and offers --------------------------------------------------------------------


class PostingAdmin(PortalModelAdmin):
    """What the request and offer admins share: read-only, moderated through actions."""

    change_list_template = "admin/omarm/posting_change_list.html"
    list_select_related = ["organisation", "area"]
    search_fields = ["title", "organisation__name"]
    list_per_page = 50
    actions = ["approve", "send_back", "withdraw"]

    def has_add_permission(self, request):
        return False  # postings are made by their organisations on the site

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw instead: the history stays complete

    def has_change_permission(self, request, obj=None):
        # The change permission opens the actions; one posting's page is read-only.
        return obj is None and super().has_change_permission(request)

    def get_actions(self, request):
        if not super().has_change_permission(request):
            return {}
        return super().get_actions(request)

    @admin.display(description=_("kinds of help"))
    def kinds_display(self, posting):
        return ", ".join(str(label) for label in posting.get_help_kinds_display())

    @admin.display(description=_("hidden"), boolean=True, ordering="hidden_at")
    def hidden(self, posting):
        return posting.hidden_at is not None

    # Actions --------------------------------------------------------------------------

    @admin.action(description=_("Approve: put on the board"), permissions=["change"])
    def approve(self, request, queryset):
        run_service_per_object(
            self,
            request,
            queryset,
            lambda p: services.posting_approve(posting=p, coordinator=request.user),
            lambda n: ngettext("%(n)d approved.", "%(n)d approved.", n) % {"n": n},
        )

    @admin.action(description=_("Send back with a reason..."), permissions=["change"])
    def send_back(self, request, queryset):
        form = SendBackForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            reason = form.cleaned_data["reason"]
            run_service_per_object(
                self,
                request,
                queryset,
                lambda p: services.posting_send_back(
                    posting=p, coordinator=request.user, reason=reason
                ),
                lambda n: ngettext("%(n)d sent back.", "%(n)d sent back.", n) % {"n": n},
            )
            return None
        return TemplateResponse(
            request,
            "admin/omarm/send_back.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Send back"),
                "postings": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Withdraw"), permissions=["change"])
    def withdraw(self, request, queryset):
        run_service_per_object(
            self,
            request,
            queryset,
            lambda p: services.posting_withdraw(posting=p, user=request.user),
            lambda n: ngettext("%(n)d withdrawn.", "%(n)d withdrawn.", n) % {"n": n},
        )


class ReportInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Report
    extra = 0
    can_delete = False
    fields = ["created_at", "reporter", "reason", "resolved_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporter")


@admin.register(HelpRequest)
class HelpRequestAdmin(PostingAdmin):
    change_form_template = "admin/omarm/helprequest/change_form.html"
    list_display = [
        "title",
        "organisation",
        "theme",
        "kinds_display",
        "area",
        "state",
        "wanted_by",
        "hidden",
        "open_reports_display",
    ]
    list_filter = [
        ModerationQueueFilter,
        "state",
        "theme",
        "area",
        HiddenFilter,
        OpenReportsFilter,
    ]
    search_fields = ["title", "story", "organisation__name"]
    actions = [*PostingAdmin.actions, "keep_after_reports", "withdraw_after_reports"]
    fields = [
        "title",
        "organisation",
        "created_by",
        "state",
        "sent_back_reason",
        "theme",
        "kinds_display",
        "area",
        "wanted_by",
        "story",
        "has_photo",
        "photo_description",
        "challenge",
        "hidden_at",
        "created_at",
        "submitted_at",
        "approved_at",
        "closed_at",
        "expiry_reminder_sent_at",
    ]
    readonly_fields = fields
    inlines = [ReportInline, AuditLogInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(*self.list_select_related)
            .annotate(open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)))
        )

    @admin.display(description=_("open reports"), ordering="open_reports")
    def open_reports_display(self, request_):
        return request_.open_reports

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, request_):
        return bool(request_.photo)

    # Reports -------------------------------------------------------------------------

    def _review(self, request, queryset, *, keep: bool, success):
        hidden = [r for r in queryset if r.hidden_at is not None or r.open_reports]
        for skipped in queryset.exclude(pk__in=[r.pk for r in hidden]):
            self.message_user(
                request,
                gettext("%(request)s: has no reports to review.") % {"request": skipped},
                messages.WARNING,
            )
        run_service_per_object(
            self,
            request,
            hidden,
            lambda r: services.request_review_reports(
                request=r, coordinator=request.user, keep=keep
            ),
            success,
        )

    @admin.action(description=_("After reports: keep on the board"), permissions=["change"])
    def keep_after_reports(self, request, queryset):
        self._review(
            request,
            queryset,
            keep=True,
            success=lambda n: ngettext("%(n)d kept.", "%(n)d kept.", n) % {"n": n},
        )

    @admin.action(description=_("After reports: withdraw"), permissions=["change"])
    def withdraw_after_reports(self, request, queryset):
        self._review(
            request,
            queryset,
            keep=False,
            success=lambda n: ngettext("%(n)d withdrawn.", "%(n)d withdrawn.", n) % {"n": n},
        )

    # Propose a match -----------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/koppelen/",
                view(self.propose_view),
                name="omarm_helprequest_propose",
            ),
        ] + super().get_urls()

    def propose_view(self, request, pk):
        if not (self.has_change_permission(request) and self.has_view_permission(request)):
            raise PermissionDenied
        help_request = get_object_or_404(
            HelpRequest.objects.select_related("organisation", "area"), pk=pk
        )
        form = ProposeMatchForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                match = services.match_propose(
                    request=help_request,
                    business=form.cleaned_data["business"],
                    offer=form.cleaned_data["offer"],
                    coordinator=request.user,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                for text in error.messages:
                    form.add_error(None, text)
            else:
                self.message_user(
                    request,
                    gettext("Match proposed to %(business)s.") % {"business": match.business},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:omarm_match_change", args=[match.pk]))
        return TemplateResponse(
            request,
            "admin/omarm/helprequest/propose.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Propose a match"),
                "help_request": help_request,
                "form": form,
                "opts": self.model._meta,
                "original": help_request,
            },
        )


@admin.register(Offer)
class OfferAdmin(PostingAdmin):
    list_display = [
        "title",
        "organisation",
        "kinds_display",
        "area",
        "state",
        "valid_until",
        "hidden",
    ]
    list_filter = [ModerationQueueFilter, "state", "area", HiddenFilter]
    search_fields = ["title", "description", "capacity", "organisation__name"]
    fields = [
        "title",
        "organisation",
        "created_by",
        "state",
        "sent_back_reason",
        "kinds_display",
        "area",
        "description",
        "capacity",
        "valid_until",
        "hidden_at",
        "created_at",
        "submitted_at",
        "approved_at",
        "closed_at",
        "expiry_reminder_sent_at",
    ]
    readonly_fields = fields
    inlines = [AuditLogInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(*self.list_select_related)


# Matches --------------------------------------------------------------------------------


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
            path("pijplijn/", view(self.pipeline_view), name="omarm_match_pipeline"),
            path("export/", view(self.export_view), name="omarm_match_export"),
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


# Challenges, areas, reports -------------------------------------------------------------


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


@admin.register(Area)
class AreaAdmin(PortalModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # postings point at areas (PROTECT)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["request", "reporter", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["request", "reporter"]
    search_fields = ["request__title", "reason"]
    fields = ["request", "reporter", "reason", "created_at", "resolved_at"]
    readonly_fields = fields
