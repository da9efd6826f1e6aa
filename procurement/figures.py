"""Platform Goed Inkopen figures for the programme monitor.

A period runs from the start of its first day up to the end of its last day in
Europe/Amsterdam. The monitor compares up to three periods, so every selector takes all of
them at once and answers per period: two aggregate queries in all, whatever the number
of suppliers or periods (with 100,000 suppliers a pass over the table is what costs time,
so each table is read once, not once per period).

* ``directory_counts``: verified suppliers in total and per MVOI theme, SDG and region.
  The directory keeps no history of a profile's state, so for a period this counts the
  profiles that are verified today and existed (``created_at``) by the end of it; a
  profile withdrawn since is missing from every period. ``verified_at`` is not used:
  re-verifying after an edit moves it. In the same query, per label kind: the verified
  suppliers (counted as above) holding a label of that kind that is valid on the
  period's last day (or today, for a period that has not ended):
  ``valid_from <= day <= valid_until``, so an expired label never counts; and the labels
  of verified suppliers that started (``valid_from``) or lapsed (their last valid day,
  ``valid_until``, has passed) in the period. A start or end still in the future has
  not happened yet and is not counted.
* ``inquiry_counts``: inquiries sent in the period, their recipients and the distinct
  suppliers they reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from impactportal import figures as portal_figures
from impactportal.figures import Figure, Row, choices, key_row, rows
from impactportal.sdg import sdg_rows
from impactportal.workdays import day_bounds

from .constants import LabelKind, MvoiTheme, Region, Sdg, SupplierState
from .models import Inquiry, Label, Supplier

Span = tuple[date, date]


# Only the models' own table names are formatted in; every value is a parameter. The
# verified suppliers are read once (the CTE) for both the counts and the labels, from the
# covering index ``procurement_supplier_public_facets_idx`` rather than the wide table.
# Grouping by the CTE's bucket column (no statistics) lets the database hash the few
# buckets instead of sorting every row.
_DIRECTORY_SQL = """
WITH verified AS MATERIALIZED (
    SELECT s.id, s.created_at, s.themes, s.sdgs, s.region,
        width_bucket(s.created_at, %s::timestamptz[]) AS bucket
    FROM {supplier} s
    WHERE s.state = %s
)
SELECT 'bucket', v.bucket::text, ARRAY[count(*), {counts}]
FROM verified v
WHERE v.created_at < %s
GROUP BY v.bucket
UNION ALL
SELECT 'label', x.kind, ARRAY[{label_counts}]
FROM (
    SELECT l.supplier_id, l.kind, {per_supplier}
    FROM {label} l
    GROUP BY l.supplier_id, l.kind
) x
JOIN verified v ON v.id = x.supplier_id
GROUP BY x.kind
"""


def _directory_sql(spans: Sequence[Span], today: date) -> tuple[str, list]:
    ends = [day_bounds(start, end)[1] for start, end in spans]
    thresholds = sorted(set(ends))
    counts, count_params = [], []
    # "= ANY(array)" is markedly cheaper per row than "array @> array" here.
    for theme in MvoiTheme.values:
        counts.append("count(*) FILTER (WHERE %s = ANY(v.themes))")
        count_params.append(theme)
    for sdg in Sdg.values:
        counts.append("count(*) FILTER (WHERE %s::smallint = ANY(v.sdgs))")
        count_params.append(sdg)
    for region in Region.values:
        counts.append("count(*) FILTER (WHERE v.region = %s)")
        count_params.append(region)
    label_counts, label_params, per_supplier, per_supplier_params = [], [], [], []
    for i, ((start, end), period_end) in enumerate(zip(spans, ends, strict=True)):
        day = min(end, today)
        per_supplier.append(f"bool_or(l.valid_from <= %s AND l.valid_until >= %s) AS valid_{i}")
        per_supplier_params += [day, day]
        per_supplier.append(f"count(*) FILTER (WHERE l.valid_from BETWEEN %s AND %s) AS new_{i}")
        per_supplier_params += [start, day]
        per_supplier.append(
            f"count(*) FILTER (WHERE l.valid_until BETWEEN %s AND %s) AS lapsed_{i}"
        )
        per_supplier_params += [start, min(end, today - timedelta(days=1))]
        label_counts.append(f"count(*) FILTER (WHERE x.valid_{i} AND v.created_at < %s)")
        label_params.append(period_end)
        label_counts.append(f"COALESCE(sum(x.new_{i}), 0)::bigint")
        label_counts.append(f"COALESCE(sum(x.lapsed_{i}), 0)::bigint")
    sql = _DIRECTORY_SQL.format(
        supplier=Supplier._meta.db_table,
        label=Label._meta.db_table,
        counts=", ".join(counts),
        label_counts=", ".join(label_counts),
        per_supplier=", ".join(per_supplier),
    )
    params = [
        thresholds,
        SupplierState.VERIFIED.value,
        *count_params,
        thresholds[-1],
        *label_params,
        *per_supplier_params,
    ]
    return sql, params


def directory_counts(spans: Sequence[Span], *, today: date | None = None) -> list[dict]:
    """Per period: ``{"total": n, "themes": {value: n}, "sdgs": {number: n},
    "regions": {value: n}, "labels": {kind: n}, "label_changes": {kind: {"new": n,
    "lapsed": n}}}`` with every theme, region and label kind present (0 if none) and the
    SDGs that occur. One query for all periods.

    Each verified supplier falls in a "bucket" by when it was created relative to the
    ends of the periods; a period counts the buckets before its end. Themes, SDGs and
    regions are conditional counts, which is cheaper than unnesting.
    """
    today = today or timezone.localdate()
    sql, params = _directory_sql(spans, today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    buckets = [(int(key), values) for part, key, values in rows if part == "bucket"]
    labels = {key: values for part, key, values in rows if part == "label"}
    thresholds = sorted({day_bounds(start, end)[1] for start, end in spans})
    result = []
    for i, (start, end) in enumerate(spans):
        last = thresholds.index(day_bounds(start, end)[1])  # bucket b: created before thresholds[b]
        sums = [sum(column) for column in zip(*(v for b, v in buckets if b <= last), strict=True)]
        counts = iter(sums or [0] * (1 + len(MvoiTheme) + len(Sdg) + len(Region)))
        total = next(counts)
        themes = {theme: next(counts) for theme in MvoiTheme.values}
        sdgs = {sdg: next(counts) for sdg in Sdg.values}
        regions = {region: next(counts) for region in Region.values}
        valid, changes = {}, {}
        for kind in LabelKind.values:
            suppliers, new, lapsed = labels.get(kind, [0, 0, 0] * len(spans))[3 * i : 3 * i + 3]
            valid[kind] = suppliers
            changes[kind] = {"new": new, "lapsed": lapsed}
        result.append(
            {
                "total": total,
                "themes": themes,
                "sdgs": {sdg: n for sdg, n in sdgs.items() if n},
                "regions": regions,
                "labels": valid,
                "label_changes": changes,
            }
        )
    return result


def inquiry_counts(spans: Sequence[Span]) -> list[dict[str, int]]:
    """Per period: ``{"inquiries", "recipients", "suppliers_reached"}`` for inquiries sent
    in it."""
    sent = [Q(sent_at__gte=low, sent_at__lt=high) for low, high in (day_bounds(*s) for s in spans)]
    counts = {}
    for i, in_period in enumerate(sent):
        counts[f"inquiries_{i}"] = Count("pk", distinct=True, filter=in_period)
        counts[f"recipients_{i}"] = Count("recipients", filter=in_period)
        counts[f"suppliers_{i}"] = Count("recipients__supplier", distinct=True, filter=in_period)
    row = Inquiry.objects.filter(reduce(or_, sent)).aggregate(**counts)
    return [
        {
            "inquiries": row[f"inquiries_{i}"],
            "recipients": row[f"recipients_{i}"],
            "suppliers_reached": row[f"suppliers_{i}"],
        }
        for i in range(len(spans))
    ]


def supplier_figures_for(spans: Sequence[Span], *, today: date | None = None) -> list[dict]:
    """Everything the programme monitor shows about the directory, per period in ``spans``
    (``(first day, last day)`` pairs): two queries for all of them."""
    directory = directory_counts(spans, today=today)
    inquiries = inquiry_counts(spans)
    result = []
    for (start, end), counts, sent in zip(spans, directory, inquiries, strict=True):
        changes = counts.pop("label_changes")
        result.append(
            {
                "start": start,
                "end": end,
                "verified": counts,
                "label_changes": changes,
                "new_labels": sum(c["new"] for c in changes.values()),
                "lapsed_labels": sum(c["lapsed"] for c in changes.values()),
                **sent,
            }
        )
    return result


def supplier_figures(start: date, end: date, *, today: date | None = None) -> dict:
    """The figures of one period (see ``supplier_figures_for``)."""
    return supplier_figures_for([(start, end)], today=today)[0]


# The monitor: the directory's area and its part of the SDG view -------------------------


def monitor_figures(per_column: list[dict]) -> list[Figure]:
    verified = [f["verified"] for f in per_column]
    changes = [f["label_changes"] for f in per_column]
    key_rows = [
        Row("verified", _("Verified suppliers"), [v["total"] for v in verified]),
        key_row("new_labels", _("New labels"), per_column),
        key_row("lapsed_labels", _("Lapsed labels"), per_column),
        key_row("inquiries", _("Inquiries sent"), per_column),
        key_row("recipients", _("Inquiry recipients"), per_column),
        key_row("suppliers_reached", _("Suppliers reached"), per_column),
    ]
    return [
        Figure(
            "leveranciers-kerncijfers",
            _("Suppliers: key figures"),
            _(
                "Verified suppliers at the end of the period, labels that started or "
                "lapsed in it, and the inquiries buyers sent."
            ),
            _("Figure"),
            key_rows,
            chart=False,
        ),
        Figure(
            "leveranciers-themas",
            _("Verified suppliers per MVOI theme"),
            _("A supplier working on several themes counts under each."),
            _("MVOI theme"),
            rows(choices(MvoiTheme), [v["themes"] for v in verified]),
        ),
        Figure(
            "leveranciers-labels",
            _("Verified suppliers per valid label"),
            _("Suppliers holding a label of the kind that is valid on the last day."),
            _("Label"),
            rows(choices(LabelKind), [v["labels"] for v in verified]),
        ),
        Figure(
            "leveranciers-regios",
            _("Verified suppliers per region"),
            _("Where the verified suppliers are established."),
            _("Region"),
            rows(choices(Region), [v["regions"] for v in verified]),
        ),
        Figure(
            "leveranciers-nieuwe-labels",
            _("New labels per kind"),
            _("Labels of verified suppliers that became valid in the period."),
            _("Label"),
            rows(
                choices(LabelKind),
                [{k: c["new"] for k, c in change.items()} for change in changes],
            ),
        ),
        Figure(
            "leveranciers-verlopen-labels",
            _("Lapsed labels per kind"),
            _("Labels of verified suppliers whose last valid day fell in the period."),
            _("Label"),
            rows(
                choices(LabelKind),
                [{k: c["lapsed"] for k, c in change.items()} for change in changes],
            ),
        ),
    ]


def sdg_figures(per_column: list[dict]) -> list[Figure]:
    return [
        Figure(
            "sdg-leveranciers",
            _("Verified suppliers per SDG"),
            _("From the goals suppliers state on their profile."),
            _("Sustainable Development Goal"),
            sdg_rows([dict(f["verified"]["sdgs"]) for f in per_column]),
        )
    ]


def register_figures() -> None:
    portal_figures.register(
        portal_figures.FigureProvider(
            name="procurement",
            compute=lambda periods, today: supplier_figures_for(
                [(period.start, period.end) for period in periods], today=today
            ),
            queries=lambda periods: 2,  # for all periods together
            contributions=(
                portal_figures.Contribution(
                    area="leveranciers",
                    area_title=lambda: _("Platform Goed Inkopen"),
                    order=30,
                    build=monitor_figures,
                    figure_slugs=(
                        "leveranciers-kerncijfers",
                        "leveranciers-themas",
                        "leveranciers-labels",
                        "leveranciers-regios",
                        "leveranciers-nieuwe-labels",
                        "leveranciers-verlopen-labels",
                    ),
                ),
                portal_figures.Contribution(
                    area="sdg",
                    area_title=lambda: _("SDG view"),
                    order=55,
                    build=sdg_figures,
                    figure_slugs=("sdg-leveranciers",),
                ),
            ),
        )
    )
