"""The inquiries procurement officers sent and where they went (read-only)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline, ReadOnlyAdminMixin

from ..models import Inquiry, InquiryRecipient


class InquiryRecipientInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InquiryRecipient
    extra = 0
    can_delete = False
    fields = ["supplier", "email", "delivery"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supplier", "message")

    def has_view_permission(self, request, obj=None):
        # Recipients are part of the inquiry; whoever may read it sees where it went.
        return request.user.has_perm("procurement.view_inquiry")

    @admin.display(description=_("e-mail"))
    def delivery(self, recipient):
        return recipient.message.get_state_display() if recipient.message else "-"


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["subject", "sender", "sent_at", "recipients_count", "shortlist"]
    list_select_related = ["sender", "shortlist"]
    search_fields = ["subject", "sender__email", "sender__name"]
    date_hierarchy = "sent_at"
    fields = ["subject", "sender", "shortlist", "sent_at", "message"]
    readonly_fields = fields
    inlines = [InquiryRecipientInline, AuditLogInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_recipients=Count("recipients"))

    @admin.display(description=_("recipients"), ordering="n_recipients")
    def recipients_count(self, inquiry):
        return inquiry.n_recipients
