"""The label expiry overview."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import ReadOnlyAdminMixin

from .. import selectors
from ..constants import LABEL_REMINDER_DAYS
from ..models import Label
from .filters import LabelValidityFilter


def _validity(label: Label) -> str:
    today = selectors.today()
    if label.valid_until < today:
        return gettext("expired")
    if label.valid_from > today:
        return gettext("not yet valid")
    if label.valid_until <= today + timedelta(days=LABEL_REMINDER_DAYS):
        return gettext("expires soon")
    return gettext("valid")


@admin.register(Label)
class LabelAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """The expiry overview. Labels are changed on their supplier's page."""

    change_list_template = "admin/procurement/label/change_list.html"
    list_display = [
        "display_name",
        "supplier_link",
        "supplier_state",
        "valid_from",
        "valid_until",
        "validity_display",
        "reminder_sent_at",
    ]
    list_filter = [LabelValidityFilter, "kind", "pso_level", "supplier__state"]
    list_select_related = ["supplier"]
    search_fields = ["supplier__name", "supplier__kvk_number", "name"]
    date_hierarchy = "valid_until"
    ordering = ["valid_until", "pk"]
    list_per_page = 100
    fields = [
        "supplier",
        "kind",
        "pso_level",
        "name",
        "valid_from",
        "valid_until",
        "evidence_url",
        "reminder_sent_at",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supplier")

    @admin.display(description=_("label"), ordering="kind")
    def display_name(self, label):
        return label.display_name

    @admin.display(description=_("supplier"), ordering="supplier__name")
    def supplier_link(self, label):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:procurement_supplier_change", args=[label.supplier_id]),
            label.supplier.name,
        )

    @admin.display(description=_("profile"), ordering="supplier__state")
    def supplier_state(self, label):
        return label.supplier.get_state_display()

    @admin.display(description=_("validity"), ordering="valid_until")
    def validity_display(self, label):
        return _validity(label)
