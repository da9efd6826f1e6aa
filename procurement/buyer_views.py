"""Pages for procurement officers: shortlists per purchase, CSV/Excel exports of a shortlist
or of a search result, and inquiries e-mailed to selected suppliers.

Every page needs a login and the procurement officer role (anyone else: 403). An officer
only ever reaches their own shortlists and inquiries; someone else's are a 404, so the
pages do not even reveal that they exist. Reads go through procurement.selectors,
writes through procurement.services.
"""

from __future__ import annotations

import re
import uuid as uuid_lib
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import Role

from . import exports, selectors, services
from .buyer_forms import InquiryForm, NoteForm, ShortlistAddForm, ShortlistForm
from .constants import INQUIRIES_PER_DAY, MAX_INQUIRY_RECIPIENTS
from .filters import SupplierFilter
from .models import Inquiry, InquiryRecipient, Shortlist, ShortlistEntry

INQUIRIES_PAGE_SIZE = 25
# ?leverancier= may be repeated; more than this is not a selection anybody makes by hand.
MAX_PRESELECTED = 100
_SLUG = re.compile(r"[-a-zA-Z0-9_]{1,220}")


def buyer_required(view):
    """Login (anonymous visitors go to the login page) and the procurement officer role."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.has_role(Role.PROCUREMENT_OFFICER):
            raise PermissionDenied(_("These pages are for procurement officers."))
        return view(request, *args, **kwargs)

    return wrapper


def _add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form, keeping its codes."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _own_shortlist(request, uuid) -> Shortlist:
    return get_object_or_404(Shortlist, uuid=uuid, owner=request.user)


def _shortlists_of(user):
    # An aggregate drops the model's default ordering, so it is given again.
    return selectors.shortlists_of(user).order_by("-updated_at", "-pk")


def _safe_next(request) -> str | None:
    url = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path on this site: redirect() would take any other word for a view name.
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


# Shortlists ------------------------------------------------------------------------------


@buyer_required
@require_http_methods(["GET", "POST"])
def shortlists(request):
    """The officer's shortlists, and a form to start one."""
    form = ShortlistForm(request.POST) if request.method == "POST" else ShortlistForm()
    if request.method == "POST" and form.is_valid():
        try:
            shortlist = services.shortlist_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Shortlist “%(title)s” created. Add suppliers from the search results.")
                % {"title": shortlist.title},
            )
            return redirect(shortlist)
    return render(
        request,
        "procurement/buyer/shortlists.html",
        {"shortlists": _shortlists_of(request.user), "form": form},
        status=400 if form.is_bound else 200,
    )


def _note_form(entry, data=None) -> NoteForm:
    return NoteForm(data, initial={"note": entry.note}, auto_id=f"id_entry{entry.pk}_%s")


def _shortlist_page(request, shortlist, *, failed=None, status=200):
    """``failed`` is (entry id, bound note form) to show again with its errors."""
    rows = []
    for entry in selectors.shortlist_entries(shortlist):
        if failed and failed[0] == entry.pk:
            form = failed[1]
        else:
            form = _note_form(entry)
        rows.append((entry, form))
    return render(
        request,
        "procurement/buyer/shortlist.html",
        {
            "shortlist": shortlist,
            "rows": rows,
            "public_count": sum(1 for entry, _form in rows if entry.supplier.is_public),
            "max_recipients": MAX_INQUIRY_RECIPIENTS,
        },
        status=status,
    )


@buyer_required
@require_GET
def shortlist_detail(request, uuid):
    return _shortlist_page(request, _own_shortlist(request, uuid))


@buyer_required
@require_http_methods(["GET", "POST"])
def shortlist_edit(request, uuid):
    shortlist = _own_shortlist(request, uuid)
    initial = {"title": shortlist.title, "reference": shortlist.reference}
    if request.method == "POST":
        form = ShortlistForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.shortlist_update(
                    shortlist=shortlist, actor=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The shortlist has been saved."))
                return redirect(shortlist)
        shortlist.refresh_from_db()
    else:
        form = ShortlistForm(initial=initial)
    return render(
        request,
        "procurement/buyer/shortlist_form.html",
        {"shortlist": shortlist, "form": form},
        status=400 if form.is_bound else 200,
    )


@buyer_required
@require_http_methods(["GET", "POST"])
def shortlist_delete(request, uuid):
    shortlist = _own_shortlist(request, uuid)
    if request.method == "POST":
        title = shortlist.title
        services.shortlist_delete(shortlist=shortlist, actor=request.user)
        messages.success(request, _("Shortlist “%(title)s” deleted.") % {"title": title})
        return redirect("procurement:shortlists")
    return render(
        request,
        "procurement/buyer/shortlist_delete.html",
        {"shortlist": shortlist, "size": shortlist.entries.count()},
    )


@buyer_required
@require_POST
def shortlist_add(request, slug):
    """Put a public supplier on a shortlist (or a new one), then back to where the user was."""
    supplier = get_object_or_404(selectors.public_suppliers(), slug=slug)
    own = list(Shortlist.objects.filter(owner=request.user).only("uuid", "title"))
    form = ShortlistAddForm(request.POST, shortlists=own)
    if form.is_valid():
        try:
            with transaction.atomic():
                shortlist = form.cleaned_data["shortlist"] or services.shortlist_create(
                    owner=request.user, title=form.cleaned_data["title"]
                )
                already = ShortlistEntry.objects.filter(
                    shortlist=shortlist, supplier=supplier
                ).exists()
                services.shortlist_add(shortlist=shortlist, supplier=supplier, actor=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            text = (
                _("%(supplier)s was already on “%(title)s”.")
                if already
                else _("%(supplier)s added to “%(title)s”.")
            )
            messages.success(request, text % {"supplier": supplier.name, "title": shortlist.title})
            return redirect(_safe_next(request) or shortlist.get_absolute_url())
    return render(
        request,
        "procurement/buyer/shortlist_add.html",
        {"supplier": supplier, "form": form, "next": _safe_next(request) or ""},
        status=400,
    )


def _own_entry(request, uuid, entry_id) -> tuple[Shortlist, ShortlistEntry]:
    shortlist = _own_shortlist(request, uuid)
    entry = get_object_or_404(
        ShortlistEntry.objects.select_related("supplier"), pk=entry_id, shortlist=shortlist
    )
    entry.shortlist = shortlist
    return shortlist, entry


@buyer_required
@require_POST
def entry_note(request, uuid, entry_id):
    shortlist, entry = _own_entry(request, uuid, entry_id)
    form = _note_form(entry, request.POST)
    if form.is_valid():
        try:
            services.shortlist_note(entry=entry, actor=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("Note about %(supplier)s saved.") % {"supplier": entry.supplier.name}
            )
            return redirect(f"{shortlist.get_absolute_url()}#entry-{entry.pk}")
    return _shortlist_page(request, shortlist, failed=(entry.pk, form), status=400)


@buyer_required
@require_POST
def entry_remove(request, uuid, entry_id):
    shortlist, entry = _own_entry(request, uuid, entry_id)
    services.shortlist_remove(shortlist=shortlist, supplier=entry.supplier, actor=request.user)
    messages.success(
        request,
        _("%(supplier)s removed from “%(title)s”.")
        % {"supplier": entry.supplier.name, "title": shortlist.title},
    )
    return redirect(shortlist)


# Exports ---------------------------------------------------------------------------------


def _check_format(fmt: str) -> str:
    if fmt not in exports.FORMATS:
        raise Http404
    return fmt


@buyer_required
@require_GET
def shortlist_export(request, uuid, fmt):
    """The shortlist's public suppliers with their notes as CSV or Excel."""
    _check_format(fmt)
    shortlist = _own_shortlist(request, uuid)
    table = exports.export_table(exports.shortlist_export_queryset(shortlist), notes=True)
    return exports.export_response(
        table, fmt, stem=f"shortlist-{shortlist.title}", sheet_title=shortlist.title
    )


@buyer_required
@require_GET
def search_export(request, fmt):
    """All rows of a search (same parameters as the search page), not just one page.

    Filtered and ordered exactly as the search page does; refused above
    ``EXPORT_MAX_ROWS`` rows, with the way back to the search to narrow it down.
    """
    _check_format(fmt)
    filterset = SupplierFilter(
        request.GET, queryset=selectors.public_suppliers(), categories=selectors.category_tree()
    )
    search_url = f"{reverse('procurement:index')}?{request.GET.urlencode()}"
    if not filterset.is_valid():
        return render(
            request,
            "procurement/buyer/export_refused.html",
            {"reason": "invalid", "errors": filterset.errors, "search_url": search_url},
            status=400,
        )
    ordered = selectors.order_results(filterset.qs, filterset.search, filterset.sort)
    queryset = exports.search_export_queryset(ordered)
    total = queryset.count()
    if total > exports.EXPORT_MAX_ROWS:
        return render(
            request,
            "procurement/buyer/export_refused.html",
            {
                "reason": "too_many",
                "total": total,
                "max_rows": exports.EXPORT_MAX_ROWS,
                "search_url": search_url,
            },
            status=400,
        )
    return exports.export_response(
        exports.export_table(queryset),
        fmt,
        stem="goed-inkopen-leveranciers",
        sheet_title=_("Suppliers"),
    )


# Inquiries -------------------------------------------------------------------------------


@buyer_required
@require_GET
def inquiries(request):
    # An aggregate drops the model's default ordering, so it is given again.
    paginator = Paginator(
        selectors.inquiries_of(request.user).order_by("-sent_at", "-pk"), INQUIRIES_PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("pagina"))
    return render(
        request,
        "procurement/buyer/inquiries.html",
        {"page": page, "inquiries_left": services.inquiries_left(request.user)},
    )


@buyer_required
@require_GET
def inquiry_detail(request, uuid):
    inquiry = get_object_or_404(
        Inquiry.objects.select_related("shortlist"), uuid=uuid, sender=request.user
    )
    recipients = (
        InquiryRecipient.objects.filter(inquiry=inquiry)
        .select_related("supplier", "message")
        .order_by(Lower("supplier__name"), "pk")
    )
    return render(
        request,
        "procurement/buyer/inquiry.html",
        {"inquiry": inquiry, "recipients": recipients},
    )


def _preselection(request):
    """The shortlist (``?shortlist=<uuid>``, the user's own) and the public suppliers the
    inquiry may go to: the shortlist's and those of ``?leverancier=<slug>`` (repeatable)."""
    shortlist = None
    raw = request.GET.get("shortlist", "")
    if raw:
        try:
            shortlist = _own_shortlist(request, uuid_lib.UUID(raw))
        except ValueError:
            raise Http404 from None
    slugs = [s for s in request.GET.getlist("leverancier") if _SLUG.fullmatch(s)]
    condition = Q(slug__in=slugs[:MAX_PRESELECTED])
    if shortlist is not None:
        condition |= Q(
            Exists(ShortlistEntry.objects.filter(shortlist=shortlist, supplier=OuterRef("pk")))
        )
    candidates = (
        selectors.public_suppliers()
        .filter(condition)
        .only("slug", "name", "municipality")
        .order_by(Lower("name"), "pk")
    )
    if shortlist is None and not slugs:
        candidates = candidates.none()
    return shortlist, candidates


@buyer_required
@require_http_methods(["GET", "POST"])
def inquiry_new(request):
    shortlist, candidates = _preselection(request)
    if request.method == "POST":
        form = InquiryForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                inquiry = services.inquiry_send(
                    sender=request.user,
                    suppliers=form.cleaned_data["suppliers"],
                    subject=form.cleaned_data["subject"],
                    message=form.cleaned_data["message"],
                    shortlist=shortlist,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                count = len(form.cleaned_data["suppliers"])
                messages.success(
                    request,
                    ngettext(
                        "Your inquiry is on its way to %(count)d supplier.",
                        "Your inquiry is on its way to %(count)d suppliers.",
                        count,
                    )
                    % {"count": count},
                )
                return redirect(inquiry)
    else:
        initial = list(candidates)
        form = InquiryForm(
            candidates=candidates,
            initial={"suppliers": initial if len(initial) <= MAX_INQUIRY_RECIPIENTS else []},
        )
    return render(
        request,
        "procurement/buyer/inquiry_form.html",
        {
            "form": form,
            "shortlist": shortlist,
            "has_candidates": candidates.exists(),
            "inquiries_left": services.inquiries_left(request.user),
            "inquiries_per_day": INQUIRIES_PER_DAY,
            "max_recipients": MAX_INQUIRY_RECIPIENTS,
            "shortlists": _shortlists_of(request.user)
            if shortlist is None
            else Shortlist.objects.none(),
        },
        status=400 if form.is_bound else 200,
    )
