from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import ReadOnlyAdminMixin

from . import services
from .models import CapturedMail, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["created_at", "recipient", "subject", "kind", "state", "attempts", "sent_at"]
    list_filter = ["state", "kind", "language"]
    search_fields = ["recipient", "subject", "uuid"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]
    actions = ["retry_failed"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.holds_secret:
            # Confirmation and password-reset mails hold a working key to someone's
            # account: the desk may see that such a mail went out, not open the link.
            return [name for name in fields if name not in OutboxMessage.CONTENT_FIELDS]
        return fields

    @admin.action(description=_("Send failed messages again"), permissions=["view"])
    def retry_failed(self, request, queryset):
        failed = queryset.filter(state=OutboxMessage.State.FAILED).values_list("pk", flat=True)
        queued = sum(services.message_retry(message_id=pk) for pk in failed)
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", queued)
            % {"count": queued},
            messages.SUCCESS,
        )
        if queued < len(failed):
            self.message_user(
                request,
                _(
                    "Mails with a personal link or code cannot be sent again: their text "
                    "is gone. The recipient can ask for a new link."
                ),
                messages.WARNING,
            )


@admin.register(CapturedMail)
class CapturedMailAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["received_at", "to", "subject"]
    search_fields = ["to", "subject", "body_text"]
    date_hierarchy = "received_at"
    fields = [
        "received_at",
        "message_id",
        "from_email",
        "to",
        "subject",
        "body_display",
        "attachment_names",
    ]
    readonly_fields = fields

    @admin.display(description=_("text"))
    def body_display(self, mail):
        return format_html("<pre class='mail-body'>{}</pre>", mail.body_text)
