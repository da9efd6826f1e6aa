"""What account managers set up once and keep current: topics, routing rules, canned
replies, knowledge-base articles; and the follow-up answers, read-only.
"""

from __future__ import annotations

from django.contrib import admin

from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline, ReadOnlyAdminMixin

from .. import selectors, services
from ..models import CannedReply, FollowUp, KnowledgeArticle, RoutingRule, Topic


@admin.register(Topic)
class TopicAdmin(PortalModelAdmin):
    list_display = [
        "name",
        "name_en",
        "first_response_days",
        "resolution_days",
        "position",
        "is_active",
    ]
    list_editable = ["position", "is_active"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name", "name_en"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(PortalModelAdmin):
    list_display = ["position", "topic", "keywords", "directorate", "assignee", "is_active"]
    list_display_links = ["topic"]
    list_editable = ["position", "is_active"]
    list_filter = ["topic", "directorate", "is_active"]
    list_select_related = ["topic", "directorate", "assignee"]
    autocomplete_fields = ["assignee"]


@admin.register(CannedReply)
class CannedReplyAdmin(PortalModelAdmin):
    list_display = ["title", "topic"]
    list_filter = ["topic"]
    search_fields = ["title", "body"]
    list_select_related = ["topic"]


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(PortalModelAdmin):
    audited_by_service = True  # save_model calls a service, which audits
    list_display = ["title", "topic", "is_published", "updated_at"]
    list_filter = ["topic", "is_published"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    list_select_related = ["topic"]
    inlines = [AuditLogInline]

    def save_model(self, request, obj, form, change):
        services.article_save(article=obj, actor=request.user)


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["question", "sent_at", "answered_at", "helped"]
    list_filter = ["helped"]
    list_select_related = ["question"]
    fields = ["question", "sent_at", "answered_at", "helped", "comment"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and selectors.staff_can_see_all(
            request.user
        )
