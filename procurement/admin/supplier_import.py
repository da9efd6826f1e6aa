"""Importing a supplier list, from the supplier list: upload it, see what it would do
(nothing is stored), then import it. ``procurement.importing`` does the work."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import importing

IMPORT_PERMISSION = "procurement.add_supplier"
# Rows of the import preview drawn on the page; the counts always cover the whole file.
PREVIEW_ROWS = 500
PREVIEW_ERRORS = 500


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


class SupplierImportMixin:
    """The import page and its link on the supplier list, for ``SupplierAdmin``."""

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
                table = importing.unsign_table(apply_form.cleaned_data["token"], actor=request.user)
            except importing.ImportFileError as error:
                return self._import_page(request, upload_form, error=" ".join(error.messages))
            plan = importing.plan_import(table)
            if plan.errors:
                # The database changed since the preview: show what is wrong now.
                return self._import_page(request, upload_form, plan=plan)
            mark_verified = apply_form.cleaned_data["mark_verified"]
            try:
                result = importing.apply_import(
                    plan, actor=request.user, mark_verified=mark_verified
                )
            except importing.ImportRowFailed as failure:
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
                    table = importing.read_table(upload_form.cleaned_data["file"])
                except importing.ImportFileError as error:
                    upload_form.add_error("file", error)
                else:
                    plan = importing.plan_import(table)
                    return self._import_page(request, ImportUploadForm(), plan=plan, table=table)
        return self._import_page(request, upload_form)

    def _import_page(
        self, request, upload_form, *, plan=None, table=None, failure=None, error=None
    ):
        apply_form = None
        if plan is not None and table is not None and not plan.errors and plan.rows:
            try:
                token = importing.sign_table(table, actor=request.user)
            except importing.ImportFileError as refused:
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
                "max_rows": importing.MAX_ROWS,
                "max_megabytes": importing.MAX_FILE_BYTES // (1024 * 1024),
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
