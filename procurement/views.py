"""Public pages of Platform Goed Inkopen: the supplier search and supplier profiles.

Reads go through procurement.selectors. Only verified profiles are public; the members
of the supplier's organisation and the coordinator may preview a profile in any other
state, for everyone else it does not exist (404).

The search page is one GET form, so every state of it is a link that can be shared.
With htmx (the ``HX-Request`` header) only the results region is sent back; without
JavaScript the same form reloads the whole page.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.roles import Role
from impactportal.storage import serve_private_image

from . import selectors, services
from .constants import MAX_QUERY_LENGTH, SEARCH_PAGE_SIZE, MvoiTheme, Sdg, SortOrder, choice_label
from .filters import SupplierFilter
from .models import Supplier

# Deeper than this nobody reads on; a message asks to narrow the search instead.
MAX_PAGES = 50
# Built by the procurement officers' pages; the profile works without it.
SHORTLIST_ADD_TEMPLATE = "procurement/buyer/_shortlist_add.html"
# The parameters that narrow the result (sorting and the page number do not).
FILTER_PARAMS = (
    "q",
    "thema",
    "label",
    "regio",
    "categorie",
    "omvang",
    "impact",
    "sdg",
    "bevestigd",
)
# What |json_script escapes, so the JSON cannot close its <script> element early.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# Search ------------------------------------------------------------------------------------


@dataclass
class FacetOption:
    """One choice of a facet. ``count`` is None for choices that widen the result
    ("all regions", a parent category): their effect is not "exactly this many"."""

    value: str
    label: str
    count: int | None
    selected: bool
    # Categories: "all", "up" (a way back to a parent), "current" or "child".
    kind: str = ""
    depth: int = 0

    @property
    def input_id(self) -> str:
        # Stable across requests, so htmx can give focus back to the same input.
        return self.value or "all"


@dataclass
class Facet:
    name: str
    legend: str
    multiple: bool
    options: list[FacetOption] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def input_type(self) -> str:
        return "checkbox" if self.multiple else "radio"

    @property
    def has_choices(self) -> bool:
        """Worth showing: something is chosen or there is something to choose."""
        return any(option.selected and option.value for option in self.options) or any(
            option.count for option in self.options if not option.selected
        )


@dataclass
class ActiveFilter:
    facet: str
    value: str
    remove_url: str


def _clean_params(params: QueryDict) -> QueryDict:
    """A copy without empty values."""
    cleaned = QueryDict(mutable=True)
    for name, values in params.lists():
        kept = [value for value in values if value.strip()]
        if kept:
            cleaned.setlist(name, kept)
    return cleaned


def _url(params: QueryDict) -> str:
    base = reverse("procurement:index")
    return f"{base}?{params.urlencode()}" if params else base


def _without(params: QueryDict, name: str, value: str | None = None) -> str:
    """The search URL with one value (or the whole parameter) and the page number removed."""
    params = params.copy()
    params.pop("pagina", None)
    if value is None:
        params.pop(name, None)
    else:
        rest = [v for v in params.getlist(name) if v != value]
        if rest:
            params.setlist(name, rest)
        else:
            params.pop(name, None)
    return _url(params)


def _checkbox_facet(form, name: str, counts: selectors.FacetCounts) -> Facet:
    chosen = {str(value) for value in form.cleaned_data.get(name) or ()}
    formfield = form.fields[name]
    facet = Facet(name, str(formfield.label), multiple=True)
    for value, label in formfield.choices:
        value = str(value)
        count = counts.of(name, value)
        if count or value in chosen:
            facet.options.append(FacetOption(value, str(label), count, value in chosen))
    return facet


def _radio_facet(form, name: str, counts: selectors.FacetCounts) -> Facet:
    chosen = form.cleaned_data.get(name) or ""
    formfield = form.fields[name]
    facet = Facet(name, str(formfield.label), multiple=False)
    for value, label in formfield.choices:
        value = str(value)
        if not value:
            facet.options.append(FacetOption("", str(label), None, not chosen, kind="all"))
            continue
        count = counts.of(name, value)
        if count or value == chosen:
            facet.options.append(FacetOption(value, str(label), count, value == chosen))
    return facet


def _category_facet(form, counts: selectors.FacetCounts, tree: dict) -> Facet:
    """Drill-down: the top of the tree, or the chosen category with the way back up and
    the categories under it."""
    chosen = form.cleaned_data.get("categorie") or ""
    by_id = {category.pk: category for category in tree.values()}
    children = defaultdict(list)
    for category in tree.values():
        children[category.parent_id].append(category)
    facet = Facet("categorie", str(form.fields["categorie"].label), multiple=False)
    facet.options.append(FacetOption("", _("All categories"), None, not chosen, kind="all"))
    if chosen:
        current = tree[chosen]
        path, node = [], by_id.get(current.parent_id)
        while node is not None:
            path.append(node)
            node = by_id.get(node.parent_id)
        for depth, node in enumerate(reversed(path), start=1):
            facet.options.append(FacetOption(node.code, node.name, None, False, "up", depth))
        depth = len(path) + 1
        facet.options.append(
            FacetOption(
                current.code,
                current.name,
                counts.of("categorie", current.code),
                True,
                "current",
                depth,
            )
        )
        below, depth = children[current.pk], depth + 1
    else:
        below, depth = children[None], 1
    for category in sorted(below, key=lambda c: c.code):
        count = counts.of("categorie", category.code)
        if count:
            facet.options.append(
                FacetOption(category.code, category.name, count, False, "child", depth)
            )
    return facet


def _facets(form, counts: selectors.FacetCounts, tree: dict) -> list[Facet]:
    facets = [
        _checkbox_facet(form, "thema", counts),
        _checkbox_facet(form, "label", counts),
        _category_facet(form, counts, tree),
        _radio_facet(form, "regio", counts),
        _radio_facet(form, "omvang", counts),
        _radio_facet(form, "impact", counts),
        _radio_facet(form, "bevestigd", counts),
        _checkbox_facet(form, "sdg", counts),
    ]
    for facet in facets:
        facet.errors = form.errors.get(facet.name, [])
    return facets


def _active_filters(params: QueryDict, form, facets: list[Facet]) -> list[ActiveFilter]:
    active = []
    text = form.cleaned_data.get("q")
    if text:
        active.append(ActiveFilter(_("Search words"), text, _without(params, "q")))
    for facet in facets:
        for option in facet.options:
            if option.selected and option.value:
                active.append(
                    ActiveFilter(
                        facet.legend, option.label, _without(params, facet.name, option.value)
                    )
                )
    return active


def _sort_choices(has_query: bool, sort: str) -> tuple[list[tuple[str, str]], str]:
    """The sort options and the chosen one. The default ("") is relevance when words
    were searched and the name otherwise, so it stays right when words are added later."""
    if has_query:
        choices = [
            ("", SortOrder.RELEVANCE.label),
            (SortOrder.NAME.value, SortOrder.NAME.label),
            (SortOrder.VERIFIED.value, SortOrder.VERIFIED.label),
        ]
        return choices, "" if sort == SortOrder.RELEVANCE else sort
    choices = [("", SortOrder.NAME.label), (SortOrder.VERIFIED.value, SortOrder.VERIFIED.label)]
    return choices, SortOrder.VERIFIED.value if sort == SortOrder.VERIFIED else ""


def _is_buyer(user) -> bool:
    return user.is_authenticated and user.has_role(Role.PROCUREMENT_OFFICER)


def _is_partial(request) -> bool:
    # htmx restoring history after a cache miss needs the whole page.
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def _results_context(params, filterset, counts, tree, page, buyer) -> dict:
    """What the results region (``_results.html``: facets, cards, pages) is drawn from;
    ``buyer``: the procurement officer asking, whose shortlisted suppliers are marked."""
    form = filterset.form
    for supplier in page.object_list:
        supplier.theme_labels = [choice_label(MvoiTheme, theme) for theme in supplier.themes]
    shortlisted = set()
    if buyer is not None and page.object_list:
        shortlisted = selectors.shortlisted_ids(buyer, [s.pk for s in page.object_list])
    has_query = filterset.search.query is not None
    sort_choices, sort_selected = _sort_choices(has_query, filterset.sort)
    facets = _facets(form, counts, tree)
    # Links on the page (pages, removing a filter) carry only what was understood.
    query = params.copy()
    for name in [*form.errors, "pagina"]:
        query.pop(name, None)
    return {
        "filtered": any(name in params for name in FILTER_PARAMS),
        "facets": facets,
        "counts": counts,
        "total": counts.total,
        "capped": counts.total > page.paginator.count,
        "max_results": page.paginator.count,
        "page": page,
        "query_string": query.urlencode(),
        "active_filters": _active_filters(query, form, facets),
        "clear_url": reverse("procurement:index"),
        "sort_choices": sort_choices,
        "sort_selected": sort_selected,
        "shortlisted": shortlisted,
        "confirmed_since": selectors.confirmed_since(),
    }


@require_GET
def search(request):
    """The supplier search: full text, facets with live counts, sorting and pages.

    A constant number of queries whatever the size of the result (see selectors)."""
    params = _clean_params(request.GET)
    tree = selectors.category_tree()
    filterset = SupplierFilter(params, queryset=selectors.public_suppliers(), categories=tree)
    # Invalid parameters (an unknown theme, a search text that is too long) are left
    # out and named in the error summary; the valid rest still narrows the result.
    results = filterset.qs
    form = filterset.form
    counts = selectors.facet_counts(results)
    ordered = selectors.order_results(results, filterset.search, filterset.sort)

    paginator = Paginator(ordered, SEARCH_PAGE_SIZE)
    # The facet query counted the result already; Paginator must not COUNT again.
    paginator.__dict__["count"] = min(counts.total, SEARCH_PAGE_SIZE * MAX_PAGES)
    page = paginator.get_page(params.get("pagina"))
    page.object_list = selectors.results_page(
        ordered, offset=(page.number - 1) * SEARCH_PAGE_SIZE, limit=SEARCH_PAGE_SIZE
    )
    is_buyer = _is_buyer(request.user)
    partial = _is_partial(request)
    # The results region drawn from kept answers is kept too (selectors: "search cache"),
    # except for procurement officers: it shows what is on their shortlists.
    version = None if is_buyer else selectors.kept_version(counts, page.object_list)
    kept = (get_language(), partial, selectors.today(), params.urlencode())
    results_html = selectors.kept_results(kept, version) if version is not None else None
    # What the page around the region needs as well.
    context = {
        "form": form,
        "search": filterset.search,
        "has_query": filterset.search.query is not None,
        "is_buyer": is_buyer,
        "max_query_length": MAX_QUERY_LENGTH,
    }
    if results_html is None:
        buyer = request.user if is_buyer else None
        context.update(_results_context(params, filterset, counts, tree, page, buyer))
        context["htmx"] = partial
        results_html = render_to_string("procurement/_results.html", context, request)
        if version is not None:
            selectors.keep_results(kept, version, results_html)
    if partial:
        response = HttpResponse(results_html)
    else:
        response = render(
            request, "procurement/index.html", {**context, "results_html": results_html}
        )
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


# Profiles ----------------------------------------------------------------------------------


def _check_visible(request, supplier: Supplier | None) -> str:
    """Who previews a profile that is not (or no longer) public: "owner" or
    "coordinator"; an empty string when the profile is public. 404 for anyone else."""
    if supplier is None:
        raise Http404
    if supplier.is_public:
        return ""
    user = request.user
    if user.is_authenticated:
        if services.is_owner(user, supplier):
            return "owner"
        if user.has_role(Role.COORDINATOR):
            return "coordinator"
    raise Http404


def _shortlist_add_template(user) -> str | None:
    """The buyers' "add to shortlist" partial, if it exists (it is built separately)."""
    if not _is_buyer(user):
        return None
    try:
        get_template(SHORTLIST_ADD_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return SHORTLIST_ADD_TEMPLATE


def _json_ld(request, supplier: Supplier, valid_labels) -> str:
    """schema.org Organization for search engines: only what the page shows publicly."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": supplier.name,
        "description": supplier.short_description,
        "url": request.build_absolute_uri(supplier.get_absolute_url()),
        "address": {
            "@type": "PostalAddress",
            "addressLocality": supplier.municipality,
            "addressCountry": "NL",
        },
        "email": supplier.contact_email,
        "identifier": {"@type": "PropertyValue", "propertyID": "KvK", "value": supplier.kvk_number},
    }
    if supplier.website:
        data["sameAs"] = [supplier.website]
    if supplier.contact_phone:
        data["telephone"] = supplier.contact_phone
    if supplier.logo:
        data["logo"] = request.build_absolute_uri(
            reverse("procurement:logo", kwargs={"slug": supplier.slug})
        )
    if valid_labels:
        data["award"] = [label.display_name for label in valid_labels]
    # Escaped as |json_script does: no "</script>" can end the element early.
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))  # noqa: S308


@require_GET
def supplier(request, slug):
    """A supplier's profile: public once verified, a preview for its owners and the
    coordinator before that."""
    profile = selectors.supplier_detail(slug)
    previewer = _check_visible(request, profile)
    preview = bool(previewer)
    today = selectors.today()
    labels = list(profile.labels.all())
    valid_labels = [label for label in labels if label.is_valid_on(today)]
    products = sorted(profile.products.all(), key=lambda p: (p.category.code, p.name.lower()))
    return render(
        request,
        "procurement/supplier_detail.html",
        {
            "supplier": profile,
            "preview": preview,
            "preview_by_owner": previewer == "owner",
            "valid_labels": valid_labels,
            "upcoming_labels": [label for label in labels if label.valid_from > today],
            "expired_labels": [label for label in labels if label.valid_until < today],
            "product_groups": [
                (category, list(items))
                for category, items in groupby(products, key=lambda p: p.category)
            ],
            "theme_labels": [choice_label(MvoiTheme, theme) for theme in profile.themes],
            "sdg_labels": [choice_label(Sdg, sdg) for sdg in sorted(profile.sdgs)],
            "not_recent": not profile.confirmed_at
            or profile.confirmed_at < selectors.confirmed_since(),
            "is_buyer": _is_buyer(request.user),
            "shortlist_add_template": _shortlist_add_template(request.user),
            "json_ld": None if preview else _json_ld(request, profile, valid_labels),
        },
    )


@require_GET
def logo(request, slug):
    """The logo, for whoever may see the profile (404 otherwise)."""
    profile = Supplier.objects.select_related("organisation").filter(slug=slug).first()
    _check_visible(request, profile)
    return serve_private_image(profile.logo)
