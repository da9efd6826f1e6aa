"""The coordinator's tools for Platform Goed Inkopen: the verification queue, the label
expiry overview, the category tree, the inquiries sent and the import of a supplier list.

Profiles, labels and products change only through ``procurement.services`` (the change
form, its inlines and the actions call them), so the workflow table, the search index,
the audit log and the e-mails always apply. Suppliers are not added here: companies make
their own profile on the site, and existing lists come in through the import.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from impactportal.admin_actions import run_service_per_object
from impactportal.admin_site import PortalModelAdmin
from impactportal.audit.admin import AuditLogInline, ReadOnlyAdminMixin

from . import importer, selectors, services
from .constants import LABEL_REMINDER_DAYS, MvoiTheme, Sdg, SupplierState
from .models import Category, Inquiry, InquiryRecipient, Label, Product, Supplier

IMPORT_PERMISSION = "procurement.add_supplier"
# Rows of the import preview drawn on the page; the counts always cover the whole file.
PREVIEW_ROWS = 500
PREVIEW_ERRORS = 500


# Filters ------------------------------------------------------------------------------


class VerificationQueueFilter(admin.SimpleListFilter):
    """What waits for the coordinator: new profiles, and verified ones changed since."""

    title = _("verification queue")
    parameter_name = "wachtrij"

    def lookups(self, request, model_admin):
        return [
            ("ja", _("everything waiting")),
            ("nieuw", _("submitted")),
            ("gewijzigd", _("changed since verification")),
        ]

    def queryset(self, request, queryset):
        submitted = Q(state=SupplierState.SUBMITTED)
        changed = Q(state=SupplierState.VERIFIED, changed_since_verification=True)
        if self.value() == "ja":
            return queryset.filter(submitted | changed)
        if self.value() == "nieuw":
            return queryset.filter(submitted)
        if self.value() == "gewijzigd":
            return queryset.filter(changed)
        return queryset


class ConfirmationFilter(admin.SimpleListFilter):
    """Verified profiles whose owner has not confirmed them for over a year and a grace
    period are "niet recent bevestigd"."""

    title = _("confirmation")
    parameter_name = "bevestigd"

    def lookups(self, request, model_admin):
        return [
            ("niet-recent", _("not recently confirmed")),
            ("gevraagd", _("confirmation requested")),
            ("recent", _("recently confirmed")),
        ]

    def queryset(self, request, queryset):
        since = selectors.confirmed_since()
        verified = queryset.filter(state=SupplierState.VERIFIED)
        if self.value() == "niet-recent":
            return verified.filter(Q(confirmed_at__lt=since) | Q(confirmed_at__isnull=True))
        if self.value() == "gevraagd":
            return verified.filter(reconfirm_requested_at__isnull=False)
        if self.value() == "recent":
            return verified.filter(confirmed_at__gte=since)
        return queryset


class ThemeFilter(admin.SimpleListFilter):
    title = _("MVOI theme")
    parameter_name = "thema"

    def lookups(self, request, model_admin):
        return MvoiTheme.choices

    def queryset(self, request, queryset):
        if self.value() in MvoiTheme.values:
            return queryset.filter(themes__contains=[self.value()])
        return queryset


class LabelValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "geldigheid"

    def lookups(self, request, model_admin):
        return [
            ("binnenkort", _("expires within 3 months")),
            ("verlopen", _("expired")),
            ("geldig", _("valid")),
        ]

    def queryset(self, request, queryset):
        today = selectors.today()
        if self.value() == "binnenkort":
            return queryset.filter(
                valid_until__gte=today, valid_until__lte=today + timedelta(days=LABEL_REMINDER_DAYS)
            )
        if self.value() == "verlopen":
            return queryset.filter(valid_until__lt=today)
        if self.value() == "geldig":
            return queryset.filter(valid_from__lte=today, valid_until__gte=today)
        return queryset


# Forms --------------------------------------------------------------------------------


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


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Supplier list"),
        help_text=_("A CSV file (UTF-8, separated by ; or ,) or an Excel workbook (.xlsx)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


class ImportApplyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=8 * 1024 * 1024)
    mark_verified = forms.BooleanField(
        label=_("Mark the imported suppliers as verified"),
        required=False,
        help_text=_(
            "Only when the list comes from the existing platform, where these companies were "
            "checked already. Otherwise new suppliers wait in the verification queue."
        ),
    )


# Suppliers ----------------------------------------------------------------------------


def _validity(label: Label) -> str:
    today = selectors.today()
    if label.valid_until < today:
        return gettext("expired")
    if label.valid_from > today:
        return gettext("not yet valid")
    if label.valid_until <= today + timedelta(days=LABEL_REMINDER_DAYS):
        return gettext("expires soon")
    return gettext("valid")


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
class SupplierAdmin(PortalModelAdmin):
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

    # Import ---------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="procurement_supplier_import",
            ),
        ] + super().get_urls()

    def _can_import(self, request) -> bool:
        return self.has_view_permission(request) and request.user.has_perm(IMPORT_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self._can_import(request)}
        return super().changelist_view(request, extra_context=extra_context)

    def import_view(self, request):
        """Upload a list, see what it would do (nothing is stored), then import it."""
        if not self._can_import(request):
            raise PermissionDenied
        upload_form = ImportUploadForm()
        if request.method == "POST" and "apply" in request.POST:
            apply_form = ImportApplyForm(request.POST)
            if not apply_form.is_valid():
                error = gettext("The import could not be checked. Upload the file again.")
                return self._import_page(request, upload_form, error=error)
            try:
                table = importer.unsign_table(apply_form.cleaned_data["token"], actor=request.user)
            except importer.ImportFileError as error:
                return self._import_page(request, upload_form, error=" ".join(error.messages))
            plan = importer.plan_import(table)
            if plan.errors:
                # The database changed since the preview: show what is wrong now.
                return self._import_page(request, upload_form, plan=plan)
            mark_verified = apply_form.cleaned_data["mark_verified"]
            try:
                result = importer.apply_import(
                    plan, actor=request.user, mark_verified=mark_verified
                )
            except importer.ImportRowFailed as failure:
                return self._import_page(request, upload_form, plan=plan, failure=failure)
            self.message_user(
                request,
                gettext(
                    "Imported %(file)s. New: %(created)d, updated: %(updated)d, "
                    "unchanged: %(unchanged)d, verified: %(verified)d."
                )
                % {
                    "file": plan.file_name,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "verified": result.verified,
                },
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:procurement_supplier_changelist"))
        if request.method == "POST":
            upload_form = ImportUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                try:
                    table = importer.read_table(upload_form.cleaned_data["file"])
                except importer.ImportFileError as error:
                    upload_form.add_error("file", error)
                else:
                    plan = importer.plan_import(table)
                    return self._import_page(request, ImportUploadForm(), plan=plan, table=table)
        return self._import_page(request, upload_form)

    def _import_page(
        self, request, upload_form, *, plan=None, table=None, failure=None, error=None
    ):
        apply_form = None
        if plan is not None and table is not None and not plan.errors and plan.rows:
            try:
                token = importer.sign_table(table, actor=request.user)
            except importer.ImportFileError as refused:
                error = " ".join(refused.messages)
            else:
                apply_form = ImportApplyForm(initial={"token": token})
        return TemplateResponse(
            request,
            "admin/procurement/supplier/import.html",
            {
                **self.admin_site.each_context(request),
                "title": gettext("Import suppliers"),
                "opts": self.model._meta,
                "upload_form": upload_form,
                "apply_form": apply_form,
                "plan": plan,
                "preview_rows": plan.rows[:PREVIEW_ROWS] if plan else [],
                "preview_errors": plan.errors[:PREVIEW_ERRORS] if plan else [],
                "failure": failure,
                "import_error": error,
                "columns": _column_help(),
                "max_rows": importer.MAX_ROWS,
                "max_megabytes": importer.MAX_FILE_BYTES // (1024 * 1024),
            },
        )


def _column_help():
    """What each column of the import holds, for the page that explains the format."""
    return [
        ("naam", True, gettext("Name of the company."), "Schoon & Sociaal BV"),
        ("kvk", True, gettext("KvK number, 8 digits."), "12345678"),
        (
            "vestigingsnummer",
            False,
            gettext("Branch number, 12 digits; with the KvK number it identifies the supplier."),
            "000012345678",
        ),
        ("plaats", True, gettext("Municipality or place."), "Groningen"),
        (
            "regio",
            True,
            gettext("groningen (the municipality), ommelanden, drenthe, fryslan or elders."),
            "groningen",
        ),
        ("omvang", True, gettext("zzp, micro, klein, middel or groot."), "klein"),
        (
            "themas",
            False,
            gettext(
                "MVOI themes, separated by commas: Klimaat, Milieu, Circulair, "
                "Ketenverantwoordelijkheid, Social Return, Diversiteit & Inclusie."
            ),
            "Circulair, Social Return",
        ),
        (
            "labels",
            False,
            gettext(
                "Labels with their end date (and optionally “van <date>”), separated by "
                "semicolons: PSO aspirant/basistrede/trede 1-3, Code Sociale Ondernemingen, "
                "B Corp, or “anders: <name>”."
            ),
            "PSO trede 2 tot 2027-06-30; B Corp tot 2026-12-31",
        ),
        ("impact_first", False, gettext("ja or nee (empty is nee)."), "ja"),
        (
            "korte_omschrijving",
            True,
            gettext("One or two sentences, at most 300 characters."),
            "Schoonmaak met mensen met een afstand tot de arbeidsmarkt.",
        ),
        ("website", False, gettext("Web address."), "https://www.example.nl"),
        ("email", True, gettext("Contact e-mail; inquiries go here."), "info@example.nl"),
        ("telefoon", False, gettext("Telephone number."), "050 123 4567"),
        ("contactpersoon", False, gettext("Contact person."), "Anna de Vries"),
        (
            "producten",
            False,
            gettext(
                "Products and services with their category code in brackets, separated by "
                "semicolons."
            ),
            "Kantoorschoonmaak [90900000]; Glasbewassing [90900000]",
        ),
    ]


# Labels -------------------------------------------------------------------------------


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


# Categories ---------------------------------------------------------------------------


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


# Inquiries ----------------------------------------------------------------------------


class InquiryRecipientInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InquiryRecipient
    extra = 0
    can_delete = False
    fields = ["supplier", "email", "delivery"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("supplier", "message")

    def has_view_permission(self, request, obj=None):
        # Recipients are part of the inquiry; whoever may read it sees where it went.
        return request.user.has_perm("procurement.view_inquiry")

    @admin.display(description=_("e-mail"))
    def delivery(self, recipient):
        return recipient.message.get_state_display() if recipient.message else "-"


@admin.register(Inquiry)
class InquiryAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    list_display = ["subject", "sender", "sent_at", "recipients_count", "shortlist"]
    list_select_related = ["sender", "shortlist"]
    search_fields = ["subject", "sender__email", "sender__name"]
    date_hierarchy = "sent_at"
    fields = ["subject", "sender", "shortlist", "sent_at", "message"]
    readonly_fields = fields
    inlines = [InquiryRecipientInline, AuditLogInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_recipients=Count("recipients"))

    @admin.display(description=_("recipients"), ordering="n_recipients")
    def recipients_count(self, inquiry):
        return inquiry.n_recipients
