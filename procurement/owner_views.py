"""Pages where members of a company keep its supplier profile on Platform Goed Inkopen.

Reads go through procurement.selectors, writes through procurement.services (which
check again who may do what). A profile of another organisation is 404, as if it did
not exist, so a guessed address reveals nothing. Coordinators may open these pages too;
their main tool is the admin.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.constants import OrganisationKind
from accounts.models import Organisation
from accounts.roles import Role

from . import selectors, services
from .constants import LABEL_REMINDER_DAYS, SUPPLIER_TRANSITIONS, Region, SupplierState
from .forms import LabelForm, ProductForm, SupplierForm
from .models import Label, Product, Supplier

EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's errors on the form field they are about (or on top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _supplier_for(request, slug: str) -> tuple[Supplier, bool]:
    """The profile and whether the user owns it; 404 unless owner or coordinator."""
    supplier = selectors.suppliers_of(request.user).filter(slug=slug).first()
    if supplier is not None:
        return supplier, True
    if request.user.has_role(Role.COORDINATOR):
        supplier = Supplier.objects.select_related("organisation").filter(slug=slug).first()
        if supplier is not None:
            return supplier, False
    raise Http404


def _actions(supplier: Supplier, is_owner: bool) -> dict[str, bool]:
    """Which workflow buttons the page shows in the profile's state."""
    allowed = SUPPLIER_TRANSITIONS[SupplierState(supplier.state)]
    return {
        "can_submit": is_owner and SupplierState.SUBMITTED in allowed,
        "can_confirm": is_owner and supplier.state == SupplierState.VERIFIED,
        "can_withdraw": SupplierState.WITHDRAWN in allowed,
        "can_edit": supplier.state != SupplierState.WITHDRAWN,
    }


# The overview ---------------------------------------------------------------------------


@login_required
@require_GET
def my_profiles(request):
    """The user's companies: their profiles with what to do next, and those without one."""
    suppliers = list(
        selectors.suppliers_of(request.user)
        .annotate(product_count=Count("products"))
        .order_by("name", "pk")
    )
    without_profile = list(
        Organisation.objects.filter(
            memberships__user=request.user,
            kind=OrganisationKind.COMPANY,
            supplier__isnull=True,
        ).order_by("name", "pk")
    )
    return render(
        request,
        "procurement/owner/my_profiles.html",
        {"suppliers": suppliers, "without_profile": without_profile},
    )


# Creating and editing the profile ---------------------------------------------------------


def _initial_from(organisation: Organisation) -> dict:
    initial = {
        "name": organisation.name,
        "kvk_number": organisation.kvk_number,
        "branch_number": organisation.branch_number,
        "municipality": organisation.city,
        "website": organisation.website,
    }
    if organisation.city.strip().lower() == "groningen":
        initial["region"] = Region.CITY
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def create(request, organisation_uuid):
    organisation = (
        Organisation.objects.filter(
            uuid=organisation_uuid,
            memberships__user=request.user,
            kind=OrganisationKind.COMPANY,
        )
        .select_related("supplier")
        .first()
    )
    if organisation is None:
        raise Http404
    if hasattr(organisation, "supplier"):
        return redirect("procurement:edit", slug=organisation.supplier.slug)
    form = SupplierForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=_initial_from(organisation),
    )
    if request.method == "POST" and form.is_valid():
        try:
            supplier = services.supplier_create(
                organisation=organisation,
                actor=request.user,
                data=form.values(),
                logo=form.cleaned_data["logo"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The profile has been saved as a draft. Add your products and labels, "
                    "then submit it for verification."
                ),
            )
            return redirect("procurement:edit", slug=supplier.slug)
    return render(
        request,
        "procurement/owner/create.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


def _edit_page(request, supplier, is_owner, *, form=None, action_error=None, status=200):
    if form is None:
        form = SupplierForm(
            initial=SupplierForm.initial_for(supplier), has_logo=bool(supplier.logo)
        )
    today = selectors.today()
    products = list(
        Product.objects.filter(supplier=supplier).select_related("category").order_by("name", "pk")
    )
    supplier.product_count = len(products)
    labels = list(Label.objects.filter(supplier=supplier).order_by("kind", "-valid_until", "pk"))
    for label in labels:
        label.is_expired = label.valid_until < today
        label.is_current = label.is_valid_on(today)
        label.expires_soon = label.is_current and label.valid_until <= today + timedelta(
            days=LABEL_REMINDER_DAYS
        )
    return render(
        request,
        "procurement/owner/edit.html",
        {
            "supplier": supplier,
            "form": form,
            "products": products,
            "labels": labels,
            "is_owner": is_owner,
            "action_error": action_error,
            **_actions(supplier, is_owner),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, slug):
    supplier, is_owner = _supplier_for(request, slug)
    if request.method != "POST":
        return _edit_page(request, supplier, is_owner)
    form = SupplierForm(request.POST, request.FILES, has_logo=bool(supplier.logo))
    if form.is_valid():
        try:
            updated = services.supplier_update(
                supplier=supplier,
                actor=request.user,
                data=form.values(),
                logo=form.cleaned_data["logo"],
                remove_logo=form.cleaned_data.get("remove_logo", False),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if updated.state == SupplierState.VERIFIED and updated.changed_since_verification:
                messages.success(
                    request,
                    _("Your changes are saved and visible. The coordinator will check them."),
                )
            else:
                messages.success(request, _("Your changes are saved."))
            return redirect("procurement:edit", slug=updated.slug)
    return _edit_page(request, supplier, is_owner, form=form, status=400)


# The workflow -------------------------------------------------------------------------------


@login_required
@require_POST
def submit(request, slug):
    """Ask the coordinator to verify the profile (also again after sent back or withdrawn)."""
    supplier, is_owner = _supplier_for(request, slug)
    try:
        services.supplier_submit(supplier=supplier, actor=request.user)
    except ValidationError as error:
        return _edit_page(request, supplier, is_owner, action_error=error, status=400)
    messages.success(
        request,
        _("Thank you. The coordinator will check your profile; you will hear by e-mail."),
    )
    return redirect("procurement:edit", slug=supplier.slug)


@login_required
@require_POST
def confirm(request, slug):
    """'My profile is still right': the yearly confirmation."""
    supplier, is_owner = _supplier_for(request, slug)
    try:
        services.supplier_confirm(supplier=supplier, actor=request.user)
    except ValidationError as error:
        return _edit_page(request, supplier, is_owner, action_error=error, status=400)
    messages.success(request, _("Thank you for confirming that your profile is still right."))
    return redirect("procurement:edit", slug=supplier.slug)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, slug):
    """Take the profile off the platform, after a confirmation page."""
    supplier, is_owner = _supplier_for(request, slug)
    if request.method == "POST":
        try:
            services.supplier_withdraw(supplier=supplier, actor=request.user)
        except ValidationError as error:
            return _edit_page(request, supplier, is_owner, action_error=error, status=400)
        messages.success(
            request,
            _("Your profile is withdrawn and no longer on the platform. You can submit it again."),
        )
        return redirect("procurement:edit", slug=supplier.slug)
    if not _actions(supplier, is_owner)["can_withdraw"]:
        return redirect("procurement:edit", slug=supplier.slug)
    return render(request, "procurement/owner/withdraw.html", {"supplier": supplier})


# Products and services ------------------------------------------------------------------------


def _product_page(request, supplier, form, product=None):
    return render(
        request,
        "procurement/owner/product_form.html",
        {"supplier": supplier, "form": form, "product": product},
        status=400 if form.errors else 200,
    )


def _save_product(request, supplier, product=None):
    initial = None
    if product is not None:
        initial = {
            "name": product.name,
            "description": product.description,
            "category": product.category_id,
        }
    form = ProductForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        categories=selectors.category_tree(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.product_save(
                supplier=supplier, actor=request.user, data=form.cleaned_data, product=product
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is saved.") % {"name": form.cleaned_data["name"]},
            )
            return redirect(f"{_edit_url(supplier)}#producten")
    return _product_page(request, supplier, form, product)


def _edit_url(supplier) -> str:
    return reverse("procurement:edit", kwargs={"slug": supplier.slug})


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request, slug):
    supplier, _is_owner = _supplier_for(request, slug)
    return _save_product(request, supplier)


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request, slug, pk):
    supplier, _is_owner = _supplier_for(request, slug)
    product = get_object_or_404(Product.objects.filter(supplier=supplier), pk=pk)
    product.supplier = supplier
    return _save_product(request, supplier, product)


@login_required
@require_http_methods(["GET", "POST"])
def product_delete(request, slug, pk):
    supplier, _is_owner = _supplier_for(request, slug)
    product = get_object_or_404(Product.objects.filter(supplier=supplier), pk=pk)
    product.supplier = supplier
    error = None
    if request.method == "POST":
        try:
            services.product_remove(product=product, actor=request.user)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("%(name)s is removed.") % {"name": product.name})
            return redirect(f"{_edit_url(supplier)}#producten")
    return render(
        request,
        "procurement/owner/confirm_delete.html",
        {"supplier": supplier, "object": product, "kind": "product", "error": error},
        status=400 if error else 200,
    )


# Labels ---------------------------------------------------------------------------------------


def _label_initial(label: Label) -> dict:
    return {
        field: getattr(label, field)
        for field in ("kind", "pso_level", "name", "valid_from", "valid_until", "evidence_url")
    }


def _save_label(request, supplier, label=None):
    form = LabelForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        initial=_label_initial(label) if label is not None else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.label_save(
                supplier=supplier,
                actor=request.user,
                data=form.values(),
                label=label,
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if saved.valid_until < selectors.today():
                messages.warning(
                    request,
                    _("%(label)s is saved, but it has expired: buyers do not see it as valid.")
                    % {"label": saved.display_name},
                )
            else:
                messages.success(request, _("%(label)s is saved.") % {"label": saved.display_name})
            return redirect(f"{_edit_url(supplier)}#labels")
    return render(
        request,
        "procurement/owner/label_form.html",
        {"supplier": supplier, "form": form, "label": label},
        status=400 if form.errors else 200,
    )


def _label_of(supplier, pk) -> Label:
    label = get_object_or_404(Label.objects.filter(supplier=supplier), pk=pk)
    label.supplier = supplier
    return label


@login_required
@require_http_methods(["GET", "POST"])
def label_create(request, slug):
    supplier, _is_owner = _supplier_for(request, slug)
    return _save_label(request, supplier)


@login_required
@require_http_methods(["GET", "POST"])
def label_edit(request, slug, pk):
    supplier, _is_owner = _supplier_for(request, slug)
    return _save_label(request, supplier, _label_of(supplier, pk))


@login_required
@require_http_methods(["GET", "POST"])
def label_delete(request, slug, pk):
    supplier, _is_owner = _supplier_for(request, slug)
    label = _label_of(supplier, pk)
    error = None
    if request.method == "POST":
        try:
            services.label_remove(label=label, actor=request.user)
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, _("%(label)s is removed.") % {"label": label.display_name})
            return redirect(f"{_edit_url(supplier)}#labels")
    return render(
        request,
        "procurement/owner/confirm_delete.html",
        {"supplier": supplier, "object": label, "kind": "label", "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def label_evidence(request, slug, pk):
    """The certificate, as a download, to the profile's owners and coordinators only."""
    supplier, _is_owner = _supplier_for(request, slug)
    label = _label_of(supplier, pk)
    if not label.evidence:
        raise Http404
    try:
        file = label.evidence.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    extension = PurePath(label.evidence.name).suffix.lower()
    response = FileResponse(
        file,
        as_attachment=True,
        filename=f"{slugify(label.display_name) or 'label'}-{supplier.slug}{extension}",
        content_type=EVIDENCE_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
