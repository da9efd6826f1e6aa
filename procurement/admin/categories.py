"""The category tree; a change reindexes the suppliers with products in it
(``services.category_save``)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline

from .. import services
from ..models import Category


@admin.register(Category)
class CategoryAdmin(PortalModelAdmin):
    audited_by_service = True  # save_model calls a service, which audits
    list_display = ["code", "name", "parent", "products_count"]
    list_select_related = ["parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    ordering = ["code"]
    fields = ["code", "name", "parent"]
    inlines = [AuditLogInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_products=Count("products"))

    def has_delete_permission(self, request, obj=None):
        return False  # products point at categories (PROTECT)

    @admin.display(description=_("products and services"), ordering="n_products")
    def products_count(self, category):
        return category.n_products

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj, actor=request.user)
