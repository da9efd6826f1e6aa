"""Reports on help requests: the inline on a request's page and the read-only list."""

from __future__ import annotations

from django.contrib import admin

from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import ReadOnlyAdminMixin

from ..models import Report


class ReportInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Report
    extra = 0
    can_delete = False
    fields = ["created_at", "reporter", "reason", "resolved_at"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reporter")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["request", "reporter", "created_at", "resolved_at"]
    list_filter = [("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["request", "reporter"]
    search_fields = ["request__title", "reason"]
    fields = ["request", "reporter", "reason", "created_at", "resolved_at"]
    readonly_fields = fields
