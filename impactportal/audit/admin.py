import json

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from impactportal.admin_site import PortalModelAdmin

from .models import AuditLogEntry


def _format_changes(entry: AuditLogEntry):
    if not entry.changes:
        return "-"
    return format_html(
        "<ul class='audit-changes'>{}</ul>",
        format_html_join(
            "",
            "<li><strong>{}</strong>: {} &rarr; {}</li>",
            (
                (
                    field,
                    json.dumps(values[0], ensure_ascii=False),
                    json.dumps(values[1], ensure_ascii=False),
                )
                for field, values in entry.changes.items()
            ),
        ),
    )


class ReadOnlyAdminMixin:
    """Audit rows are evidence: nobody adds, edits or deletes them through the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["timestamp", "actor_label", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_label", "object_repr", "action", "object_id"]
    date_hierarchy = "timestamp"
    list_select_related = ["content_type"]
    fields = [
        "timestamp",
        "actor_label",
        "action",
        "content_type",
        "object_id",
        "object_repr",
        "changes_display",
        "data",
    ]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        # The complete log names everyone who did anything, on every object. A directorate
        # contact holds the audit permission only for the history on the pages of the
        # questions routed to them (AuditLogInline), so the log itself also takes the
        # right to read accounts.
        return super().has_view_permission(request, obj) and request.user.has_perm(
            "accounts.view_user"
        )

    @admin.display(description=_("changes"))
    def changes_display(self, entry):
        return _format_changes(entry)


class AuditLogInline(ReadOnlyAdminMixin, GenericTabularInline):
    """History of the object being edited; add to any ModelAdmin's ``inlines``."""

    model = AuditLogEntry
    template = "admin/audit/history_inline.html"
    ct_field = "content_type"
    ct_fk_field = "object_id"
    extra = 0
    can_delete = False
    fields = ["timestamp", "actor_label", "action", "changes_display"]
    readonly_fields = fields
    ordering = ["-timestamp", "-id"]
    verbose_name = _("history entry")
    verbose_name_plural = _("history")

    @admin.display(description=_("changes"))
    def changes_display(self, entry):
        return _format_changes(entry)
