"""Spreadsheets of suppliers for procurement officers: a shortlist or a search result.

``export_table`` produces the header and the rows once; ``export_response`` only writes
them, through ``impactportal.spreadsheets``. Whatever the number of rows, an export costs
one query: the valid labels of every supplier come along as one JSON aggregate per row
instead of a query per supplier, and rows are read with ``.iterator()``.

Only public (verified) profiles ever end up in a file, and a label is only listed on
the days it is valid. Profiles and notes are typed by other people: the spreadsheet
kernel keeps any of it from being read as a formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import Exists, JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from impactportal import spreadsheets

from .constants import PUBLIC_STATES, MvoiTheme, Region, SizeClass
from .models import Label, Shortlist, ShortlistEntry, Supplier
from .selectors import public_suppliers, today

# More rows than this are refused: ask for a narrower search instead of a huge file.
EXPORT_MAX_ROWS = 5_000
FORMATS = ("csv", "xlsx")

_EXPORT_FIELDS = (
    "slug",
    "name",
    "kvk_number",
    "branch_number",
    "municipality",
    "region",
    "size",
    "themes",
    "impact_first",
    "target_group_share",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "verified_at",
)


@dataclass(frozen=True)
class Table:
    """Column headers and a (lazy) iterator of rows of plain values: str, int, date or None."""

    columns: list[str]
    rows: Iterator[list[Any]]


# --- what goes in -------------------------------------------------------------------------


def _valid_labels(day: date) -> Subquery:
    """Per supplier, its labels valid on ``day`` as a JSON list (one subquery, no extra query)."""
    labels = (
        Label.objects.valid_on(day)
        .filter(supplier=OuterRef("pk"))
        .order_by()
        .values("supplier")
        .annotate(
            items=JSONBAgg(
                JSONObject(kind="kind", pso_level="pso_level", name="name", until="valid_until"),
                order_by=("kind", "pso_level", "valid_until"),
            )
        )
        .values("items")
    )
    return Subquery(labels, output_field=JSONField())


def search_export_queryset(ordered: QuerySet[Supplier]) -> QuerySet[Supplier]:
    """The rows of a search export: ``ordered`` is the filtered and ordered search result."""
    return ordered.filter(state__in=PUBLIC_STATES)


def shortlist_export_queryset(shortlist: Shortlist) -> QuerySet[Supplier]:
    """The public suppliers of ``shortlist`` in the order they were added, with their notes.

    A supplier that left the platform since it was added is not in the export.
    """
    entries = ShortlistEntry.objects.filter(shortlist=shortlist, supplier=OuterRef("pk"))
    return (
        public_suppliers()
        .filter(Exists(entries))
        .annotate(
            shortlist_note=Subquery(entries.values("note")[:1]),
            shortlist_added_at=Subquery(entries.values("added_at")[:1]),
        )
        .order_by("shortlist_added_at", "pk")
    )


def export_table(
    suppliers: QuerySet[Supplier], *, notes: bool = False, day: date | None = None
) -> Table:
    """The header and rows of an export of ``suppliers`` (in their order), in one query.

    ``suppliers`` must already be limited to public profiles (``search_export_queryset``
    or ``shortlist_export_queryset``). With ``notes`` the shortlist's note is the last column.
    """
    day = day or today()
    columns = [
        _("Name"),
        _("KvK number"),
        _("Branch number"),
        _("Municipality"),
        _("Region"),
        _("Size"),
        _("MVOI themes"),
        _("Valid labels"),
        _("Impact first"),
        _("Staff from the target group (%)"),
        _("Website"),
        _("Contact person"),
        _("E-mail"),
        _("Telephone"),
        _("Verified on"),
        _("Profile on Platform Goed Inkopen"),
    ]
    if notes:
        columns.append(_("Note"))
    # Translated now: the rows of a streamed CSV are written after the view has returned.
    regions = {value: str(label) for value, label in Region.choices}
    sizes = {value: str(label) for value, label in SizeClass.choices}
    themes = {value: str(label) for value, label in MvoiTheme.choices}
    yes, no = _("yes"), _("no")
    label_text = _("%(label)s (valid until %(date)s)")
    # The profile address with a placeholder slug, so reverse() runs once, not per row.
    profile_url = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
        "procurement:supplier", kwargs={"slug": "slug-placeholder"}
    )

    queryset = (
        suppliers.only(*_EXPORT_FIELDS)
        .annotate(export_labels=_valid_labels(day))
        .select_related(None)
        .prefetch_related(None)
    )

    def labels_of(supplier) -> str:
        names = []
        for item in supplier.export_labels or []:
            label = Label(kind=item["kind"], pso_level=item["pso_level"], name=item["name"])
            until = date.fromisoformat(item["until"]).strftime(spreadsheets.DATE_FORMAT)
            names.append(label_text % {"label": label.display_name, "date": until})
        return "; ".join(names)

    def rows() -> Iterator[list[Any]]:
        for supplier in queryset.iterator(chunk_size=500):
            row = [
                supplier.name,
                supplier.kvk_number,
                supplier.branch_number,
                supplier.municipality,
                regions.get(supplier.region, supplier.region),
                sizes.get(supplier.size, supplier.size),
                ", ".join(themes.get(theme, theme) for theme in supplier.themes),
                labels_of(supplier),
                yes if supplier.impact_first else no,
                supplier.target_group_share,
                supplier.website,
                supplier.contact_name,
                supplier.contact_email,
                supplier.contact_phone,
                timezone.localdate(supplier.verified_at) if supplier.verified_at else None,
                profile_url.replace("slug-placeholder", supplier.slug),
            ]
            if notes:
                row.append(supplier.shortlist_note)
            yield row

    return Table(columns, rows())


# --- what comes out -----------------------------------------------------------------------


def filename(stem: str, fmt: str, day: date | None = None) -> str:
    """``<stem>-<yyyy-mm-dd>.<fmt>`` in plain ASCII, safe in a Content-Disposition header."""
    stem = slugify(stem)[:60].strip("-") or "export"
    return f"{stem}-{(day or today()).isoformat()}.{fmt}"


def export_response(
    table: Table, fmt: str, *, stem: str, sheet_title: str
) -> HttpResponse | StreamingHttpResponse:
    """The CSV (streamed while the rows are read) or Excel file of ``table``."""
    name = filename(stem, fmt)
    if fmt == "xlsx":
        sheet = spreadsheets.Sheet(title=sheet_title, header=table.columns, rows=table.rows)
        return spreadsheets.xlsx_response(sheet, filename=name)
    return spreadsheets.streaming_csv_response(table.columns, table.rows, filename=name)
