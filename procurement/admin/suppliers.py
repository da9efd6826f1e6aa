"""The verification queue: supplier profiles with their labels and products inline, and
the actions that verify, send back or withdraw them."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from impactportal.admin_actions import run_service_per_object
from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline

from .. import selectors, services
from ..constants import MvoiTheme, Sdg, SupplierState
from ..models import Label, Product, Supplier
from .filters import ConfirmationFilter, ThemeFilter, VerificationQueueFilter
from .labels import _validity
from .supplier_import import SupplierImportMixin


class SendBackForm(forms.Form):
    note = forms.CharField(
        label=_("What needs to change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=_("The owners receive this by e-mail; the profile leaves the platform."),
    )

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise ValidationError(_("Tell the owner what needs to change."), code="required")
        return note


class SupplierChildInline(admin.StackedInline):
    """Labels and products: saved through the services by ``SupplierAdmin.save_formset``.

    Stacked, so every input has its own <label>; a withdrawn profile is read-only, as the
    services refuse changes to it.
    """

    extra = 0

    def _editable(self, obj) -> bool:
        return obj is None or obj.state != SupplierState.WITHDRAWN

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._editable(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._editable(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._editable(obj)


class LabelInline(SupplierChildInline):
    model = Label
    fields = [
        "kind",
        "pso_level",
        "name",
        "valid_from",
        "valid_until",
        "evidence_url",
        "evidence_display",
        "validity_display",
        "reminder_sent_at",
    ]
    readonly_fields = ["evidence_display", "validity_display", "reminder_sent_at"]

    @admin.display(description=_("evidence"))
    def evidence_display(self, label):
        if not (label.pk and label.evidence):
            return "-"
        name = label.evidence.name.rsplit("/", 1)[-1]
        try:
            # The owners' download, which also lets coordinators in.
            url = reverse(
                "procurement:label_evidence",
                kwargs={"slug": label.supplier.slug, "pk": label.pk},
            )
        except NoReverseMatch:
            return name
        return format_html('<a href="{}">{}</a>', url, name)

    @admin.display(description=_("validity"))
    def validity_display(self, label):
        return _validity(label) if label.pk else "-"


class ProductInline(SupplierChildInline):
    model = Product
    fields = ["name", "category", "description"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "category" and field is not None:
            # One query for the tree per page, not one per product form.
            cached = getattr(request, "_procurement_category_choices", None)
            if cached is None:
                cached = list(field.choices)
                request._procurement_category_choices = cached
            field.choices = cached
        return field


@admin.register(Supplier)
class SupplierAdmin(SupplierImportMixin, PortalModelAdmin):
    audited_by_service = True  # save_model calls a service, which audits
    change_list_template = "admin/procurement/supplier/change_list.html"
    list_display = [
        "name",
        "organisation",
        "state",
        "municipality",
        "region",
        "verified_at",
        "confirmed_at",
        "changed_since_verification",
        "valid_labels_display",
    ]
    list_filter = [
        VerificationQueueFilter,
        "state",
        ConfirmationFilter,
        "region",
        ThemeFilter,
        "size",
        "impact_first",
    ]
    list_select_related = ["organisation"]
    search_fields = ["name", "kvk_number", "organisation__name"]
    list_per_page = 50
    actions = ["verify", "send_back", "withdraw"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "kvk_number",
                    "branch_number",
                    "short_description",
                    "description",
                    "themes",
                    "sdgs",
                    "impact_first",
                    "target_group_share",
                ]
            },
        ),
        (
            _("Location and contact"),
            {
                "fields": [
                    "municipality",
                    "region",
                    "size",
                    "website",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                ]
            },
        ),
        (
            _("Verification"),
            {
                "fields": [
                    "organisation",
                    "public_link",
                    "state",
                    "review_note",
                    "submitted_at",
                    "verified_at",
                    "verified_by",
                    "confirmed_at",
                    "reconfirm_requested_at",
                    "changed_since_verification",
                    "logo_display",
                ]
            },
        ),
    ]
    readonly_fields = [
        "organisation",
        "public_link",
        "state",
        "review_note",
        "submitted_at",
        "verified_at",
        "verified_by",
        "confirmed_at",
        "reconfirm_requested_at",
        "changed_since_verification",
        "logo_display",
    ]
    inlines = [LabelInline, ProductInline, AuditLogInline]

    # Access ---------------------------------------------------------------------------

    def get_queryset(self, request):
        today = selectors.today()
        return (
            super()
            .get_queryset(request)
            .select_related("organisation")
            .defer("search_vector")
            # A subquery rather than a join: the changelist's counts stay plain counts.
            .annotate(
                n_valid_labels=Coalesce(
                    Subquery(
                        Label.objects.valid_on(today)
                        .filter(supplier=OuterRef("pk"))
                        .order_by()
                        .values("supplier")
                        .annotate(n=Count("pk"))
                        .values("n"),
                        output_field=IntegerField(),
                    ),
                    0,
                )
            )
        )

    def has_add_permission(self, request):
        return False  # companies make their profile on the site; lists come in by import

    def has_delete_permission(self, request, obj=None):
        return False  # withdraw instead: the history stays complete

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.state == SupplierState.WITHDRAWN:
            fields += list(services.PROFILE_FIELDS)  # the services refuse changes to it
        return fields

    def get_actions(self, request):
        if not self.has_change_permission(request):
            return {}
        return super().get_actions(request)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "themes":  # checkboxes instead of comma-separated text
            return forms.MultipleChoiceField(
                label=db_field.verbose_name,
                choices=MvoiTheme.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        if db_field.name == "sdgs":
            return forms.TypedMultipleChoiceField(
                label=db_field.verbose_name,
                choices=Sdg.choices,
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    # Columns --------------------------------------------------------------------------

    @admin.display(description=_("valid labels"), ordering="n_valid_labels")
    def valid_labels_display(self, supplier):
        return supplier.n_valid_labels

    @admin.display(description=_("public page"))
    def public_link(self, supplier):
        if not supplier.is_public:
            return "-"
        return format_html('<a href="{}">{}</a>', supplier.get_absolute_url(), supplier.slug)

    @admin.display(description=_("logo"))
    def logo_display(self, supplier):
        return supplier.logo.name.rsplit("/", 1)[-1] if supplier.logo else "-"

    # Saving through the services --------------------------------------------------------

    def save_model(self, request, obj, form, change):
        changed = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in services.PROFILE_FIELDS
        }
        if changed:
            # The service reads the stored profile again, so the audit compares with it.
            services.supplier_update(supplier=obj, actor=request.user, data=changed)

    def save_formset(self, request, form, formset, change):
        if formset.model is Label:
            self._save_children(
                request,
                formset,
                fields=services.LABEL_FIELDS,
                save=lambda supplier, data, existing: services.label_save(
                    supplier=supplier, actor=request.user, data=data, label=existing
                ),
                remove=lambda label: services.label_remove(label=label, actor=request.user),
            )
        elif formset.model is Product:
            self._save_children(
                request,
                formset,
                fields=services.PRODUCT_FIELDS,
                save=lambda supplier, data, existing: services.product_save(
                    supplier=supplier, actor=request.user, data=data, product=existing
                ),
                remove=lambda product: services.product_remove(product=product, actor=request.user),
            )
        else:
            super().save_formset(request, form, formset, change)

    def _save_children(self, request, formset, *, fields, save, remove):
        supplier = formset.instance
        deleted = formset.deleted_forms if formset.can_delete else []
        # What formset.save() would record, for the admin's own change message.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for child_form in deleted:
            if child_form.instance.pk:
                remove(child_form.instance)
                formset.deleted_objects.append(child_form.instance)
        for child_form in formset.forms:
            if child_form in deleted or not child_form.has_changed():
                continue
            existing = None
            if child_form.instance.pk:
                # The form has already written the new values onto its instance; the
                # service needs the stored row to audit and to notice a renewed label.
                existing = formset.model.objects.get(pk=child_form.instance.pk)
            data = {
                name: child_form.cleaned_data[name]
                for name in fields
                if name in child_form.cleaned_data
            }
            saved = save(supplier, data, existing)
            if existing is None:
                formset.new_objects.append(saved)
            else:
                formset.changed_objects.append((saved, child_form.changed_data))

    # Actions --------------------------------------------------------------------------

    @admin.action(description=_("Verify: put on the platform"), permissions=["change"])
    def verify(self, request, queryset):
        run_service_per_object(
            self,
            request,
            queryset,
            lambda s: services.supplier_verify(supplier=s, actor=request.user),
            lambda n: (
                ngettext("%(n)d supplier verified.", "%(n)d suppliers verified.", n) % {"n": n}
            ),
        )

    @admin.action(description=_("Send back with a note..."), permissions=["change"])
    def send_back(self, request, queryset):
        form = SendBackForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            note = form.cleaned_data["note"]
            run_service_per_object(
                self,
                request,
                queryset,
                lambda s: services.supplier_send_back(supplier=s, actor=request.user, note=note),
                lambda n: (
                    ngettext("%(n)d supplier sent back.", "%(n)d suppliers sent back.", n)
                    % {"n": n}
                ),
            )
            return None
        return TemplateResponse(
            request,
            "admin/procurement/supplier/send_back.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Send back"),
                "suppliers": queryset,
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Withdraw from the platform"), permissions=["change"])
    def withdraw(self, request, queryset):
        run_service_per_object(
            self,
            request,
            queryset,
            lambda s: services.supplier_withdraw(supplier=s, actor=request.user),
            lambda n: (
                ngettext("%(n)d supplier withdrawn.", "%(n)d suppliers withdrawn.", n) % {"n": n}
            ),
        )
