from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from impactportal.admin_site import ActionCheckboxMixin, PortalModelAdmin
from impactportal.audit.admin import AuditLogInline

from . import services
from .models import Directorate, Membership, Organisation, User


class PortalUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class PortalUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation", "user"]


@admin.register(User)
class UserAdmin(ActionCheckboxMixin, DjangoUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "directorate", "last_login"]
    list_filter = ["is_staff", "is_active", "groups", "directorate", "language"]
    search_fields = ["email", "name"]
    list_select_related = ["directorate"]
    readonly_fields = ["last_login", "date_joined", "anonymised_at"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("name", "phone", "language")}),
        (
            _("Roles and access"),
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "directorate"),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined", "anonymised_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ["groups"]
    inlines = [MembershipInline, AuditLogInline]

    def save_related(self, request, form, formsets, change):
        """Roles given here by their groups bring admin access and the two-factor duty
        with them, as ``services.user_grant_role`` does."""
        super().save_related(request, form, formsets, change)
        services.user_sync_staff_flag(user=form.instance, actor=request.user)


@admin.register(Organisation)
class OrganisationAdmin(PortalModelAdmin):
    audited_by_service = True  # save_model calls a service, which audits
    list_display = ["name", "kind", "kvk_number", "branch_number", "city"]
    list_filter = ["kind", "city"]
    search_fields = ["name", "kvk_number", "branch_number"]
    inlines = [MembershipInline, AuditLogInline]

    def save_model(self, request, obj, form, change):
        values = {field: form.cleaned_data[field] for field in services.ORGANISATION_FIELDS}
        if change:
            services.organisation_update(organisation=obj, actor=request.user, **values)
        else:
            created = services.organisation_create(actor=request.user, **values)
            obj.pk, obj.uuid = created.pk, created.uuid


@admin.register(Directorate)
class DirectorateAdmin(PortalModelAdmin):
    list_display = ["name", "slug", "email", "is_active"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
