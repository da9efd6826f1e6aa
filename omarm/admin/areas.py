"""The areas postings are placed in."""

from __future__ import annotations

from django.contrib import admin

from impactportal.admin_site import PortalModelAdmin

from ..models import Area


@admin.register(Area)
class AreaAdmin(PortalModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # postings point at areas (PROTECT)
