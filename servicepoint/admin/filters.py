"""List filters of the question queue: directorate, service level, account manager and
the person a question's part is assigned to.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Directorate, User
from accounts.roles import Role

from ..constants import OPEN_STATES, AssignmentState
from ..models import Assignment


class DirectorateFilter(admin.SimpleListFilter):
    title = _("directorate")
    parameter_name = "directie"

    def lookups(self, request, model_admin):
        return [(d.pk, d.name) for d in Directorate.objects.filter(is_active=True)]

    def queryset(self, request, queryset):
        if self.value():
            routed = Assignment.objects.filter(
                question=OuterRef("pk"), directorate=self.value()
            ).exclude(state=AssignmentState.WITHDRAWN)
            return queryset.filter(Exists(routed))
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    title = _("service level")
    parameter_name = "termijn"

    def lookups(self, request, model_admin):
        return [
            ("overdue", _("overdue")),
            ("due_today", _("due today")),
            ("first_response", _("first response overdue")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(state__in=OPEN_STATES, resolution_due__lt=today)
        if self.value() == "due_today":
            return queryset.filter(state__in=OPEN_STATES, resolution_due=today)
        if self.value() == "first_response":
            return queryset.filter(
                first_response_at__isnull=True, first_response_due__lt=today, state__in=OPEN_STATES
            )
        return queryset


class AccountManagerFilter(admin.SimpleListFilter):
    title = _("account manager")
    parameter_name = "accountmanager"

    def lookups(self, request, model_admin):
        managers = User.objects.filter(groups__name=Role.ACCOUNT_MANAGER).order_by("name")
        return [("none", _("nobody yet"))] + [(u.pk, str(u)) for u in managers]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(account_manager__isnull=True)
        if self.value():
            return queryset.filter(account_manager=self.value())
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    """The person at a directorate a question's part is assigned to."""

    title = _("assigned person")
    parameter_name = "persoon"

    def lookups(self, request, model_admin):
        people = User.objects.filter(groups__name=Role.DIRECTORATE_CONTACT).order_by("name")
        return [(u.pk, str(u)) for u in people]

    def queryset(self, request, queryset):
        if self.value():
            assigned = Assignment.objects.filter(
                question=OuterRef("pk"), assignee=self.value()
            ).exclude(state=AssignmentState.WITHDRAWN)
            return queryset.filter(Exists(assigned))
        return queryset
