"""Requests and offers: the moderation queue (approve, send back, withdraw, review after
reports) and the coordinator's "propose a match" page.

Requests and offers are read-only here; the actions and the propose view call
``omarm.services``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from impactportal.admin_actions import run_service_per_object
from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline

from .. import services
from ..constants import PostingState
from ..models import HelpRequest, Offer
from .filters import HiddenFilter, ModerationQueueFilter, OpenReportsFilter
from .reports import ReportInline

# Forms of the actions and the propose view -----------------------------------------------


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
        form = ProposeMatchForm(request.POST if request.method == "POST" else None)
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
